"""Candidate structures: the types the design ranks, and the structures it builds from the
group's shape (pools per currency and country, cross-border, multi-level, target, notional,
hybrid)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import networkx as nx

from cashmgmt.cycle.design.names import distinct_names, name_of
from cashmgmt.cycle.design.variants import Int64Array, distinct, own_transfers, target_buffers
from cashmgmt.cycle.materiality import case_per_usd
from cashmgmt.engine.results import SimulationResult
from cashmgmt.errors import AssessmentError, Problem
from cashmgmt.graph import ownership_tree, sweep_forest
from cashmgmt.model import (
    Account,
    Case,
    Fees,
    NotionalPool,
    PhysicalStructure,
    SweepRule,
    Terms,
)
from cashmgmt.money import (
    Money,
    exponent,
    format_rate,
    from_minor,
    round_money,
)
from cashmgmt.reference.pools import multicurrency_pool_terms
from cashmgmt.reference.products import ProductFees, price, products
from cashmgmt.reference.rates import reference_usd_rates

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment


@attrs.frozen
class HybridStructure:
    """Physical pools (e.g. one per country) whose headers then join a notional pool: the
    design phase's hybrid candidate (not a case-file structure)."""

    id: str
    name: str
    physical: PhysicalStructure
    pool: NotionalPool

    kind = "hybrid"

    @property
    def accounts(self) -> tuple[str, ...]:
        """Every account the structure touches."""
        return tuple(dict.fromkeys((*self.physical.accounts, *self.pool.accounts)))


CandidateStructure = PhysicalStructure | NotionalPool | HybridStructure


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

    structure: CandidateStructure
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
    """The accounts a generated structure may take: at the proposing bank, and poolable
    (never a restricted account or a facility's account)."""
    bank = case.proposing_bank
    return [a for a in case.accounts if (bank is None or case.at_proposing_bank(a)) and a.poolable]


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


def _usd_in_base(case: Case, assessment: Assessment) -> Decimal:
    """Units of the base currency per USD: the case's FX rate, else the assessment's stated
    rate when the revenue is in the base currency, else the reference table."""
    code = case.base_currency
    own = case_per_usd(case)
    if own is not None:
        return own
    if case.client.annual_revenue.currency == code:
        return assessment.coverage.usd_rate
    table = reference_usd_rates()
    rate = table.rate(code)
    if rate is None:  # never 1 USD = 1 unit: that would price the fees wrongly, silently
        raise AssessmentError(
            [
                Problem(
                    case.source or "case",
                    "fx_rates",
                    f"expected USD rates in the FX table (units of {code} per USD) to price "
                    f"the generated structures' fees, which are set in USD; the reference "
                    f"rate table of {table.date} has no rate for {code}",
                )
            ]
        )
    return rate


#: The catalog products that run each kind of generated structure, in order: the first
#: whose segments include the client's segment prices it, else the first (its list price).
CANDIDATE_PRODUCTS: dict[str, tuple[str, ...]] = {
    "zero-balance": ("zero-balance-sweep", "savings-sweep"),
    "target": ("target-balance-sweep", "savings-sweep"),
    "cross-border-rmb": ("cross-border-rmb-pool",),
    "notional": ("notional-pool",),
    "multi-currency-notional": ("multi-currency-notional-pool",),
}


def catalog_product(kind: str, segment: str) -> str:
    """The catalog product that runs a generated structure of `kind` for `segment`."""
    candidates = CANDIDATE_PRODUCTS[kind]
    fitting = {p.id for p in products() if segment in p.segments}
    return next((c for c in candidates if c in fitting), candidates[0])


def fees_in_base(case: Case, assessment: Assessment, listed: ProductFees) -> ProductFees:
    """A catalog price (in USD) in the case's base currency, at the rate the design prices
    its structures at (`_usd_in_base`), each fee rounded to the currency's minor unit: what
    the proposal's pricing annex shows a client who does not bank in dollars."""
    code = case.base_currency
    rate = _usd_in_base(case, assessment)

    def base(fee: Money | None) -> Money | None:
        if fee is None or fee.currency == code:
            return fee
        assert fee.currency == "USD", "the catalog's prices are in USD"
        return Money(round_money(fee.amount * rate, code), code)

    return ProductFees(
        setup=base(listed.setup),
        monthly=base(listed.monthly),
        per_account_month=base(listed.per_account_month),
        per_transaction=base(listed.per_transaction),
    )


def _fees(case: Case, assessment: Assessment, kind: str) -> Fees:
    """The catalog's price of the product behind a generated structure of `kind` for the
    client's segment, in the base currency (fees_in_base)."""
    listed = price(catalog_product(kind, assessment.segment), assessment.segment)
    fees = fees_in_base(case, assessment, listed)
    return Fees(
        per_sweep=fees.per_transaction,
        per_account_month=fees.per_account_month,
        setup=fees.setup,
        per_month=fees.monthly,
    )


