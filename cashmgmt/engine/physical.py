"""Physical sweeps replayed on the history (docs/simulation.md, "Physical structures").

Rules run level by level, leaves first, so a sub-header's inflows are complete before its own
rule runs; within a level every rule is independent of the others and runs day by day in a
compiled kernel. `sweep` then posts the swept balances' interest: a physical structure's side
of the comparison.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Sequence
from datetime import date
from itertools import chain
from typing import get_args

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine import kernels
from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.calendar import sweep_days
from cashmgmt.engine.capacity import beyond, floors_of
from cashmgmt.engine.change import Change
from cashmgmt.engine.fees import fees_of
from cashmgmt.engine.intercompany import intercompany_positions
from cashmgmt.engine.interest import post_with_totals
from cashmgmt.engine.kernels import (
    UNLIMITED,
    ration_trees,
    run,
    spans,
    sweep_level,
    sweep_rationed,
)
from cashmgmt.engine.limits import in_range
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.totals import aggregates, aggregates_of, combine, to_base
from cashmgmt.model import Case, Direction, PhysicalStructure, RuleKind, SweepRule
from cashmgmt.money import Money, to_minor

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen
class SweepOutcome:
    """The structure's accounts (rows of `closing`), and the money moved between entities."""

    ids: tuple[str, ...]  # every account of the history
    rows: Int64Array  # the structure's accounts' rows in the history
    closing: Int64Array  # (accounts × days) closing balances after the evening's sweeps
    calendars: BoolArray  # (calendars × days) sweep days
    calendar: Int64Array  # each rule's calendar
    sweeps: int  # non-zero transfers
    pairs: tuple[tuple[str, str, str], ...]  # (first entity, second entity, currency)
    flows: Int64Array  # (pairs × days) swept from the first entity to the second, net
    tops: Int64Array  # rows of the accounts that sweep nowhere (top headers)
    #: Per structure account (rows of `closing`): days with a shortfall, and the largest one
    #: (minor units of its currency): funding its rule asked for and its header could not give.
    shortfall_days: Int64Array = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    peak_shortfall: Int64Array = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    #: (days,) the days on which some account has a shortfall.
    short_on: BoolArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.bool_))
    #: History rows of each rule's participant, then of each rule's header (rule order).
    ends: Int64Array | None = None

    @property
    def accounts(self) -> tuple[str, ...]:
        """The structure's accounts, in history order (rows of `closing`)."""
        return tuple(map(self.ids.__getitem__, self.rows.tolist()))

    @property
    def masks(self) -> BoolArray:
        """(rules × days) the days each rule sweeps."""
        masks: BoolArray = self.calendars[self.calendar]
        return masks


def heights(participant: Int64Array, header: Int64Array, accounts: int) -> Int64Array:
    """Height of each account in the sweep forest (leaves 0, a header 1 + its tallest
    participant), by relaxing every edge until nothing changes (depth + 1 rounds)."""
    height = np.zeros(accounts, dtype=np.int64)
    if not header.size:
        return height
    # edges sorted by header once, then each round a max per run (np.maximum.at is slow)
    order = np.argsort(header, kind="stable")
    ranked = header[order]
    runs = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    heads, below = ranked[runs], participant[order]
    for _ in range(accounts + 1):
        raised = height.copy()
        raised[heads] = np.maximum(raised[heads], np.maximum.reduceat(height[below] + 1, runs))
        if np.array_equal(raised, height):
            break
        height = raised
    return height


def _distinct(codes: Int64Array, size: int) -> tuple[Int64Array, Int64Array]:
    """np.unique(codes, return_inverse=True) for codes in [0, size), without sorting."""
    if size > 16 * codes.size + 1024:
        values, inverse = np.unique(codes, return_inverse=True)
        return values, inverse.reshape(-1)
    present = np.zeros(size, dtype=np.bool_)
    present[codes] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[codes]


_PARTICIPANT = operator.attrgetter("participant")
_HEADER = operator.attrgetter("header")


