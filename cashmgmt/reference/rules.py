"""Country rules: where each pooling arrangement is permitted, needs approval or is not, with
its source; the bank's legal team confirms them (see `disclaimer()`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs

from cashmgmt.reference.load import read
from cashmgmt.reference.text import Localized

FILE = "country_rules.yaml"


@attrs.frozen
class Source:
    """The public page a rule rests on."""

    title: str
    url: str

    def cite(self) -> str:
        """Title and address, as a reason quotes them."""
        return f"{self.title}, {self.url}"


@attrs.frozen
class CountryRule:
    """One country's (or every country's, `*`) rule on one topic."""

    country: str  # ISO 3166 alpha-2, or "*" for a rule that applies everywhere
    topic: str  # physical-pooling, cross-border-sweep, notional-pooling, …
    status: str  # permitted, needs-approval, not-permitted
    note: Localized  # one sentence per language
    documents: tuple[str, ...]  # the documents it requires (`requires` in the file)
    source: Source


def _rule(entry: dict[str, Any]) -> CountryRule:
    source = entry["source"]
    return CountryRule(
        entry["country"],
        entry["topic"],
        entry["status"],
        Localized.of(entry["note"]),
        tuple(entry.get("requires") or ()),
        Source(source["title"], source["url"]),
    )


@cache
def country_rules() -> tuple[CountryRule, ...]:
    """Country and cross-border restrictions, in the file's order."""
    return tuple(_rule(entry) for entry in read(FILE)["rules"])


def disclaimer(language: str = "en") -> str:
    """The note that goes with every use of the country rules."""
    return Localized.of(read(FILE)["disclaimer"]).get(language)


def trapping_countries() -> dict[str, str]:
    """Countries whose rules keep cash from being swept abroad freely, with the status."""
    return {
        r.country: r.status
        for r in country_rules()
        if r.topic == "cross-border-sweep" and r.status != "permitted" and r.country != "*"
    }
