"""Interest on daily balances, posted per period, exactly (docs/simulation.md, "Interest").

The daily accrual `rate × balance / basis` summed over a period equals
`rate × (Σ balance) / basis`, so the engine only needs, per account, tier and period, the sum
of the (clipped) daily balances (the "interest numbers", 计息积数, a Chinese bank's own method)
and one exact multiplication and rounding per posting.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import sum_products_div
from cashmgmt.model import Terms
from cashmgmt.money import to_minor

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
RATE_SCALE = 10**8  # rates are exact multiples of 1e-8 (checked on load)
INF = 1 << 62


def rate_units(rate: object) -> int:
    """A Decimal rate as an integer number of 1e-8."""
    from decimal import Decimal

    assert isinstance(rate, Decimal)
    scaled = rate * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than 8 decimals")
    return int(scaled)


def posting_periods(start: date, days: int) -> tuple[Int64Array, Int64Array]:
    """First day index of each posting period, and its posting day index (month ends and the
    last day)."""
    starts = [0]
    for d in range(1, days):
        if (start + timedelta(days=d)).day == 1:
            starts.append(d)
    first = np.array(starts, dtype=np.int64)
    last = np.append(first[1:] - 1, days - 1).astype(np.int64)
    return first, last


@attrs.frozen
class Slot:
    """One tier on a set of rows: balances in [low, high) earn `rate` (units of 1e-8)."""

    rows: Int64Array
    low: Int64Array
    high: Int64Array
    rate: Int64Array
    whole: bool

    @property
    def flat(self) -> bool:
        """A single marginal tier from 0 without an upper bound: the plain sum suffices."""
        return not self.whole and bool((self.low == 0).all() and (self.high == INF).all())


@attrs.frozen
class TermsTable:
    """Interest terms of many balance series as arrays, ready for the vectorised sums."""

    basis: Int64Array
    credit: tuple[Slot, ...]
    debit: tuple[Slot, ...]
    limit: Int64Array  # debit size allowed before the penalty rate (INF: no limit)
    penalty: Int64Array  # penalty rate units per row
    needs_debit_split: Int64Array  # rows whose debit is not a plain flat, unlimited sum


@attrs.frozen
class _Row:
    """One row's terms in integer form (memoised per distinct terms and currency)."""

    credit: tuple[tuple[int, int, int], ...]
    debit: tuple[tuple[int, int, int], ...]
    whole: bool
    limit: int
    penalty: int
    split: bool
    basis: int


@functools.cache
def _row(terms: Terms, currency: str) -> _Row:
    sides = []
    for side in (terms.credit, terms.debit):
        starts = [to_minor(tier.start, currency) for tier in side]
        bounds = [*starts[1:], INF] if starts else []
        sides.append(
            tuple((s, e, rate_units(t.rate)) for s, e, t in zip(starts, bounds, side, strict=True))
        )
    has_limit = terms.overdraft_limit is not None
    limit = to_minor(terms.overdraft_limit.amount, currency) if terms.overdraft_limit else INF
    top = terms.debit[-1].rate if terms.debit else None
    rate = terms.penalty_rate if terms.penalty_rate is not None else top
    flat_debit = len(terms.debit) <= 1 and (terms.tiering == "marginal" or not terms.debit)
    return _Row(
        credit=sides[0],
        debit=sides[1],
        whole=terms.tiering == "whole",
        limit=limit,
        penalty=rate_units(rate) if rate is not None and has_limit else 0,
        split=has_limit or not flat_debit,
        basis=terms.basis,
    )


