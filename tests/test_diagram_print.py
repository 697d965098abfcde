"""Diagrams a reader can use on paper: the smallest text at least 7 pt where the SVG is
printed, every company under its own parent (read back from the drawing's geometry, not
from the code that drew it), every level of a multi-level structure, text measured with
the fonts the documents use.

The geometry reader knows only what a reader sees: boxes (`<g class="node">`: a rect and
its title) and connector lines (`<path class="edge">`). Lines that meet (an end of one on
another) form one connector; the box it leaves from its bottom edge is the parent, the boxes
it enters by the top or the left edge are the children."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

import cashmgmt
from cashmgmt.cycle.design import Design
from cashmgmt.model import Case, PhysicalStructure
from cashmgmt.render import diagrams, fontmetrics, layout
from cashmgmt.render.palette import COLUMN_WIDTH_PT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "case.yaml").is_file())
SVG = "{http://www.w3.org/2000/svg}"
MIN_PT = 7.0
EPS = 0.02


@cache
def example(name: str) -> tuple[Case, Design]:
    case = cashmgmt.load_case(EXAMPLES / name)
    return case, cashmgmt.design(case, cashmgmt.assess(case))


def printed_scale(root: ET.Element) -> float:
    """The scale at which the SVG is printed: its natural width in pt (the inline style),
    shrunk to the column when wider (max-width: 100%)."""
    style = root.get("style", "")
    match = re.search(r"width:\s*([\d.]+)pt", style)
    assert match and "max-width: 100%" in style, style
    _, _, vb_w, _ = (float(v) for v in root.get("viewBox", "").split())
    natural = float(match.group(1))
    return min(natural, COLUMN_WIDTH_PT) / vb_w


def smallest_printed_text(svg: str) -> float:
    root = ET.fromstring(svg)
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]
    assert sizes
    return min(sizes) * printed_scale(root)


# ------------------------------------------------------------------------------ geometry


Box = tuple[float, float, float, float]  # x, y, w, h


def _points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d)]
    assert re.fullmatch(r"(\s*[ML]\s*-?[\d.]+\s+-?[\d.]+)+\s*", d), d
    return list(zip(nums[0::2], nums[1::2], strict=True))


def _on_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    if abs(x1 - x2) < EPS:  # vertical
        return abs(x - x1) < EPS and min(y1, y2) - EPS <= y <= max(y1, y2) + EPS
    if abs(y1 - y2) < EPS:  # horizontal
        return abs(y - y1) < EPS and min(x1, x2) - EPS <= x <= max(x1, x2) + EPS
    raise AssertionError(f"connector not axis-aligned: {a} {b}")


def drawn_parents(svg: str, subtitled: bool = False) -> dict[str, str]:
    """Each box's parent as the drawing shows it, boxes named by their full title (and,
    `subtitled`, " | " and their subtitle: a structure may show one company twice)."""
    root = ET.fromstring(svg)
    boxes: dict[str, Box] = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        rect, title = g.find(f"{SVG}rect"), g.find(f"{SVG}title")
        assert rect is not None and title is not None and title.text
        name = title.text
        if subtitled:
            name += " | " + ["".join(t.itertext()) for t in g.iter(f"{SVG}text")][-1]
        assert name not in boxes, f"two boxes named {name!r}"
        boxes[name] = tuple(float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[assignment]
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for path in root.iter(f"{SVG}path"):
        if path.get("class") == "edge":
            segments += list(itertools.pairwise(_points(path.get("d", ""))))
    # Lines meet where an end of one lies on the other.
    group = list(range(len(segments)))

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, (a, b) in enumerate(segments):
        for j, (c, d) in enumerate(segments):
            if i != j and any(_on_segment(p, c, d) for p in (a, b)):
                group[find(i)] = find(j)
    touches: dict[int, dict[str, set[str]]] = {}
    for i, (a, b) in enumerate(segments):
        for p in (a, b):
            for name, (x, y, w, h) in boxes.items():
                side = ""
                if abs(p[1] - (y + h)) < EPS and x - EPS <= p[0] <= x + w + EPS:
                    side = "bottom"
                elif abs(p[1] - y) < EPS and x - EPS <= p[0] <= x + w + EPS:
                    side = "top"
                elif abs(p[0] - x) < EPS and y - EPS <= p[1] <= y + h + EPS:
                    side = "left"
                if side:
                    touches.setdefault(find(i), {}).setdefault(side, set()).add(name)
    # Nothing between a parent and a child it enters from above (the old wrapped rows put
    # a second row under the first row's boxes), nor beside one it enters from the left.
    for i, (a, b) in enumerate(segments):
        for p in (a, b):
            for name, (x, y, w, h) in boxes.items():
                if abs(p[1] - y) < EPS and x - EPS <= p[0] <= x + w + EPS:  # a drop's end
                    (parent,) = touches[find(i)]["bottom"]
                    top = boxes[parent][1] + boxes[parent][3]
                    between = [
                        other
                        for other, (ox, oy, ow, oh) in boxes.items()
                        if other != name and ox <= p[0] <= ox + ow and top < oy + oh and oy < y
                    ]
                    assert not between, f"{between} drawn between {parent!r} and {name!r}"
                if abs(p[0] - x) < EPS and y - EPS <= p[1] <= y + h + EPS:  # an elbow's end
                    spine = min(a[0], b[0])
                    between = [
                        other
                        for other, (ox, oy, ow, oh) in boxes.items()
                        if other != name and oy <= p[1] <= oy + oh and spine < ox + ow and ox < x
                    ]
                    assert not between, f"{between} drawn between {name!r} and its spine"
    parents: dict[str, str] = {}
    for sides in touches.values():
        above = sides.get("bottom", set())
        below = sides.get("top", set()) | sides.get("left", set())
        assert len(above) == 1, f"a connector leaves {len(above)} boxes: {sorted(above)}"
        (parent,) = above
        for child in below:
            assert child not in parents, f"{child!r} has two parents"
            parents[child] = parent
    return parents


# ------------------------------------------------------------------------------ tests


def test_the_column_width_is_the_page_less_its_margins() -> None:
    css = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
    page = re.search(r"@page\s*\{[^}]*?size:\s*A4;\s*margin:\s*([^;]+);", css)
    assert page, "style.css sets an A4 page with margins"
    margins = [float(v.removesuffix("mm")) for v in page.group(1).split()]
    left, right = margins[3 % len(margins)], margins[1 % len(margins)]
    assert pytest.approx((210 - left - right) / 25.4 * 72, abs=0.5) == COLUMN_WIDTH_PT


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_smallest_text_is_at_least_7pt_in_print(name: str, language: str) -> None:
    case, design = example(name)
    drawn = {"ownership": diagrams.ownership_diagram(case, language=language)}
    structures = {c.id: c.structure for c in design.candidates} | {s.id: s for s in case.structures}
    for sid, structure in structures.items():
        drawn[sid] = diagrams.structure_diagram(case, structure, language=language)
    for what, svg in drawn.items():
        assert smallest_printed_text(svg) >= MIN_PT - 1e-6, (name, what)


def test_the_proposal_prints_its_diagrams_at_7pt_or_more() -> None:
    """The diagrams as the proposal inlines them (the caller's words, the theme)."""
    from cashmgmt.documents import propose

    for name in ("aurora-industrial", "huaxia-liquor"):
        case, _ = example(name)
        for language in ("en", "zh-CN"):
            html = propose(case, language).html()
            svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
            figures = [s for s in svgs if 'class="node"' in s]
            assert len(figures) >= 2
            for svg in figures:
                assert smallest_printed_text(svg) >= MIN_PT - 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_every_company_is_drawn_under_its_own_parent(name: str) -> None:
    case, _ = example(name)
    for language in ("en", "zh-CN"):
        svg = diagrams.ownership_diagram(case, language=language)
        shown = {
            e.id: (e.local_name if language == "zh-CN" and e.local_name else e.name)
            for e in case.entities
        }
        expected = {shown[e.id]: shown[e.parent] for e in case.entities if e.parent}
        assert drawn_parents(svg) == expected


def test_aurora_org_chart_keeps_maschinenbau_and_the_us_company_under_their_parents() -> None:
    """The defect the issue names: wrapped rows put Maschinenbau under Antriebstechnik and
    the US company under the UK subtree."""
    case, _ = example("aurora-industrial")
    parents = drawn_parents(diagrams.ownership_diagram(case))
    names = {e.id: e.name for e in case.entities}
    by_name = {e.name: e for e in case.entities}
    maschinenbau = next(n for n in names.values() if "Maschinenbau" in n)
    assert parents[maschinenbau] == names[str(by_name[maschinenbau].parent)]
    assert "Deutschland" in parents[maschinenbau]
    us = [e for e in case.entities if e.country == "US" and e.parent]
    assert us and all(parents[e.name] == names[str(e.parent)] for e in us)


@pytest.mark.parametrize("seed", range(40))
def test_random_forests_are_drawn_with_their_own_parents(seed: int) -> None:
    """Property: any forest, any widths, any fan-out: the drawn parents are the given ones."""
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    words = ["Aurora", "Industrial", "Holding", "华夏酒业", "Sales", "GmbH", "有限公司", "Ltd"]
    nodes = {
        f"n{i:02}": (
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 5))) + f" {i}",
            rng.choice(["", "DE · 3 accounts", "CN · 1 个账户"]),
        )
        for i in range(n)
    }
    edges = []
    for i in range(1, n):
        if rng.random() < 0.9:
            edges.append((f"n{rng.randrange(i):02}", f"n{i:02}"))
    labels = {e: rng.choice(["", "ZBA", "80%", "target"]) for e in edges}
    svg = layout.tree_svg(nodes, edges, edge_labels=labels, arrows=rng.random() < 0.5)
    expected = {nodes[c][0]: nodes[p][0] for p, c in edges}
    assert drawn_parents(svg) == expected
    assert smallest_printed_text(svg) >= MIN_PT - 1e-6


