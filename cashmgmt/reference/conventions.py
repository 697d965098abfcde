"""Money-market day-count conventions by currency (data/day_counts.yaml, sourced and dated):
the day count an account, a pool or an intercompany position takes when its terms state none."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import attrs

from cashmgmt.model import DAY_COUNTS, DayCount
from cashmgmt.reference.load import read


@attrs.frozen
class DayCountTable:
    """Each listed currency's day count, the default for the others, and the sources."""

    as_of: str
    default: DayCount
    currencies: Mapping[str, DayCount]
    sources: Mapping[str, str]  # id -> title and url
    source_of: Mapping[str, str]  # currency -> source id


def _day_count(value: object) -> DayCount:
    for known in DAY_COUNTS:
        if value == known:
            return known
    raise ValueError(f"day_counts.yaml: {value!r} is not one of {', '.join(DAY_COUNTS)}")


@cache
def day_count_table() -> DayCountTable:
    """The shipped table (day_counts.yaml), read once."""
    data = read("day_counts.yaml")
    sources = {s["id"]: f"{s['title']} ({s['url']}, read {s['read']})" for s in data["sources"]}
    entries = data["currencies"]
    for code, entry in entries.items():
        if entry["source"] not in sources:
            raise ValueError(f"day_counts.yaml: {code} cites an unknown source {entry['source']}")
    return DayCountTable(
        as_of=str(data["as_of"]),
        default=_day_count(data["default"]),
        currencies={code: _day_count(entry["day_count"]) for code, entry in entries.items()},
        sources=sources,
        source_of={code: entry["source"] for code, entry in entries.items()},
    )


def day_count_for(currency: str) -> DayCount:
    """The money-market day count of `currency`: ACT/365 for GBP, HKD, SGD, INR, ZAR, PLN,
    AUD, CAD, NZD and JPY, ACT/360 for the others (a currency the table does not list takes
    its `default`, ACT/360, the convention of USD and EUR, the most common one)."""
    table = day_count_table()
    return table.currencies.get(currency, table.default)
