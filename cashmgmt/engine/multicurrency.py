"""A multi-currency notional pool in per-currency mode: each currency nets at its own terms,
and the part of the debit currencies' debit that other currencies' credit covers (less the
haircut) pays the offset rate (docs/simulation.md, "Multi-currency pools, per currency").

Exact: the daily nets and the postings are integer arrays (the posting kernel), the cover is
kept as an integer over the haircut's denominator, and the few per-day and per-period sums it
needs are Python integers.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import round_fraction
from cashmgmt.engine.interest import RATE_SCALE, post, terms_table
from cashmgmt.engine.pooling import allocate
from cashmgmt.engine.replay import Replay
from cashmgmt.model import Allocation, Case, NotionalPool
from cashmgmt.money import round_half_away

Int64Array = npt.NDArray[np.int64]


def per_currency_interest(
    case: Case, pool: NotionalPool, replay: Replay, balances: Int64Array
) -> tuple[list[int], list[int]]:
    """Members' rows and each member's pool interest in base minor units (its shares of each
    currency's interest less its share of the offset charge), the members' daily balances
    given in the pool's order, each in its own currency."""
    index = replay.index
    fx = replay.fx
    starts, posting_days = replay.periods
    days = case.balances.days
    every_day = np.arange(days)
    rows = [index.row_of[a] for a in pool.accounts]
    currencies = [index.currency_of[row] for row in rows]
    codes = list(dict.fromkeys(currencies))
    of_code = np.array([codes.index(c) for c in currencies], dtype=np.int64)
    members = len(rows)
    periods = int(starts.size)

    net = np.stack([balances[of_code == k].sum(axis=0) for k in range(len(codes))])
    value = fx.convert(net, codes, every_day, to=pool.currency)
    uncovered, cover, scale = _uncovered(net, value, pool)

    table = terms_table(
        [pool.terms_of(c) for c in codes],
        np.arange(len(codes)),
        codes,
        case.balances.start,
        days,
    )
    currency_net = post(uncovered, table, starts).net
    alone = post(balances, table.take(of_code), starts).net

    # Allocations: one (members × periods) matrix per currency of the amounts paid in it.
    shares = {c: np.zeros((members, periods), dtype=np.int64) for c in codes}
    head = pool.accounts.index(pool.interest_header)
    credit_weight = np.add.reduceat(np.maximum(balances, 0), starts, axis=1)
    debit_weight = np.add.reduceat(np.maximum(-balances, 0), starts, axis=1)
    for k, code in enumerate(codes):
        group = np.flatnonzero(of_code == k).tolist()
        for period in range(periods):
            total = int(currency_net[k, period])
            if pool.allocation == "header":
                shares[code][head, period] += total
                continue
            split = _split(
                pool.allocation,
                total,
                [pool.accounts[i] for i in group],
                pool,
                [int(alone[i, period]) for i in group],
                [int(credit_weight[i, period]) for i in group],
                [int(debit_weight[i, period]) for i in group],
            )
            shares[code][group, period] += split

    charge = np.zeros((members, periods), dtype=np.int64)
    if pool.offset_rate is not None:
        basis = pool.terms.basis
        rate = Fraction(pool.offset_rate)
        in_debit = value[of_code] < 0
        converted = fx.convert(balances, currencies, every_day, to=pool.currency)
        used = np.where(in_debit, np.maximum(-converted, 0), 0)
        used_weight = np.add.reduceat(used, starts, axis=1)
        ends = [*starts.tolist()[1:], days]
        for period, (first, end) in enumerate(zip(starts.tolist(), ends, strict=True)):
            covered = sum(cover[first:end])
            total = round_fraction(Fraction(covered, scale) * rate / basis)
            if pool.allocation == "header":
                charge[head, period] = total
            else:
                charge[:, period] = allocate(total, [int(w) for w in used_weight[:, period]])

    in_base = np.zeros(members, dtype=np.int64)
    for code in codes:
        in_base += fx.convert(shares[code], [code] * members, posting_days).sum(axis=1)
    in_base -= fx.convert(charge, [pool.currency] * members, posting_days).sum(axis=1)
    return rows, [int(x) for x in in_base]


def _uncovered(
    net: Int64Array, value: Int64Array, pool: NotionalPool
) -> tuple[Int64Array, list[int], int]:
    """Each currency's daily net with its covered part removed (debit currencies only), the
    daily cover O[d] as integers over `scale`, and `scale` (the haircut's denominator)."""
    cut = Fraction(pool.haircut if pool.haircut is not None else Decimal(0))
    scale, kept = cut.denominator, cut.denominator - cut.numerator
    uncovered = net.copy()
    cover = [0] * net.shape[1]
    if pool.offset_rate is None:
        return uncovered, cover, scale
    debit_sizes = np.maximum(-value, 0)
    credits = np.maximum(value, 0).sum(axis=0).tolist()
    debits = debit_sizes.sum(axis=0).tolist()
    for d in np.flatnonzero((debit_sizes.sum(axis=0) > 0) & (np.asarray(credits) > 0)).tolist():
        whole = debits[d] * scale
        covered = min(whole, credits[d] * kept)
        cover[d] = covered
        for k in np.flatnonzero(value[:, d] < 0).tolist():
            uncovered[k, d] = round_half_away(int(net[k, d]) * (whole - covered), whole)
    return uncovered, cover, scale


def _split(
    allocation: Allocation,
    total: int,
    accounts: list[str],
    pool: NotionalPool,
    alone: list[int],
    credit: list[int],
    debit: list[int],
) -> list[int]:
    """One currency's interest of one period split among that currency's members."""
    if allocation == "even":
        return allocate(total, [1] * len(accounts))
    if allocation == "percentage":
        assert pool.shares is not None
        weights = [int(pool.shares.get(a, Decimal(0)) * RATE_SCALE) for a in accounts]
        return allocate(total, weights)
    source = credit if allocation == "fair-share" else debit
    extra = allocate(total - sum(alone), source)
    return [o + e for o, e in zip(alone, extra, strict=True)]
