"""One row per case of a book: what the run found (or the problems that stopped it), in the
shapes the ranking, the totals, the coverage plan and the JSON contract read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import attrs

from cashmgmt.errors import Problem

Status = Literal["ok", "problems"]


@attrs.frozen
class CaseRow:
    """A case's outcome. Amounts are exact Decimals: `solution_benefit_annual` in the case's
    base currency `currency`, the `_usd` figures at the stated reference rates (`usd_rate`:
    units of `currency` per USD) so a book adds up."""

    case: str  # the case folder's name
    status: Status
    key: str = ""  # hash of the case's files and the library version (resume)
    client: str = ""
    segment: str = ""  # large, mid, small-mid, micro (assess.segment_of)
    country: str = ""  # the client's country
    currency: str = ""  # the case's base currency
    accounts: int = 0
    solution: tuple[str, ...] = ()  # the recommended structures' plain names
    products: tuple[str, ...] = ()  # the product bundle's names
    solution_benefit_annual: Decimal = Decimal(0)
    solution_benefit_annual_usd: Decimal = Decimal(0)
    bank_value_annual_usd: Decimal = Decimal(0)
    usd_rate: Decimal = Decimal(1)
    approvals: tuple[str, ...] = ()  # approvals the solution needs (regulators, boards)
    readiness: str = ""  # how ready the client is to start (e.g. ready, approvals, data)
    problems: tuple[Problem, ...] = ()  # located, as `check` gives them
    seconds_load: float = 0.0  # timings for the benchmark, never in the client's figures
    seconds_assess: float = 0.0
    seconds_design: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's `cases[]` entry: amounts as decimal strings."""
        return {
            "case": self.case,
            "status": self.status,
            "client": self.client,
            "segment": self.segment,
            "country": self.country,
            "currency": self.currency,
            "accounts": self.accounts,
            "solution": list(self.solution),
            "products": list(self.products),
            "solution_benefit_annual": str(self.solution_benefit_annual),
            "solution_benefit_annual_usd": str(self.solution_benefit_annual_usd),
            "bank_value_annual_usd": str(self.bank_value_annual_usd),
            "approvals": list(self.approvals),
            "readiness": self.readiness,
            "problems": [
                {"file": p.file, "where": p.where, "message": p.message} for p in self.problems
            ],
        }
