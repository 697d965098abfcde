"""Plausible variants: target buffers sized from each account's own outflow need, net of the
group's own transfers, and bounded so the header can hold them; and generated structures
that differ from the others only by name are left out (docs/assess-and-design.md, "Target
buffers" and "Distinct candidates")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cashmgmt.model import Account, Case, NotionalPool, PhysicalStructure
from cashmgmt.money import exponent

#: A buffer is a whole number of this many units of its currency (1,000 EUR, 1,000 JPY...).
BUFFER_STEP = 1000
#: The share of an account's days with an outflow that its buffer covers (the 95th
#: percentile, "higher" method: an outflow that actually happened).
BUFFER_PERCENTILE = 95

Int64Array = npt.NDArray[np.int64]


def movements(case: Case, account: str) -> Int64Array:
    """An account's daily movement in minor units: the change of its end-of-day balance from
    the day before (0 on the history's first day)."""
    row = case.balances.row(account)
    out = np.zeros_like(row)
    out[1:] = np.diff(row)
    return out


def own_transfers(case: Case, currency: str) -> dict[str, Int64Array]:
    """Per account in `currency`, the part of each day's movement that is the group's own
    transfer (minor units; negative on the paying account, positive on the receiving one).

    A transfer leaves one of the group's accounts and arrives at another the same day, in the
    same currency (at any bank): a fall on one account and a rise of exactly the same size on
    another, the same day, are a transfer. Falls are matched largest first (then by account
    id), each to the first account in the case's order with that rise, and each movement at
    most once. End-of-day balances show only each account's net movement, so a transfer mixed
    with the same day's payments or receipts is not seen: the bound on the buffers
    (`header_capacity`) holds whatever is found.
    """
    ids = [a.id for a in case.accounts if a.currency == currency and a.id in case.balances.accounts]
    out = {a: np.zeros(case.balances.days, dtype=np.int64) for a in ids}
    if len(ids) < 2:
        return out
    stack = np.stack([movements(case, a) for a in ids])
    own = np.zeros_like(stack)
    up_i, up_d = np.nonzero(stack > 0)
    down_i, down_d = np.nonzero(stack < 0)
    rising = set(zip(up_d.tolist(), stack[up_i, up_d].tolist(), strict=True))
    sizes = (-stack[down_i, down_d]).tolist()
    days = sorted({d for d, v in zip(down_d.tolist(), sizes, strict=True) if (d, v) in rising})
    for day in days:  # only the days on which some fall has a rise of its size
        column = stack[:, day]
        rises: dict[int, list[int]] = {}
        for i in np.flatnonzero(column > 0):
            rises.setdefault(int(column[i]), []).append(int(i))
        for i in sorted(np.flatnonzero(column < 0), key=lambda k: (int(column[k]), ids[k])):
            takers = rises.get(-int(column[i]))
            if takers:
                j = takers.pop(0)
                own[i, day], own[j, day] = column[i], column[j]
    return {a: own[k] for k, a in enumerate(ids)}


def outflow_need(case: Case, account: Account, transfers: Mapping[str, Int64Array]) -> int:
    """An account's own outflow need in minor units: the 95th percentile of its daily falls
    after the group's own transfers are taken out, rounded up to a whole BUFFER_STEP of its
    currency; 0 if nothing but the group's own transfers ever left it."""
    own = transfers.get(account.id)
    falls = -movements(case, account.id)
    if own is not None:
        falls = falls + np.minimum(own, 0)  # a transfer out is not a need
    falls = falls[falls > 0]
    if falls.size == 0:
        return 0
    p = int(np.percentile(falls, BUFFER_PERCENTILE, method="higher"))
    step = BUFFER_STEP * 10 ** exponent(account.currency)
    return int(-(-p // step) * step)


def header_capacity(case: Case, members: Sequence[Account]) -> int:
    """What the header can hold as buffers, in minor units: the pool's lowest daily net
    position over the history (the members' balances added up, header included), never below
    0. Buffers within it leave the header in credit on every day of the history, so never
    below its floor (its overdraft limit, or 0): it never borrows to keep cash on the
    participants."""
    net = np.sum([case.balances.row(a.id) for a in members], axis=0)
    return max(0, int(net.min())) if net.size else 0


def bounded(needs: Mapping[str, int], capacity: int, currency: str) -> dict[str, int]:
    """The buffers: each account's need, or, when the needs add up to more than the header's
    capacity, each need scaled by capacity / total and rounded down to a whole BUFFER_STEP
    (so the buffers never add up to more than the capacity)."""
    total = sum(needs.values())
    if total <= capacity:
        return dict(needs)
    step = BUFFER_STEP * 10 ** exponent(currency)
    return {a: (need * capacity // total) // step * step for a, need in needs.items()}


def target_buffers(
    case: Case,
    members: Sequence[Account],
    head: Account,
    transfers: Mapping[str, Int64Array] | None = None,
) -> dict[str, int]:
    """The target buffer of every member but the header, in minor units of their currency:
    its own outflow need net of the group's own transfers (`own_transfers` of the header's
    currency, worked out here unless given), bounded by the header's capacity."""
    if transfers is None:
        transfers = own_transfers(case, head.currency)
    needs = {a.id: outflow_need(case, a, transfers) for a in members if a.id != head.id}
    return bounded(needs, header_capacity(case, members), head.currency)


def _key(structure: Any) -> Any:
    """What a structure does, without its id, name and fees: physical structures by their
    rules (in any order) and sweep days, notional pools by their members and terms."""
    if isinstance(structure, PhysicalStructure):
        rules = sorted(structure.rules, key=repr)
        return ("physical", tuple(rules), structure.sweep_days, repr(structure.header_limit))
    if isinstance(structure, NotionalPool):
        return (
            "notional",
            structure.currency,
            tuple(sorted(structure.accounts)),
            structure.terms,
            structure.allocation,
            structure.header,
            repr(structure.shares),
            repr(structure.currency_terms),
            structure.offset_rate,
            structure.haircut,
        )
    return (structure.kind, _key(structure.physical), _key(structure.pool))


def distinct(written: Iterable[Any], generated: Iterable[tuple[Any, str]]) -> list[Any]:
    """The generated structures (with their descriptions) that do something no structure of
    the case and no earlier generated one does: equal rules are one candidate, not two."""
    seen = {_key(s) for s in written}
    out = []
    for structure, description in generated:
        key = _key(structure)
        if key not in seen:
            seen.add(key)
            out.append((structure, description))
    return out
