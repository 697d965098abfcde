"""Celebrate (庆祝成功): the success summary of the mandate. Its figures come from the
simulation on past balances: the RM reads them (`cycle --json`'s `success`), the client's
letter does not print them until the review phase measures them on actual balances."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from cashmgmt.cycle.design import Design


@attrs.frozen
class Success:
    """Expected figures of the structure (from its simulation on the group's balances, until
    the review phase measures them after go-live)."""

    structure: str | None
    benefit_annual: Decimal
    interest_gain: Decimal  # structure net interest - status quo, over the period
    fees: Decimal
    overdraft_days_before: int
    overdraft_days_after: int
    peak_debit_before: Decimal
    peak_debit_after: Decimal
    idle_credit_before: Decimal
    idle_credit_after: Decimal
    days: int
    tax: Decimal = Decimal(0)  # withholding tax and VAT on intercompany interest, the period
    structures: tuple[str, ...] = ()  # the solution's structures, largest first

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as decimal strings."""
        out = attrs.asdict(self, recurse=False)
        return {
            k: str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v
            for k, v in out.items()
        }


def celebrate(design: Design) -> Success | None:
    """The success summary of the recommendation: the solution's structures together (None
    when none was recommended)."""
    chosen, r = design.chosen, design.result
    if chosen is None or r is None:
        return None
    return Success(
        structure=chosen.id,
        benefit_annual=r.benefit_annual,
        interest_gain=r.structure.net - r.baseline.net,
        fees=r.fees.total,
        overdraft_days_before=r.baseline_liquidity.overdraft_days,
        overdraft_days_after=r.structure_liquidity.overdraft_days,
        peak_debit_before=r.baseline_liquidity.peak_debit,
        peak_debit_after=r.structure_liquidity.peak_debit,
        idle_credit_before=r.baseline_liquidity.average_idle_credit,
        idle_credit_after=r.structure_liquidity.average_idle_credit,
        days=r.days,
        tax=r.tax.total,
        structures=tuple(c.id for c in design.members),
    )
