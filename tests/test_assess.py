"""Assess: segments at their boundaries, diagnostics against figures worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from casekit import one_group
from click.testing import CliRunner

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.assess import segment_of

CaseDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(
    ("revenue", "segment"),
    [
        ("2000000000", "large"),
        ("1999999999.99", "mid"),
        ("2000000000.01", "large"),
        ("50000000", "mid"),
        ("49999999.99", "small-mid"),
        ("50000000.01", "mid"),
        ("2500000", "small-mid"),
        ("2499999.99", "micro"),
        ("2500000.01", "small-mid"),
        ("0", "micro"),
    ],
)
def test_segment_boundaries(revenue: str, segment: str) -> None:
    assert segment_of(Decimal(revenue)) == segment


def test_revenue_is_converted_at_the_stated_rate(case_dir: CaseDir) -> None:
    doc, balances = one_group(
        [{"id": "A", "currency": "CNY"}, {"id": "U", "currency": "USD"}],
        {"A": ["1"], "U": ["1"]},
        date(2025, 1, 2),
    )
    # 14.2 bn CNY at 7.1 CNY per USD is exactly 2 bn USD: the large threshold itself.
    doc["client"]["annual_revenue"] = "14200000000 CNY"
    doc["fx_rates"] = "fx.csv"
    fx = "date,currency,rate\n2025-01-02,USD,7.1\n"
    cov = cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx)))
    assert cov.coverage.usd_rate == Decimal("7.1")
    assert cov.coverage.revenue_usd == Decimal(2_000_000_000)
    assert cov.segment == "large" and cov.coverage.team == "1 : 1 : 1"
    assert "case FX rates on 2025-01-02" in cov.coverage.rate_source


def test_diagnostics_by_hand(case_dir: CaseDir) -> None:
    doc, balances = one_group(
        [
            {"id": "A", "currency": "CNY", "bank": "X", "terms": {"debit_rate": "36%"}},
            {"id": "B", "currency": "CNY", "bank": "Y", "terms": {"debit_rate": "36%"}},
        ],
        {"A": ["100", "100", "-50", "0"], "B": ["-30", "20", "60", "-10"]},
        date(2025, 3, 3),
    )
    doc["proposing_bank"] = "X"
    assessment = cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None)))
    d = assessment.diagnostics
    # credit per day 100, 120, 60, 0 -> 280 / 4 days; debit 30, 0, 50, 10 -> 90 / 4
    assert d.average_credit == Decimal("70.00") and d.peak_credit == Decimal("120.00")
    assert d.average_debit == Decimal("22.50") and d.peak_debit == Decimal("50.00")
    # A holds the most credit (200): idle credit is B's 80 over 4 days
    assert d.average_idle_credit == Decimal("20.00")
    # min(credit, debit) per day: 30, 0, 50, 0 -> 80 / 4; credit and debit together on 2 days
    assert d.average_offsettable == Decimal("20.00") and d.offset_days == 2
    assert d.overdraft_account_days == 3 and d.overdraft_days == 3
    # 36% / 360 = 0.1% a day: A 50 x 0.001 = 0.05, B (30 + 10) x 0.001 = 0.04 -> 0.09 in 4 days
    assert d.debit_interest_per_year == Decimal("8.21")  # 0.09 x 365 / 4 = 8.2125
    # A is at bank X and B at bank Y: a pool at one bank has nothing to offset (issue 13),
    # a sweep across banks offsets day 1's 30 (0.03) and day 3's 50 (0.05): 0.08 x 365 / 4
    assert d.netting_gap_per_year == Decimal(0)
    assert d.netting_gap_multi_bank_per_year == Decimal("7.30")
    assert d.netting_gap_multi_currency_per_year == Decimal("7.30")
    # gross balances: A 200 + 50 = 250 at X, B 80 + 40 = 120 at Y -> 250 / 370
    assert d.share_at_bank == Decimal("0.6757") and d.accounts_elsewhere == 1
    assert d.exposure == (("CNY", Decimal("47.50"), Decimal(1)),)
    assert [f.account for f in d.idle_accounts] == ["A", "B"]
    assert [f.account for f in d.overdraft_accounts] == ["A", "B"]


def test_stated_needs_score_and_evidence(case_dir: CaseDir) -> None:
    doc, balances = one_group(
        [{"id": "A", "currency": "CNY"}, {"id": "B", "currency": "CNY"}],
        {"A": ["100", "100"], "B": ["50", "50"]},
        date(2025, 3, 3),
    )
    doc["client"]["needs"] = ["visibility"]
    needs = {
        n.area: n
        for n in cashmgmt.assess(
            cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
        ).needs
    }
    assert needs["information-reporting"].stated and needs["information-reporting"].score >= 40
    assert needs["risk"].score == 0 and "no sign" in needs["risk"].reason
    assert all(0 <= n.score <= 100 for n in needs.values())
    assert set(needs) == set(cashmgmt.model.AREAS)


@pytest.mark.parametrize(
    ("name", "segment"),
    [
        ("huaxia-liquor", "mid"),
        ("aurora-industrial", "large"),
        ("bluestem-outdoor", "mid"),
        ("larkspur-bakery", "micro"),
    ],
)
def test_examples_assess(name: str, segment: str) -> None:
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLES / name), "--json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    assert data["segment"] == segment
    assert {"coverage", "diagnostics", "needs"} <= set(data)
    assert all({"area", "score", "reason"} <= set(n) for n in data["needs"])


def test_cash_is_trapped_only_across_borders(case_dir: CaseDir) -> None:
    from cashmgmt.reference.rules import trapping_countries

    country = sorted(trapping_countries())[0]
    accounts = [
        {"id": "T", "currency": "CNY", "country": country},
        {"id": "F", "currency": "CNY", "country": "GB"},
    ]
    doc, balances = one_group(accounts, {"T": ["300", "100"], "F": ["50", "50"]}, date(2025, 3, 3))
    d = cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None)))
    assert d.diagnostics.trapped_countries == (country,)
    assert d.diagnostics.average_trapped_credit == Decimal("200.00")  # (300 + 100) / 2
    domestic = [dict(a, country=country) for a in accounts]
    doc, balances = one_group(domestic, {"T": ["300", "100"], "F": ["50", "50"]}, date(2025, 3, 3))
    d = cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None)))
    assert d.diagnostics.trapped_countries == ()


def test_a_revenue_with_no_usd_rate_is_a_located_problem(case_dir: CaseDir) -> None:
    doc, balances = one_group(
        [{"id": "A", "currency": "XOF"}, {"id": "B", "currency": "XOF"}],
        {"A": ["100", "100"], "B": ["50", "50"]},
        date(2025, 3, 3),
        base="XOF",
    )
    folder = case_dir(case=doc, balances=balances, fx=None)
    result = CliRunner().invoke(cli, ["assess", str(folder)])
    assert result.exit_code == 2, result.output
    assert "client.annual_revenue" in result.output and "USD" in result.output
    assert "case.yaml" in result.output and "Traceback" not in result.output
    doc["client"]["annual_revenue"] = "1000000 NOK"  # in the reference table
    doc["base_currency"] = "XOF"
    folder = case_dir(case=doc, balances=balances, fx=None)
    cov = cashmgmt.assess(cashmgmt.load_case(folder)).coverage
    assert cov.rate_source.startswith("reference rate table")
