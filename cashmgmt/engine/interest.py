"""Interest on daily balances, posted per period, exactly (docs/simulation.md, "Interest").

The daily accrual `rate × balance / basis` summed over a period equals
`rate × (Σ balance) / basis`, so the engine only needs, per account, tier and period, the sum
of the (clipped) daily balances (the "interest numbers", 计息积数, a Chinese bank's own method)
and one exact multiplication and rounding per posting.
"""

from __future__ import annotations

import functools
import operator
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.kernels import (
    PEAK,
    UNLIMITED,
    Totals,
    post_rows,
    run,
    span_totals,
    spans,
    summed,
)
from cashmgmt.model import Terms
from cashmgmt.money import RATE_DECIMALS, to_minor

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
RATE_SCALE = 10**RATE_DECIMALS  # rates are exact multiples of 1e-8 (money.RATE, on load)
INF = UNLIMITED


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
    day = np.datetime64(start, "D") + np.arange(days)
    first_of_month = day == day.astype("datetime64[M]").astype("datetime64[D]")
    first = np.flatnonzero(first_of_month | (np.arange(days) == 0)).astype(np.int64)
    last = np.append(first[1:] - 1, days - 1).astype(np.int64)
    return first, last


@attrs.frozen
class TermsTable:
    """Interest terms of many balance series: series i has the terms of row kind[i] of
    padded arrays with one row per distinct (terms, currency).

    Tier k of row r covers [low[r, k], high[r, k]) at rate[r, k] (units of 1e-8); rows with
    fewer tiers are padded with empty tiers at rate 0. Tiers are sorted by low."""

    kind: Int64Array  # each series' row
    basis: Int64Array
    whole: BoolArray
    credit_low: Int64Array
    credit_high: Int64Array
    credit_rate: Int64Array
    credit_count: Int64Array
    debit_low: Int64Array
    debit_high: Int64Array
    debit_rate: Int64Array
    debit_count: Int64Array
    limit: Int64Array  # debit size allowed before the penalty rate (INF: no limit)
    penalty: Int64Array  # penalty rate units per row (0 without a limit)
    #: With rate changes inside the history: the first day of each epoch between the change
    #: dates (the first 0), and (epochs × series) each series' row in each epoch
    #: (docs/simulation.md, "Rate changes"); empty when no terms change, and `kind` is then
    #: each series' row throughout (with changes, `kind` is the first epoch's).
    epoch_starts: Int64Array = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    epoch_kind: Int64Array = attrs.field(factory=lambda: np.zeros((0, 0), dtype=np.int64))

    def take(self, series: Sequence[int] | Int64Array) -> TermsTable:
        """The table of a subset of the series, in the given order."""
        chosen = np.asarray(series, dtype=np.int64)
        if not self.epoch_starts.size:
            return attrs.evolve(self, kind=self.kind[chosen])
        return attrs.evolve(self, kind=self.kind[chosen], epoch_kind=self.epoch_kind[:, chosen])


Tiers = tuple[tuple[int, int, int], ...]


@attrs.frozen
class _Row:
    """One row's terms in integer form (memoised per distinct terms and currency)."""

    credit: Tiers
    debit: Tiers
    whole: bool
    limit: int
    penalty: int
    basis: int


@functools.cache
def _row(terms: Terms, currency: str) -> _Row:
    sides = []
    for side in (terms.credit, terms.debit):
        ordered = sorted(side, key=lambda tier: tier.start)
        starts = [to_minor(tier.start, currency) for tier in ordered]
        bounds = [*starts[1:], INF] if starts else []
        sides.append(
            tuple(
                (s, e, rate_units(t.rate)) for s, e, t in zip(starts, bounds, ordered, strict=True)
            )
        )
    has_limit = terms.overdraft_limit is not None
    limit = to_minor(terms.overdraft_limit.amount, currency) if terms.overdraft_limit else INF
    top = terms.debit[-1].rate if terms.debit else None
    rate = terms.penalty_rate if terms.penalty_rate is not None else top
    return _Row(
        credit=sides[0],
        debit=sides[1],
        whole=terms.tiering == "whole",
        limit=limit,
        penalty=rate_units(rate) if rate is not None and has_limit else 0,
        basis=terms.basis,
    )


