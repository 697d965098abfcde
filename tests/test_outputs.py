"""Outputs never touch inputs: a document or a saved case is never written over a file the run
reads (wherever it lies, through any link), nor at a folder, a device, a pipe or a socket; a
path it cannot write is one located problem (exit 2); an interrupted write leaves nothing."""

from __future__ import annotations

import copy
import errno
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from casekit import BASE_CASE, MONTH_BALANCES, write_case
from click.testing import CliRunner

import cashmgmt
from cashmgmt import files
from cashmgmt.cli import EXIT_BAD_INPUT, cli
from cashmgmt.errors import OutputError, Problem

ROOT = Path(__file__).resolve().parent.parent
LARKSPUR = ROOT / "examples" / "larkspur-bakery"
COLOURS = "colours: {primary: '#0B3D91', accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\n"


def nested_case(folder: Path) -> Path:
    """A case whose tables sit in a subfolder (data/balances.csv, data/fx.csv)."""
    data = copy.deepcopy(BASE_CASE)
    data["balances"], data["fx_rates"] = "data/balances.csv", "data/fx.csv"
    write_case(folder, data, balances=MONTH_BALANCES)
    (folder / "data").mkdir()
    for name in ("balances.csv", "fx.csv"):
        (folder / name).rename(folder / "data" / name)
    return folder


def theme_with_logo(folder: Path) -> Path:
    folder.mkdir()
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n")
    theme = folder / "bank.yaml"
    theme.write_text("name: Bank\n" + COLOURS + "logo: logo.png\n", encoding="utf-8")
    return theme


def propose(case: Path, output: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["propose", str(case), "-o", output, "--html", *extra])
    return result.exit_code, result.output


def refusal(path: str | Path, inputs: tuple[str | Path, ...] = ()) -> Problem:
    """The one problem check_output finds with `path`."""
    with pytest.raises(OutputError) as info:
        files.check_output(path, inputs)
    (problem,) = info.value.problems
    assert problem.where == "" and problem.message.startswith("expected ")
    return problem


def test_the_loader_records_every_input_file(tmp_path: Path) -> None:
    case = cashmgmt.load_case(nested_case(tmp_path / "case"))
    folder = tmp_path / "case"
    assert case.inputs == tuple(
        str(folder / name) for name in ("case.yaml", "data/balances.csv", "data/fx.csv")
    )
    assert case == cashmgmt.load_case(folder)  # inputs are not part of a case's value


def test_no_input_is_ever_replaced_wherever_it_lies(tmp_path: Path) -> None:
    case = nested_case(tmp_path / "case")
    theme = theme_with_logo(tmp_path / "brand")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "link.csv").symlink_to(case / "data" / "balances.csv")
    os.link(case / "data" / "fx.csv", outside / "hard.csv")
    targets = [
        case / "case.yaml",
        case / "data" / "balances.csv",
        case / "data" / "fx.csv",
        outside / "link.csv",  # a symbolic link to an input
        outside / "hard.csv",  # a hard link to an input
        theme,
        theme.parent / "logo.png",
        case / "data" / ".." / "case.yaml",
    ]
    before = {p: p.read_bytes() for p in targets}
    for target in targets:
        code, output = propose(case, str(target), "--theme", str(theme))
        assert code == EXIT_BAD_INPUT, output
        assert f"{target}: expected an output apart from the run's input files" in output
    assert {p: p.read_bytes() for p in targets} == before
    code, output = propose(case, str(case / "data" / "proposal.html"), "--theme", str(theme))
    assert code == 0, output  # beside the inputs is fine


def test_the_shipped_theme_is_an_input_too() -> None:
    from cashmgmt.render.theme import templates_dir

    default = templates_dir() / "themes" / "default.yaml"
    before = default.read_bytes()
    code, output = propose(LARKSPUR, str(default))
    assert code == EXIT_BAD_INPUT and "input files" in output
    assert default.read_bytes() == before


def test_every_shipped_profile_is_an_input_of_a_document_run() -> None:
    """Issue 14: the case's proposing bank selects a shipped profile, so a run may read any
    of them; none may be overwritten, not even one this case does not select (a first
    version checked only the selected one, and a test run overwrote default.yaml)."""
    from cashmgmt.render.theme import shipped_theme_files

    for theme in shipped_theme_files():
        before = theme.read_bytes()
        code, output = propose(LARKSPUR, str(theme))
        assert code == EXIT_BAD_INPUT and "input files" in output, theme.name
        assert theme.read_bytes() == before


