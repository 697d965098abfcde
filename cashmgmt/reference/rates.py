"""Reference USD rates: a dated table of units of each currency per USD, for when a case's
own FX table cannot convert."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import attrs

from cashmgmt.money import parse_decimal
from cashmgmt.reference.load import read


@attrs.frozen
class UsdRates:
    """Indicative units of each currency per USD on one date, with where they come from."""

    date: date
    source: str
    rates: tuple[tuple[str, Decimal], ...]  # (currency, units per USD), in the file's order

    def rate(self, currency: str) -> Decimal | None:
        """Units of `currency` per USD, or None if the table has no rate for it."""
        return dict(self.rates).get(currency)


@cache
def reference_usd_rates() -> UsdRates:
    """The shipped table (usd_rates.yaml)."""
    data = read("usd_rates.yaml")
    return UsdRates(
        date.fromisoformat(data["date"]),
        data["source"],
        tuple((code, parse_decimal(value)) for code, value in data["rates"].items()),
    )
