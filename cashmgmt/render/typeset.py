"""The last pass over a rendered document's HTML, shared by the PDF and the screen versions.

- **Self-contained.** The stylesheet the templates link (`style.css`) is written inline, and
  the theme's logo (a `file:` URL) becomes a `data:` URL, so the HTML written by
  `propose --html` opens styled anywhere, fetches nothing, and the PDF is made from the very
  same text. A viewport tag makes phones lay it out at their own width.
- **Table headers repeat.** A table's first row made only of header cells is put in a
  `<thead>`, which WeasyPrint repeats at the top of every page the table continues on.
- **Tables scroll inside their box on a screen.** Each table is wrapped in a
  `div.table-box` (plain block in print; `overflow-x: auto` under `@media screen`).
- **Chinese terms are not split** (`keep_terms`, applied by `write_pdf` only, so the HTML
  a reader or a test sees keeps its text as written). In a Chinese document, a run of at most
  `CJK_TERM_MAX` Chinese characters inside a table cell (a product, an area, a country, a
  step's owner) is kept on one line (`span.term`, `white-space: nowrap`), so a narrow column
  widens instead of breaking 信息报告 into 信息报/告. Longer runs (sentences, long company
  names) still break between characters, as Chinese text does. WeasyPrint has no
  `word-break: keep-all`, so this is done in the HTML; browsers get `keep-all` on the first
  column and the headers from the stylesheet instead.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from cashmgmt.render.pdf import MIME
from cashmgmt.render.theme import templates_dir

#: The longest run of Chinese characters in a table cell kept on one line: terms such as
#: 投融资管理 (5) or 所有国家和地区 (7); a run longer than this is text and may break.
CJK_TERM_MAX = 8

_LINK = re.compile(r'<link rel="stylesheet" href="style\.css">')
_FILE_SRC = re.compile(r'src="(file://[^"]+)"')
_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_HEAD_ROW = re.compile(r"\A(\s*)(<tr\b[^>]*>(?:\s*<th\b[^>]*>.*?</th>)+\s*</tr>)", re.S)
_CELL = re.compile(r"(<t[dh]\b[^>]*>)(.*?)(</t[dh]>)", re.S)
_TEXT = re.compile(r"(<[^>]*>)")
#: A run of CJK ideographs (and the ideographic middle dot) not broken by space or a tag.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CHINESE = re.compile(r'<html lang="zh')
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def stylesheet() -> str:
    """The documents' stylesheet (templates/style.css)."""
    return (templates_dir() / "style.css").read_text(encoding="utf-8")


def data_url(path: Path) -> str:
    """A file as a base64 `data:` URL."""
    mime = MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def finish(html: str, logo: Path | None = None) -> str:
    """The document's HTML made self-contained, with table heads and scroll boxes; see the
    module's docstring."""
    css = stylesheet().replace("</", "<\\/")  # never closes the <style> element early
    html = _LINK.sub(lambda _: f"{VIEWPORT}\n<style>\n{css}</style>", html, count=1)
    if logo is not None:
        uri, inline = logo.as_uri(), data_url(logo)
        html = _FILE_SRC.sub(lambda m: f'src="{inline}"' if m[1] == uri else m[0], html)
    return _TABLE.sub(lambda m: _table(m[1], m[2]), html)


def _table(attributes: str, body: str) -> str:
    """One table, with its header row in a thead, wrapped in a scroll box."""
    if "<thead" not in body:
        body = _HEAD_ROW.sub(r"\1<thead>\2</thead>", body, count=1)
    return f'<div class="table-box"><table{attributes}>{body}</table></div>'


def keep_terms(html: str) -> str:
    """In a Chinese document (`<html lang="zh…">`), each short run of Chinese characters in
    a table cell kept on one line; any other document unchanged."""
    if not _CHINESE.search(html[:500]):
        return html
    return _TABLE.sub(lambda m: _CELL.sub(lambda c: c[1] + _terms(c[2]) + c[3], m[0]), html)


def _terms(cell: str) -> str:
    """A cell's HTML with each short run of Chinese characters kept on one line."""
    parts = _TEXT.split(cell)
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = _CJK_RUN.sub(_term, parts[i])
    return "".join(parts)


def _term(match: re.Match[str]) -> str:
    run = match[0]
    return f'<span class="term">{run}</span>' if 1 < len(run) <= CJK_TERM_MAX else run
