"""Materiality of the amounts behind a need score: how much an amount at stake weighs against
the group's revenue and balances (docs/assess-and-design.md, "Materiality").

An amount earns its evidence's full points when it is material, none when it is clearly
trivial, and a share in between (linear). Two kinds of amounts are weighed:

- a *flow*, a recurring amount a year (a netting gap, debit interest): against revenue and
  against the group's average gross balances (as a yield on them); the more material of the
  two counts, and nothing counts below the running fee of the smallest structure;
- a *stock*, an average balance (idle or trapped credit): against revenue and against the
  group's average credit; both must be material (the less material of the two counts).

The thresholds are stated assumptions anchored on audit practice (ISA 320 and ISA 450): an
audit's overall materiality is commonly 0.5 % to 1 % of revenue, performance materiality
about half of it, and an amount below about 5 % of it is "clearly trivial".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from cashmgmt.model import Case
from cashmgmt.money import round_money, round_ratio
from cashmgmt.reference.rates import reference_usd_rates

#: Overall materiality as a share of revenue: the lower end of the 0.5 %-1 % of revenue
#: commonly applied under ISA 320 (ciferi.com, "ISA 320 materiality guide" and its retail
#: benchmark page, read 2026-11-30).
MATERIALITY_OF_REVENUE = Decimal("0.005")
#: Clearly trivial (ISA 450.A2) as a share of overall materiality: 5 %, a common audit-firm
#: policy (a stated assumption: ISA 450 names no percentage).
CLEARLY_TRIVIAL = Decimal("0.05")
#: Performance materiality (ISA 320.11) as a share of overall materiality: 50 %, the lower
#: end of the 50 %-75 % commonly applied (a stated assumption).
PERFORMANCE = Decimal("0.5")

#: A flow a year is clearly trivial below 5 % x 0.5 % = 0.025 % (2.5 basis points) of revenue
#: and earns full points at 50 % x 0.5 % = 0.25 % (25 bp): a recurring saving is judged like
#: a misstatement of profit repeated every year.
FLOW_TRIVIAL_OF_REVENUE = MATERIALITY_OF_REVENUE * CLEARLY_TRIVIAL
FLOW_FULL_OF_REVENUE = MATERIALITY_OF_REVENUE * PERFORMANCE
#: A flow a year as a yield on the group's average gross balances: trivial below 2.5 bp,
#: full at 25 bp (a stated assumption: a quarter of a percentage point on the balances is a
#: rate difference a treasurer negotiates for; a fortieth of a point is not).
FLOW_TRIVIAL_OF_BALANCES = Decimal("0.00025")
FLOW_FULL_OF_BALANCES = Decimal("0.0025")
#: No flow is material below the yearly running fee of the smallest structure the design
#: generates: 2 accounts x 50 USD a month (docs/assess-and-design.md, "Candidates") =
#: 1,200 USD a year; a structure would cost more than it closes.
FEE_FLOOR_USD = Decimal(1200)

#: A stock (an average balance) is trivial below overall materiality (0.5 % of revenue) and
#: earns full points at ten times it (5 % of revenue) (a stated assumption).
STOCK_TRIVIAL_OF_REVENUE = MATERIALITY_OF_REVENUE
STOCK_FULL_OF_REVENUE = MATERIALITY_OF_REVENUE * 10
#: ... and against the group's average credit: trivial below 5 %, full at 25 % (a stated
#: assumption: a quarter of the group's cash is a structural matter, a twentieth is not).
STOCK_TRIVIAL_OF_CREDIT = Decimal("0.05")
STOCK_FULL_OF_CREDIT = Decimal("0.25")


@attrs.frozen
class Materiality:
    """The yardsticks of one case, in its base currency."""

    currency: str
    revenue: Decimal | None  # annual revenue in the base currency (None: no rate to say)
    balances: Decimal  # average gross balances (credit + debit size)
    credit: Decimal  # average credit
    fee_floor: Decimal  # FEE_FLOOR_USD in the base currency (0: no USD rate)
    flow_trivial: Decimal  # a flow a year below this scores nothing
    flow_full: Decimal  # the smallest flow a year that scores in full (on revenue)
    stock_trivial: Decimal  # a stock below this scores nothing (on revenue)
    stock_full: Decimal  # the smallest stock that scores in full (on revenue)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as decimal strings."""
        return {
            k: None if v is None else format(v, "f") if isinstance(v, Decimal) else v
            for k, v in attrs.asdict(self).items()
        }

    def flow(self, amount: Decimal) -> Decimal:
        """The weight (0 to 1) of an amount a year."""
        if amount <= 0 or amount < self.fee_floor:
            return Decimal(0)
        weights = [
            ramp(
                amount,
                self.balances * FLOW_TRIVIAL_OF_BALANCES,
                self.balances * FLOW_FULL_OF_BALANCES,
            )
        ]
        if self.revenue is not None:
            weights.append(ramp(amount, self.flow_trivial, self.flow_full))
        return max(weights)

    def stock(self, amount: Decimal) -> Decimal:
        """The weight (0 to 1) of an average balance."""
        if amount <= 0:
            return Decimal(0)
        weights = [
            ramp(amount, self.credit * STOCK_TRIVIAL_OF_CREDIT, self.credit * STOCK_FULL_OF_CREDIT)
        ]
        if self.revenue is not None:
            weights.append(ramp(amount, self.stock_trivial, self.stock_full))
        return min(weights)


