"""Interest on daily balances, posted per period, exactly (docs/simulation.md, "Interest").

The daily accrual `rate × balance / basis` summed over a period equals
`rate × (Σ balance) / basis`, so the engine only needs, per account, tier and period, the sum
of the (clipped) daily balances (the "interest numbers", 计息积数, a Chinese bank's own method)
and one exact multiplication and rounding per posting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import sum_products_div
from cashmgmt.model import Terms
from cashmgmt.money import to_minor

Int64Array = npt.NDArray[np.int64]
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


def _slots(per_row: list[list[tuple[int, int, int]]], whole: list[bool]) -> tuple[Slot, ...]:
    """Group tier k of every row into Slots by (k, tiering, flat), so that a slot is either
    wholly flat (one marginal tier from 0, unbounded) or has none of those rows."""

    def shape(i: int, k: int) -> tuple[bool, bool]:
        flat = not whole[i] and per_row[i][k][0] == 0 and per_row[i][k][1] == INF
        return whole[i], flat

    slots = []
    depth = max((len(t) for t in per_row), default=0)
    for k in range(depth):
        for kind in ((False, True), (False, False), (True, False)):
            rows = [i for i, tiers in enumerate(per_row) if len(tiers) > k and shape(i, k) == kind]
            if not rows:
                continue
            rows_a = np.array(rows, dtype=np.int64)
            low = np.array([per_row[i][k][0] for i in rows], dtype=np.int64)
            high = np.array([per_row[i][k][1] for i in rows], dtype=np.int64)
            rate = np.array([per_row[i][k][2] for i in rows], dtype=np.int64)
            slots.append(Slot(rows_a, low, high, rate, kind[0]))
    return tuple(slots)


def terms_table(terms: Sequence[Terms], currencies: Sequence[str]) -> TermsTable:
    """Arrays for a list of (terms, currency) rows."""
    credit: list[list[tuple[int, int, int]]] = []
    debit: list[list[tuple[int, int, int]]] = []
    whole: list[bool] = []
    limit: list[int] = []
    penalty: list[int] = []
    split: list[int] = []
    for i, (t, cur) in enumerate(zip(terms, currencies, strict=True)):
        for side, out in ((t.credit, credit), (t.debit, debit)):
            starts = [to_minor(tier.start, cur) for tier in side]
            bounds = [*starts[1:], INF] if starts else []
            out.append(
                [
                    (s, e, rate_units(tier.rate))
                    for s, e, tier in zip(starts, bounds, side, strict=True)
                ]
            )
        whole.append(t.tiering == "whole")
        has_limit = t.overdraft_limit is not None
        limit.append(to_minor(t.overdraft_limit.amount, cur) if t.overdraft_limit else INF)
        top = t.debit[-1].rate if t.debit else None
        rate = t.penalty_rate if t.penalty_rate is not None else top
        penalty.append(rate_units(rate) if rate is not None and has_limit else 0)
        flat_debit = len(t.debit) <= 1 and (t.tiering == "marginal" or len(t.debit) == 0)
        if has_limit or not flat_debit:
            split.append(i)
    return TermsTable(
        basis=np.array([t.basis for t in terms], dtype=np.int64),
        credit=_slots(credit, whole),
        debit=_slots(debit, whole),
        limit=np.array(limit, dtype=np.int64),
        penalty=np.array(penalty, dtype=np.int64),
        needs_debit_split=np.array(split, dtype=np.int64),
    )


def _band_sums(values: Int64Array, slot: Slot, starts: Int64Array) -> Int64Array:
    """Per row and period, the sum of the part of `values` the slot's tier applies to."""
    low, high = slot.low[:, None], slot.high[:, None]
    if slot.whole:
        band = np.where((values >= low) & (values < high), values, 0)
    else:
        band = np.clip(values - low, 0, high - low)
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


def post(balances: Int64Array, table: TermsTable, starts: Int64Array) -> Postings:
    """Interest posted per row and period on a (rows × days) matrix of closing balances."""
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
