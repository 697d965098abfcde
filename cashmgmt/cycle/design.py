"""Design (设计): candidate structures checked against the rules and each country's regulation,
simulated against the status quo, ranked; a recommendation with its reasons; a product bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

import attrs
import networkx as nx
import numpy as np

from cashmgmt.cycle.assess import REFERENCE_USD_RATES, Assessment
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.results import SimulationResult
from cashmgmt.engine.simulate import simulate_structure
from cashmgmt.graph import ownership_tree, sweep_forest
from cashmgmt.model import (
    NEED_AREAS,
    Account,
    Case,
    Fees,
    HybridStructure,
    NotionalPool,
    PhysicalStructure,
    RuleKind,
    SweepRule,
    Terms,
)
from cashmgmt.money import Money, exponent, from_minor, round_money
from cashmgmt.rules import country_rules, disclaimer, products

Candidate_ = PhysicalStructure | NotionalPool | HybridStructure

#: Products every client of a segment gets: its channel (DESIGN.md: a micro client gets the
#: standard online-banking package, a large group host-to-host connectivity).
SEGMENT_PRODUCTS: dict[str, tuple[str, ...]] = {
    "micro": ("online-banking-standard",),
    "small-mid": ("online-banking-standard",),
    "mid": ("cash-management-platform",),
    "large": ("host-to-host", "cash-management-platform"),
}
#: A candidate needing approval gives way to a simpler one within this share of its benefit.
APPROVAL_TOLERANCE = Decimal("0.9")


@attrs.frozen
class Flag:
    """A country rule that applies to a candidate."""

    country: str
    topic: str
    status: str  # permitted, needs-approval, not-permitted
    note: str  # English
    requires: tuple[str, ...]
    source: str
    notes: tuple[tuple[str, str], ...] = ()  # (language, note) for every language given

    def note_in(self, language: str) -> str:
        """The rule's note in a language (English if it has none in that one)."""
        return dict(self.notes).get(language, self.note)

    def reason(self) -> str:
        """One line naming the country and the rule."""
        verb = {"not-permitted": "not permitted", "needs-approval": "needs approval"}.get(
            self.status, "permitted"
        )
        return f"{self.country}: {self.topic.replace('-', ' ')} {verb}: {self.note} ({self.source})"


@attrs.frozen
class Candidate:
    """One structure the design considered, with its checks and its simulated result."""

    structure: Candidate_
    origin: str  # "case" or "generated"
    description: str
    feasible: bool
    reasons: tuple[str, ...]
    flags: tuple[Flag, ...]
    result: SimulationResult | None

    @property
    def id(self) -> str:
        """The structure's id."""
        return self.structure.id

    @property
    def approvals(self) -> tuple[str, ...]:
        """Countries whose approval the structure needs."""
        return tuple(sorted({f.country for f in self.flags if f.status == "needs-approval"}))

    @property
    def documents(self) -> tuple[str, ...]:
        """Documents the rules require (cash pool agreement, cross guarantees, …)."""
        return tuple(sorted({d for f in self.flags for d in f.requires}))

    @property
    def complexity(self) -> int:
        """Accounts joined, plus one per extra level, currency and country."""
        s = self.structure
        if isinstance(s, HybridStructure):
            depth = int(nx.dag_longest_path_length(sweep_forest(s.physical)))
            return len(s.accounts) + depth + len(self.approvals)
        if isinstance(s, PhysicalStructure):
            depth = nx.dag_longest_path_length(sweep_forest(s)) if s.rules else 0
            return len(s.accounts) + max(depth - 1, 0) + len(self.approvals)
        return len(s.accounts) + len(self.approvals)

    @property
    def benefit_annual(self) -> Decimal | None:
        """Simulated benefit per year in the base currency (None if not simulated)."""
        return None if self.result is None else self.result.benefit_annual

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's candidate entry."""
        r = self.result
        exposure = max((i.peak for i in r.intercompany), default=Decimal(0)) if r else None
        return {
            "id": self.id,
            "name": self.structure.name,
            "kind": self.structure.kind,
            "origin": self.origin,
            "description": self.description,
            "feasible": self.feasible,
            "reasons": list(self.reasons),
            "approvals": list(self.approvals),
            "documents": list(self.documents),
            "complexity": self.complexity,
            "benefit": None
            if r is None
            else {
                "annual": format(r.benefit_annual, "f"),
                "total": format(r.benefit, "f"),
            },
            "fees": None if r is None else format(r.fees.total, "f"),
            "intercompany_exposure": None if exposure is None else format(exposure, "f"),
        }


