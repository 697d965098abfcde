"""Balance and FX tables against hostile and damaged files: each ends in one located problem,
in bounded time and memory; valid quirks (trailing commas, empty formatted columns) pass.

Every workbook is made here with openpyxl and damaged by editing its zip.
"""

from __future__ import annotations

import os
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from casekit import BASE_BALANCES, BASE_CASE
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from cashmgmt import CaseError, load_case
from cashmgmt.cli import EXIT_BAD_INPUT, cli
from cashmgmt.inputs import limits, tables
from cashmgmt.money import exponent, parse_minor

CaseDir = Callable[..., Path]
SHEET = "xl/worksheets/sheet1.xml"


def problems_of(path: Path) -> list[str]:
    """The problem lines a broken case gives (fails if it loads)."""
    with pytest.raises(CaseError) as info:
        load_case(path)
    lines = [str(p) for p in info.value.problems]
    for line in lines:  # never a Python repr or type name
        assert not re.search(r"datetime\.|b'|Error\b|Decimal\(|<class", line), line
    return lines


def one_problem(path: Path, where: str, words: str) -> str:
    """The one problem of a case (fails unless there is exactly one, at `where`, with
    `words` in it)."""
    lines = problems_of(path)
    assert len(lines) == 1, lines
    assert where in lines[0] and words in lines[0], lines
    return lines[0]


def base_book(*, values: bool = True) -> Workbook:
    """The base case's balances as a long-form workbook (dates as date cells)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Balances"
    sheet.append(["date", "account", "balance"])
    for line in BASE_BALANCES.splitlines()[1:]:
        day, account, amount = line.split(",")
        sheet.append([date.fromisoformat(day), account, float(amount) if values else amount])
    return book


def xlsx_case(case_dir: CaseDir, book: Workbook | None = None) -> Path:
    """A case folder whose balances are balances.xlsx (the base figures unless `book`)."""
    folder = case_dir()
    (book or base_book()).save(folder / "balances.xlsx")
    text = (folder / "case.yaml").read_text().replace("balances.csv", "balances.xlsx")
    (folder / "case.yaml").write_text(text)
    return folder


def rezip(file: Path, edit: Callable[[str, bytes], bytes | None], *, stored: bool = False) -> None:
    """Rewrite a zip, passing each member through `edit` (None drops the member)."""
    with zipfile.ZipFile(file) as archive:
        members = [(i.filename, archive.read(i.filename)) for i in archive.infolist()]
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(file, "w", method) as archive:
        for name, data in members:
            new = edit(name, data)
            if new is not None:
                archive.writestr(name, new)


def edit_sheet(file: Path, change: Callable[[str], str]) -> None:
    """Rewrite the first sheet's XML text."""
    rezip(file, lambda name, data: change(data.decode()).encode() if name == SHEET else data)


# ------------------------------------------------------------------------------- CSV


def test_trailing_commas_are_empty_cells_and_accepted(case_dir: CaseDir) -> None:
    expected = load_case(case_dir()).balances
    trailing = "\n".join(line + ",," for line in BASE_BALANCES.splitlines()) + "\n"
    assert load_case(case_dir(balances=trailing)).balances == expected
    wide = (
        "date,HQ-CNY,EAST-CNY,NOR-USD,,\n"
        "2025-01-01,1000.00,-50.50,20.00,,\n"
        "2025-01-03,1200.00,,,,\n"
        "2025-01-06,900.00,-70.00,25.00,\n"
    )
    assert load_case(case_dir(balances=wide)).balances == expected


def test_a_figure_beyond_the_header_is_located(case_dir: CaseDir) -> None:
    wide = "date,HQ-CNY,EAST-CNY,NOR-USD\n2025-01-01,1,2,3,4\n"
    one_problem(case_dir(balances=wide), "row 2, column #5", "at most 4 cells")


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (b"date,account,balance\n2025-01-01,HQ-CNY,1\x00\n", "row 2", "NUL byte"),
        (b"date,account,balance\n2025-01-01,\xc4\xfe\xb3,1\n", "row 2", "UTF-8"),
        ("date,account,balance\n".encode("utf-16"), "balances.csv", "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "row 3", "NUL byte"),
        (b"date,account,balance\n\x00\x00\x00\n", "row 2", "NUL byte"),
    ],
)
def test_csv_that_is_not_utf8_text_is_one_located_problem(
    case_dir: CaseDir, content: bytes, where: str, words: str
) -> None:
    folder = case_dir()
    (folder / "balances.csv").write_bytes(content)
    one_problem(folder, where, words)


