"""Feasibility: a candidate's structural rules and the country rules that apply to it, with
the rules' parameters computed from the case (cashmgmt/cycle/design/eligibility.py)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import networkx as nx

from cashmgmt.cycle.design.candidates import CandidateStructure, Flag, HybridStructure
from cashmgmt.cycle.design.eligibility import Eligibility, evaluate
from cashmgmt.graph import sweep_forest
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.reference.rules import country_rules


@attrs.frozen
class RuleFlag(Flag):
    """A Flag with what a carve-out needs: the entities and accounts the rule concerns, the
    figures a computed test rests on, its eligibility status (met, not-met, needs-data; empty
    for a rule that is only text) and the catalog products the rule requires."""

    entities: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    figures: tuple[tuple[str, str], ...] = ()
    eligibility: str = ""
    products: tuple[str, ...] = ()

    def reason(self) -> str:
        """One line naming the country and the rule, and the entities it concerns."""
        line = super().reason()
        if self.eligibility and self.entities:
            line += f" [entities: {', '.join(self.entities)}]"
        return line

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the Flag's fields, then the new ones."""
        return {
            "country": self.country,
            "topic": self.topic,
            "status": self.status,
            "note": self.note,
            "requires": list(self.requires),
            "source": self.source,
            "entities": list(self.entities),
            "accounts": list(self.accounts),
            "figures": dict(self.figures),
            "eligibility": self.eligibility,
            "products": list(self.products),
        }


def _wanted(
    case: Case, structure: PhysicalStructure | NotionalPool
) -> tuple[dict[tuple[str, str], set[str]], set[str]]:
    """The (country, topic) pairs the structure triggers, each with the accounts concerned;
    and the countries in which it sweeps between two entities."""
    accounts = {a.id: a for a in case.accounts}
    wanted: dict[tuple[str, str], set[str]] = {}
    #: countries with a sweep between two entities inside them (where a rule's products,
    #: such as China's entrusted loans, are needed)
    domestic: set[str] = set()

    def add(country: str, topic: str, *ids: str) -> None:
        wanted.setdefault((country, topic), set()).update(ids)

    if isinstance(structure, PhysicalStructure):
        for rule in structure.rules:
            p, h = accounts[rule.participant], accounts[rule.header]
            ids = (p.id, h.id)
            for c in {p.country, h.country}:
                local = tuple(i for i in ids if accounts[i].country == c)
                add(c, "physical-pooling", *local)
                if p.country != h.country:
                    add(c, "cross-border-sweep", *local)
            if p.entity != h.entity:
                add(p.country, "intercompany-loans", p.id)
                add(h.country, "intercompany-loans", h.id)
                if p.country == h.country:
                    domestic.add(p.country)
    else:
        members = [accounts[a] for a in structure.accounts]
        countries = {a.country for a in members}
        for c in countries:
            local = tuple(a.id for a in members if a.country == c)
            add(c, "notional-pooling", *local)
            if len(countries) > 1:
                add(c, "cross-border-notional", *local)
            if len({a.currency for a in members}) > 1:
                add(c, "multi-currency-notional", *local)
            if len({a.entity for a in members}) > 1:
                add(c, "cross-guarantees", *local)
    return wanted, domestic


def _computed(case: Case, found: Eligibility) -> RuleFlag:
    return RuleFlag(
        found.country,
        found.topic,
        found.rule_status,
        found.reason,
        found.documents,
        found.source,
        (("en", found.reason), ("zh-CN", found.reason_zh)),
        found.entities,
        found.accounts,
        found.figures,
        found.status,
    )


def _order(f: Flag) -> tuple[bool, str, str]:
    return (f.status != "not-permitted", f.country, f.topic)


