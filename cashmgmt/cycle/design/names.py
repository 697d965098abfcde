"""Plain names for generated structures, made from what each structure does (kind, currency,
countries, levels, buffers), so that no two candidates read alike; the documents translate
the same words (docs/assess-and-design.md, "Distinct candidates")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import networkx as nx

from cashmgmt.graph import sweep_forest
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.money import from_minor, to_minor

if TYPE_CHECKING:
    from cashmgmt.cycle.design.candidates import CandidateStructure

#: The English words of every generated name (each a message of the translation catalog).
ZERO_BALANCE = "%(currency)s zero-balance pool, %(countries)s"
LEVELS = "%(currency)s zero-balance pool in %(levels)s levels, %(countries)s"
CROSS_BORDER = "%(currency)s cross-border zero-balance pool, %(countries)s"
TARGET = "%(currency)s target-balance pool, %(countries)s: buffers of %(buffers)s %(currency)s"
NOTIONAL = "%(currency)s notional pool, %(countries)s"
MULTI_CURRENCY = "Multi-currency notional pool, %(currencies)s"
HYBRID = "Hybrid: %(pools)s country pools with a notional overlay, %(currencies)s"
TEMPLATES = (ZERO_BALANCE, LEVELS, CROSS_BORDER, TARGET, NOTIONAL, MULTI_CURRENCY, HYBRID)


@attrs.frozen
class Name:
    """A generated structure's name: English words with named parameters; `countries`
    holds the country codes shown, by name, in the document's language."""

    template: str
    params: tuple[tuple[str, str], ...] = ()
    countries: tuple[str, ...] = ()

    def text(
        self,
        translate: Callable[..., str] | None = None,
        country: Callable[[str], str] | None = None,
        separator: str = ", ",
    ) -> str:
        """The name in a language: `translate` is gettext (English when None), `country`
        names a country code (the code itself when None)."""
        shown = separator.join(country(c) if country else c for c in self.countries)
        params = {**dict(self.params), "countries": shown}
        if translate is None:
            return self.template % params
        return translate(self.template, **params)


def _amount(value: Decimal) -> str:
    """An amount with thousands separators and no needless decimals: 1,234,000."""
    return f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,f}"


def name_of(structure: CandidateStructure, case: Case) -> Name:
    """What distinguishes a structure, as a Name: its kind, currency, countries, levels and,
    for target balances, the buffers it keeps on the participants in all."""
    if isinstance(structure, PhysicalStructure):
        accounts = [case.account(a) for a in structure.accounts]
        currency = accounts[0].currency if accounts else ""
        countries = tuple(sorted({a.country for a in accounts}))
        base = (("currency", currency),)
        kept = [r.target for r in structure.rules if r.kind != "zero-balance" and r.target]
        if kept:
            total = sum((to_minor(m.amount, m.currency) for m in kept), 0)
            buffers = _amount(from_minor(total, currency))
            return Name(TARGET, (*base, ("buffers", buffers)), countries)
        depth = int(nx.dag_longest_path_length(sweep_forest(structure))) if structure.rules else 1
        if depth > 1:
            return Name(LEVELS, (*base, ("levels", str(depth))), countries)
        return Name(CROSS_BORDER if len(countries) > 1 else ZERO_BALANCE, base, countries)
    if isinstance(structure, NotionalPool):
        accounts = [case.account(a) for a in structure.accounts]
        currencies = sorted({a.currency for a in accounts})
        countries = tuple(sorted({a.country for a in accounts}))
        if len(currencies) > 1:
            return Name(MULTI_CURRENCY, (("currencies", "/".join(currencies)),), countries)
        return Name(NOTIONAL, (("currency", structure.currency),), countries)
    heads = [case.account(a) for a in structure.pool.accounts]  # the overlay's members
    joined = "/".join(sorted({a.currency for a in heads}))
    countries = tuple(sorted({a.country for a in heads}))
    return Name(HYBRID, (("pools", str(len(heads))), ("currencies", joined)), countries)


def distinct_names(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Names by id, each distinct: a name that an earlier one already has gains its id in
    brackets (`(id, name)` pairs in order; the first keeps its name)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key, name in names:
        shown = name if name not in taken else f"{name} ({key})"
        taken.add(shown)
        out[key] = shown
    return out
