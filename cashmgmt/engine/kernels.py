"""The engine's inner loops, compiled with numba: one pass over a (rows × days) matrix each.

Each kernel is written as a plain typed Python function over numpy arrays (so mypy checks
it and tests can read it) and compiled with `numba.njit(nogil=True, cache=True)`. Kernels
write into arrays they are given and work on a row range, so `by_rows` can run the halves
of a matrix on two threads without locks. All arithmetic is int64; callers keep every
value within the bounds stated in docs/simulation.md (amounts below 10^14 minor units).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_compile = numba.njit(nogil=True, cache=True)
_THREADS = max(1, min(os.cpu_count() or 1, 8))
_POOL: list[ThreadPoolExecutor] = []
MIN_ROWS_PER_THREAD = 64
UNLIMITED = 1 << 62  # an overdraft limit of "none"
LIMB = 26  # width of the low limb in exact products
LOW = (1 << LIMB) - 1
SMALL = 1 << 36  # a high limb below this: the whole numerator fits in int64
PEAK = (1 << 57) // 31  # balances below this keep a month's tier sums under 2^57
NO_FLOOR = -(1 << 63)  # a row no balance can close below (no overdraft limit)


def use_threads(count: int) -> None:
    """Run kernels on at most `count` threads from now on (a portfolio worker uses one, so
    that one worker per core does not oversubscribe the cores)."""
    global _THREADS
    _THREADS = max(1, min(count, 8))
    if _POOL:
        _POOL.pop().shutdown(wait=False)


def spans(rows: int) -> list[tuple[int, int]]:
    """Rows 0..rows-1 cut into one contiguous (first, stop) span per core (one if small)."""
    parts = min(_THREADS, max(1, rows // MIN_ROWS_PER_THREAD))
    return list(itertools.pairwise(rows * k // parts for k in range(parts + 1)))


def run(calls: list[tuple[Callable[..., None], tuple[Any, ...]]]) -> None:
    """Run kernel calls at once and wait for all: the first on the calling thread, the
    others on the pool (the kernels release the GIL; waking a second pool thread instead
    of using the waiting one cost up to 5 ms a call)."""
    if len(calls) == 1 or _THREADS == 1:
        for kernel, args in calls:
            kernel(*args)
        return
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=_THREADS))
    jobs = [_POOL[0].submit(kernel, *args) for kernel, args in calls[1:]]
    calls[0][0](*calls[0][1])
    for job in jobs:
        job.result()


def by_rows(kernel: Callable[..., None], rows: int, *args: Any) -> None:
    """Run `kernel(*args, first, stop)` over rows 0..rows-1, split across the cores."""
    run([(kernel, (*args, a, b)) for a, b in spans(rows)])


def _rounded(high: int, low: int, divisor: int) -> int:
    """(high·2^LIMB + low) / divisor rounded half away from zero, exactly, for |high| and
    |low| below 2^61 and 0 < divisor < 2^36: one division when the numerator fits in int64,
    else a long division by limbs (floor division, then the remainder decides)."""
    if high == 0 and low == 0:
        return 0
    if -SMALL < high < SMALL:
        numerator = (high << LIMB) + low
        size = numerator if numerator >= 0 else -numerator
        q = size // divisor
        q += 2 * (size - q * divisor) >= divisor
        return q if numerator >= 0 else -q
    q1 = high // divisor
    rest = ((high - q1 * divisor) << LIMB) + low
    q2 = rest // divisor
    twice = 2 * (rest - q2 * divisor)
    quotient = (q1 << LIMB) + q2
    return quotient + ((twice >= divisor) if quotient >= 0 else (twice > divisor))


rounded: Callable[[int, int, int], int] = _compile(_rounded)


def _holding_py(
    lows: Int64Array, highs: Int64Array, r: int, count: int, least: int, most: int
) -> int:
    """The tier k of row r with lows[r, k] <= least and most < highs[r, k] (-1: none)."""
    for k in range(count):
        if lows[r, k] <= least and most < highs[r, k]:
            return k
    return -1


_holding: Callable[..., int] = _compile(_holding_py)


def _add_day_totals_py(
    row: Int64Array,
    all_: Int64Array,
    credit: Int64Array,
    negative: Int64Array,
    least: int,
    most: int,
) -> None:
    """Add one row's balances to the daily totals: all of them, the credit ones, and the
    count of negative ones (`_aggregate`, and `_post_rows` with totals). `least` and `most`
    bound the row's balances (least <= 0 <= most suffices): a row that is never negative,
    or never positive, skips the part of the work that adds nothing."""
    if least >= 0:  # no debit balance: every balance is a credit, none is negative
        for d in range(row.shape[0]):
            b = row[d]
            all_[d] += b
            credit[d] += b
    elif most <= 0:  # no credit balance
        for d in range(row.shape[0]):
            b = row[d]
            all_[d] += b
            negative[d] += b < 0
    else:
        for d in range(row.shape[0]):
            b = row[d]
            all_[d] += b
            credit[d] += b if b > 0 else 0
            negative[d] += b < 0


_add_day_totals: Callable[..., None] = _compile(_add_day_totals_py)


def _mark_below_py(row: Int64Array, floor: int, below: BoolArray) -> None:
    """below[d] |= row[d] < floor (`_breach_days`, and `_post_rows` with floors)."""
    for d in range(row.shape[0]):
        if row[d] < floor:
            below[d] = True


_mark_below: Callable[..., None] = _compile(_mark_below_py)


def _post_rows(
    balances: Int64Array,
    starts: Int64Array,
    pieces: Int64Array,
    piece_period: Int64Array,
    epoch_piece: Int64Array,
    kind: Int64Array,
    credit_low: Int64Array,
    credit_high: Int64Array,
    credit_rate: Int64Array,
    credit_count: Int64Array,
    debit_low: Int64Array,
    debit_high: Int64Array,
    debit_rate: Int64Array,
    debit_count: Int64Array,
    whole: BoolArray,
    limit: Int64Array,
    penalty_rate: Int64Array,
    divisor: Int64Array,
    credit: Int64Array,
    debit: Int64Array,
    penalty: Int64Array,
    too_large: BoolArray,
    group: Int64Array,
    total: Int64Array,
    above: Int64Array,
    negative: Int64Array,
    row_floor: Int64Array,
    below: BoolArray,
    first: int,
    stop: int,
) -> None:
    """Interest posted per row and posting period, exactly (docs/simulation.md, "Interest"
    and "Rate changes"). `kind` is (epochs × rows): in epoch e row r has the terms of row
    kind[e, r] of the terms arrays (interest.TermsTable). A row whose kind is the same in
    every epoch is posted period by period (`starts`), each posting rounded as it is found.
    A row whose terms change is posted piece by piece: `pieces` are the period starts and
    the epochs' first days merged, piece q lies in period piece_period[q], and epoch e's
    pieces are epoch_piece[e]..epoch_piece[e + 1] - 1; each piece accrues with the terms in
    force, the exact numerators of a period's pieces are added and the sum is rounded once.

    Per tier, the sum of the daily balances (or debit sizes) the tier's rate applies to
    (the interest numbers, 积数) times the rate, over `divisor` (basis × 10^8, the same in
    every epoch: the day count never changes), rounded half away from zero. Credit tiers
    apply to balances above 0, debit tiers to the debit size up to `limit`, the penalty rate
    to the size past it. Marginal tiers take the part of the balance in [low, high); whole
    tiers take the whole balance when it lies in [low, high). Each sum is a branch-free pass
    over one piece of one row, which the compiler vectorises. A row with a balance of PEAK
    or more is marked `too_large` and skipped: its sums could leave int64. The terms are
    looked up once per run of pieces with one set of terms (the whole row, or an epoch), so
    that rows without changes cost what they did before rate changes were posted here.

    With `group` not empty, the daily totals of `_aggregate` are added too (row r in group
    group[r]), from the row while it is in the cache: the matrix is read from memory once;
    with `row_floor` not empty, below[d] is set where a row closes below its floor on day d
    (`_breach_days`; NO_FLOOR: a row without one).
    """
    days = balances.shape[1]
    periods = starts.shape[0]
    epochs = kind.shape[0]
    most_pieces = max(periods, pieces.shape[0])
    lowest = np.empty(most_pieces, dtype=np.int64)
    highest = np.empty(most_pieces, dtype=np.int64)
    credits = np.empty(most_pieces, dtype=np.int64)
    debits = np.empty(most_pieces, dtype=np.int64)
    totals = group.shape[0] > 0
    marking = row_floor.shape[0] > 0
    for r in range(first, stop):
        row = balances[r]
        t = kind[0, r]
        moving = False
        for e in range(1, epochs):
            moving |= kind[e, r] != t
        cut = pieces if moving else starts
        count = cut.shape[0]
        row_max = 0
        row_min = 0
        for q in range(count):
            seg = row[cut[q] : cut[q + 1] if q + 1 < count else days]
            mn = seg[0]
            mx = seg[0]
            up = 0
            down = 0
            for d in range(seg.shape[0]):
                b = seg[d]
                mn = min(mn, b)
                mx = max(mx, b)
                up += b if b > 0 else 0
                down -= b if b < 0 else 0
            lowest[q] = mn
            highest[q] = mx
            credits[q] = up
            debits[q] = down
            row_max = max(row_max, mx)
            row_min = min(row_min, mn)
        # The row is still in the cache. (row_min <= 0: a row without a day below its floor,
        # which is <= 0, needs no pass.)
        if totals:
            _add_day_totals(row, total[group[r]], above[group[r]], negative, row_min, row_max)
        if marking and row_floor[r] != NO_FLOOR and row_min < row_floor[r]:
            _mark_below(row, row_floor[r], below)
        if max(row_max, -row_min) >= PEAK:
            too_large[r] = True
            continue
        divide = divisor[t]
        # With rate changes: the exact numerators of the period so far per side, in two
        # limbs (high·2^LIMB + low), rounded at its last piece.
        ch = cl = dh = dl = ph = pl = 0
        # Runs of pieces with one set of terms: the whole row, or each epoch's pieces.
        for e in range(epochs if moving else 1):
            t = kind[e, r]
            w = whole[t]
            lim = limit[t]
            for q in range(
                epoch_piece[e] if moving else 0, epoch_piece[e + 1] if moving else count
            ):
                seg = row[cut[q] : cut[q + 1] if q + 1 < count else days]
                m = seg.shape[0]
                high = 0
                low = 0
                j = _holding(
                    credit_low, credit_high, t, credit_count[t], max(lowest[q], 0), highest[q]
                )
                if highest[q] <= 0:
                    pass  # no credit balance in the piece
                elif j >= 0:
                    # Every credit balance of the piece lies in tier j: the tiers below it are
                    # full every day, and tier j takes the piece's credit sum (less its floor
                    # each day, when marginal). No further pass over the days.
                    for k in range(0 if w else j):
                        full = (credit_high[t, k] - credit_low[t, k]) * m
                        high += (full >> LIMB) * credit_rate[t, k]
                        low += (full & LOW) * credit_rate[t, k]
                    part = credits[q] - (0 if w else credit_low[t, j] * m)
                    high += (part >> LIMB) * credit_rate[t, j]
                    low += (part & LOW) * credit_rate[t, j]
                else:
                    for k in range(credit_count[t]):
                        floor = credit_low[t, k]
                        ceiling = credit_high[t, k]
                        if highest[q] < floor:
                            break  # no balance reaches this tier, nor the ones above it
                        acc = 0
                        if w:
                            for d in range(m):
                                b = seg[d]
                                acc += b if (b >= floor) & (b < ceiling) else 0
                        else:
                            width = ceiling - floor
                            for d in range(m):
                                v = seg[d] - floor
                                v = v if v > 0 else 0
                                acc += v if v < width else width
                        high += (acc >> LIMB) * credit_rate[t, k]
                        low += (acc & LOW) * credit_rate[t, k]
                if moving:
                    ch += high
                    cl += low
                else:
                    credit[r, q] = rounded(high, low, divide)
                high = 0
                low = 0
                most = -lowest[q]
                j = _holding(debit_low, debit_high, t, debit_count[t], max(-highest[q], 0), most)
                if most <= 0:
                    pass  # no debit balance in the piece
                elif j >= 0 and most <= lim:
                    # Every debit size lies in tier j and within the limit: as for credit.
                    for k in range(0 if w else j):
                        full = (debit_high[t, k] - debit_low[t, k]) * m
                        high += (full >> LIMB) * debit_rate[t, k]
                        low += (full & LOW) * debit_rate[t, k]
                    part = debits[q] - (0 if w else debit_low[t, j] * m)
                    high += (part >> LIMB) * debit_rate[t, j]
                    low += (part & LOW) * debit_rate[t, j]
                else:
                    for k in range(debit_count[t]):
                        floor = debit_low[t, k]
                        ceiling = debit_high[t, k]
                        if most < floor:
                            break
                        acc = 0
                        if w:
                            for d in range(m):
                                size = -seg[d]
                                size = size if size > 0 else 0
                                size = size if size < lim else lim
                                acc += size if (size >= floor) & (size < ceiling) else 0
                        else:
                            width = ceiling - floor
                            for d in range(m):
                                size = -seg[d]
                                size = size if size < lim else lim
                                v = size - floor
                                v = v if v > 0 else 0
                                acc += v if v < width else width
                        high += (acc >> LIMB) * debit_rate[t, k]
                        low += (acc & LOW) * debit_rate[t, k]
                if moving:
                    dh += high
                    dl += low
                else:
                    debit[r, q] = rounded(high, low, divide)
                if most > lim:
                    acc = 0
                    for d in range(m):
                        v = -seg[d] - lim
                        acc += v if v > 0 else 0
                    high = (acc >> LIMB) * penalty_rate[t]
                    low = (acc & LOW) * penalty_rate[t]
                    if moving:
                        ph += high
                        pl += low
                    else:
                        penalty[r, q] = rounded(high, low, divide)
                if not moving:
                    continue
                p = piece_period[q]
                if q + 1 == count or piece_period[q + 1] != p:
                    # The period's last piece: round each side once.
                    credit[r, p] = rounded(ch, cl, divide)
                    debit[r, p] = rounded(dh, dl, divide)
                    penalty[r, p] = rounded(ph, pl, divide)
                    ch = cl = dh = dl = ph = pl = 0
                else:
                    # More pieces of the period follow: carry each low limb into its high
                    # limb, so that the sums stay within the bounds `rounded` needs.
                    ch += cl >> LIMB
                    cl &= LOW
                    dh += dl >> LIMB
                    dl &= LOW
                    ph += pl >> LIMB
                    pl &= LOW


def _sweep_level(
    history: Int64Array,
    history_row: Int64Array,
    inflow: Int64Array,
    inflow_row: Int64Array,
    calendars: BoolArray,
    calendar: Int64Array,
    target: Int64Array,
    low: Int64Array,
    high: Int64Array,
    closing: Int64Array,
    closing_row: Int64Array,
    sent: Int64Array,
    sent_row: Int64Array,
    flows: Int64Array,
    flow_row: Int64Array,
    flow_sign: Int64Array,
    counts: Int64Array,
    first: int,
    stop: int,
) -> None:
    """Replay the rules of one level day by day, each on its own participant.

    A participant's balance moves by its own daily flow (the change in its history) plus
    what its own participants swept in that evening (`inflow`, row -1: none). On a sweep
    day, a balance above `high` or below `low` is swept to `target`. The closing balance
    goes to `closing`; the transfer (> 0: to the header) is added to the header's row of
    `sent` and, signed, to the entity pair's row of `flows` (row -1: same entity); the
    number of transfers goes to `counts`. Spans that run at once must not share `sent` or
    `flows`; one of them may add to `inflow` itself, since a level reads the inflows of its
    participants only and writes those of its headers, which are all higher.

    Each balance depends on the day before, so rules run two at a time, interleaved day by
    day, to keep the core busy with two independent chains (a lone last rule runs beside a
    copy of itself that writes to `spare`).
    """
    days = history.shape[1]
    spare = np.zeros((5, days), dtype=np.int64)
    nothing = spare[0]
    for a in range(first, stop, 2):
        alone = a + 1 == stop
        b = a if alone else a + 1
        own_a, own_b = history[history_row[a]], history[history_row[b]]
        in_a = inflow[inflow_row[a]] if inflow_row[a] >= 0 else nothing
        in_b = inflow[inflow_row[b]] if inflow_row[b] >= 0 else nothing
        on_a, on_b = calendars[calendar[a]], calendars[calendar[b]]
        target_a, low_a, high_a = target[a], low[a], high[a]
        target_b, low_b, high_b = target[b], low[b], high[b]
        out_a = closing[closing_row[a]]
        out_b = spare[1] if alone else closing[closing_row[b]]
        up_a = sent[sent_row[a]]
        up_b = spare[2] if alone else sent[sent_row[b]]
        pair_a = flows[flow_row[a]] if flow_row[a] >= 0 else spare[3]
        pair_b = flows[flow_row[b]] if flow_row[b] >= 0 and not alone else spare[4]
        sign_a, sign_b = flow_sign[a], flow_sign[b]
        balance_a = balance_b = previous_a = previous_b = count_a = count_b = 0
        for d in range(days):
            value_a, value_b = own_a[d], own_b[d]
            before_a = balance_a + (value_a - previous_a + in_a[d])
            before_b = balance_b + (value_b - previous_b + in_b[d])
            previous_a, previous_b = value_a, value_b
            sweep_a = on_a[d] and (before_a > high_a or before_a < low_a)
            sweep_b = on_b[d] and (before_b > high_b or before_b < low_b)
            balance_a = target_a if sweep_a else before_a
            balance_b = target_b if sweep_b else before_b
            count_a += before_a != balance_a
            count_b += before_b != balance_b
            out_a[d] = balance_a
            out_b[d] = balance_b
            up_a[d] += before_a - balance_a
            up_b[d] += before_b - balance_b
            pair_a[d] += sign_a * (before_a - balance_a)
            pair_b[d] += sign_b * (before_b - balance_b)
        counts[a] = count_a
        if not alone:
            counts[b] = count_b


def _sweep_rationed(
    history: Int64Array,
    history_row: Int64Array,
    closing_row: Int64Array,
    header: Int64Array,
    calendars: BoolArray,
    calendar: Int64Array,
    target: Int64Array,
    low: Int64Array,
    high: Int64Array,
    floor: Int64Array,
    group_header: Int64Array,
    group_start: Int64Array,
    group_rules: Int64Array,
    closing: Int64Array,
    flows: Int64Array,
    flow_row: Int64Array,
    flow_sign: Int64Array,
    counts: Int64Array,
    shortfall_days: Int64Array,
    peak_shortfall: Int64Array,
    short_on: BoolArray,
) -> None:
    """Replay whole trees day by day, funding within each header's floor
    (docs/simulation.md, "Funding within the header's capacity").

    Accounts are positions 0..m-1 (history row `history_row[k]`, closing row
    `closing_row[k]`). Rule k, for k < R = header.size, sweeps position k into position
    header[k] > k: rules are listed leaf to root and positions R..m-1 sweep nowhere. Each
    evening: the transfers, rule by rule in that order; then the rationing, header group by
    header group (`group_header[g]`, its rules `group_rules[group_start[g]:group_start[g +
    1]]` last rule first, groups in decreasing height): a header below `floor` takes back
    from its funding transfers (s < 0) up to what it gave. What a participant keeps of its
    cuts is its shortfall: `shortfall_days` and `peak_shortfall` per position. Transfers are
    added, signed, to the entity pair's row of `flows` (row -1: same entity); `counts` gets
    each rule's non-zero transfers.

    Days run in blocks: each block's daily flows are read row by row into a day-major
    buffer, and its closing balances written back row by row, so the day loop reads and
    writes memory in order.
    """
    days = history.shape[1]
    m = history_row.shape[0]
    rules = header.shape[0]
    groups = group_header.shape[0]
    block = 16
    flow_buffer = np.empty((block, m), dtype=np.int64)
    out_buffer = np.empty((block, m), dtype=np.int64)
    balance = np.zeros(m, dtype=np.int64)
    cut_in = np.zeros(m, dtype=np.int64)
    cut_out = np.zeros(m, dtype=np.int64)
    s = np.zeros(rules, dtype=np.int64)
    for first in range(0, days, block):
        stop = min(first + block, days)
        for k in range(m):
            row = history[history_row[k]]
            previous = row[first - 1] if first > 0 else 0
            for d in range(first, stop):
                flow_buffer[d - first, k] = row[d] - previous
                previous = row[d]
        for d in range(first, stop):
            flow = flow_buffer[d - first]
            for k in range(rules):
                b = balance[k] + flow[k]
                t = 0
                if calendars[calendar[k], d] and (b > high[k] or b < low[k]):
                    t = b - target[k]
                    b = target[k]
                    balance[header[k]] += t
                balance[k] = b
                s[k] = t
            for k in range(rules, m):
                balance[k] += flow[k]
            for g in range(groups):
                h = group_header[g]
                need = floor[h] - balance[h]
                if need <= 0:
                    continue
                for j in range(group_start[g], group_start[g + 1]):
                    k = group_rules[j]
                    if s[k] >= 0:
                        continue
                    c = min(need, -s[k])
                    s[k] += c
                    balance[h] += c
                    balance[k] -= c
                    cut_in[k] += c
                    cut_out[h] += c
                    need -= c
                    if need == 0:
                        break
            out = out_buffer[d - first]
            for k in range(rules):
                short = cut_in[k] - cut_out[k]
                if short > 0:
                    shortfall_days[k] += 1
                    peak_shortfall[k] = max(peak_shortfall[k], short)
                    short_on[d] = True
                cut_in[k] = 0
                cut_out[k] = 0
                t = s[k]
                counts[k] += t != 0
                if flow_row[k] >= 0:
                    flows[flow_row[k], d] += flow_sign[k] * t
                out[k] = balance[k]
            for k in range(rules, m):
                cut_out[k] = 0
                out[k] = balance[k]
        for k in range(m):
            row = closing[closing_row[k]]
            for d in range(first, stop):
                row[d] = out_buffer[d - first, k]


# Columns of `ration_trees`' per-position table: one row of constants per position.
(
    AT_HISTORY,
    AT_CLOSING,
    AT_HEADER,
    AT_CALENDAR,
    AT_TARGET,
    AT_LOW,
    AT_HIGH,
    AT_FLOW_ROW,
    AT_FLOW_SIGN,
    AT_FLOOR,
    AT_INFLOW,
    AT_GROUP,
) = range(12)


def _heap_push(heap: Int64Array, size: int, value: int) -> int:
    """Add `value` to the binary min-heap heap[:size]; the new size is returned."""
    i = size
    heap[i] = value
    while i > 0:
        up = (i - 1) >> 1
        if heap[up] <= value:
            break
        heap[i] = heap[up]
        i = up
    heap[i] = value
    return size + 1


def _heap_pop(heap: Int64Array, size: int) -> int:
    """Remove and return the least value of the binary min-heap heap[:size] (size > 0)."""
    least = heap[0]
    size -= 1
    value = heap[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= value:
            break
        heap[i] = heap[child]
        i = child
    if size > 0:
        heap[i] = value
    return int(least)


heap_push: Callable[..., int] = _compile(_heap_push)
heap_pop: Callable[..., int] = _compile(_heap_pop)


def _level_before(
    history: Int64Array,
    closing: Int64Array,
    inflow: Int64Array,
    table: Int64Array,
    k: int,
    j: int,
    shift: int,
) -> int:
    """The level kernel's balance of position k on day j before its own transfer: its
    closing balance of the day before (`closing` holds it plus `shift`), its own daily flow
    and what its participants swept in."""
    row = history[table[k, AT_HISTORY]]
    value = row[j]
    if j > 0:
        value += closing[table[k, AT_CLOSING], j - 1] - shift - row[j - 1]
    if table[k, AT_INFLOW] >= 0:
        value += inflow[table[k, AT_INFLOW], j]
    return int(value)


level_before: Callable[..., int] = _compile(_level_before)


DENSE = 8  # a tree is replayed whole once more than 1/DENSE of its positions differ


def _ration_dense(
    history: Int64Array,
    closing: Int64Array,
    calendars: BoolArray,
    table: Int64Array,
    a: int,
    top: int,
    group_header: Int64Array,
    group_start: Int64Array,
    group_rules: Int64Array,
    group_first: int,
    group_stop: int,
    gap: Int64Array,
    d: int,
    flows: Int64Array,
    shortfall_days: Int64Array,
    peak_shortfall: Int64Array,
    short_on: BoolArray,
) -> tuple[int, int]:
    """Replay the tree of positions a..top whole from day d, for `ration_trees` (same
    arguments): both passes, alongside a shadow replay without rationing (the level kernel's
    own state, recomputed from `closing` of the day before less `gap`). Days run in blocks
    of 32 (flows read and balances written back row by row, the day loop in order) until a
    block ends with both replays equal, or the last day. Returns the day after the last
    replayed and the change in the number of non-zero transfers."""
    days = history.shape[1]
    block = 32
    width = top + 1 - a
    buffer = np.empty((block, width), dtype=np.int64)
    out = np.empty((block, width), dtype=np.int64)
    balance = np.empty(width, dtype=np.int64)
    shadow = np.empty(width, dtype=np.int64)
    s = np.zeros(width, dtype=np.int64)
    cut_in = np.zeros(width, dtype=np.int64)
    cut_out = np.zeros(width, dtype=np.int64)
    marked = np.zeros(width, dtype=np.bool_)
    touched = np.empty(width, dtype=np.int64)
    for k in range(a, top + 1):
        balance[k - a] = closing[table[k, AT_CLOSING], d - 1]
        shadow[k - a] = balance[k - a] - gap[k]
    count = 0
    while d < days:
        end = min(d + block, days)
        # The block's daily flows, day-major.
        for k in range(a, top + 1):
            row = history[table[k, AT_HISTORY]]
            previous = row[d - 1]
            for j in range(d, end):
                buffer[j - d, k - a] = row[j] - previous
                previous = row[j]
        for j in range(d, end):
            flow = buffer[j - d]
            kept = out[j - d]
            # Transfers, leaf to root, rationed and not.
            for k in range(a, top):
                f = flow[k - a]
                b = balance[k - a] + f
                bs = shadow[k - a] + f
                sent = 0
                sent_shadow = 0
                if calendars[table[k, AT_CALENDAR], j]:
                    target, low, high = table[k, AT_TARGET], table[k, AT_LOW], table[k, AT_HIGH]
                    if b > high or b < low:
                        sent = b - target
                        b = target
                    if bs > high or bs < low:
                        sent_shadow = bs - target
                        bs = target
                h = table[k, AT_HEADER] - a
                balance[h] += sent
                shadow[h] += sent_shadow
                balance[k - a] = b
                shadow[k - a] = bs
                kept[k - a] = b
                s[k - a] = sent
                if sent != sent_shadow:
                    count += (sent != 0) - (sent_shadow != 0)
                    if table[k, AT_FLOW_ROW] >= 0:
                        flows[table[k, AT_FLOW_ROW], j] += table[k, AT_FLOW_SIGN] * (
                            sent - sent_shadow
                        )
            f = flow[top - a]
            balance[top - a] += f
            shadow[top - a] += f
            kept[top - a] = balance[top - a]
            # Rationing, root to leaves.
            cuts = 0
            for g in range(group_first, group_stop):
                h = group_header[g]
                need = table[h, AT_FLOOR] - balance[h - a]
                if need <= 0:
                    continue
                for i in range(group_start[g], group_start[g + 1]):
                    k = group_rules[i]
                    if s[k - a] >= 0:
                        continue
                    c = min(need, -s[k - a])
                    count += (s[k - a] + c != 0) - 1
                    s[k - a] += c
                    if table[k, AT_FLOW_ROW] >= 0:
                        flows[table[k, AT_FLOW_ROW], j] += table[k, AT_FLOW_SIGN] * c
                    balance[h - a] += c
                    balance[k - a] -= c
                    cut_in[k - a] += c
                    cut_out[h - a] += c
                    for x in (k - a, h - a):
                        if not marked[x]:
                            marked[x] = True
                            touched[cuts] = x
                            cuts += 1
                    need -= c
                    if need == 0:
                        break
            for i in range(cuts):
                x = touched[i]
                short = cut_in[x] - cut_out[x]
                if short > 0:
                    shortfall_days[x + a] += 1
                    peak_shortfall[x + a] = max(peak_shortfall[x + a], short)
                    short_on[j] = True
                kept[x] = balance[x]
                cut_in[x] = 0
                cut_out[x] = 0
                marked[x] = False
        for k in range(a, top + 1):
            row = closing[table[k, AT_CLOSING]]
            for j in range(d, end):
                row[j] = out[j - d, k - a]
        d = end
        synced = True
        for x in range(width):
            if balance[x] != shadow[x]:
                synced = False
                break
        if synced:
            break
    return d, count


ration_dense: Callable[..., tuple[int, int]] = _compile(_ration_dense)


def _ration_trees(
    history: Int64Array,
    closing: Int64Array,
    inflow: Int64Array,
    calendars: BoolArray,
    table: Int64Array,
    tree_start: Int64Array,
    tree_group: Int64Array,
    group_header: Int64Array,
    group_start: Int64Array,
    group_rules: Int64Array,
    event_start: Int64Array,
    event_day: Int64Array,
    event_header: Int64Array,
    flows: Int64Array,
    changed: Int64Array,
    shortfall_days: Int64Array,
    peak_shortfall: Int64Array,
    short_on: BoolArray,
    first: int,
    stop: int,
) -> None:
    """Correct the level kernel's result, tree by tree, for the days on which funding is
    rationed (docs/simulation.md, "Funding within the header's capacity").

    `closing` holds the level kernel's balances (and `flows` its transfers, `inflow` what
    each header received each day); they are the result up to the first day a header of
    the tree closes below its floor, since before that the rationing cuts nothing. From
    that day on only the differences are followed: `gap[k]`, the rationed balance of
    position k less the level kernel's. Each day, in position order (leaf to root), the
    positions whose gap of the day before or whose participants' transfers differ are
    replayed from the level kernel's balance plus that difference; a transfer that differs
    moves the difference to its header. Then the header groups whose header is below its
    floor (the level kernel's balance plus the gap: the days listed in `event_day` /
    `event_header` for the tree's events `event_start[t]:event_start[t + 1]`, sorted by
    day, and those whose gap is not zero) are rationed in group order, a cut moving the
    gap from participant to header. A transfer the day's replay did not reach is the level
    kernel's (its balance before, less its closing balance). `closing` gets the rationed
    balances where they differ, and `flows` and `changed[t]` (the change in the number of
    non-zero transfers) the difference of the transfers. Days with no gap and no header
    below its floor are skipped: the cost follows the accounts affected.

    Tree t is positions tree_start[t]..tree_start[t + 1] - 1: its rules, leaf to root (the
    rule of position k sweeps k into `table[k, AT_HEADER]`), then its top header. Its header
    groups are tree_group[t]..tree_group[t + 1] - 1, in decreasing height, group g being
    header `group_header[g]` and its rules `group_rules[group_start[g]:group_start[g + 1]]`
    last rule first; `table[h, AT_GROUP]` is header h's group (-1: none). `shortfall_days`
    and `peak_shortfall` are per position, `short_on` the days on which some position is
    short.
    """
    days = history.shape[1]
    m = table.shape[0]
    gap = np.zeros(m, dtype=np.int64)
    incoming = np.zeros(m, dtype=np.int64)
    s = np.zeros(m, dtype=np.int64)
    s_day = np.full(m, -1, dtype=np.int64)
    queued = np.zeros(m, dtype=np.bool_)
    dirty = np.zeros(m, dtype=np.bool_)
    cut_in = np.zeros(m, dtype=np.int64)
    cut_out = np.zeros(m, dtype=np.int64)
    marked = np.zeros(m, dtype=np.bool_)
    touched = np.empty(m, dtype=np.int64)
    today = np.empty(m, dtype=np.int64)
    live = np.empty(m, dtype=np.int64)
    heap = np.empty(m, dtype=np.int64)
    groups = group_header.shape[0]
    in_heap = np.zeros(max(groups, 1), dtype=np.bool_)
    for t in range(first, stop):
        top = tree_start[t + 1] - 1
        count = 0
        p = event_start[t]
        end = event_start[t + 1]
        if p == end:
            changed[t] = 0
            continue
        n_live = 0
        j = event_day[p]
        while j < days:
            # Transfers, leaf to root, where the rationed replay may differ.
            size = 0
            for i in range(n_live):
                k = live[i]
                queued[k] = True
                size = heap_push(heap, size, k)
            n_today = 0
            while size > 0:
                k = heap_pop(heap, size)
                size -= 1
                queued[k] = False
                e = gap[k] + incoming[k]
                incoming[k] = 0
                before = level_before(history, closing, inflow, table, k, j, gap[k])
                level = closing[table[k, AT_CLOSING], j]
                if not dirty[k]:
                    dirty[k] = True
                    today[n_today] = k
                    n_today += 1
                if k == top:
                    gap[k] = e
                    continue
                level_sent = before - level
                b = before + e
                sent = 0
                if calendars[table[k, AT_CALENDAR], j] and (
                    b > table[k, AT_HIGH] or b < table[k, AT_LOW]
                ):
                    sent = b - table[k, AT_TARGET]
                    b = table[k, AT_TARGET]
                gap[k] = b - level
                s[k] = sent
                s_day[k] = j
                if sent != level_sent:
                    count += (sent != 0) - (level_sent != 0)
                    if table[k, AT_FLOW_ROW] >= 0:
                        flows[table[k, AT_FLOW_ROW], j] += table[k, AT_FLOW_SIGN] * (
                            sent - level_sent
                        )
                    h = table[k, AT_HEADER]
                    incoming[h] += sent - level_sent
                    if not queued[h]:
                        queued[h] = True
                        size = heap_push(heap, size, h)
            # Rationing, root to leaves: the groups whose header may be below its floor.
            size = 0
            while p < end and event_day[p] == j:
                g = table[event_header[p], AT_GROUP]
                if not in_heap[g]:
                    in_heap[g] = True
                    size = heap_push(heap, size, g)
                p += 1
            for i in range(n_today):
                k = today[i]
                g = table[k, AT_GROUP]
                if gap[k] != 0 and g >= 0 and not in_heap[g]:
                    in_heap[g] = True
                    size = heap_push(heap, size, g)
            cuts = 0
            while size > 0:
                g = heap_pop(heap, size)
                size -= 1
                in_heap[g] = False
                h = group_header[g]
                need = table[h, AT_FLOOR] - closing[table[h, AT_CLOSING], j] - gap[h]
                if need <= 0:
                    continue
                for i in range(group_start[g], group_start[g + 1]):
                    k = group_rules[i]
                    if s_day[k] != j:
                        s[k] = (
                            level_before(history, closing, inflow, table, k, j, 0)
                            - closing[table[k, AT_CLOSING], j]
                        )
                        s_day[k] = j
                    if s[k] >= 0:
                        continue
                    c = min(need, -s[k])
                    count += (s[k] + c != 0) - 1
                    s[k] += c
                    if table[k, AT_FLOW_ROW] >= 0:
                        flows[table[k, AT_FLOW_ROW], j] += table[k, AT_FLOW_SIGN] * c
                    gap[h] += c
                    gap[k] -= c
                    cut_in[k] += c
                    cut_out[h] += c
                    for x in (k, h):
                        if not marked[x]:
                            marked[x] = True
                            touched[cuts] = x
                            cuts += 1
                        if not dirty[x]:
                            dirty[x] = True
                            today[n_today] = x
                            n_today += 1
                    sub = table[k, AT_GROUP]
                    if sub >= 0 and not in_heap[sub]:
                        in_heap[sub] = True
                        size = heap_push(heap, size, sub)
                    need -= c
                    if need == 0:
                        break
            for i in range(cuts):
                k = touched[i]
                short = cut_in[k] - cut_out[k]
                if short > 0:
                    shortfall_days[k] += 1
                    peak_shortfall[k] = max(peak_shortfall[k], short)
                    short_on[j] = True
                cut_in[k] = 0
                cut_out[k] = 0
                marked[k] = False
            # The rationed balances where they differ; tomorrow's positions to replay.
            n_live = 0
            for i in range(n_today):
                k = today[i]
                dirty[k] = False
                if gap[k] != 0:
                    closing[table[k, AT_CLOSING], j] += gap[k]
                    live[n_live] = k
                    n_live += 1
            if DENSE * n_live > top - tree_start[t] and j + 1 < days:
                # Most of the tree differs: replay it whole until it agrees again.
                j, more = ration_dense(
                    history,
                    closing,
                    calendars,
                    table,
                    tree_start[t],
                    top,
                    group_header,
                    group_start,
                    group_rules,
                    tree_group[t],
                    tree_group[t + 1],
                    gap,
                    j + 1,
                    flows,
                    shortfall_days,
                    peak_shortfall,
                    short_on,
                )
                count += more
                for i in range(n_live):
                    gap[live[i]] = 0
                n_live = 0
                while p < end and event_day[p] < j:
                    p += 1
            else:
                j += 1
            if n_live == 0:
                if p == end or j >= days:
                    break
                j = event_day[p]
        for i in range(n_live):
            gap[live[i]] = 0
        changed[t] = count


def _aggregate(
    matrix: Int64Array,
    rows: Int64Array,
    group: Int64Array,
    total: Int64Array,
    above: Int64Array,
    negative: Int64Array,
    first: int,
    stop: int,
) -> None:
    """Daily totals per group (currency) of the listed rows: all balances, credit balances,
    and the count of negative balances. `total`, `above` are (groups × days) and
    `negative` (days,); each span gets its own, summed afterwards (see `aggregate`)."""
    for i in range(first, stop):
        _add_day_totals(matrix[rows[i]], total[group[i]], above[group[i]], negative, -1, 1)


def _positions(
    flows: Int64Array,
    starts: Int64Array,
    sums: Int64Array,
    closing: Int64Array,
    peak: Int64Array,
    peak_day: Int64Array,
) -> None:
    """Running positions of daily flows, row by row, without keeping them: per posting
    period their sum (for interest), the last one, and the largest in size with its first
    day."""
    periods = starts.shape[0]
    for r in range(flows.shape[0]):
        position = 0
        top = -1
        p = 0
        for d in range(flows.shape[1]):
            if p + 1 < periods and d == starts[p + 1]:
                p += 1
            position += flows[r, d]
            sums[r, p] += position
            size = position if position >= 0 else -position
            if size > top:
                top = size
                peak[r] = position
                peak_day[r] = d
        closing[r] = position


def _div_round(a: Int64Array, b: Int64Array, d: Int64Array, out: Int64Array) -> None:
    """out[j] = round(Σ_k a[k, j]·b[k, j] / d[j]) half away from zero, exactly, for inputs
    within exact.sum_products_div's bounds: `a` is split into a high and a low limb so that
    every partial product fits in int64."""
    for j in range(out.shape[0]):
        high = 0
        low = 0
        for k in range(a.shape[0]):
            high += (a[k, j] >> LIMB) * b[k, j]
            low += (a[k, j] & LOW) * b[k, j]
        out[j] = rounded(high, low, d[j])


post_rows: Callable[..., None] = _compile(_post_rows)
sweep_level: Callable[..., None] = _compile(_sweep_level)
sweep_rationed: Callable[..., None] = _compile(_sweep_rationed)
ration_trees: Callable[..., None] = _compile(_ration_trees)
aggregate_rows: Callable[..., None] = _compile(_aggregate)
div_round: Callable[..., None] = _compile(_div_round)
positions: Callable[..., None] = _compile(_positions)


Totals = tuple[Int64Array, Int64Array, Int64Array]


def span_totals(parts: int, groups: int, days: int) -> list[Totals]:
    """Zeroed (total, credit, negative count) arrays for each of `parts` spans of rows."""
    return [
        (
            np.zeros((groups, days), dtype=np.int64),
            np.zeros((groups, days), dtype=np.int64),
            np.zeros(days, dtype=np.int64),
        )
        for _ in range(parts)
    ]


def summed(out: list[Totals]) -> Totals:
    """The spans' totals added into the first span's arrays."""
    total, above, negative = out[0]
    for t, c, n in out[1:]:
        total += t
        above += c
        negative += n
    return total, above, negative


def aggregate(matrix: Int64Array, rows: Int64Array, group: Int64Array, groups: int) -> Totals:
    """(total, credit, negative count) per group and day over `rows` of `matrix`, on all
    cores: each span of the rows adds into its own arrays, summed at the end."""
    parts = spans(rows.size)
    out = span_totals(len(parts), groups, matrix.shape[1])
    run(
        [
            (aggregate_rows, (matrix, rows, group, *o, a, b))
            for o, (a, b) in zip(out, parts, strict=True)
        ]
    )
    return summed(out)


def _breach_days(matrix: Int64Array, rows: Int64Array, floors: Int64Array, out: BoolArray) -> None:
    """out[d] |= some listed row of `matrix` is below its floor (minus its limit) on day d:
    one pass over the listed rows, no copies (capacity.beyond)."""
    for i in range(rows.shape[0]):
        _mark_below(matrix[rows[i]], floors[i], out)


breach_days = _compile(_breach_days)


def _convert_rows(
    amounts: Int64Array,
    code: Int64Array,
    mult: Int64Array,
    div: Int64Array,
    days: Int64Array,
    out: Int64Array,
) -> None:
    """out[i, j] = round(amounts[i, j]·mult[code[i], days[j]] / div[code[i], days[j]]) half
    away from zero, exactly (as _div_round with one term), for inputs within
    exact.sum_products_div's bounds; no rate matrices are built (fx.DailyFx.convert)."""
    for i in range(amounts.shape[0]):
        c = code[i]
        for j in range(amounts.shape[1]):
            a = amounts[i, j]
            b = mult[c, days[j]]
            out[i, j] = rounded((a >> LIMB) * b, (a & LOW) * b, div[c, days[j]])


