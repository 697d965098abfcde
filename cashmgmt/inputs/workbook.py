"""The first sheet of an .xlsx workbook, row by row: cached values only, real cells only.

openpyxl reads the workbook's parts (sheet list, shared texts, date styles); the sheet's
XML is then read here, one cell at a time, so that

- a formula cell is read through the value Excel cached for it, and one without a cached
  value is flagged (not taken for an empty cell, whose day would be carried forward);
- only the cells the sheet holds are read: the `<dimension>` a file claims is ignored, and
  rows and columns are bounded (limits.py), so a sheet claiming `A1:XFD1048576` costs nothing;
- a number cell that is not a finite number (`INF`, `NaN`) or an error (`#DIV/0!`) is
  flagged where it is, so the table names its row and column.

A file that is not a readable workbook (an .xls, a password-protected workbook, a CSV
renamed, a damaged zip or XML) ends in one plain message, never a parser's exception.
"""

from __future__ import annotations

import codecs
import math
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

import attrs

from cashmgmt.inputs.limits import MAX_TABLE_BYTES, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS

_ZIP = b"PK\x03\x04"
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls, and every password-protected workbook
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted workbook holds
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_DATA, _ROW, _CELL = _MAIN + "sheetData", _MAIN + "row", _MAIN + "c"
_VALUE, _FORMULA, _INLINE = _MAIN + "v", _MAIN + "f", _MAIN + "is"
_TEXT, _RUN = _MAIN + "t", _MAIN + "r"
_EXPECTED = "expected an .xlsx workbook; "
_RESAVE = "open it in Excel and save it again as an Excel Workbook (.xlsx)"


@attrs.frozen
class Flagged:
    """A cell that holds no usable value; `message` says why, for the table to locate."""

    message: str


#: A formula whose result Excel never stored (the file was written by a program, not Excel).
UNCALCULATED = Flagged(
    "expected a value; the cell holds a formula Excel has not calculated "
    "— open and save the file in Excel"
)


class WorkbookError(Exception):
    """The file is not a readable workbook; `message` says so plainly, for the RM."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(Exception):
    """The sheet goes beyond a bound; `where` is the row, `message` the bound."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def not_a_workbook(path: Path) -> str | None:
    """Why the file cannot be an .xlsx workbook, judged from its bytes (None: it may be)."""
    with path.open("rb") as file:
        head = file.read(4096)
    if not head:
        return "the file is empty"
    if head.startswith(_ZIP):
        return None
    if head.startswith(_OLE2):
        if _holds(path, _ENCRYPTED):
            return (
                "the file is a password-protected workbook; remove the password in Excel "
                "(File > Info > Protect Workbook) and save it again"
            )
        return f"the file is an Excel 97-2003 workbook (.xls); {_RESAVE}"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return f"the file is not a workbook (its first bytes are not those of one); {_RESAVE}"
    if b"\0" in head:
        return f"the file is not a workbook (its first bytes are not those of one); {_RESAVE}"
    return "the file is text (a CSV file named .xlsx?); name it .csv, or save it as .xlsx"


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file holds `needle`, read in bounded chunks."""
    chunk = 1 << 20
    tail = b""
    with path.open("rb") as file:
        while block := file.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-len(needle) :]
    return False


def damaged(exc: BaseException) -> str:
    """A plain message for a workbook whose parts cannot be read."""
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        detail = "a part of it fails its checksum"
    elif isinstance(exc, zipfile.BadZipFile):
        detail = "it is cut short or is not a complete zip archive"
    elif isinstance(exc, KeyError):
        detail = "a part it refers to is missing"
    elif isinstance(exc, ParseError):
        line, column = getattr(exc, "position", (0, 0))
        detail = (
            f"a part of it is cut short or is not well-formed XML (line {line}, column {column})"
        )
    else:
        detail = "a part of it cannot be read"
    return f"{_EXPECTED}the file is damaged ({detail}); {_RESAVE}"


def open_first_sheet(path: Path) -> tuple[Any, Any]:
    """The workbook and its first sheet (WorkbookError with a plain message if none)."""
    import warnings

    from openpyxl import load_workbook

    reason = not_a_workbook(path)
    if reason:
        raise WorkbookError(_EXPECTED + reason)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(damaged(exc)) from None
    if unpacked > MAX_TABLE_BYTES:
        raise WorkbookError(
            f"expected at most {MAX_TABLE_BYTES // 2**20:,} MB once unpacked; "
            f"the workbook unpacks to {unpacked // 2**20:,} MB"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on styles and extensions
            book = load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # any fault in a damaged file's parts is the file's fault
        raise WorkbookError(damaged(exc)) from None
    if not book.worksheets:
        book.close()
        raise WorkbookError("expected a workbook with at least one sheet; it has none")
    return book, book.worksheets[0]


Cell = str | int | float | bool | datetime | date | Flagged | None


def sheet_rows(book: Any, sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a read-only sheet: (row number, cells from column A, no trailing blanks).

    Raises TooLarge past MAX_TABLE_ROWS rows or MAX_TABLE_COLUMNS columns, and
    WorkbookError if the sheet's XML or zip entry is damaged.
    """
    from openpyxl.utils.datetime import from_excel

    strings: list[str] = sheet._shared_strings  # openpyxl's read-only sheet
    dates: set[int] = book._date_formats  # style ids that format dates
    epoch: datetime = book.epoch

    def number(text: str, style: int) -> Cell:
        try:
            value: int | float = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return Flagged(f"expected a number, got a number cell holding {text[:40]!s}")
        if isinstance(value, float) and not math.isfinite(value):
            return Flagged(f"expected a finite number, got a number cell holding {text[:40]}")
        if style in dates:
            try:
                day = from_excel(value, epoch)
            except (OverflowError, ValueError):
                return Flagged(f"expected a date, got a date cell holding {text[:40]}")
            return day if isinstance(day, datetime) else value
        return value

    try:
        with sheet._get_source() as source:
            yield from _rows(source, lambda cell: _value(cell, strings, number))
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise WorkbookError(damaged(exc)) from None


