"""simulate(case, structure_id): a structure against the status quo (docs/simulation.md).

One function per structure kind (`simulate_physical`, `simulate_notional`,
`simulate_hybrid`), `simulate_structure` choosing among them, and the comparison they share.
Each takes the case's `Replay` if the caller holds one (the status quo is then computed once
for all its structures), else makes one for the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.bank import balance_change, bank_side
from cashmgmt.engine.change import Change, unchanged
from cashmgmt.engine.intercompany import intercompany_positions
from cashmgmt.engine.joint import accounts_of, joint_change, refuse_overlap
from cashmgmt.engine.liquidity import liquidity
from cashmgmt.engine.physical import SweepOutcome, sweep
from cashmgmt.engine.poolable import refuse_unpoolable
from cashmgmt.engine.pooling import overlay
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.results import AccountTable, EntityResult, Interest, SimulationResult
from cashmgmt.engine.sensitivity import reposted, sensitivity, shifted_pool
from cashmgmt.engine.tax import tax_result
from cashmgmt.engine.totals import Side, aggregates
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.money import annualise, from_minor, from_minor_all, to_minor

Int64Array = npt.NDArray[np.int64]


class Overlay(Protocol):
    """Physical pools whose headers then join a notional pool (the design phase's hybrid)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def physical(self) -> PhysicalStructure: ...

    @property
    def pool(self) -> NotionalPool: ...


def simulate(
    case: Case,
    structure_id: str | None = None,
    *,
    replay: Replay | None = None,
    shifts: Sequence[int] = (),
) -> SimulationResult:
    """Replay the case's history through one of its structures (default: its first) and
    compare with the status quo; SimulationError when the case has no such structure.
    `shifts` (basis points, e.g. sensitivity.DEFAULT_SHIFTS) adds the benefit under
    parallel rate shifts."""
    known = [s.id for s in case.structures]
    chosen = structure_id or (known[0] if known else None)
    if chosen is None or chosen not in known:
        found = f"no structure {chosen!r}" if chosen else "no structures to simulate"
        wanted = "one of: " + ", ".join(known) if known else "a case with structures"
        problem = Problem(case.source or "case", "structures", f"{found}; expected {wanted}")
        raise SimulationError([problem])
    return simulate_structure(case, case.structure(chosen), replay=replay, shifts=shifts)


def simulate_structure(
    case: Case,
    structure: PhysicalStructure | NotionalPool | Overlay,
    *,
    replay: Replay | None = None,
    shifts: Sequence[int] = (),
) -> SimulationResult:
    """Replay the history through any structure over the case's accounts (the design phase's
    own candidates too): physical, notional, or a hybrid of both; SimulationError when it
    touches an account that may not be pooled (restricted, or a facility's)."""
    replay = replay_for(case, replay)
    if replay.unpoolable:  # else no structure can touch one
        refuse_unpoolable(case, structure.id, _accounts(structure))
    if isinstance(structure, PhysicalStructure):
        return simulate_physical(case, structure, replay=replay, shifts=shifts)
    if isinstance(structure, NotionalPool):
        return simulate_notional(case, structure, replay=replay, shifts=shifts)
    physical, pool = structure.physical, structure.pool
    return simulate_hybrid(
        case, physical, pool, id=structure.id, name=structure.name, replay=replay, shifts=shifts
    )


def simulate_solution(
    case: Case,
    structures: Sequence[PhysicalStructure | NotionalPool | Overlay],
    *,
    replay: Replay | None = None,
    id: str = "solution",
    name: str = "Solution",
) -> SimulationResult:
    """Replay the history through several structures at once (docs/simulation.md, "Several
    structures at once") and compare with the status quo: one result for all of them, kind
    "solution". SimulationError when two structures share an account, or one touches an
    account that may not be pooled."""
    held = replay_for(case, replay)
    refuse_overlap(case, structures)
    if held.unpoolable:
        for structure in structures:
            refuse_unpoolable(case, structure.id, accounts_of(structure))
    change, moved = joint_change(case, held, structures)
    return _compare(case, held, id, name, "solution", change, moved)


def _accounts(structure: PhysicalStructure | NotionalPool | Overlay) -> tuple[str, ...]:
    if isinstance(structure, PhysicalStructure | NotionalPool):
        return structure.accounts
    return (*structure.physical.accounts, *structure.pool.accounts)


def simulate_physical(
    case: Case,
    structure: PhysicalStructure,
    *,
    replay: Replay | None = None,
    shifts: Sequence[int] = (),
) -> SimulationResult:
    """Sweeps move money between accounts; interest is posted on the swept balances."""
    held = replay_for(case, replay)
    change, swept = sweep(case, structure, held)
    moved = balance_change(case, swept.rows, swept.closing)
    result = _compare(case, held, structure.id, structure.name, structure.kind, change, moved)

    def side(r: Replay, bp: int) -> tuple[Side, int]:
        return reposted(r, swept), _tax(r, swept, structure)

    return _with_shifts(result, held, shifts, side)


def simulate_notional(
    case: Case,
    pool: NotionalPool,
    *,
    replay: Replay | None = None,
    shifts: Sequence[int] = (),
) -> SimulationResult:
    """The pool's members earn their share of the interest on their netted balances."""
    held = replay_for(case, replay)
    header = np.array([held.index.row_of[pool.interest_header]], dtype=np.int64)
    before = unchanged(case, held, header)
    change = overlay(case, pool, held, before)
    result = _compare(case, held, pool.id, pool.name, pool.kind, change, {})

    def side(r: Replay, bp: int) -> tuple[Side, int]:
        status_quo = attrs.evolve(before, side=r.baseline.side.copy())
        return overlay(r.case, shifted_pool(pool, bp), r, status_quo).side, 0

    return _with_shifts(result, held, shifts, side)


def simulate_hybrid(
    case: Case,
    physical: PhysicalStructure,
    pool: NotionalPool,
    *,
    id: str,
    name: str,
    replay: Replay | None = None,
    shifts: Sequence[int] = (),
) -> SimulationResult:
    """`physical`'s sweeps first, then `pool` nets its members on their balances after the
    sweeps."""
    held = replay_for(case, replay)
    change, swept = sweep(case, physical, held)
    moved = balance_change(case, swept.rows, swept.closing)
    pooled = overlay(case, pool, held, change, swept)
    result = _compare(case, held, id, name, "hybrid", pooled, moved)

    def side(r: Replay, bp: int) -> tuple[Side, int]:
        after_sweeps = attrs.evolve(change, side=reposted(r, swept))
        pooled = overlay(r.case, shifted_pool(pool, bp), r, after_sweeps, swept).side
        return pooled, _tax(r, swept, physical)

    return _with_shifts(result, held, shifts, side)


def _tax(replay: Replay, swept: SweepOutcome, structure: PhysicalStructure) -> int:
    """The tax on the intercompany interest of `swept`'s positions under `replay`'s (shifted)
    case, in base minor units."""
    case = replay.case
    positions, _ = intercompany_positions(
        case, replay, swept.pairs, swept.flows, structure, swept.ends
    )
    return to_minor(tax_result(case.base_currency, positions).total, case.base_currency)


def _with_shifts(
    result: SimulationResult,
    replay: Replay,
    shifts: Sequence[int],
    side: Callable[[Replay, int], tuple[Side, int]],
) -> SimulationResult:
    """`result` with its benefit under each parallel shift of the rates (none: as it is)."""
    if not shifts:
        return result
    fees = result.fees
    found = sensitivity(replay, fees.total, fees.setup, fees.contract_months, shifts, side)
    return attrs.evolve(result, sensitivity=found)


def _compare(
    case: Case,
    replay: Replay,
    structure_id: str,
    name: str,
    kind: str,
    change: Change,
    moved: Mapping[int, int],
) -> SimulationResult:
    """A structure's side set against the status quo: interest, fees, liquidity and the
    benefit, for the group, each entity and each account."""
    history = case.balances
    base = replay.baseline
    index = replay.index
    tops = change.tops
    base_liq, base_daily = liquidity(
        replay.fx, base.aggregates, aggregates(history.minor, tops, index, tops)
    )
    struct_liq, struct_daily = liquidity(replay.fx, change.totals, change.top_totals)
    base_breaches = replay.base_breach_days
    base_liq = attrs.evolve(base_liq, limit_breach_days=base_breaches)
    struct_liq = attrs.evolve(
        struct_liq,
        limit_breach_days=base_breaches if change.breach_days is None else change.breach_days,
    )
    code = case.base_currency

    def interest(side: Side) -> Interest:
        return Interest(
            *(from_minor(int(x.sum()), code) for x in (side.credit, side.debit, side.penalty))
        )

    structure_side = change.side
    fees = attrs.evolve(change.fees, contract_months=case.contract_months)
    account_table = AccountTable(
        ids=history.accounts,
        entities=index.entity_of,
        currencies=index.currency_of,
        base_currency=code,
        interest=np.stack(
            [
                base.side.credit,
                base.side.debit,
                base.side.penalty,
                structure_side.credit,
                structure_side.debit,
                structure_side.penalty,
            ]
        ),
        closing=np.stack([base.last, change.closing]),
        shortfall=change.shortfall,
    )
    per_entity = _sum_by(index.entity, account_table.interest, len(index.entities))
    by_entity = change.intercompany_interest
    tax = tax_result(code, change.intercompany)
    borne = {t.id: t.total for t in tax.entities}  # tax.of(e), without a scan per entity
    zero = from_minor(0, code)
    # Each entity's six interest figures in a row, then its intercompany interest.
    figures = from_minor_all(per_entity.T.ravel().tolist(), code)
    received = from_minor_all([by_entity.get(e, 0) for e in index.entities], code)
    entities = tuple(
        EntityResult(
            e,
            Interest(*figures[6 * k : 6 * k + 3]),
            Interest(*figures[6 * k + 3 : 6 * k + 6]),
            received[k],
            zero + borne.get(e, Decimal(0)),
        )
        for k, e in enumerate(index.entities)
    )
    group_base = interest(base.side)
    group_struct = interest(structure_side)
    benefit = group_struct.net - group_base.net - fees.total - tax.total
    annual_minor = annualise(
        to_minor(benefit, code), to_minor(fees.setup, code), history.days, case.contract_months
    )
    return SimulationResult(
        structure_id=structure_id,
        name=name,
        kind=kind,
        currency=code,
        start=history.start,
        end=history.end,
        days=history.days,
        baseline=group_base,
        structure=group_struct,
        fees=fees,
        benefit=benefit,
        benefit_annual=from_minor(annual_minor, code),
        account_table=account_table,
        entities=entities,
        intercompany=change.intercompany,
        baseline_liquidity=base_liq,
        structure_liquidity=struct_liq,
        baseline_daily=base_daily,
        structure_daily=struct_daily,
        bank=bank_side(case, account_table.interest, fees, moved),
        tax=tax,
    )


def _sum_by(owner: Int64Array, values: Int64Array, groups: int) -> Int64Array:
    """Exact integer sums of each row of `values` (rows × items) per group of items, as a
    (rows × groups) array: items sorted by group, then summed run by run (np.bincount would
    go through floats, np.add.at is slow)."""
    sums = np.zeros((values.shape[0], groups), dtype=np.int64)
    if not owner.size:
        return sums
    order = np.argsort(owner, kind="stable")
    ranked = owner[order]
    runs = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sums[:, ranked[runs]] = np.add.reduceat(values[:, order], runs, axis=1)
    return sums