convert_rows: Callable[..., None] = _compile(_convert_rows)


def _largest_converted(amounts: Int64Array, code: Int64Array) -> int:
    """The largest |amounts[i, j]| of the rows with code[i] >= 0 (0 if none): the bound that
    `sums_converted`'s exactness needs, checked before it runs (fx.DailyFx.row_sums)."""
    top = 0
    for i in range(amounts.shape[0]):
        if code[i] >= 0:
            for j in range(amounts.shape[1]):
                a = amounts[i, j]
                top = max(top, a if a >= 0 else -a)
    return top


def _sums_converted(
    amounts: Int64Array,
    code: Int64Array,
    mult: Int64Array,
    div: Int64Array,
    days: Int64Array,
    out: Int64Array,
) -> int:
    """out[i] = Σ_j round(amounts[i, j]·mult[c, days[j]] / div[c, days[j]]) with c = code[i],
    each term rounded half away from zero exactly as `_convert_rows` does; a row with
    code[i] < 0 is in the target currency and summed as it is. The row sums of a conversion
    without the converted matrix (totals.to_base); returns the largest |converted amount|,
    which the caller holds to the engine's range. Inputs within exact.sum_products_div's
    bounds (checked by the caller)."""
    top = 0
    for i in range(amounts.shape[0]):
        c = code[i]
        total = 0
        if c < 0:
            for j in range(amounts.shape[1]):
                total += amounts[i, j]
        else:
            for j in range(amounts.shape[1]):
                a = amounts[i, j]
                b = mult[c, days[j]]
                v = rounded((a >> LIMB) * b, (a & LOW) * b, div[c, days[j]])
                total += v
                top = max(top, v if v >= 0 else -v)
        out[i] = total
    return top


largest_converted: Callable[[Int64Array, Int64Array], int] = _compile(_largest_converted)
sums_converted: Callable[..., int] = _compile(_sums_converted)
