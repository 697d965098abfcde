"""A structure's bank fees over the period, in the base currency."""

from __future__ import annotations

from decimal import Decimal

from cashmgmt.engine.results import FeeResult
from cashmgmt.model import Case, Fees
from cashmgmt.money import Money, from_minor, round_money


def no_fees(currency: str) -> FeeResult:
    """Nothing charged, in `currency`."""
    return FeeResult(*(from_minor(0, currency),) * 3, sweeps=0, per_month=from_minor(0, currency))


def fees_of(case: Case, fees: Fees, sweeps: int, accounts: int, months: int) -> FeeResult:
    """`fees` for `sweeps` transfers and `accounts` accounts over `months` posting periods
    (and the structure's own fee for each of those months), each converted at the last
    day's rate; set-up spread over the case's `contract_months` in annual figures."""
    end = case.balances.end

    def base(fee: Money | None, count: int) -> Decimal:
        if fee is None or count == 0:
            return from_minor(0, case.base_currency)
        rate = case.fx.rate(fee.currency, end) if fee.currency != case.base_currency else 1
        return round_money(fee.amount * count * rate, case.base_currency)

    return FeeResult(
        per_sweep=base(fees.per_sweep, sweeps),
        per_account_month=base(fees.per_account_month, accounts * months),
        setup=base(fees.setup, 1),
        sweeps=sweeps,
        per_month=base(fees.per_month, months),
        contract_months=case.contract_months,
    )


def plus(fees: FeeResult, more: FeeResult) -> FeeResult:
    """Both sets of fees, item by item; the sweeps are `fees`'s."""
    return FeeResult(
        fees.per_sweep + more.per_sweep,
        fees.per_account_month + more.per_account_month,
        fees.setup + more.setup,
        fees.sweeps,
        fees.per_month + more.per_month,
        fees.contract_months,
    )
