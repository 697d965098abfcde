"""A top-down tree (or forest) drawn as an SVG document, knowing nothing of cases.

The layout is written here (no graphviz) and keeps every box at its natural size on the
page: the diagram is laid out within the proposal's text column (`COLUMN_WIDTH_PT`), so the
text is printed at the sizes set here (never below 7 pt) rather than shrunk to fit.

A parent whose subtree fits side by side is drawn over its children, joined by a bus and a
drop into the top of each child. One that does not fit gets its children in one or more
columns under it: each column hangs from the parent by its own vertical spine, and a short
elbow runs from the spine into the left side of each child's box. A child's own children
are drawn inside its block, indented right of the spine, so no box ever sits under a box
that is not its parent and every connector leads from one parent to its children only.

Text widths are measured with the documents' fonts (`fontmetrics`); titles wrap onto two
lines and longer text is shortened with an ellipsis (the full title stays in the box's
tooltip). The same inputs always give the same bytes, and every piece of text is
XML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import attrs

from cashmgmt.render import fontmetrics
from cashmgmt.render.palette import (
    COLUMN_WIDTH_PT,
    SVG_FONT_FAMILY,
    scale_style,
    theme_colours,
    tint,
)
from cashmgmt.render.palette import svg_number as _fmt

#: Box styles a node can be given in `tree_svg(emphasis=...)`.
STYLES = ("plain", "strong", "header", "more")

#: Text sizes in pt at the natural size, which is the printed size when the diagram is no
#: wider than the column. The smallest (edge tags) is the 7 pt floor for print.
TITLE_SIZE = 8.5
SUB_SIZE = 7.5
LABEL_SIZE = 7.0

# Geometry, in SVG user units (1 unit = 1 pt at the natural size).
_TITLE_LINE = 10.5  # baseline to baseline
_SUB_LINE = 9.5
_PAD_X = 6.0
_PAD_Y = 4.5
_MAX_TITLE_W = 106.0  # a title wraps onto a second line beyond this width
_MAX_TITLE_LINES = 2
_MAX_SUB_W = 150.0
_MIN_BOX_W = 56.0
_HGAP = 10.0  # between blocks side by side in a row
_COL_GAP = 12.0  # between columns
_VGAP = 7.0  # between blocks stacked in a column
# Parent's bottom to the children's top in a row: children whose edges carry their own tags
# ("tagged"), edges sharing one tag drawn once on the stem ("stem"), untagged ("plain").
_LEVEL_GAP = {"tagged": 36.0, "stem": 32.0, "plain": 20.0}
_BUS = {"tagged": 18.0, "stem": 7.0, "plain": 9.0}  # the bus's height above the children
_COLUMN_GAP_TOP = 16.0  # parent's bottom to the first child's top in columns
_SPINE_X = 6.0  # a column's spine, right of the column's left edge
_INDENT = 14.0  # a column's children, right of its left edge
_TAG_H = 10.0
_FOREST_GAP = 20.0
_MARGIN = 4.0
_MAX_NEST = 8  # columns inside columns beyond this are drawn as a plain indented list
_MIN_BUDGET = 90.0


# ------------------------------------------------------------------------------ text


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` at font `size`, measured with the documents' fonts."""
    return fontmetrics.text_width(text, size, bold)


def _shorten(text: str, size: float, limit: float, bold: bool = False) -> str:
    """`text`, cut with an ellipsis to fit `limit` units at `size`."""
    if text_width(text, size, bold) <= limit:
        return text
    out = text
    while out and text_width(out + "…", size, bold) > limit:
        out = out[:-1]
    return out.rstrip() + "…"


def _breaks(text: str) -> list[int]:
    """Where `text` may break: after a space, or between two wide (CJK) characters."""
    out = []
    for i in range(1, len(text)):
        wide = fontmetrics.advance(text[i - 1]) >= 0.9 and fontmetrics.advance(text[i]) >= 0.9
        if text[i - 1] == " " or wide:
            out.append(i)
    return out


