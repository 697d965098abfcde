"""The review through files (docs/review.md, "Statement files"): statements written by the
camt.053, MT940 and BAI2 writers from a simulated structure, grouped as banks send them
(a month, each working day since the last, working days only), read back from a folder and
reviewed give the simulation's benefit to the minor unit and rebuild the history exactly;
and the shipped example statements review to the solution simulated on the continuation of
each example's history, recomputed here from the generator's own figures."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import numpy as np
import pytest
from casekit import MONTH_BALANCES, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_reference import random_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle import bankfiles
from cashmgmt.cycle.actuals import simulated_statements
from cashmgmt.cycle.codes import CODE_SETS, CodeSet
from cashmgmt.cycle.review import review
from cashmgmt.engine.simulate import simulate_solution, simulate_structure
from cashmgmt.errors import ReviewError
from cashmgmt.inputs.statements import Statement, read_statements
from cashmgmt.model import BalanceHistory

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FORMATS = ("camt", "MT940", "BAI2")
CREATED = datetime(2026, 11, 30, 6, 0)


def weekday(s: Statement) -> bool:
    return s.end.weekday() < 5


#: How a bank groups its days into statements: a format's usual grouping, and daily ones.
GROUPINGS: dict[str, Callable[[Sequence[Statement]], tuple[Statement, ...]]] = {
    "daily": tuple,
    "monthly": lambda daily: bankfiles.runs(daily, lambda s: bankfiles.month_end(s.end)),
    "since-last-working-day": lambda daily: bankfiles.runs(daily, weekday),
    "working-days-only": lambda daily: bankfiles.reported(daily, weekday),
}
#: Each format with the groupings it can carry (BAI2 reports one day at a time).
USUAL = {
    "camt": ("daily", "monthly", "since-last-working-day", "working-days-only"),
    "MT940": ("daily", "monthly", "since-last-working-day", "working-days-only"),
    "BAI2": ("daily", "working-days-only"),
}


def write_files(
    statements: Sequence[Statement], form: str, grouping: str, folder: Path
) -> list[Path]:
    """The statements grouped as `grouping` says, written in `form`, one file per month in a
    subfolder (as a bank's folder), returned."""
    sent = GROUPINGS[grouping](statements)
    written = []
    for year, month in sorted({(s.end.year, s.end.month) for s in sent}):
        chosen = [s for s in sent if (s.end.year, s.end.month) == (year, month)]
        data = bankfiles.write_statements(chosen, form, created=CREATED, name=f"T-{month}")
        path = folder / "BANK" / f"{year}-{month:02d}.{bankfiles.EXTENSIONS[form]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def through_files(
    case: cashmgmt.Case,
    structure: str,
    form: str,
    grouping: str,
    folder: Path,
    fees: bool = False,
) -> None:
    """Statements of `structure` over the case's own history, through files of `form`,
    reviewed from the history's first day: the simulation back to the minor unit (with
    `fees`, the structure's fees as fee entries, read back as the realised fees)."""
    history = case.balances
    simulated = cashmgmt.simulate(case, structure)
    codes: CodeSet = CODE_SETS[form]
    made = simulated_statements(case, structure, history, codes=codes, fees=fees)
    write_files(made, form, grouping, folder)
    read = read_statements(sorted(p for p in folder.rglob("*") if p.is_file()))
    assert read.problems == ()
    got = review(case, structure, folder, go_live=history.start)
    assert got.benefit == simulated.benefit
    assert np.array_equal(got.rebuilt.minor, history.minor)
    assert got.status_quo == simulated.baseline.net
    assert got.fees.total == simulated.fees.total and got.tax.total == simulated.tax.total
    assert all(v.amount == 0 for v in got.variance[:2])  # rates and structure
    assert got.fees_from == ("statements" if fees and simulated.fees.total else "terms")


@pytest.mark.parametrize(
    ("form", "grouping"), [(f, g) for f in FORMATS for g in USUAL[f]], ids=lambda x: str(x)
)
def test_files_with_fee_entries_give_the_simulation_back(
    tmp_path: Path, form: str, grouping: str
) -> None:
    """The ZBA's fees (5 CNY a sweep, 100 CNY per account and month, 20,000 CNY to set up)
    posted as fee entries on its header: through every format's files, the fees read back
    are the simulation's and the history is rebuilt without them."""
    case = cashmgmt.load_case(write_case(tmp_path / "case", balances=MONTH_BALANCES))
    through_files(case, "zba", form, grouping, tmp_path / "statements", fees=True)