def test_csv_rows_columns_lines_and_size_are_bounded(
    case_dir: CaseDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_TABLE_ROWS", 5)
    one_problem(case_dir(), "row 6", "at most 5 rows")
    monkeypatch.setattr(tables, "MAX_TABLE_ROWS", limits.MAX_TABLE_ROWS)
    monkeypatch.setattr(tables, "MAX_TABLE_COLUMNS", 3)
    one_problem(case_dir(balances="date,HQ-CNY,EAST-CNY,NOR-USD\n"), "row 1", "3 columns")
    monkeypatch.setattr(tables, "MAX_TABLE_LINE_CHARS", 30)
    one_problem(
        case_dir(balances="date,account,balance\n" + "9" * 40), "row 2", "at most 30 characters"
    )
    monkeypatch.setattr(tables, "MAX_TABLE_BYTES", 100)
    one_problem(case_dir(), "balances.csv", "at most 0 MB")


def test_a_wide_csv_is_streamed_in_bounded_memory(case_dir: CaseDir) -> None:
    # 4,000 days x (3 accounts + 2,000 empty cells): 8 MB, which held as cells took ~70 MB.
    start = date(2010, 1, 1)
    rows = ["date,HQ-CNY,EAST-CNY,NOR-USD"]
    pad = "," * 2000
    rows += [f"{start + timedelta(days=d)},1.00,2.00,3.00{pad}" for d in range(4000)]
    fx = ["date,currency,rate"] + [f"{start + timedelta(days=d)},USD,7" for d in range(4000)]
    folder = case_dir(balances="\n".join(rows) + "\n", fx="\n".join(fx) + "\n")
    assert (folder / "balances.csv").stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        case = load_case(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert case.balances.minor.shape == (3, 4000)
    assert peak < 12_000_000, peak


def test_a_huge_exponent_or_a_date_for_an_amount_is_located(case_dir: CaseDir) -> None:
    huge = BASE_BALANCES.replace("1000.00", "1E+1000000")
    one_problem(
        case_dir(balances=huge),
        "row 2, column balance",
        "an amount in CNY below 1,000,000,000,000.00",
    )


# ------------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "name", ["/tmp/balances.csv", "../balances.csv", "data/../../b.csv", "C:\\x\\b.csv"]
)
def test_table_paths_outside_the_case_folder_are_refused(case_dir: CaseDir, name: str) -> None:
    doc = dict(BASE_CASE, balances=name)
    one_problem(case_dir(case=doc), "case.yaml: balances", "relative to the case folder")


def test_a_symbolic_link_out_of_the_case_folder_is_refused(
    case_dir: CaseDir, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text(BASE_BALANCES)
    folder = case_dir(case=dict(BASE_CASE, balances="data/balances.csv"))
    (folder / "data").mkdir()
    (folder / "data" / "balances.csv").symlink_to(outside)
    one_problem(folder, "case.yaml: balances", "inside the case folder")
    (folder / "data" / "balances.csv").unlink()
    (folder / "data" / "balances.csv").write_text(BASE_BALANCES)
    assert load_case(folder).balances == load_case(case_dir()).balances  # a subfolder is fine


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_a_table_without_read_permission_is_located(case_dir: CaseDir) -> None:
    folder = case_dir()
    (folder / "balances.csv").chmod(0)
    try:
        one_problem(folder, "balances.csv", "cannot be read")
    finally:
        (folder / "balances.csv").chmod(0o644)


def test_a_table_the_system_refuses_to_open_is_located(
    case_dir: CaseDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, book = case_dir(), xlsx_case(case_dir)
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self.name in ("balances.csv", "balances.xlsx"):
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    one_problem(folder, "balances.csv", "cannot be read (Permission denied)")
    one_problem(book, "balances.xlsx", "cannot be read (Permission denied)")


# ------------------------------------------------------------------------------ xlsx


def test_a_formula_without_a_cached_value_is_located(case_dir: CaseDir) -> None:
    book = base_book()
    sheet = book.active
    assert sheet is not None
    sheet["C4"] = "=C2*2"  # openpyxl stores formulas without a value, as a script would
    one_problem(xlsx_case(case_dir, book), "row 4, column balance", "formula Excel has not")


def test_a_formula_with_a_cached_value_is_read_through_it(case_dir: CaseDir) -> None:
    folder = xlsx_case(case_dir)
    edit_sheet(
        folder / "balances.xlsx",
        lambda xml: re.sub(r'(<c r="C2"[^>]*>)<v>[^<]*</v>', r"\1<f>500*2</f><v>1000</v>", xml),
    )
    assert "<f>500*2</f>" in zipfile.ZipFile(folder / "balances.xlsx").read(SHEET).decode()
    assert load_case(folder).balances == load_case(case_dir()).balances


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("INF", "number cell holding INF"),
        ("NaN", "number cell holding NaN"),
        ("1E+1000000", "finite number"),
    ],
)
def test_number_cells_that_are_not_finite_are_located(
    case_dir: CaseDir, value: str, words: str
) -> None:
    folder = xlsx_case(case_dir)
    edit_sheet(
        folder / "balances.xlsx",
        lambda xml: re.sub(r'(<c r="C3"[^>]*>)<v>[^<]*</v>', rf"\1<v>{value}</v>", xml),
    )
    one_problem(folder, "[sheet Balances]: row 3, column balance", words)


def test_error_date_and_logical_cells_are_named_plainly(case_dir: CaseDir) -> None:
    book = base_book()
    sheet = book.active
    assert sheet is not None
    sheet["C2"] = date(2025, 1, 1)
    sheet["C3"] = True
    folder = xlsx_case(case_dir, book)
    edit_sheet(
        folder / "balances.xlsx",
        lambda xml: re.sub(r'<c r="C4"[^>]*>.*?</c>', '<c r="C4" t="e"><v>#DIV/0!</v></c>', xml),
    )
    lines = problems_of(folder)
    assert any("row 2, column balance" in x and "got the date 2025-01-01" in x for x in lines)
    assert any("row 3, column balance" in x and "the logical value TRUE" in x for x in lines)
    assert any("row 4, column balance" in x and "Excel error #DIV/0!" in x for x in lines)


def test_empty_formatted_columns_and_rows_are_ignored(case_dir: CaseDir) -> None:
    book = base_book()
    sheet = book.active
    assert sheet is not None
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(1, 40):
        for column in range(4, 30):
            sheet.cell(row, column).fill = fill  # formatted, empty
    folder = xlsx_case(case_dir, book)
    assert (
        '<dimension ref="A1:AC39"' in zipfile.ZipFile(folder / "balances.xlsx").read(SHEET).decode()
    )
    assert load_case(folder).balances == load_case(case_dir()).balances


def test_a_dimension_claiming_the_whole_sheet_costs_nothing(case_dir: CaseDir) -> None:
    folder = xlsx_case(case_dir)
    edit_sheet(
        folder / "balances.xlsx",
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml),
    )
    begin = time.perf_counter()
    assert load_case(folder).balances == load_case(case_dir()).balances
    assert time.perf_counter() - begin < 5


