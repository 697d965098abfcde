"""A top-down tree (or forest) drawn as an SVG document, knowing nothing of cases.

The layout is a layered top-down tree written here (no graphviz): roots at the top, children
ordered by id, a parent centred over its children. A level with too many nodes for one row
wraps into several rows, joined to the parent by a spine on their left, so very wide groups
stay readable. Box widths come from estimated text widths. The same inputs always give the
same bytes, and every piece of text is XML-escaped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import attrs

from cashmgmt.render.palette import SVG_FONT_FAMILY, scale_style, theme_colours, tint
from cashmgmt.render.palette import svg_number as _fmt

#: Box styles a node can be given in `tree_svg(emphasis=...)`.
STYLES = ("plain", "strong", "header", "more")

# Geometry, in SVG user units (1 unit = 1pt at the natural size).
_TITLE_SIZE = 10.0
_SUB_SIZE = 8.0
_LABEL_SIZE = 7.0
_PAD_X = 8.0
_MIN_BOX_W = 64.0
_MAX_SUB_W = 190.0  # subtitles longer than this are shortened with an ellipsis
_BOX_H = 34.0
_HGAP = 12.0  # between boxes side by side
# Gaps under a parent whose children carry their own edge labels ("tagged"), and under one
# whose edges are unlabelled or all share one label (drawn once, on the parent's stem).
_LEVEL_GAP = {"tagged": 38.0, "stem": 38.0, "plain": 28.0}  # parent's bottom to children's top
_ROW_GAP = {"tagged": 26.0, "stem": 16.0, "plain": 16.0}  # a row's bottom to the next row's top
_BUS = {"tagged": 16.0, "stem": 8.0, "plain": 8.0}  # connector's height above children's top
_LANE = 14.0  # room left of wrapped rows for the spine
_FOREST_GAP = 28.0  # between separate trees
_MARGIN = 6.0


# ------------------------------------------------------------------------------ text


def _char_width(ch: str) -> float:
    """A generous estimate of one character's advance in em (DejaVu Sans is the widest of
    the fonts the document may fall back to)."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "mwMW@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch.isdigit():
        return 0.64
    if ch.islower():
        return 0.58 if ch not in "ijlft" else 0.34
    if ch == " ":
        return 0.32
    if ch in ".,:;'|!()[]-/":
        return 0.4
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of `text` at font `size` (CJK characters count double width)."""
    width = sum(_char_width(ch) for ch in text) * size
    return width * 1.07 if bold else width


def _shorten(text: str, size: float, limit: float) -> str:
    """`text`, cut with an ellipsis to fit `limit` units at `size`."""
    if text_width(text, size) <= limit:
        return text
    out = text
    while out and text_width(out + "…", size) > limit:
        out = out[:-1]
    return out.rstrip() + "…"


# ------------------------------------------------------------------------------ layout


@attrs.frozen
class _Box:
    id: str
    x: float
    y: float
    w: float


@attrs.define
class _Measure:
    """A subtree's size and how its children are laid out."""

    w: float
    h: float
    mode: str  # leaf, row, wrap
    rows: list[list[str]] = attrs.Factory(list)
    row_widths: list[float] = attrs.Factory(list)
    row_heights: list[float] = attrs.Factory(list)
    cell: dict[str, float] = attrs.Factory(dict)  # child -> width of its slot
    lane: float = 0.0
    gaps: str = "plain"  # a key of _LEVEL_GAP, _ROW_GAP and _BUS


