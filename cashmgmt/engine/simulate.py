"""simulate(case, structure_id): a structure against the status quo (docs/simulation.md).

One function per structure kind (`simulate_physical`, `simulate_notional`,
`simulate_hybrid`), `simulate_structure` choosing among them, and the comparison they share.
Each takes the case's `Replay` if the caller holds one (the status quo is then computed once
for all its structures), else makes one for the call.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.change import Change, unchanged
from cashmgmt.engine.exact import round_fraction
from cashmgmt.engine.liquidity import liquidity
from cashmgmt.engine.physical import sweep
from cashmgmt.engine.pooling import overlay
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.results import AccountTable, EntityResult, Interest, SimulationResult
from cashmgmt.engine.tax import tax_result
from cashmgmt.engine.totals import Side, aggregates
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.money import exponent, from_minor

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
    case: Case, structure_id: str | None = None, *, replay: Replay | None = None
) -> SimulationResult:
    """Replay the case's history through one of its structures (default: its first) and
    compare with the status quo; SimulationError when the case has no such structure."""
    known = [s.id for s in case.structures]
    chosen = structure_id or (known[0] if known else None)
    if chosen is None or chosen not in known:
        found = f"no structure {chosen!r}" if chosen else "no structures to simulate"
        wanted = "one of: " + ", ".join(known) if known else "a case with structures"
        problem = Problem(case.source or "case", "structures", f"{found}; expected {wanted}")
        raise SimulationError([problem])
    return simulate_structure(case, case.structure(chosen), replay=replay)


def simulate_structure(
    case: Case,
    structure: PhysicalStructure | NotionalPool | Overlay,
    *,
    replay: Replay | None = None,
) -> SimulationResult:
    """Replay the history through any structure over the case's accounts (the design phase's
    own candidates too): physical, notional, or a hybrid of both."""
    if isinstance(structure, PhysicalStructure):
        return simulate_physical(case, structure, replay=replay)
    if isinstance(structure, NotionalPool):
        return simulate_notional(case, structure, replay=replay)
    physical, pool = structure.physical, structure.pool
    return simulate_hybrid(
        case, physical, pool, id=structure.id, name=structure.name, replay=replay
    )


def simulate_physical(
    case: Case, structure: PhysicalStructure, *, replay: Replay | None = None
) -> SimulationResult:
    """Sweeps move money between accounts; interest is posted on the swept balances."""
    held = replay_for(case, replay)
    change, _ = sweep(case, structure, held)
    return _compare(case, held, structure.id, structure.name, structure.kind, change)


def simulate_notional(
    case: Case, pool: NotionalPool, *, replay: Replay | None = None
) -> SimulationResult:
    """The pool's members earn their share of the interest on their netted balances."""
    held = replay_for(case, replay)
    header = np.array([held.index.row_of[pool.interest_header]], dtype=np.int64)
    change = overlay(case, pool, held, unchanged(case, held, header))
    return _compare(case, held, pool.id, pool.name, pool.kind, change)


def simulate_hybrid(
    case: Case,
    physical: PhysicalStructure,
    pool: NotionalPool,
    *,
    id: str,
    name: str,
    replay: Replay | None = None,
) -> SimulationResult:
    """`physical`'s sweeps first, then `pool` nets its members on their balances after the
    sweeps."""
    held = replay_for(case, replay)
    change, swept = sweep(case, physical, held)
    return _compare(case, held, id, name, "hybrid", overlay(case, pool, held, change, swept))


def _compare(
    case: Case, replay: Replay, structure_id: str, name: str, kind: str, change: Change
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
    code = case.base_currency

    def interest(side: Side) -> Interest:
        return Interest(
            *(from_minor(int(x.sum()), code) for x in (side.credit, side.debit, side.penalty))
        )

    structure_side = change.side
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
    )
    per_entity = np.stack(
        [_sum_by(index.entity, row, len(index.entities)) for row in account_table.interest]
    )
    by_entity = change.intercompany_interest
    tax = tax_result(code, change.intercompany)
    entities = tuple(
        EntityResult(
            e,
            Interest(*(from_minor(v, code) for v in figures[:3])),
            Interest(*(from_minor(v, code) for v in figures[3:])),
            from_minor(by_entity.get(e, 0), code),
            from_minor(0, code) + tax.of(e),
        )
        for e, figures in zip(index.entities, per_entity.T.tolist(), strict=True)
    )
    group_base = interest(base.side)
    group_struct = interest(structure_side)
    benefit = group_struct.net - group_base.net - change.fees.total - tax.total
    annual_minor = round_fraction(Fraction(int(benefit.scaleb(exponent(code))) * 365, history.days))
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
        fees=change.fees,
        benefit=benefit,
        benefit_annual=from_minor(annual_minor, code),
        account_table=account_table,
        entities=entities,
        intercompany=change.intercompany,
        baseline_liquidity=base_liq,
        structure_liquidity=struct_liq,
        baseline_daily=base_daily,
        structure_daily=struct_daily,
        tax=tax,
    )


def _sum_by(owner: Int64Array, values: Int64Array, groups: int) -> Int64Array:
    """Exact integer sums of `values` per group (np.bincount would go through floats)."""
    sums = np.zeros(groups, dtype=np.int64)
    np.add.at(sums, owner, values)
    return sums
