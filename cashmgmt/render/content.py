"""What the client's proposal says around the solution, as figures the template formats: the
all-in result of every entity, the measures the structure moves and those it does not (and
why), the accounts it leaves out, the rate scenarios and the indicative terms.

Nothing here is for the bank alone: the bank's own economics, the segment and the coverage
model go to the RM brief (render/brief.py), never to the client's proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
import numpy as np

from cashmgmt.cycle.design import Candidate, Design
from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.engine.results import SimulationResult
from cashmgmt.engine.sensitivity import DEFAULT_SHIFTS
from cashmgmt.engine.simulate import simulate_structure
from cashmgmt.model import Case, Entity, Fees, NotionalPool, PhysicalStructure


@attrs.frozen
class EntityRow:
    """One entity's all-in change with the structure, per the period, in the base currency."""

    id: str
    bank_interest: Decimal  # change in interest with the banks (structure - status quo)
    intercompany: Decimal  # net intercompany interest (received > 0)
    tax: Decimal  # withholding and VAT it bears on intercompany interest (a cost, >= 0)
    minority: bool  # its parent holds less than all of it: outside shareholders share its result
    ownership: Decimal | None
    accounts: int  # of its accounts, how many the structure joins

    @property
    def all_in(self) -> Decimal:
        """bank_interest + intercompany - tax."""
        return self.bank_interest + self.intercompany - self.tax


def minority_owned(entity: Entity) -> bool:
    """Whether someone outside the group holds part of the entity (its parent less than 1)."""
    return entity.ownership is not None and entity.ownership < 1


def entity_rows(case: Case, result: SimulationResult, joined: set[str]) -> list[EntityRow]:
    """Every entity of the case, in the case's order, with its all-in change (an entity the
    structure leaves untouched shows zeros): their all-in figures, less the fees, add up to
    the solution's benefit over the period."""
    found = {e.id: e for e in result.entities}
    rows = []
    for entity in case.entities:
        e = found.get(entity.id)
        rows.append(
            EntityRow(
                entity.id,
                Decimal(0) if e is None else e.structure.net - e.baseline.net,
                Decimal(0) if e is None else e.intercompany_interest,
                Decimal(0) if e is None else e.tax,
                minority_owned(entity),
                entity.ownership,
                sum(1 for a in case.accounts if a.entity == entity.id and a.id in joined),
            )
        )
    return rows


@attrs.frozen
class Measure:
    """A figure on both sides: `key` names it (the template words it), `money` says how."""

    key: str
    before: Decimal | int
    after: Decimal | int
    money: bool


def measures(result: SimulationResult) -> tuple[list[Measure], list[Measure]]:
    """The measures the structure moves, and those it leaves as they are."""
    b, s = result.baseline_liquidity, result.structure_liquidity
    every = [
        Measure("net-interest", result.baseline.net, result.structure.net, True),
        Measure("peak-debit", b.peak_debit, s.peak_debit, True),
        Measure("idle-credit", b.average_idle_credit, s.average_idle_credit, True),
        Measure("overdraft-days", b.overdraft_days, s.overdraft_days, False),
        Measure("limit-breach-days", b.limit_breach_days, s.limit_breach_days, False),
    ]
    moved = [m for m in every if m.before != m.after]
    kept = [m for m in every if m.before == m.after and (m.before or m.money)]
    return moved, kept


#: Why an account stays outside the structure, in the order the reasons are tried.
OUTSIDE_REASONS = ("facility", "restricted", "other-bank", "left-out")


@attrs.frozen
class Outside:
    """Accounts the structure leaves as they are, for one reason."""

    reason: str  # one of OUTSIDE_REASONS
    accounts: tuple[str, ...]
    banks: tuple[str, ...]
    overdraft_days: int  # days on which one of them (not a facility) closed in debit


