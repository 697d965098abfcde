"""Charts and diagrams: SVG strings that parse, repeat byte for byte, keep text as text and
escape whatever the client typed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, partial
from pathlib import Path

import attrs
import numpy as np
import pytest

import cashmgmt
from cashmgmt.cycle.design import Design
from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.render import charts, diagrams, layout
from cashmgmt.render.palette import GAIN_COLOUR

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "case.yaml").is_file())
SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<img src="http://127.0.0.1:1/x">'
THEME = {"primary": "#004B87", "accent": "#E87722", "text": "#111111", "muted": "#777777"}


@cache
def example(name: str) -> tuple[Case, Design]:
    case = cashmgmt.load_case(EXAMPLES / name)
    return case, cashmgmt.design(case, cashmgmt.assess(case))


def parse(svg: str) -> ET.Element:
    """The SVG parsed; it must be a bare <svg> element to inline in HTML."""
    text = svg.strip()
    assert text.startswith("<svg"), text[:80]
    assert "<?xml" not in text and "<!DOCTYPE" not in text
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    return root


def texts(root: ET.Element) -> list[str]:
    """Every text drawn, and each box's full title (its tooltip: a long title is drawn on
    two lines or shortened)."""
    drawn = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    return drawn + ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]


def boxes(root: ET.Element) -> int:
    """Node boxes in a diagram (edge tags are rounded less)."""
    return sum(1 for r in root.iter(f"{SVG}rect") if r.get("rx") == "5")


def same_twice(make: Callable[[], str]) -> str:
    first, second = make(), make()
    assert first == second
    return first


# ------------------------------------------------------------------------------ charts

DAYS = [date(2024, 1, 1) + timedelta(days=d) for d in range(366)]
BASELINE = np.array([1_000_000_00 + 50_000_00 * ((d * 37) % 11 - 5) for d in range(366)])
STRUCTURE = BASELINE + 1_000_00


def balance(**overrides: object) -> str:
    kwargs: dict[str, object] = {
        "title": "资金归集后余额",
        "baseline_label": "现状",
        "structure_label": "资金池",
        "y_label": "人民币",
        **overrides,
    }
    return charts.balance_chart(DAYS, BASELINE, STRUCTURE, 2, **kwargs)  # type: ignore[arg-type]


def test_balance_chart_is_svg_deterministic_and_keeps_chinese_text() -> None:
    svg = same_twice(balance)
    root = parse(svg)
    words = texts(root)
    for word in ("资金归集后余额", "现状", "资金池", "人民币", "2024-01", "2024-07"):
        assert word in words, word
    assert "WenQuanYi Micro Hei" in svg
    assert "Date" not in svg and "Created with" not in svg
    assert 'style="width: 453.54pt; max-width: 100%"' in svg


def test_balance_chart_takes_lists_and_labels_ticks_with_the_callers_format() -> None:
    svg = charts.balance_chart(
        DAYS,
        BASELINE.tolist(),
        STRUCTURE.tolist(),
        2,
        title="",
        baseline_label="Status quo",
        structure_label="With the structure",
        y_label="CNY",
        format_number=lambda v: f"{v / 1e6:.1f} m",
        colours=THEME,
    )
    words = texts(parse(svg))
    assert any(re.fullmatch(r"\d+\.\d m", w) for w in words), words
    assert "#004b87" in svg.lower()


def test_balance_chart_rejects_uneven_series() -> None:
    with pytest.raises(ValueError):
        charts.balance_chart(
            DAYS[:3], [1, 2], [1, 2, 3], 2, title="", baseline_label="", structure_label="",
            y_label="",
        )  # fmt: skip


def benefit(highlight: str | None = "Notional pool (notional-eur)") -> str:
    return charts.benefit_chart(
        ["Notional pool (notional-eur)", "二级资金池 (zba-ml-cny-cn)", "Target pool (t)"],
        [Decimal("2842714.03"), Decimal("1294732.09"), Decimal("-94060.88")],
        title="Benefit per year",
        x_label="EUR",
        highlight=highlight,
        colours=THEME,
    )


def test_benefit_chart_highlights_the_recommendation() -> None:
    svg = same_twice(benefit)
    words = texts(parse(svg))
    assert "二级资金池 (zba-ml-cny-cn)" in words
    assert "2,842,714" in words and "-94,061" in words  # values at the bars' ends
    # the recommendation's bar is a gain: GAIN_COLOUR, never the theme's accent (issue 14)
    assert GAIN_COLOUR.lower() in svg.lower() and "#e87722" not in svg.lower()
    assert GAIN_COLOUR.lower() not in benefit(highlight=None).lower()


def test_benefit_chart_shows_the_callers_value_labels_and_every_highlighted_bar() -> None:
    """The proposal passes labels rounded from the exact amounts (3,686,601.73 reads
    "€3.69 m", never a truncated "3,686,601"), and highlights all of the solution's
    structures, not only the largest."""
    names = ["Pool A", "Pool B", "Pool C"]
    svg = charts.benefit_chart(
        names,
        [Decimal("3686601.73"), Decimal("1294732.09"), Decimal("-94060.88")],
        title="Benefit per year",
        x_label="EUR",
        highlight=["Pool A", "Pool B"],
        colours=THEME,
        value_labels=["€3.69 m", "€1.29 m", "-€94,061"],
    )
    words = texts(parse(svg))
    assert {"€3.69 m", "€1.29 m", "-€94,061"} <= set(words)
    assert "3,686,601" not in words
    assert svg.lower().count(GAIN_COLOUR.lower()) >= 4  # two bars and two bold tick labels
    with pytest.raises(ValueError):
        charts.benefit_chart(names, [1, 2, 3], title="", x_label="", highlight=None,
                             value_labels=["1"])  # fmt: skip


def test_benefit_chart_with_no_candidates_still_renders() -> None:
    parse(charts.benefit_chart([], [], title="", x_label="", highlight=None))


def entities(names: list[str]) -> str:
    return charts.entity_chart(
        names,
        [Decimal("-1200.50"), Decimal(300)],
        [Decimal("800.25"), 0],
        title="各实体净利息",
        before_label="Status quo",
        after_label="With the structure",
        x_label="CNY",
    )


def test_entity_chart_is_deterministic_and_escapes_names() -> None:
    svg = same_twice(lambda: entities([EVIL, "华夏酒业酿造有限公司"]))
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    assert "&lt;img" in svg
    assert EVIL in texts(root)
    assert "华夏酒业酿造有限公司" in texts(root)
    assert "各实体净利息" in texts(root)


TASKS = [
    ("启动会", date(2026, 2, 2), date(2026, 2, 6), "rm"),
    ("Sign: cash pool agreement", date(2026, 2, 9), date(2026, 3, 6), "bank-legal"),
    (EVIL, date(2026, 2, 9), date(2026, 2, 20), "client-treasury"),
    ("Go-live", date(2026, 4, 1), date(2026, 4, 1), "rm"),
]


def test_timeline_chart_has_a_legend_of_owners_and_month_ticks() -> None:
    owners = {"rm": "客户经理", "bank-legal": "Bank legal", "client-treasury": "Client treasury"}
    svg = same_twice(lambda: charts.timeline_chart(TASKS, title="实施时间表", owners=owners))
    root = parse(svg)
    words = texts(root)
    for word in ("实施时间表", "启动会", "客户经理", "Bank legal", "2026-02", "2026-04"):
        assert word in words, word
    assert "rm" not in words
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    assert "&lt;img" in svg


def test_timeline_chart_without_owner_names_has_no_legend() -> None:
    words = texts(parse(charts.timeline_chart(TASKS, title="Plan")))
    assert "rm" not in words and "bank-legal" not in words


def test_a_dollar_sign_is_not_mathtext() -> None:
    svg = charts.benefit_chart(
        ["US$ pool $x$"], [Decimal(5)], title="In US$ $", x_label="$", highlight=None
    )
    assert "US$ pool $x$" in texts(parse(svg))


def test_wrap_label_counts_cjk_double_and_cuts_with_an_ellipsis() -> None:
    assert charts.wrap_label("short") == "short"
    assert charts.wrap_label("one two three four", width=9) == "one two\nthree…"
    lines = charts.wrap_label("华夏酒业供应链物流有限公司华夏酒业供应链物流有限公司", width=10)
    assert all(len(line.rstrip("…")) <= 5 for line in lines.split("\n"))
    assert lines.endswith("…")


# ------------------------------------------------------------------------------ diagrams


def test_tree_svg_lays_out_a_small_tree_and_escapes_text() -> None:
    nodes = {"A": ("Root", "top"), "B": (EVIL, "<b>"), "C": ("华夏酒业", "CN · 2")}
    edges = [("A", "C"), ("A", "B")]
    svg = same_twice(
        lambda: layout.tree_svg(nodes, edges, edge_labels={("A", "B"): "T&C"}, arrows=True)
    )
    root = parse(svg)
    assert boxes(root) == 3
    assert not [e for e in root.iter() if e.tag.endswith(("img", "b"))]
    assert "&lt;img" in svg and "T&amp;C" in svg
    words = texts(root)
    assert {"Root", EVIL, "<b>", "华夏酒业", "CN · 2", "T&C"} <= set(words)
    # Children by id: B left of C, both below A (boxes found by their full titles).
    at = {}
    for g in root.iter(f"{SVG}g"):
        rect, title = g.find(f"{SVG}rect"), g.find(f"{SVG}title")
        assert rect is not None and title is not None
        at[title.text] = (float(rect.get("x", "0")), float(rect.get("y", "0")))
    assert at[EVIL][0] < at["华夏酒业"][0]
    assert at["Root"][1] < at[EVIL][1] == at["华夏酒业"][1]


def test_tree_svg_wraps_a_wide_level_into_rows() -> None:
    nodes = {"root": ("Pool", "")} | {
        f"a{i:02}": (f"ACCOUNT-{i:02}", "Bank · EUR") for i in range(40)
    }
    edges = [("root", f"a{i:02}") for i in range(40)]
    root = parse(layout.tree_svg(nodes, edges, max_per_row=8))
    rows = {t.get("y") for t in root.iter(f"{SVG}text") if (t.text or "").startswith("ACCOUNT")}
    assert len(rows) >= 5  # at most 8 per row
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert height <= 1.4 * width + 1


@pytest.mark.parametrize(
    "edges",
    [
        [("A", "B"), ("C", "B")],  # two parents
        [("A", "Z")],  # unknown node
        [("B", "C"), ("C", "B")],  # a cycle
        [("A", "A")],
    ],
)
def test_tree_svg_refuses_what_is_not_a_forest(edges: list[tuple[str, str]]) -> None:
    nodes = {n: (n, "") for n in "ABC"}
    with pytest.raises(ValueError):
        layout.tree_svg(nodes, edges)


def test_cjk_text_counts_double_width() -> None:
    assert layout.text_width("华夏", 10) == pytest.approx(2 * layout.text_width("华", 10))
    assert layout.text_width("华", 10) > layout.text_width("H", 10)


@pytest.mark.parametrize("name", NAMES)
def test_ownership_diagram_of_every_example(name: str) -> None:
    case, _ = example(name)
    for language in ("en", "zh-CN"):
        svg = same_twice(partial(diagrams.ownership_diagram, case, language=language))
        root = parse(svg)
        assert boxes(root) == len(case.entities)
        words = texts(root)
        for e in case.entities:
            shown = e.local_name if language == "zh-CN" and e.local_name else e.name
            assert shown in words


def test_ownership_diagram_takes_the_callers_subtitle_and_shows_partial_shares() -> None:
    case, _ = example("huaxia-liquor")
    svg = diagrams.ownership_diagram(
        case,
        language="zh-CN",
        subtitle=lambda e, n: f"{e.country} · {n} 个账户",
        share=lambda pct: f"持股 {pct}",
        colours=THEME,
    )
    words = texts(parse(svg))
    assert "CN · 6 个账户" in words
    shares = [e.ownership for e in case.entities if e.ownership is not None and e.ownership < 1]
    assert shares and all(any(f"持股 {share * 100:.0f}%" in w for w in words) for share in shares)
    assert "#004B87" in svg


def test_ownership_diagram_escapes_entity_names() -> None:
    case, _ = example("bluestem-outdoor")
    evil = tuple(attrs.evolve(e, name=EVIL) if e.parent else e for e in case.entities)
    svg = diagrams.ownership_diagram(attrs.evolve(case, entities=evil))
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    assert "&lt;img" in svg and EVIL in texts(root)


def structures(name: str) -> list[PhysicalStructure | NotionalPool | HybridStructure]:
    case, design = example(name)
    out: dict[str, PhysicalStructure | NotionalPool | HybridStructure] = {
        s.id: s for s in case.structures
    }
    out.update({c.id: c.structure for c in design.candidates})
    return list(out.values())


@pytest.mark.parametrize("name", NAMES)
def test_structure_diagram_of_every_structure_and_candidate(name: str) -> None:
    """One box per entity at each place in the structure; the boxes hold every account
    once; every entity is named; physical structures carry their sweep kinds."""
    case, _ = example(name)
    for structure in structures(name):
        svg = same_twice(partial(diagrams.structure_diagram, case, structure))
        root = parse(svg)
        words = texts(root)
        found, _, _ = diagrams.structure_boxes(case, structure)
        assert boxes(root) == len(found), structure.id
        held = [a for box in found.values() if box.entity is not None for a in box.accounts]
        assert sorted(held) == sorted(structure.accounts), structure.id
        assert boxes(root) <= len(structure.accounts) + 1
        for account in structure.accounts:
            assert case.entity(case.account(account).entity).name in words
            assert account not in words  # account codes go to the appendix
        if isinstance(structure, PhysicalStructure):
            assert set(words) & {"ZBA", "T", "TH", "R", "ZBA/T", "T/ZBA"}


def test_aurora_hybrid_is_drawn_by_company() -> None:
    """The 81-account hybrid was 81 boxes of account codes; it is a diagram of companies."""
    case, design = example("aurora-industrial")
    hybrid = design.candidate("hybrid").structure
    assert isinstance(hybrid, HybridStructure)
    root = parse(diagrams.structure_diagram(case, hybrid))
    entities = {case.account(a).entity for a in hybrid.accounts}
    assert boxes(root) < len(hybrid.accounts) / 2
    assert "Notional pool over the country headers" in texts(root)
    assert {case.entity(e).name for e in entities} <= set(texts(root))


def test_structure_diagram_labels_kinds_and_boxes_through_the_caller() -> None:
    case, _ = example("larkspur-bakery")
    structure = case.structure("savings-sweep")
    assert isinstance(structure, PhysicalStructure)
    svg = diagrams.structure_diagram(
        case,
        structure,
        kind_labels={"target": "目标"},
        subtitle=lambda box: f"{len(box.accounts)} 个账户 {EVIL}",
    )
    root = parse(svg)
    words = texts(root)
    assert "目标" in words and any(w.startswith("1 个账户 <img") for w in words)
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    assert "&lt;img" in svg


def test_notional_pool_diagram_has_the_pool_on_top() -> None:
    case, _ = example("huaxia-liquor")
    pool = case.structure("crossborder-notional")
    assert isinstance(pool, NotionalPool)
    svg = diagrams.structure_diagram(
        case, pool, language="zh-CN", pool_label=lambda p: ("跨境名义资金池", p.currency)
    )
    root = parse(svg)
    y = {t.text: float(t.get("y", "0")) for t in root.iter(f"{SVG}text")}
    names = {case.entity(case.account(a).entity).local_name for a in pool.accounts}
    assert names and all(name in y and y["跨境名义资金池"] < y[name] for name in names)
    assert "stroke-dasharray" in svg  # no money moves in a notional pool


def test_rendered_by_weasyprint(tmp_path: Path) -> None:
    """Charts and diagrams go through WeasyPrint (the way the proposal uses them)."""
    weasyprint = pytest.importorskip("weasyprint")
    case, _ = example("huaxia-liquor")
    body = benefit() + diagrams.structure_diagram(case, case.structure("cny-two-level"))
    pdf = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
