"""Intercompany terms per currency, day-count defaults per currency, and tax on intercompany
interest (docs/simulation.md, "Intercompany terms" and "Tax on intercompany interest"): the
shipped tables, the case keys, and hand-worked numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from casekit import one_group
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

import cashmgmt
from cashmgmt.errors import CaseError
from cashmgmt.money import is_currency, round_tax, round_tax_array
from cashmgmt.reference.conventions import day_count_for, day_count_table
from cashmgmt.reference.tax import tax_table

CaseDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# --- the rounding rule ----------------------------------------------------------------------


def test_round_tax_half_away_from_zero_per_posting() -> None:
    assert round_tax(100_500, Decimal("0.06")) == 6030  # 1,005.00 at 6% = 60.30
    assert round_tax(25, Decimal("0.06")) == 2  # 1.5 fen rounds up
    assert round_tax(-25, Decimal("0.06")) == -2  # and away from zero below it
    assert round_tax(24, Decimal("0.06")) == 1  # 1.44
    assert round_tax(310_000, Decimal("0.07")) == 21_700
    assert round_tax(123, Decimal(0)) == 0


@given(
    st.lists(st.integers(-9 * 10**17, 9 * 10**17), max_size=40),
    st.integers(-(10**9), 10**9),
)
def test_round_tax_array_is_round_tax_on_each_element(minor: list[int], units: int) -> None:
    """The array form (the engine's) gives the one rule's result on each element: rates with
    up to 8 decimals up to 1000% either way, amounts up to 9 x 10^17 (past 2^63 / |num|,
    where it falls back to Python integers; every result fits int64)."""
    rate = Decimal(units).scaleb(-8)
    got = round_tax_array(np.array(minor, dtype=np.int64), rate)
    assert got.tolist() == [round_tax(m, rate) for m in minor]


def test_round_tax_array_hand_worked() -> None:
    amounts = np.array([[100_500, 25, -25], [24, 0, 10**18]], dtype=np.int64)
    got = round_tax_array(amounts, Decimal("0.06")).tolist()
    assert got == [[6030, 2, -2], [1, 0, 6 * 10**16]]
    assert round_tax_array(amounts, Decimal(0)).tolist() == [[0, 0, 0], [0, 0, 0]]


# --- the day-count table --------------------------------------------------------------------


def test_day_count_conventions_from_the_cited_table() -> None:
    """ACT wiki: GBP, INR, HKD, PLN, SGD, ZAR use ACT/365; USD, EUR, CHF, SEK, CNY ACT/360."""
    for code in ("GBP", "HKD", "SGD", "INR", "ZAR", "PLN", "AUD", "NZD"):
        assert day_count_for(code) == "ACT/365", code
    for code in ("USD", "EUR", "CHF", "SEK", "CNY", "DKK", "NOK"):
        assert day_count_for(code) == "ACT/360", code
    assert day_count_for("XOF") == "ACT/360"  # not listed: the default
    table = day_count_table()
    assert table.default == "ACT/360"
    assert all(is_currency(code) for code in table.currencies)
    assert set(table.source_of.values()) <= set(table.sources)


def _accounts_of_examples() -> list[tuple[str, str]]:
    out = []
    for case_file in sorted(EXAMPLES.glob("*/case.yaml")):
        data = YAML(typ="safe", pure=True).load(case_file.read_text(encoding="utf-8"))
        out += [(case_file.parent.name, e["country"]) for e in data["entities"]]
    return out


def test_every_country_of_the_examples_is_in_the_tax_table() -> None:
    table = tax_table()
    missing = {(case, c) for case, c in _accounts_of_examples() if table.country(c) is None}
    assert not missing
    for code in ("CN", "HK", "DE", "FR", "IT", "NL", "SE", "GB", "US"):
        assert table.country(code) is not None
    assert all(s.endswith(")") and "read 2026-11-30" in s for s in table.sources.values())


def test_withholding_order_domestic_treaty_directive_statutory() -> None:
    table = tax_table()
    assert table.withholding("CN", "CN").basis == "domestic"
    assert table.withholding("CN", "CN").rate == 0
    treaty = table.withholding("CN", "HK")  # the Mainland-Hong Kong arrangement
    assert (treaty.rate, treaty.basis) == (Decimal("0.07"), "treaty")
    eu = table.withholding("IT", "DE")  # Directive 2003/49/EC
    assert (eu.rate, eu.basis) == (Decimal(0), "eu-directive")
    statutory = table.withholding("IT", "HK")
    assert (statutory.rate, statutory.basis) == (Decimal("0.26"), "statutory")
    assert table.withholding("US", "NL").rate == 0  # US-Netherlands treaty
    assert table.withholding("GB", "IT").rate == Decimal("0.20")  # no treaty row: statutory
    assert table.withholding("ZZ", "CN").rate == 0  # a payer not listed
    assert table.vat("CN") == Decimal("0.06")
    assert table.vat("DE") == 0 and table.vat("HK") == 0 and table.vat("ZZ") == 0


# --- the case file --------------------------------------------------------------------------


def _two_entities(
    lender_country: str,
    header_country: str,
    intercompany: dict[str, Any] | None,
    balance: str = "1000000",
    days: int = 31,
    currency: str = "CNY",
) -> tuple[dict[str, Any], str]:
    """SUB's account swept to zero every day into HQ's header: SUB lends `balance` to HQ."""
    doc, balances = one_group(
        [
            {"id": "HQ-1", "currency": currency, "entity": "HQ"},
            {"id": "SUB-1", "currency": currency, "entity": "SUB"},
        ],
        {"HQ-1": ["0"] * days, "SUB-1": [balance] * days},
        date(2025, 1, 1),
        structures=[
            {
                "id": "s",
                "name": "S",
                "kind": "physical",
                "rules": [{"from": "SUB-1", "to": "HQ-1", "rule": "zero-balance"}],
                # HQ may fund SUB (docs/simulation.md, "Funding within the header's capacity")
                "header_limit": {"HQ-1": f"100000000 {currency}"},
            }
        ],
        base=currency,
    )
    doc["entities"] = [
        {"id": "HQ", "name": "HQ", "country": header_country},
        {"id": "SUB", "name": "Sub", "country": lender_country, "parent": "HQ"},
    ]
    doc["intercompany_rate"] = "3.65%"
    if intercompany is not None:
        doc["intercompany"] = intercompany
    return doc, balances


def test_accounts_without_day_count_take_their_currency_convention(case_dir: CaseDir) -> None:
    doc, balances = one_group(
        [
            {"id": "G", "currency": "GBP", "terms": {"credit_rate": "1%"}},
            {"id": "N", "currency": "GBP"},
            {"id": "U", "currency": "GBP", "terms": {"day_count": "ACT/360"}},
        ],
        {"G": ["1"], "N": ["1"], "U": ["1"]},
        date(2025, 1, 1),
        structures=[
            {"id": "p", "name": "P", "kind": "notional", "currency": "HKD", "accounts": ["G", "N"]}
        ],
        base="GBP",
    )
    doc["fx_rates"] = "fx.csv"
    case = cashmgmt.load_case(
        case_dir(case=doc, balances=balances, fx="date,currency,rate\n2025-01-01,HKD,0.1\n")
    )
    assert case.account("G").terms.day_count == "ACT/365"
    assert case.account("N").terms.day_count == "ACT/365"
    assert case.account("U").terms.day_count == "ACT/360"  # stated: kept
    pool = case.structure("p")
    assert isinstance(pool, cashmgmt.NotionalPool) and pool.terms.day_count == "ACT/365"


def test_save_writes_day_counts_and_intercompany_and_reads_back_equal(
    case_dir: CaseDir, tmp_path: Path
) -> None:
    ic = {
        "rates": {"CNY": "2.5%", "USD": "4.5%"},
        "lending_spread": "0.125%",
        "borrowing_spread": "0.25%",
        "day_count": {"USD": "ACT/365"},
    }
    doc, balances = _two_entities("CN", "CN", ic)
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances))
    assert case.intercompany is not None
    assert case.intercompany.rates == {"CNY": Decimal("0.025"), "USD": Decimal("0.045")}
    assert case.intercompany.lending_spread == Decimal("0.00125")
    saved = cashmgmt.save_case(case, tmp_path / "copy")
    text = saved.read_text(encoding="utf-8")
    assert "day_count: ACT/360" in text  # written explicitly: reads back the same
    assert "intercompany:" in text
    again = cashmgmt.load_case(saved)
    assert again == case
    plain = cashmgmt.load_case(case_dir(case=_two_entities("CN", "CN", None)[0], balances=balances))
    assert plain.intercompany is None
    assert "intercompany:" not in cashmgmt.save_case(plain, tmp_path / "plain").read_text()


@pytest.mark.parametrize(
    ("ic", "where", "words"),
    [
        ({"rates": {"XYZ": "3%"}}, "intercompany.rates.XYZ", "ISO 4217"),
        ({"rates": {"CNY": "lots"}}, "intercompany.rates.CNY", "a rate"),
        ({"rates": "3%"}, "intercompany.rates", "a mapping of ISO 4217"),
        ({"lending_spread": "-0.1%"}, "intercompany.lending_spread", "not negative"),
        ({"day_count": {"CNY": "30/360"}}, "intercompany.day_count.CNY", "ACT/360"),
        ({"spread": "1%"}, "intercompany.spread", "unknown key"),
        ({"rates": {"CNY": "999%"}, "borrowing_spread": "2%"}, "intercompany.rates.CNY", "1000%"),
        ({"lending_spread": "200%"}, "intercompany_rate", "above -100%"),
    ],
)
def test_intercompany_problems_are_located(
    case_dir: CaseDir, ic: dict[str, Any], where: str, words: str
) -> None:
    doc, balances = _two_entities("CN", "CN", ic)
    with pytest.raises(CaseError) as caught:
        cashmgmt.load_case(case_dir(case=doc, balances=balances))
    found = [p for p in caught.value.problems if p.where == where]
    assert found and words in found[0].message, caught.value.problems


# --- hand-worked simulations ----------------------------------------------------------------


def _simulate(case_dir: CaseDir, doc: dict[str, Any], balances: str) -> cashmgmt.SimulationResult:
    return cashmgmt.simulate(cashmgmt.load_case(case_dir(case=doc, balances=balances)), "s")


def test_withholding_on_interest_paid_from_china_to_hong_kong(case_dir: CaseDir) -> None:
    """Hand-worked: SUB (Hong Kong) lends CNY 1,000,000.00 to HQ (China) for the 31 days of
    January at 3.65% ACT/365: 1,000,000 × 3.65% / 365 = 100.00 a day, 3,100.00 posted on
    31 January. China withholds 7% (the Mainland-Hong Kong arrangement) = 217.00; Hong Kong
    charges no VAT. The benefit falls by exactly the tax."""
    ic = {"day_count": {"CNY": "ACT/365"}}
    result = _simulate(case_dir, *_two_entities("HK", "CN", ic))
    (position,) = result.intercompany
    assert (position.lender, position.borrower) == ("SUB", "HQ")
    assert position.interest == Decimal("3100.00")
    assert (position.withholding, position.vat) == (Decimal("217.00"), Decimal("0.00"))
    assert result.tax.total == Decimal("217.00")
    assert [(e.id, e.withholding, e.vat) for e in result.tax.entities] == [
        ("SUB", Decimal("217.00"), Decimal("0.00"))
    ]
    assert {e.id: e.tax for e in result.entities} == {
        "HQ": Decimal("0.00"),
        "SUB": Decimal("217.00"),
    }
    interest_only = result.structure.net - result.baseline.net - result.fees.total
    assert result.benefit == interest_only - Decimal("217.00")
    data = result.to_dict()
    assert data["tax"]["total"] == "217.00"
    assert data["tax"]["entities"] == [
        {"id": "SUB", "withholding": "217.00", "vat": "0.00", "total": "217.00"}
    ]


def test_vat_on_interest_received_in_china(case_dir: CaseDir) -> None:
    """Hand-worked: SUB (China) lends to HQ (China): no withholding between resident
    companies, 6% VAT on the 3,100.00 SUB receives (财税〔2016〕36号) = 186.00."""
    result = _simulate(case_dir, *_two_entities("CN", "CN", {"day_count": {"CNY": "ACT/365"}}))
    assert result.tax.total == Decimal("186.00")
    assert result.tax.entities[0].vat == Decimal("186.00")
    assert result.tax.withholding == 0


def test_cny_positions_default_to_act_360_and_gbp_to_act_365(case_dir: CaseDir) -> None:
    """Without a stated day count: CNY 1,000,000.00 × 3.65% × 31 / 360 = 3,143.06; GBP
    1,000,000.00 × 3.65% × 31 / 365 = 3,100.00 (the issue: GBP positions were ACT/360)."""
    cny = _simulate(case_dir, *_two_entities("CN", "CN", None))
    assert cny.intercompany[0].interest == Decimal("3143.06")
    gbp = _simulate(case_dir, *_two_entities("GB", "GB", None, currency="GBP"))
    assert gbp.intercompany[0].interest == Decimal("3100.00")
    assert gbp.tax.total == 0  # UK company to UK company: no withholding, interest VAT-exempt


def test_rates_per_currency_and_the_lending_spread(case_dir: CaseDir) -> None:
    """SUB, the participant, lends to the in-house bank HQ (its header's entity): it receives
    the CNY rate 4.015% less the 0.365% lending spread = 3.65%, 3,100.00 (ACT/365); the
    borrowing spread applies only to days it borrows (none here). `intercompany_rate` 3.65% is
    overridden for CNY."""
    ic = {
        "rates": {"CNY": "4.015%"},
        "lending_spread": "0.365%",
        "borrowing_spread": "1%",
        "day_count": {"CNY": "ACT/365"},
    }
    result = _simulate(case_dir, *_two_entities("HK", "HK", ic))
    assert result.intercompany[0].interest == Decimal("3100.00")


def test_the_borrowing_spread_when_the_participant_borrows(case_dir: CaseDir) -> None:
    """SUB overdrawn by 1,000,000.00 and funded by HQ every day: it pays 3.285% + 0.365% =
    3.65%, 3,100.00 over January (ACT/365), received by HQ."""
    ic = {"rates": {"CNY": "3.285%"}, "borrowing_spread": "0.365%", "day_count": {"CNY": "ACT/365"}}
    result = _simulate(case_dir, *_two_entities("HK", "HK", ic, balance="-1000000"))
    (position,) = result.intercompany
    assert (position.lender, position.borrower) == ("HQ", "SUB")
    assert position.interest == Decimal("3100.00")


def test_intercompany_rate_changes_on_the_date_stated(case_dir: CaseDir) -> None:
    """Hand-worked: SUB lends CNY 1,000,000.00 to HQ all January at 3.65% ACT/365 (100.00 a
    day) until a change from 16 January to 7.30% (200.00 a day) and a lending spread of
    0.365% (SUB is not the in-house bank, so it receives 7.30% - 0.365% = 6.935%: 190.00 a
    day): 15 × 100.00 + 16 × 190.00 = 4,540.00, posted once on 31 January."""
    ic = {
        "day_count": {"CNY": "ACT/365"},
        "changes": [{"from": "2025-01-16", "rates": {"CNY": "7.30%"}, "lending_spread": "0.365%"}],
    }
    doc, balances = _two_entities("HK", "HK", ic)
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances))
    (position,) = cashmgmt.simulate(case, "s").intercompany
    assert (position.lender, position.interest) == ("SUB", Decimal("4540.00"))
    assert case.intercompany is not None
    before, after = (case.intercompany.in_force(date(2025, 1, d)) for d in (15, 16))
    assert (before.rates, before.lending_spread) == ({}, Decimal(0))  # intercompany_rate 3.65%
    assert (after.rates, after.lending_spread) == ({"CNY": Decimal("0.073")}, Decimal("0.00365"))
    # and the change is written back as it was stated
    document = cashmgmt.inputs.casefile.save.case_document(case)["intercompany"]
    assert isinstance(document, dict)
    assert document["changes"] == [
        {"from": "2025-01-16", "rates": {"CNY": "7.3%"}, "lending_spread": "0.365%"}
    ]


def test_intercompany_changes_are_checked_with_their_place(case_dir: CaseDir) -> None:
    """Changes out of order, or stating nothing, are refused where they are written."""
    for changes, place in (
        (
            [
                {"from": "2025-01-16", "rates": {"CNY": "2%"}},
                {"from": "2025-01-10", "rates": {"CNY": "1%"}},
            ],
            "intercompany.changes[1].from",
        ),
        ([{"from": "2025-01-16"}], "intercompany.changes[0]"),
        ([{"from": "2025-01-16", "day_count": {"CNY": "ACT/360"}}], "intercompany.changes[0]"),
    ):
        doc, balances = _two_entities("HK", "HK", {"changes": changes})
        with pytest.raises(cashmgmt.CaseError) as caught:
            cashmgmt.load_case(case_dir(case=doc, balances=balances))
        assert any(p.where.startswith(place) for p in caught.value.problems), caught.value