def test_a_row_or_column_beyond_the_bounds_is_located(case_dir: CaseDir) -> None:
    folder = xlsx_case(case_dir)
    last = limits.MAX_TABLE_ROWS + 1
    far = f'<row r="{last}"><c r="A{last}"><v>1</v></c></row>'
    edit_sheet(
        folder / "balances.xlsx", lambda xml: xml.replace("</sheetData>", far + "</sheetData>")
    )
    one_problem(folder, f"row {limits.MAX_TABLE_ROWS + 1}", "rows in a table")
    folder = xlsx_case(case_dir)
    wide = '<c r="XFE1"><v>1</v></c>'
    edit_sheet(folder / "balances.xlsx", lambda xml: xml.replace("</row>", wide + "</row>", 1))
    one_problem(folder, "row 1", "columns in a table")


def test_a_hidden_first_sheet_is_refused_not_read(case_dir: CaseDir) -> None:
    book = base_book()
    stale = book.create_sheet("Old", 0)
    stale.append(["date", "account", "balance"])
    stale.sheet_state = "hidden"
    one_problem(xlsx_case(case_dir, book), "[sheet Old]", "first sheet, which is hidden")
    book = base_book()
    book.create_sheet("Notes").sheet_state = "hidden"  # a later hidden sheet is no matter
    assert load_case(xlsx_case(case_dir, book)).balances == load_case(case_dir()).balances


def _damage_crc(file: Path) -> None:
    rezip(file, lambda name, data: data, stored=True)
    raw = bytearray(file.read_bytes())
    at = raw.index(b"EAST-CNY")
    raw[at] = ord("W")
    file.write_bytes(bytes(raw))


