"""The netting gap by scope: what a same-currency pool at one bank, a same-currency sweep
across banks and a multi-currency pool could each close of the debit interest the group pays
while it holds credit (docs/assess-and-design.md, "The netting gap").

Each scope offsets, day by day, the debit of its poolable accounts against their credit:
the day's offset is min(credit, debit) in the scope (in the currency for one currency, in the
base currency at the day's rate across currencies). The offset is taken off the debit
accounts pro rata to their debit and off the credit accounts pro rata to their credit, each
share rounded down to the minor unit, and the accounts' own terms are posted again on what is
left (the engine's posting, tiers, limits and penalty included). What the debit side pays
less is the gap; what the credit side earns less is the credit interest the offset forgoes.
A day without credit in the scope offsets nothing, so no figure exceeds the debit interest of
the days on which there was credit to offset it.

The scopes are nested: the sweep across banks starts from what the one-bank pools leave, and
the multi-currency pool from what the sweeps leave, so each figure includes the one before.
Restricted accounts and facilities' accounts are never offset (they are not poolable).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.interest import post
from cashmgmt.engine.limits import in_range
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.totals import to_base
from cashmgmt.model import Account, Case
from cashmgmt.money import from_minor, round_half_away

Int64Array = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

Scope = Literal["one-bank", "multi-bank", "multi-currency"]
#: The scopes in order, each including the one before.
SCOPES: tuple[Scope, ...] = ("one-bank", "multi-bank", "multi-currency")


@attrs.frozen
class AccountFigure:
    """One account's part in a diagnostic: where the figure comes from."""

    account: str
    entity: str
    bank: str
    amount: Decimal  # base currency
    days: int


