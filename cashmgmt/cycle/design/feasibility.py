"""Feasibility: a candidate's structural rules and the country rules that apply to it."""

from __future__ import annotations

import networkx as nx

from cashmgmt.cycle.design.candidates import CandidateStructure, Flag, HybridStructure
from cashmgmt.graph import sweep_forest
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.reference.rules import country_rules


def country_flags(case: Case, structure: PhysicalStructure | NotionalPool) -> list[Flag]:
    """The country rules that apply to a structure."""
    accounts = {a.id: a for a in case.accounts}
    wanted: set[tuple[str, str]] = set()
    if isinstance(structure, PhysicalStructure):
        for rule in structure.rules:
            p, h = accounts[rule.participant], accounts[rule.header]
            for c in {p.country, h.country}:
                wanted.add((c, "physical-pooling"))
                if p.country != h.country:
                    wanted.add((c, "cross-border-sweep"))
            if p.entity != h.entity:
                wanted |= {(p.country, "intercompany-loans"), (h.country, "intercompany-loans")}
    else:
        members = [accounts[a] for a in structure.accounts]
        countries = {a.country for a in members}
        for c in countries:
            wanted.add((c, "notional-pooling"))
            if len(countries) > 1:
                wanted.add((c, "cross-border-notional"))
            if len({a.currency for a in members}) > 1:
                wanted.add((c, "multi-currency-notional"))
            if len({a.entity for a in members}) > 1:
                wanted.add((c, "cross-guarantees"))
    topics = {t for _, t in wanted}
    flags = []
    for entry in country_rules():
        country, topic = entry.country, entry.topic
        if (country, topic) in wanted or (country == "*" and topic in topics):
            flags.append(
                Flag(
                    country,
                    topic,
                    entry.status,
                    entry.note.get("en"),
                    entry.documents,
                    entry.source.cite(),
                    tuple(sorted(entry.note.texts)),
                )
            )
    return sorted(flags, key=lambda f: (f.status != "not-permitted", f.country, f.topic))


def check(case: Case, structure: CandidateStructure) -> tuple[bool, list[str], list[Flag]]:
    """Structural rules and country rules: (feasible, reasons, flags)."""
    if isinstance(structure, HybridStructure):
        ok1, reasons1, flags1 = check(case, structure.physical)
        ok2, reasons2, flags2 = check(case, structure.pool)
        merged = sorted(
            set(flags1) | set(flags2),
            key=lambda f: (f.status != "not-permitted", f.country, f.topic),
        )
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