def country_flags(case: Case, structure: PhysicalStructure | NotionalPool) -> list[Flag]:
    """The country rules that apply to a structure, and the tests computed from the case
    (minority shareholders, China's pool entry tests and lending quotas)."""
    wanted, domestic = _wanted(case, structure)
    topics: dict[str, set[str]] = {}
    for (_, topic), ids in wanted.items():
        topics.setdefault(topic, set()).update(ids)
    flags: list[Flag] = []
    for entry in country_rules():
        country, topic = entry.country, entry.topic
        if (country, topic) in wanted or (country == "*" and topic in topics):
            ids = wanted.get((country, topic)) or topics.get(topic, set())
            flags.append(
                RuleFlag(
                    country,
                    topic,
                    entry.status,
                    entry.note.get("en"),
                    entry.documents,
                    entry.source.cite(),
                    tuple(sorted(entry.note.texts)),
                    tuple(sorted({case.account(a).entity for a in ids})),
                    tuple(sorted(ids)),
                    (),
                    "",
                    entry.products if country in domestic else (),
                )
            )
    flags += [_computed(case, found) for found in evaluate(case, structure)]
    return sorted(flags, key=_order)


def _parts(structure: CandidateStructure) -> list[PhysicalStructure | NotionalPool]:
    if isinstance(structure, HybridStructure):
        return [structure.physical, structure.pool]
    return [structure]


def _all_flags(case: Case, structure: CandidateStructure) -> list[Flag]:
    return [f for part in _parts(structure) for f in country_flags(case, part)]


def _concerning(case: Case, structure: CandidateStructure, statuses: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in _all_flags(case, structure):
        if f.status in statuses and isinstance(f, RuleFlag):
            for account in f.accounts:
                out.setdefault(account, f.reason())
    return out


def blocked_accounts(case: Case, structure: CandidateStructure) -> dict[str, str]:
    """The accounts of `structure` that a not-permitted rule concerns (a country rule, the
    minority policy's exclusion, a failed entry test), each with the first reason: the ones a
    carve-out must remove or serve another way. Empty for a structure every rule allows.

    A rule that forbids a relationship (a cross-border sweep, a notional pool) names the
    accounts of its country that take part in it; removing them removes the relationship."""
    return _concerning(case, structure, {"not-permitted"})


def approval_accounts(case: Case, structure: CandidateStructure) -> dict[str, str]:
    """The accounts a needs-approval rule concerns (the minority shareholders' consent, a
    filing, a legal confirmation), with the first reason: removing them removes the approval,
    so a solution can weigh what the approval is worth."""
    return _concerning(case, structure, {"needs-approval"})


def required_products(case: Case, structure: CandidateStructure) -> dict[str, str]:
    """Catalog products the country rules require for the structure (China's entrusted loans
    for sweeps between group companies), each with the rule's reason."""
    out: dict[str, str] = {}
    for f in _all_flags(case, structure):
        if isinstance(f, RuleFlag):
            for product in f.products:
                out.setdefault(product, f"{f.country}: {f.topic.replace('-', ' ')}: {f.note}")
    return out


def flag_dicts(flags: tuple[Flag, ...] | list[Flag]) -> list[Mapping[str, object]]:
    """Flags as JSON: a RuleFlag's own keys, a plain Flag's fields."""
    out: list[Mapping[str, object]] = []
    for f in flags:
        if isinstance(f, RuleFlag):
            out.append(f.to_dict())
        else:
            out.append(RuleFlag(*attrs.astuple(f, recurse=False)).to_dict())
    return out


def check(case: Case, structure: CandidateStructure) -> tuple[bool, list[str], list[Flag]]:
    """Structural rules and country rules: (feasible, reasons, flags)."""
    if isinstance(structure, HybridStructure):
        ok1, reasons1, flags1 = check(case, structure.physical)
        ok2, reasons2, flags2 = check(case, structure.pool)
        merged = sorted(set(flags1) | set(flags2), key=_order)
        return ok1 and ok2, list(dict.fromkeys(reasons1 + reasons2)), merged
    structural = []
    accounts = {a.id: a for a in case.accounts}
    if isinstance(structure, PhysicalStructure):
        graph = sweep_forest(structure)
        if (
            not nx.is_directed_acyclic_graph(graph)
            or max((d for _, d in graph.out_degree()), default=0) > 1
        ):
            structural.append("the sweep graph is not a forest")
        for rule in structure.rules:
            if accounts[rule.participant].currency != accounts[rule.header].currency:
                structural.append(f"{rule.participant} -> {rule.header} joins two currencies")
    flags = country_flags(case, structure)
    reasons = structural + [f.reason() for f in flags if f.status != "permitted"]
    feasible = not structural and all(f.status != "not-permitted" for f in flags)
    return feasible, reasons, flags
