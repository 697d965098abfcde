"""Typesetting of the PDF proposal (issue 14): headings kept with their content, table
headers repeated on continued pages, no near-empty pages, Chinese terms never split in a
narrow column, a real CJK bold and a Latin typeface better than the Linux default, the
client's name on the cover larger than "Prepared by", and no font warnings on stderr.

Page geometry is read with poppler's `pdftotext -bbox` (poppler-utils, `make system`)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from html import unescape
from pathlib import Path
from typing import cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

import cashmgmt
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.typeset import CJK_TERM_MAX, finish, keep_terms

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ON = date(2026, 11, 30)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pages(pdf: bytes) -> list[Page]:
    """Each page's words with their boxes (points from the top left), from pdftotext."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        Page(
            float(height),
            tuple(
                Word(unescape(w[4]), float(w[0]), float(w[1]), float(w[2]), float(w[3]))
                for w in _WORD.findall(body)
            ),
        )
        for _, height, body in _PAGE.findall(out)
    ]


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts the PDF embeds (subset prefix dropped)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = cast(DictionaryObject, page["/Resources"])
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    """Aurora in English and Huaxia in Chinese, as PDF."""
    out = {}
    for name, language in (("aurora-industrial", "en"), ("huaxia-liquor", "zh-CN")):
        case = cashmgmt.load_case(EXAMPLES / name)
        out[f"{name}/{language}"] = cashmgmt.propose(case, language=language, on=ON).pdf()
    return out


def _page(body: str, language: str = "en") -> str:
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="style.css"></head><body>{body}</body></html>'
    )


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    rows = "".join(f"<tr><td>row {i}</td><td class='num'>{i}</td></tr>" for i in range(160))
    html = finish(_page(f"<table><tr><th>Account</th><th>Balance</th></tr>{rows}</table>"))
    assert "<thead><tr><th>Account</th>" in html
    printed = pages(write_pdf(html))
    assert len(printed) >= 3
    for page in printed:
        assert "Account Balance" in page.text, page.text[:80]


def test_a_header_never_ends_a_page_with_one_row_under_it() -> None:
    # Text fills the page so that the table starts two rows above the page foot.
    filler = "".join(f"<p>Line {i}</p>" for i in range(44))
    rows = "".join(f"<tr><td>row {i}</td></tr>" for i in range(12))
    html = finish(_page(f"{filler}<table><tr><th>Head</th></tr>{rows}</table>"))
    for page in pages(write_pdf(html)):
        if "Head" in page.text:
            assert len(re.findall(r"row \d+", page.text)) >= 2, page.text[-120:]


def test_chinese_terms_in_a_narrow_column_stay_whole() -> None:
    """The defect of issue 14: 信息报/告, 投融/资管/理 split in the products table."""
    terms = ["信息报告", "投融资管理", "流动性管理", "所有国家和地区"]
    long_text = "由银行作为受托人办理境内集团成员之间的借款，将每笔归集或下拨记为委托贷款。" * 3
    rows = "".join(f"<tr><td>产品</td><td>{t}</td><td>{long_text}</td></tr>" for t in terms)
    table = f"<table><tr><th>产品</th><th>领域</th><th>功能</th></tr>{rows}</table>"
    html = finish(_page(table, "zh-CN"))
    assert '<span class="term">投融资管理</span>' in keep_terms(html)
    assert "term" not in html.split("</style>")[1]  # the HTML keeps its text; the PDF pass
    lines = {w.text for page in pages(write_pdf(html)) for w in page.words}
    for term in terms:
        assert term in lines, f"{term} was split: {sorted(lines)[:20]}"


def test_only_short_chinese_runs_are_kept_together() -> None:
    short, long = "信" * CJK_TERM_MAX, "信" * (CJK_TERM_MAX + 1)
    html = keep_terms(_page(f"<table><tr><td>{short}，{long}</td></tr></table>", "zh-CN"))
    assert f'<span class="term">{short}</span>，{long}<' in html
    assert 'class="term"' not in keep_terms(_page(f"<table><tr><td>{short}</td></tr></table>"))


def test_chinese_headings_are_set_in_a_real_bold_and_latin_in_noto_sans(
    documents: dict[str, bytes],
) -> None:
    zh = embedded_fonts(documents["huaxia-liquor/zh-CN"])
    assert "Noto-Sans-CJK-SC-Bold" in zh, zh
    assert not any("WenQuanYi" in f for f in zh), zh
    en = embedded_fonts(documents["aurora-industrial/en"])
    assert {"Noto-Sans", "Noto-Sans-Bold"} <= en, en
    assert not any("DejaVu" in f for f in en), en


def test_no_near_empty_pages(documents: dict[str, bytes]) -> None:
    """Every page but the cover, the contents and the last is at least half filled: its
    lowest text ends below the middle of the page (charts and diagrams carry text too)."""
    for name, pdf in documents.items():
        printed = pages(pdf)
        for number, page in enumerate(printed[1:-1], start=2):
            if page.words and any(w.text in ("Contents", "目录") for w in page.words[:6]):
                continue
            body = [w for w in page.words if not re.fullmatch(r"\d+|Page|of|第|页，共|页", w.text)]
            body = [w for w in body if w.y1 < page.height - 60]  # the running footer
            lowest = max(w.y1 for w in body)
            assert lowest > page.height / 2, f"{name} page {number} ends at {lowest:.0f} pt"


def test_the_clients_name_on_the_cover_is_larger_than_prepared_by(
    documents: dict[str, bytes],
) -> None:
    cover = pages(documents["aurora-industrial/en"])[0]
    size: dict[str, float] = {}
    for w in cover.words:  # the first of each word: the client's name before the small print
        size.setdefault(w.text, w.y1 - w.y0)
    assert size["Aurora"] > 1.3 * size["Prepared"]
    cover = pages(documents["huaxia-liquor/zh-CN"])[0]
    client = next(w for w in cover.words if w.text.startswith("华夏酒业集团"))
    prepared = next(w for w in cover.words if "编制于" in w.text)
    assert client.y1 - client.y0 > 1.3 * (prepared.y1 - prepared.y0)


def test_a_render_prints_no_font_warning(tmp_path: Path) -> None:
    """Every run used to print "findfont: Failed to find font weight bold for WenQuanYi
    Micro Hei": the charts now lay text out only in fonts with a bold."""
    script = "import sys; sys.argv[0] = 'cashmgmt'; from cashmgmt.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, "propose", str(EXAMPLES / "huaxia-liquor"), "-o",
         str(tmp_path / "p.pdf"), "--lang", "zh-CN", "--date", "2026-11-30"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "findfont" not in done.stderr and "Glyph" not in done.stderr, done.stderr
    assert done.stderr.strip() == "", done.stderr
