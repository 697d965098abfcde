"""The status quo: the history's own interest, daily totals and last-day balances."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.capacity import floors_of
from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.interest import TermsTable, post_with_totals
from cashmgmt.engine.limits import in_range
from cashmgmt.engine.totals import Aggregates, Side, aggregates_of, to_base
from cashmgmt.model import Case

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class Baseline:
    """The status quo, which every structure of a case is compared with."""

    side: Side
    aggregates: Aggregates
    last: Int64Array  # each history row's balance on the last day
    #: Days on which some account closes beyond its stated limit (with `limits` given).
    breach_days: int | None = None


def status_quo_of(
    case: Case,
    fx: DailyFx,
    index: AccountIndex,
    table: TermsTable,
    starts: Int64Array,
    posting_days: Int64Array,
    limits: Int64Array | None = None,
) -> Baseline:
    """The history posted as it is: every account's interest in base minor units, the
    group's daily totals per currency and each account's last balance; with `limits`
    (capacity.stated_limits), the days on which some account closes beyond its limit, all
    in one pass over the history."""
    history = case.balances
    names = index.currencies
    with in_range(case, history.accounts.__getitem__):
        floors = None if limits is None else floors_of(limits)
        postings, totals, below = post_with_totals(
            history.minor, table, starts, index.currency, len(names), floors, reuse=True
        )
    return Baseline(
        to_base(fx, postings, index.currency, names, posting_days),
        aggregates_of(totals, names),
        history.minor[:, -1].copy(),
        None if limits is None else int(below.sum()),
    )