def test_huaxia_two_level_structure_shows_both_levels() -> None:
    """HQ's header ← the regional companies' sub-headers ← the city offices and the
    second-level companies: three levels of boxes, each under the box it sweeps into."""
    case, _ = example("huaxia-liquor")
    structure = case.structure("cny-two-level")
    assert isinstance(structure, PhysicalStructure)
    found, edges, _ = diagrams.structure_boxes(case, structure)
    by_account = {a: box_id for box_id, box in found.items() for a in box.accounts}
    for rule in structure.rules:  # every sweep is an edge between the boxes holding it
        assert (by_account[rule.header], by_account[rule.participant]) in edges
    assert {box.role for box in found.values()} == {"header", "sub-header", "participant"}
    # Read back from the drawing: Zhejiang under East China's sub-header under HQ's header.
    parents = drawn_parents(diagrams.structure_diagram(case, structure), subtitled=True)
    names = {e.id: e.name for e in case.entities}
    hq = f"{names['HQ']} | header · CN · 1 account"
    east = f"{names['EAST']} | sub-header · CN · 1 account"
    assert parents[f"{names['EZJ']} | CN · 1 account"] == east
    assert parents[f"{names['EAST']} | CN · 2 accounts"] == east  # its two city offices
    assert parents[east] == hq
    depth = {}
    for child in parents:
        d, node = 0, child
        while node in parents:
            node, d = parents[node], d + 1
        depth[child] = d
    assert max(depth.values()) == 2  # header → sub-header → participant
    assert len(parents) + 1 == len(found)  # every box but the header hangs from one


def test_text_is_measured_with_the_documents_fonts() -> None:
    """Widths are the glyph advances of the fonts fontconfig resolves, not a guess: DejaVu
    Sans' "H" is 1540/2048 em and "i" 569/2048 em (the font's hmtx table); CJK characters
    are one em in WenQuanYi Micro Hei."""
    faces = fontmetrics.faces()
    assert faces
    if "DejaVuSans" in faces[0].path:
        assert layout.text_width("H", 10) == pytest.approx(10 * 1540 / 2048)
        assert layout.text_width("i", 10) == pytest.approx(10 * 569 / 2048)
    assert layout.text_width("华夏", 10) == pytest.approx(2 * layout.text_width("华", 10))
    assert layout.text_width("华", 10) == pytest.approx(10.0, rel=0.05)
    assert layout.text_width("Wi", 10, bold=True) > layout.text_width("Wi", 10)
