"""Worked examples published by others (banks, regulators, textbooks), each with its source.

Where a source computes on annual figures while cashmgmt posts monthly (the product's rule,
docs/simulation.md), the test allows the rounding of those postings and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from casekit import one_group

import cashmgmt
from cashmgmt.engine.replay import Replay
from cashmgmt.money import round_money

CaseDir = Callable[..., Path]


def test_hdfc_overdraft_act_365(case_dir: CaseDir) -> None:
    """HDFC Bank, "Salary Plus – Interest Calculation" (hdfcbank.com): INR 5,000 overdrawn for
    5 days at 15% p.a., "5,000 * (15%/100) * (5/365)" = Rs 10.27."""
    doc, balances = one_group(
        [{"id": "OD", "currency": "INR", "terms": {"day_count": "ACT/365", "debit_rate": "15%"}}],
        {"OD": ["-5000"] * 5 + ["5000"]},
        date(2025, 3, 3),
        base="INR",
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    assert int(Replay(case).baseline.side.debit[0]) == 1027  # Rs 10.27 in paise


def test_pboc_interest_numbers_demand_deposit(case_dir: CaseDir) -> None:
    """积数计息法 (mdbkw.com "结息日怎么算", quoting the PBOC settlement rule): 1,000 deposited on
    15 Mar, 300 withdrawn on 18 Mar; 积数 to 20 Mar = 1000×3 + 700×3 = 5100; interest
    5100 × 0.36% / 360 = 0.05 元."""
    doc, balances = one_group(
        [{"id": "DD", "currency": "CNY", "terms": {"credit_rate": "0.36%"}}],
        {"DD": ["1000", "1000", "1000", "700", "700", "700"]},
        date(2024, 3, 15),
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    assert int(Replay(case).baseline.side.credit[0]) == 5  # 0.05 元 in fen


def test_agreed_amount_deposit_banded_rates(case_dir: CaseDir) -> None:
    """协定存款 exam example (Shanghai Bank scenario, 274949.com): 800,000 from 21 Mar; the first
    500,000 earns 活期 0.36%, the excess the 协定 rate 1.17%; 92 days to the 20 Jun settlement:
    500000×0.36×92/36000 + 300000×1.17×92/36000 = 460 + 897 = 1,357.00 元. Then 401,357 for
    9 days at 0.36% = 36.12 元."""
    terms = {"credit_rate": [{"from": 0, "rate": "0.36%"}, {"from": 500000, "rate": "1.17%"}]}
    doc, balances = one_group(
        [{"id": "AG", "currency": "CNY", "terms": terms}],
        {"AG": ["800000"] * 92},
        date(2010, 3, 21),
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    assert int(Replay(case).baseline.side.credit[0]) == 135700  # 1,357.00 元
    doc, balances = one_group(
        [{"id": "AG", "currency": "CNY", "terms": terms}],
        {"AG": ["401357"] * 9},
        date(2010, 6, 21),
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    assert int(Replay(case).baseline.side.credit[0]) == 3612  # 36.12 元


def test_chelsea_banded_savings(case_dir: CaseDir) -> None:
    """Chelsea Building Society savings calculator: £30,000 for 12 months, the first £20,000 at
    3.95% and the rest at 3.85% -> balance £31,175.00 (interest £1,175.00, annual figures).
    cashmgmt posts monthly (ACT/365 over 2025), so each of the 12 postings may round by half
    a penny."""
    terms = {
        "day_count": "ACT/365",
        "credit_rate": [{"from": 0, "rate": "3.95%"}, {"from": 20000, "rate": "3.85%"}],
    }
    doc, balances = one_group(
        [{"id": "SAV", "currency": "GBP", "terms": terms}],
        {"SAV": ["30000"] * 365},
        date(2025, 1, 1),
        base="GBP",
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    assert abs(int(Replay(case).baseline.side.credit[0]) - 117500) <= 6  # 12 × 0.5p


def test_notional_pooling_training_example(case_dir: CaseDir) -> None:
    """ "Liquidity Management Techniques – Pooling and Cash Concentration" (slideplayer 780959):
    +900,000, +350,000, −300,000, −550,000; credit 4%, debit 6%. Separately: 50,000 − 51,000
    = −1,000; pooled: 400,000 × 4% = 16,000; "an improvement of 17,000". Annual figures;
    cashmgmt posts monthly over 2025 (ACT/365), so each posting may round by half a cent."""
    terms = {"day_count": "ACT/365", "credit_rate": "4%", "debit_rate": "6%"}
    balances_of = {"S1": "900000", "S2": "350000", "S3": "-300000", "S4": "-550000"}
    pool = {
        "id": "pool",
        "name": "Pool",
        "kind": "notional",
        "currency": "USD",
        "accounts": list(balances_of),
        "terms": terms,
        "allocation": "fair-share",
    }
    doc, balances = one_group(
        [{"id": a, "currency": "USD", "terms": terms} for a in balances_of],
        {a: [v] * 365 for a, v in balances_of.items()},
        date(2025, 1, 1),
        [pool],
        base="USD",
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    result = cashmgmt.simulate(case, "pool")
    cents = Decimal("0.01")
    assert abs(result.baseline.net - Decimal(-1000)) <= 4 * 12 * cents / 2
    assert abs(result.structure.net - Decimal(16000)) <= 12 * cents / 2
    assert abs(result.benefit - Decimal(17000)) <= 5 * 12 * cents / 2


def test_wikipedia_cash_concentration_target_sweep(case_dir: CaseDir) -> None:
    """Wikipedia, "Cash concentration": accounts at X (15,000) and Y (20,000) with a minimum of
    10,000 each; "XXX 5,000 (from Bank X) and XXX 10,000 (from Bank Y) will be transferred
    for a total of XXX 15.000 to Bank Account Z"."""
    rules = [
        {"from": a, "to": "Z", "rule": "target", "target": "10000 EUR", "direction": "up"}
        for a in ("X", "Y")
    ]
    doc, balances = one_group(
        [{"id": a, "currency": "EUR"} for a in ("X", "Y", "Z")],
        {"X": ["15000"], "Y": ["20000"], "Z": ["0"]},
        date(2025, 1, 6),
        [{"id": "cc", "name": "Concentration", "kind": "physical", "rules": rules}],
        base="EUR",
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    result = cashmgmt.simulate(case, "cc")
    closing = {a.id: a.closing_balance for a in result.accounts}
    assert closing == {"X": Decimal(10000), "Y": Decimal(10000), "Z": Decimal(15000)}


@pytest.mark.parametrize(
    ("amount", "euro"),
    [
        (Decimal(500) / Decimal("239.640"), "2.09"),
        (Decimal(1000) / Decimal("239.640"), "4.17"),
        (Decimal("24.784"), "24.78"),
        (Decimal("24.785"), "24.79"),
    ],
)
def test_bank_of_slovenia_euro_rounding(amount: Decimal, euro: str) -> None:
    """Bank of Slovenia, euro changeover rounding rules (evro.si), after Regulation (EC)
    1103/97 Art. 5: "24.785 EUR becomes 24.79 EUR"; 500 SIT = 2.09 EUR; 1,000 SIT = 4.17 EUR."""
    assert round_money(amount, "EUR") == Decimal(euro)


def test_multicurrency_pool_by_hand(case_dir: CaseDir) -> None:
    """A two-currency pool in per-currency mode, worked by hand from docs/simulation.md
    ("Multi-currency pools, per currency"); no bank publishes one with its figures, so the
    numbers are worked here. One day, 2025-03-03; base and pool currency EUR; 1 USD = 0.9 EUR.

    - EUR-OPS: -1,000,000.00 EUR, terms 0% / 5% ACT/360; US-OPS: +1,000,000.00 USD, 3.6% /
      7% ACT/360 (the same terms as accounts and as pool terms); haircut 10%, offset 2%.
    - v_USD = 900,000.00 EUR, D = 1,000,000.00, C × (1 - 10%) = 810,000.00 = O (covered).
    - EUR uncovered: -1,000,000 × 190,000 / 1,000,000 = -190,000.00 EUR, paying
      190,000 × 5% / 360 = 26.388… → 26.39 EUR.
    - USD earns 1,000,000 × 3.6% / 360 = 100.00 USD = 90.00 EUR.
    - Offset charge: 810,000 × 2% / 360 = 45.00 EUR, all on EUR-OPS (the only cover used).
    - Structure: EUR-OPS -26.39 - 45.00 = -71.39 EUR; US-OPS +90.00 EUR.
    - Baseline: EUR-OPS 1,000,000 × 5% / 360 = 138.888… → -138.89; US-OPS +90.00 EUR.
    - Benefit 18.61 - (-48.89) = 67.50 EUR = 810,000 × (5% - 2%) / 360: the covered debit
      pays the offset rate instead of its own 5%.
    """
    eur = {"day_count": "ACT/360", "credit_rate": "0%", "debit_rate": "5%"}
    usd = {"day_count": "ACT/360", "credit_rate": "3.6%", "debit_rate": "7%"}
    pool = {
        "id": "mc",
        "name": "Multi-currency pool",
        "kind": "notional",
        "currency": "EUR",
        "accounts": ["EUR-OPS", "US-OPS"],
        "terms": eur,
        "currency_terms": {"USD": usd},
        "offset_rate": "2%",
        "haircut": "10%",
        "allocation": "even",
    }
    doc, balances = one_group(
        [
            {"id": "EUR-OPS", "currency": "EUR", "terms": eur},
            {"id": "US-OPS", "currency": "USD", "terms": usd},
        ],
        {"EUR-OPS": ["-1000000"], "US-OPS": ["1000000"]},
        date(2025, 3, 3),
        [pool],
        base="EUR",
    )
    doc["fx_rates"] = "fx.csv"
    fx = "date,currency,rate\n2025-03-03,USD,0.9\n"
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    result = cashmgmt.simulate(case, "mc")
    assert result.account("EUR-OPS").structure.net == Decimal("-71.39")
    assert result.account("US-OPS").structure.net == Decimal("90.00")
    assert result.baseline.net == Decimal("-48.89")
    assert result.benefit == Decimal("67.50")
    # Without an offset rate the currencies do not offset: each nets alone at its terms.
    alone = {k: v for k, v in pool.items() if k not in ("offset_rate", "haircut")}
    doc["structures"] = [alone]
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    assert cashmgmt.simulate(case, "mc").benefit == 0


def test_us_withholding_on_interest_to_a_foreign_company() -> None:
    """A withholdable payment from a US payor to a non-US company bears 30% US tax by
    withholding: "if a US company paid a UK company 100 of interest, the US company should
    withhold 30" (news.listonegiant.it, November 2023, on IRC chapter 3/4 withholding; the
    same 30% statutory rate in PwC's US "Corporate - Withholding taxes"). The UK has a treaty
    that lowers it to 0, so the statutory case is shown with a Hong Kong lender (no US treaty)
    and the treaty case with the UK lender."""
    from cashmgmt.money import round_tax
    from cashmgmt.reference.tax import tax_table

    table = tax_table()
    statutory = table.withholding("US", "HK")
    assert (statutory.rate, statutory.basis) == (Decimal("0.30"), "statutory")
    assert round_tax(10000, statutory.rate) == 3000  # 30.00 of 100.00, in cents
    assert table.withholding("US", "GB").rate == 0  # Article 11 of the US-UK treaty
