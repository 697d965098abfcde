"""Change: a structure's side of the comparison with the status quo, by history row."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.fees import no_fees
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import FeeResult, IntercompanyResult
from cashmgmt.engine.totals import Aggregates, Side, aggregates
from cashmgmt.model import Case

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class Change:
    """Every account under a structure, in base minor units unless said otherwise."""

    side: Side  # each account's interest
    closing: Int64Array  # each account's last-day balance, own currency
    totals: Aggregates  # the group's daily totals
    tops: Int64Array  # history rows whose credit is not idle: top headers, a pool's header
    top_totals: Aggregates  # their daily totals
    fees: FeeResult
    intercompany: tuple[IntercompanyResult, ...] = ()
    #: Net intercompany interest by entity (received > 0).
    intercompany_interest: Mapping[str, int] = attrs.field(factory=dict)
    #: (2, accounts) shortfall days and peak shortfall, own currency (None: none short).
    shortfall: Int64Array | None = None
    #: Days on which some account closes beyond its stated overdraft limit (None: as the
    #: status quo).
    breach_days: int | None = None


def unchanged(case: Case, replay: Replay, tops: Int64Array) -> Change:
    """The status quo as a structure's side, before a pool nets its members (`tops`: the
    rows whose credit is not idle)."""
    base = replay.baseline
    return Change(
        base.side.copy(),
        base.last.copy(),
        base.aggregates,
        tops,
        aggregates(case.balances.minor, tops, replay.index, tops),
        no_fees(case.base_currency),
    )