@pytest.mark.parametrize(
    ("form", "grouping"), [(f, g) for f in FORMATS for g in USUAL[f]], ids=lambda x: str(x)
)
@pytest.mark.parametrize("structure", ["zba", "pool"])
def test_files_give_the_simulation_back(
    tmp_path: Path, form: str, grouping: str, structure: str
) -> None:
    """casekit's case (a ZBA between two Chinese entities, a CNY/USD notional pool; 2025-01,
    weekends included): every format and grouping gives the simulation back."""
    case = cashmgmt.load_case(write_case(tmp_path / "case", balances=MONTH_BALANCES))
    through_files(case, structure, form, grouping, tmp_path / "statements")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=random_case(),
    form=st.sampled_from(FORMATS),
    grouping=st.sampled_from(["daily", "working-days-only"]),
)
def test_files_of_random_sweep_trees(
    drawn: tuple[dict[str, Any], str, str, str], form: str, grouping: str
) -> None:
    doc, balances, fx, _ = drawn
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", doc, balances, fx))
        through_files(case, "s", form, grouping, Path(tmp) / "statements")


def test_a_missing_report_is_located(tmp_path: Path) -> None:
    """A BAI2 report left out on a day with bookings: the next report does not open where
    the last closed, so the days between are a located problem, not carried forward."""
    case = cashmgmt.load_case(write_case(tmp_path / "case", balances=MONTH_BALANCES))
    made = simulated_statements(case, "zba", case.balances, codes=CODE_SETS["BAI2"])
    last = {s.account: s.end for s in made}
    dropped = next(s for s in made if s.closing != s.opening and s.end < last[s.account])
    kept = [s for s in made if s is not dropped]
    write_files(kept, "BAI2", "daily", tmp_path / "statements")
    with pytest.raises(ReviewError) as caught:
        review(case, "zba", tmp_path / "statements", go_live=case.balances.start)
    message = "\n".join(p.message for p in caught.value.problems)
    assert "no statement of account" in message and dropped.start.isoformat() in message
    assert "a statement is missing" in message


def test_join_refuses_statements_that_do_not_continue() -> None:
    day = date(2025, 1, 6)
    a = Statement("f", "a", "BAI2", "1", "USD", day, day, 0, 100)
    b = attrs.evolve(a, where="b", start=day + timedelta(1), end=day + timedelta(1), opening=90)
    with pytest.raises(ValueError, match="does not continue"):
        bankfiles.join([a, b])
    assert bankfiles.join([a, attrs.evolve(b, opening=100)]).closing == 100


def test_mt940_references_fit_sixteen_characters() -> None:
    assert bankfiles.mt940_reference("SWEEP TO 31050161393600000123") == "SWEEP HEADER"
    assert bankfiles.mt940_reference("SWEEP FROM 6222 0001") == "SWEEP MEMBER"
    assert bankfiles.mt940_reference("OWN FLOW") == ""
    assert bankfiles.mt940_reference("OVERDRAFT INTEREST") == "OD INTEREST"
    assert bankfiles.mt940_reference("A//B CDEFGHIJKLMNOPQ") == "A/B CDEFGHIJKLMN"


# ------------------------------------------------------------------- the shipped examples

SHIPPED = ("huaxia-liquor", "bluestem-outdoor", "larkspur-bakery")


def generator() -> ModuleType:
    """examples/generate.py as a module (its figures, not its files)."""
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return generator()


def test_the_examples_cover_every_format(generate: ModuleType) -> None:
    forms = {form for name in SHIPPED for _, _, form in generate.AFTER_GO_LIVE[name].banks}
    assert forms == set(FORMATS)
    for name in SHIPPED:
        case = cashmgmt.load_case(EXAMPLES / name)
        spec = generate.AFTER_GO_LIVE[name]
        assert {bank for bank, _, _ in spec.banks} == {a.bank for a in case.accounts}
        assert spec.go_live == case.balances.end + timedelta(days=1)
        readme = (EXAMPLES / name / "statements" / "README.md").read_text(encoding="utf-8")
        assert command(name, spec.go_live) in readme


