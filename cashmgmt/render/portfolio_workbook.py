"""A book's summary as an Excel workbook for the department (openpyxl): one sheet per view
(opportunities, by segment, by country, by product, coverage plan, problems, assumptions),
each with a styled and frozen header row, number formats, column widths and an autofilter;
figures are written as exact numbers (Decimals), never rounded floats. English or Simplified
Chinese headings, from the same catalog as the documents. Written atomically
(`files.write_output`), and the same summary always gives the same bytes (the workbook's
dates are fixed)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cashmgmt.files import write_output
from cashmgmt.portfolio.report import BookSummary, Total
from cashmgmt.render.environment import make_gettext
from cashmgmt.render.i18n import check_language
from cashmgmt.render.palette import DEFAULT_COLOURS
from cashmgmt.render.portfolio_labels import (
    SHEET_NAMES,
    assumptions,
    country_label,
    product_label,
    segment_label,
    team_label,
)

#: Excel number formats: USD with cents, whole counts.
USD_FORMAT = '#,##0.00" USD"'
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
#: The workbook's creation date, fixed so the same summary gives the same bytes.
FIXED_DATE = datetime(2026, 1, 1)
WIDEST_COLUMN = 60


def workbook(summary: BookSummary, language: str = "en") -> Workbook:
    """The summary as an openpyxl Workbook (see the module's docstring)."""
    check_language(language)
    _ = make_gettext(language)
    book = Workbook()
    book.properties.created = FIXED_DATE
    book.properties.modified = FIXED_DATE
    book.properties.creator = "cashmgmt"
    book.properties.title = _("Portfolio summary")
    first = book.active
    assert first is not None
    book.remove(first)

    _sheet(
        book,
        _(SHEET_NAMES["opportunities"]),
        [
            (_("Rank"), COUNT_FORMAT),
            (_("Client"), None),
            (_("Case"), None),
            (_("Segment"), None),
            (_("Country"), None),
            (_("Recommended solution"), None),
            (_("Products"), None),
            (_("Currency"), None),
            (_("Client benefit per year"), MONEY_FORMAT),
            (_("Client benefit per year (USD)"), USD_FORMAT),
            (_("Bank-side value per year (USD)"), USD_FORMAT),
            (_("Approvals needed"), None),
            (_("Readiness"), None),
        ],
        [
            [
                o.rank,
                o.client,
                o.case,
                segment_label(o.segment, language),
                country_label(o.country, language),
                "; ".join(o.solution),
                "; ".join(product_label(p, language) for p in o.products),
                o.currency,
                o.client_benefit,
                o.client_benefit_usd,
                o.bank_value_usd,
                "; ".join(o.approvals),
                o.readiness,
            ]
            for o in summary.opportunities
        ],
    )
    for key, totals, label in (
        ("segment", summary.by_segment, segment_label),
        ("country", summary.by_country, country_label),
        ("product", summary.by_product, product_label),
    ):
        name = {"segment": _("Segment"), "country": _("Country"), "product": _("Product")}[key]
        _sheet(
            book,
            _(SHEET_NAMES[key]),
            _total_columns(name, language),
            [_total_row(t, label(t.key, language)) for t in totals]
            + ([] if key == "product" else [_total_row(summary.book, _("Book"))]),
            bold_last=key != "product",
        )
    lines = [
        [
            segment_label(line.segment, language),
            team_label(team.team, language),
            team.clients,
            team.relationship_managers,
            team.cash_specialists,
            team.credit_specialists,
            team.ratio,
        ]
        for line in summary.coverage
        for team in line.teams
    ] + [
        [
            segment_label(line.segment, language),
            _("Online banking and branches"),
            line.clients,
            0,
            0,
            0,
            "–",
        ]
        for line in summary.coverage
        if not line.teams
    ]
    lines.append(
        [
            _("Book"),
            "",
            sum(line.clients for line in summary.coverage),
            sum(line.relationship_managers for line in summary.coverage),
            sum(line.cash_specialists for line in summary.coverage),
            sum(line.credit_specialists for line in summary.coverage),
            "",
        ]
    )
    _sheet(
        book,
        _(SHEET_NAMES["coverage"]),
        [
            (_("Segment"), None),
            (_("Team"), None),
            (_("Clients"), COUNT_FORMAT),
            (_("Relationship managers"), COUNT_FORMAT),
            (_("Cash-management product specialists"), COUNT_FORMAT),
            (_("Credit product specialists"), COUNT_FORMAT),
            (_("Coverage ratio (RM : cash : credit)"), None),
        ],
        lines,
        bold_last=True,
    )
    _sheet(
        book,
        _(SHEET_NAMES["problems"]),
        [(_("Case"), None), (_("File"), None), (_("Place"), None), (_("What was expected"), None)],
        [
            [case, p.file, p.where, p.message]
            for case, problems in summary.problems
            for p in problems
        ],
    )
    _sheet(
        book,
        _(SHEET_NAMES["assumptions"]),
        [(_("Assumption"), None), (_("Value"), None), (_("Source"), None)],
        [list(item) for item in assumptions(summary, language)],
    )
    return book


def workbook_bytes(summary: BookSummary, language: str = "en") -> bytes:
    """The workbook as .xlsx bytes, the same for the same summary: the package's parts are
    repacked with a fixed date (openpyxl stamps each part and the properties with the
    clock)."""
    buffer = io.BytesIO()
    workbook(summary, language).save(buffer)
    out = io.BytesIO()
    stamp = FIXED_DATE.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _MODIFIED.sub(
                    lambda m: m[1] + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ") + m[2], data.decode()
                ).encode()
            part = zipfile.ZipInfo(item.filename, date_time=stamp)
            part.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(part, data)
    return out.getvalue()


_MODIFIED = re.compile(r"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)")


def write_workbook(
    summary: BookSummary, path: str | Path, language: str = "en", inputs: Iterable[Path] = ()
) -> Path:
    """Write the workbook to `path` atomically, never over one of `inputs`."""
    return write_output(path, workbook_bytes(summary, language), inputs)


def _total_columns(name: str, language: str) -> list[tuple[str, str | None]]:
    _ = make_gettext(language)
    return [
        (name, None),
        (_("Clients"), COUNT_FORMAT),
        (_("Opportunities"), COUNT_FORMAT),
        (_("Client benefit per year (USD)"), USD_FORMAT),
        (_("Bank-side value per year (USD)"), USD_FORMAT),
    ]


def _total_row(total: Total, label: str) -> list[Any]:
    return [
        label,
        total.clients,
        total.opportunities,
        total.client_benefit_usd,
        total.bank_value_usd,
    ]


def _sheet(
    book: Workbook,
    title: str,
    columns: Sequence[tuple[str, str | None]],
    rows: Sequence[Sequence[Any]],
    *,
    bold_last: bool = False,
) -> Worksheet:
    """One formatted sheet: a coloured bold header row frozen at the top, the rows with
    their number formats, an autofilter over the table and columns as wide as their text."""
    sheet: Worksheet = book.create_sheet(title[:31])
    primary = DEFAULT_COLOURS["primary"].lstrip("#")
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", start_color=primary, end_color=primary)
    sheet.append([name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for values in rows:
        sheet.append(list(values))  # Decimals stay exact numbers
    widths = [_width(name) for name, _ in columns]
    for index, (_name, number_format) in enumerate(columns, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if number_format and isinstance(cell.value, (int, float, Decimal)):
                cell.number_format = number_format
                text = f"{cell.value:,.2f}" if number_format != COUNT_FORMAT else f"{cell.value:,}"
                widths[index - 1] = max(widths[index - 1], len(text) + 5)
            elif cell.value is not None:
                widths[index - 1] = max(widths[index - 1], _width(str(cell.value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, WIDEST_COLUMN)
    if bold_last and rows:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    return sheet


def _width(text: str) -> int:
    """Columns a text needs: Chinese characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