def wrap(
    text: str, size: float, limit: float, lines: int, bold: bool = False, last: float = 0.0
) -> list[str]:
    """`text` in at most `lines` lines of at most `limit` units at `size` (breaking at spaces,
    or anywhere between CJK characters), the last line allowed `last` units (when wider than
    `limit`) and shortened with an ellipsis beyond them."""
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines - 1 and text_width(rest, size, bold) > limit:
        cut = 0
        for i in _breaks(rest):
            if text_width(rest[:i].rstrip(), size, bold) <= limit:
                cut = i
        if cut == 0:
            break
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not out:
        out.append(_shorten(rest, size, max(limit, last) if out else limit, bold))
    if (
        len(out) == 2
        and text_width(out[1], size, bold) < 0.3 * text_width(out[0], size, bold)
        and text_width(text.strip(), size, bold) <= last
    ):
        return [text.strip()]  # one line a little wider rather than a word left alone
    return out


# ------------------------------------------------------------------------------ layout

#: How a node's subtree is measured: "row" (side by side all the way down), "list" (one
#: indented column all the way down) or a width budget (columns chosen to fit it).
Key = str | int


@attrs.frozen
class _Box:
    id: str
    x: float
    y: float
    w: float
    h: float


@attrs.frozen
class _Measure:
    """A subtree's block: its size, where the node's box sits in it, and each child's
    subtree (its key and its block's offset)."""

    w: float
    h: float
    mode: str  # leaf, row, cols
    box_dx: float
    kids: tuple[tuple[str, Key, float, float], ...] = ()
    spines: tuple[float, ...] = ()  # cols: each column's spine, from the block's left
    columns: tuple[tuple[str, ...], ...] = ()


