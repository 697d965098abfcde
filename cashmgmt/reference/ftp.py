"""Default funds-transfer prices per currency (ftp_rates.yaml): what the proposing bank's
treasury pays its business for a unit of deposits a year, for the bank's side of a
simulation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache

import attrs

from cashmgmt.money import parse_rate
from cashmgmt.reference.load import read


@attrs.frozen
class FtpRate:
    """One currency's default funds-transfer price and where it comes from."""

    currency: str
    rate: Decimal
    benchmark: str
    source: str
    url: str
    checked: str | None = None  # a caveat when the source was not re-read


@attrs.frozen
class FtpTable:
    """The shipped defaults on one date."""

    date: date
    rates: Mapping[str, FtpRate]

    def rate(self, currency: str) -> Decimal | None:
        """The default for `currency`, or None if the table has none."""
        entry = self.rates.get(currency)
        return None if entry is None else entry.rate


@cache
def default_ftp() -> FtpTable:
    """The shipped table (ftp_rates.yaml)."""
    data = read("ftp_rates.yaml")
    return FtpTable(
        date.fromisoformat(data["date"]),
        {
            code: FtpRate(
                code,
                parse_rate(entry["rate"]),
                entry["benchmark"],
                entry["source"],
                entry["url"],
                entry.get("checked"),
            )
            for code, entry in data["rates"].items()
        },
    )


def ftp_rates(overrides: Mapping[str, Decimal] | None) -> dict[str, Decimal]:
    """The funds-transfer price per currency: the shipped defaults, each replaced by the
    case's own `funds_transfer_price` where it gives one."""
    rates = {code: entry.rate for code, entry in default_ftp().rates.items()}
    rates.update(overrides or {})
    return rates