class _Layout:
    """Positions of boxes and connector paths for a forest."""

    def __init__(
        self,
        box_w: Mapping[str, float],
        children: Mapping[str, list[str]],
        gaps: Mapping[str, str],
        max_per_row: int,
        max_width: float,
    ) -> None:
        self.box_w = box_w
        self.children = children
        self.gaps = gaps
        self.max_per_row = max(1, max_per_row)
        self.max_width = max_width
        self.measures: dict[str, _Measure] = {}
        self.stretch: dict[str, float] = {}  # leaves in a grid take their cell's width
        self.boxes: dict[str, _Box] = {}
        # (parent, child, points) for each child's drop; (parent, points) for shared lines.
        self.drops: list[tuple[str, str, list[tuple[float, float]]]] = []
        self.shared: list[tuple[str, list[tuple[float, float]]]] = []

    def measure(self, root: str) -> _Measure:
        """Size of the subtree under `root`: every node's children measured before it, by
        an explicit stack, so a chain thousands of levels deep needs no recursion."""
        for node in _postorder(root, lambda n: self.children.get(n, [])):
            self._measure_one(node)
        return self.measures[root]

    def _measure_one(self, node: str) -> _Measure:
        """Size of the subtree under `node`, its children already measured."""
        kids = self.children.get(node, [])
        bw = self.box_w[node]
        if not kids:
            m = _Measure(bw, _BOX_H, "leaf")
            self.measures[node] = m
            return m
        sub = {k: self.measures[k] for k in kids}
        gaps = self.gaps.get(node, "plain")
        level, row_gap = _LEVEL_GAP[gaps], _ROW_GAP[gaps]
        side = sum(sub[k].w for k in kids) + _HGAP * (len(kids) - 1)
        if len(kids) == 1 or (len(kids) <= self.max_per_row and side <= self.max_width):
            m = _Measure(
                max(bw, side),
                _BOX_H + level + max(sub[k].h for k in kids),
                "row",
                rows=[kids],
                row_widths=[side],
                row_heights=[max(sub[k].h for k in kids)],
                cell={k: sub[k].w for k in kids},
                gaps=gaps,
            )
            self.measures[node] = m
            return m
        # Too many or too wide for one row: leaves in an even grid, then the subtrees.
        leaves = [k for k in kids if sub[k].mode == "leaf"]
        inner = [k for k in kids if sub[k].mode != "leaf"]
        budget = max(self.max_width - _LANE, 1.0)
        rows: list[list[str]] = []
        cell: dict[str, float] = {}
        if leaves:
            width = max(sub[k].w for k in leaves)
            cols = int((budget + _HGAP) // (width + _HGAP))
            cols = max(1, min(self.max_per_row, cols, len(leaves)))
            # Even rows: 9 leaves in rows of 5 and 4, not 8 and 1.
            count = -(-len(leaves) // cols)
            base, extra = divmod(len(leaves), count)
            start = 0
            for r in range(count):
                size = base + (1 if r < extra else 0)
                rows.append(leaves[start : start + size])
                start += size
            cell.update({k: width for k in leaves})
            self.stretch.update({k: width for k in leaves})
        current: list[str] = []
        used = 0.0
        for k in inner:
            w = sub[k].w
            if current and (used + _HGAP + w > budget or len(current) >= self.max_per_row):
                rows.append(current)
                current, used = [], 0.0
            used = w if not current else used + _HGAP + w
            current.append(k)
            cell[k] = w
        if current:
            rows.append(current)
        widths = [sum(cell[k] for k in row) + _HGAP * (len(row) - 1) for row in rows]
        heights = [max(sub[k].h for k in row) for row in rows]
        lane = _LANE if len(rows) > 1 else 0.0
        m = _Measure(
            max(bw, lane + max(widths)),
            _BOX_H + level + sum(heights) + row_gap * (len(rows) - 1),
            "wrap",
            rows=rows,
            row_widths=widths,
            row_heights=heights,
            cell=cell,
            lane=lane,
            gaps=gaps,
        )
        self.measures[node] = m
        return m

    def place(self, root: str, x0: float, y0: float) -> None:
        """Put the subtree under `root` with its block's top-left corner at (x0, y0). Each
        node's children are placed (in row order) before its own box and connectors, by an
        explicit stack, so a chain thousands of levels deep needs no recursion."""
        stack = [(root, x0, y0, iter(self._slots(root, x0, y0)))]
        while stack:
            node, x, y, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                self._finish(node, x, y)
            else:
                k, kx, ky = child
                stack.append((k, kx, ky, iter(self._slots(k, kx, ky))))

    def _left(self, node: str, x0: float) -> float:
        """Where the rows of `node`'s children start (right of the spine's lane)."""
        m = self.measures[node]
        grid = m.lane + max(m.row_widths)
        return x0 + (m.w - grid) / 2 + m.lane

    def _slots(self, node: str, x0: float, y0: float) -> list[tuple[str, float, float]]:
        """Each child of `node` (in row order) with its block's top-left corner, for
        `node`'s block at (x0, y0)."""
        m = self.measures[node]
        if m.mode == "leaf":
            return []
        top = y0 + _BOX_H + _LEVEL_GAP[m.gaps]
        left = self._left(node, x0)
        slots = []
        for row, height in zip(m.rows, m.row_heights, strict=True):
            x = left
            if m.mode == "row":
                x = x0 + (m.w - m.row_widths[0]) / 2
            for k in row:
                slot = m.cell[k]
                slots.append((k, x + (slot - self.measures[k].w) / 2, top))
                x += slot + _HGAP
            top += height + _ROW_GAP[m.gaps]
        return slots

    def _finish(self, node: str, x0: float, y0: float) -> None:
        """`node`'s box and connectors at (x0, y0), its children's boxes already placed."""
        m = self.measures[node]
        bw = self.stretch.get(node, self.box_w[node])
        if m.mode == "leaf":
            self.boxes[node] = _Box(node, x0 + (m.w - bw) / 2, y0, bw)
            return
        level, row_gap, bus_height = _LEVEL_GAP[m.gaps], _ROW_GAP[m.gaps], _BUS[m.gaps]
        bottom = y0 + _BOX_H
        left = self._left(node, x0)
        centres = [[self.boxes[k].x + self.boxes[k].w / 2 for k in row] for row in m.rows]
        if m.mode == "row":
            first, last = centres[0][0], centres[0][-1]
            cx = min(max((first + last) / 2, x0 + bw / 2), x0 + m.w - bw / 2)
        else:
            cx = x0 + m.w / 2
        self.boxes[node] = _Box(node, cx - bw / 2, y0, bw)
        # Connectors: a stem down from the parent, a bus above each row, a drop per child,
        # and a spine on the left joining the rows' buses when there are several.
        spine = left - m.lane / 2
        row_top = bottom + level
        buses: list[float] = []
        for r, (row, row_centres) in enumerate(zip(m.rows, centres, strict=True)):
            bus = row_top - bus_height
            buses.append(bus)
            lo = spine if m.lane else min(row_centres)
            hi = max(row_centres)
            if r == 0:
                lo, hi = min(lo, cx), max(hi, cx)
            if hi > lo:
                self.shared.append((node, [(lo, bus), (hi, bus)]))
            for k, c in zip(row, row_centres, strict=True):
                self.drops.append((node, k, [(c, bus), (c, row_top)]))
            row_top += m.row_heights[r] + row_gap
        self.shared.append((node, [(cx, bottom), (cx, buses[0])]))
        if m.lane and len(buses) > 1:
            self.shared.append((node, [(spine, buses[0]), (spine, buses[-1])]))


def _postorder(root: str, children: Callable[[str], Sequence[str]]) -> list[str]:
    """The nodes under `root`, each after all of its children (in their order), as a
    recursive walk would finish them, but with an explicit stack."""
    order: list[str] = []
    stack = [(root, iter(children(root)))]
    while stack:
        node, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            order.append(node)
        else:
            stack.append((child, iter(children(child))))
    return order


# ------------------------------------------------------------------------------ drawing


def _line(points: Sequence[tuple[float, float]], colour: str, dashed: bool) -> str:
    d = " ".join(f"{'M' if i == 0 else 'L'}{_fmt(x)} {_fmt(y)}" for i, (x, y) in enumerate(points))
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    return f'<path d="{d}" fill="none" stroke={quoteattr(colour)} stroke-width="1"{dash}/>'


def _text(x: float, y: float, text: str, size: float, colour: str, weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}"{bold} '
        f'fill={quoteattr(colour)} text-anchor="middle">{escape(text)}</text>'
    )


def tree_svg(
    nodes: Mapping[str, tuple[str, str]],
    edges: Sequence[tuple[str, str]],
    *,
    colours: Mapping[str, str] | None = None,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
    emphasis: Mapping[str, str] | None = None,
    dashed: Collection[tuple[str, str]] = (),
    arrows: bool = False,
    max_per_row: int = 8,
    max_width: float = 820.0,
    aspect: float | None = 1.4,
) -> str:
    """A top-down tree (or forest) diagram as an SVG document.

    `nodes[id] = (title, subtitle)`: two lines of text in a rounded box (an empty subtitle
    gives one line; a long subtitle is shortened with an ellipsis); `edges` are (parent,
    child) pairs, each node having at most one parent. Roots are at the top, children
    ordered by id. A node with more than `max_per_row` children, or children wider together
    than `max_width`, gets them in several rows (leaf children in an even grid first, then
    the subtrees), joined by a spine on their left. With `aspect`, the width allowed grows
    in steps until the diagram is at most `aspect` times as tall as it is wide, so that,
    scaled to a column, it fits a page.

    `edge_labels` puts a small tag on an edge (once, on the parent's stem, when all of a
    parent's edges share it); `dashed` edges are drawn dashed; `arrows` points an arrowhead
    at each parent (money flowing up); `emphasis` gives nodes a style from STYLES ("strong":
    filled in the primary colour, "header": tinted, "more": a dashed placeholder). The SVG
    has a viewBox and its natural size in pt (1 unit = 1pt), so CSS can scale it.
    """
    theme = theme_colours(colours)
    labels = {edge: text for edge, text in (edge_labels or {}).items() if text}
    styles = dict(emphasis or {})
    dashed_edges = set(dashed)
    parent: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    for p, c in edges:
        if p not in nodes or c not in nodes:
            missing = p if p not in nodes else c
            raise ValueError(f"edge ({p!r}, {c!r}) names an unknown node {missing!r}")
        if c == p:
            raise ValueError(f"node {c!r} is its own parent")
        if c in parent and parent[c] != p:
            raise ValueError(f"node {c!r} has two parents: {parent[c]!r} and {p!r}")
        if c not in parent:
            parent[c] = p
            children.setdefault(p, []).append(c)
    for kids in children.values():
        kids.sort()
    # Where a parent's edges all carry the same label, it goes once on the parent's stem.
    stem: dict[str, str] = {}
    gaps: dict[str, str] = {}
    for p, kids in children.items():
        tags = {labels.get((p, k)) for k in kids}
        if tags == {None}:
            gaps[p] = "plain"
        elif len(tags) == 1:
            stem[p] = labels[(p, kids[0])]
            gaps[p] = "stem"
        else:
            gaps[p] = "tagged"
    roots = sorted(n for n in nodes if n not in parent)
    subtitles = {n: _shorten(sub, _SUB_SIZE, _MAX_SUB_W) for n, (_, sub) in nodes.items()}
    box_w = {
        n: max(
            _MIN_BOX_W,
            text_width(title, _TITLE_SIZE, bold=True) + 2 * _PAD_X,
            text_width(subtitles[n], _SUB_SIZE) + 2 * _PAD_X,
        )
        for n, (title, _) in nodes.items()
    }
    steps = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0) if aspect is not None else (1.0,)
    for step in steps:
        layout, total_w, total_h = _arrange(
            box_w, children, gaps, roots, max_per_row, max_width * step
        )
        if len(layout.measures) != len(nodes):
            stuck = sorted(set(nodes) - set(layout.measures))
            raise ValueError(f"nodes in a cycle, not reachable from a root: {', '.join(stuck)}")
        if aspect is None or total_h <= aspect * total_w:
            break

    line_colour = theme["muted"]
    out: list[str] = []
    # Lines first, then arrowheads and tags, boxes last.
    for p, points in layout.shared:
        kids = children[p]
        out.append(_line(points, line_colour, all((p, k) in dashed_edges for k in kids)))
    for p, c, points in layout.drops:
        out.append(_line(points, line_colour, (p, c) in dashed_edges))
    for p, kids in sorted(children.items()):
        box = layout.boxes[p]
        cx, by = box.x + box.w / 2, box.y + _BOX_H
        if arrows and not all((p, k) in dashed_edges for k in kids):
            out.append(
                f'<path d="M{_fmt(cx)} {_fmt(by)} L{_fmt(cx - 3.5)} {_fmt(by + 6)} '
                f'L{_fmt(cx + 3.5)} {_fmt(by + 6)} Z" fill={quoteattr(line_colour)}/>'
            )
        if p in stem:
            bus = by + _LEVEL_GAP["stem"] - _BUS["stem"]
            out.append(_tag(cx, (by + 6 + bus) / 2, stem[p], theme))
    for p, c, points in layout.drops:
        if p in stem or (p, c) not in labels:
            continue
        (x, top), (_, bottom) = points
        out.append(_tag(x, (top + bottom) / 2, labels[(p, c)], theme))
    for n in sorted(layout.boxes):
        out.append(_box(layout.boxes[n], nodes[n][0], subtitles[n], styles.get(n), theme))

    family = SVG_FONT_FAMILY
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(total_w)} {_fmt(total_h)}" '
        f'style="{scale_style(total_w)}" font-family="{family}" role="img">\n'
        + "\n".join(out)
        + "\n</svg>\n"
    )


