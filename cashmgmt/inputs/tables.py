"""Balance and FX tables: CSV (long or wide form) and .xlsx, read into exact integer arrays.

A problem names the file, the row and the column. A table that is wrong in many places
reports the first `MAX_PROBLEMS` of them and how many more there were.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence, Set
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cashmgmt.errors import MISSING, Invalid, Missing, Omitted, Problem
from cashmgmt.inputs.limits import MAX_GAP_DAYS, MAX_PROBLEMS
from cashmgmt.model import Account, BalanceHistory, Case, FxRates
from cashmgmt.money import from_minor, is_currency, parse_fx_rate, parse_minor

Cell = Any
Row = tuple[int, list[Cell]]


class Table:
    """Rows of one CSV file or the first sheet of a workbook, with located problems."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        self.header: list[str] = []
        self.rows: list[Row] = []
        self.problems: list[Problem] = []
        self._dropped = 0

    def problem(self, where: str, message: str) -> None:
        """Record a problem, keeping at most MAX_PROBLEMS per table."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.label, where, message))
        else:
            self._dropped += 1

    def finish(self) -> list[Problem]:
        """The problems, with a last line counting any left out."""
        if self._dropped:
            more = f"and {self._dropped} more problems like those above"
            return [*self.problems, Omitted(self.label, "", more, self._dropped)]
        return self.problems

    def place(self, row: int, column: int) -> str:
        """`row 12, column balance` (columns named by their header)."""
        name = self.header[column] if column < len(self.header) else f"#{column + 1}"
        return f"row {row}, column {name}"


def read_table(path: Path) -> Table:
    """Read a .csv or .xlsx file into a Table (problems recorded, never raised)."""
    table = Table(path)
    if not path.is_file():
        table.problem("", "no such file; expected the table named in the case file")
        return table
    raw = _xlsx_rows(table) if path.suffix.lower() == ".xlsx" else _csv_rows(table)
    for number, cells in raw:
        if all(_blank(c) for c in cells):
            continue
        if not table.header:
            table.header = [str(c).strip() if c is not None else "" for c in cells]
        else:
            table.rows.append((number, cells))
    if not table.header and not table.problems:
        table.problem("", "expected a header row and at least one row of figures")
    return table


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_rows(table: Table) -> Iterator[Row]:
    try:
        content = table.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        table.problem(f"byte {exc.start}", "expected UTF-8 text")
        return
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, list(cells)
    except csv.Error as exc:
        table.problem(f"row {reader.line_num}", f"expected CSV ({exc})")


def _xlsx_rows(table: Table) -> Iterator[Row]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(table.path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        table.problem("", f"expected an .xlsx workbook ({type(exc).__name__})")
        return
    try:
        sheet = book.worksheets[0]
        table.label = f"{table.path} [sheet {sheet.title}]"
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        book.close()


def parse_date(cell: Cell) -> date:
    """An ISO 8601 date (or a date cell of a workbook)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str):
        try:
            return date.fromisoformat(cell.strip())
        except ValueError:
            pass
    raise Invalid("an ISO 8601 date like 2025-01-31", cell)


def parse_amount(cell: Cell, currency: str) -> int:
    """A balance in `currency`, as integer minor units (no more decimals than allowed, and
    below MAX_MINOR so that sums stay exact): money.parse_minor, the one number parser."""
    return parse_minor(cell, currency)


# ------------------------------------------------------------------------- balances