class _Layout:
    """Measures and places a forest within a width."""

    def __init__(
        self,
        box_w: Mapping[str, float],
        box_h: Mapping[str, float],
        children: Mapping[str, list[str]],
        gaps: Mapping[str, str],
        indent: Mapping[str, float],
        max_per_row: int,
        stem_tags: Collection[str] = (),
    ) -> None:
        self.box_w, self.box_h = box_w, box_h
        self.children = children
        self.gaps = gaps
        self.indent = indent
        self.stem_tags = set(stem_tags)  # parents whose one tag goes on their stem
        self.max_per_row = max(1, max_per_row)
        self.measures: dict[tuple[str, Key], _Measure] = {}
        self.row_ok: dict[str, bool] = {}
        self.boxes: dict[str, _Box] = {}
        # (parent, child, points) for each child's own line; (parent, points) for shared ones.
        self.drops: list[tuple[str, str, list[tuple[float, float]]]] = []
        self.shared: list[tuple[str, list[tuple[float, float]]]] = []
        self.stems: dict[str, tuple[float, float, float]] = {}  # parent -> x, top, bottom

    def natural(self, root: str) -> None:
        """The "row" and "list" measures of every node under `root`, children first, by an
        explicit stack (a chain thousands of levels deep needs no recursion)."""
        for node in _postorder(root, lambda n: self.children.get(n, [])):
            kids = self.children.get(node, [])
            self.row_ok[node] = len(kids) <= self.max_per_row and all(self.row_ok[k] for k in kids)
            if not kids:
                leaf = _Measure(self.box_w[node], self.box_h[node], "leaf", 0.0)
                self.measures[(node, "row")] = self.measures[(node, "list")] = leaf
                continue
            self.measures[(node, "row")] = self._row(node, [(k, "row") for k in kids])
            self.measures[(node, "list")] = self._cols(node, [[(k, "list") for k in kids]])

    def fits(self, node: str, budget: float) -> bool:
        return self.row_ok[node] and self.measures[(node, "row")].w <= budget

    def budgeted(self, node: str, budget: float, depth: int = 0) -> Key:
        """The key of `node`'s subtree laid out within `budget` (measured and stored)."""
        chain: list[str] = []
        while True:
            kids = self.children.get(node, [])
            if not kids or self.fits(node, budget):
                key: Key = "row"
            elif len(kids) == 1:
                chain.append(node)
                node = kids[0]
                continue
            elif depth >= _MAX_NEST or budget < _MIN_BUDGET:
                key = "list"
            else:
                key = self._columns(node, budget, depth)
            break
        # The chain above it: each node over its single child.
        for above in reversed(chain):
            own = int(budget)
            self.measures[(above, own)] = self._row(above, [(node, key)])
            node, key = above, own
        return key

    def _columns(self, node: str, budget: float, depth: int) -> Key:
        own = int(budget)
        if (node, own) in self.measures:
            return own
        kids = self.children[node]
        indent = self.indent.get(node, _INDENT)
        chosen: list[list[tuple[str, Key]]] = []
        for k in range(min(len(kids), self.max_per_row), 0, -1):
            inner = (budget - (k - 1) * _COL_GAP) / k - indent
            if k > 1 and inner < min(self.box_w[c] for c in kids):
                continue
            keys = [(c, self.budgeted(c, inner, depth + 1)) for c in kids]
            heights = [self.measures[ck].h for ck in keys]
            columns = [[keys[i] for i in part] for part in _partition(heights, k)]
            width = sum(indent + max(self.measures[ck].w for ck in col) for col in columns)
            if width + _COL_GAP * (len(columns) - 1) <= budget or k == 1:
                chosen = columns
                break
        self.measures[(node, own)] = self._cols(node, chosen)
        return own

    def _row(self, node: str, kids: Sequence[tuple[str, Key]]) -> _Measure:
        """`node` centred over its children side by side."""
        bw, bh = self.box_w[node], self.box_h[node]
        ms = [self.measures[ck] for ck in kids]
        side = sum(m.w for m in ms) + _HGAP * (len(ms) - 1)
        w = max(bw, side)
        x = (w - side) / 2
        top = bh + _LEVEL_GAP[self.gaps.get(node, "plain")]
        placed = []
        centres = []
        for (k, key), m in zip(kids, ms, strict=True):
            placed.append((k, key, x, top))
            centres.append(x + m.box_dx + self.box_w[k] / 2)
            x += m.w + _HGAP
        cx = min(max((centres[0] + centres[-1]) / 2, bw / 2), w - bw / 2)
        return _Measure(w, top + max(m.h for m in ms), "row", cx - bw / 2, tuple(placed))

    def _cols(self, node: str, columns: Sequence[Sequence[tuple[str, Key]]]) -> _Measure:
        """`node` over its children in columns, each hanging from a spine."""
        bw, bh = self.box_w[node], self.box_h[node]
        indent = self.indent.get(node, _INDENT)
        widths = [indent + max(self.measures[ck].w for ck in col) for col in columns]
        span = sum(widths) + _COL_GAP * (len(columns) - 1)
        single = len(columns) == 1
        w = max(bw, span)
        box_dx = 0.0 if single else (w - bw) / 2
        x = 0.0 if single else (w - span) / 2
        top0 = bh + (_VGAP if single else _COLUMN_GAP_TOP) + self._tag_room(node)
        placed: list[tuple[str, Key, float, float]] = []
        spines: list[float] = []
        bottom = top0
        for col, cw in zip(columns, widths, strict=True):
            spines.append(x + _SPINE_X)
            top = top0
            for k, key in col:
                placed.append((k, key, x + indent, top))
                top += self.measures[(k, key)].h + _VGAP
            bottom = max(bottom, top - _VGAP)
            x += cw + _COL_GAP
        return _Measure(
            w,
            bottom,
            "cols",
            box_dx,
            tuple(placed),
            tuple(spines),
            tuple(tuple(k for k, _ in col) for col in columns),
        )

    def _tag_room(self, node: str) -> float:
        """Extra height on a column's stem for the tag its children share."""
        return _TAG_H + 10 if node in self.stem_tags else 0.0

    def place(self, root: str, key: Key, x0: float, y0: float) -> None:
        """Put `root`'s subtree (measured as `key`) with its block's corner at (x0, y0):
        children before their parent's connectors, by an explicit stack."""
        stack = [(root, key, x0, y0, iter(self.measures[(root, key)].kids))]
        while stack:
            node, k, x, y, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                self._finish(node, self.measures[(node, k)], x, y)
            else:
                c, ck, dx, dy = child
                stack.append((c, ck, x + dx, y + dy, iter(self.measures[(c, ck)].kids)))

    def _finish(self, node: str, m: _Measure, x0: float, y0: float) -> None:
        """`node`'s box and connectors, its children's boxes already placed."""
        bw, bh = self.box_w[node], self.box_h[node]
        box = _Box(node, x0 + m.box_dx, y0, bw, bh)
        self.boxes[node] = box
        if m.mode == "leaf":
            return
        bottom = y0 + bh
        kids = [self.boxes[c] for c, _, _, _ in m.kids]
        if m.mode == "row":
            cx = box.x + bw / 2
            bus = kids[0].y - _BUS[self.gaps.get(node, "plain")]
            centres = [b.x + b.w / 2 for b in kids]
            lo, hi = min([*centres, cx]), max([*centres, cx])
            self.stems[node] = (cx, bottom, bus)
            self.shared.append((node, [(cx, bottom), (cx, bus)]))
            if hi > lo:
                self.shared.append((node, [(lo, bus), (hi, bus)]))
            for b, c in zip(kids, centres, strict=True):
                self.drops.append((node, b.id, [(c, bus), (c, b.y)]))
            return
        spines = [x0 + s for s in m.spines]
        room = self._tag_room(node)
        if len(spines) == 1:
            top = bottom
            self.stems[node] = (spines[0], bottom, bottom + room)
        else:
            cx = box.x + bw / 2
            top = bottom + _COLUMN_GAP_TOP / 2 + room
            self.stems[node] = (cx, bottom, top)
            self.shared.append((node, [(cx, bottom), (cx, top)]))
            lo, hi = min([*spines, cx]), max([*spines, cx])
            self.shared.append((node, [(lo, top), (hi, top)]))
        for spine, col in zip(spines, m.columns, strict=True):
            mids = [self.boxes[c].y + self.boxes[c].h / 2 for c in col]
            self.shared.append((node, [(spine, top), (spine, mids[-1])]))
            for child, mid in zip(col, mids, strict=True):
                self.drops.append((node, child, [(spine, mid), (self.boxes[child].x, mid)]))