@attrs.frozen
class BundleItem:
    """A product chosen for the client, and why."""

    product: str
    area: str
    name: Mapping[str, str]
    channels: tuple[str, ...]
    reason: str
    fees: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "product": self.product,
            "area": self.area,
            "name": dict(self.name),
            "channels": list(self.channels),
            "reason": self.reason,
            "fees": dict(self.fees),
        }


@attrs.frozen
class Design:
    """The design phase's result."""

    candidates: tuple[Candidate, ...]  # feasible by benefit, best first; then the others
    recommended: str | None
    reasons: tuple[str, ...]
    bundle: tuple[BundleItem, ...]
    channels: tuple[str, ...]
    assessment: Assessment = attrs.field(eq=False, repr=False)
    history_end: date = attrs.field(eq=False, repr=False)

    @property
    def chosen(self) -> Candidate | None:
        """The recommended candidate, if any."""
        return None if self.recommended is None else self.candidate(self.recommended)

    def candidate(self, candidate_id: str) -> Candidate:
        """A candidate by id."""
        return next(c for c in self.candidates if c.id == candidate_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt design --json`."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "recommended": self.recommended,
            "reasons": list(self.reasons),
            "bundle": [b.to_dict() for b in self.bundle],
            "channels": list(self.channels),
            "disclaimer": disclaimer(),
        }


# ----------------------------------------------------------------------- generation


def _depth(case: Case) -> dict[str, int]:
    tree = ownership_tree(case)
    depth: dict[str, int] = {}
    for root in (n for n in tree if tree.in_degree(n) == 0):
        for node, d in nx.single_source_shortest_path_length(tree, root).items():
            depth[node] = d
    return depth


def _average(case: Case) -> dict[str, int]:
    history = case.balances
    means = history.minor.mean(axis=1)
    return {a: int(means[i]) for i, a in enumerate(history.accounts)}


def _eligible(case: Case) -> list[Account]:
    bank = case.proposing_bank
    return [a for a in case.accounts if bank is None or a.bank == bank]


def _groups(accounts: Iterable[Account], key: Any) -> dict[Any, list[Account]]:
    out: dict[Any, list[Account]] = {}
    for a in accounts:
        out.setdefault(key(a), []).append(a)
    return {k: v for k, v in sorted(out.items()) if len(v) >= 2}


def yearly_rate(terms: Terms, amount: int, currency: str) -> Decimal:
    """The effective yearly rate a balance of `amount` minor units earns (> 0) or costs (< 0)
    under `terms`; used only to choose a header, never for money."""
    tiers = terms.credit if amount >= 0 else terms.debit
    size = Decimal(abs(amount)).scaleb(-exponent(currency))
    if not tiers or size == 0:
        return Decimal(0)
    if terms.tiering == "whole":
        rate: Decimal = next((t.rate for t in reversed(tiers) if t.start <= size), tiers[0].rate)
    else:
        earned = Decimal(0)
        for k, tier in enumerate(tiers):
            top = tiers[k + 1].start if k + 1 < len(tiers) else size
            part = min(size, top) - tier.start
            if part > 0:
                earned += part * tier.rate
        rate = earned / size
    return rate if amount >= 0 else -rate


def _header(
    members: Sequence[Account], depth: Mapping[str, int], mean: Mapping[str, int]
) -> Account:
    """The account whose terms do best on the members' average net balance (the pool's
    position); among equals, the top-most entity's largest account."""
    net = sum(mean[a.id] for a in members)
    return min(
        members,
        key=lambda a: (
            -yearly_rate(a.terms, net, a.currency),
            depth.get(a.entity, 0),
            -mean[a.id],
            a.id,
        ),
    )


def _buffer(case: Case, account: Account) -> Money | None:
    """A target balance from the account's own payments: its 95th-percentile daily outflow,
    rounded up to a thousand; None if it never pays out."""
    row = case.balances.row(account.id)
    outflows = -np.diff(row)[np.diff(row) < 0]
    if outflows.size == 0:
        return None
    p95 = int(np.percentile(outflows, 95, method="higher"))
    amount = from_minor(p95, account.currency)
    rounded = (amount / 1000).to_integral_value(rounding=ROUND_CEILING) * 1000
    return Money(rounded, account.currency)


def _usd_in_base(case: Case, assessment: Assessment) -> Decimal:
    """Units of the base currency per USD: the case's FX rate, else the assessment's stated
    rate when the revenue is in the base currency, else the reference table."""
    code = case.base_currency
    if code == "USD":
        return Decimal(1)
    try:
        return case.fx.rate("USD", case.balances.end)
    except KeyError:
        pass
    if case.client.annual_revenue.currency == code:
        return assessment.coverage.usd_rate
    return REFERENCE_USD_RATES.get(code, Decimal(1))


def _fees(case: Case, assessment: Assessment, setup_usd: int, monthly_usd: int) -> Fees:
    """Indicative fees in the base currency."""
    code = case.base_currency
    rate = _usd_in_base(case, assessment)
    return Fees(
        per_sweep=None,
        per_account_month=Money(round_money(Decimal(monthly_usd) * rate, code), code),
        setup=Money(round_money(Decimal(setup_usd) * rate, code), code),
    )


def generate(case: Case, assessment: Assessment) -> list[tuple[Candidate_, str]]:
    """Structures built from the group's shape, each with a one-line description."""
    depth = _depth(case)
    mean = _average(case)
    eligible = _eligible(case)
    fees = _fees(case, assessment, 5000, 50)
    out: list[tuple[Candidate_, str]] = []
    taken = {s.id for s in case.structures}
    for (cur, country), members in _groups(eligible, lambda a: (a.currency, a.country)).items():
        head = _header(members, depth, mean)
        others = [a for a in members if a.id != head.id]
        suffix = f"{cur.lower()}-{country.lower()}"
        flat = tuple(SweepRule(a.id, head.id, "zero-balance") for a in others)
        out.append(
            (
                PhysicalStructure(
                    f"zba-{suffix}", f"{cur} zero-balance pool, {country}", flat, "business", fees
                ),
                f"every {cur} account in {country} swept to zero each business day into {head.id}",
            )
        )
        targets = []
        for a in others:
            buffer = _buffer(case, a)
            kind: RuleKind = (
                "target" if buffer is not None and buffer.amount > 0 else "zero-balance"
            )
            targets.append(
                SweepRule(a.id, head.id, kind, target=buffer if kind == "target" else None)
            )
        if any(r.kind == "target" for r in targets):
            out.append(
                (
                    PhysicalStructure(
                        f"target-{suffix}",
                        f"{cur} target-balance pool, {country}",
                        tuple(targets),
                        "business",
                        fees,
                    ),
                    "each account keeps a buffer sized to its own 95th-percentile daily "
                    f"payments; the rest goes to {head.id}",
                )
            )
        levels = _multi_level(members, head, depth, mean, case)
        if levels is not None:
            out.append(
                (
                    PhysicalStructure(
                        f"zba-ml-{suffix}",
                        f"{cur} two-level pool, {country}",
                        levels,
                        "business",
                        fees,
                    ),
                    "subsidiaries' accounts sweep to their parent's account, parents to "
                    f"{head.id}, following the ownership tree",
                )
            )
    for cur, members in _groups(eligible, lambda a: a.currency).items():
        head = _header(members, depth, mean)
        countries = sorted({a.country for a in members})
        if len(countries) >= 2:
            rules = tuple(
                SweepRule(a.id, head.id, "zero-balance") for a in members if a.id != head.id
            )
            out.append(
                (
                    PhysicalStructure(
                        f"zba-{cur.lower()}",
                        f"{cur} cross-border zero-balance pool",
                        rules,
                        "business",
                        fees,
                    ),
                    f"every {cur} account in {', '.join(countries)} swept to zero into {head.id}",
                )
            )
        out.append(
            (
                NotionalPool(
                    f"notional-{cur.lower()}",
                    f"{cur} notional pool",
                    cur,
                    tuple(a.id for a in members),
                    head.terms,
                    "fair-share",
                    head.id,
                    None,
                    fees,
                ),
                f"{cur} balances netted for interest at {head.id}'s terms, no money moves",
            )
        )
    if len({a.currency for a in eligible}) >= 2:
        base = case.base_currency
        in_base = [a for a in eligible if a.currency == base]
        if in_base:
            head = _header(in_base, depth, mean)
            out.append(
                (
                    NotionalPool(
                        "notional-multi",
                        "Multi-currency notional pool",
                        base,
                        tuple(a.id for a in eligible),
                        head.terms,
                        "fair-share",
                        head.id,
                        None,
                        fees,
                    ),
                    f"all accounts at the bank netted in {base} for interest",
                )
            )
    hybrid = _hybrid(case, eligible, depth, mean, fees)
    if hybrid is not None:
        out.append(hybrid)
    return [(s, d) for s, d in out if s.id not in taken]


def _hybrid(
    case: Case,
    eligible: Sequence[Account],
    depth: Mapping[str, int],
    mean: Mapping[str, int],
    fees: Fees,
) -> tuple[HybridStructure, str] | None:
    """Physical pools per country and currency, their headers netted in a notional pool."""
    if len({a.country for a in eligible}) < 2:
        return None
    groups: dict[tuple[str, str], list[Account]] = {}
    for a in eligible:
        groups.setdefault((a.currency, a.country), []).append(a)
    rules: list[SweepRule] = []
    heads: list[Account] = []
    for _, members in sorted(groups.items()):
        head = _header(members, depth, mean)
        heads.append(head)
        rules += [SweepRule(a.id, head.id, "zero-balance") for a in members if a.id != head.id]
    in_base = [a for a in heads if a.currency == case.base_currency] or heads
    top = _header(in_base, depth, mean)
    if not rules or len(heads) < 2:
        return None
    physical = PhysicalStructure("hybrid-sweeps", "Country pools", tuple(rules), "business", fees)
    pool = NotionalPool(
        "hybrid-pool",
        "Notional pool over the country headers",
        top.currency,
        tuple(a.id for a in heads),
        top.terms,
        "fair-share",
        top.id,
        None,
        Fees(setup=fees.setup),
    )
    countries = ", ".join(sorted({a.country for a in heads}))
    return (
        HybridStructure("hybrid", "Hybrid: country pools and a notional overlay", physical, pool),
        f"accounts swept to a header per country and currency ({countries}); the headers "
        f"netted for interest at {top.id}",
    )


def _multi_level(
    members: Sequence[Account],
    head: Account,
    depth: Mapping[str, int],
    mean: Mapping[str, int],
    case: Case,
) -> tuple[SweepRule, ...] | None:
    """Accounts sweep to their entity's main account, entities' main accounts to the nearest
    ancestor entity's; None if that is just the flat pool."""
    by_entity: dict[str, list[Account]] = {}
    for a in members:
        by_entity.setdefault(a.entity, []).append(a)
    main = {e: max(accs, key=lambda a: (mean[a.id], a.id)) for e, accs in by_entity.items()}
    main[head.entity] = head
    parent = {e.id: e.parent for e in case.entities}
    rules = []
    for a in members:
        if a.id == head.id:
            continue
        if main[a.entity].id != a.id:
            rules.append(SweepRule(a.id, main[a.entity].id, "zero-balance"))
            continue
        up = parent.get(a.entity)
        while up is not None and up not in main:
            up = parent.get(up)
        rules.append(SweepRule(a.id, main[up].id if up is not None else head.id, "zero-balance"))
    if all(r.header == head.id for r in rules):
        return None
    return tuple(rules)


# ---------------------------------------------------------------------------- checks


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
        country, topic = entry["country"], entry["topic"]
        if (country, topic) in wanted or (country == "*" and topic in topics):
            source = entry["source"]
            flags.append(
                Flag(
                    country,
                    topic,
                    entry["status"],
                    entry["note"]["en"],
                    tuple(entry.get("requires") or ()),
                    f"{source['title']}, {source['url']}",
                    tuple(sorted(entry["note"].items())),
                )
            )
    return sorted(flags, key=lambda f: (f.status != "not-permitted", f.country, f.topic))


def check(case: Case, structure: Candidate_) -> tuple[bool, list[str], list[Flag]]:
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


# ---------------------------------------------------------------------- recommendation


def _recommend(
    candidates: Sequence[Candidate], assessment: Assessment
) -> tuple[str | None, list[str]]:
    ranked = [c for c in candidates if c.feasible and c.result is not None]
    if not ranked:
        return None, ["no feasible structure"]
    best = ranked[0]
    assert best.benefit_annual is not None
    if best.benefit_annual <= 0:
        return None, [
            f"no structure pays for its fees (best: {best.id}, "
            f"{best.benefit_annual} {best.result.currency if best.result else ''} "
            "a year); the standard package serves the client better"
        ]
    if best.approvals:
        for other in ranked[1:]:
            b = other.benefit_annual
            if (
                not other.approvals
                and b is not None
                and b >= best.benefit_annual * (APPROVAL_TOLERANCE)
            ):
                return other.id, [
                    f"{other.id} earns {b} a year, within 10% of {best.id} ({best.benefit_annual}),"
                    f" and needs no approval, while {best.id} needs approval in "
                    + ", ".join(best.approvals)
                ]
    reasons = [
        f"highest benefit of the feasible structures: {best.benefit_annual} "
        f"{best.result.currency if best.result else ''} a year"
    ]
    if best.approvals:
        reasons.append("needs approval in " + ", ".join(best.approvals))
    return best.id, reasons


def _bundle(
    case: Case, assessment: Assessment, recommended: Candidate | None
) -> tuple[list[BundleItem], list[str]]:
    catalog = products()
    segment = assessment.segment
    chosen: dict[str, BundleItem] = {}

    def item(p: dict[str, Any], reason: str) -> BundleItem:
        return BundleItem(
            p["id"],
            p["area"],
            dict(p["name"]),
            tuple(p.get("channels", ())),
            reason,
            {k: str(v) for k, v in (p.get("fees") or {}).items()},
        )

    fitting = [p for p in catalog["products"] if segment in p.get("segments", ())]
    by_id = {p["id"]: p for p in fitting}
    for product_id in SEGMENT_PRODUCTS[segment]:
        if product_id in by_id:
            chosen[product_id] = item(
                by_id[product_id],
                f"the channel for a {segment} client: {assessment.coverage.channel}",
            )
    if recommended is not None:
        kind = recommended.structure.kind
        multi = (
            isinstance(recommended.structure, NotionalPool)
            and len({case.account(a).currency for a in recommended.structure.accounts}) > 1
        )
        for p in fitting:
            if p.get("structure_kind") == kind and (not multi or "multi" in p["id"]):
                chosen[p["id"]] = item(p, f"runs the recommended structure {recommended.id}")
                break
    for need in assessment.needs:
        if need.score < 50:
            continue
        for p in fitting:
            if p["id"] in chosen or p.get("structure_kind"):
                continue
            if p["area"] == need.area or any(
                NEED_AREAS.get(n) == need.area for n in p.get("needs", ())
            ):
                chosen[p["id"]] = item(p, f"{need.area}: {need.reason}")
                break
    channels: list[str] = []
    for b in chosen.values():
        for ch in b.channels:
            if ch not in channels:
                channels.append(ch)
    return list(chosen.values()), channels


def design(case: Case, assessment: Assessment, *, replay: Replay | None = None) -> Design:
    """Candidates from the case and the group's shape, checked, simulated and ranked
    (`replay`: the case's shared engine parts, if the caller holds them)."""
    held = replay_for(case, replay)
    pool: list[tuple[Candidate_, str, str]] = [
        (s, "case", "written in the case") for s in case.structures
    ]
    pool += [(s, "generated", d) for s, d in generate(case, assessment)]
    candidates = []
    for structure, origin, description in pool:
        feasible, reasons, flags = check(case, structure)
        if origin == "generated" and not feasible:
            continue  # a generated structure that breaks a rule is dropped
        result = simulate_structure(case, structure, replay=held) if feasible else None
        candidates.append(
            Candidate(
                structure, origin, description, feasible, tuple(reasons), tuple(flags), result
            )
        )
    candidates.sort(
        key=lambda c: (not c.feasible, -(c.benefit_annual or Decimal(0)), c.complexity, c.id)
    )
    recommended, reasons = _recommend(candidates, assessment)
    chosen = next((c for c in candidates if c.id == recommended), None)
    bundle, channels = _bundle(case, assessment, chosen)
    return Design(
        tuple(candidates),
        recommended,
        tuple(reasons),
        tuple(bundle),
        tuple(channels),
        assessment,
        case.balances.end,
    )
