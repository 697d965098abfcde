"""The product catalog: what the bank can put in a bundle, with channels, segments, needs
and indicative fees."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import attrs

from cashmgmt.money import Money, parse_decimal
from cashmgmt.reference.load import read
from cashmgmt.reference.text import Localized
from cashmgmt.regions import is_country


@attrs.frozen
class ProductFees:
    """A product's prices; None where none is charged. The design prices the structures it
    generates from them (`price`), and the proposal shows the same figures."""

    setup: Money | None = None  # one-off
    monthly: Money | None = None  # for the whole structure, each month
    per_account_month: Money | None = None  # for each account in it, each month
    per_transaction: Money | None = None  # for each sweep transfer

    def as_text(self) -> dict[str, str]:
        """The fees charged, as decimal text: setup first, then monthly, per account and
        month, per transaction."""
        fees = {
            "setup": self.setup,
            "monthly": self.monthly,
            "per_account_month": self.per_account_month,
            "per_transaction": self.per_transaction,
        }
        return {k: str(m.amount) for k, m in fees.items() if m is not None}


#: The fee keys of a catalog entry.
FEE_KEYS = ("setup", "monthly", "per_account_month", "per_transaction")


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
    fees: ProductFees  # the list price
    #: Prices that replace the list price for a segment.
    segment_fees: Mapping[str, ProductFees] = attrs.field(factory=dict)
    #: The countries (ISO 3166 alpha-2) where the bank offers the product; empty: wherever
    #: it does business. A product defined by one country's rules (China's agreed-amount
    #: deposit, notice deposit, entrusted loans) is offered there only.
    markets: tuple[str, ...] = ()

    def offered_in(self, countries: Iterable[str]) -> bool:
        """Whether the bank offers the product to a client with companies in `countries`
        (a product with no markets is offered everywhere)."""
        return not self.markets or any(c in self.markets for c in countries)


def _fees(entry: object, currency: str) -> ProductFees:
    fees = entry if isinstance(entry, dict) else {}
    unknown = set(fees) - set(FEE_KEYS)
    if unknown:
        raise ValueError(f"products.yaml: unknown fee keys {sorted(unknown)}")
    money = {k: Money(parse_decimal(v), currency) for k, v in fees.items()}
    return ProductFees(**money)


def _product(entry: dict[str, Any], currency: str) -> Product:
    return Product(
        entry["id"],
        entry["area"],
        Localized.of(entry["name"]),
        Localized.of(entry["description"]),
        tuple(entry.get("channels", ())),
        tuple(entry.get("segments", ())),
        tuple(entry.get("needs", ())),
        entry.get("structure_kind"),
        _fees(entry.get("fees"), currency),
        {seg: _fees(f, currency) for seg, f in (entry.get("segment_fees") or {}).items()},
        _markets(entry),
    )


def _markets(entry: dict[str, Any]) -> tuple[str, ...]:
    markets = tuple(entry.get("markets", ()))
    unknown = [m for m in markets if not is_country(m)]
    if unknown:
        raise ValueError(f"products.yaml: {entry['id']}: unknown market codes {unknown}")
    return markets


@cache
def products() -> tuple[Product, ...]:
    """The catalog in file order (the order matters: data/README.md)."""
    data = read("products.yaml")
    return tuple(_product(entry, data["currency"]) for entry in data["products"])


def price(product_id: str, segment: str) -> ProductFees:
    """What the product costs a client of `segment`: its segment price where the catalog
    gives one, else its list price (KeyError for a product the catalog lacks). The one
    source of prices for the design's structures and the documents' bundle."""
    for product in products():
        if product.id == product_id:
            return product.segment_fees.get(segment, product.fees)
    raise KeyError(f"no product {product_id!r} in the catalog")
