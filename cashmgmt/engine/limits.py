"""A balance beyond the engine's exact range, reported as a located problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cashmgmt.engine.interest import BeyondRange
from cashmgmt.engine.kernels import PEAK
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case
from cashmgmt.money import from_minor


@contextmanager
def in_range(case: Case, account_of: Callable[[int], str], structure: str = "") -> Iterator[None]:
    """Turn a balance beyond the engine's exact range into a located problem (`account_of`
    names the account of a row of the matrix posted)."""
    try:
        yield
    except BeyondRange as exc:
        account = account_of(exc.row)
        code = case.account(account).currency
        limit = format(from_minor(PEAK, code), ",f")
        under = f" under structure {structure}" if structure else ""
        raise SimulationError(
            [
                Problem(
                    case.source or "case",
                    f"balances: {account}",
                    f"expected daily balances{under} below {limit} {code} either way, the "
                    "range the engine computes interest in exactly",
                )
            ]
        ) from exc