def _rows(source: IO[bytes], value: Callable[[Element], Cell]) -> Iterator[tuple[int, list[Cell]]]:
    """Stream the rows of a sheet's XML, dropping each row once read (bounded memory)."""
    number = 0
    column = 0
    cells: dict[int, Cell] = {}
    row: Element | None = None
    sheet_data: Element | None = None
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _ROW:
                row, column, cells = element, 0, {}
                given = element.get("r", "")
                number = int(given) if given.isdigit() else number + 1
                if number > MAX_TABLE_ROWS:
                    raise TooLarge(
                        f"row {number}", f"expected at most {MAX_TABLE_ROWS:,} rows in a table"
                    )
            elif tag == _SHEET_DATA:
                sheet_data = element
        elif tag == _CELL:
            column = _column(element.get("r"), column)
            if column > MAX_TABLE_COLUMNS:
                raise TooLarge(
                    f"row {number}",
                    f"expected at most {MAX_TABLE_COLUMNS:,} columns in a table",
                )
            cell = value(element)
            if cell is not None and not (isinstance(cell, str) and not cell.strip()):
                cells[column] = cell
            if row is not None:
                row.clear()  # the cells read so far: a row of a million cells stays small
        elif tag == _ROW:
            last = max(cells, default=0)
            yield number, [cells.get(c) for c in range(1, last + 1)]
            cells = {}
            if sheet_data is not None:
                sheet_data.clear()  # the rows read so far


def _column(reference: str | None, previous: int) -> int:
    """The column number of a cell reference like `AB12` (the next column if none)."""
    if not reference:
        return previous + 1
    column = 0
    for char in reference:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
            if column > MAX_TABLE_COLUMNS:
                break
        else:
            break
    return column or previous + 1


def _value(cell: Element, strings: list[str], number: Callable[[str, int], Cell]) -> Cell:
    """The cached value of one `<c>` element (a Flagged cell for a value that is not one)."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        holder = cell.find(_INLINE)
        if holder is None:
            return None
        parts = [holder.findtext(_TEXT) or ""]
        parts += [run.findtext(_TEXT) or "" for run in holder.iterfind(_RUN)]
        return "".join(parts)
    text = cell.findtext(_VALUE)
    if not text:
        return UNCALCULATED if cell.find(_FORMULA) is not None else None
    if kind == "n":
        style = cell.get("s", "0")
        return number(text, int(style) if style.isdigit() else 0)
    if kind == "s":
        index = int(text) if text.isdigit() else -1
        if 0 <= index < len(strings):
            return strings[index]
        return Flagged("expected a value; the cell refers to a text the workbook lacks (damaged)")
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return Flagged(f"expected a value, got the Excel error {text[:40]}")
    if kind == "d":
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            return Flagged(f"expected a date, got a date cell holding {text[:40]}")
    return Flagged(f"expected a value, got a cell of unknown type {kind[:20]}")
