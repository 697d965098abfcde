"""Interest on daily balances, posted per period, exactly (docs/simulation.md, "Interest").

The daily accrual `rate × balance / basis` summed over a period equals
`rate × (Σ balance) / basis`, so the engine only needs, per account, tier and period, the sum
of the (clipped) daily balances (the "interest numbers", 计息积数, a Chinese bank's own method)
and one exact multiplication and rounding per posting.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.kernels import PEAK, UNLIMITED, by_rows, post_rows, run
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
    #: With rate changes inside the history: (first day, table of the terms in force) of each
    #: epoch between the change dates, the first from day 0 (docs/simulation.md, "Rate
    #: changes"); () when no series' terms change, and the fields above are the first terms.
    epochs: tuple[tuple[int, TermsTable], ...] = ()
    #: With epochs: whether each series' terms change inside the history (the others are
    #: posted in one pass with the terms above).
    changing: BoolArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.bool_))

    def take(self, series: Sequence[int] | Int64Array) -> TermsTable:
        """The table of a subset of the series, in the given order."""
        chosen = np.asarray(series, dtype=np.int64)
        if not self.epochs:
            return attrs.evolve(self, kind=self.kind[chosen])
        epochs = tuple((first, table.take(chosen)) for first, table in self.epochs)
        return attrs.evolve(
            self, kind=self.kind[chosen], epochs=epochs, changing=self.changing[chosen]
        )


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
    table holds one table per epoch between the change dates inside those days). Rows are
    grouped by Terms object (the case loader shares equal terms) and currency with integer
    codes, so each distinct pair is read once and no per-row Python objects are made."""
    distinct = {id(t): t for t in terms}
    dates = sorted({c.start for t in distinct.values() for c in t.changes})
    if not dates:
        return _table(terms, currency, currencies)
    if start is None:
        raise ValueError("terms with dated changes need the history's start and days")
    inside = [d for d in dates if start < d < start + timedelta(days=days)]
    epochs = []
    keys = list(map(id, terms))
    for day in [start, *inside]:
        in_force = {key: t.in_force(day) for key, t in distinct.items()}
        rows = list(map(in_force.__getitem__, keys))
        epochs.append(((day - start).days, _table(rows, currency, currencies)))
    end = start + timedelta(days=days)
    moving = {key for key, t in distinct.items() if any(start < c.start < end for c in t.changes)}
    changing = np.fromiter(map(moving.__contains__, keys), np.bool_, len(keys))
    return attrs.evolve(epochs[0][1], epochs=tuple(epochs), changing=changing)


def epochs_of(terms: Terms, start: date, days: int) -> tuple[tuple[int, Terms], ...]:
    """(first day index, terms in force) of each run of days between the changes of `terms`
    inside the `days` days from `start`, the first from day 0: for a daily rate array, e.g.
    intercompany terms' rate by day (docs/simulation.md, "Rate changes")."""
    inside = [c.start for c in terms.changes if start < c.start < start + timedelta(days=days)]
    return tuple(((day - start).days, terms.in_force(day)) for day in [start, *inside])


def _table(terms: Sequence[Terms], currency: Int64Array, currencies: Sequence[str]) -> TermsTable:
    n = len(terms)
    _, by_object = np.unique(np.fromiter(map(id, terms), np.int64, n), return_inverse=True)
    pair = by_object * len(currencies) + currency
    _, first, index = np.unique(pair, return_index=True, return_inverse=True)
    distinct: dict[_Row, int] = {}
    kind = np.array(
        [
            distinct.setdefault(_row(terms[i], currencies[currency[i]]), len(distinct))
            for i in first.tolist()
        ],
        dtype=np.int64,
    )
    rows = list(distinct)
    return TermsTable(
        kind[index] if n else np.zeros(0, dtype=np.int64),
        np.array([r.basis for r in rows], dtype=np.int64),
        np.array([r.whole for r in rows], dtype=np.bool_),
        *_padded([r.credit for r in rows]),
        *_padded([r.debit for r in rows]),
        np.array([r.limit for r in rows], dtype=np.int64),
        np.array([r.penalty for r in rows], dtype=np.int64),
    )


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