def _slots(
    per_row: Sequence[tuple[tuple[int, int, int], ...]], whole: BoolArray
) -> tuple[Slot, ...]:
    """Group tier k of every row into Slots by (k, tiering, flat), so that a slot is either
    wholly flat (one marginal tier from 0, unbounded) or has none of those rows."""
    n = len(per_row)
    depth = max((len(t) for t in per_row), default=0)
    if depth == 0:
        return ()
    count = np.array([len(t) for t in per_row], dtype=np.int64)
    table = np.zeros((n, depth, 3), dtype=np.int64)
    for i, tiers in enumerate(per_row):
        if tiers:
            table[i, : len(tiers)] = tiers
    slots = []
    for k in range(depth):
        has = count > k
        low, high, rate = table[:, k, 0], table[:, k, 1], table[:, k, 2]
        flat = has & ~whole & (low == 0) & (high == INF)
        for mask, is_whole in ((flat, False), (has & ~whole & ~flat, False), (has & whole, True)):
            rows = np.flatnonzero(mask)
            if rows.size:
                slots.append(Slot(rows, low[rows], high[rows], rate[rows], is_whole))
    return tuple(slots)


def terms_table(terms: Sequence[Terms], currencies: Sequence[str]) -> TermsTable:
    """Arrays for a list of (terms, currency) rows."""
    rows = [_row(t, c) for t, c in zip(terms, currencies, strict=True)]
    whole = np.array([r.whole for r in rows], dtype=np.bool_)
    return TermsTable(
        basis=np.array([r.basis for r in rows], dtype=np.int64),
        credit=_slots([r.credit for r in rows], whole),
        debit=_slots([r.debit for r in rows], whole),
        limit=np.array([r.limit for r in rows], dtype=np.int64),
        penalty=np.array([r.penalty for r in rows], dtype=np.int64),
        needs_debit_split=np.flatnonzero([r.split for r in rows]).astype(np.int64),
    )


def take(table: TermsTable, rows: Sequence[int]) -> TermsTable:
    """The table of a subset of rows, in the given order (no rebuilding from the terms)."""
    picked = np.asarray(rows, dtype=np.int64)
    position = np.full(table.basis.size, -1, dtype=np.int64)
    position[picked] = np.arange(picked.size)

    def slots(group: tuple[Slot, ...]) -> tuple[Slot, ...]:
        out = []
        for slot in group:
            new = position[slot.rows]
            keep = np.flatnonzero(new >= 0)
            if keep.size:
                keep = keep[np.argsort(new[keep], kind="stable")]  # sorted rows, for block()
                out.append(
                    Slot(new[keep], slot.low[keep], slot.high[keep], slot.rate[keep], slot.whole)
                )
        return tuple(out)

    split = position[table.needs_debit_split]
    return TermsTable(
        basis=table.basis[picked],
        credit=slots(table.credit),
        debit=slots(table.debit),
        limit=table.limit[picked],
        penalty=table.penalty[picked],
        needs_debit_split=np.sort(split[split >= 0]),
    )


def _band_sums(values: Int64Array, slot: Slot, starts: Int64Array) -> Int64Array:
    """Per row and period, the sum of the part of `values` the slot's tier applies to."""
    low, high = slot.low[:, None], slot.high[:, None]
    if slot.whole:
        band = np.where((values >= low) & (values < high), values, 0)
    else:
        band = values - low
        np.clip(band, 0, high - low, out=band)
    sums: Int64Array = np.add.reduceat(band, starts, axis=1)
    return sums


@attrs.frozen
class Postings:
    """Posted interest per row and period, in minor units of each row's currency."""

    credit: Int64Array  # received (negative under negative rates)
    debit: Int64Array  # paid, as a positive number
    penalty: Int64Array  # paid beyond the overdraft limit, positive

    @property
    def net(self) -> Int64Array:
        """credit - debit - penalty."""
        result: Int64Array = self.credit - self.debit - self.penalty
        return result


BLOCK = 256  # rows per block: a block's days fit in the CPU cache
_POOL: list[ThreadPoolExecutor] = []