def ramp(amount: Decimal, trivial: Decimal, full: Decimal) -> Decimal:
    """0 below `trivial`, 1 from `full`, linear between."""
    if amount < trivial:
        return Decimal(0)
    if amount >= full or full <= trivial:
        return Decimal(1)
    return (amount - trivial) / (full - trivial)


def scaled_points(full: int, weight: Decimal) -> int:
    """`full` points times a weight, to the nearest point (half to even)."""
    return int(round_ratio(full * weight, 0))


def case_per_usd(case: Case) -> Decimal | None:
    """Units of the base currency per USD from the case itself: 1 for a USD case, else its
    FX table on the history's last day (None if the table has no USD rate)."""
    if case.base_currency == "USD":
        return Decimal(1)
    try:
        return case.fx.rate("USD", case.balances.end)
    except KeyError:
        return None


def _per_usd(case: Case) -> Decimal | None:
    """Units of the base currency per USD: the case's own (case_per_usd), else the
    reference table."""
    own = case_per_usd(case)
    return own if own is not None else reference_usd_rates().rate(case.base_currency)


def materiality(
    case: Case, revenue_usd: Decimal, balances: Decimal, credit: Decimal
) -> Materiality:
    """The yardsticks: revenue converted to the base currency (directly from the case's FX
    table when it can, else through the revenue in USD), the group's balances."""
    code = case.base_currency
    revenue = case.client.annual_revenue
    per_usd = _per_usd(case)
    in_base: Decimal | None
    if revenue.currency == code:
        in_base = revenue.amount
    else:
        try:
            in_base = revenue.amount * case.fx.rate(revenue.currency, case.balances.end)
        except KeyError:
            in_base = revenue_usd * per_usd if per_usd is not None else None
    if in_base is not None:
        in_base = round_money(in_base, code)

    def share(rate: Decimal) -> Decimal:
        return round_money((in_base or Decimal(0)) * rate, code)

    return Materiality(
        currency=code,
        revenue=in_base,
        balances=balances,
        credit=credit,
        fee_floor=round_money(FEE_FLOOR_USD * per_usd, code) if per_usd is not None else Decimal(0),
        flow_trivial=share(FLOW_TRIVIAL_OF_REVENUE),
        flow_full=share(FLOW_FULL_OF_REVENUE),
        stock_trivial=share(STOCK_TRIVIAL_OF_REVENUE),
        stock_full=share(STOCK_FULL_OF_REVENUE),
    )
