"""Balance and FX tables: CSV (long or wide form) and .xlsx, read into exact integer arrays.

A problem names the file, the row and the column. A table that is wrong in many places
reports the first `MAX_PROBLEMS` of them and how many more there were.

Any file is read in bounded time and memory (limits.py): its size, rows, columns and line
length are bounded, rows are streamed one at a time, and the figures read are kept in
compact arrays until the whole table has been checked. Trailing empty cells (a CSV's
trailing commas, a workbook's empty formatted columns) are ignored.
"""

from __future__ import annotations

import codecs
import csv
import io
from array import array
from collections.abc import Callable, Generator, Iterator, Sequence, Set
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache, partial
from itertools import chain, takewhile
from operator import not_
from pathlib import Path
from types import TracebackType
from typing import IO, TypeVar

import numpy as np
import numpy.typing as npt

from cashmgmt.errors import MISSING, Invalid, Missing, Omitted, Problem, shown
from cashmgmt.inputs.limits import (
    MAX_GAP_DAYS,
    MAX_PROBLEMS,
    MAX_TABLE_BYTES,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_LINE_CHARS,
    MAX_TABLE_ROWS,
)
from cashmgmt.inputs.workbook import (
    Cell,
    Flagged,
    TooLarge,
    WorkbookError,
    open_first_sheet,
    sheet_rows,
)
from cashmgmt.model import Account, BalanceHistory, Case, FxRates
from cashmgmt.money import (
    MAX_MINOR,
    exponent,
    from_minor,
    is_currency,
    parse_fx_rate,
    parse_minor,
)

T = TypeVar("T")
Row = tuple[int, list[Cell]]


class Table:
    """The header and the streamed rows of one CSV file or a workbook's first sheet, with
    located problems. Use as a context manager: the file is closed on leaving."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        self.header: list[str] = []
        self.problems: list[Problem] = []
        self._dropped = 0
        self._rows: Iterator[Row] = iter(())
        self._close: Callable[[], None] = lambda: None

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def rows(self) -> Iterator[Row]:
        """The rows after the header (blank rows left out), read as they are asked for."""
        return self._rows

    def problem(self, where: str, message: str) -> None:
        """Record a problem, keeping at most MAX_PROBLEMS per table."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.label, where, message))
        else:
            self._dropped += 1

    def more(self, count: int) -> None:
        """Count `count` further problems that were not recorded one by one."""
        self._dropped += count

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

    def cell(self, row: int, column: int, parse: Callable[[Cell], T], cell: Cell) -> T | None:
        """Parse one cell; a problem at its row and column (and None) if it is wrong."""
        try:
            return parse(cell)
        except Invalid as exc:
            self.invalid(row, column, exc, cell)
            return None

    def invalid(self, row: int, column: int, exc: Invalid, cell: Cell) -> None:
        """Record that a cell is wrong: what was expected, and the cell named plainly."""
        message = f"expected {exc.expected}, got {describe(cell)}"
        self.problem(
            self.place(row, column), cell.message if isinstance(cell, Flagged) else message
        )

    def fit(self, number: int, cells: list[Cell]) -> list[Cell] | None:
        """The cells of a row padded to the header's width (None and a problem if the row
        holds a value beyond the header's last column)."""
        width = len(self.header)
        if len(cells) == width:
            return cells
        if len(cells) > width:
            self.problem(
                self.place(number, len(cells) - 1),
                f"expected at most {width} cells as in the header, got {len(cells)}",
            )
            return None
        return cells + [None] * (width - len(cells))


