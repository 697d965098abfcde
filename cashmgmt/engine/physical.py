"""Physical sweeps replayed on the history (docs/simulation.md, "Physical structures").

Rules run level by level, leaves first, so a sub-header's inflows are complete before its own
rule runs. Two-way zero-balance and target rules have a closed form over all days at once;
threshold, range and one-way rules depend on their own past and run day by day, vectorised
across every such rule of the level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.calendar import sweep_days
from cashmgmt.model import PhysicalStructure, SweepRule
from cashmgmt.money import to_minor

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
BIG = 1 << 62


@attrs.frozen
class SweepOutcome:
    """The structure's accounts (rows of `closing`) and each rule's daily transfer."""

    accounts: tuple[str, ...]
    closing: Int64Array  # (accounts × days) closing balances after the evening's sweeps
    transfers: Int64Array  # (rules × days), rules in the structure's order; > 0: to header
    masks: BoolArray  # (rules × days) the days each rule sweeps


def levels(rules: tuple[SweepRule, ...]) -> list[list[int]]:
    """Rule indexes grouped by the height of their participant: leaves first."""
    children: dict[str, list[str]] = {}
    for rule in rules:
        children.setdefault(rule.header, []).append(rule.participant)
    height: dict[str, int] = {}

    def h(account: str) -> int:
        if account not in height:
            height[account] = 1 + max((h(c) for c in children.get(account, [])), default=-1)
        return height[account]

    grouped: dict[int, list[int]] = {}
    for i, rule in enumerate(rules):
        grouped.setdefault(h(rule.participant), []).append(i)
    return [grouped[k] for k in sorted(grouped)]


def _band(rule: SweepRule, currency: str) -> tuple[int, int, int]:
    """(target, low, high): the rule sweeps b - target when b > high or b < low."""

    def m(value: object) -> int:
        assert value is not None
        return to_minor(value.amount, currency)  # type: ignore[attr-defined]

    if rule.kind == "zero-balance":
        target, low, high = 0, 0, 0
    elif rule.kind == "target":
        target = m(rule.target)
        low = high = target
    elif rule.kind == "threshold":
        target, minimum = m(rule.target), m(rule.minimum)
        low, high = target - minimum + 1, target + minimum - 1
    else:
        target, low, high = m(rule.target), m(rule.low), m(rule.high)
    if rule.direction == "up":
        low = -BIG
    elif rule.direction == "down":
        high = BIG
    return target, low, high


def run_sweeps(
    structure: PhysicalStructure,
    history: Int64Array,
    row_of: Mapping[str, int],
    country_of: Mapping[str, str],
    currency_of: Mapping[str, str],
    start: date,
    mask_for: Callable[[str, tuple[str, ...], date, int], BoolArray] = sweep_days,
) -> SweepOutcome:
    """Replay `history` (all accounts × days) through the structure's sweeps.

    A participant's closing balance is the running sum of its own flows, plus what its own
    participants swept in, less what it swept out; an account that sweeps nowhere (a top
    header) keeps its history plus the running sum of what it received.
    """
    accounts = structure.accounts
    local = {a: i for i, a in enumerate(accounts)}
    days = history.shape[1]
    rules = structure.rules
    inflow = np.zeros((len(accounts), days), dtype=np.int64)
    has_inflow = np.zeros(len(accounts), dtype=np.bool_)
    closing = np.empty((len(accounts), days), dtype=np.int64)
    transfers = np.zeros((len(rules), days), dtype=np.int64)
    known: dict[tuple[str, ...], int] = {}
    calendars: list[BoolArray] = []
    mask_id = np.empty(len(rules), dtype=np.int64)
    for i, rule in enumerate(rules):
        countries = tuple(sorted({country_of[rule.participant], country_of[rule.header]}))
        if countries not in known:
            known[countries] = len(calendars)
            calendars.append(mask_for(structure.sweep_days, countries, start, days))
        mask_id[i] = known[countries]
    masks = np.stack(calendars)[mask_id] if rules else np.zeros((0, days), dtype=np.bool_)
    for level in levels(rules):
        level_a = np.array(level)
        participants = np.array([local[rules[i].participant] for i in level])
        headers = np.array([local[rules[i].header] for i in level])
        own = np.diff(history[[row_of[accounts[p]] for p in participants]], axis=1, prepend=0)
        receiving = has_inflow[participants]
        if receiving.any():
            own[receiving] += inflow[participants[receiving]]
        bands = np.array(
            [_band(rules[i], currency_of[rules[i].participant]) for i in level], dtype=np.int64
        )
        linear = np.array(
            [
                rules[i].kind in ("zero-balance", "target") and rules[i].direction == "two-way"
                for i in level
            ],
            dtype=np.bool_,
        )
        sweeps = np.zeros_like(own)
        for calendar in np.unique(mask_id[level_a[linear]]):
            rows = np.flatnonzero(linear & (mask_id[level_a] == calendar))
            sweeps[rows] = _closed_form(own[rows], calendars[calendar], bands[rows, 0])
        if (~linear).any():
            sweeps[~linear] = _day_by_day(own[~linear], masks[level_a[~linear]], bands[~linear])
        transfers[level_a] = sweeps
        own -= sweeps
        closing[participants] = np.cumsum(own, axis=1)
        order = np.argsort(headers, kind="stable")
        unique, first = np.unique(headers[order], return_index=True)
        inflow[unique] += np.add.reduceat(sweeps[order], first, axis=0)
        has_inflow[unique] = True
    swept = {local[r.participant] for r in rules}
    for top in (i for i in range(len(accounts)) if i not in swept):
        closing[top] = history[row_of[accounts[top]]] + np.cumsum(inflow[top])
    return SweepOutcome(accounts, closing, transfers, masks)


def _closed_form(own: Int64Array, calendar: BoolArray, targets: Int64Array) -> Int64Array:
    """Two-way target (zero-balance: target 0) rules sharing one calendar: after a sweep the
    balance is the target, so a sweep moves the flows since the previous sweep (the first
    time: all flows so far less the target)."""
    result = np.zeros_like(own)
    when = np.flatnonzero(calendar)
    if when.size == 0:
        return result
    at_sweeps = np.cumsum(own, axis=1)[:, when]
    moved = np.empty_like(at_sweeps)
    moved[:, 0] = at_sweeps[:, 0] - targets
    moved[:, 1:] = np.diff(at_sweeps, axis=1)
    result[:, when] = moved
    return result


def _day_by_day(own: Int64Array, masks: BoolArray, bands: Int64Array) -> Int64Array:
    """Threshold, range and one-way rules: s = b - target when b leaves [low, high]."""
    days = own.shape[1]
    flows = np.ascontiguousarray(own.T)
    sweep_on = np.ascontiguousarray(masks.T)
    any_sweep = np.asarray(sweep_on.any(axis=1), dtype=np.bool_)
    target, low, high = bands[:, 0], bands[:, 1], bands[:, 2]
    out = np.zeros_like(flows)
    balance = np.zeros(own.shape[0], dtype=np.int64)
    pre = np.empty_like(balance)
    outside = np.empty(own.shape[0], dtype=np.bool_)
    below = np.empty_like(outside)
    for d in range(days):
        np.add(balance, flows[d], out=pre)
        if any_sweep[d]:
            np.greater(pre, high, out=outside)
            np.less(pre, low, out=below)
            outside |= below
            outside &= sweep_on[d]
            moved = np.where(outside, pre - target, 0)
            out[d] = moved
            np.subtract(pre, moved, out=balance)
        else:
            balance, pre = pre, balance
    result: Int64Array = np.ascontiguousarray(out.T)
    return result