def _padded(sides: Sequence[Tiers]) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array]:
    """(low, high, rate, count) arrays of one side of the distinct rows."""
    depth = max((len(t) for t in sides), default=0)
    table = np.zeros((len(sides), depth, 3), dtype=np.int64)
    for i, tiers in enumerate(sides):
        if tiers:
            table[i, : len(tiers)] = tiers
    count = np.array([len(t) for t in sides], dtype=np.int64)
    return table[:, :, 0], table[:, :, 1], table[:, :, 2], count


def terms_table(
    terms: Sequence[Terms],
    currency: Int64Array,
    currencies: Sequence[str],
    start: date | None = None,
    days: int = 0,
) -> TermsTable:
    """Arrays for a list of rows, row i with terms[i] in currencies[currency[i]], over the
    `days` days from `start` (needed only when some terms have dated changes: then the
    table holds the terms in force in each epoch between the change dates inside those
    days, all in one set of arrays). Rows are grouped by Terms object (the case loader
    shares equal terms) and currency with integer codes, so each distinct pair is read once
    per epoch and no per-row Python objects are made."""
    n = len(terms)
    _, first, by_object = np.unique(
        np.fromiter(map(id, terms), np.int64, n), return_index=True, return_inverse=True
    )
    dates = sorted({c.start for i in first.tolist() for c in terms[i].changes})
    if not dates:
        return _table(terms, by_object, currency, currencies, ())
    if start is None:
        raise ValueError("terms with dated changes need the history's start and days")
    inside = [d for d in dates if start < d < start + timedelta(days=days)]
    return _table(terms, by_object, currency, currencies, (start, *inside))


def epochs_of(terms: Terms, start: date, days: int) -> tuple[tuple[int, Terms], ...]:
    """(first day index, terms in force) of each run of days between the changes of `terms`
    inside the `days` days from `start`, the first from day 0: for a daily rate array, e.g.
    intercompany terms' rate by day (docs/simulation.md, "Rate changes")."""
    inside = [c.start for c in terms.changes if start < c.start < start + timedelta(days=days)]
    return tuple(((day - start).days, terms.in_force(day)) for day in [start, *inside])


def _table(
    terms: Sequence[Terms],
    by_object: Int64Array,
    currency: Int64Array,
    currencies: Sequence[str],
    epochs: Sequence[date],
) -> TermsTable:
    """The table of `terms` (`by_object`: each one's number among the distinct Terms
    objects) as they are (`epochs` empty), or of the terms in force from each of the
    `epochs` days (the first the history's start)."""
    n = len(terms)
    pair = by_object.reshape(-1) * len(currencies) + currency
    _, first, index = np.unique(pair, return_index=True, return_inverse=True)
    distinct: dict[_Row, int] = {}
    views: list[Callable[[Terms], Terms]] = [
        operator.methodcaller("in_force", day) for day in epochs
    ] or [lambda t: t]
    kinds = np.array(
        [
            [
                distinct.setdefault(_row(view(terms[i]), currencies[currency[i]]), len(distinct))
                for i in first.tolist()
            ]
            for view in views
        ],
        dtype=np.int64,
    ).reshape(len(views), first.size)
    kind = kinds[:, index.reshape(-1)] if n else np.zeros((kinds.shape[0], 0), dtype=np.int64)
    rows = list(distinct)
    table = TermsTable(
        kind[0],
        np.array([r.basis for r in rows], dtype=np.int64),
        np.array([r.whole for r in rows], dtype=np.bool_),
        *_padded([r.credit for r in rows]),
        *_padded([r.debit for r in rows]),
        np.array([r.limit for r in rows], dtype=np.int64),
        np.array([r.penalty for r in rows], dtype=np.int64),
    )
    if not epochs:
        return table
    starts = np.array([(day - epochs[0]).days for day in epochs], dtype=np.int64)
    return attrs.evolve(table, epoch_starts=starts, epoch_kind=kind)


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


class BeyondRange(ValueError):
    """A balance too large for the engine's int64 sums (docs/simulation.md, "Range"):
    `row` of the matrix posted."""

    def __init__(self, row: int) -> None:
        super().__init__(f"row {row}: a balance of {PEAK:,} minor units or more")
        self.row = row


_THREAD = threading.local()


def _reused(n: int, periods: int) -> list[Int64Array]:
    """Three zeroed (n × periods) matrices in memory this thread reuses: fresh memory of
    this size costs a page fault per 4 KiB (about 1,400 for the benchmark's 10,000 rows)."""
    size = 3 * n * periods
    buffer: Int64Array | None = getattr(_THREAD, "postings", None)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=np.int64)
        _THREAD.postings = buffer
    used = buffer[:size]
    used[:] = 0
    return [used[k * n * periods : (k + 1) * n * periods].reshape(n, periods) for k in range(3)]


