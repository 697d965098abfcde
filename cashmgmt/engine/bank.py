"""The proposing bank's side of a structure (docs/simulation.md, "The bank's side"): what it
gives up or gains in interest, earns in fees, and the value of the deposits it gains at its
funds-transfer price, per year. For the RM only: the renderer never reads it."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import round_fraction
from cashmgmt.engine.results import BankResult, FeeResult
from cashmgmt.model import Case
from cashmgmt.money import exponent, from_minor, round_half_away, to_minor
from cashmgmt.reference.ftp import ftp_rates

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def at_bank(case: Case) -> BoolArray:
    """Per history row: whether the account is held at the proposing bank."""
    return np.array(
        [case.at_proposing_bank(case.account(a)) for a in case.balances.accounts],
        dtype=np.bool_,
    )


def balance_change(case: Case, rows: Int64Array, closing: Int64Array) -> dict[int, int]:
    """For the structure's accounts at the proposing bank (history rows `rows`, whose daily
    balances under the structure are `closing`): the sum over the days of the structure's
    balance less the history's, in the account's minor units. Empty with no proposing bank."""
    if case.proposing_bank is None or rows.size == 0:
        return {}
    mine = at_bank(case)[rows]
    if not mine.any():
        return {}
    picked = np.flatnonzero(mine)
    history = case.balances.minor[rows[picked]]
    after = closing[picked]
    change = [
        int(a) - int(b)
        for a, b in zip(after.sum(axis=1).tolist(), history.sum(axis=1).tolist(), strict=True)
    ]
    return {int(rows[i]): c for i, c in zip(picked.tolist(), change, strict=True) if c}


def bank_side(
    case: Case,
    interest: Int64Array,
    fees: FeeResult,
    moved: Mapping[int, int],
) -> BankResult | None:
    """The proposing bank's figures per year in the base currency, from every account's
    interest on both sides (`interest`: the AccountTable rows, base minor units), the
    structure's fees and the balance changes at the bank (`balance_change`); None when the
    case names no proposing bank."""
    bank = case.proposing_bank
    if bank is None:
        return None
    code = case.base_currency
    days = case.balances.days
    mine = at_bank(case)
    # The bank earns debit and penalty interest and pays credit interest.
    earned_before = interest[1, mine].sum() + interest[2, mine].sum() - interest[0, mine].sum()
    earned_after = interest[4, mine].sum() + interest[5, mine].sum() - interest[3, mine].sum()
    interest_change = round_half_away((int(earned_after) - int(earned_before)) * 365, days)
    total = to_minor(fees.total, code)
    setup = to_minor(fees.setup, code)
    fee_income = round_fraction(
        Fraction((total - setup) * 365, days) + Fraction(setup * 12, fees.contract_months)
    )
    rates = ftp_rates(case.funds_transfer_price)
    by_currency: dict[str, int] = {}
    currencies = {a: case.account(a).currency for a in case.balances.accounts}
    for row, change in moved.items():
        cur = currencies[case.balances.accounts[row]]
        by_currency[cur] = by_currency.get(cur, 0) + change
    funding = 0
    unpriced = []
    end = case.balances.end
    for cur, change in sorted(by_currency.items()):
        rate = rates.get(cur)
        if rate is None:
            unpriced.append(cur)
            continue
        fx = Fraction(case.fx.rate(cur, end)) if cur != code else Fraction(1)
        scale = Fraction(10) ** (exponent(code) - exponent(cur))
        # average change in balances (change / days) × yearly rate, at the last day's FX
        funding += round_fraction(Fraction(rate) * change * fx * scale / days)
    return BankResult(
        bank=bank,
        interest_change=from_minor(interest_change, code),
        fee_income=from_minor(fee_income, code),
        funding_value=from_minor(funding, code),
        unpriced=tuple(unpriced),
    )