def _band(rule: SweepRule) -> tuple[int, int, int]:
    """(target, low, high): the rule sweeps b - target when b > high or b < low."""

    def m(value: Money | None) -> int:
        assert value is not None
        return to_minor(value.amount, value.currency)

    if rule.kind == "zero-balance":
        target, low, high = 0, 0, 0
    elif rule.kind == "target":
        target = m(rule.target)
        low = high = target
    elif rule.kind == "threshold":
        target, minimum = m(rule.target), m(rule.minimum)
        low, high = target - minimum + 1, target + minimum - 1
    else:
        target, low, high = m(rule.target), m(rule.low), m(rule.high)
    if rule.direction == "up":
        low = -UNLIMITED
    elif rule.direction == "down":
        high = UNLIMITED
    return target, low, high


_KIND = {k: i for i, k in enumerate(get_args(RuleKind))}
_DIRECTION = {k: i for i, k in enumerate(get_args(Direction))}
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _shapes(rules: Sequence[SweepRule]) -> tuple[Int64Array, Int64Array]:
    """Group rules by shape (kind, direction and the amount objects, which the loader shares
    between equal amounts): one example rule per shape, and each rule's shape. Done on
    integer columns, hashed together, with an exact grouping if the hash ever collides."""
    n = len(rules)
    columns = [
        np.fromiter(map(_KIND.__getitem__, map(operator.attrgetter("kind"), rules)), np.uint64, n),
        np.fromiter(
            map(_DIRECTION.__getitem__, map(operator.attrgetter("direction"), rules)), np.uint64, n
        ),
        *(
            np.fromiter(map(id, map(operator.attrgetter(field), rules)), np.uint64, n)
            for field in ("target", "minimum", "low", "high")
        ),
    ]
    key = np.zeros(n, dtype=np.uint64)
    for column in columns:
        key = (key * _MIX) ^ column
    _, example, shape = np.unique(key, return_index=True, return_inverse=True)
    if not all(np.array_equal(column[example][shape], column) for column in columns):
        _, example, shape = np.unique(
            np.stack(columns, axis=1), axis=0, return_index=True, return_inverse=True
        )
    return example.astype(np.int64), shape.reshape(-1).astype(np.int64)


