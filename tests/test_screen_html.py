"""The HTML proposal as a web page (issue 14): self-contained (no link, no fetch), and in a
real headless browser (Debian's chromium-headless-shell or chromium, `make system`) readable
at a laptop's and a phone's width: no horizontal scrolling of the page, nothing fetched,
every image decoded. Screenshots of both widths are written to the test's tmp folder.

Without a browser the browser test skips with its reason, except in CI (CI=true), where
`make test` has installed one and a skip would hide a broken page."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cashmgmt

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ON = date(2026, 11, 30)
WIDTHS = (1280, 390)
BROWSERS = ("chromium-headless-shell", "chromium")

#: Written into the page by the test (never by cashmgmt): what the page measured once loaded.
PROBE = """<script>
window.addEventListener("load", () => {
  const root = document.documentElement;
  const images = [...document.images];
  document.body.setAttribute("data-probe", JSON.stringify({
    scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
    innerWidth: window.innerWidth,
    fetched: performance.getEntriesByType("resource").map(e => e.name),
    brokenImages: images.filter(i => !i.complete || i.naturalWidth === 0).length,
    sheets: document.styleSheets.length,
    widest: [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter(e => !e.closest(".table-box, .figure-block"))
      .slice(0, 5).map(e => e.tagName + "." + e.className),
  }));
});
</script>"""


class References(HTMLParser):
    """Every URL an HTML document refers to (src, href, xlink:href, srcset, CSS url())."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links += 1
        for name, value in attrs:
            if value and name in ("src", "href", "xlink:href", "srcset", "poster", "data"):
                self.urls.append(value)
            if value and name == "style":
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)

    def handle_data(self, data: str) -> None:
        self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
        self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """Huaxia in Chinese and Aurora in English as HTML."""
    out = {}
    for name, language in (("huaxia-liquor", "zh-CN"), ("aurora-industrial", "en")):
        case = cashmgmt.load_case(EXAMPLES / name)
        out[f"{name}-{language}"] = cashmgmt.propose(case, language=language, on=ON).html()
    return out


def test_html_is_self_contained(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        refs = References()
        refs.feed(html)
        assert refs.links == 0, name
        external = [u for u in refs.urls if not u.startswith(("#", "data:"))]
        assert external == [], (name, external[:5])
        assert "@page" in html and "@media screen" in html  # the stylesheet, inline
        assert 'name="viewport"' in html


def test_the_letter_is_self_contained_too() -> None:
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    refs = References()
    refs.feed(cashmgmt.letter(case, on=ON).html())
    assert refs.links == 0
    assert [u for u in refs.urls if not u.startswith(("#", "data:"))] == []


def browser() -> str | None:
    for name in BROWSERS:
        if path := shutil.which(name):
            return path
    return None


def _run(binary: str, width: int, url: str, *action: str) -> str:
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--virtual-time-budget=3000",
         f"--window-size={width},900", *action, url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_html_in_a_real_browser_at_laptop_and_phone_width(
    pages: dict[str, str], tmp_path: Path
) -> None:
    binary = browser()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("no headless browser in CI: `make system` installs chromium-headless-shell")
        pytest.skip("no chromium-headless-shell or chromium here; `make system` installs one")
    for name, html in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        for width in WIDTHS:
            dom = _run(binary, width, page.as_uri(), "--dump-dom")
            found = re.search(r'data-probe="([^"]*)"', dom)
            assert found, f"{name} at {width}px: the page did not load"
            probe = json.loads(found[1].replace("&quot;", '"').replace("&amp;", "&"))
            assert probe["innerWidth"] == width, probe
            assert probe["scrollWidth"] <= width, (name, width, probe)
            assert probe["fetched"] == [], (name, probe["fetched"])
            assert probe["brokenImages"] == 0, probe
            assert probe["sheets"] >= 1, probe
            shot = tmp_path / f"{name}-{width}.png"
            _run(binary, width, page.as_uri(), f"--screenshot={shot}")
            assert _png_size(shot) == (width, 900)
            assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
