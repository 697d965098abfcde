"""Overdraft limits as the engine reads them: each account's stated limit, and the days on
which some account closes beyond it (docs/simulation.md, "Funding within the header's
capacity")."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.kernels import NO_FLOOR, breach_days
from cashmgmt.money import to_minor

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NO_LIMIT = -1


def stated_limits(index: AccountIndex) -> Int64Array:
    """Each history row's overdraft limit in minor units of its currency (NO_LIMIT when its
    terms state none: it never breaches). Read once per distinct Terms object (the case
    loader shares equal terms), spread to the rows with numpy."""
    n = len(index.terms)
    _, first, of = np.unique(
        np.fromiter(map(id, index.terms), np.int64, n), return_index=True, return_inverse=True
    )
    known = np.full(first.size, NO_LIMIT, dtype=np.int64)
    for k, row in enumerate(first.tolist()):
        limit = index.terms[row].overdraft_limit
        if limit is not None:
            known[k] = to_minor(limit.amount, limit.currency)
    out: Int64Array = known[of.reshape(-1)]
    return out


def beyond(matrix: Int64Array, rows: Int64Array, limits: Int64Array) -> BoolArray:
    """(days,) whether some listed row of `matrix` closes beyond its limit that day (`limits`
    one per listed row; NO_LIMIT rows never do)."""
    limited = limits != NO_LIMIT
    below = np.zeros(matrix.shape[1], dtype=np.bool_)
    if limited.any():
        breach_days(
            np.ascontiguousarray(matrix),
            np.ascontiguousarray(rows[limited], dtype=np.int64),
            np.ascontiguousarray(-limits[limited], dtype=np.int64),
            below,
        )
    return below


def floors_of(limits: Int64Array) -> Int64Array:
    """The floor below which each account breaches its limit (`limits` as stated_limits
    gives them), kernels.NO_FLOOR where it states none: the `floors` of
    interest.post_with_totals, which marks the days `beyond` finds while it posts."""
    floors: Int64Array = np.where(limits == NO_LIMIT, NO_FLOOR, -limits).astype(np.int64)
    return floors
