"""What the assess phase reads of the status quo: balances and interest in the base currency."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.model import Case

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class StatusQuo:
    """The history as it is, in base minor units; accounts in the history's order. A daily
    total (`daily_*`) sums each currency's balances first and converts that sum once at the
    day's rate, as the simulation's liquidity does (engine/liquidity.py), so the status quo's
    peak debit is one figure wherever it is printed; a per-account figure converts each
    account's balance at the day's rate."""

    currency: str
    accounts: tuple[str, ...]
    daily_credit: Int64Array  # (days,) the credit balances of all accounts
    daily_debit: Int64Array  # (days,) the size of the debit balances of all accounts
    account_credit: Int64Array  # (accounts,) each account's credit balances over the days
    account_debit: Int64Array  # (accounts,) the size of its debit balances over the days
    interest_paid: Int64Array  # (accounts,) debit and penalty interest over the period
    poolable: BoolArray  # (accounts,) neither restricted nor a facility's account
    facility: BoolArray  # (accounts,) the account of a committed facility
    daily_poolable_credit: Int64Array  # (days,) credit balances of the poolable accounts
    daily_poolable_debit: Int64Array  # (days,) debit sizes of the poolable accounts
    daily_overdraft_debit: Int64Array  # (days,) debit sizes outside facilities: overdrafts
    daily_facility_debit: Int64Array  # (days,) debit sizes of facilities: amounts drawn


def status_quo(case: Case, *, replay: Replay | None = None) -> StatusQuo:
    """The status quo's balances and interest paid (`replay`: the case's shared parts, if
    the caller holds them)."""
    held = replay_for(case, replay)
    base = held.baseline
    history = case.balances
    matrix = held.fx.convert(history.minor, held.index.currency_of, np.arange(history.days))
    credit = np.maximum(matrix, 0)
    debit = np.maximum(-matrix, 0)
    accounts = [case.account(a) for a in history.accounts]
    poolable = np.array([a.poolable for a in accounts], dtype=np.bool_)
    facility = np.array([a.facility is not None for a in accounts], dtype=np.bool_)
    local_credit = np.maximum(history.minor, 0)
    local_debit = np.maximum(-history.minor, 0)
    currency_of = list(held.index.currency_of)
    every_day = np.arange(history.days)

    def daily(local: Int64Array, rows: BoolArray) -> Int64Array:
        """The day's total of `rows` in base minor units: each currency's sum converted once
        (one rounding per currency and day, the simulation's rule)."""
        codes = sorted({c for c, keep in zip(currency_of, rows.tolist(), strict=True) if keep})
        if not codes:
            return np.zeros(history.days, dtype=np.int64)
        sums = np.stack(
            [local[rows & np.array([c == code for c in currency_of])].sum(axis=0) for code in codes]
        )
        converted: Int64Array = held.fx.convert(sums, codes, every_day).sum(axis=0)
        return converted

    everyone = np.ones(len(accounts), dtype=np.bool_)
    return StatusQuo(
        case.base_currency,
        history.accounts,
        daily(local_credit, everyone),
        daily(local_debit, everyone),
        credit.sum(axis=1),
        debit.sum(axis=1),
        base.side.debit + base.side.penalty,
        poolable,
        facility,
        daily(local_credit, poolable),
        daily(local_debit, poolable),
        daily(local_debit, ~facility),
        daily(local_debit, facility),
    )
