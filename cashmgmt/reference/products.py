"""The product catalog: what the bank can put in a bundle, with channels, segments, needs
and indicative fees."""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs

from cashmgmt.money import Money, parse_decimal
from cashmgmt.reference.load import read
from cashmgmt.reference.text import Localized


@attrs.frozen
class ProductFees:
    """Indicative list prices (not the fees a simulation uses); None where none is charged."""

    setup: Money | None = None  # one-off
    monthly: Money | None = None

    def as_text(self) -> dict[str, str]:
        """The fees charged, as decimal text: setup first, then monthly."""
        fees = {"setup": self.setup, "monthly": self.monthly}
        return {k: str(m.amount) for k, m in fees.items() if m is not None}


@attrs.frozen
class Product:
    """One product of the catalog."""

    id: str
    area: str  # one of the six areas (cashmgmt.model.AREAS)
    name: Localized
    description: Localized
    channels: tuple[str, ...]
    segments: tuple[str, ...]
    needs: tuple[str, ...]  # need words (cashmgmt.model.NEED_AREAS)
    structure_kind: str | None  # physical or notional for a product that runs a pool
    fees: ProductFees


def _product(entry: dict[str, Any], currency: str) -> Product:
    fees = entry.get("fees") or {}
    money = {k: Money(parse_decimal(v), currency) for k, v in fees.items()}
    return Product(
        entry["id"],
        entry["area"],
        Localized.of(entry["name"]),
        Localized.of(entry["description"]),
        tuple(entry.get("channels", ())),
        tuple(entry.get("segments", ())),
        tuple(entry.get("needs", ())),
        entry.get("structure_kind"),
        ProductFees(money.get("setup"), money.get("monthly")),
    )


@cache
def products() -> tuple[Product, ...]:
    """The catalog in file order (the order matters: data/README.md)."""
    data = read("products.yaml")
    return tuple(_product(entry, data["currency"]) for entry in data["products"])