def _partition(heights: Sequence[float], k: int) -> list[list[int]]:
    """Indices 0..n-1 shared among at most `k` columns of even height: the tallest first,
    each into the column that is shortest so far; each column keeps the order given."""
    columns: list[list[int]] = [[] for _ in range(max(1, min(k, len(heights))))]
    used = [0.0] * len(columns)
    for i in sorted(range(len(heights)), key=lambda i: (-heights[i], i)):
        c = min(range(len(columns)), key=lambda c: (used[c], c))
        columns[c].append(i)
        used[c] += heights[i] + _VGAP
    ordered = sorted((sorted(col) for col in columns if col), key=lambda col: col[0])
    return ordered


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
    return (
        f'<path class="edge" d="{d}" fill="none" stroke={quoteattr(colour)} '
        f'stroke-width="0.8"{dash}/>'
    )


def _text(x: float, y: float, text: str, size: float, colour: str, weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}"{bold} '
        f'fill={quoteattr(colour)} text-anchor="middle">{escape(text)}</text>'
    )


@attrs.frozen
class _Label:
    """A node's text as drawn: the title's lines and the (shortened) subtitle."""

    lines: tuple[str, ...]
    subtitle: str

    @property
    def height(self) -> float:
        text = _TITLE_LINE * len(self.lines) + (_SUB_LINE if self.subtitle else 0.0)
        return 2 * _PAD_Y + text + 1.5

    @property
    def width(self) -> float:
        widths = [text_width(line, TITLE_SIZE, bold=True) for line in self.lines]
        widths.append(text_width(self.subtitle, SUB_SIZE))
        return max(_MIN_BOX_W, max(widths) + 2 * _PAD_X)


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
    max_width: float = COLUMN_WIDTH_PT,
) -> str:
    """A top-down tree (or forest) diagram as an SVG document, no wider than `max_width`
    where the boxes allow it (so that it prints at its natural size in the column).

    `nodes[id] = (title, subtitle)`: a rounded box with the title (bold, wrapped onto two
    lines at most) over the subtitle (an empty subtitle gives none; long text is shortened
    with an ellipsis and the full title kept as the box's tooltip); `edges` are (parent,
    child) pairs, each node having at most one parent. Roots are at the top, children
    ordered by id. A parent whose subtree fits (at most `max_per_row` children side by
    side) is drawn over its children; otherwise its children go in columns under it, each
    column on its own spine with an elbow into each child (see the module's docstring).

    `edge_labels` puts a small tag on an edge (once, on the parent's stem, when all of a
    parent's edges share it and the children are side by side); `dashed` edges are drawn
    dashed; `arrows` points an arrowhead at each parent (money flowing up); `emphasis`
    gives nodes a style from STYLES ("strong": filled in the primary colour, "header":
    tinted, "more": a dashed placeholder). Each box is a `<g class="node">` and each
    connector a `<path class="edge">`. The SVG has a viewBox and its natural size in pt
    (1 unit = 1 pt), so CSS can place it.
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
    indent: dict[str, float] = {}
    for p, kids in children.items():
        tags = {labels.get((p, k)) for k in kids}
        if tags == {None}:
            gaps[p] = "plain"
        else:
            gaps[p] = "stem" if len(tags) == 1 else "tagged"
            if len(tags) == 1:
                stem[p] = labels[(p, kids[0])]
            if len(tags) > 1:
                widest = max(_tag_width(labels[(p, k)]) for k in kids if (p, k) in labels)
                indent[p] = max(_INDENT, _SPINE_X + widest + 8)
    roots = sorted(n for n in nodes if n not in parent)
    text = {
        n: _Label(
            tuple(wrap(title, TITLE_SIZE, _MAX_TITLE_W, _MAX_TITLE_LINES, True, _MAX_SUB_W)),
            _shorten(sub, SUB_SIZE, _MAX_SUB_W),
        )
        for n, (title, sub) in nodes.items()
    }
    box_w = {n: label.width for n, label in text.items()}
    box_h = {n: label.height for n, label in text.items()}
    layout = _Layout(box_w, box_h, children, gaps, indent, max_per_row, stem)
    for r in roots:
        layout.natural(r)
    if len(layout.row_ok) != len(nodes):
        stuck = sorted(set(nodes) - set(layout.row_ok))
        raise ValueError(f"nodes in a cycle, not reachable from a root: {', '.join(stuck)}")
    budget = max_width - 2 * _MARGIN
    blocks = [(r, layout.budgeted(r, budget)) for r in roots]
    total_w, total_h = _arrange(layout, blocks, budget)

    line_colour = theme["muted"]
    out: list[str] = []
    # Lines first, then arrowheads and tags, boxes last.
    for p, points in layout.shared:
        kids = children[p]
        out.append(_line(points, line_colour, all((p, k) in dashed_edges for k in kids)))
    for p, c, points in layout.drops:
        out.append(_line(points, line_colour, (p, c) in dashed_edges))
    for p, kids in sorted(children.items()):
        x, top, bottom = layout.stems[p]
        if arrows and not all((p, k) in dashed_edges for k in kids):
            out.append(
                f'<path d="M{_fmt(x)} {_fmt(top)} L{_fmt(x - 3.5)} {_fmt(top + 6)} '
                f'L{_fmt(x + 3.5)} {_fmt(top + 6)} Z" fill={quoteattr(line_colour)}/>'
            )
        if p in stem and _stem_room(layout, p):
            out.append(_tag(x, (top + 6 + bottom) / 2, stem[p], theme))
    for p, c, points in layout.drops:
        if (p, c) not in labels or (p in stem and _stem_room(layout, p)):
            continue  # untagged, or drawn once on the stem
        (x0, y0), (_, y1) = points
        if y0 == y1:  # an elbow: the tag beside the spine
            w = _tag_width(labels[(p, c)])
            out.append(_tag(x0 + 3 + w / 2, y0, labels[(p, c)], theme))
        else:  # a drop
            out.append(_tag(x0, (y0 + y1) / 2, labels[(p, c)], theme))
    for n in sorted(layout.boxes):
        out.append(_box(layout.boxes[n], nodes[n][0], text[n], styles.get(n), theme))

    family = SVG_FONT_FAMILY
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(total_w)} {_fmt(total_h)}" '
        f'style="{scale_style(total_w)}" font-family="{family}" role="img">\n'
        + "\n".join(out)
        + "\n</svg>\n"
    )


def _arrange(
    layout: _Layout, blocks: Sequence[tuple[str, Key]], budget: float
) -> tuple[float, float]:
    """Place the trees side by side, wrapping into rows within `budget`: the canvas's
    width and height."""
    rows: list[list[tuple[str, Key]]] = []
    used = 0.0
    for root, key in blocks:
        w = layout.measures[(root, key)].w
        if rows and used + _FOREST_GAP + w <= budget:
            rows[-1].append((root, key))
            used += _FOREST_GAP + w
        else:
            rows.append([(root, key)])
            used = w
    widths = [
        sum(layout.measures[rk].w for rk in row) + _FOREST_GAP * (len(row) - 1) for row in rows
    ]
    width = max(widths, default=_MIN_BOX_W)
    y = _MARGIN
    for row, row_w in zip(rows, widths, strict=True):
        x = _MARGIN + (width - row_w) / 2
        for root, key in row:
            layout.place(root, key, x, y)
            x += layout.measures[(root, key)].w + _FOREST_GAP
        y += max(layout.measures[rk].h for rk in row) + _FOREST_GAP
    height = (y - _FOREST_GAP + _MARGIN) if rows else 2 * _MARGIN
    return width + 2 * _MARGIN, height


def _stem_room(layout: _Layout, p: str) -> bool:
    """Whether `p`'s stem is long enough for a tag (children side by side, not columns)."""
    _, top, bottom = layout.stems[p]
    return bottom - top >= _TAG_H + 8