def _arrange(
    box_w: Mapping[str, float],
    children: Mapping[str, list[str]],
    gaps: Mapping[str, str],
    roots: Sequence[str],
    max_per_row: int,
    max_width: float,
) -> tuple[_Layout, float, float]:
    """Lay the forest out within `max_width`: the layout and the canvas's width and height."""
    layout = _Layout(box_w, children, gaps, max_per_row, max_width)
    blocks = [(r, layout.measure(r)) for r in roots]
    # Trees side by side, wrapping into rows of at most max_width.
    rows: list[list[tuple[str, _Measure]]] = []
    used = 0.0
    for root, m in blocks:
        if rows and used + _FOREST_GAP + m.w <= max_width:
            rows[-1].append((root, m))
            used += _FOREST_GAP + m.w
        else:
            rows.append([(root, m)])
            used = m.w
    widths = [sum(m.w for _, m in row) + _FOREST_GAP * (len(row) - 1) for row in rows]
    width = max(widths, default=_MIN_BOX_W)
    y = _MARGIN
    for row, row_w in zip(rows, widths, strict=True):
        x = _MARGIN + (width - row_w) / 2
        for root, m in row:
            layout.place(root, x, y)
            x += m.w + _FOREST_GAP
        y += max(m.h for _, m in row) + _FOREST_GAP
    height = (y - _FOREST_GAP + _MARGIN) if rows else _BOX_H + 2 * _MARGIN
    return layout, width + 2 * _MARGIN, height


