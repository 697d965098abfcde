"""Replay: what every simulation of one case shares, worked out lazily and once."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.baseline import Baseline, status_quo_of
from cashmgmt.engine.capacity import beyond, stated_limits
from cashmgmt.engine.fx import DailyFx, daily_fx
from cashmgmt.engine.interest import TermsTable, posting_periods, terms_table
from cashmgmt.model import Case

Int64Array = npt.NDArray[np.int64]


class Replay:
    """One case's shared parts: daily FX rates, the account index, the posting periods, the
    terms table and the status quo, each computed on first use and kept. The caller holds
    it (the design phase one for all its candidates); the case itself is never written to."""

    def __init__(self, case: Case) -> None:
        self.case = case

    @cached_property
    def fx(self) -> DailyFx:
        """Every currency's rate on every day of the history."""
        return daily_fx(self.case)

    @cached_property
    def periods(self) -> tuple[Int64Array, Int64Array]:
        """First day index of each posting period, and its posting day index."""
        history = self.case.balances
        return posting_periods(history.start, history.days)

    @property
    def starts(self) -> Int64Array:
        """First day index of each posting period."""
        return self.periods[0]

    @property
    def posting_days(self) -> Int64Array:
        """Posting day index of each period (month ends and the last day)."""
        return self.periods[1]

    @cached_property
    def index(self) -> AccountIndex:
        """Every account's facts by history row."""
        return AccountIndex.of_case(self.case)

    @cached_property
    def table(self) -> TermsTable:
        """Every account's terms as arrays, by history row."""
        index, history = self.index, self.case.balances
        return terms_table(
            index.terms, index.currency, index.currencies, history.start, history.days
        )

    @cached_property
    def baseline(self) -> Baseline:
        """The status quo's interest, daily totals and last-day balances."""
        fx = self.fx
        starts, posting_days = self.periods
        index = self.index
        return status_quo_of(self.case, fx, index, self.table, starts, posting_days, self.limits)

    @cached_property
    def limits(self) -> Int64Array:
        """Each history row's stated overdraft limit (capacity.stated_limits)."""
        return stated_limits(self.index)

    @cached_property
    def base_breach_days(self) -> int:
        """Days on which some account of the history closes beyond its stated limit (found
        while the status quo is posted)."""
        found = self.baseline.breach_days
        if found is not None:
            return found
        history = self.case.balances
        every = np.arange(len(history.accounts))
        return int(beyond(history.minor, every, self.limits).sum())

    @cached_property
    def unpoolable(self) -> frozenset[str]:
        """The accounts no structure may sweep or pool (restricted, or a facility's)."""
        return frozenset(a.id for a in self.case.accounts if a.restricted or a.facility is not None)


def replay_for(case: Case, replay: Replay | None) -> Replay:
    """`replay`, checked to be the case's own, or a new one for the call."""
    if replay is None:
        return Replay(case)
    if replay.case is not case:
        raise ValueError("the replay given was made for another case")
    return replay
