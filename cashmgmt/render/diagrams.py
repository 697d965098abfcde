"""Hand-built SVG diagrams of a case: the group's ownership tree and a proposed structure.

Every function returns an SVG document as a string (no XML declaration, no DOCTYPE) to inline
in the proposal's HTML, laid out by `layout.tree_svg`. A structure is drawn by entity, not by
account: one box per entity at each place in the structure (its name in the document's
language, its accounts' countries, its role and how many accounts it has there; the
accounts themselves are listed in the proposal's appendix), so a structure of 81 accounts
is a diagram of its companies. Every level of a multi-level structure is kept: header,
sub-headers, participants. The words of roles and counts come from the caller
(`subtitle`, `kind_labels`, `pool_label`), so the diagrams are language-agnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.graph import ownership_tree
from cashmgmt.model import (
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


def _default_share(percent: str) -> str:
    return f"{percent} owned"


def ownership_diagram(
    case: Case,
    *,
    language: str = "en",
    colours: Mapping[str, str] | None = None,
    subtitle: Callable[[Entity, int], str] = _default_subtitle,
    share: Callable[[str], str] = _default_share,
    max_per_row: int = 6,
) -> str:
    """The group as it is: one box per entity (its name — the local name in zh-CN when there
    is one — over `subtitle(entity, number of accounts)`, followed by `share("94.9%")`
    where the parent owns less than all of it), each joined to its parent above."""
    tree = ownership_tree(case)
    counts: dict[str, int] = {}
    for account in case.accounts:
        counts[account.entity] = counts.get(account.entity, 0) + 1
    nodes: dict[str, tuple[str, str]] = {}
    for e in case.entities:
        name = e.local_name if language == "zh-CN" and e.local_name else e.name
        nodes[e.id] = (name, subtitle(e, counts.get(e.id, 0)))
    edges: list[tuple[str, str]] = []
    for p, c, data in sorted(tree.edges(data=True)):
        if p not in nodes or c not in nodes:
            continue
        edges.append((p, c))
        held = data.get("ownership")
        if isinstance(held, Decimal) and held < 1:
            title, sub = nodes[c]
            nodes[c] = (title, f"{sub} · {share(f'{(held * 100).normalize():f}%')}")
    roots = set(nodes) - {c for _, c in edges}
    return tree_svg(
        nodes,
        edges,
        colours=colours,
        emphasis={r: "strong" for r in roots},
        max_per_row=max_per_row,
    )


#: A box's role in a structure: the notional pool, the top header, a header that sweeps on
#: to another (sub-header), a pool member that is no header, or a participant.
ROLES = ("pool", "header", "sub-header", "member", "participant")


@attrs.frozen
class StructureBox:
    """What one box of a structure diagram stands for: an entity's accounts at one place in
    the structure (the pool's own box has no entity)."""

    role: str  # one of ROLES
    entity: Entity | None
    accounts: tuple[str, ...]  # the header's own account first
    countries: tuple[str, ...]
    currencies: tuple[str, ...]


_ROLE_WORDS: Mapping[str, str] = MappingProxyType(
    {"header": "header", "sub-header": "sub-header", "member": "", "participant": ""}
)


def default_box_subtitle(box: StructureBox) -> str:
    """ "header · DE · 3 accounts": the role (headers only), countries and count, in English."""
    n = len(box.accounts)
    parts = [_ROLE_WORDS.get(box.role, ""), "/".join(box.countries)]
    parts.append("1 account" if n == 1 else f"{n} accounts")
    return " · ".join(p for p in parts if p)


def _pool_label(pool: NotionalPool) -> tuple[str, str]:
    return pool.name, pool.currency


def structure_boxes(
    case: Case, structure: PhysicalStructure | NotionalPool | HybridStructure
) -> tuple[dict[str, StructureBox], list[tuple[str, str]], dict[tuple[str, str], tuple[str, ...]]]:
    """The structure folded from accounts to entities: boxes by id, (parent, child) edges,
    and the sweep kinds on each edge (none on a notional pool's edges).

    Each header account is a box; the participants of one header are one box per entity
    (its own entity's included, so a one-company sweep still shows both levels).
    A notional pool is a box over its members (physical headers, or one box per entity)."""
    physical: PhysicalStructure | None = None
    pool: NotionalPool | None = None
    if isinstance(structure, HybridStructure):
        physical, pool = structure.physical, structure.pool
    elif isinstance(structure, PhysicalStructure):
        physical = structure
    else:
        pool = structure
    pool_id = "\x00pool"  # cannot clash with an account id
    up: dict[str, str] = {}
    kind: dict[str, str] = {}
    order: list[str] = []
    if physical is not None:
        for rule in physical.rules:
            up[rule.participant] = rule.header
            kind[rule.participant] = rule.kind
            order += [rule.header, rule.participant]
    if pool is not None:
        for a in pool.accounts:
            if a not in up:
                up[a] = pool_id
            order.append(a)
    headers = set(up.values())
    accounts = list(dict.fromkeys(a for a in order if a != pool_id))

    def entity_of(account_id: str) -> Entity:
        return case.entity(case.account(account_id).entity)

    def name(entity: Entity) -> str:
        return entity.name

    # Box ids sort headers (with their subtrees) before participant groups, each by name.
    box_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for a in accounts:
        if a in headers:
            box_of[a] = f"1{name(entity_of(a))}\x1f{a}"
            members[box_of[a]] = [a]
    for a in accounts:
        if a in headers:
            continue
        parent = up.get(a)
        if parent is None:  # an account in no relation (cannot happen in a valid structure)
            box_of[a] = f"1{name(entity_of(a))}\x1f{a}"
        else:
            parent_box = pool_id if parent == pool_id else box_of[parent]
            box_of[a] = f"2{name(entity_of(a))}\x1f{entity_of(a).id}\x1f{parent_box}"
        members.setdefault(box_of[a], []).append(a)
    boxes: dict[str, StructureBox] = {}
    if pool is not None:
        boxes[pool_id] = StructureBox("pool", None, tuple(pool.accounts), (), (pool.currency,))
    edges: list[tuple[str, str]] = []
    kinds: dict[tuple[str, str], set[str]] = {}
    for box_id, ids in members.items():
        lead = ids[0]
        parent = up.get(lead)
        if lead in headers:
            if parent is None:
                role = "header"
            elif parent == pool_id:
                role = "header" if physical is not None else "member"
            else:
                role = "sub-header"
        else:
            role = "member" if parent == pool_id else "participant"
        chosen = [case.account(a) for a in ids]
        boxes[box_id] = StructureBox(
            role,
            entity_of(lead),
            tuple(ids),
            tuple(dict.fromkeys(a.country for a in chosen)),
            tuple(dict.fromkeys(a.currency for a in chosen)),
        )
        if parent is not None:
            parent_box = pool_id if parent == pool_id else box_of[parent]
            edges.append((parent_box, box_id))
            if lead in kind:
                kinds.setdefault((parent_box, box_id), set()).update(
                    kind[a] for a in ids if up.get(a) == parent
                )
    return boxes, edges, {edge: tuple(sorted(k)) for edge, k in kinds.items()}


def structure_diagram(
    case: Case,
    structure: PhysicalStructure | NotionalPool | HybridStructure,
    *,
    language: str = "en",
    colours: Mapping[str, str] | None = None,
    subtitle: Callable[[StructureBox], str] = default_box_subtitle,
    pool_label: Callable[[NotionalPool], tuple[str, str]] | None = None,
    kind_labels: Mapping[str, str] = KIND_LABELS,
    max_per_row: int = 6,
) -> str:
    """The proposed structure, by entity (see `structure_boxes`).

    Physical: the sweep forest, the top header on top, an arrow into each header (money
    flows up) and the sweep kinds' short codes (`kind_labels`) on each edge. Notional pool:
    the pool (`pool_label`, default its name and currency) over its members, joined by
    dashed lines (no money moves). Hybrid: the notional pool on top, the country headers
    below, their participants below them. Each box shows the entity's name (the local
    name in zh-CN when there is one) over `subtitle(box)`."""
    found, edges, kinds = structure_boxes(case, structure)
    pool_id = next((b for b, box in found.items() if box.role == "pool"), None)
    nodes: dict[str, tuple[str, str]] = {}
    emphasis: dict[str, str] = {}
    dashed: set[tuple[str, str]] = set()
    for box_id, box in found.items():
        if box.entity is None:
            assert isinstance(structure, (NotionalPool, HybridStructure))
            pool = structure if isinstance(structure, NotionalPool) else structure.pool
            nodes[box_id] = (pool_label or _pool_label)(pool)
            emphasis[box_id] = "strong"
            continue
        e = box.entity
        title = e.local_name if language == "zh-CN" and e.local_name else e.name
        nodes[box_id] = (title, subtitle(box))
        if box.role == "header":
            emphasis[box_id] = "header" if pool_id in found else "strong"
        elif box.role == "sub-header":
            emphasis[box_id] = "header"
    labels: dict[tuple[str, str], str] = {}
    for edge in edges:
        if found[edge[0]].role == "pool":
            dashed.add(edge)
        elif edge in kinds:
            labels[edge] = "/".join(kind_labels.get(k, k) for k in kinds[edge])
    return tree_svg(
        nodes,
        edges,
        colours=colours,
        edge_labels=labels,
        emphasis=emphasis,
        dashed=dashed,
        arrows=not isinstance(structure, NotionalPool),
        max_per_row=max_per_row,
    )