@attrs.frozen
class NettingGap:
    """What one scope could close: a same-currency pool at one bank (`one-bank`, currency
    and bank given), a same-currency sweep across banks (`multi-bank`, bank None) or a
    multi-currency pool of the group (`multi-currency`, currency and bank None)."""

    scope: Scope
    currency: str | None
    bank: str | None
    offset_days: int  # days with both credit and debit in the scope
    average_offset: Decimal  # base currency: min(credit, debit) each day, averaged over days
    interest_per_year: Decimal  # debit and penalty interest the offset closes, annualised
    credit_interest_forgone_per_year: Decimal  # credit interest the offset credit stops earning
    debit_interest_per_year: Decimal  # debit and penalty interest the scope's accounts pay now
    accounts: tuple[AccountFigure, ...]  # each debit account relieved: interest closed a
    # year, days on which it was in debit while the scope held credit; most closed first

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as decimal strings."""
        out: dict[str, Any] = {}
        for key, value in attrs.asdict(self, recurse=False).items():
            if isinstance(value, Decimal):
                out[key] = format(value, "f")
            elif key == "accounts":
                out[key] = [
                    {
                        "account": a.account,
                        "entity": a.entity,
                        "bank": a.bank,
                        "amount": format(a.amount, "f"),
                        "days": a.days,
                    }
                    for a in value
                ]
            else:
                out[key] = value
        return out


def _offset(
    balances: ObjectArray, measure: Int64Array, groups: Sequence[Int64Array]
) -> tuple[ObjectArray, list[Int64Array]]:
    """`balances` (rows × days, Python ints) with each group's daily offset taken off its
    debit and credit rows pro rata, each share rounded down; `measure`: the same balances in
    the unit the group's credit and debit are compared in. Returns the new balances and each
    group's daily offset in `measure`'s unit."""
    out = balances.copy()
    offsets = []
    for rows in groups:
        unit = measure[rows]
        credit = np.maximum(unit, 0).sum(axis=0)
        debit = np.maximum(-unit, 0).sum(axis=0)
        offset = np.minimum(credit, debit)
        offsets.append(offset)
        if not offset.any():
            continue
        part = balances[rows]
        o = offset.astype(object)
        cut_debit = (np.maximum(-part, 0) * o) // np.maximum(debit, 1).astype(object)
        cut_credit = (np.maximum(part, 0) * o) // np.maximum(credit, 1).astype(object)
        out[rows] = part + cut_debit - cut_credit
    return out, offsets


def _groups(keys: Sequence[Hashable]) -> tuple[list[Hashable], list[Int64Array]]:
    """The distinct keys in first-seen order and the rows of each."""
    order: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        order.setdefault(key, []).append(i)
    return list(order), [np.array(v, dtype=np.int64) for v in order.values()]


def netting_gaps(
    case: Case, held: Replay, poolable: npt.NDArray[np.bool_]
) -> tuple[list[NettingGap], dict[Scope, Decimal]]:
    """Every scope's netting gap, for the groups of poolable accounts with some debit:
    one-bank rows per (currency, bank), then multi-bank rows per currency, then the group;
    and what each scope closes over the whole group a year (annualised once, from the sum
    of its accounts' interest, so not the sum of its rounded rows)."""
    history = case.balances
    days = history.days
    code = case.base_currency
    rows = np.flatnonzero(poolable)
    totals: dict[Scope, Decimal] = dict.fromkeys(SCOPES, from_minor(0, code))
    if not rows.size or not days:
        return [], totals
    accounts: list[Account] = [case.account(history.accounts[i]) for i in rows.tolist()]
    currency_of = [held.index.currency_of[i] for i in rows.tolist()]
    every_day = np.arange(days)
    minor = history.minor[rows]

    def in_base(matrix: Int64Array, currencies: Sequence[str]) -> Int64Array:
        return held.fx.convert(matrix, currencies, every_day)

    base_now = in_base(minor, currency_of)
    starts, posting_days = held.periods
    table = held.table.take(rows)
    side = held.baseline.side
    paid_now = (side.debit + side.penalty)[rows]
    earned_now = side.credit[rows]

    def posted(balances: ObjectArray) -> tuple[Int64Array, Int64Array]:
        """Debit and penalty paid, credit earned, per row in base minor units."""
        with in_range(case, lambda r: accounts[r].id):
            postings = post(balances.astype(np.int64), table, starts)
        after = to_base(
            held.fx, postings, held.index.currency[rows], held.index.currencies, posting_days
        )
        return after.debit + after.penalty, after.credit

    def per_year(minor_units: int) -> Decimal:
        return from_minor(round_half_away(minor_units * 365, days), code)

    def average(minor_units: int) -> Decimal:
        return from_minor(round_half_away(minor_units, days), code)

    scopes: list[tuple[Scope, Callable[[int], Hashable]]] = [
        ("one-bank", lambda i: (currency_of[i], accounts[i].bank)),
        ("multi-bank", lambda i: (currency_of[i], None)),
        ("multi-currency", lambda i: (None, None)),
    ]
    balances: ObjectArray = minor.astype(object)
    in_debit = minor < 0
    found: list[NettingGap] = []
    for scope, key_of in scopes:
        keys, groups = _groups([key_of(i) for i in range(len(rows))])
        if scope == "multi-currency":
            residual = in_base(balances.astype(np.int64), currency_of)
            _, whole = _offset(base_now.astype(object), base_now, groups)
        else:
            residual = balances.astype(np.int64)
            _, whole = _offset(minor.astype(object), minor, groups)
        balances, _ = _offset(balances, residual, groups)
        paid, earned = posted(balances)
        closed = paid_now - paid
        forgone = earned_now - earned
        totals[scope] = per_year(int(closed.sum()))
        for key, members, offset in zip(keys, groups, whole, strict=True):
            assert isinstance(key, tuple)
            currency, bank = key
            if not in_debit[members].any():
                continue
            in_currency = currency is not None
            offset_base = in_base(offset[None, :], [currency])[0] if in_currency else offset
            covered = in_debit[members] & (offset > 0)[None, :]
            figures = sorted(
                (
                    AccountFigure(
                        accounts[i].id,
                        accounts[i].entity,
                        accounts[i].bank,
                        per_year(int(closed[i])),
                        int(covered[k].sum()),
                    )
                    for k, i in enumerate(members.tolist())
                    if closed[i] or covered[k].any()
                ),
                key=lambda f: (-f.amount, f.account),
            )
            found.append(
                NettingGap(
                    scope=scope,
                    currency=currency,
                    bank=bank,
                    offset_days=int((offset > 0).sum()),
                    average_offset=average(int(offset_base.sum())),
                    interest_per_year=per_year(int(closed[members].sum())),
                    credit_interest_forgone_per_year=per_year(int(forgone[members].sum())),
                    debit_interest_per_year=per_year(int(paid_now[members].sum())),
                    accounts=tuple(figures),
                )
            )
    order = {s: n for n, s in enumerate(SCOPES)}
    found.sort(key=lambda g: (order[g.scope], -g.interest_per_year, g.currency or "", g.bank or ""))
    return found, totals
