"""The engine's own guard: a structure never sweeps or pools a restricted account or a
facility's account (a case file is checked for this when it is loaded; this guard covers
cases and structures built in code)."""

from __future__ import annotations

from collections.abc import Iterable

from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case


def refuse_unpoolable(case: Case, structure_id: str, accounts: Iterable[str]) -> None:
    """SimulationError naming every account of the structure that may not be pooled."""
    problems = []
    for account_id in dict.fromkeys(accounts):
        account = case.account(account_id)
        if account.poolable:
            continue
        why = (
            "is restricted (money set aside: escrow, IPO proceeds, collateral)"
            if account.restricted
            else f"is the account of a {account.facility} facility"
        )
        problems.append(
            Problem(
                case.source or "case",
                "structures",
                f"expected accounts that may be pooled in structure {structure_id!r}; "
                f"{account_id} {why}, which is never swept or pooled",
            )
        )
    if problems:
        raise SimulationError(problems)