def post(
    balances: Int64Array, table: TermsTable, starts: Int64Array, *, reuse: bool = False
) -> Postings:
    """Interest posted per row and period on a (rows × days) matrix of closing balances, in
    one compiled pass (kernels.post_rows) split across the cores; with rate changes, the
    rows whose terms change are posted piece by piece (the posting periods cut at the
    epochs' first days), each piece with the terms in force, each posting rounded once.

    `reuse`: the postings are written into memory this thread reuses, which its next
    `post(..., reuse=True)` overwrites: for a caller that reduces them at once
    (totals.to_base) and keeps none of them."""
    none = np.zeros(0, dtype=np.int64)
    postings, _, _ = _post(balances, table, starts, reuse, none, 0, none)
    return postings


def post_with_totals(
    balances: Int64Array,
    table: TermsTable,
    starts: Int64Array,
    group: Int64Array,
    groups: int,
    floors: Int64Array | None = None,
    *,
    reuse: bool = False,
) -> tuple[Postings, Totals, BoolArray]:
    """`post`, and in the same pass the daily totals of `kernels.aggregate(balances, every
    row, group, groups)`: (total, credit, negative count) per group and day, row r in group
    group[r]; and the (days,) days on which some row closes below its floor (`floors`, one
    per row, kernels.NO_FLOOR for none, as kernels.breach_days; all False without floors).
    The matrix is read from memory once instead of two or three times."""
    days = balances.shape[1]
    lows = np.zeros(0, dtype=np.int64) if floors is None else floors
    postings, totals, below = _post(
        balances,
        table,
        starts,
        reuse,
        np.ascontiguousarray(group, dtype=np.int64),
        groups,
        np.ascontiguousarray(lows, dtype=np.int64),
    )
    assert totals is not None
    return postings, totals, below if below is not None else np.zeros(days, dtype=np.bool_)


def _post(
    balances: Int64Array,
    table: TermsTable,
    starts: Int64Array,
    reuse: bool,
    group: Int64Array,
    groups: int,
    floors: Int64Array,
) -> tuple[Postings, Totals | None, BoolArray | None]:
    """`post`, with the daily totals per group when `group` is not empty and the days below
    the floors when `floors` is not empty."""
    n, days = balances.shape
    periods = starts.size
    if table.epoch_starts.size > 1:
        kind = table.epoch_kind
        pieces = np.union1d(starts, table.epoch_starts)
        piece_period = np.searchsorted(starts, pieces, side="right") - 1
        epoch_piece = np.append(np.searchsorted(pieces, table.epoch_starts), pieces.size)
    else:
        kind = table.kind[None, :]
        pieces, piece_period, epoch_piece = starts, starts, np.array([0, periods])
    args = (
        np.ascontiguousarray(balances, dtype=np.int64),
        np.ascontiguousarray(starts, dtype=np.int64),
        pieces.astype(np.int64),
        piece_period.astype(np.int64),
        epoch_piece.astype(np.int64),
        np.ascontiguousarray(kind, dtype=np.int64),
        table.credit_low,
        table.credit_high,
        table.credit_rate,
        table.credit_count,
        table.debit_low,
        table.debit_high,
        table.debit_rate,
        table.debit_count,
        table.whole,
        table.limit,
        table.penalty,
        table.basis * RATE_SCALE,
        *(
            _reused(n, periods)
            if reuse
            else (np.zeros((n, periods), dtype=np.int64) for _ in range(3))
        ),
        np.zeros(n, dtype=np.bool_),
    )
    parts = spans(n if days else 0)
    wanted = group.size > 0
    marked = floors.size > 0
    # Each span adds its rows' totals and marks its days into arrays of its own (empty
    # without totals or floors).
    out = span_totals(len(parts), groups, days if wanted else 0)
    below = [np.zeros(days if marked else 0, dtype=np.bool_) for _ in parts]
    run(
        [
            (post_rows, (*args, group, *o, floors, when, a, b))
            for o, when, (a, b) in zip(out, below, parts, strict=True)
        ]
    )
    *_, credit, debit, penalty, too_large = args
    if too_large.any():
        raise BeyondRange(int(np.argmax(too_large)))
    for more in below[1:]:
        below[0] |= more
    return (
        Postings(credit, debit, penalty),
        summed(out) if wanted else None,
        below[0] if marked else None,
    )