def describe(cell: Cell) -> str:
    """A cell's value as an RM would name it: `an empty cell`, `the date 2025-01-01`."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return "an empty cell"
    if isinstance(cell, bool):
        return f"the logical value {'TRUE' if cell else 'FALSE'}"
    if isinstance(cell, datetime):
        if cell.time() == time(0):
            return f"the date {cell.date().isoformat()}"
        return f"the date and time {cell:%Y-%m-%d %H:%M}"
    if isinstance(cell, date):
        return f"the date {cell.isoformat()}"
    if isinstance(cell, (int, float)):
        return shown(cell)
    return shown(cell)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trimmed(cells: list[Cell]) -> list[Cell]:
    """The cells without trailing blanks (a CSV's trailing commas, empty formatted cells)."""
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return cells if end == len(cells) else cells[:end]


def read_table(path: Path) -> Table:
    """Open a .csv or .xlsx file and read its header (its first row that is not blank);
    problems are recorded, never raised. The other rows are read as `table.rows()` is
    iterated, inside `with table:`."""
    table = Table(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        table.problem("", f"{what}; expected the table named in the case file")
        return table
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            table.problem(
                "",
                f"expected a table of at most {MAX_TABLE_BYTES // 2**20:,} MB; "
                f"the file has {size // 2**20:,} MB",
            )
            return table
        raw = _xlsx_rows(table) if path.suffix.lower() == ".xlsx" else _csv_rows(table)
        first = next(raw, None)
        if first is not None:
            table.header = [_header(c) for c in first[1]]
    except OSError as exc:
        table.problem("", f"cannot be read ({exc.strerror or 'the system refused'})")
        return table
    table._rows = raw
    table._close = raw.close
    if not table.header and not table.problems:
        table.problem("", "expected a header row and at least one row of figures")
    return table


def _header(cell: Cell) -> str:
    if cell is None or isinstance(cell, Flagged):
        return ""
    return str(cell).strip()


class _Stop(Exception):
    """Reading a CSV file stops here: `where` and `message` make its problem."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


_SAVE_AS = "save the table as CSV UTF-8"


def _csv_rows(table: Table) -> Generator[Row, None, None]:
    """The rows of a CSV file: UTF-8 without NUL bytes, lines bounded in length, at most
    MAX_TABLE_ROWS rows and MAX_TABLE_COLUMNS columns. Read in blocks, so that checking
    the bytes costs little next to the csv module's own parsing."""
    with table.path.open("rb") as file:
        reader = csv.reader(chain.from_iterable(_lines(file)))
        try:
            for cells in reader:
                if cells and not cells[-1].strip():  # trailing commas: empty cells, dropped
                    cells = cells[: len(cells) - len(list(takewhile(not_, reversed(cells))))]
                    while cells and not cells[-1].strip():
                        cells.pop()
                if len(cells) > MAX_TABLE_COLUMNS:
                    raise _Stop(
                        f"row {reader.line_num}", f"expected at most {MAX_TABLE_COLUMNS:,} columns"
                    )
                if reader.line_num > MAX_TABLE_ROWS:
                    raise _Stop(
                        f"row {reader.line_num}", f"expected at most {MAX_TABLE_ROWS:,} rows"
                    )
                if cells:
                    yield reader.line_num, list[Cell](cells)
        except _Stop as stop:
            table.problem(stop.where, stop.message)
        except csv.Error as exc:
            table.problem(f"row {reader.line_num}", f"expected CSV ({exc})")
        except OSError as exc:  # after opening: a disk or network fault
            table.problem("", f"cannot be read ({exc.strerror or 'the system refused'})")


def _lines(file: IO[bytes]) -> Iterator[list[str]]:
    """The lines of a UTF-8 file, a block at a time (raises _Stop at the first NUL byte,
    invalid UTF-8, UTF-16 mark or over-long line, naming its row)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    done = 0  # lines passed on so far
    pending = ""  # the last line of the block so far, not yet ended
    while block := file.read(1 << 20):
        if done == 0 and not pending and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _Stop("", f"expected UTF-8 text, got UTF-16; {_SAVE_AS}")
        nul = block.find(b"\0")
        if nul >= 0:
            row = done + pending.count("\n") + block.count(b"\n", 0, nul) + 1
            raise _Stop(f"row {row}", f"expected text, got a NUL byte (a binary file?); {_SAVE_AS}")
        try:
            text = pending + decoder.decode(block)
        except UnicodeDecodeError as exc:
            row = done + block.count(b"\n", 0, max(0, exc.start)) + 1
            raise _Stop(
                f"row {row}",
                "expected UTF-8 text, got another encoding (such as GBK or Latin-1); " + _SAVE_AS,
            ) from None
        parts = text.split("\n")
        pending = parts.pop()
        if max(map(len, parts), default=0) > MAX_TABLE_LINE_CHARS or (
            len(pending) > MAX_TABLE_LINE_CHARS
        ):
            longest = next(
                (i for i, line in enumerate(parts) if len(line) > MAX_TABLE_LINE_CHARS), len(parts)
            )
            raise _Stop(
                f"row {done + longest + 1}",
                f"expected lines of at most {MAX_TABLE_LINE_CHARS:,} characters; this one is "
                "longer (is the file CSV, with a line break after each row?)",
            )
        done += len(parts)
        yield [line + "\n" for line in parts]
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _Stop(
            f"row {done + 1}", f"expected UTF-8 text, got a cut character; {_SAVE_AS}"
        ) from None
    if pending:
        yield [pending]


def _xlsx_rows(table: Table) -> Generator[Row, None, None]:
    """The rows of the workbook's first sheet; a hidden first sheet is refused, not skipped
    (it may hold stale figures, and the RM would not see what was read)."""
    try:
        book, sheet = open_first_sheet(table.path)
    except WorkbookError as exc:
        table.problem("", exc.message)
        return
    try:
        title = "".join(c if c.isprintable() else "?" for c in str(sheet.title))[:60]
        table.label = f"{table.path} [sheet {title}]"
        if sheet.sheet_state != "visible":
            table.problem(
                "",
                "expected the table on the first sheet, which is hidden; unhide it in Excel, "
                "or move the sheet that holds the table first",
            )
            return
        for number, cells in sheet_rows(book, sheet):
            if cells:
                yield number, cells
    except WorkbookError as exc:
        table.problem("", exc.message)
    except TooLarge as exc:
        table.problem(exc.where, exc.message)
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
            return _iso_date(cell.strip())
        except ValueError:
            pass
    raise Invalid("an ISO 8601 date like 2025-01-31", cell)


@lru_cache(maxsize=64)  # a long-form table repeats each date once per account
def _iso_date(text: str) -> date:
    return date.fromisoformat(text)


def parse_amount(cell: Cell, currency: str) -> int:
    """A balance in `currency`, as integer minor units (no more decimals than allowed, and
    below MAX_MINOR so that sums stay exact): plain digits at integer speed, anything else
    through money.parse_minor, the one number parser."""
    minor = _plain_minor(cell, exponent(currency))
    if minor is not None:
        return minor
    return parse_minor(cell.strip() if isinstance(cell, str) else cell, currency)


def _plain_minor(cell: Cell, places: int) -> int | None:
    """The common case at integer speed (millions of cells): ASCII digits, a point, digits,
    with no more significant decimals than `places` and below MAX_MINOR; None for anything
    else, which parse_minor then reads (or refuses) as the one number parser does."""
    if type(cell) is not str:
        return None
    text = cell.strip()
    negative = text[:1] == "-"
    whole, point, decimals = (text[1:] if negative else text).partition(".")
    if not (whole.isdigit() and whole.isascii() and len(whole) <= 18):
        return None
    if point and not (decimals.isdigit() and decimals.isascii() and len(decimals) <= 18):
        return None
    if len(decimals) > places:
        if decimals[places:].strip("0"):
            return None
        decimals = decimals[:places]
    minor = int(whole + decimals + "0" * (places - len(decimals)))
    if minor >= MAX_MINOR:
        return None
    return -minor if negative else minor


def _text(cell: Cell) -> str:
    """A cell as text, for ids and codes (a number cell 12345 reads as `12345`)."""
    if cell is None or isinstance(cell, Flagged):
        return ""
    return str(cell).strip()


class _Points:
    """Figures read from a table as (series, day, row) in compact arrays, 12 bytes a figure
    (plus the value, kept by the caller in the same order): a table of millions of cells
    stays small until it has been checked whole."""

    def __init__(self) -> None:
        self.series = array("i")
        self.days = array("i")
        self.rows = array("i")

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, series: int, day: date, row: int) -> None:
        self.add_ordinal(series, day.toordinal(), row)

    def add_ordinal(self, series: int, ordinal: int, row: int) -> None:
        """As `add`, with the day already a proleptic ordinal (a wide row's many cells)."""
        self.series.append(series)
        self.days.append(ordinal)
        self.rows.append(row)

    def arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Series, day ordinals and rows as numpy arrays."""
        return tuple(  # type: ignore[return-value]
            np.array(a, dtype=np.int64) for a in (self.series, self.days, self.rows)
        )

    def sorted(
        self, table: Table, duplicate: Callable[[int, date, int, int], None]
    ) -> npt.NDArray[np.intp]:
        """Indices ordering the figures by series, day and row; `duplicate(series, day, row,
        first_row)` is called for each second figure of one series on one day, in row
        order, at most MAX_PROBLEMS times (the others are counted)."""
        series, days, rows = self.arrays()
        order = np.lexsort((rows, days, series))
        s, d, r = series[order], days[order], rows[order]
        same = (s[1:] == s[:-1]) & (d[1:] == d[:-1])
        if same.any():
            new = np.concatenate(([True], ~same))
            first = r[np.flatnonzero(new)][np.cumsum(new) - 1]
            repeats = np.flatnonzero(~new)
            repeats = repeats[np.argsort(r[repeats], kind="stable")]
            for k in repeats[:MAX_PROBLEMS]:
                duplicate(int(s[k]), date.fromordinal(int(d[k])), int(r[k]), int(first[k]))
            table.more(max(0, len(repeats) - MAX_PROBLEMS))
        return order


# ------------------------------------------------------------------------- balances


def read_balances(
    path: Path, accounts: Sequence[Account], unreadable: Set[str] = frozenset()
) -> tuple[BalanceHistory | Missing, list[Problem]]:
    """Read the balance table in long (date,account,balance) or wide form (date,<ids>…).

    Rows of `unreadable` accounts (known ids whose entry in the case file has a problem
    of its own) are passed over, so one fault is not reported twice.
    """
    with read_table(path) as table:
        if table.problems:
            return MISSING, table.finish()
        index = {a.id: i for i, a in enumerate(accounts)}
        points = _Points()
        minors = array("q")
        header = [h.lower() for h in table.header]
        if len(header) == 3 and header[:2] == ["date", "account"] and header[2] != "balance":
            table.problem("row 1", "expected the header date,account,balance (long form)")
        elif header == ["date", "account", "balance"]:
            _read_long(table, accounts, index, points, minors, unreadable)
        elif header and header[0] == "date" and len(header) > 1:
            _read_wide(table, accounts, index, points, minors, unreadable)
        else:
            table.problem(
                "row 1",
                "expected the header date,account,balance (long form) "
                "or date,<account id>,<account id>,… (wide form)",
            )
    if not len(points) and not table.problems:
        table.problem("", "expected at least one balance")
    if not len(points):
        return MISSING, table.finish()
    return _history(table, accounts, points, minors)


def _read_long(
    table: Table,
    accounts: Sequence[Account],
    index: dict[str, int],
    points: _Points,
    minors: array[int],
    unreadable: Set[str],
) -> None:
    unknown: set[str] = set()
    currencies = [a.currency for a in accounts]
    for number, row in table.rows():  # the hot loop of a long table: kept plain
        cells = row if len(row) == 3 else table.fit(number, row)
        if cells is None:
            continue
        day_cell, account_cell, amount_cell = cells
        account = account_cell.strip() if isinstance(account_cell, str) else _text(account_cell)
        i = index.get(account)
        if i is None:
            if account not in unknown and account not in unreadable:
                unknown.add(account)
                expected = Invalid("an account id of the case")
                table.invalid(number, 1, expected, account_cell)
            continue
        try:
            day = parse_date(day_cell)
        except Invalid as exc:
            table.invalid(number, 0, exc, day_cell)
            continue
        try:
            minor = parse_amount(amount_cell, currencies[i])
        except Invalid as exc:
            table.invalid(number, 2, exc, amount_cell)
            continue
        points.add(i, day, number)
        minors.append(minor)


def _read_wide(
    table: Table,
    accounts: Sequence[Account],
    index: dict[str, int],
    points: _Points,
    minors: array[int],
    unreadable: Set[str],
) -> None:
    columns: list[tuple[int, int]] = []  # (column, account)
    seen: set[str] = set()
    for c, name in enumerate(table.header[1:], start=1):
        if name in seen:
            table.problem(table.place(1, c), f"expected each account once, {shown(name)} repeats")
        seen.add(name)
        if name not in index and name not in unreadable:
            table.problem(
                table.place(1, c), f"expected an account id of the case, got {shown(name)}"
            )
        if name in index:
            columns.append((c, index[name]))
    exponents = [exponent(accounts[i].currency) for _, i in columns]
    for number, row in table.rows():
        cells = table.fit(number, row)
        if cells is None:
            continue
        day = table.cell(number, 0, parse_date, cells[0])
        if day is None:
            continue
        ordinal = day.toordinal()
        for (c, i), places in zip(columns, exponents, strict=True):
            cell = cells[c]
            minor = _plain_minor(cell, places)  # most cells; the rest as parse_amount reads them
            if minor is None:
                if _blank(cell):
                    continue
                parse = partial(parse_amount, currency=accounts[i].currency)
                minor = table.cell(number, c, parse, cell)
                if minor is None:
                    continue
            points.add_ordinal(i, ordinal, number)
            minors.append(minor)


def _history(
    table: Table, accounts: Sequence[Account], points: _Points, minors: array[int]
) -> tuple[BalanceHistory | Missing, list[Problem]]:
    """Check the figures whole (duplicates, first day, gaps), then carry them forward."""

    def duplicate(account: int, day: date, row: int, first: int) -> None:
        table.problem(
            _amount_place(table, accounts[account].id, row),
            f"expected one balance per account and day; {day} was given at row {first} too",
        )

    order = points.sorted(table, duplicate)
    if table.problems:
        return MISSING, table.finish()
    series, ordinals, _ = points.arrays()
    series, ordinals = series[order], ordinals[order]
    values = np.array(minors, dtype=np.int64)[order]
    first, last = int(ordinals.min()), int(ordinals.max())
    start, end = date.fromordinal(first), date.fromordinal(last)
    days = last - first + 1
    bounds = np.searchsorted(series, np.arange(len(accounts) + 1))
    for i, account in enumerate(accounts):
        seen = ordinals[bounds[i] : bounds[i + 1]] - first
        where = f"account {account.id}"
        if seen.size == 0:
            table.problem(where, "expected balances for this account; the table has none")
            continue
        if seen[0] != 0:
            table.problem(
                where,
                f"expected a balance on the first day of the table, {start}; "
                f"it starts on {date.fromordinal(first + int(seen[0]))}",
            )
        stops = np.append(seen, days)
        gaps = np.diff(stops)
        worst = int(np.argmax(gaps))
        if gaps[worst] > MAX_GAP_DAYS:
            after = date.fromordinal(first + int(stops[worst]))
            table.problem(
                where,
                f"expected a balance at least every {MAX_GAP_DAYS} days up to {end}; "
                f"none for {int(gaps[worst]) - 1} days after {after}",
            )
    if table.problems:
        return MISSING, table.finish()
    # Every account has a figure at least every MAX_GAP_DAYS days: the matrix is at most
    # MAX_GAP_DAYS times as large as the figures read.
    matrix = np.zeros((len(accounts), days), dtype=np.int64)
    observed = np.zeros((len(accounts), days), dtype=np.bool_)
    matrix[series, ordinals - first] = values
    observed[series, ordinals - first] = True
    latest = np.where(observed, np.arange(days), 0)
    np.maximum.accumulate(latest, axis=1, out=latest)
    filled: npt.NDArray[np.int64] = np.take_along_axis(matrix, latest, axis=1)
    ids = tuple(a.id for a in accounts)
    return BalanceHistory(start, ids, filled, observed), []


def _amount_place(table: Table, account: str, row: int) -> str:
    """Where an account's figure of a row is: its column in the wide form, else `balance`."""
    header = table.header
    if [h.lower() for h in header] == ["date", "account", "balance"]:
        return table.place(row, 2)
    return table.place(row, header.index(account) if account in header else 2)


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
    codes: dict[str, int] = {}
    points = _Points()
    rates: list[Decimal] = []
    with read_table(path) as table:
        if table.problems:
            return MISSING, table.finish()
        if [h.lower() for h in table.header] != ["date", "currency", "rate"]:
            table.problem("row 1", "expected the header date,currency,rate")
            return MISSING, table.finish()
        for number, row in table.rows():
            cells = table.fit(number, row)
            if cells is None:
                continue
            day = table.cell(number, 0, parse_date, cells[0])
            code = table.cell(number, 1, _currency, cells[1]) if day else None
            rate = (
                table.cell(number, 2, partial(_rate, is_base=code == base), cells[2])
                if code
                else None
            )
            if day and code and rate is not None:
                points.add(codes.setdefault(code, len(codes)), day, number)
                rates.append(rate)
    names = list(codes)

    def duplicate(code: int, day: date, row: int, first: int) -> None:
        table.problem(
            table.place(row, 0),
            f"expected one {names[code]} rate per day; {day} was given at row {first} too",
        )

    order = points.sorted(table, duplicate)
    if table.problems:
        return MISSING, table.finish()
    series: dict[str, list[tuple[date, Decimal]]] = {}
    for k in order.tolist():
        code = names[points.series[k]]
        if code != base:
            series.setdefault(code, []).append((date.fromordinal(points.days[k]), rates[k]))
    return FxRates(base, {code: tuple(series[code]) for code in sorted(series)}), []


def _currency(cell: Cell) -> str:
    """An ISO 4217 currency code."""
    code = _text(cell)
    if not is_currency(code):
        raise Invalid("an ISO 4217 currency code", cell)
    return code


def _rate(cell: Cell, is_base: bool) -> Decimal:
    """A rate above zero (1 for the base currency)."""
    rate = parse_fx_rate(cell.strip() if isinstance(cell, str) else cell)
    if is_base and rate != 1:
        raise Invalid("1 for the base currency", cell)
    return rate


def fx_csv(fx: FxRates) -> str:
    """FX rates as date,currency,rate rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "currency", "rate"])
    rows = sorted((day, code, rate) for code, pts in fx.series.items() for day, rate in pts)
    for day, code, rate in rows:
        writer.writerow([day.isoformat(), code, format(rate, "f")])
    return out.getvalue()