def read_balances(
    path: Path, accounts: Sequence[Account], unreadable: Set[str] = frozenset()
) -> tuple[BalanceHistory | Missing, list[Problem]]:
    """Read the balance table in long (date,account,balance) or wide form (date,<ids>…).

    Rows of `unreadable` accounts (known ids whose entry in the case file has a problem
    of its own) are passed over, so one fault is not reported twice.
    """
    table = read_table(path)
    if table.problems:
        return MISSING, table.finish()
    index = {a.id: i for i, a in enumerate(accounts)}
    points: dict[tuple[int, date], tuple[int, int]] = {}  # (account, day) -> (minor, row)
    header = [h.lower() for h in table.header]
    if len(header) == 3 and header[:2] == ["date", "account"] and header[2] != "balance":
        table.problem("row 1", "expected the header date,account,balance (long form)")
    elif header == ["date", "account", "balance"]:
        _read_long(table, accounts, index, points, unreadable)
    elif header and header[0] == "date" and len(header) > 1:
        _read_wide(table, accounts, index, points, unreadable)
    else:
        table.problem(
            "row 1",
            "expected the header date,account,balance (long form) "
            "or date,<account id>,<account id>,… (wide form)",
        )
    if not points or table.problems:
        if not points and not table.problems:
            table.problem("", "expected at least one balance")
        return MISSING, table.finish()
    return _history(table, accounts, points)


def _read_long(
    table: Table,
    accounts: Sequence[Account],
    index: dict[str, int],
    points: dict[tuple[int, date], tuple[int, int]],
    unreadable: Set[str],
) -> None:
    unknown: dict[str, int] = {}
    for number, cells in table.rows:
        if len(cells) != 3:
            table.problem(
                f"row {number}", f"expected 3 cells (date,account,balance), got {len(cells)}"
            )
            continue
        account = str(cells[1]).strip() if cells[1] is not None else ""
        if account not in index:
            if account not in unknown and account not in unreadable:
                unknown[account] = number
                table.problem(
                    table.place(number, 1), f"expected an account id of the case, got {account!r}"
                )
            continue
        i = index[account]
        _point(table, number, cells[0], cells[2], 0, 2, i, accounts[i].currency, points)


def _read_wide(
    table: Table,
    accounts: Sequence[Account],
    index: dict[str, int],
    points: dict[tuple[int, date], tuple[int, int]],
    unreadable: Set[str],
) -> None:
    columns: list[int | None] = []
    seen: set[str] = set()
    for c, name in enumerate(table.header[1:], start=1):
        if name in seen:
            table.problem(table.place(1, c), f"expected each account once, {name!r} repeats")
        seen.add(name)
        if name not in index and name not in unreadable:
            table.problem(table.place(1, c), f"expected an account id of the case, got {name!r}")
        columns.append(index.get(name))
    width = len(table.header)
    for number, cells in table.rows:
        if len(cells) != width:
            table.problem(
                f"row {number}", f"expected {width} cells as in the header, got {len(cells)}"
            )
            continue
        for c, i in enumerate(columns, start=1):
            if i is not None and not _blank(cells[c]):
                _point(table, number, cells[0], cells[c], 0, c, i, accounts[i].currency, points)


def _point(
    table: Table,
    number: int,
    date_cell: Cell,
    amount_cell: Cell,
    date_col: int,
    amount_col: int,
    account: int,
    currency: str,
    points: dict[tuple[int, date], tuple[int, int]],
) -> None:
    try:
        day = parse_date(date_cell)
    except Invalid as exc:
        table.problem(table.place(number, date_col), exc.message)
        return
    try:
        minor = parse_amount(amount_cell, currency)
    except Invalid as exc:
        table.problem(table.place(number, amount_col), exc.message)
        return
    key = (account, day)
    if key in points:
        first = points[key][1]
        table.problem(
            table.place(number, amount_col),
            f"expected one balance per account and day; {day} was given at row {first} too",
        )
        return
    points[key] = (minor, number)


