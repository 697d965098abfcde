"""Liquidity of one side: the group's net position, peak debit, overdraft days, idle credit."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.results import Liquidity
from cashmgmt.engine.totals import Aggregates
from cashmgmt.money import from_minor, round_half_away

Int64Array = npt.NDArray[np.int64]


def liquidity(
    fx: DailyFx, totals: Aggregates, not_idle: Aggregates
) -> tuple[Liquidity, Int64Array]:
    """Liquidity from a side's daily totals, credit in `not_idle` (the top headers') left out
    of idle credit; and the group's total balance per day in base minor units."""
    days = totals.negative_count.size
    every_day = np.arange(days)

    def in_base(series: dict[str, Int64Array]) -> Int64Array:
        codes = sorted(series)
        if not codes:
            return np.zeros(days, dtype=np.int64)
        stacked = np.stack([series[c] for c in codes])
        converted: Int64Array = fx.convert(stacked, codes, every_day).sum(axis=0)
        return converted

    total = in_base(totals.total)
    debit = in_base(totals.debit)
    outside = not_idle.credit
    idle = in_base({c: v - outside[c] if c in outside else v for c, v in totals.credit.items()})
    base = fx.base

    def money(minor: int) -> Decimal:
        return from_minor(minor, base)

    return Liquidity(
        net_position_average=money(round_half_away(int(total.sum()), days)),
        net_position_closing=money(int(total[-1])),
        peak_debit=money(int(-debit.min()) if days else 0),
        overdraft_days=int((totals.negative_count > 0).sum()),
        average_idle_credit=money(round_half_away(int(idle.sum()), days)),
    ), total
