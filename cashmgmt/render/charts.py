"""Charts for the proposal, drawn with matplotlib as SVG strings to inline in the HTML.

Every function returns an SVG document (no XML declaration, no DOCTYPE; width and height in
pt with a viewBox) and the same inputs always give the same bytes: figures are built on
`matplotlib.figure.Figure` objects (no pyplot state) under fixed settings, with a fixed hash
salt and no date in the metadata. Text stays text (`svg.fonttype: none`), so WeasyPrint sets
it in the document's fonts, the CJK font included.

The charts are language-agnostic: every visible word (titles, axis and legend labels, task
and entity names) comes from the caller, and numbers on the axes go through the caller's
`format_number`. Amounts are plotted as floats: charts are pictures, the tables carry the
exact figures.
"""

from __future__ import annotations

import functools
import io
import math
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from matplotlib.axis import XAxis
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter

from cashmgmt.render.palette import (
    FONT_FAMILY,
    GAIN_COLOUR,
    SVG_FONT_FAMILY,
    scale_style,
    theme_colours,
    tint,
)

__all__ = [
    "balance_chart",
    "benefit_chart",
    "entity_chart",
    "owner_palette",
    "timeline_chart",
    "wrap_label",
]

_CM = 1 / 2.54  # inches per centimetre
_WIDTH_CM = 16.0
Number = Decimal | int | float


def _default_format(value: float) -> str:
    return f"{value:,.0f}"


#: The font the charts fall back to when none of FONT_FAMILY is installed (matplotlib's own).
_LAST_RESORT = "DejaVu Sans"
#: A CJK font without a bold face, used only on a machine without Noto Sans CJK SC.
_CJK_WITHOUT_BOLD = "WenQuanYi Micro Hei"


@functools.cache
def chart_fonts() -> tuple[str, ...]:
    """The families matplotlib lays chart text out with: those of FONT_FAMILY it has in a
    regular and a bold weight (bold titles and ticks then never fall back with a "findfont:
    Failed to find font weight bold" warning), plus WenQuanYi Micro Hei (no bold) only where
    no CJK family with a bold is installed, so Chinese still measures. Fonts installed after
    matplotlib cached its font list are found through fontconfig and added."""
    manager = font_manager.fontManager
    wanted = [f for f in FONT_FAMILY if f != "sans-serif"]
    _add_missing(manager, wanted)
    weights: dict[str, set[bool]] = {}
    for font in manager.ttflist:
        weight = font.weight
        if not isinstance(weight, int):
            weight = font_manager.weight_dict.get(str(weight), 400)
        weights.setdefault(font.name, set()).add(int(weight) >= 600)
    chosen = [f for f in wanted if weights.get(f) == {False, True}]
    if "Noto Sans CJK SC" not in chosen and _CJK_WITHOUT_BOLD in weights:
        chosen.append(_CJK_WITHOUT_BOLD)
    return tuple(chosen) or (_LAST_RESORT,)