def _history(
    table: Table, accounts: Sequence[Account], points: dict[tuple[int, date], tuple[int, int]]
) -> tuple[BalanceHistory | Missing, list[Problem]]:
    start = min(day for _, day in points)
    end = max(day for _, day in points)
    days = (end - start).days + 1
    values = np.zeros((len(accounts), days), dtype=np.int64)
    observed = np.zeros((len(accounts), days), dtype=np.bool_)
    for (i, day), (minor, _) in points.items():
        d = (day - start).days
        values[i, d] = minor
        observed[i, d] = True
    for i, account in enumerate(accounts):
        seen = np.flatnonzero(observed[i])
        where = f"account {account.id}"
        if seen.size == 0:
            table.problem(where, "expected balances for this account; the table has none")
            continue
        if seen[0] != 0:
            table.problem(
                where,
                f"expected a balance on the first day of the table, {start}; "
                f"it starts on {start + timedelta(days=int(seen[0]))}",
            )
        stops = np.append(seen, days)
        gaps = np.diff(stops)
        worst = int(np.argmax(gaps))
        if gaps[worst] > MAX_GAP_DAYS:
            last = start + timedelta(days=int(stops[worst]))
            table.problem(
                where,
                f"expected a balance at least every {MAX_GAP_DAYS} days up to {end}; "
                f"none for {int(gaps[worst]) - 1} days after {last}",
            )
    if table.problems:
        return MISSING, table.finish()
    latest = np.where(observed, np.arange(days), 0)
    np.maximum.accumulate(latest, axis=1, out=latest)
    filled: npt.NDArray[np.int64] = np.take_along_axis(values, latest, axis=1)
    ids = tuple(a.id for a in accounts)
    return BalanceHistory(start, ids, filled, observed), []


def balances_csv(case: Case) -> str:
    """The balance history in long form, only the days that had a figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "account", "balance"])
    history = case.balances
    dates = history.dates()
    currencies = [case.account(a).currency for a in history.accounts]
    for d, day in enumerate(dates):
        for i, account in enumerate(history.accounts):
            if history.observed[i, d]:
                amount = from_minor(int(history.minor[i, d]), currencies[i])
                writer.writerow([day.isoformat(), account, format(amount, "f")])
    return out.getvalue()


# ------------------------------------------------------------------------------- fx


def read_fx(path: Path | None, base: str) -> tuple[FxRates | Missing, list[Problem]]:
    """Read date,currency,rate rows (units of `base` per unit of currency); none: no FX."""
    if path is None:
        return FxRates(base, {}), []
    table = read_table(path)
    if table.problems:
        return MISSING, table.finish()
    if [h.lower() for h in table.header] != ["date", "currency", "rate"]:
        table.problem("row 1", "expected the header date,currency,rate")
        return MISSING, table.finish()
    series: dict[str, dict[date, tuple[Decimal, int]]] = {}
    for number, cells in table.rows:
        if len(cells) != 3:
            table.problem(
                f"row {number}", f"expected 3 cells (date,currency,rate), got {len(cells)}"
            )
            continue
        try:
            day = parse_date(cells[0])
        except Invalid as exc:
            table.problem(table.place(number, 0), exc.message)
            continue
        code = str(cells[1]).strip() if cells[1] is not None else ""
        if not is_currency(code):
            table.problem(
                table.place(number, 1), Invalid("an ISO 4217 currency code", code).message
            )
            continue
        try:
            rate = parse_fx_rate(cells[2])
        except Invalid as exc:
            table.problem(table.place(number, 2), exc.message)
            continue
        if rate <= 0 or (code == base and rate != 1):
            expected = "1 for the base currency" if code == base else "a rate above zero"
            table.problem(table.place(number, 2), Invalid(expected, cells[2]).message)
            continue
        known = series.setdefault(code, {})
        if day in known:
            table.problem(
                table.place(number, 0),
                f"expected one {code} rate per day; {day} was given at row {known[day][1]} too",
            )
            continue
        known[day] = (rate, number)
    if table.problems:
        return MISSING, table.finish()
    return FxRates(
        base,
        {
            code: tuple((day, rate) for day, (rate, _) in sorted(days.items()))
            for code, days in sorted(series.items())
            if code != base
        },
    ), []


def fx_csv(fx: FxRates) -> str:
    """FX rates as date,currency,rate rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "currency", "rate"])
    rows = sorted((day, code, rate) for code, pts in fx.series.items() for day, rate in pts)
    for day, code, rate in rows:
        writer.writerow([day.isoformat(), code, format(rate, "f")])
    return out.getvalue()
