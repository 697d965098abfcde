"""Several disjoint structures replayed together on one history (docs/simulation.md,
"Several structures at once"): the design phase's solution.

Each structure runs as it would alone (its sweeps, then its notional pool on the balances
after them); its accounts take its figures, every other account keeps the status quo's. What
the structures share is then worked out once, over all of them: the intercompany positions
(the flows of every structure between the same two entities in the same currency add up to
one position, whose interest and tax are posted once), the group's daily totals, the days
beyond a stated overdraft limit, and the fees (each structure's own, added up).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.bank import balance_change
from cashmgmt.engine.capacity import beyond
from cashmgmt.engine.change import Change, unchanged
from cashmgmt.engine.fees import no_fees
from cashmgmt.engine.intercompany import intercompany_positions
from cashmgmt.engine.physical import sweep
from cashmgmt.engine.pooling import overlay
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import FeeResult
from cashmgmt.engine.totals import aggregates
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case, NotionalPool, PhysicalStructure, SweepRule

Int64Array = npt.NDArray[np.int64]


class Layered(Protocol):
    """Physical pools whose headers then join a notional pool (simulate.Overlay)."""

    @property
    def id(self) -> str: ...

    @property
    def physical(self) -> PhysicalStructure: ...

    @property
    def pool(self) -> NotionalPool: ...


Structure = PhysicalStructure | NotionalPool | Layered


def parts(structure: Structure) -> tuple[PhysicalStructure | None, NotionalPool | None]:
    """A structure's sweeps and its notional pool (either may be None)."""
    if isinstance(structure, PhysicalStructure):
        return structure, None
    if isinstance(structure, NotionalPool):
        return None, structure
    return structure.physical, structure.pool


def accounts_of(structure: Structure) -> tuple[str, ...]:
    """Every account a structure touches."""
    physical, pool = parts(structure)
    found = (*(physical.accounts if physical else ()), *(pool.accounts if pool else ()))
    return tuple(dict.fromkeys(found))


def refuse_overlap(case: Case, structures: Sequence[Structure]) -> None:
    """SimulationError naming every account that two of the structures share: a solution's
    structures are disjoint."""
    owner: dict[str, str] = {}
    problems = []
    for s in structures:
        for account in accounts_of(s):
            if account in owner:
                problems.append(
                    Problem(
                        case.source or "case",
                        "structures",
                        f"expected structures with no account in common; {account} is in "
                        f"both {owner[account]!r} and {s.id!r}",
                    )
                )
            owner.setdefault(account, s.id)
    if problems:
        raise SimulationError(problems)


def add_fees(a: FeeResult, b: FeeResult) -> FeeResult:
    """Two structures' fees, item by item, their sweeps too."""
    return FeeResult(
        a.per_sweep + b.per_sweep,
        a.per_account_month + b.per_account_month,
        a.setup + b.setup,
        a.sweeps + b.sweeps,
        a.per_month + b.per_month,
        a.contract_months,
    )


def joint_change(
    case: Case, replay: Replay, structures: Sequence[Structure]
) -> tuple[Change, dict[int, int]]:
    """The group's side under every structure at once (disjoint, checked by the caller), and
    the balance changes at the proposing bank (bank.balance_change)."""
    history = case.balances
    index = replay.index
    base = replay.baseline
    n = len(history.accounts)
    side = base.side.copy()
    matrix = history.minor.copy()  # every account's daily balance under the structures
    shortfall = np.zeros((2, n), dtype=np.int64)
    fees = no_fees(case.base_currency)
    tops: list[int] = []
    flows: dict[tuple[str, str, str], Int64Array] = {}
    rules: list[SweepRule] = []
    moved: dict[int, int] = {}
    for structure in structures:
        physical, pool = parts(structure)
        change: Change | None = None
        rows = np.zeros(0, dtype=np.int64)
        swept = None
        if physical is not None:
            change, swept = sweep(case, physical, replay)
            rows = swept.rows
            # the sweep's closing balances live in memory the next sweep reuses: copied now
            matrix[rows] = swept.closing
            moved.update(balance_change(case, rows, swept.closing))
            for pair, flow in zip(swept.pairs, swept.flows, strict=True):
                flows[pair] = flows[pair] + flow if pair in flows else flow.copy()
            rules += physical.rules
            if change.shortfall is not None:
                shortfall[:, rows] = change.shortfall[:, rows]
        if pool is not None:
            before = change or unchanged(
                case, replay, np.array([index.row_of[pool.interest_header]], dtype=np.int64)
            )
            change = overlay(case, pool, replay, before, swept)
            members = np.array([index.row_of[a] for a in pool.accounts], dtype=np.int64)
            rows = np.union1d(rows, members)
        assert change is not None
        for mine, theirs in zip(
            (side.credit, side.debit, side.penalty),
            (change.side.credit, change.side.debit, change.side.penalty),
            strict=True,
        ):
            mine[rows] = theirs[rows]
        tops += change.tops.tolist()
        fees = add_fees(fees, change.fees)
    pairs = tuple(flows)
    stacked = (
        np.stack([flows[p] for p in pairs]) if pairs else np.zeros((0, history.days), np.int64)
    )
    leading = PhysicalStructure("solution", "solution", tuple(rules)) if rules else None
    intercompany, by_entity = intercompany_positions(case, replay, pairs, stacked, leading)
    every = np.arange(n, dtype=np.int64)
    top_rows = np.array(sorted(set(tops)), dtype=np.int64)
    change = Change(
        side,
        matrix[:, -1].copy(),
        aggregates(matrix, every, index, every),
        top_rows,
        aggregates(matrix, top_rows, index, top_rows),
        attrs.evolve(fees, contract_months=case.contract_months),
        intercompany,
        by_entity,
        shortfall,
        int(beyond(matrix, every, replay.limits).sum()),
    )
    return change, moved