def _tag_width(label: str) -> float:
    return text_width(label, LABEL_SIZE) + 6


def _tag(x: float, y: float, label: str, theme: Mapping[str, str]) -> str:
    """A small label in a pill centred on (x, y), over a connector."""
    w = _tag_width(label)
    return (
        f'<rect x="{_fmt(x - w / 2)}" y="{_fmt(y - _TAG_H / 2)}" width="{_fmt(w)}" '
        f'height="{_fmt(_TAG_H)}" rx="3" fill="#FFFFFF" stroke={quoteattr(theme["muted"])} '
        'stroke-width="0.6"/>\n' + _text(x, y + 2.5, label, LABEL_SIZE, theme["text"])
    )


def _box(box: _Box, title: str, label: _Label, style: str | None, theme: Mapping[str, str]) -> str:
    primary, text, muted = theme["primary"], theme["text"], theme["muted"]
    fill, stroke, title_colour, sub_colour = "#FFFFFF", muted, text, muted
    extra = ' stroke-width="0.8"'
    if style == "strong":
        fill, stroke, title_colour, sub_colour = primary, primary, "#FFFFFF", tint(primary, 0.8)
    elif style == "header":
        fill, stroke = tint(primary, 0.9), primary
        extra = ' stroke-width="1.2"'
    elif style == "more":
        fill, title_colour = tint(muted, 0.92), muted
        extra = ' stroke-width="0.8" stroke-dasharray="3 2"'
    cx = box.x + box.w / 2
    parts = [
        f'<g class="node"><title>{escape(title)}</title>',
        f'<rect x="{_fmt(box.x)}" y="{_fmt(box.y)}" width="{_fmt(box.w)}" '
        f'height="{_fmt(box.h)}" rx="5" fill={quoteattr(fill)} stroke={quoteattr(stroke)}'
        f"{extra}/>",
    ]
    y = box.y + _PAD_Y + 8.0
    for line in label.lines:
        parts.append(_text(cx, y, line, TITLE_SIZE, title_colour, "bold"))
        y += _TITLE_LINE
    if label.subtitle:
        parts.append(_text(cx, y - 0.5, label.subtitle, SUB_SIZE, sub_colour))
    parts.append("</g>")
    return "\n".join(parts)
