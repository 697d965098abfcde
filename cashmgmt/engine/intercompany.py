"""Intercompany positions: the loans sweeps create between entities, their interest at the
case's intercompany terms (a rate, spreads and a day count per currency), and the tax on it."""

from __future__ import annotations

import operator
from datetime import timedelta
from itertools import chain

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.exact import sum_products_div
from cashmgmt.engine.interest import RATE_SCALE, rate_units
from cashmgmt.engine.kernels import positions
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import IntercompanyResult
from cashmgmt.engine.tax import position_tax
from cashmgmt.model import Case, IntercompanyTerms, PhysicalStructure
from cashmgmt.money import from_minor
from cashmgmt.reference.conventions import day_count_for

Int64Array = npt.NDArray[np.int64]

_PARTICIPANT = operator.attrgetter("participant")
_HEADER = operator.attrgetter("header")


def leaders(
    index: AccountIndex, structure: PhysicalStructure | None, ends: Int64Array | None = None
) -> dict[int, int]:
    """The in-house bank of each pair of entities a structure sweeps between: the entity of
    the header account of the first rule between them (docs/simulation.md). Keyed by the
    pair's entity codes (index.entities) as low x entities + high; found with numpy over
    the rules' columns (one first occurrence per pair), not rule by rule."""
    rules = structure.rules if structure is not None else ()
    n = len(rules)
    if ends is None or ends.size != 2 * n:  # the sweep's own (run_sweeps) when it has them
        ends = np.fromiter(
            map(index.row_of.__getitem__, chain(map(_PARTICIPANT, rules), map(_HEADER, rules))),
            np.int64,
            2 * n,
        )
    entity = index.entity[ends]
    lender, header = entity[:n], entity[n:]
    between = np.flatnonzero(lender != header)
    key = np.minimum(lender, header)[between] * len(index.entities)
    key += np.maximum(lender, header)[between]
    keys, first = np.unique(key, return_index=True)
    return dict(zip(keys.tolist(), header[between[first]].tolist(), strict=True))