DAMAGES: dict[str, Callable[[Path], object]] = {
    "no worksheets": lambda f: rezip(
        f,
        lambda n, d: (
            re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", d) if n == "xl/workbook.xml" else d
        ),
    ),
    "missing sheet part": lambda f: rezip(f, lambda n, d: None if n == SHEET else d),
    "truncated sheet XML": lambda f: rezip(f, lambda n, d: d[: len(d) // 2] if n == SHEET else d),
    "malformed sheet XML": lambda f: rezip(
        f, lambda n, d: d.replace(b"</row>", b"</rox>", 1) if n == SHEET else d
    ),
    "corrupt styles": lambda f: rezip(
        f, lambda n, d: b"<styleSheet><<fonts" if n == "xl/styles.xml" else d
    ),
    "bad CRC": _damage_crc,
    "truncated zip": lambda f: f.write_bytes(f.read_bytes()[:300]),
    "empty file": lambda f: f.write_bytes(b""),
    "CSV renamed": lambda f: f.write_text(BASE_BALANCES),
    ".xls renamed": lambda f: f.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(2000)),
    "password-protected": lambda f: f.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600) + "EncryptionInfo".encode("utf-16-le")
    ),
    "random bytes": lambda f: f.write_bytes(bytes(range(256)) * 4),
}

WORDS = {
    "no worksheets": "at least one sheet",
    "missing sheet part": "damaged",
    "truncated sheet XML": "damaged",
    "malformed sheet XML": "damaged",
    "corrupt styles": "damaged",
    "bad CRC": "checksum",
    "truncated zip": "damaged",
    "empty file": "the file is empty",
    "CSV renamed": "the file is text",
    ".xls renamed": "Excel 97-2003 workbook (.xls)",
    "password-protected": "password-protected",
    "random bytes": "not a workbook",
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_or_foreign_workbook_is_one_plain_message(case_dir: CaseDir, damage: str) -> None:
    folder = xlsx_case(case_dir)
    DAMAGES[damage](folder / "balances.xlsx")
    line = one_problem(folder, "balances.xlsx", WORDS[damage])
    assert "BadZipFile" not in line and "KeyError" not in line and "ParseError" not in line


def test_the_cli_exits_2_for_damaged_tables(case_dir: CaseDir) -> None:
    folder = xlsx_case(case_dir)
    DAMAGES["truncated sheet XML"](folder / "balances.xlsx")
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "damaged" in result.output
    folder = case_dir(balances="date,account,balance\n\x00\n")
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output


def test_fx_tables_take_the_same_path(case_dir: CaseDir) -> None:
    trailing = (
        "date,currency,rate,,\n2025-01-01,USD,7.20,,\n2025-01-03,USD,7.21\n2025-01-17,USD,7.21,\n"
    )
    folder = case_dir(fx=trailing)
    assert load_case(folder).fx == load_case(case_dir()).fx
    folder = case_dir(fx="date,currency,rate\n2025-01-01,USD,7.20\n2025-01-01,USD,7.3\n")
    one_problem(folder, "fx.csv: row 3, column date", "given at row 2 too")
    doc = dict(BASE_CASE, fx_rates="../fx.csv")
    assert any("fx_rates" in line for line in problems_of(case_dir(case=doc)))


def test_the_documented_table_bounds_are_those_of_the_code() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "case-format.md").read_text()
    for name, value in [
        ("MAX_TABLE_BYTES", f"({limits.MAX_TABLE_BYTES // 2**20} MB"),
        ("MAX_TABLE_ROWS", f"({limits.MAX_TABLE_ROWS:,}"),
        ("MAX_TABLE_COLUMNS", f"({limits.MAX_TABLE_COLUMNS:,}"),
        ("MAX_TABLE_LINE_CHARS", f"({limits.MAX_TABLE_LINE_CHARS:,})"),
    ]:
        at = text.index(f"`{name}`")
        assert value in text[at : at + 60].replace("\n", " ").replace("  ", " "), name


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"\s?-?[0-9]{0,20}(\.[0-9]{0,20})?\s?", fullmatch=True),
        st.text(alphabet="-.0123456789１²eE+ _", max_size=12),
    ),
    st.sampled_from(["JPY", "GBP", "KWD"]),
)
def test_the_fast_path_reads_an_amount_as_the_one_number_parser_does(
    text: str, currency: str
) -> None:
    """Oracle: money.parse_minor. The wide tables' integer fast path either declines a cell
    or gives exactly what the one number parser gives."""
    fast = tables._plain_minor(text, exponent(currency))
    if fast is None:
        return
    assert fast == parse_minor(text.strip(), currency)
