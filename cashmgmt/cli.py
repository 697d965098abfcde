"""The command line: a thin layer over the public Python API.

Every command that reads a case prints the located problems and exits with 2 when the
case is wrong; it never shows a traceback for bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

import cashmgmt
from cashmgmt.errors import CaseError
from cashmgmt.summary import CaseSummary, summarize

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


def _load(path: str) -> cashmgmt.Case:
    """Load a case, or print its problems and exit 2."""
    try:
        return cashmgmt.load_case(path)
    except CaseError as exc:
        count = len(exc.problems)
        click.echo(f"cashmgmt: {path}: {count} problem{'s' if count != 1 else ''}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _print_summary(s: CaseSummary) -> None:
    name = f"{s.client} ({s.local_name})" if s.local_name else s.client
    rows = [
        ("entities", f"{s.entities} in {len(s.countries)} countries ({', '.join(s.countries)})"),
        ("accounts", f"{s.accounts} at {len(s.banks)} banks"),
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
