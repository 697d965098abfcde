"""Durations, owners and workstreams of the implementation plan's tasks, in business days
(task_durations.yaml: where each figure comes from, or that it is an assumption)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from functools import cache
from typing import Any

import attrs

from cashmgmt.reference.load import read

#: Who does a task: the client, the bank, or both (the bank drafts, the client signs...).
PARTIES = ("client", "bank", "both")
#: What a duration may grow with, each unit beyond the first adding `per[factor]` days.
FACTORS = ("entities", "accounts", "countries", "banks", "approvals")


@attrs.frozen
class Duration:
    """One kind of task: its workstream, owner, team and length."""

    key: str
    workstream: str
    owner: str  # client, bank or both
    team: str
    days: int  # business days at the smallest size
    per: tuple[tuple[str, Decimal], ...]  # (factor, business days per further unit)
    source: str  # a key of `TaskDurations.sources`, or "assumption"

    def business_days(self, size: Mapping[str, int]) -> int:
        """Business days for a task of this `size` (factor -> units; missing: 1): `days`
        plus `per` days for each unit beyond the first, rounded up to a whole day. Never
        shorter for a larger size (every `per` is at least 0)."""
        extra = sum(
            (rate * max(size.get(factor, 1) - 1, 0) for factor, rate in self.per), Decimal(0)
        )
        return self.days + int(extra.to_integral_value(rounding=ROUND_CEILING))


@attrs.frozen
class Filing:
    """A country's regulatory step for a topic its rules flag `needs-approval`."""

    country: str
    topic: str
    filing: str
    owner: str
    team: str
    days: int
    source: str


@attrs.frozen
class PeakRule:
    """Which days a go-live avoids (docs/assess-and-design.md, "The implementation plan")."""

    last_days: int  # calendar days at the end of each quarter's last month
    first_days: int  # calendar days at the start of the month after
    month_ratio: Decimal  # a month is a peak at this multiple of the average month's outflow


@attrs.frozen
class TaskDurations:
    """The shipped task table (task_durations.yaml)."""

    tasks: tuple[Duration, ...]
    channels: tuple[Duration, ...]
    filings: tuple[Filing, ...]
    peaks: PeakRule
    sources: tuple[tuple[str, str, str], ...]  # (key, title, url)
    source: str

    def task(self, key: str) -> Duration:
        """A task kind by key."""
        return next(t for t in self.tasks if t.key == key)

    def channel(self, name: str) -> Duration:
        """Setting up a channel."""
        return next(t for t in self.channels if t.key == name)

    def filing(self, country: str, topic: str) -> Filing | None:
        """The country's own filing for a topic, if the table has one."""
        return next((f for f in self.filings if (f.country, f.topic) == (country, topic)), None)

    def cite(self, key: str) -> str:
        """A source's title and address ("assumption" for a stated assumption)."""
        for k, title, url in self.sources:
            if k == key:
                return f"{title}, {url}"
        return "assumption"


def _duration(key: str, data: Mapping[str, Any], sources: set[str]) -> Duration:
    owner = str(data["owner"])
    if owner not in PARTIES:
        raise ValueError(f"task_durations.yaml: {key}: owner must be one of {PARTIES}")
    per = tuple((str(f), Decimal(str(v))) for f, v in (data.get("per") or {}).items())
    if any(f not in FACTORS or v < 0 for f, v in per):
        raise ValueError(f"task_durations.yaml: {key}: per takes {FACTORS}, each at least 0")
    days = int(data["days"])
    source = str(data["source"])
    if days < 1 or (source != "assumption" and source not in sources):
        raise ValueError(f"task_durations.yaml: {key}: days >= 1 and a listed source")
    return Duration(key, str(data["workstream"]), owner, str(data["team"]), days, per, source)


@cache
def task_durations() -> TaskDurations:
    """The shipped durations (read once)."""
    data = read("task_durations.yaml")
    sources = {str(k): v for k, v in data["sources"].items()}
    keys = set(sources)
    filings = []
    for f in data["filings"]:
        if str(f["owner"]) not in PARTIES or str(f["source"]) not in keys:
            raise ValueError(f"task_durations.yaml: filing {f['filing']}: owner or source")
        filings.append(
            Filing(
                str(f["country"]),
                str(f["topic"]),
                str(f["filing"]),
                str(f["owner"]),
                str(f["team"]),
                int(f["days"]),
                str(f["source"]),
            )
        )
    peaks = data["peaks"]
    return TaskDurations(
        tasks=tuple(_duration(str(k), v, keys) for k, v in data["tasks"].items()),
        channels=tuple(_duration(str(k), v, keys) for k, v in data["channels"].items()),
        filings=tuple(filings),
        peaks=PeakRule(
            int(peaks["last_days"]), int(peaks["first_days"]), Decimal(str(peaks["month_ratio"]))
        ),
        sources=tuple((k, str(v["title"]), str(v["url"])) for k, v in sources.items()),
        source=str(data["source"]),
    )
