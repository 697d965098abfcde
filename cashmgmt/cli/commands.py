"""The click commands, each a thin layer over the public function of the same name."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

import cashmgmt

if TYPE_CHECKING:
    from cashmgmt.cycle.design import Design
    from cashmgmt.errors import Problem
    from cashmgmt.model import Case
    from cashmgmt.render.brief import Brief
    from cashmgmt.render.letter import Letter
    from cashmgmt.render.proposal import Proposal
    from cashmgmt.render.review_report import ReviewReport

T = TypeVar("T")
EXIT_INTERNAL = 1  # a bug: one line, no traceback unless CASHMGMT_DEBUG is set
EXIT_BAD_INPUT = 2  # the input is wrong: every problem, located
EXIT_USAGE = 64  # the command line is wrong (BSD sysexits' EX_USAGE)


class Commands(click.Group):
    """The command group; a usage error exits with EXIT_USAGE, apart from bad input's 2."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            setattr(exc, "exit_code", EXIT_USAGE)  # noqa: B010 - click reads it per instance
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            setattr(exc, "exit_code", EXIT_USAGE)  # noqa: B010 - click reads it per instance
            raise


def fail(source: str, problems: Iterable[Problem], as_json: bool = False) -> None:
    """Print the problems one way (or as JSON on standard output) and exit 2."""
    from cashmgmt.errors import count_problems, plural

    problems = tuple(problems)
    if as_json:
        data = [{"file": p.file, "where": p.where, "message": p.message} for p in problems]
        click.echo(json.dumps({"source": source, "problems": data}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"cashmgmt: {source}: {plural(count_problems(problems), 'problem')}", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def guarded(source: str, step: Callable[[], T], as_json: bool = False) -> T:
    """Run a step; bad input it finds (any cashmgmt.Error) ends in its problems and exit 2."""
    try:
        return step()
    except cashmgmt.Error as exc:
        fail(source, exc.problems, as_json)
        raise  # unreachable: fail exits


def load(path: str, as_json: bool = False) -> Case:
    """Load a case, or print its problems and exit 2."""
    return guarded(path, lambda: cashmgmt.load_case(path), as_json)


def echo_json(data: object) -> None:
    """JSON on standard output, non-ASCII text kept as it is."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def as_date(value: datetime | None) -> date | None:
    """A click date option as a date (None stays None: the function's own default)."""
    return value.date() if value is not None else None


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
case_argument = click.argument("case", type=click.Path())
DATE = click.DateTime(["%Y-%m-%d"])
on_option = click.option(
    "--on",
    "--date",
    "on",
    type=DATE,
    help="The date the run is as of (default: the day after the balance history ends).",
)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cashmgmt", prog_name="cashmgmt")
def cli() -> None:
    """Design cash-management structures for corporate groups and propose them."""


@cli.command()
@case_argument
@json_option
def check(case: str, as_json: bool) -> None:
    """Load and check a case (load_case), and summarise it, or list its problems."""
    from cashmgmt.cli import text

    summary = cashmgmt.summarize(load(case, as_json))
    echo_json(summary.to_dict()) if as_json else text.summary(summary)


@cli.command()
@case_argument
@click.argument("folder", type=click.Path())
def save(case: str, folder: str) -> None:
    """Load a case and write it as a new case folder (save_case); never overwrites."""
    loaded = load(case)
    label = folder or '""'
    try:
        written = guarded(label, lambda: cashmgmt.save_case(loaded, folder))
    except FileExistsError:
        from cashmgmt.errors import Problem

        expected = "expected a new or empty folder (cashmgmt never overwrites a case)"
        fail(label, [Problem(label, "", expected)])
    click.echo(f"{written}: saved")


@cli.command("statements")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--case",
    "case_path",
    type=click.Path(),
    help="Match the accounts to this case's by IBAN or number, and compare currencies.",
)
@json_option
def statements_command(paths: tuple[str, ...], case_path: str | None, as_json: bool) -> None:
    """Read and check bank statements (files or folders): per account its daily closing
    balances, and every problem found (exit 2)."""
    from cashmgmt.cli import text

    case = load(case_path, as_json) if case_path is not None else None
    checked = cashmgmt.statements(paths, case)
    echo_json(checked.to_dict()) if as_json else text.statements(checked)
    if checked.problems:
        if as_json:
            sys.exit(EXIT_BAD_INPUT)
        fail(paths[0] if len(paths) == 1 else f"{len(paths)} paths", checked.problems)


@cli.command()
@case_argument
@click.option(
    "--structure-id",
    "--structure",
    "structure_id",
    help="The structure's id (default: the case's first).",
)
@json_option
def simulate(case: str, structure_id: str | None, as_json: bool) -> None:
    """Replay the case's balance history through a structure, beside the status quo."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    from cashmgmt.engine.sensitivity import DEFAULT_SHIFTS

    result = guarded(
        case, lambda: cashmgmt.simulate(loaded, structure_id, shifts=DEFAULT_SHIFTS), as_json
    )
    echo_json(result.to_dict()) if as_json else text.simulation(result)


def review_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `review` and `review-report` share: which structure, which statements,
    from which day."""
    for option in reversed(
        (
            click.option(
                "--structure",
                "structure_id",
                required=True,
                help="The structure reviewed: its id, or `solution` for the design's solution.",
            ),
            click.option(
                "--actuals",
                "actuals",
                required=True,
                multiple=True,
                type=click.Path(),
                help="Bank statements after go-live: files or folders (camt.053/052, MT940, BAI2).",
            ),
            click.option(
                "--go-live", "go_live", required=True, type=DATE, help="The structure's first day."
            ),
        )
    ):
        command = option(command)
    return command


@cli.command("review")
@case_argument
@review_options
@json_option
def review_command(
    case: str, structure_id: str, actuals: tuple[str, ...], go_live: datetime, as_json: bool
) -> None:
    """Review a structure after go-live (review): realised against the status quo rebuilt
    from the statements, the projection on the same days and the design's promise."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(
        case,
        lambda: cashmgmt.review(loaded, structure_id, list(actuals), go_live=go_live.date()),
        as_json,
    )
    echo_json(result.to_dict()) if as_json else text.review(result)


@cli.command("assess")
@case_argument
@json_option
def assess_command(case: str, as_json: bool) -> None:
    """Assess a client (assess): segment and coverage, diagnostics, needs in six areas."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(case, lambda: cashmgmt.assess(loaded), as_json)
    echo_json(result.to_dict()) if as_json else text.assessment(result)


def designed(case: Case) -> Design:
    """The design phase after assess, the two sharing one Replay (the status quo once)."""
    replay = cashmgmt.Replay(case)
    return cashmgmt.design(case, cashmgmt.assess(case, replay=replay), replay=replay)


@cli.command("design")
@case_argument
@json_option
def design_command(case: str, as_json: bool) -> None:
    """Design (design, after assess): candidates checked, simulated and ranked; a
    recommendation and a product bundle."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(case, lambda: designed(loaded), as_json)
    echo_json(result.to_dict()) if as_json else text.design(result, loaded)


@cli.command("plan")
@case_argument
@click.option(
    "--on",
    "--date",
    "--start",
    "start",
    type=DATE,
    help="The proposal date the plan starts from (default: the day after the balance "
    "history ends, as for cycle).",
)
@json_option
def plan_command(case: str, start: datetime | None, as_json: bool) -> None:
    """Plan the implementation (plan, after assess and design): tasks, owners, timeline."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(
        case, lambda: cashmgmt.plan(designed(loaded), as_date(start), case=loaded), as_json
    )
    echo_json(result.to_dict()) if as_json else text.plan(result)


@cli.command("celebrate")
@case_argument
@json_option
def celebrate_command(case: str, as_json: bool) -> None:
    """The success summary (celebrate, after assess and design): the expected figures."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(case, lambda: cashmgmt.celebrate(designed(loaded)), as_json)
    if as_json:
        echo_json(result.to_dict() if result is not None else None)
    else:
        text.success(result, loaded.base_currency)


@cli.command("cycle")
@case_argument
@on_option
@json_option
def cycle_command(case: str, on: datetime | None, as_json: bool) -> None:
    """Run the whole process (run_cycle): assess, design, plan and celebrate."""
    from cashmgmt.cli import text

    loaded = load(case, as_json)
    result = guarded(case, lambda: cashmgmt.run_cycle(loaded, on=as_date(on)), as_json)
    echo_json(result.to_dict()) if as_json else text.cycle(result)


def document_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every document command takes, named as the functions' arguments."""
    for option in reversed(
        [
            case_argument,
            click.option(
                "-o",
                "--output",
                type=click.Path(allow_dash=True),
                required=True,
                help="The PDF (or HTML) file; - for standard output.",
            ),
            click.option("--html", "as_html", is_flag=True, help="Write HTML instead of PDF."),
            click.option(
                "--language",
                "--lang",
                "language",
                type=click.Choice(["en", "zh-CN"]),
                help="Default: the client's.",
            ),
            click.option(
                "--theme",
                default=None,
                help="A theme name or a theme YAML file. Default: the shipped profile of the "
                "case's proposing bank, else the default theme with the bank's name.",
            ),
            on_option,
        ]
    ):
        command = option(command)
    return command


def write_document(
    case: str,
    output: str,
    as_html: bool,
    language: str | None,
    theme: str | None,
    on: datetime | None,
    make: Callable[..., Proposal | Letter | Brief | ReviewReport],
    read: tuple[str, ...] = (),
) -> None:
    """Run the cycle, render one document and write it atomically: never over one of the
    run's input files (the case file, its tables, the theme and its logo), never at a
    folder, a device or a pipe; a bad output path is refused before the run."""
    from cashmgmt.documents import case_theme
    from cashmgmt.files import check_output, write_output
    from cashmgmt.render.theme import shipped_theme_files

    to_stdout = output == "-"
    label = output or '""'
    if not to_stdout:
        guarded(label, lambda: check_output(output))
    loaded = load(case)
    bank = guarded(theme or case, lambda: case_theme(loaded, theme))
    inputs = [*loaded.inputs, *map(str, bank.files), *map(str, shipped_theme_files()), *read]
    if not to_stdout:
        guarded(label, lambda: check_output(output, inputs))
    document = guarded(case, lambda: make(loaded, language=language, theme=bank, on=as_date(on)))
    data = guarded(case, lambda: document.html().encode("utf-8") if as_html else document.pdf())
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    guarded(label, lambda: write_output(output, data, inputs))
    kind = "HTML" if as_html else "PDF"
    click.echo(f"{output}: {len(data):,} bytes ({document.language}, {kind})")


@cli.command("propose")
@document_options
def propose_command(**options: Any) -> None:
    """Run the cycle and write the tailored proposal (propose), as PDF or HTML."""
    write_document(**options, make=cashmgmt.propose)


@cli.command("brief")
@document_options
def brief_command(**options: Any) -> None:
    """Run the cycle and write the internal RM brief (segment, coverage, bank economics)."""
    write_document(**options, make=cashmgmt.brief)


def statement_files(actuals: tuple[str, ...]) -> tuple[str, ...]:
    """The statement files a document reads (a folder's, its subfolders' too, as the review
    reads them), never to be written over."""
    from cashmgmt.inputs.statements.checks import statement_files as files_in

    return tuple(str(path) for path in files_in(actuals)[0])


@cli.command("letter")
@document_options
@click.option(
    "--actuals",
    "actuals",
    multiple=True,
    type=click.Path(),
    help="Bank statements after go-live (files or folders): the letter states the benefit "
    "realised over them.",
)
@click.option("--go-live", "go_live", type=DATE, help="The structure's first day (with --actuals).")
@click.option(
    "--structure",
    "structure_id",
    default="solution",
    show_default=True,
    help="The structure reviewed (with --actuals): its id, or `solution`.",
)
def letter_command(
    actuals: tuple[str, ...], go_live: datetime | None, structure_id: str, **options: Any
) -> None:
    """Run the cycle and write the thank-you letter for the mandate (with --actuals: the
    benefit realised after go-live, from the bank statements)."""
    if not actuals:
        write_document(**options, make=cashmgmt.letter)
        return
    if go_live is None:
        raise click.UsageError("--actuals needs --go-live")
    start = go_live.date()

    def make(case: Case, **given: Any) -> Letter:
        reviewed = cashmgmt.review(case, structure_id, list(actuals), go_live=start)
        return cashmgmt.letter(case, **given, review=reviewed)

    write_document(**options, make=make, read=statement_files(actuals))


@cli.command("review-report")
@document_options
@review_options
def review_report_command(
    structure_id: str, actuals: tuple[str, ...], go_live: datetime, **options: Any
) -> None:
    """Review a structure after go-live and write the client's review report, as PDF or
    HTML: realised against the status quo, the projection and the proposal's promise."""
    start = go_live.date()

    def make(case: Case, **given: Any) -> ReviewReport:
        return cashmgmt.review_report(case, structure_id, list(actuals), go_live=start, **given)

    write_document(**options, make=make, read=statement_files(actuals))


@cli.command("portfolio")
@click.argument("book", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    required=True,
    help="The folder the run writes in: its journal (cases.jsonl, resumed when run again) "
    "and portfolio.json.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 1024),
    default=None,
    help="Worker processes on this machine (default: one per core).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (cashmgmt[dask]).",
)
@json_option
def portfolio_command(
    book: str, output: str, workers: int | None, scheduler: str | None, as_json: bool
) -> None:
    """Run a bank's book (portfolio): each case loaded, assessed and designed, one row a
    case; a case with problems is a row, never the end of the run."""
    result = guarded(
        book,
        lambda: cashmgmt.portfolio(book, out=output, workers=workers, scheduler=scheduler),
        as_json,
    )
    written = _portfolio_outputs(result, output)
    if as_json:
        echo_json(result.to_dict())
        return
    rows = result.rows
    failed = sum(row.status != "ok" for row in rows)
    run = result.run
    click.echo(
        f"{output}: {len(rows):,} cases ({failed:,} with problems), {run.ran:,} run now and "
        f"{run.resumed:,} resumed, on {run.workers} worker{'s' if run.workers != 1 else ''} "
        f"in {run.seconds:.1f} s"
    )
    for row in rows:
        if row.status != "ok":
            click.echo(f"  {row.case}: {row.problems[0] if row.problems else 'problems'}")
    click.echo("written: " + ", ".join(str(path) for path in written))


def _portfolio_outputs(result: Any, output: str) -> list[Path]:
    """What the department reads beside portfolio.json: the workbook (one sheet per view)
    and the summary as HTML and PDF, each written atomically in the output folder."""
    from cashmgmt.files import write_output
    from cashmgmt.render.portfolio_summary import PortfolioSummary
    from cashmgmt.render.portfolio_workbook import write_workbook

    folder = Path(output)
    summary = result.summary()
    document = PortfolioSummary(summary)
    html = document.html()
    return [
        write_workbook(summary, folder / "portfolio.xlsx"),
        write_output(folder / "portfolio-summary.html", html.encode("utf-8"), ()),
        write_output(folder / "portfolio-summary.pdf", document.pdf(), ()),
    ]


class Interrupted(SystemExit):
    """The process was told to stop (SIGTERM, SIGHUP): raised where it runs, so every
    `finally` and `except BaseException` cleans up (an atomic write removes its temporary
    file) before the exit, with the shell's code for a signal (128 + its number)."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        super().__init__(128 + signum)


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def exit_on_signals() -> None:
    """Turn SIGTERM (and SIGHUP where it exists) into Interrupted, in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)


def main() -> None:
    """Entry point: run the CLI; an unexpected error is reported in one line, not a trace;
    a stop signal ends the run cleanly (nothing half-written is left behind)."""
    exit_on_signals()
    try:
        cli(prog_name="cashmgmt")
    except Interrupted as stop:
        click.echo(f"cashmgmt: stopped by {stop.signal_name}", err=True)
        raise
    except Exception as exc:  # pragma: no cover - last resort, the traceback is a bug
        if os.environ.get("CASHMGMT_DEBUG"):
            raise
        click.echo(f"cashmgmt: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  (set CASHMGMT_DEBUG=1 to see the traceback, and please report it)", err=True)
        sys.exit(EXIT_INTERNAL)
