"""The command line mirrors the API: each command prints what its function returns, with the
same defaults; bad input exits 2 with located problems (JSON too), usage errors exit 64."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from casekit import write_case
from click.testing import CliRunner

import cashmgmt
from cashmgmt.cli import EXIT_BAD_INPUT, EXIT_USAGE, cli
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LARKSPUR = str(EXAMPLES / "larkspur-bakery")
BLUESTEM = str(EXAMPLES / "bluestem-outdoor")


def run(*args: str) -> Any:
    """The command's JSON output (it must succeed)."""
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cycle_prints_run_cycle_with_the_same_default_date() -> None:
    case = cashmgmt.load_case(LARKSPUR)
    expected = cashmgmt.run_cycle(case).to_dict()
    assert run("cycle", LARKSPUR) == expected
    assert expected["on"] == (case.balances.end + timedelta(days=1)).isoformat()
    assert run("cycle", LARKSPUR, "--on", "2026-03-02")["on"] == "2026-03-02"


def test_phase_commands_print_their_functions() -> None:
    case = cashmgmt.load_case(BLUESTEM)
    designed = cashmgmt.design(case, cashmgmt.assess(case))
    assert run("design", BLUESTEM) == designed.to_dict()
    assert run("plan", BLUESTEM) == cashmgmt.plan(designed, case=case).to_dict()
    start = date(2026, 4, 6)
    planned = cashmgmt.plan(designed, start, case=case).to_dict()
    assert run("plan", BLUESTEM, "--date", "2026-04-06") == planned
    assert run("plan", BLUESTEM, "--start", "2026-04-06") == planned
    success = cashmgmt.celebrate(designed)
    assert success is not None
    assert run("celebrate", BLUESTEM) == success.to_dict()


def test_simulate_defaults_to_the_first_structure_as_the_function_does() -> None:
    case = cashmgmt.load_case(LARKSPUR)
    shifts = (-100, 100)  # the command always reports them (issue 12)
    assert run("simulate", LARKSPUR) == cashmgmt.simulate(case, shifts=shifts).to_dict()
    with pytest.raises(cashmgmt.SimulationError) as info:
        cashmgmt.simulate(case, "nope")
    assert info.value.problems[0].where == "structures"


def test_bad_input_exits_2_with_the_problems_as_json(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("version: 1\nclient: {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(tmp_path), "--json"])
    assert result.exit_code == EXIT_BAD_INPUT
    data = json.loads(result.output)
    assert data["source"] == str(tmp_path) and data["problems"]
    for problem in data["problems"]:
        assert set(problem) == {"file", "where", "message"} and problem["file"]
    text = CliRunner().invoke(cli, ["simulate", LARKSPUR, "--structure-id", "nope"])
    assert text.exit_code == EXIT_BAD_INPUT
    assert "structures: no structure 'nope'; expected one of: savings-sweep" in text.output


@pytest.mark.parametrize(
    "args", [["check", "--no-such-option", LARKSPUR], ["simulate"], ["no-such-command"]]
)
def test_usage_errors_exit_64_not_2(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_USAGE, result.output


def test_every_command_has_help() -> None:
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, name


def test_dash_writes_the_document_to_standard_output() -> None:
    result = CliRunner().invoke(cli, ["letter", LARKSPUR, "-o", "-", "--html"])
    assert result.exit_code == 0, result.output
    letter = cashmgmt.letter(cashmgmt.load_case(LARKSPUR))
    assert result.stdout_bytes == letter.html().encode("utf-8")


def test_save_writes_a_case_that_loads_equal_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "copy"
    assert CliRunner().invoke(cli, ["save", LARKSPUR, str(target)]).exit_code == 0
    assert cashmgmt.load_case(target) == cashmgmt.load_case(LARKSPUR)
    again = CliRunner().invoke(cli, ["save", LARKSPUR, str(target)])
    assert again.exit_code == EXIT_BAD_INPUT and "never overwrites" in again.output


def test_simulate_shows_no_yearly_figure_for_a_short_history(tmp_path: Path) -> None:
    short = CliRunner().invoke(cli, ["simulate", str(write_case(tmp_path / "short"))])
    assert short.exit_code == 0, short.output
    assert f"not shown, 6 days are fewer than {MIN_HISTORY_DAYS}" in short.output
    long = CliRunner().invoke(cli, ["simulate", LARKSPUR])
    assert "benefit per year" in long.output and "not shown" not in long.output


def test_a_document_command_reads_the_theme_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cashmgmt.documents
    import cashmgmt.render.theme

    calls: list[object] = []
    original = cashmgmt.render.theme.load_theme

    def counted(name_or_path: Any = "default") -> Any:
        calls.append(name_or_path)
        return original(name_or_path)

    monkeypatch.setattr(cashmgmt.render.theme, "load_theme", counted)
    monkeypatch.setattr(cashmgmt.documents, "load_theme", counted)
    target = tmp_path / "letter.html"
    result = CliRunner().invoke(cli, ["letter", LARKSPUR, "-o", str(target), "--html"])
    assert result.exit_code == 0, result.output
    # each theme file is read once: the shipped profiles until the proposing bank's
    assert len(calls) == len(set(calls)) and calls[-1] == "hsbc-uk"
    calls.clear()
    given = ["letter", LARKSPUR, "-o", str(target), "--html", "--theme", "default"]
    assert CliRunner().invoke(cli, given).exit_code == 0
    assert calls == ["default"]
