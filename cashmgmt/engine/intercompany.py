"""Intercompany positions: the loans sweeps create between entities, and their interest."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import sum_products_div
from cashmgmt.engine.interest import RATE_SCALE, rate_units
from cashmgmt.engine.kernels import positions
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import IntercompanyResult
from cashmgmt.model import Case
from cashmgmt.money import from_minor

Int64Array = npt.NDArray[np.int64]


def intercompany_positions(
    case: Case, replay: Replay, pairs: tuple[tuple[str, str, str], ...], flows: Int64Array
) -> tuple[tuple[IntercompanyResult, ...], dict[str, int]]:
    """Positions per (entity pair, currency) from the net daily flows swept between them
    (`flows[k]` from the first entity of `pairs[k]` to the second), and each entity's net
    intercompany interest in base minor units (received > 0)."""
    rate = rate_units(case.intercompany_rate) if case.intercompany_rate is not None else 0
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
    posted = sum_products_div([(sums, rate)], 360 * RATE_SCALE)
    posted_base = fx.convert(posted, currencies, posting_days).sum(axis=1)
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
            )
        )
    results.sort(key=lambda r: (r.lender, r.borrower, r.currency))
    return tuple(results), by_entity