def generate(case: Case, assessment: Assessment) -> list[tuple[CandidateStructure, str]]:
    """Structures built from the group's shape, each with a one-line description."""
    depth = _depth(case)
    mean = _average(case)
    eligible = _eligible(case)
    fees = {kind: _fees(case, assessment, kind) for kind in CANDIDATE_PRODUCTS}
    out: list[tuple[CandidateStructure, str]] = []
    taken = {s.id for s in case.structures}
    transfers: dict[str, dict[str, Int64Array]] = {}  # the group's own, per currency
    for (cur, country), members in _groups(eligible, lambda a: (a.currency, a.country)).items():
        head = _header(members, depth, mean)
        others = [a for a in members if a.id != head.id]
        suffix = f"{cur.lower()}-{country.lower()}"
        flat = tuple(SweepRule(a.id, head.id, "zero-balance") for a in others)
        out.append(
            (
                PhysicalStructure(
                    f"zba-{suffix}",
                    f"{cur} zero-balance pool, {country}",
                    flat,
                    "business",
                    fees["zero-balance"],
                ),
                f"every {cur} account in {country} swept to zero each business day into {head.id}",
            )
        )
        if cur not in transfers:
            transfers[cur] = own_transfers(case, cur)
        buffers = target_buffers(case, members, head, transfers[cur])
        targets = tuple(
            SweepRule(a.id, head.id, "target", target=Money(from_minor(b, cur), cur))
            if (b := buffers[a.id]) > 0
            else SweepRule(a.id, head.id, "zero-balance")
            for a in others
        )
        if any(r.kind == "target" for r in targets):
            out.append(
                (
                    PhysicalStructure(
                        f"target-{suffix}",
                        f"{cur} target-balance pool, {country}",
                        targets,
                        "business",
                        fees["target"],
                    ),
                    "each account keeps a buffer sized to its own 95th-percentile daily "
                    "payments net of the group's own transfers, within what the pool holds on "
                    f"its lowest day; the rest goes to {head.id}",
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
                        fees["zero-balance"],
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
                        fees[
                            "cross-border-rmb"
                            if cur == "CNY" and "CN" in countries
                            else "zero-balance"
                        ],
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
                    fees["notional"],
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
                _multi_currency(eligible, head, depth, mean, fees["multi-currency-notional"])
            )
    hybrid = _hybrid(case, eligible, depth, mean, fees)
    if hybrid is not None:
        out.append(hybrid)
    kept = distinct(case.structures, [(s, d) for s, d in out if s.id not in taken])
    return _named(case, kept)


def _named(
    case: Case, made: Sequence[tuple[CandidateStructure, str]]
) -> list[tuple[CandidateStructure, str]]:
    """The generated structures, each named by what distinguishes it (names.name_of), and
    never by a name that a structure of the case or another generated one already has."""
    plain = [(s.id, name_of(s, case).text()) for s, _ in made]
    names = distinct_names([*((s.id, s.name) for s in case.structures), *plain])
    return [(attrs.evolve(s, name=names[s.id]), d) for s, d in made]


def _multi_currency(
    eligible: Sequence[Account],
    head: Account,
    depth: Mapping[str, int],
    mean: Mapping[str, int],
    fees: Fees,
) -> tuple[NotionalPool, str]:
    """Every account at the bank in one pool in per-currency mode (docs/simulation.md,
    "Multi-currency pools, per currency"): each currency at the terms of its own header (the
    account its single-currency pool would be headed by), the offset rate and the haircut
    from multicurrency_pool.yaml."""
    pool = _per_currency(
        NotionalPool(
            "notional-multi",
            "Multi-currency notional pool",
            head.currency,
            tuple(a.id for a in eligible),
            head.terms,
            "fair-share",
            head.id,
            None,
            fees,
        ),
        eligible,
        head,
        depth,
        mean,
    )
    assert pool.offset_rate is not None and pool.haircut is not None
    return (
        pool,
        f"all accounts at the bank pooled for interest, each currency at its own header's "
        f"terms; debit covered by other currencies' credit (less a {format_rate(pool.haircut)} "
        f"FX haircut) pays {format_rate(pool.offset_rate)}",
    )


def _hybrid(
    case: Case,
    eligible: Sequence[Account],
    depth: Mapping[str, int],
    mean: Mapping[str, int],
    fees: Mapping[str, Fees],
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
    physical = PhysicalStructure(
        "hybrid-sweeps", "Country pools", tuple(rules), "business", fees["zero-balance"]
    )
    several = len({a.currency for a in heads}) > 1
    pool = NotionalPool(
        "hybrid-pool",
        "Notional pool over the country headers",
        top.currency,
        tuple(a.id for a in heads),
        top.terms,
        "fair-share",
        top.id,
        None,
        fees["multi-currency-notional" if several else "notional"],
    )
    if several:  # per currency, as the multi-currency pool
        pool = _per_currency(pool, heads, top, depth, mean)
    countries = ", ".join(sorted({a.country for a in heads}))
    return (
        HybridStructure("hybrid", "Hybrid: country pools and a notional overlay", physical, pool),
        f"accounts swept to a header per country and currency ({countries}); the headers "
        f"netted for interest at {top.id}, each currency at its own header's terms",
    )


def _per_currency(
    pool: NotionalPool,
    accounts: Sequence[Account],
    head: Account,
    depth: Mapping[str, int],
    mean: Mapping[str, int],
) -> NotionalPool:
    """`pool` in per-currency mode (docs/simulation.md, "Multi-currency pools, per
    currency"): each currency other than the head's at the terms of the header its own pool
    would have among `accounts`; the offset rate and haircut from multicurrency_pool.yaml."""
    by_currency: dict[str, list[Account]] = {}
    for a in accounts:
        if a.currency != head.currency:
            by_currency.setdefault(a.currency, []).append(a)
    shipped = multicurrency_pool_terms()
    return attrs.evolve(
        pool,
        currency_terms={
            cur: _header(group, depth, mean).terms for cur, group in by_currency.items()
        },
        offset_rate=shipped.offset_rate(tuple(t.rate for t in head.terms.credit)),
        haircut=shipped.haircut,
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