def outside(case: Case, joined: set[str]) -> list[Outside]:
    """The accounts outside the structure grouped by why: a committed facility's drawing
    account, a restricted account, an account at another bank, or one the design left out
    (no benefit after fees, or a rule)."""
    groups: dict[str, list[str]] = {r: [] for r in OUTSIDE_REASONS}
    for a in case.accounts:
        if a.id in joined:
            continue
        if a.facility is not None:
            groups["facility"].append(a.id)
        elif a.restricted:
            groups["restricted"].append(a.id)
        elif case.proposing_bank is not None and not case.at_proposing_bank(a):
            groups["other-bank"].append(a.id)
        else:
            groups["left-out"].append(a.id)
    out = []
    for reason, ids in groups.items():
        if not ids:
            continue
        days = 0
        if reason != "facility":
            rows = case.balances.minor[[case.balances.accounts.index(i) for i in ids]]
            days = int(np.count_nonzero((rows < 0).any(axis=0)))
        banks = tuple(sorted({case.account(i).bank for i in ids}))
        out.append(Outside(reason, tuple(ids), banks, days))
    return out


def sensitivity(
    case: Case, design: Design, shifts: Sequence[int] = DEFAULT_SHIFTS
) -> list[tuple[int, Decimal]]:
    """The solution's benefit per year with every rate moved by each shift (basis points):
    its joint benefit plus each structure's own change under the shift (the structures share
    no account, so each one's change is its own)."""
    result = design.result
    if result is None:
        return []
    change = dict.fromkeys(shifts, Decimal(0))
    for member in design.members:
        own = simulate_structure(case, member.structure, shifts=shifts)
        for s in own.sensitivity:
            change[s.shift_bp] += s.benefit_annual - own.benefit_annual
    return [(bp, result.benefit_annual + change[bp]) for bp in shifts]


@attrs.frozen
class Terms:
    """One structure's indicative terms, as the design priced and simulated it."""

    id: str
    kind: str  # physical, notional or hybrid
    currencies: tuple[str, ...]
    headers: tuple[str, ...]  # header accounts (the notional pool's interest header)
    banks: tuple[str, ...]
    accounts: int
    rules: tuple[str, ...]  # sweep rule kinds (zero-balance, target, …)
    sweep_days: str | None
    allocation: str | None  # notional pools: how the interest is shared
    credit_rates: tuple[tuple[Decimal, Decimal], ...]  # (from, rate): the header's or pool's
    debit_rates: tuple[tuple[Decimal, Decimal], ...]
    fees: Fees
    #: A hybrid's notional overlay is priced on its own, beside its sweeps (engine.pooling).
    overlay_fees: Fees | None = None


def terms(case: Case, member: Candidate) -> Terms:
    """A structure's indicative terms: its headers, their rates, its rules and its fees."""
    s = member.structure
    physical = s.physical if isinstance(s, HybridStructure) else s
    pool = s.pool if isinstance(s, HybridStructure) else s
    headers: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    sweep_days = allocation = None
    if isinstance(physical, PhysicalStructure):
        participants = {r.participant for r in physical.rules}
        headers = tuple(
            dict.fromkeys(r.header for r in physical.rules if r.header not in participants)
        )
        rules = tuple(sorted({r.kind for r in physical.rules}))
        sweep_days = physical.sweep_days
    if isinstance(pool, NotionalPool):
        allocation = pool.allocation
        if pool.header:
            headers = (*headers, pool.header)
    rated = (
        pool.terms
        if isinstance(pool, NotionalPool) and not isinstance(physical, PhysicalStructure)
        else case.account(headers[0]).terms
        if headers
        else None
    )
    accounts = [case.account(a) for a in s.accounts]
    fees = s.fees if isinstance(s, PhysicalStructure | NotionalPool) else physical.fees
    return Terms(
        member.id,
        s.kind,
        tuple(sorted({a.currency for a in accounts})),
        headers,
        tuple(sorted({case.account(h).bank for h in headers})),
        len(accounts),
        rules,
        sweep_days,
        allocation,
        tuple((t.start, t.rate) for t in rated.credit) if rated else (),
        tuple((t.start, t.rate) for t in rated.debit) if rated else (),
        fees,
        s.pool.fees if isinstance(s, HybridStructure) else None,
    )