def _add_missing(manager: font_manager.FontManager, families: Sequence[str]) -> None:
    """Add to matplotlib's font list the files fontconfig has for families it lacks."""
    known = {font.name for font in manager.ttflist}
    missing = [f for f in families if f not in known]
    fc_list = shutil.which("fc-list")
    if not missing or fc_list is None:
        return
    for family in missing:
        found = subprocess.run(
            [fc_list, "-f", "%{file}\n", f":family={family}"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout.splitlines()
        for path in sorted(set(found)):
            manager.addfont(path)


_SVG_FONT = re.compile(r"font-family: [^;\"]*")


@contextmanager
def _style(theme: Mapping[str, str]) -> Iterator[None]:
    """Fixed matplotlib settings for every chart: deterministic SVG with text kept as text."""
    text, muted = theme["text"], theme["muted"]
    settings: dict[str, Any] = {
        "svg.hashsalt": "cashmgmt",
        "svg.fonttype": "none",
        "svg.id": None,
        "font.family": list(chart_fonts()),
        "font.sans-serif": list(chart_fonts()),
        "font.size": 8,
        "text.parse_math": False,  # a "$" in a label is a dollar sign
        "text.color": text,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 8,
        "axes.labelcolor": text,
        "axes.labelsize": 8,
        "axes.edgecolor": muted,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": tint(muted, 0.75),
        "grid.linewidth": 0.5,
        "xtick.color": muted,
        "ytick.color": muted,
        "xtick.labelcolor": text,
        "ytick.labelcolor": text,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "legend.frameon": False,
        "legend.fontsize": 7.5,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "path.simplify": True,
    }
    with matplotlib.rc_context(cast(Any, settings)):  # keys typed as literals in the stubs
        yield


def _title(fig: Figure, title: str) -> None:
    """The chart's title, bold, at the figure's top left (none if empty)."""
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")


def _figure(height_cm: float) -> Figure:
    """A 16 cm wide figure whose parts are laid out to fit (labels never clipped)."""
    engine = ConstrainedLayoutEngine(w_pad=4 / 72, h_pad=4 / 72)
    return Figure(figsize=(_WIDTH_CM * _CM, height_cm * _CM), layout=engine)


_HEAD = re.compile(r"\A.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SIZE = re.compile(r'\s+width="([\d.]+)pt"\s+height="[\d.]+pt"')


def _svg(fig: Figure) -> str:
    """The figure as an SVG string to inline: from `<svg` on, without the metadata block."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _HEAD.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text, count=1)
    # Text is set by WeasyPrint (or a browser) in the stylesheet's families, not only the
    # ones matplotlib measured with.
    text = _SVG_FONT.sub(f"font-family: {SVG_FONT_FAMILY}", text)
    size = _SIZE.search(text)
    if size is None:  # pragma: no cover - matplotlib always writes both
        return text
    style = f' style="{scale_style(float(size.group(1)))}"'
    return text[: size.start()] + style + text[size.end() :]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap_label(text: str, width: int = 34, lines: int = 2) -> str:
    """`text` broken into at most `lines` lines of about `width` columns (CJK characters
    count two), at spaces where there are any; the last line is cut with an ellipsis."""
    out: list[str] = []
    current = ""
    tokens = re.findall(r"\S+\s*|\s+", text)
    for token in tokens:
        pieces = [token] if _display_width(token) <= width else list(token)
        for piece in pieces:
            if current and _display_width(current + piece.rstrip()) > width:
                out.append(current.rstrip())
                current = piece.lstrip()
            else:
                current += piece
    if current.strip():
        out.append(current.rstrip())
    if len(out) > lines:
        last = out[lines - 1]
        while last and _display_width(last + "…") > width:
            last = last[:-1]
        out = [*out[: lines - 1], last.rstrip() + "…"]
    return "\n".join(out)


_EPOCH = date(1970, 1, 1).toordinal()


def _day(day: date) -> float:
    """A date as the x coordinate: days since 1970-01-01 (matplotlib's own date numbers)."""
    return float(day.toordinal() - _EPOCH)


def _month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_axis(axis: XAxis, first: date, last: date, most: int = 8) -> None:
    """Month ticks from `first` to `last` labelled "2024-01": a minor tick every month and a
    labelled one every k-th month (January and every k-th after it when k divides 12), so
    that at most `most` labels show."""
    months = [m for m in _month_starts(first, last) if first <= m <= last] or [first]
    step = max(1, math.ceil(len(months) / most))
    aligned = 12 % step == 0
    major = [m for i, m in enumerate(months) if ((m.month - 1) if aligned else i) % step == 0]
    axis.set_major_locator(FixedLocator([_day(m) for m in major]))
    axis.set_minor_locator(FixedLocator([_day(m) for m in months]))
    labels = {_day(m): f"{m.year:04d}-{m.month:02d}" for m in major}
    axis.set_major_formatter(FuncFormatter(lambda v, _: labels.get(v, "")))


def _floats(values: Sequence[Number] | npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    return np.array([float(v) for v in values], dtype=np.float64)


def balance_chart(
    days: Sequence[date],
    baseline: Sequence[int] | npt.NDArray[np.int64],
    structure: Sequence[int] | npt.NDArray[np.int64],
    exponent: int,
    *,
    title: str,
    baseline_label: str,
    structure_label: str,
    y_label: str,
    format_number: Callable[[float], str] = _default_format,
    colours: Mapping[str, str] | None = None,
) -> str:
    """The group's total balance per day, status quo (muted) against the structure (primary).

    `baseline` and `structure` are minor units (one per day in `days`), plotted as
    minor / 10**exponent; the x axis is by month, the y axis labelled with `format_number`.
    About 16 × 7 cm.
    """
    if not len(days) == len(baseline) == len(structure):
        raise ValueError("days, baseline and structure must have the same length")
    theme = theme_colours(colours)
    scale = 10.0**exponent
    x = np.array([_day(d) for d in days], dtype=np.float64)
    before = np.asarray(baseline, dtype=np.float64) / scale
    after = np.asarray(structure, dtype=np.float64) / scale
    with _style(theme):
        fig = _figure(7.0)
        ax = fig.add_subplot()
        # The totals often coincide (sweeps move money inside the group): the status quo is a
        # broad light band under the structure's thin line, so both stay visible.
        ax.plot(
            x,
            before,
            color=tint(theme["muted"], 0.45),
            linewidth=2.6,
            label=baseline_label,
            solid_capstyle="butt",
        )
        ax.plot(x, after, color=theme["primary"], linewidth=0.9, label=structure_label)
        if len(days) > 1:
            ax.set_xlim(x[0], x[-1])
        if len(days):
            _month_axis(ax.xaxis, days[0], days[-1])
        low, high = ax.get_ylim()
        if low < 0 < high:
            ax.axhline(0, color=theme["text"], linewidth=0.6)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.grid(axis="y")
        ax.set_ylabel(y_label)
        _title(fig, title)
        fig.legend(loc="outside lower center", ncols=2, handlelength=1.6)
        return _svg(fig)


def benefit_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    title: str,
    x_label: str,
    highlight: str | Collection[str] | None,
    format_number: Callable[[float], str] = _default_format,
    colours: Mapping[str, str] | None = None,
    value_labels: Sequence[str] | None = None,
) -> str:
    """Annual benefit per candidate as horizontal bars, the first at the top.

    Negative values go left of a zero line; the bars whose labels are in `highlight` (the
    recommendation's structures) are in GAIN_COLOUR (a gain is never red) and their labels
    bold, the others in primary. Each bar carries its value: `value_labels` when given (the
    caller's text from the exact amounts), else the value through `format_number`, which also
    labels the axis. Meant for at most about 12 bars (the caller trims).
    """
    if len(labels) != len(values) or len(value_labels or values) != len(values):
        raise ValueError("labels and values must have the same length")
    chosen = {highlight} if isinstance(highlight, str) else set(highlight or ())
    theme = theme_colours(colours)
    numbers = _floats(values)
    n = len(labels)
    wrapped = [wrap_label(label, width=44, lines=2) for label in labels]
    # two lines of label per bar at most (cut with an ellipsis), so labels never overlap
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    with _style(theme):
        fig = _figure(max(5.0, 2.0 + max(0.72, 0.42 * lines) * n))
        ax = fig.add_subplot()
        y = np.arange(n, dtype=np.float64)
        bar_colours = [GAIN_COLOUR if label in chosen else theme["primary"] for label in labels]
        ax.barh(y, numbers, height=0.62, color=bar_colours)
        ax.axvline(0, color=theme["text"], linewidth=0.8)
        texts = (
            list(value_labels) if value_labels is not None else [format_number(v) for v in numbers]
        )
        _value_labels(ax, y, numbers, texts, theme["text"])
        ax.set_yticks(y, wrapped)
        for tick, label in zip(ax.get_yticklabels(), labels, strict=True):
            if label in chosen:
                tick.set_color(GAIN_COLOUR)
                tick.set_fontweight("bold")
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.grid(axis="x")
        ax.set_xlabel(x_label)
        _title(fig, title)
        return _svg(fig)


def _value_labels(
    ax: Any,
    y: npt.NDArray[np.float64],
    values: npt.NDArray[np.float64],
    texts: Sequence[str],
    colour: str,
) -> None:
    """The value's text at the end of each bar, with room made for it on both sides."""
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = max(0.0, float(values.max())) if len(values) else 1.0
    span = (high - low) or 1.0
    pad_left = 0.22 * span if low < 0 else 0.02 * span
    ax.set_xlim(low - pad_left, high + 0.22 * span)
    for yi, v, text in zip(y, values, texts, strict=True):
        ax.annotate(
            text,
            (float(v), float(yi)),
            xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            va="center",
            fontsize=7,
            color=colour,
        )


def entity_chart(
    entities: Sequence[str],
    before: Sequence[Number],
    after: Sequence[Number],
    *,
    title: str,
    before_label: str,
    after_label: str,
    x_label: str,
    format_number: Callable[[float], str] = _default_format,
    colours: Mapping[str, str] | None = None,
) -> str:
    """Net interest per entity as grouped horizontal bars: status quo (muted) above the
    structure (primary), a zero line, the values on the x axis through `format_number`."""
    if not len(entities) == len(before) == len(after):
        raise ValueError("entities, before and after must have the same length")
    theme = theme_colours(colours)
    old, new = _floats(before), _floats(after)
    n = len(entities)
    with _style(theme):
        fig = _figure(max(5.5, 2.4 + 0.85 * n))
        ax = fig.add_subplot()
        y = np.arange(n, dtype=np.float64)
        ax.barh(y - 0.19, old, height=0.36, color=theme["muted"], label=before_label)
        ax.barh(y + 0.19, new, height=0.36, color=theme["primary"], label=after_label)
        ax.axvline(0, color=theme["text"], linewidth=0.8)
        ax.set_yticks(y, [wrap_label(e) for e in entities])
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.grid(axis="x")
        ax.set_xlabel(x_label)
        _title(fig, title)
        fig.legend(loc="outside lower center", ncols=2, handlelength=1.2)
        return _svg(fig)


def owner_palette(colours: Mapping[str, str] | None = None) -> list[str]:
    """Colours for owners in a timeline, derived from the theme (first used first)."""
    theme = theme_colours(colours)
    primary, accent, muted = theme["primary"], theme["accent"], theme["muted"]
    return [
        primary,
        accent,
        tint(primary, 0.5),
        muted,
        tint(accent, 0.5),
        theme["text"],
        tint(primary, 0.75),
        tint(muted, 0.55),
    ]


def timeline_chart(
    tasks: Sequence[tuple[str, date, date, str]],
    *,
    title: str,
    owners: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> str:
    """A Gantt chart: one bar per task (label, start, end, owner), first task at the top.

    `end` is the task's last day (a bar runs to the end of it). Each owner gets a colour
    from `owner_palette` in the order owners first appear; `owners` maps owner keys to the
    display names shown in a legend (no legend without it). Month ticks on the x axis.
    """
    theme = theme_colours(colours)
    order = list(dict.fromkeys(owner for *_, owner in tasks))
    palette = owner_palette(theme)
    colour = {o: palette[i % len(palette)] for i, o in enumerate(order)}
    n = len(tasks)
    with _style(theme):
        fig = _figure(max(5.0, 2.4 + 0.55 * n))
        ax = fig.add_subplot()
        y = np.arange(n, dtype=np.float64)
        if tasks:
            starts = np.array([_day(t[1]) for t in tasks])
            ends = np.array([_day(max(t[2], t[1]) + timedelta(days=1)) for t in tasks])
            ax.barh(y, ends - starts, left=starts, height=0.6, color=[colour[t[3]] for t in tasks])
            first = min(t[1] for t in tasks)
            last = max(max(t[2], t[1]) for t in tasks)
            lo = date(first.year, first.month, 1)
            hi = date(last.year + last.month // 12, last.month % 12 + 1, 1)
            ax.set_xlim(_day(lo), _day(hi))
            _month_axis(ax.xaxis, lo, last, most=5)  # the task labels leave it narrow
        ax.set_yticks(y, [wrap_label(t[0], width=52, lines=1) for t in tasks])
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", which="major")
        _title(fig, title)
        if owners is not None and order:
            handles = [Patch(color=colour[o], label=owners.get(o, o)) for o in order]
            fig.legend(
                handles=handles,
                loc="outside lower center",
                ncols=min(3, len(handles)),
                handlelength=1.2,
            )
        return _svg(fig)
