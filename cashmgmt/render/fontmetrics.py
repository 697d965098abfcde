"""Text widths measured with the fonts the documents use, not guessed per character.

Each family of `palette.FONT_FAMILY` is resolved to a font file the way WeasyPrint resolves it
(fontconfig, through `fc-match`; matplotlib's font manager where `fc-match` is missing), and
each character is measured with the horizontal advance of its glyph (fontTools' `hmtx`) in
the first family that has it, as the renderer falls back from family to family. Kerning is
left out, so a measured width is never short of the drawn one by more than a kerning pair.
A bold face the system lacks (WenQuanYi Micro Hei has none) is emboldened by the renderer;
its advance is counted a little wider (`SYNTHETIC_BOLD`).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import attrs
from fontTools.ttLib import TTCollection, TTFont

from cashmgmt.render.palette import FONT_FAMILY

#: How much wider a synthetically emboldened glyph is counted (a safe margin).
SYNTHETIC_BOLD = 1.06
#: The advance, in em, counted for a character no font has (the renderer's "tofu" box).
MISSING_ADVANCE = 1.0


@attrs.frozen
class FaceMetrics:
    """One font face's advances: character → advance in em; `bold` if the face is bold."""

    path: str
    advances: Mapping[str, float] = attrs.field(repr=False)
    bold: bool


def _fc_match(pattern: str) -> tuple[str, int] | None:
    """The font file (and face index in a collection) fontconfig picks for `pattern`."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--format=%{file}|%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.strip().partition("|")
    if not path or not Path(path).is_file():
        return None
    return path, int(index or 0)


def _matplotlib_match(family: str, bold: bool) -> tuple[str, int] | None:
    """The font file matplotlib's font manager picks (where fontconfig is not installed)."""
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    props = font_manager.FontProperties(family=family, weight="bold" if bold else "normal")
    try:
        return font_manager.findfont(props, fallback_to_default=True), 0
    except ValueError:
        return None


@functools.cache
def _face(path: str, index: int) -> FaceMetrics:
    """The advances of the face at `index` in the font file `path`."""
    if path.lower().endswith((".ttc", ".otc")):
        font: TTFont = TTCollection(path, lazy=True).fonts[index]
    else:
        font = TTFont(path, lazy=True)
    units = float(font["head"].unitsPerEm)
    metrics = font["hmtx"].metrics
    cmap = font.getBestCmap() or {}
    advances = {chr(code): metrics[glyph][0] / units for code, glyph in cmap.items()}
    bold = bool(font["OS/2"].usWeightClass >= 600) if "OS/2" in font else False
    return FaceMetrics(path, advances, bold)


@functools.cache
def faces(bold: bool = False) -> tuple[FaceMetrics, ...]:
    """The faces of `FONT_FAMILY`, in order, for regular or bold text (duplicates once)."""
    out: list[FaceMetrics] = []
    seen: set[tuple[str, int]] = set()
    for family in FONT_FAMILY:
        found = _fc_match(f"{family}:weight={'bold' if bold else 'regular'}")
        if found is None:
            found = _matplotlib_match(family, bold)
        if found is None or found in seen:
            continue
        seen.add(found)
        out.append(_face(*found))
    return tuple(out)


@functools.cache
def advance(ch: str, bold: bool = False) -> float:
    """`ch`'s advance in em in the first face that has it."""
    for face in faces(bold):
        width = face.advances.get(ch)
        if width is not None:
            return width * (SYNTHETIC_BOLD if bold and not face.bold else 1.0)
    return 0.0 if ch in "\u200b\u200c\u200d" else MISSING_ADVANCE


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` set at `size` (pt) in the documents' fonts, in pt."""
    return sum(advance(ch, bold) for ch in text) * size
