"""Every account of a case by history row, as names and as integer codes."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.model import Account, Case, Terms

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class AccountIndex:
    """Facts of every account by history row, as names and as integer codes (positions in
    the sorted distinct names; entities in the case's order), so that the engine turns
    accounts and rules into arrays with one pass per field and numpy for the rest."""

    ids: tuple[str, ...]
    row_of: Mapping[str, int]
    country: Int64Array
    countries: tuple[str, ...]
    currency: Int64Array
    currencies: tuple[str, ...]
    currency_of: tuple[str, ...]  # each row's currency
    entity: Int64Array
    entities: tuple[str, ...]
    entity_of: tuple[str, ...]  # each row's entity
    terms: tuple[Terms, ...]  # each row's terms

    @classmethod
    def of(
        cls, accounts: Sequence[Account], ids: tuple[str, ...], entities: Sequence[str]
    ) -> AccountIndex:
        """From the accounts in history order (`ids` their ids) and the case's entities."""

        def values(field: str) -> tuple[Any, ...]:
            return tuple(map(operator.attrgetter(field), accounts))

        def codes(values: Sequence[str], names: Sequence[str]) -> Int64Array:
            position = {v: i for i, v in enumerate(names)}
            return np.fromiter(map(position.__getitem__, values), np.int64, len(values))

        country, currency, entity = values("country"), values("currency"), values("entity")
        countries, currencies = tuple(sorted(set(country))), tuple(sorted(set(currency)))
        return cls(
            ids,
            dict(zip(ids, range(len(ids)), strict=True)),
            codes(country, countries),
            countries,
            codes(currency, currencies),
            currencies,
            currency,
            codes(entity, entities),
            tuple(entities),
            entity,
            values("terms"),
        )

    @classmethod
    def of_case(cls, case: Case) -> AccountIndex:
        """The case's accounts in the order of its balance history."""
        history = case.balances
        accounts = case.accounts
        if tuple(map(operator.attrgetter("id"), accounts)) != history.accounts:
            by_id = {a.id: a for a in accounts}
            accounts = tuple(by_id[a] for a in history.accounts)
        return cls.of(accounts, history.accounts, [e.id for e in case.entities])