def pair_rates(
    index: AccountIndex,
    case: Case,
    pairs: tuple[tuple[str, str, str], ...],
    lead: dict[int, int],
    terms: IntercompanyTerms,
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Per pair (first, second, currency), in units of 1e-8: the rate while the first entity
    lends, the rate while it borrows, and the day-count basis (360 or 365), under the
    intercompany `terms` in force, with `lead` the pairs' in-house banks (`leaders`)."""
    flat = case.intercompany_rate
    code = {e: i for i, e in enumerate(index.entities)}
    up, down = rate_units(terms.borrowing_spread), rate_units(terms.lending_spread)
    level_of: dict[str, tuple[int, int]] = {}  # currency -> (rate, basis)
    lends, borrows, basis = (np.zeros(len(pairs), dtype=np.int64) for _ in range(3))
    for k, (first, second, cur) in enumerate(pairs):
        if cur not in level_of:
            level = terms.rates.get(cur, flat)
            count = terms.day_counts.get(cur) or day_count_for(cur)
            level_of[cur] = (
                rate_units(level) if level is not None else 0,
                360 if count == "ACT/360" else 365,
            )
        rate, basis[k] = level_of[cur]
        a, b = code[first], code[second]
        # the participant side (not the in-house bank) gets rate - lending spread when it
        # lends, and pays rate + borrowing spread when it borrows
        if lead.get(min(a, b) * len(code) + max(a, b), b) == b:
            lends[k], borrows[k] = rate - down, rate + up
        else:
            lends[k], borrows[k] = rate + up, rate - down
    return lends, borrows, basis


def _epochs(case: Case, days: int) -> list[tuple[int, IntercompanyTerms]]:
    """(first day index, terms in force) of each run of days between the intercompany terms'
    dated changes inside the history (docs/simulation.md, "Rate changes")."""
    terms = case.intercompany or IntercompanyTerms()
    start = case.balances.start
    inside = [c.start for c in terms.changes if start < c.start <= start + timedelta(days - 1)]
    return [((day - start).days, terms.in_force(day)) for day in [start, *inside]]


def intercompany_positions(
    case: Case,
    replay: Replay,
    pairs: tuple[tuple[str, str, str], ...],
    flows: Int64Array,
    structure: PhysicalStructure | None = None,
    ends: Int64Array | None = None,
) -> tuple[tuple[IntercompanyResult, ...], dict[str, int]]:
    """Positions per (entity pair, currency) from the net daily flows swept between them
    (`flows[k]` from the first entity of `pairs[k]` to the second), and each entity's net
    intercompany interest in base minor units (received > 0)."""
    code = case.base_currency
    fx = replay.fx
    results: list[IntercompanyResult] = []
    by_entity: dict[str, int] = {}
    if not pairs:
        return (), by_entity
    starts, posting_days = replay.periods
    n, days = flows.shape
    sums = np.zeros((n, starts.size), dtype=np.int64)
    closing, peaks, peak_days = (np.zeros(n, dtype=np.int64) for _ in range(3))
    positions(flows, starts, sums, closing, peaks, peak_days)
    currencies = [cur for _, _, cur in pairs]
    epochs = _epochs(case, days)
    lead = leaders(replay.index, structure, ends)
    rates = [pair_rates(replay.index, case, pairs, lead, terms) for _, terms in epochs]
    divisor = (rates[0][2] * RATE_SCALE)[:, None]
    if len(epochs) == 1:
        lends, borrows, _ = rates[0]
        if np.array_equal(lends, borrows):  # no spread: the signed sums are enough
            posted = sum_products_div([(sums, lends[:, None])], divisor)
        else:  # the days the first entity lends, and the days it borrows, apart
            lent = np.add.reduceat(np.maximum(np.cumsum(flows, axis=1), 0), starts, axis=1)
            posted = sum_products_div(
                [(lent, lends[:, None]), (lent - sums, -borrows[:, None])], divisor
            )
    else:  # each epoch's days at its rates, each posting's parts added and rounded once
        running = np.cumsum(flows, axis=1)
        parts = []
        bounds = [first for first, _ in epochs[1:]] + [days]
        for (first, _), stop, (lends, borrows, _) in zip(epochs, bounds, rates, strict=True):
            inside = np.zeros_like(running)
            inside[:, first:stop] = running[:, first:stop]
            signed = np.add.reduceat(inside, starts, axis=1)
            lent = np.add.reduceat(np.maximum(inside, 0), starts, axis=1)
            parts += [(lent, lends[:, None]), (lent - signed, -borrows[:, None])]
        posted = sum_products_div(parts, divisor)
    posted_base = fx.convert(posted, currencies, posting_days).sum(axis=1)
    taxes = position_tax(case, fx, pairs, posted, posting_days)
    direction = np.where(closing != 0, np.sign(closing), np.sign(peaks))
    last_day = np.full((n, 1), days - 1)
    closing_base = fx.convert((closing * direction)[:, None], currencies, last_day)[:, 0]
    peak_base = fx.convert(np.abs(peaks)[:, None], currencies, peak_days[:, None])[:, 0]
    active = np.flatnonzero(peaks)  # a position that was ever open
    figures = zip(
        active.tolist(),
        *(
            column[active].tolist()
            for column in (direction, posted_base, closing, peaks, closing_base, peak_base)
        ),
        strict=True,
    )
    for k, sign, posted_k, closing_k, peak_k, closing_base_k, peak_base_k in figures:
        first, second, cur = pairs[k]
        lender, borrower = (first, second) if sign > 0 else (second, first)
        interest = posted_k * sign
        by_entity[lender] = by_entity.get(lender, 0) + interest
        by_entity[borrower] = by_entity.get(borrower, 0) - interest
        tax = taxes[k]
        results.append(
            IntercompanyResult(
                lender=lender,
                borrower=borrower,
                currency=cur,
                closing_position_local=from_minor(closing_k * sign, cur),
                peak_local=from_minor(abs(peak_k), cur),
                closing_position=from_minor(closing_base_k, code),
                peak=from_minor(peak_base_k, code),
                interest=from_minor(interest, code),
                withholding=from_minor(sum(w for _, w, _ in tax), code),
                vat=from_minor(sum(v for _, _, v in tax), code),
                tax_borne=tax,
            )
        )
    results.sort(key=lambda r: (r.lender, r.borrower, r.currency))
    return tuple(results), by_entity
