"""The look diagrams and charts share: theme colours with their defaults, tints, fonts, and
the style that scales an SVG to the page."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: The default theme colours (templates/themes/default.yaml).
DEFAULT_COLOURS: Mapping[str, str] = MappingProxyType(
    {"primary": "#0B3D91", "accent": "#C8102E", "text": "#1F2937", "muted": "#6B7280"}
)
#: The colour of a gain (the headline benefit, the recommended candidate's bar): a dark
#: green whatever the theme, since a bank's accent is often red and a gain is never shown in
#: red (templates/style.css `.gain` uses the same colour).
GAIN_COLOUR = "#1B7A3E"
#: Fonts for all text in charts and diagrams, as the stylesheet names them: Noto Sans for
#: Latin, Noto Sans CJK SC for Chinese (both with a bold; Debian fonts-noto-core and
#: fonts-noto-cjk), then the fonts of a machine without them.
FONT_FAMILY: tuple[str, ...] = (
    "Noto Sans",
    "Noto Sans CJK SC",
    "DejaVu Sans",
    "WenQuanYi Micro Hei",
    "sans-serif",
)
#: FONT_FAMILY as an SVG `font-family` value. No space after the commas: WeasyPrint splits an
#: SVG's family list at the commas without trimming, so " 'Noto Sans CJK SC'" (with its
#: space) matches no font and Chinese fell back to whatever fontconfig chose.
SVG_FONT_FAMILY = ",".join(f"'{f}'" if " " in f else f for f in FONT_FAMILY)


def theme_colours(colours: Mapping[str, str] | None) -> dict[str, str]:
    """The theme's colours with the defaults filling any missing key."""
    return {**DEFAULT_COLOURS, **(colours or {})}


def _rgb(colour: str) -> tuple[int, int, int] | None:
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        return None
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return None


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white (`amount` 0: the colour, 1: white) as #RRGGBB; a colour that
    is not hex comes back unchanged."""
    rgb = _rgb(colour)
    if rgb is None:
        return colour
    mixed = (round(c + (255 - c) * amount) for c in rgb)
    return "#" + "".join(f"{c:02X}" for c in mixed)


def scale_style(width_pt: float) -> str:
    """The inline style every SVG here gets: its natural width in pt, shrunk to the column
    when wider; the height follows from the viewBox. (Width and height attributes with
    `height: auto` make WeasyPrint reserve a square box, so neither is set.)"""
    return f"width: {svg_number(width_pt)}pt; max-width: 100%"


def svg_number(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros (stable across runs)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


#: The width of the proposal's text column, in pt: A4 (210 mm) less the 18 mm margins each
#: side that templates/style.css's @page sets. A diagram no wider than this is printed at
#: its natural size (1 SVG unit = 1 pt); a wider one is scaled down to it.
COLUMN_WIDTH_PT = 493.0
