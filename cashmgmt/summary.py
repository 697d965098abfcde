"""A short description of a loaded case: what `cashmgmt check` prints."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import attrs

from cashmgmt.model import Case


@attrs.frozen
class StructureSummary:
    """One structure of the case in a line: id, kind, name and how many accounts it joins."""

    id: str
    kind: str
    name: str
    accounts: int


@attrs.frozen
class CaseSummary:
    """Counts and ranges that show at a glance what a case holds."""

    client: str
    local_name: str | None
    language: str
    base_currency: str
    entities: int
    accounts: int
    countries: tuple[str, ...]
    currencies: tuple[tuple[str, int], ...]
    banks: tuple[tuple[str, int], ...]
    start: date
    end: date
    days: int
    structures: tuple[StructureSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "client": self.client,
            "local_name": self.local_name,
            "language": self.language,
            "base_currency": self.base_currency,
            "entities": self.entities,
            "accounts": self.accounts,
            "countries": list(self.countries),
            "currencies": dict(self.currencies),
            "banks": dict(self.banks),
            "period": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "days": self.days,
            },
            "structures": [attrs.asdict(s) for s in self.structures],
        }


def _counted(values: list[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def summarize(case: Case) -> CaseSummary:
    """Summarise a case: entities, accounts, currencies, countries, banks, dates, structures."""
    countries = {e.country for e in case.entities} | {a.country for a in case.accounts}
    return CaseSummary(
        client=case.client.name,
        local_name=case.client.local_name,
        language=case.client.language,
        base_currency=case.base_currency,
        entities=len(case.entities),
        accounts=len(case.accounts),
        countries=tuple(sorted(countries)),
        currencies=_counted([a.currency for a in case.accounts]),
        banks=_counted([a.bank for a in case.accounts]),
        start=case.balances.start,
        end=case.balances.end,
        days=case.balances.days,
        structures=tuple(
            StructureSummary(s.id, s.kind, s.name, len(s.accounts)) for s in case.structures
        ),
    )