def _tag(x: float, y: float, label: str, theme: Mapping[str, str]) -> str:
    """A small label in a pill centred on (x, y), over a connector."""
    w = text_width(label, _LABEL_SIZE) + 6
    return (
        f'<rect x="{_fmt(x - w / 2)}" y="{_fmt(y - 5)}" width="{_fmt(w)}" height="10" '
        f'rx="3" fill="#FFFFFF" stroke={quoteattr(theme["muted"])} stroke-width="0.6"/>\n'
        + _text(x, y + 2.5, label, _LABEL_SIZE, theme["text"])
    )


def _box(box: _Box, title: str, subtitle: str, style: str | None, theme: Mapping[str, str]) -> str:
    primary, text, muted = theme["primary"], theme["text"], theme["muted"]
    fill, stroke, title_colour, sub_colour = "#FFFFFF", muted, text, muted
    extra = ' stroke-width="0.8"'
    if style == "strong":
        fill, stroke, title_colour, sub_colour = primary, primary, "#FFFFFF", tint(primary, 0.75)
    elif style == "header":
        fill, stroke = tint(primary, 0.9), primary
        extra = ' stroke-width="1.2"'
    elif style == "more":
        fill, title_colour = tint(muted, 0.92), muted
        extra = ' stroke-width="0.8" stroke-dasharray="3 2"'
    cx = box.x + box.w / 2
    parts = [
        f'<rect x="{_fmt(box.x)}" y="{_fmt(box.y)}" width="{_fmt(box.w)}" '
        f'height="{_fmt(_BOX_H)}" rx="5" fill={quoteattr(fill)} stroke={quoteattr(stroke)}'
        f"{extra}/>"
    ]
    if subtitle:
        parts.append(_text(cx, box.y + 14.5, title, _TITLE_SIZE, title_colour, "bold"))
        parts.append(_text(cx, box.y + 27, subtitle, _SUB_SIZE, sub_colour))
    else:
        parts.append(_text(cx, box.y + _BOX_H / 2 + 3.5, title, _TITLE_SIZE, title_colour, "bold"))
    return "\n".join(parts)
