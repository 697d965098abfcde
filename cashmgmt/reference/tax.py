"""Tax on intercompany interest by country (data/tax.yaml, sourced and dated): withholding
tax, treaty relief, the EU Interest and Royalties Directive, and VAT on interest income.
The rule that applies them is docs/simulation.md, "Tax on intercompany interest"."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import attrs

from cashmgmt.money import parse_rate
from cashmgmt.reference.load import read


@attrs.frozen
class CountryTax:
    """One country's taxes on interest between companies."""

    country: str
    resident: Decimal  # WHT on interest paid to a company resident in the same country
    non_resident: Decimal  # statutory WHT on interest paid to a company abroad
    vat: Decimal  # VAT (or similar) the lender owes on intercompany interest income
    eu: bool  # an EU member state (the Interest and Royalties Directive applies)
    source: str
    vat_source: str


@attrs.frozen
class Withholding:
    """The WHT rate on one payment and why: domestic, treaty, eu-directive or statutory."""

    rate: Decimal
    basis: str
    source: str


@attrs.frozen
class TaxTable:
    """The shipped table: countries, treaty rates by (payer, lender), the EU relief."""

    as_of: str
    countries: Mapping[str, CountryTax]
    treaties: Mapping[tuple[str, str], tuple[Decimal, str]]
    eu_rate: Decimal
    eu_source: str
    sources: Mapping[str, str]  # id -> title (url, read date)

    def country(self, code: str) -> CountryTax | None:
        """The country's taxes, or None if the table does not list it."""
        return self.countries.get(code)

    def withholding(self, payer: str, lender: str) -> Withholding:
        """WHT on interest a company in `payer` pays to a group company in `lender`: the
        domestic rate in one country, else a treaty rate, else the EU directive's relief
        between two member states, else the statutory non-resident rate; 0 for a payer's
        country the table does not list (stated in docs/simulation.md)."""
        tax = self.countries.get(payer)
        if tax is None:
            return Withholding(Decimal(0), "not-listed", "")
        if payer == lender:
            return Withholding(tax.resident, "domestic", self.sources[tax.source])
        treaty = self.treaties.get((payer, lender))
        if treaty is not None:
            return Withholding(treaty[0], "treaty", self.sources[treaty[1]])
        other = self.countries.get(lender)
        if tax.eu and other is not None and other.eu:
            return Withholding(self.eu_rate, "eu-directive", self.sources[self.eu_source])
        return Withholding(tax.non_resident, "statutory", self.sources[tax.source])

    def vat(self, lender: str) -> Decimal:
        """VAT (or similar) on intercompany interest income in the lender's country (0 for a
        country the table does not list)."""
        tax = self.countries.get(lender)
        return tax.vat if tax is not None else Decimal(0)


def _source(sources: Mapping[str, str], key: str, where: str) -> str:
    if key not in sources:
        raise ValueError(f"tax.yaml: {where} cites an unknown source {key!r}")
    return key


def _country(code: str, entry: Mapping[str, Any], sources: Mapping[str, str]) -> CountryTax:
    return CountryTax(
        country=code,
        resident=parse_rate(entry["resident"]),
        non_resident=parse_rate(entry["non_resident"]),
        vat=parse_rate(entry["vat"]),
        eu=bool(entry["eu"]),
        source=_source(sources, entry["source"], code),
        vat_source=_source(sources, entry["vat_source"], code),
    )


@cache
def tax_table() -> TaxTable:
    """The shipped table (tax.yaml), read once."""
    data = read("tax.yaml")
    sources = {
        key: f"{s['title']} ({s['url']}, read {s['read']})" for key, s in data["sources"].items()
    }
    treaties = {
        (t["payer"], t["lender"]): (
            parse_rate(t["rate"]),
            _source(sources, t["source"], f"{t['payer']}-{t['lender']}"),
        )
        for t in data["treaties"]
    }
    eu = data["eu_directive"]
    return TaxTable(
        as_of=str(data["as_of"]),
        countries={code: _country(code, e, sources) for code, e in data["countries"].items()},
        treaties=treaties,
        eu_rate=parse_rate(eu["rate"]),
        eu_source=_source(sources, eu["source"], "eu_directive"),
        sources=sources,
    )
