"""Hand-built SVG diagrams of a case: the group's ownership tree and a proposed structure.

Every function returns an SVG document as a string (no XML declaration, no DOCTYPE) to inline
in the proposal's HTML, laid out by `layout.tree_svg`. All visible words come from the caller
(node titles and subtitles, edge labels, the "+N accounts" text), so the diagrams are
language-agnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType

from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.graph import ownership_tree
from cashmgmt.model import (
    Account,
    Case,
    Entity,
    NotionalPool,
    PhysicalStructure,
)
from cashmgmt.render.layout import tree_svg

#: Short codes for sweep kinds drawn on the edges of a physical structure.
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"zero-balance": "ZBA", "target": "T", "threshold": "TH", "range": "R"}
)


def _default_more(n: int) -> str:
    return f"+{n} accounts"


def _default_subtitle(entity: Entity, accounts: int) -> str:
    return f"{entity.country} · {accounts} accounts"


def ownership_diagram(
    case: Case,
    *,
    language: str = "en",
    colours: Mapping[str, str] | None = None,
    subtitle: Callable[[Entity, int], str] = _default_subtitle,
    max_per_row: int = 8,
) -> str:
    """The group as it is: one box per entity (its name — the local name in zh-CN when there
    is one — over `subtitle(entity, number of accounts)`), parents above subsidiaries, a
    tag with the share held where a parent owns less than all of a subsidiary."""
    tree = ownership_tree(case)
    counts: dict[str, int] = {}
    for account in case.accounts:
        counts[account.entity] = counts.get(account.entity, 0) + 1
    nodes: dict[str, tuple[str, str]] = {}
    for e in case.entities:
        name = e.local_name if language == "zh-CN" and e.local_name else e.name
        nodes[e.id] = (name, subtitle(e, counts.get(e.id, 0)))
    edges: list[tuple[str, str]] = []
    labels: dict[tuple[str, str], str] = {}
    for p, c, data in sorted(tree.edges(data=True)):
        if p not in nodes or c not in nodes:
            continue
        edges.append((p, c))
        share = data.get("ownership")
        if isinstance(share, Decimal) and share < 1:
            labels[(p, c)] = f"{(share * 100).normalize():f}%"
    roots = set(nodes) - {c for _, c in edges}
    return tree_svg(
        nodes,
        edges,
        colours=colours,
        edge_labels=labels,
        emphasis={r: "strong" for r in roots},
        max_per_row=max_per_row,
    )


def _account_label(account: Account) -> tuple[str, str]:
    return account.id, f"{account.bank} · {account.currency}"


def _pool_label(pool: NotionalPool) -> tuple[str, str]:
    return pool.name, pool.currency


def structure_diagram(
    case: Case,
    structure: PhysicalStructure | NotionalPool | HybridStructure,
    *,
    colours: Mapping[str, str] | None = None,
    label: Callable[[Account], tuple[str, str]] | None = None,
    pool_label: Callable[[NotionalPool], tuple[str, str]] | None = None,
    kind_labels: Mapping[str, str] = KIND_LABELS,
    more: Callable[[int], str] = _default_more,
    max_boxes: int = 200,
    max_per_row: int = 8,
) -> str:
    """The proposed structure.

    Physical: the sweep forest, headers on top, an arrow into each header (money flows up)
    and the sweep kind's short code (`kind_labels`) on each edge. Notional pool: the pool
    (`pool_label`, default its name and currency) over its member accounts, joined by dashed
    lines (no money moves). Hybrid: the notional pool on top, the country headers below,
    their participants below them. Accounts show `label(account)`, default (id, "bank ·
    currency"). Beyond `max_boxes` boxes, the leaf participants of the largest groups are
    drawn as one box each, titled `more(n)`.
    """
    account_label = label or _account_label
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str]] = []
    labels: dict[tuple[str, str], str] = {}
    dashed: set[tuple[str, str]] = set()
    emphasis: dict[str, str] = {}
    physical: PhysicalStructure | None = None
    pool: NotionalPool | None = None
    if isinstance(structure, HybridStructure):
        physical, pool = structure.physical, structure.pool
    elif isinstance(structure, PhysicalStructure):
        physical = structure
    else:
        pool = structure
    participants: set[str] = set()
    if physical is not None:
        participants = {r.participant for r in physical.rules}
        for rule in physical.rules:
            for account_id in (rule.header, rule.participant):
                nodes[account_id] = account_label(case.account(account_id))
            edges.append((rule.header, rule.participant))
            labels[(rule.header, rule.participant)] = kind_labels.get(rule.kind, rule.kind)
        headers = {r.header for r in physical.rules}
        for h in headers:
            emphasis[h] = "header" if h in participants else "strong"
    if pool is not None:
        root = "\x00pool"  # sorts first and cannot clash with an account id
        nodes[root] = (pool_label or _pool_label)(pool)
        emphasis[root] = "strong"
        for account_id in pool.accounts:
            if account_id not in nodes:
                nodes[account_id] = account_label(case.account(account_id))
            if account_id not in participants:
                edges.append((root, account_id))
                dashed.add((root, account_id))
                if physical is not None or account_id == pool.interest_header:
                    emphasis[account_id] = "header"
    if len(nodes) > max_boxes:
        _group_leaves(nodes, edges, labels, dashed, emphasis, more, max_boxes)
    return tree_svg(
        nodes,
        edges,
        colours=colours,
        edge_labels=labels,
        emphasis=emphasis,
        dashed=dashed,
        arrows=physical is not None,
        max_per_row=max_per_row,
    )


def _group_leaves(
    nodes: dict[str, tuple[str, str]],
    edges: list[tuple[str, str]],
    labels: dict[tuple[str, str], str],
    dashed: set[tuple[str, str]],
    emphasis: dict[str, str],
    more: Callable[[int], str],
    max_boxes: int,
) -> None:
    """Replace the leaf children of the largest groups by one "+N" box each (in place) until
    the diagram has at most `max_boxes` boxes, or every group is one box."""
    parents = {p for p, _ in edges}
    leaves: dict[str, list[str]] = {}
    for p, c in edges:
        if c not in parents:
            leaves.setdefault(p, []).append(c)
    groups = sorted(
        ((p, kids) for p, kids in leaves.items() if len(kids) >= 2),
        key=lambda item: (-len(item[1]), item[0]),
    )
    for p, kids in groups:
        if len(nodes) <= max_boxes:
            break
        gone = set(kids)
        kinds = list(dict.fromkeys(labels[(p, k)] for k in sorted(kids) if (p, k) in labels))
        was_dashed = all((p, k) in dashed for k in kids)
        for k in kids:
            del nodes[k]
            emphasis.pop(k, None)
            labels.pop((p, k), None)
            dashed.discard((p, k))
        edges[:] = [(a, b) for a, b in edges if not (a == p and b in gone)]
        box = f"\U0010ffffmore:{p}"  # sorts after the accounts kept beside it
        nodes[box] = (more(len(kids)), "")
        emphasis[box] = "more"
        edges.append((p, box))
        if kinds:
            labels[(p, box)] = "/".join(kinds)
        if was_dashed:
            dashed.add((p, box))
