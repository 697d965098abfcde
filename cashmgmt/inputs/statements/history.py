"""Statements as a case's balance history: `balances:` naming a folder of bank statements.

The folder's statements are read and checked against the case's accounts (checks.py), then
laid out as the balance table's figures would be: a day a statement covers is a figure, a
day none covers carries the last figure forward, and the table's rules hold (every account
from the first day, no run of MAX_GAP_DAYS days without a figure, every account of the case
and no other), with the same kind of located problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cashmgmt.errors import MISSING, Missing, Problem
from cashmgmt.inputs.limits import MAX_GAP_DAYS
from cashmgmt.inputs.statements import StatementReader
from cashmgmt.inputs.statements.checks import CheckedAccount, check_accounts, read_paths
from cashmgmt.model import Account, BalanceHistory
from cashmgmt.money import MAX_MINOR

__all__ = ["read_history"]


def read_history(
    folder: Path, accounts: Sequence[Account], readers: Sequence[StatementReader] | None = None
) -> tuple[BalanceHistory | Missing, list[Problem], list[Path]]:
    """The balance history the statements in `folder` give the case's `accounts`, the
    problems found (MISSING with them) and the files read (inputs no output may replace)."""
    read = read_paths([folder], readers)
    files = sorted({Path(s.file) for s in read.statements})
    checked = check_accounts(read, accounts)
    problems = list(checked.problems)
    label = str(folder)
    found = {a.case_account: a for a in checked.accounts if a.case_account is not None}
    for account in accounts:
        if account.id not in found:
            if account.number:
                message = (
                    f"expected statements for this account (number {account.number}); "
                    "the folder has none"
                )
            else:
                message = (
                    "expected statements for this account; it has no number in the case to "
                    "match them by (give its IBAN or account number as `number:`)"
                )
            problems.append(Problem(label, f"account {account.id}", message))
    if problems or not found:
        return MISSING, problems or [Problem(label, "", "expected at least one balance")], files
    rows = [found[a.id] for a in accounts]
    for account, row in zip(accounts, rows, strict=True):
        beyond = next((d for d in row.days if abs(d.minor) >= MAX_MINOR), None)
        if beyond is not None:
            problems.append(
                Problem(
                    label,
                    f"account {account.id}",
                    f"expected balances below {MAX_MINOR:,} minor units; the statements give "
                    f"{beyond.minor:,} on {beyond.day}",
                )
            )
    start = min(r.days[0].day for r in rows)
    end = max(r.days[-1].day for r in rows)
    for account, row in zip(accounts, rows, strict=True):
        where = f"account {account.id}"
        if row.days[0].day != start:
            problems.append(
                Problem(
                    label,
                    where,
                    f"expected a statement covering the first day of the statements, {start}; "
                    f"the first starts on {row.days[0].day}",
                )
            )
        if (end - row.days[-1].day).days >= MAX_GAP_DAYS:
            problems.append(
                Problem(
                    label,
                    where,
                    f"expected statements at least every {MAX_GAP_DAYS} days up to {end}; "
                    f"none for {(end - row.days[-1].day).days} days after {row.days[-1].day}",
                )
            )
    if problems:
        return MISSING, problems, files
    return _carried(start, end, accounts, rows), [], files


def _carried(
    start: date, end: date, accounts: Sequence[Account], rows: Sequence[CheckedAccount]
) -> BalanceHistory:
    """The days covered as figures, carried forward over the days no statement covers
    (as tables.read_balances does). The checks bound every uncovered run, so the matrix is
    at most MAX_GAP_DAYS times the days read."""
    days = (end - start).days + 1
    first = start.toordinal()
    matrix = np.zeros((len(accounts), days), dtype=np.int64)
    observed = np.zeros((len(accounts), days), dtype=np.bool_)
    for i, row in enumerate(rows):
        at = np.fromiter((d.day.toordinal() - first for d in row.days), np.int64, len(row.days))
        matrix[i, at] = np.fromiter((d.minor for d in row.days), np.int64, len(row.days))
        observed[i, at] = True
    latest = np.where(observed, np.arange(days), 0)
    np.maximum.accumulate(latest, axis=1, out=latest)
    filled: npt.NDArray[np.int64] = np.take_along_axis(matrix, latest, axis=1)
    return BalanceHistory(start, tuple(a.id for a in accounts), filled, observed)
