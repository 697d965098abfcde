"""Running a book (issue 16): the same rows serially, on the local process pool and on a local
Dask cluster; broken cases as rows of problems that leave the others alone; a run killed
half-way resumes without redoing finished cases; lost workers retried; the progress line only
on a terminal; books as folders and as manifests."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.portfolio import run as run_module
from cashmgmt.portfolio.book import BookError, read_book
from cashmgmt.portfolio.case import library_version
from cashmgmt.portfolio.journal import JOURNAL, decode, encode
from cashmgmt.portfolio.progress import Progress
from cashmgmt.portfolio.rows import CaseRow
from cashmgmt.portfolio.run import ATTEMPTS, run_book

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ROOT = Path(__file__).resolve().parents[1]
#: Revenues that put the copies in every segment (thresholds in USD: 2 bn, 50 m, 2.5 m).
REVENUES = ("1150000", "9000000", "120000000", "3000000000")
TIMINGS = ("seconds_load", "seconds_assess", "seconds_design")


def make_book(folder: Path, copies: int = 2, broken: bool = True) -> Path:
    """Copies of three examples with their revenue varied (so segments differ), and, with
    `broken`, a case with bad YAML and one whose balances table is missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for example in ("bluestem-outdoor", "huaxia-liquor", "larkspur-bakery"):
        for i in range(copies):
            target = folder / f"{example}-{i}"
            shutil.copytree(EXAMPLES / example, target)
            text = (target / "case.yaml").read_text(encoding="utf-8")
            lines = [
                f"  annual_revenue: {REVENUES[i % len(REVENUES)]} " + line.split()[-1]
                if line.startswith("  annual_revenue:")
                else line
                for line in text.splitlines()
            ]
            (target / "case.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if broken:
        (folder / "broken-yaml").mkdir()
        (folder / "broken-yaml" / "case.yaml").write_text("case: 1\nclient: [\n")
        shutil.copytree(EXAMPLES / "larkspur-bakery", folder / "no-balances")
        (folder / "no-balances" / "balances.csv").unlink()
    return folder


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def plain(rows: tuple[CaseRow, ...]) -> list[dict[str, Any]]:
    """Rows as data without their timings (which differ from run to run)."""
    return [{k: v for k, v in encode(r).items() if k not in TIMINGS} for r in rows]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_book(tmp_path_factory.mktemp("book") / "book")


@pytest.fixture(scope="module")
def serial(book: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[CaseRow, ...]:
    return run_book(book, out=tmp_path_factory.mktemp("serial"), executor="serial")


def test_rows_are_sorted_and_broken_cases_are_problems(serial: tuple[CaseRow, ...]) -> None:
    names = [r.case for r in serial]
    assert names == sorted(names) and len(names) == 8
    bad = {r.case: r for r in serial if r.status == "problems"}
    assert set(bad) == {"broken-yaml", "no-balances"}
    assert "expected valid YAML" in bad["broken-yaml"].problems[0].message
    assert bad["broken-yaml"].problems[0].where.startswith("line 3")
    assert bad["no-balances"].problems[0].file.endswith("balances.csv")
    ok = [r for r in serial if r.status == "ok"]
    assert all(r.solution and r.products and r.key for r in ok)
    # the revenue copies fall in the segments their USD revenue says
    segments = {r.case: r.segment for r in ok}
    assert segments["larkspur-bakery-0"] == "micro"  # 1.15 m GBP
    assert segments["larkspur-bakery-1"] == "small-mid"  # 9 m GBP


def test_usd_figures_at_the_reference_rates(serial: tuple[CaseRow, ...]) -> None:
    """The USD figures are the case's figures over the shipped reference rate (units per
    USD), to the cent, half away from zero: worked from the data file, not the code."""
    table = YAML(typ="safe").load(
        (ROOT / "cashmgmt/reference/data/usd_rates.yaml").read_text(encoding="utf-8")
    )
    for row in serial:
        if row.status != "ok":
            continue
        rate = Decimal(1) if row.currency == "USD" else Decimal(str(table["rates"][row.currency]))
        assert row.usd_rate == rate
        expected = (row.solution_benefit_annual / rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row.solution_benefit_annual_usd == expected


def test_broken_cases_leave_the_others_alone(
    book: Path, serial: tuple[CaseRow, ...], tmp_path: Path
) -> None:
    clean = make_book(tmp_path / "clean", broken=False)
    rows = run_book(clean, out=tmp_path / "out", executor="serial")
    ok = [r for r in plain(serial) if r["status"] == "ok"]
    assert plain(rows) == ok  # the keys agree too: the same files, the same library


def test_local_pool_gives_the_same_rows(
    book: Path, serial: tuple[CaseRow, ...], tmp_path: Path
) -> None:
    rows = run_book(book, out=tmp_path, workers=2)
    assert plain(rows) == plain(serial)


def test_dask_cluster_gives_the_same_rows(
    book: Path, serial: tuple[CaseRow, ...], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        info: list[run_module.RunInfo] = []
        rows = run_book(book, out=tmp_path, scheduler=address, info=info)
    assert plain(rows) == plain(serial)
    assert info[0].workers == 2


def test_a_finished_run_is_not_redone(
    book: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = run_book(book, out=tmp_path, executor="serial")
    calls: list[str] = []
    monkeypatch.setattr(run_module, "run_case", lambda *a: calls.append(a[0]))
    again = run_book(book, out=tmp_path, executor="serial")
    assert calls == [] and again == first
    # a changed case (its files, hence its key) is run again, and only it
    case = book / "larkspur-bakery-0" / "case.yaml"
    original = case.read_text(encoding="utf-8")
    monkeypatch.undo()
    try:
        case.write_text(original + "\n# changed\n", encoding="utf-8")
        counted: list[str] = []
        real = run_module.run_case
        monkeypatch.setattr(run_module, "run_case", counting(counted, real))
        run_book(book, out=tmp_path, executor="serial")
        assert counted == ["larkspur-bakery-0"]
    finally:
        case.write_text(original, encoding="utf-8")


def counting(calls: list[str], real: Callable[..., CaseRow]) -> Callable[..., CaseRow]:
    """run_case, counting the cases it is called for."""

    def counted(*args: Any) -> CaseRow:
        calls.append(args[0])
        return real(*args)

    return counted


KILLED_RUN = """
import sys
from cashmgmt.portfolio.run import run_book
run_book(sys.argv[1], out=sys.argv[2], executor="serial")
"""


def test_a_killed_run_resumes_with_the_same_output(
    book: Path, serial: tuple[CaseRow, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A run killed with SIGKILL after three rows, then started again: the rows are those of
    an uninterrupted run, and the cases finished before the kill are not run again."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(book), str(out)], env=env)
    journal = out / JOURNAL
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    done = [json.loads(line)["case"] for line in journal.read_text().splitlines()]
    assert 3 <= len(done) < len(serial)
    with journal.open("ab") as stream:  # a line torn by the kill is cut, its case redone
        stream.write(b'{"case": "torn')
    calls: list[str] = []
    real = run_module.run_case
    monkeypatch.setattr(run_module, "run_case", counting(calls, real))
    rows = run_book(book, out=out, executor="serial")
    assert plain(rows) == plain(serial)
    assert sorted(calls) == sorted(set(r.case for r in serial) - set(done))


class Flaky(Executor):
    """Runs cases in this process; the cases named in `lose` fail as if their worker were
    killed, `lose[name]` times each."""

    def __init__(self, lose: dict[str, int]) -> None:
        self.lose = lose

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        name = args[0]
        if self.lose.get(name, 0) > 0:
            self.lose[name] -= 1
            future.set_exception(BrokenProcessPool("a worker was killed"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_lost_workers_are_retried_then_reported(book: Path, tmp_path: Path) -> None:
    lose = {"bluestem-outdoor-0": ATTEMPTS - 1, "larkspur-bakery-1": ATTEMPTS + 5}
    made: list[Flaky] = []
    shared = Flaky(lose)

    def make() -> Executor:
        made.append(shared)
        return shared

    rows: dict[str, CaseRow] = {}
    cases = read_book(book)
    version = library_version()
    run_module._run_on(
        make, 2, list(cases), version, lambda r: rows.update({r.case: r}), owned=True
    )
    assert rows["bluestem-outdoor-0"].status == "ok"  # retried, then ran
    lost = rows["larkspur-bakery-1"]
    assert lost.status == "problems" and "stopped 3 times" in lost.problems[0].message
    assert len(made) > 1  # the broken pool was replaced
    assert len(rows) == len(cases)


def test_journal_round_trip(serial: tuple[CaseRow, ...]) -> None:
    for row in serial:
        assert decode(json.loads(json.dumps(encode(row)))) == row


def test_progress_only_on_a_terminal(book: Path, tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    piped, terminal = io.StringIO(), Terminal()
    for stream in (piped, terminal):
        bar = Progress.on_terminal(4, 1, stream)
        bar.advance(False)
        bar.advance(True)
        bar.close()
    assert piped.getvalue() == ""
    assert "3/4 cases" in terminal.getvalue() and "1 with problems" in terminal.getvalue()
    assert "cases/s" in terminal.getvalue() and "left" in terminal.getvalue()


def test_no_progress_when_piped(book: Path, tmp_path: Path) -> None:
    result = run_cli("portfolio", str(book), "-o", str(tmp_path), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "cases/s" not in result.output


def test_manifests(book: Path, tmp_path: Path) -> None:
    text = tmp_path / "book.txt"
    text.write_text(f"# two cases\n{book}/larkspur-bakery-0\n\n{book}/broken-yaml\n")
    listed = tmp_path / "book.yaml"
    listed.write_text(f"- {book}/broken-yaml\n- {book}/larkspur-bakery-0\n")
    for manifest in (text, listed):
        names = [c.name for c in read_book(manifest)]
        assert [Path(n).name for n in names] == ["broken-yaml", "larkspur-bakery-0"]
    (tmp_path / "cases").mkdir()
    shutil.copytree(book / "larkspur-bakery-0", tmp_path / "cases" / "a")
    relative = tmp_path / "relative.txt"
    relative.write_text("cases/a\ncases/missing\n")
    rows = run_book(relative, out=tmp_path / "out", executor="serial")
    assert [(r.case, r.status) for r in rows] == [("cases/a", "ok"), ("cases/missing", "problems")]
    twice = tmp_path / "twice.txt"
    twice.write_text("cases/a\ncases/a\n")
    with pytest.raises(BookError) as caught:
        read_book(twice)
    assert caught.value.problems[0].where == "line 2"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- cases/a\n- {x: 1}\n")
    with pytest.raises(BookError, match="entry 2"):
        read_book(bad)


def test_cli_json_contract(book: Path, tmp_path: Path) -> None:
    result = run_cli("portfolio", str(book), "-o", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"cases", "totals", "coverage", "run"}
    assert set(data["run"]) >= {"workers", "seconds", "cases_per_second"}
    assert set(data["totals"]) >= {"segment", "country"}
    case = data["cases"][0]
    for key in (
        "case",
        "status",
        "segment",
        "currency",
        "solution_benefit_annual",
        "solution_benefit_annual_usd",
        "bank_value_annual_usd",
        "problems",
    ):
        assert key in case
    assert all({"segment", "clients"} <= set(c) for c in data["coverage"])
    staffed = ("relationship_managers", "cash_specialists", "credit_specialists")
    assert all(isinstance(c[k], int) for c in data["coverage"] for k in staffed)
    written = json.loads((tmp_path / "portfolio.json").read_text(encoding="utf-8"))
    assert written["cases"] == data["cases"]
    # what the department reads: the workbook and the summary, beside the JSON
    from openpyxl import load_workbook

    sheets = load_workbook(tmp_path / "portfolio.xlsx").sheetnames
    assert len(sheets) >= 5, sheets
    assert (tmp_path / "portfolio-summary.pdf").read_bytes().startswith(b"%PDF")
    assert "<link" not in (tmp_path / "portfolio-summary.html").read_text(encoding="utf-8")
    # a book that cannot be read: its problem, exit 2
    missing = run_cli("portfolio", str(tmp_path / "nothing"), "-o", str(tmp_path / "o"))
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_the_package_is_callable(book: Path, tmp_path: Path) -> None:
    result = cashmgmt.portfolio(book, out=tmp_path, executor="serial")
    assert len(result.rows) == 8 and result.run.ran == 8


def test_a_lost_case_is_tried_again_on_resume(
    book: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run_book(book, out=tmp_path, executor="serial")
    journal = tmp_path / JOURNAL
    rows = [decode(json.loads(line)) for line in journal.read_text().splitlines()]
    lost = run_module.lost_row(read_book(book)[0], rows[0].key, BrokenProcessPool())
    with journal.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(encode(lost)) + "\n")
    calls: list[str] = []
    monkeypatch.setattr(run_module, "run_case", counting(calls, run_module.run_case))
    again = run_book(book, out=tmp_path, executor="serial")
    assert calls == [lost.case]
    assert all(r.status == "ok" for r in again if r.case == lost.case)