def command(name: str, go_live: date) -> str:
    place = f"examples/{name}"
    return (
        f"cashmgmt review {place} --structure solution --actuals "
        f"{place}/statements/after-go-live --go-live {go_live.isoformat()} --json"
    )


@pytest.mark.parametrize("name", SHIPPED)
def test_example_statements_review_to_the_simulated_solution(
    name: str, generate: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's command exits 0, and its realised benefit is the design's solution
    simulated on the continuation of the history (the generator's figures, not the files),
    to the minor unit; the status quo rebuilt from the files is that continuation."""
    spec, figures = generate.after_go_live(name)
    monkeypatch.chdir(EXAMPLES.parent)
    args = command(name, spec.go_live).split()[1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)

    case = cashmgmt.load_case(EXAMPLES / name)
    made = cashmgmt.design(case, cashmgmt.assess(case))
    structures = [member.structure for member in made.members]
    accounts = case.balances.accounts
    minor = np.array([figures[a] for a in accounts], dtype=np.int64)
    continued = BalanceHistory(spec.go_live, accounts, minor, np.ones(minor.shape, dtype=bool))
    assert continued.end == spec.end
    later = attrs.evolve(case, balances=continued)
    simulated = (
        simulate_structure(later, structures[0])
        if len(structures) == 1
        else simulate_solution(later, structures)
    )
    assert shown["realised"]["benefit"] == format(simulated.benefit, "f")
    assert shown["period"] == {
        "start": spec.go_live.isoformat(),
        "end": spec.end.isoformat(),
        "days": continued.days,
    }
    assert shown["realised"]["sweeps"] == simulated.fees.sweeps > 0

    got = review(case, structures, EXAMPLES / name / "statements" / "after-go-live",
                 go_live=spec.go_live)  # fmt: skip
    assert np.array_equal(got.rebuilt.minor, minor)
    assert got.benefit == simulated.benefit

    # the KPIs: overdraft days leave committed facilities out (a plain loop over the rebuilt
    # and actual balances is the oracle), and cash concentrates in the headers
    kpis = {k.name: k for k in got.kpis}
    plain = [i for i, a in enumerate(accounts) if case.account(a).facility is None]
    for balances, figure in ((got.rebuilt, kpis["overdraft_days"].before),
                             (got.actual, kpis["overdraft_days"].after)):  # fmt: skip
        days = sum(bool((balances.minor[plain, d] < 0).any()) for d in range(balances.days))
        assert figure == days
    before, after = kpis["concentration"].before, kpis["concentration"].after
    assert before is not None and after is not None and after > before


@pytest.mark.parametrize("name", SHIPPED)
def test_example_statements_are_listed(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cashmgmt statements FOLDER --json` reads every account of the case, no problem."""
    if "statements" not in cli.commands:
        pytest.skip("cashmgmt statements is not in this tree")
    monkeypatch.chdir(EXAMPLES.parent)
    result = CliRunner().invoke(
        cli, ["statements", f"examples/{name}/statements/after-go-live", "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    case = cashmgmt.load_case(EXAMPLES / name)
    assert shown["problems"] == []
    assert {a["account"] for a in shown["accounts"]} == {a.number or a.id for a in case.accounts}


def test_a_document_never_writes_over_a_statement_in_a_banks_subfolder(tmp_path: Path) -> None:
    """The shipped layout keeps each bank's files in a subfolder; those files are inputs
    too, so `letter --actuals FOLDER -o` one of them is refused and the file is untouched."""
    import shutil

    folder = tmp_path / "after-go-live"
    shutil.copytree(EXAMPLES / "bluestem-outdoor" / "statements" / "after-go-live", folder)
    target = sorted(folder.rglob("*.bai2"))[0]
    assert target.parent != folder
    before = target.read_bytes()
    result = CliRunner().invoke(
        cli,
        ["letter", str(EXAMPLES / "bluestem-outdoor"), "--actuals", str(folder),
         "--go-live", "2026-01-01", "-o", str(target), "--html"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert target.read_bytes() == before
