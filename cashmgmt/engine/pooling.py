"""Notional pooling: members' balances netted for interest, which is then allocated back
(docs/simulation.md, "Notional pools")."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.change import Change
from cashmgmt.engine.exact import round_fraction
from cashmgmt.engine.fees import fees_of, plus
from cashmgmt.engine.interest import RATE_SCALE, post, terms_table
from cashmgmt.engine.physical import SweepOutcome
from cashmgmt.engine.replay import Replay
from cashmgmt.model import Case, NotionalPool

Int64Array = npt.NDArray[np.int64]


def overlay(
    case: Case,
    pool: NotionalPool,
    replay: Replay,
    change: Change,
    swept: SweepOutcome | None = None,
) -> Change:
    """`change` with the pool's members earning their allocated pool interest instead of
    their own, on their balances after `swept`'s sweeps (None: the history's), and the
    pool's fees added (it moves no money, so balances and totals stay as they were)."""
    history = case.balances
    row_of = replay.index.row_of
    member_rows = np.array([row_of[a] for a in pool.accounts], dtype=np.int64)
    balances = history.minor[member_rows]
    if swept is not None:  # members the sweeps touched: their balances after the sweeps
        position = np.full(len(history.accounts), -1, dtype=np.int64)
        position[swept.rows] = np.arange(swept.rows.size)
        moved = position[member_rows]
        touched = np.flatnonzero(moved >= 0)
        balances[touched] = swept.closing[moved[touched]]
    members, interest = _pool_interest(case, pool, replay, balances)
    side = change.side.copy()
    for row, credit in zip(members, interest, strict=True):
        side.credit[row] = credit
        side.debit[row] = 0
        side.penalty[row] = 0
    months = int(replay.starts.size)
    pool_fees = fees_of(case, attrs.evolve(pool.fees, per_sweep=None), 0, len(members), months)
    return attrs.evolve(change, side=side, fees=plus(change.fees, pool_fees))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` by integer weights: each share rounded half away from zero, then the
    difference settled by largest remainder (ties to the earlier member)."""
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * len(weights), len(weights)
    exact = [Fraction(total * w, whole) for w in weights]
    shares = [round_fraction(x) for x in exact]
    diff = total - sum(shares)
    step = 1 if diff > 0 else -1
    remainders = [x - s for x, s in zip(exact, shares, strict=True)]
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i] * step, i))
    for i in order[: abs(diff)]:
        shares[i] += step
    return shares


def _pool_interest(
    case: Case, pool: NotionalPool, replay: Replay, balances: Int64Array
) -> tuple[list[int], list[int]]:
    """Members' rows and each member's allocated pool interest in base minor units, the
    members' daily balances given in the pool's order."""
    if pool.currency_terms is not None:
        from cashmgmt.engine.multicurrency import per_currency_interest

        return per_currency_interest(case, pool, replay, balances)
    history = case.balances
    index = replay.index
    fx = replay.fx
    starts, posting_days = replay.periods
    rows = [index.row_of[a] for a in pool.accounts]
    currencies = [index.currency_of[row] for row in rows]
    every_day = np.arange(history.days)
    converted = fx.convert(balances, currencies, every_day, to=pool.currency)
    net = converted.sum(axis=0, keepdims=True)
    table = terms_table(
        [pool.terms], np.zeros(1, dtype=np.int64), [pool.currency], history.start, history.days
    )
    pool_net = post(net, table, starts).net[0]
    members = len(rows)
    alone = post(converted, table.take(np.zeros(members, dtype=np.int64)), starts).net
    credit_weight = np.add.reduceat(np.maximum(converted, 0), starts, axis=1)
    debit_weight = np.add.reduceat(np.maximum(-converted, 0), starts, axis=1)
    allocated = np.zeros((members, starts.size), dtype=np.int64)
    for period in range(starts.size):
        total = int(pool_net[period])
        if pool.allocation == "header":
            allocated[pool.accounts.index(pool.interest_header), period] = total
            continue
        if pool.allocation == "even":
            allocated[:, period] = allocate(total, [1] * members)
            continue
        if pool.allocation == "percentage":
            assert pool.shares is not None
            weights = [int(pool.shares.get(a, Decimal(0)) * RATE_SCALE) for a in pool.accounts]
            allocated[:, period] = allocate(total, weights)
            continue
        own = [int(x) for x in alone[:, period]]
        source = credit_weight if pool.allocation == "fair-share" else debit_weight
        extra = allocate(total - sum(own), [int(w) for w in source[:, period]])
        allocated[:, period] = [o + e for o, e in zip(own, extra, strict=True)]
    in_base = fx.convert(allocated, [pool.currency] * members, posting_days)
    return rows, [int(x) for x in in_base.sum(axis=1)]