def block(table: TermsTable, first: int, stop: int) -> TermsTable:
    """The table of rows first..stop-1 (slot rows are sorted, so each is a slice)."""

    def cut(group: tuple[Slot, ...]) -> tuple[Slot, ...]:
        out = []
        for slot in group:
            a, b = np.searchsorted(slot.rows, (first, stop))
            if b > a:
                out.append(
                    Slot(
                        slot.rows[a:b] - first,
                        slot.low[a:b],
                        slot.high[a:b],
                        slot.rate[a:b],
                        slot.whole,
                    )
                )
        return tuple(out)

    a, b = np.searchsorted(table.needs_debit_split, (first, stop))
    return TermsTable(
        basis=table.basis[first:stop],
        credit=cut(table.credit),
        debit=cut(table.debit),
        limit=table.limit[first:stop],
        penalty=table.penalty[first:stop],
        needs_debit_split=table.needs_debit_split[a:b] - first,
    )


def post(balances: Int64Array, table: TermsTable, starts: Int64Array) -> Postings:
    """Interest posted per row and period on a (rows × days) matrix of closing balances.

    Rows are independent, so they are done in blocks that fit the CPU cache, on as many
    threads as there are cores (numpy releases the GIL inside its loops)."""
    n = balances.shape[0]
    if n <= 2 * BLOCK:
        return _post(balances, table, starts)
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=os.cpu_count() or 1))
    edges = list(range(0, n, BLOCK))
    parts = list(
        _POOL[0].map(
            lambda a: _post(balances[a : a + BLOCK], block(table, a, min(a + BLOCK, n)), starts),
            edges,
        )
    )
    return Postings(
        credit=np.concatenate([p.credit for p in parts]),
        debit=np.concatenate([p.debit for p in parts]),
        penalty=np.concatenate([p.penalty for p in parts]),
    )


def _post(balances: Int64Array, table: TermsTable, starts: Int64Array) -> Postings:
    n = balances.shape[0]
    periods = starts.size
    positive = np.maximum(balances, 0)
    sum_positive: Int64Array = np.add.reduceat(positive, starts, axis=1)
    sum_all: Int64Array = np.add.reduceat(balances, starts, axis=1)
    divisor = (table.basis * RATE_SCALE)[:, None]

    def total(slot_sums: list[tuple[Slot, Int64Array]]) -> Int64Array:
        terms = []
        for slot, sums in slot_sums:
            full = np.zeros((n, periods), dtype=np.int64)
            full[slot.rows] = sums
            rate = np.zeros((n, 1), dtype=np.int64)
            rate[slot.rows, 0] = slot.rate
            terms.append((full, rate))
        if not terms:
            return np.zeros((n, periods), dtype=np.int64)
        return sum_products_div(terms, divisor)

    credit = [
        (s, sum_positive[s.rows] if s.flat else _band_sums(positive[s.rows], s, starts))
        for s in table.credit
    ]
    # Debit: size within the limit (w) and beyond it (x). Rows with a flat, unlimited debit
    # rate need only Σ(positive) - Σ(balance); the others get their own split.
    split = table.needs_debit_split
    within_sum = sum_positive - sum_all
    beyond_sum = np.zeros((n, periods), dtype=np.int64)
    position = np.full(n, -1, dtype=np.int64)
    within_rows = np.zeros((0, balances.shape[1]), dtype=np.int64)
    if split.size:
        size = positive[split] - balances[split]
        within_rows = np.minimum(size, table.limit[split][:, None])
        within_sum[split] = np.add.reduceat(within_rows, starts, axis=1)
        beyond_sum[split] = np.add.reduceat(size - within_rows, starts, axis=1)
        position[split] = np.arange(split.size)
    debit = []
    for s in table.debit:
        if s.flat:
            debit.append((s, within_sum[s.rows]))
        else:
            debit.append((s, _band_sums(within_rows[position[s.rows]], s, starts)))
    has_penalty = np.flatnonzero(table.penalty)
    penalty_slot = Slot(
        has_penalty,
        np.zeros(has_penalty.size, dtype=np.int64),
        np.full(has_penalty.size, INF, dtype=np.int64),
        table.penalty[has_penalty],
        False,
    )
    return Postings(
        credit=total(credit),
        debit=total(debit),
        penalty=total([(penalty_slot, beyond_sum[has_penalty])]),
    )
