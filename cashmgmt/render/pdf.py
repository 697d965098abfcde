"""HTML to PDF with WeasyPrint, reading only the project's own assets, the theme's logo and
the `data:` URLs the document carries inline (see typeset.py)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

from cashmgmt.render.theme import templates_dir

MIME = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside the allowed folders or files and base64 `data:` URLs of the
    image types in MIME, and refuses everything else: no network, no other files. Refused
    URLs are kept in `refused` (WeasyPrint then leaves the resource out)."""

    def __init__(self, allowed: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.roots = [p.resolve() for p in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The file behind an allowed URL, or the bytes of a `data:` URL."""
        if url.startswith("data:"):
            return self._data(url)
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        inside = path is not None and any(path == r or r in path.parents for r in self.roots)
        if path is None or not inside or not path.is_file():
            self.refused.append(url)
            raise PermissionError(f"refused to fetch {url!r}: only the project's own assets")
        mime = MIME.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    def _data(self, url: str) -> URLFetcherResponse:
        """A base64 `data:` URL of one of the MIME types; refused otherwise."""
        head, _, payload = url.partition(",")
        mime, _, encoding = head.removeprefix("data:").partition(";")
        try:
            if encoding != "base64" or mime not in MIME.values():
                raise ValueError(mime)
            body = base64.b64decode(payload, validate=True)
        except (ValueError, binascii.Error):
            self.refused.append(url[:80])
            raise PermissionError("refused a data: URL: only base64 images and CSS") from None
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def write_pdf(html: str, logo: Path | None = None, fetcher: SafeFetcher | None = None) -> bytes:
    """Render HTML (whose relative links point into templates/) to PDF bytes."""
    from weasyprint import HTML

    from cashmgmt.render.typeset import keep_terms

    allowed = [templates_dir()] + ([logo] if logo is not None else [])
    document = HTML(
        string=keep_terms(html),
        base_url=str(templates_dir()) + "/",
        url_fetcher=fetcher or SafeFetcher(allowed),
    )
    pdf: bytes = document.write_pdf()
    return pdf