def post(balances: Int64Array, table: TermsTable, starts: Int64Array) -> Postings:
    """Interest posted per row and period on a (rows × days) matrix of closing balances, in
    one compiled pass (kernels.post_rows) split across the cores; with rate changes, one
    pass per epoch of the terms, each period's parts added and rounded once."""
    if not table.epochs or not table.changing.any():
        return _post(balances, table, starts, split=False)[0]
    if table.changing.all():
        return _post_epochs(balances, table, starts)
    # Every row in one pass with the first epoch's terms (cheaper than taking the rows
    # apart), then the rows whose terms change posted epoch by epoch over it.
    out = _post(balances, table, starts, split=False)[0]
    dated = np.flatnonzero(table.changing)
    posted = _post_epochs(balances[dated], table.take(dated), starts)
    out.credit[dated], out.debit[dated], out.penalty[dated] = (
        posted.credit,
        posted.debit,
        posted.penalty,
    )
    return out


def _post_epochs(balances: Int64Array, table: TermsTable, starts: Int64Array) -> Postings:
    """docs/simulation.md, "Rate changes": each epoch's columns posted with the terms in
    force, unrounded (floor quotient and remainder per posting period and side), the epochs
    at once across the cores; the parts of each posting period added, then rounded half
    away from zero once."""
    n, days = balances.shape
    balances = np.ascontiguousarray(balances, dtype=np.int64)
    quotient = np.zeros((3, n, starts.size), dtype=np.int64)
    remainder = np.zeros((3, n, starts.size), dtype=np.int64)
    bounds = [first for first, _ in table.epochs] + [days]
    jobs = []
    for (first, epoch), stop in zip(table.epochs, bounds[1:], strict=True):
        if first >= stop:
            continue
        inside = starts[(starts > first) & (starts < stop)]
        local = np.concatenate(([first], inside)).astype(np.int64)
        period = np.searchsorted(starts, local, side="right") - 1
        # A view of the days up to the epoch's end (rows stay contiguous, nothing is
        # copied); the periods start from the epoch's first day.
        jobs.append((period, _arguments(balances[:, :stop], epoch, local, True)))
    if jobs:
        run([(post_rows, (*args, 0, n)) for _, args in jobs])
    for period, args in jobs:
        *_, credit, debit, penalty, too_large, rest = args
        if too_large.any():
            raise BeyondRange(int(np.argmax(too_large)))
        span = slice(int(period[0]), int(period[-1]) + 1)  # the epoch's periods, in order
        for side, posted in enumerate((credit, debit, penalty)):
            quotient[side, :, span] += posted
            remainder[side, :, span] += rest[side]
    divisor = (table.basis[table.kind] * RATE_SCALE)[None, :, None]
    quotient += remainder // divisor
    remainder %= divisor
    up = np.where(quotient >= 0, 2 * remainder >= divisor, 2 * remainder > divisor)
    credit, debit, penalty = quotient + up
    return Postings(credit, debit, penalty)


def _arguments(
    balances: Int64Array, table: TermsTable, starts: Int64Array, split: bool
) -> tuple[Any, ...]:
    """The arguments of kernels.post_rows but the row range, with zeroed outputs."""
    n = balances.shape[0]
    return (
        balances if split else np.ascontiguousarray(balances, dtype=np.int64),
        np.ascontiguousarray(starts, dtype=np.int64),
        table.kind,
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
        *(np.zeros((n, starts.size), dtype=np.int64) for _ in range(3)),
        np.zeros(n, dtype=np.bool_),
        np.zeros((3, n, starts.size) if split else (0, 0, 0), dtype=np.int64),
    )


def _post(
    balances: Int64Array, table: TermsTable, starts: Int64Array, *, split: bool
) -> tuple[Postings, Int64Array]:
    n, days = balances.shape
    args = _arguments(balances, table, starts, split)
    by_rows(post_rows, n if days else 0, *args)
    *_, credit, debit, penalty, too_large, remainders = args
    if too_large.any():
        raise BeyondRange(int(np.argmax(too_large)))
    return Postings(credit, debit, penalty), remainders
