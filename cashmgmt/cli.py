"""The command line: a thin layer over the public Python API.

Every command that reads a case prints the located problems and exits with 2 when the
case is wrong; it never shows a traceback for bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

import cashmgmt
from cashmgmt.errors import CaseError, Error, count_problems, plural
from cashmgmt.files import write_atomic
from cashmgmt.summary import CaseSummary, summarize

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


def _load(path: str) -> cashmgmt.Case:
    """Load a case, or print its problems and exit 2."""
    try:
        return cashmgmt.load_case(path)
    except CaseError as exc:
        click.echo(f"cashmgmt: {path}: {plural(count_problems(exc.problems), 'problem')}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _print_summary(s: CaseSummary) -> None:
    name = f"{s.client} ({s.local_name})" if s.local_name else s.client
    rows = [
        (
            "entities",
            f"{s.entities} in {plural(len(s.countries), 'country')} ({', '.join(s.countries)})",
        ),
        ("accounts", f"{s.accounts} at {plural(len(s.banks), 'bank')}"),
        ("currencies", ", ".join(f"{code} {n}" for code, n in s.currencies)),
        ("base", s.base_currency),
        ("banks", "; ".join(f"{bank} {n}" for bank, n in s.banks)),
        ("balances", f"{s.start} to {s.end} ({s.days} days)"),
        ("language", s.language),
    ]
    rows += [
        ("structure", f"{st.id}: {st.kind}, {st.accounts} accounts, {st.name}")
        for st in s.structures
    ]
    click.echo(f"{name}: case OK")
    for label, value in rows:
        click.echo(f"  {label:<11}{value}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(cashmgmt.__version__, prog_name="cashmgmt")
def cli() -> None:
    """Design cash-management structures for corporate groups and propose them."""


@cli.command()
@click.argument("case", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def check(case: str, as_json: bool) -> None:
    """Check a case folder (or its case.yaml) and summarise it, or list its problems."""
    summary = summarize(_load(case))
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)


def _print_simulation(r: cashmgmt.SimulationResult) -> None:
    c = r.currency

    def row(label: str, before: object, after: object) -> None:
        def cell(v: object) -> str:
            return "" if v == "" else (f"{v:,} {c}" if not isinstance(v, int) else str(v))

        click.echo(f"  {label:<24}{cell(before):>22}{cell(after):>22}")

    click.echo(f"{r.name} ({r.structure_id}, {r.kind}): {r.start} to {r.end}, {r.days} days")
    click.echo(f"  {'':<24}{'status quo':>22}{'with structure':>22}")
    row("interest received", r.baseline.credit, r.structure.credit)
    row("interest paid", -r.baseline.debit, -r.structure.debit)
    row("penalty interest paid", -r.baseline.penalty, -r.structure.penalty)
    row("net interest", r.baseline.net, r.structure.net)
    row("peak debit", r.baseline_liquidity.peak_debit, r.structure_liquidity.peak_debit)
    row(
        "average idle credit",
        r.baseline_liquidity.average_idle_credit,
        r.structure_liquidity.average_idle_credit,
    )
    row(
        "days with an overdraft",
        r.baseline_liquidity.overdraft_days,
        r.structure_liquidity.overdraft_days,
    )
    row(f"fees ({r.fees.sweeps} sweeps)", "", -r.fees.total)
    row("benefit for the period", "", r.benefit)
    row("benefit per year", "", r.benefit_annual)
    if r.intercompany:
        click.echo("  intercompany positions at the end:")
        for p in r.intercompany:
            click.echo(
                f"    {p.lender} lends {p.borrower} {p.closing_position_local:,} {p.currency} "
                f"(peak {p.peak_local:,}), interest {p.interest:,} {c}"
            )


@cli.command()
@click.argument("case", type=click.Path())
@click.option("--structure", "structure_id", help="The structure's id (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def simulate(case: str, structure_id: str | None, as_json: bool) -> None:
    """Replay the case's balance history through a structure and compare with the status quo."""
    loaded = _load(case)
    if not loaded.structures:
        click.echo(f"cashmgmt: {case}: the case has no structures to simulate", err=True)
        sys.exit(EXIT_BAD_INPUT)
    chosen = structure_id or loaded.structures[0].id
    if chosen not in {s.id for s in loaded.structures}:
        known = ", ".join(s.id for s in loaded.structures)
        click.echo(f"cashmgmt: {case}: no structure {chosen!r}; expected one of: {known}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    result = _cycle(lambda: cashmgmt.simulate(loaded, chosen))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_simulation(result)


T = TypeVar("T")


def _cycle(step: Callable[[], T]) -> T:
    """Run a phase of the cycle; a problem it finds in the case ends in exit 2, located."""
    try:
        return step()
    except Error as exc:
        for problem in exc.problems:
            click.echo(f"cashmgmt: {problem}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command("assess")
@click.argument("case", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def assess_command(case: str, as_json: bool) -> None:
    """Assess a client: segment and coverage, diagnostics, needs across the six areas."""
    result = _cycle(lambda: cashmgmt.assess(_load(case)))
    if as_json:
        _echo_json(result.to_dict())
        return
    c, d = result.coverage, result.diagnostics
    click.echo(
        f"{result.client}: {c.segment} client (revenue {c.revenue_usd:,} USD at "
        f"{c.usd_rate} per USD, {c.rate_source})"
    )
    click.echo(f"  coverage   {c.team}; {c.channel}")
    click.echo(
        f"  group      {plural(d.entities, 'entity')}, {plural(d.accounts, 'account')}, "
        f"{plural(d.banks, 'bank')}, {', '.join(d.currencies)}, {', '.join(d.countries)}"
    )
    code = d.currency
    for label, value in (
        ("average credit", d.average_credit),
        ("idle outside top", d.average_idle_credit),
        ("average debit", d.average_debit),
        ("peak debit", d.peak_debit),
        ("debit interest/yr", d.debit_interest_per_year),
        ("netting gap/yr", d.netting_gap_per_year),
    ):
        click.echo(f"  {label:<18}{value:>22,} {code}")
    if d.share_at_bank is not None:
        click.echo(
            f"  at {d.proposing_bank}: {d.share_at_bank:.1%} of balances; "
            f"{plural(d.accounts_elsewhere, 'account')} elsewhere"
        )
    click.echo("  needs:")
    for need in result.needs:
        click.echo(f"    {need.area:<22}{need.score:>4}  {need.reason}")


@cli.command("design")
@click.argument("case", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the design as JSON.")
def design_command(case: str, as_json: bool) -> None:
    """Generate and check candidate structures, simulate them, recommend one and a bundle."""
    loaded = _load(case)
    result = _cycle(lambda: cashmgmt.design(loaded, cashmgmt.assess(loaded)))
    if as_json:
        _echo_json(result.to_dict())
        return
    code = loaded.base_currency
    click.echo(
        f"{len(result.candidates)} candidates for {loaded.client.name} (benefit per year, {code}):"
    )
    for c in result.candidates:
        mark = "*" if c.id == result.recommended else " "
        figure = f"{c.benefit_annual:>16,}" if c.benefit_annual is not None else f"{'-':>16}"
        state = "" if c.feasible else "  INFEASIBLE"
        approvals = f"  approval: {', '.join(c.approvals)}" if c.approvals else ""
        click.echo(f" {mark} {c.id:<28}{c.structure.kind:<10}{figure}{state}{approvals}")
        if not c.feasible:
            for reason in c.reasons:
                click.echo(f"      {reason}")
    click.echo(f"recommended: {result.recommended or 'none'}")
    for reason in result.reasons:
        click.echo(f"  {reason}")
    click.echo("bundle: " + ", ".join(b.product for b in result.bundle))
    click.echo("channels: " + ", ".join(result.channels))


def _case_inputs(case: str) -> set[Path]:
    """The files a case folder is read from (outputs must never replace them)."""
    folder = Path(case) if Path(case).is_dir() else Path(case).parent
    return {p.resolve() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def _document_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every document command takes."""
    for option in reversed(
        [
            click.argument("case", type=click.Path()),
            click.option(
                "-o", "--output", type=click.Path(), required=True, help="The PDF (or HTML) file."
            ),
            click.option("--html", "as_html", is_flag=True, help="Write HTML instead of PDF."),
            click.option(
                "--lang", type=click.Choice(["en", "zh-CN"]), help="Default: the client's."
            ),
            click.option("--theme", default="default", help="A theme name or a theme YAML file."),
            click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Default: today."),
        ]
    ):
        command = option(command)
    return command


def _write_document(
    case: str,
    output: str,
    as_html: bool,
    lang: str | None,
    theme: str,
    on: datetime | None,
    make: Callable[..., cashmgmt.Proposal | cashmgmt.Letter],
) -> None:
    """Run the cycle, render one document and write it atomically (never over an input)."""
    target = Path(output)
    if target.resolve() in _case_inputs(case):
        click.echo(
            f"cashmgmt: {output}: is one of the case's input files; choose another output", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    loaded = _load(case)
    document = _cycle(
        lambda: make(loaded, language=lang, theme=theme, on=(on.date() if on else date.today()))
    )
    data = document.html().encode("utf-8") if as_html else document.pdf()
    write_atomic(target, data)
    click.echo(
        f"{target}: {len(data):,} bytes ({document.language}, {'HTML' if as_html else 'PDF'})"
    )


@cli.command("propose")
@_document_options
def propose_command(**options: Any) -> None:
    """Assess, design and plan a case, and write the tailored proposal (PDF or HTML)."""
    _write_document(**options, make=cashmgmt.propose)


@cli.command("letter")
@_document_options
def letter_command(**options: Any) -> None:
    """Write the thank-you letter with the delivered figures (the celebrate phase)."""
    _write_document(**options, make=cashmgmt.letter)


def main() -> None:
    """Entry point: run the CLI; an unexpected error is reported in one line, not a trace."""
    try:
        cli(standalone_mode=True)
    except Exception as exc:  # pragma: no cover - last resort, the traceback is a bug
        if os.environ.get("CASHMGMT_DEBUG"):
            raise
        click.echo(f"cashmgmt: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  (set CASHMGMT_DEBUG=1 to see the traceback, and please report it)", err=True)
        sys.exit(1)