def test_outputs_that_are_not_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    short = Path("/tmp") / f"cashmgmt-test-{os.getpid()}.sock"  # AF_UNIX paths are short
    sock.bind(str(short))
    try:
        assert "found a socket" in refusal(short).message
    finally:
        sock.close()
        short.unlink()
    assert refusal(tmp_path).message == "expected a file for the output, found a folder"
    assert "found a named pipe (FIFO)" in refusal(fifo).message
    assert refusal(os.devnull).message == "expected a regular file for the output, found a device"
    assert refusal("").message == "expected a file path for the output, got an empty one"
    assert refusal(f"{tmp_path}/").message.endswith("got a folder's")
    assert "folder" in refusal(f"{tmp_path}/.").message


def test_paths_that_cannot_be_written_are_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for under in ("file/out.pdf", "file/deeper/out.pdf"):
        problem = refusal(tmp_path / under)
        assert problem.message == f"expected a folder at {tmp_path / 'file'}, found a file"
    problem = refusal(tmp_path / ("x" * 300 + ".pdf"))
    assert problem.message == "expected a file name of at most 255 bytes, got 304"
    assert files.check_output(tmp_path / "new" / "folders" / "out.pdf") is not None


def test_an_unwritable_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real(p, mode) and Path(p) != folder)
    problem = refusal(folder / "out.pdf")
    assert problem.message == f"expected a folder cashmgmt may write in; {folder} is not writable"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_folder_is_refused_by_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, output = propose(LARKSPUR, str(folder / "p.html"))
    finally:
        folder.chmod(0o700)
    assert code == EXIT_BAD_INPUT and "is not writable" in output


def test_the_cli_refuses_bad_outputs_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for output in ("", str(tmp_path), str(LARKSPUR), str(fifo), str(tmp_path / "file" / "p")):
        code, text = propose(LARKSPUR, output)
        assert code == EXIT_BAD_INPUT, text
        assert ": expected " in text and "Error" not in text
    code, text = propose(LARKSPUR, str(tmp_path / ("x" * 300)))
    assert code == EXIT_BAD_INPUT and "at most 255 bytes" in text
    assert not fifo.is_file()


def test_a_failed_write_is_located_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "out.pdf"
    with pytest.raises(OutputError) as info:
        files.write_output(target, b"data")
    (problem,) = info.value.problems
    assert problem == Problem(
        str(target),
        "",
        "expected a path cashmgmt can write; writing failed (No space left on device)",
    )
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_the_case_folder_and_folders_holding_it(tmp_path: Path) -> None:
    folder = nested_case(tmp_path / "group" / "case")
    case = cashmgmt.load_case(folder)
    for target in (folder, folder / "data", tmp_path / "group", tmp_path):
        with pytest.raises(OutputError) as info:
            cashmgmt.save_case(case, target)
        (problem,) = info.value.problems
        assert problem.file == str(target)
        assert problem.message.startswith("expected a folder apart from the case's own")
    (tmp_path / "file").write_text("x")
    for target, says in [
        (tmp_path / "file", "expected a folder, found a file"),
        (tmp_path / "file" / "sub", f"expected a folder at {tmp_path / 'file'}, found a file"),
    ]:
        with pytest.raises(OutputError) as info:
            cashmgmt.save_case(case, target)
        assert info.value.problems[0].message == says
    result = CliRunner().invoke(cli, ["save", str(folder), ""])
    assert result.exit_code == EXIT_BAD_INPUT and "expected a folder path" in result.output
    result = CliRunner().invoke(cli, ["save", str(folder), str(tmp_path / "group")])
    assert result.exit_code == EXIT_BAD_INPUT and "apart from the case's own" in result.output
    assert cashmgmt.load_case(cashmgmt.save_case(case, tmp_path / "copy")) == case


CHILD = textwrap.dedent(
    """
    import os, sys, time

    def slow_fsync(fd):  # the document is written; the run is stopped before the rename
        print("writing", flush=True)
        time.sleep(60)

    os.fsync = slow_fsync
    sys.argv = ["cashmgmt", "letter", sys.argv[1], "-o", sys.argv[2], "--html"]
    from cashmgmt.cli import main
    main()
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_run_stopped_mid_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out" / "letter.html"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(LARKSPUR), str(out)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        assert next(out.parent.iterdir()).name.startswith(".letter.html.")
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 128 + signum, stderr
    assert f"stopped by {signal.Signals(signum).name}" in stderr
    assert list(out.parent.iterdir()) == []
