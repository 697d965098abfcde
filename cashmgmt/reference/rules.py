"""Country rules: where each pooling arrangement is permitted, needs approval or is not, with
its source; the bank's legal team confirms them (see `disclaimer()`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import attrs

from cashmgmt.money import Money, parse_decimal, parse_money
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
    #: Catalog products the arrangement runs on where the rule applies (`products` in the
    #: file), e.g. China's entrusted loans for sweeps between group companies.
    products: tuple[str, ...] = ()


def _rule(entry: dict[str, Any]) -> CountryRule:
    source = entry["source"]
    return CountryRule(
        entry["country"],
        entry["topic"],
        entry["status"],
        Localized.of(entry["note"]),
        tuple(entry.get("requires") or ()),
        Source(source["title"], source["url"]),
        tuple(entry.get("products") or ()),
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


# ---------------------------------------------------------------- dated parameters


@attrs.frozen
class Notice:
    """The primary source of a parameter: the notice's number and date, the page it was read
    on and when, and further pages."""

    title: str
    number: str  # e.g. 银发〔2025〕251号
    issued: date
    source: Source
    read: date
    also: tuple[Source, ...] = ()

    def cite(self) -> str:
        """Number, date and page, as a reason quotes them."""
        return f"{self.number} of {self.issued.isoformat()}; {self.source.cite()}"


def _notice(entry: dict[str, Any]) -> Notice:
    src = entry["source"]
    return Notice(
        str(entry["title"]),
        str(entry["notice"]),
        entry["issued"],
        Source(src["title"], src["url"]),
        src["read"],
        tuple(Source(a["title"], a["url"]) for a in entry.get("also") or ()),
    )


def _parameter(parameter_id: str) -> dict[str, Any]:
    for entry in read(FILE)["parameters"]:
        if entry["id"] == parameter_id:
            return dict(entry)
    raise KeyError(f"{FILE}: no parameter {parameter_id!r}")


def _values(entry: dict[str, Any], on: date | None) -> dict[str, Any]:
    """The values in force on `on` (the latest given on or before it); None: the latest."""
    dated = sorted(entry["values"], key=lambda v: v["from"])
    chosen = [v for v in dated if on is None or v["from"] <= on]
    if not chosen:
        raise KeyError(f"{FILE}: {entry['id']} has no values in force on {on}")
    return dict(chosen[-1])


@attrs.frozen
class PoolEntryTests:
    """Entry tests of China's integrated local- and foreign-currency cash pool (银发〔2025〕251号,
    section 3): what the group's members must show for the prior year."""

    domestic_revenue_min: Money  # revenue of all domestic members, summed
    overseas_revenue_min: Money  # revenue of all overseas members, summed
    cross_border_flows_min: Money  # domestic members' cross-border receipts and payments
    members_min: int  # domestic and overseas members together
    if_not_met: str  # the status a structure gets when a test fails (a stated policy)
    effective: date
    notice: Notice


@cache
def integrated_pool_tests(on: date | None = None) -> PoolEntryTests:
    """The cross-border pool's entry tests in force on `on` (None: the latest)."""
    entry = _parameter("cn-integrated-pool")
    v = _values(entry, on)
    return PoolEntryTests(
        parse_money(v["domestic_revenue_min"]),
        parse_money(v["overseas_revenue_min"]),
        parse_money(v["cross_border_flows_min"]),
        int(v["members_min"]),
        str(entry["if_not_met"]),
        v["from"],
        _notice(entry),
    )


@attrs.frozen
class LendingQuota:
    """An equity-linked cap on a Chinese company's cross-border lending or borrowing: the
    balance may reach equity × leverage × macro-prudential factor."""

    topic: str  # outbound-lending or foreign-debt
    leverage: Decimal
    factor: Decimal
    effective: date  # the day these values took effect
    notice: Notice

    @property
    def share_of_equity(self) -> Decimal:
        """The cap as a multiple of the company's equity."""
        return self.leverage * self.factor


def _quota(parameter_id: str, on: date | None) -> LendingQuota:
    entry = _parameter(parameter_id)
    v = _values(entry, on)
    return LendingQuota(
        str(entry["topic"]),
        parse_decimal(v["leverage"]),
        parse_decimal(v["macro_prudential_factor"]),
        v["from"],
        _notice(entry),
    )


@cache
def outbound_lending_quota(on: date | None = None) -> LendingQuota:
    """China's outbound-lending (境外放款) cap in force on `on` (None: the latest)."""
    return _quota("cn-outbound-lending", on)


@cache
def foreign_debt_quota(on: date | None = None) -> LendingQuota:
    """China's foreign-debt (外债, cross-border financing) cap in force on `on` (None: latest)."""
    return _quota("cn-foreign-debt", on)


@attrs.frozen
class MinorityPolicy:
    """The tool's stated policy on entities the group does not wholly own (effective share
    along the ownership chain): below `consent_below` they join a multi-entity structure only
    with their minority shareholders' consent (needs-approval); below `exclude_below` never
    (not-permitted)."""

    consent_below: Decimal
    exclude_below: Decimal
    documents: tuple[str, ...]
    sources: tuple[Source, ...]
    read: date

    def status(self, share: Decimal) -> str:
        """permitted, needs-approval or not-permitted for an entity held at `share`."""
        if share < self.exclude_below:
            return "not-permitted"
        if share < self.consent_below:
            return "needs-approval"
        return "permitted"


@cache
def minority_policy() -> MinorityPolicy:
    """The shipped minority-shareholder policy."""
    entry = read(FILE)["policies"]["minority-shareholders"]
    return MinorityPolicy(
        parse_decimal(entry["consent_below"]),
        parse_decimal(entry["exclude_below"]),
        tuple(entry.get("requires") or ()),
        tuple(Source(s["title"], s["url"]) for s in entry["sources"]),
        entry["read"],
    )