def run_sweeps(
    structure: PhysicalStructure,
    history: Int64Array,
    index: AccountIndex,
    start: date,
    mask_for: Callable[[str, tuple[str, ...], date, int], BoolArray] = sweep_days,
    scratch: Callable[[tuple[int, int]], Int64Array] | None = None,
    day_by_day: bool = False,
) -> SweepOutcome:
    """Replay `history` (all accounts × days) through the structure's sweeps.

    Rules run level by level, leaves first (kernels.sweep_level, each rule day by day on its
    own account, the rules of a level across the cores). The first span adds its transfers
    to the headers' inflows and the entity pairs' flows, the others to zeroed copies summed
    after the level: a level reads only its own participants' inflows, and its headers are
    all higher, so no span reads what another writes. An account that sweeps nowhere (a top
    header) keeps its history plus the running sum of what it received. `scratch(shape)`, if
    given, supplies the closing-balance matrix (simulate reuses one per thread: fresh memory
    costs a page fault per 4 KiB).

    Funding within the headers' floors: if some header closes below its floor, the trees
    where it does are corrected from the first such day on (`_ration`); `day_by_day`
    replays the whole structure day by day with the rationing instead
    (kernels.sweep_rationed), which gives the same result.
    """
    rules = structure.rules
    days = history.shape[1]
    n = len(rules)
    ends = np.fromiter(
        map(index.row_of.__getitem__, chain(map(_PARTICIPANT, rules), map(_HEADER, rules))),
        np.int64,
        2 * n,
    )
    # The structure's accounts in history order: `rows` are their history rows; rules refer
    # to them by position.
    rows, inverse = _distinct(ends, len(index.ids))
    participant, header = inverse[:n], inverse[n:]
    # Calendars: one per pair of countries (participant's, header's).
    country = index.country[rows]
    pair_key = np.minimum(country[participant], country[header]) * len(index.countries)
    pair_key += np.maximum(country[participant], country[header])
    keys, calendar = _distinct(pair_key, len(index.countries) ** 2)
    calendars = np.zeros((max(keys.size, 1), days), dtype=np.bool_)
    for k, key in enumerate(keys.tolist()):
        a, b = divmod(key, len(index.countries))
        countries = tuple(sorted({index.countries[a], index.countries[b]}))
        calendars[k] = mask_for(structure.sweep_days, countries, start, days)
    # Bands: one conversion per distinct rule shape.
    example, shape = _shapes(rules)
    table = np.array([_band(rules[i]) for i in example.tolist()], dtype=np.int64)
    bands = table.reshape(-1, 3)[shape]
    currency = index.currency[rows]
    # Entity pairs: (first, second, currency), sign +1 when the first entity lends.
    entity = index.entity[rows]
    lender, borrower = entity[participant], entity[header]
    first, second = np.minimum(lender, borrower), np.maximum(lender, borrower)
    n_entities = len(index.entities)
    pair_code = (first * n_entities + second) * len(index.currencies) + currency[participant]
    between = lender != borrower
    pair_codes, pair_of = _distinct(pair_code[between], n_entities**2 * len(index.currencies))
    flow_row = np.full(len(rules), -1, dtype=np.int64)
    flow_row[between] = pair_of
    flow_sign = np.where(lender == first, 1, -1).astype(np.int64)
    pairs = tuple(
        (
            index.entities[c // len(index.currencies) // n_entities],
            index.entities[c // len(index.currencies) % n_entities],
            index.currencies[c % len(index.currencies)],
        )
        for c in pair_codes.tolist()
    )
    flows = np.zeros((len(pairs), days), dtype=np.int64)
    # Level by level.
    slots, _ = _distinct(header, rows.size)
    slot_of = np.full(rows.size, -1, dtype=np.int64)
    slot_of[slots] = np.arange(slots.size)
    inflow = np.zeros((slots.size, days), dtype=np.int64)
    dims = (rows.size, days)
    closing = scratch(dims) if scratch else np.empty(dims, dtype=np.int64)
    source = np.ascontiguousarray(history, dtype=np.int64)
    rank = heights(participant, header, rows.size)
    height = rank[participant]
    sweeps = 0
    for level in np.unique(height):
        idx = np.flatnonzero(height == level)
        counts = np.zeros(idx.size, dtype=np.int64)
        parts = spans(idx.size)
        sent = [inflow, *(np.zeros_like(inflow) for _ in parts[1:])]
        moved = [flows, *_spare(len(parts) - 1, flows.shape)]
        args = (
            source,
            rows[participant[idx]],
            inflow,
            slot_of[participant[idx]],
            calendars,
            calendar[idx],
            np.ascontiguousarray(bands[idx, 0]),
            np.ascontiguousarray(bands[idx, 1]),
            np.ascontiguousarray(bands[idx, 2]),
            closing,
            participant[idx],
        )
        sent_row, flow_rows, signs = slot_of[header[idx]], flow_row[idx], flow_sign[idx]
        run(
            [
                (sweep_level, (*args, to, sent_row, by, flow_rows, signs, counts, a, b))
                for (a, b), to, by in zip(parts, sent, moved, strict=True)
            ]
        )
        for more_sent, more_moved in zip(sent[1:], moved[1:], strict=True):
            inflow += more_sent
            flows += more_moved
        sweeps += int(counts.sum())
    sweeping = np.zeros(rows.size, dtype=np.bool_)
    sweeping[participant] = True
    tops = np.flatnonzero(~sweeping)
    for top in tops:
        closing[top] = source[rows[top]] + np.cumsum(inflow[slot_of[top]])
    short_days = np.zeros(rows.size, dtype=np.int64)
    short_peak = np.zeros(rows.size, dtype=np.int64)
    short_on = np.zeros(days, dtype=np.bool_)
    floor = floors(structure, index, rows, slots)
    if day_by_day:
        # The whole structure day by day, rationing as it goes (the reference for tests).
        flows[:] = 0
        # Kernel positions: rule k's participant is position k (rules leaf to root), the
        # top headers come after.
        order = np.argsort(height, kind="stable")
        position = np.concatenate([participant[order], tops])
        kp = np.empty(rows.size, dtype=np.int64)
        kp[position] = np.arange(rows.size)
        # Headers in decreasing height; each header's rules last rule first.
        by_header = np.lexsort((-np.arange(n), slot_of[header], -rank[header]))
        group_start = np.flatnonzero(np.r_[True, np.diff(header[by_header]) != 0])
        counts = np.zeros(n, dtype=np.int64)
        days_short = np.zeros(rows.size, dtype=np.int64)
        peak_short = np.zeros(rows.size, dtype=np.int64)
        sweep_rationed(
            source,
            rows[position],
            position,
            kp[header[order]],
            calendars,
            calendar[order],
            np.ascontiguousarray(bands[order, 0]),
            np.ascontiguousarray(bands[order, 1]),
            np.ascontiguousarray(bands[order, 2]),
            floor[position],
            kp[header[by_header[group_start]]],
            np.r_[group_start, n].astype(np.int64),
            kp[participant[by_header]],
            closing,
            flows,
            flow_row[order],
            flow_sign[order],
            counts,
            days_short,
            peak_short,
            short_on,
        )
        short_days[position] = days_short
        short_peak[position] = peak_short
        sweeps = int(counts.sum())
    else:
        below = closing[slots] < floor[slots, None]
        if below.any():
            sweeps += _ration(
                Forest(participant, header, height, rank, tops, slots),
                Rules(calendar, bands, flow_row, flow_sign),
                below,
                Replayed(source, rows, floor, calendars, closing, flows, inflow),
                short_days,
                short_peak,
                short_on,
            )
    return SweepOutcome(
        index.ids,
        rows,
        closing,
        calendars,
        calendar,
        sweeps,
        pairs,
        flows,
        tops,
        short_days,
        short_peak,
        short_on,
        ends,
    )


@attrs.frozen
class Forest:
    """The sweep forest by structure positions: each rule's participant and header, each
    rule's height, each position's height, the top headers and the header positions."""

    participant: Int64Array
    header: Int64Array
    height: Int64Array
    rank: Int64Array
    tops: Int64Array
    slots: Int64Array


@attrs.frozen
class Rules:
    """Per rule: its calendar, band (target, low, high), entity-pair row and sign."""

    calendar: Int64Array
    bands: Int64Array
    flow_row: Int64Array
    flow_sign: Int64Array


@attrs.frozen
class Replayed:
    """The history, the structure's rows and floors, and the level kernel's output (with
    what each header slot received each day)."""

    source: Int64Array
    rows: Int64Array
    floor: Int64Array
    calendars: BoolArray
    closing: Int64Array
    flows: Int64Array
    inflow: Int64Array


def _ration(
    forest: Forest,
    rules: Rules,
    below: BoolArray,
    done: Replayed,
    short_days: Int64Array,
    short_peak: Int64Array,
    short_on: BoolArray,
) -> int:
    """Correct the level kernel's closing balances and flows, in place, for the rationing
    (kernels.ration_trees), in the trees (top headers' subtrees) where some header closes
    below its floor (`below`: header slots × days), from the first such day; the change in
    the number of non-zero transfers is returned. Trees are split between two threads by
    size when there are several."""
    participant, header, tops = forest.participant, forest.header, forest.tops
    size = done.rows.size
    parent = np.full(size, -1, dtype=np.int64)
    parent[participant] = header
    root = np.arange(size)
    while True:
        up = parent[root]
        more = up >= 0
        if not more.any():
            break
        root[more] = up[more]
    tree_of = np.full(size, -1, dtype=np.int64)
    tree_of[tops] = np.arange(tops.size)
    tree = tree_of[root]
    binding = np.zeros(tops.size, dtype=np.bool_)
    binding[tree[forest.slots[below.any(axis=1)]]] = True
    # Kernel positions: tree by tree (ascending top), its rules leaf to root, then its top.
    chosen = np.flatnonzero(binding[tree[participant]])
    ends = tops[binding[tree[tops]]]
    item = np.r_[participant[chosen], ends]
    rule_of = np.r_[chosen, np.full(ends.size, -1)]
    o = np.lexsort(
        (
            np.r_[chosen, np.zeros(ends.size, dtype=np.int64)],
            np.r_[forest.height[chosen], np.full(ends.size, size + 1)],
            tree[item],
        )
    )
    position, rule_of = item[o], rule_of[o]
    m = position.size
    kp = np.full(size, -1, dtype=np.int64)
    kp[position] = np.arange(m)
    is_rule = rule_of >= 0
    r = rule_of[is_rule]
    table = np.zeros((m, 12), dtype=np.int64)
    table[:, kernels.AT_HISTORY] = done.rows[position]
    table[:, kernels.AT_CLOSING] = position
    table[:, kernels.AT_HEADER] = -1
    table[is_rule, kernels.AT_HEADER] = kp[header[r]]
    table[is_rule, kernels.AT_CALENDAR] = rules.calendar[r]
    table[is_rule, kernels.AT_TARGET : kernels.AT_HIGH + 1] = rules.bands[r]
    table[:, kernels.AT_FLOW_ROW] = -1
    table[is_rule, kernels.AT_FLOW_ROW] = rules.flow_row[r]
    table[is_rule, kernels.AT_FLOW_SIGN] = rules.flow_sign[r]
    table[:, kernels.AT_FLOOR] = done.floor[position]
    slot_of = np.full(size, -1, dtype=np.int64)
    slot_of[forest.slots] = np.arange(forest.slots.size)
    table[:, kernels.AT_INFLOW] = slot_of[position]
    trees_in = tree[position]
    tree_start = np.flatnonzero(np.r_[True, np.diff(trees_in) != 0, True])
    # Header groups: tree by tree, headers in decreasing height, rules last rule first.
    on = header[chosen]
    by_header = chosen[np.lexsort((-chosen, on, -forest.rank[on], tree[on]))]
    group_start = np.flatnonzero(np.r_[True, np.diff(header[by_header]) != 0])
    group_tree = tree[header[by_header[group_start]]]
    numbered = np.flatnonzero(binding)
    tree_group = np.searchsorted(group_tree, np.r_[numbered, tops.size])
    group_of = kp[header[by_header[group_start]]]
    table[:, kernels.AT_GROUP] = -1
    table[group_of, kernels.AT_GROUP] = np.arange(group_of.size)
    # The days each header closes below its floor in the level kernel's result, tree by
    # tree, sorted by day.
    slot, day = np.nonzero(below)
    event_tree = np.searchsorted(numbered, tree[forest.slots[slot]])
    e = np.lexsort((day, event_tree))
    event_start = np.searchsorted(event_tree[e], np.arange(numbered.size + 1))
    changed = np.zeros(numbered.size, dtype=np.int64)
    days_short = np.zeros(m, dtype=np.int64)
    peak_short = np.zeros(m, dtype=np.int64)
    args = (
        done.source,
        done.closing,
        done.inflow,
        done.calendars,
        table,
        tree_start.astype(np.int64),
        tree_group.astype(np.int64),
        group_of,
        np.r_[group_start, chosen.size].astype(np.int64),
        kp[participant[by_header]],
        event_start.astype(np.int64),
        day[e].astype(np.int64),
        kp[forest.slots[slot[e]]],
    )
    widths = np.diff(tree_start)
    parts = [(0, numbered.size)]
    if numbered.size > 1:
        cut = int(np.searchsorted(np.cumsum(widths), widths.sum() / 2)) + 1
        cut = min(max(cut, 1), numbered.size - 1)
        parts = [(0, cut), (cut, numbered.size)]
    moved = [done.flows, *_spare(len(parts) - 1, done.flows.shape)]
    marks = [short_on, *(np.zeros_like(short_on) for _ in parts[1:])]
    run(
        [
            (ration_trees, (*args, by, changed, days_short, peak_short, when, a, b))
            for (a, b), by, when in zip(parts, moved, marks, strict=True)
        ]
    )
    flows = done.flows
    for part, when in zip(moved[1:], marks[1:], strict=True):
        flows += part
        short_on |= when
    short_days[position] = days_short
    short_peak[position] = peak_short
    return int(changed.sum())


def floors(
    structure: PhysicalStructure, index: AccountIndex, rows: Int64Array, headers: Int64Array
) -> Int64Array:
    """Each structure account's floor (minor units; 0 for participants): the structure's
    `header_limit`, else the header's own overdraft limit, else 0, as a debit."""
    floor = np.zeros(rows.size, dtype=np.int64)
    for h in headers.tolist():
        account = index.ids[rows[h]]
        limit = structure.header_limit.get(account, index.terms[rows[h]].overdraft_limit)
        if limit is not None:
            floor[h] = -to_minor(limit.amount, limit.currency)
    return floor


_THREAD = threading.local()


def _scratch(shape: tuple[int, int]) -> Int64Array:
    """A matrix for a structure's closing balances in memory this thread reuses: the result
    keeps none of it (copies of rows and of the last day only), and fresh memory would cost
    the sweep kernel a page fault per 4 KiB."""
    size = shape[0] * shape[1]
    buffer: Int64Array | None = getattr(_THREAD, "closing", None)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=np.int64)
        _THREAD.closing = buffer
    matrix: Int64Array = buffer[:size].reshape(shape)
    return matrix


def _spare(count: int, shape: tuple[int, ...]) -> list[Int64Array]:
    """`count` zeroed matrices of `shape` in memory this thread reuses: the private flows of
    a kernel's extra spans, added to the shared ones as soon as the kernel returns (fresh
    zeroed memory would cost a page fault per 4 KiB written)."""
    size = int(np.prod(shape))
    buffer: Int64Array | None = getattr(_THREAD, "spare", None)
    if buffer is None or buffer.size < count * size:
        buffer = np.empty(count * size, dtype=np.int64)
        _THREAD.spare = buffer
    used = buffer[: count * size]
    used[:] = 0
    return [used[k * size : (k + 1) * size].reshape(shape) for k in range(count)]


def sweep(case: Case, structure: PhysicalStructure, replay: Replay) -> tuple[Change, SweepOutcome]:
    """The history swept by the structure, its accounts' interest posted on the swept
    balances, the positions between entities and the fees; and the sweeps themselves, whose
    closing balances this thread reuses on its next sweep."""
    history = case.balances
    base = replay.baseline
    index = replay.index
    starts, posting_days = replay.periods
    outcome = run_sweeps(structure, history.minor, index, history.start, scratch=_scratch)
    rows = outcome.rows
    table = replay.table.take(rows)
    limits = replay.limits
    with in_range(case, lambda row: index.ids[rows[row]], structure.id):
        postings, found, below = post_with_totals(
            outcome.closing,
            table,
            starts,
            index.currency[rows],
            len(index.currencies),
            floors_of(limits[rows]),
            reuse=True,
        )
    swept = to_base(replay.fx, postings, index.currency[rows], index.currencies, posting_days)
    side = base.side.copy()
    side.credit[rows] = swept.credit
    side.debit[rows] = swept.debit
    side.penalty[rows] = swept.penalty
    closing = base.last.copy()
    closing[rows] = outcome.closing[:, -1]
    intercompany, by_entity = intercompany_positions(
        case, replay, outcome.pairs, outcome.flows, structure, outcome.ends
    )
    fees = fees_of(case, structure.fees, outcome.sweeps, rows.size, int(starts.size))
    tops = rows[outcome.tops]
    changed = aggregates_of(found, index.currencies)
    inside = np.zeros(len(history.accounts), dtype=np.bool_)
    inside[rows] = True
    outside = np.flatnonzero(~inside)
    if outside.size < len(rows):  # fewer rows to add than to take away
        totals = combine(aggregates(history.minor, outside, index, outside), changed)
    else:
        totals = combine(base.aggregates, changed, aggregates(history.minor, rows, index, rows))
    top_totals = aggregates(outcome.closing, outcome.tops, index, tops)
    shortfall = np.zeros((2, len(history.accounts)), dtype=np.int64)
    shortfall[0, rows] = outcome.shortfall_days
    shortfall[1, rows] = outcome.peak_shortfall
    breaches = beyond(history.minor, outside, limits[outside]) | below
    change = Change(
        side,
        closing,
        totals,
        tops,
        top_totals,
        fees,
        intercompany,
        by_entity,
        shortfall,
        int(breaches.sum()),
    )
    return change, outcome
