"""The terms of a generated multi-currency notional pool in per-currency mode: the FX haircut
and the offset rate's rule, each with its sources (multicurrency_pool.yaml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import attrs

from cashmgmt.money import parse_rate, parse_share
from cashmgmt.reference.load import read


@attrs.frozen
class MultiCurrencyPoolTerms:
    """The haircut, and the offset rate as the pool currency's highest credit rate plus a
    margin; `sources` are (title, url) pairs."""

    date: date
    haircut: Decimal
    offset_margin: Decimal
    sources: tuple[tuple[str, str], ...]

    def offset_rate(self, pool_credit_rates: tuple[Decimal, ...]) -> Decimal:
        """The offset rate for a pool currency whose credit tiers have these rates."""
        return max(pool_credit_rates, default=Decimal(0)) + self.offset_margin


@cache
def multicurrency_pool_terms() -> MultiCurrencyPoolTerms:
    """The shipped terms (multicurrency_pool.yaml)."""
    data = read("multicurrency_pool.yaml")
    if data["offset_rate"]["rule"] != "pool-credit-rate":
        raise ValueError("multicurrency_pool.yaml: offset_rate.rule must be pool-credit-rate")
    sources = tuple(
        (s["title"], s["url"])
        for part in (data["haircut"], data["offset_rate"])
        for s in part["sources"]
    )
    return MultiCurrencyPoolTerms(
        date.fromisoformat(data["date"]),
        parse_share(data["haircut"]["value"]),
        parse_rate(data["offset_rate"]["margin"]),
        sources,
    )
