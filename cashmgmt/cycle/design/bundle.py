"""The product bundle: the catalog's products for the client's segment, structure and needs,
and the channels they bring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from cashmgmt.cycle.design.candidates import Candidate
from cashmgmt.cycle.design.feasibility import required_products
from cashmgmt.model import NEED_AREAS, Case, NotionalPool
from cashmgmt.reference.products import Product, price, products

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment

#: Products every client of a segment gets: its channel (DESIGN.md: a micro client gets the
#: standard online-banking package, a large group host-to-host connectivity).
SEGMENT_PRODUCTS: dict[str, tuple[str, ...]] = {
    "micro": ("online-banking-standard",),
    "small-mid": ("online-banking-standard",),
    "mid": ("cash-management-platform",),
    "large": ("host-to-host", "cash-management-platform"),
}


@attrs.frozen
class BundleItem:
    """A product chosen for the client, and why."""

    product: str
    area: str
    name: Mapping[str, str]
    channels: tuple[str, ...]
    reason: str
    fees: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "product": self.product,
            "area": self.area,
            "name": dict(self.name),
            "channels": list(self.channels),
            "reason": self.reason,
            "fees": dict(self.fees),
        }


def bundle(
    case: Case, assessment: Assessment, solution: Sequence[Candidate]
) -> tuple[list[BundleItem], list[str]]:
    """The products for the client (its segment's channel, the products running the
    solution's structures, largest first, and those their country rules require, one per
    high-scoring need) and the channels they use."""
    segment = assessment.segment
    chosen: dict[str, BundleItem] = {}

    def item(p: Product, reason: str) -> BundleItem:
        fees = price(p.id, segment).as_text()
        return BundleItem(p.id, p.area, p.name.as_dict(), p.channels, reason, fees)

    # a product the bank offers only in some countries (China's agreed-amount deposit) is
    # offered where the client has a company
    present = {e.country for e in case.entities}
    fitting = [p for p in products() if segment in p.segments and p.offered_in(present)]
    by_id = {p.id: p for p in fitting}
    for product_id in SEGMENT_PRODUCTS[segment]:
        if product_id in by_id:
            chosen[product_id] = item(
                by_id[product_id],
                f"the channel for a {segment} client: {assessment.coverage.channel}",
            )
    catalog = {p.id: p for p in products()}
    running: set[str] = set()  # products already running a structure of the solution
    for structure in solution:
        kind = structure.structure.kind
        multi = (
            isinstance(structure.structure, NotionalPool)
            and len({case.account(a).currency for a in structure.structure.accounts}) > 1
        )
        for p in fitting:
            if p.structure_kind == kind and (not multi or "multi" in p.id):
                if p.id not in running:
                    chosen[p.id] = item(p, f"runs the recommended structure {structure.id}")
                    running.add(p.id)
                break
        # products a country rule requires for the structure (China's entrusted loans for
        # sweeps between group companies), whatever the segment: the rule, not the catalog's
        # segment list, decides
        for product_id, why in required_products(case, structure.structure).items():
            if product_id in catalog and product_id not in chosen:
                chosen[product_id] = item(
                    catalog[product_id], f"required by the rule for {structure.id}: {why}"
                )
    for need in assessment.needs:
        if need.score < 50:
            continue
        for p in fitting:
            if p.id in chosen or p.structure_kind:
                continue
            if p.area == need.area or any(NEED_AREAS.get(n) == need.area for n in p.needs):
                chosen[p.id] = item(p, f"{need.area}: {need.reason}")
                break
    channels: list[str] = []
    for b in chosen.values():
        for ch in b.channels:
            if ch not in channels:
                channels.append(ch)
    return list(chosen.values()), channels
