"""Honest diagnostics (issue 13): the netting gap by currency and bank, committed facilities
apart from overdrafts, trapped cash only outside the parent's country, restricted cash apart
from idle cash, and need scores weighed by materiality. Each defect the issue lists is
reproduced on a small constructed case whose figures are worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from casekit import one_group
from click.testing import CliRunner

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.materiality import (
    FEE_FLOOR_USD,
    FLOW_FULL_OF_REVENUE,
    FLOW_TRIVIAL_OF_REVENUE,
    Materiality,
    ramp,
)

CaseDir = Callable[..., Path]
START = date(2025, 3, 3)  # four days inside one month: one posting, on the last day
DAILY = {"debit_rate": "36%"}  # ACT/360 by default: 0.1 % a day


def assessed(case_dir: CaseDir, doc: dict[str, Any], balances: str, fx: str | None = None) -> Any:
    return cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx)))


def net_long_group() -> tuple[dict[str, Any], str, str]:
    """The group is net long every day, yet its debit sits at another bank and in another
    currency than most of its credit, and a revolver is drawn:

    - A: CNY at bank X, +2,000, credit at 3.6 % (0.01 % a day);
    - B: CNY at bank X, -500 at 36 % (0.50 a day);
    - C: CNY at bank Y, -300 at 36 % (0.30 a day);
    - D: USD at bank X, -100 USD at 36 % (0.10 USD = 0.50 CNY a day at 5 CNY per USD);
    - F: CNY at bank X, a revolver drawn 1,000 at 36 %: borrowing, never offset."""
    doc, balances = one_group(
        [
            {"id": "A", "currency": "CNY", "bank": "X", "terms": {"credit_rate": "3.6%"}},
            {"id": "B", "currency": "CNY", "bank": "X", "terms": DAILY},
            {"id": "C", "currency": "CNY", "bank": "Y", "terms": DAILY},
            {"id": "D", "currency": "USD", "bank": "X", "terms": DAILY},
            {"id": "F", "currency": "CNY", "bank": "X", "terms": DAILY, "facility": "revolving"},
        ],
        {
            "A": ["2000"] * 4,
            "B": ["-500"] * 4,
            "C": ["-300"] * 4,
            "D": ["-100"] * 4,
            "F": ["-1000"] * 4,
        },
        START,
    )
    doc["fx_rates"] = "fx.csv"
    return doc, balances, "date,currency,rate\n2025-03-03,USD,5\n"


def test_the_netting_gap_is_by_currency_and_bank(case_dir: CaseDir) -> None:
    """Before issue 13 the gap was all the debit interest (the group is net long every day):
    5.20 CNY in the 4 days, 474.50 a year. Now each scope closes only what it can."""
    doc, balances, fx = net_long_group()
    d = assessed(case_dir, doc, balances, fx).diagnostics
    # debit interest outside the revolver: B 2.00 + C 1.20 + D 0.40 USD (2.00 CNY) = 5.20
    assert d.debit_interest_per_year == Decimal("474.50")  # 5.20 x 365 / 4
    rows = {(g.scope, g.currency, g.bank): g for g in d.netting_gap}
    assert list(rows) == [
        ("one-bank", "CNY", "X"),
        ("one-bank", "CNY", "Y"),
        ("one-bank", "USD", "X"),
        ("multi-bank", "CNY", None),
        ("multi-bank", "USD", None),
        ("multi-currency", None, None),
    ]
    # A pool of CNY at X: A's 2,000 covers B's 500 every day; B's 2.00 is closed, and A
    # earns on 1,500 instead of 2,000: 0.20 less in 4 days.
    x = rows[("one-bank", "CNY", "X")]
    assert (x.offset_days, x.average_offset) == (4, Decimal("500.00"))
    assert x.interest_per_year == Decimal("182.50")  # 2.00 x 365 / 4
    assert x.credit_interest_forgone_per_year == Decimal("18.25")  # 0.20 x 365 / 4
    assert x.debit_interest_per_year == Decimal("182.50")
    assert [(a.account, a.amount, a.days) for a in x.accounts] == [("B", Decimal("182.50"), 4)]
    # At Y there is no CNY credit, and no USD credit anywhere: nothing to offset.
    for key in [("one-bank", "CNY", "Y"), ("one-bank", "USD", "X"), ("multi-bank", "USD", None)]:
        assert rows[key].offset_days == 0 and rows[key].interest_per_year == 0
        assert rows[key].accounts == ()
    assert rows[("one-bank", "CNY", "Y")].debit_interest_per_year == Decimal("109.50")
    # A sweep of CNY across banks also covers C's 300 from what is left of A (1,500):
    # 2.00 + 1.20 = 3.20 closed; A earns on 1,200: 0.32 less.
    cny = rows[("multi-bank", "CNY", None)]
    assert (cny.offset_days, cny.average_offset) == (4, Decimal("800.00"))
    assert cny.interest_per_year == Decimal("292.00")  # 3.20 x 365 / 4
    assert cny.credit_interest_forgone_per_year == Decimal("29.20")  # 0.32 x 365 / 4
    # A multi-currency pool also covers D's 500 CNY from A's remaining 1,200: everything
    # is closed; A earns on 700: 0.52 less.
    group = rows[("multi-currency", None, None)]
    assert (group.offset_days, group.average_offset) == (4, Decimal("1300.00"))
    assert group.interest_per_year == Decimal("474.50")
    assert group.credit_interest_forgone_per_year == Decimal("47.45")  # 0.52 x 365 / 4
    assert [a.account for a in group.accounts] == ["B", "D", "C"]  # 182.50, 182.50, 109.50
    # The headline is the one-bank scope; the other two beside it.
    assert d.netting_gap_per_year == Decimal("182.50")
    assert d.netting_gap_multi_bank_per_year == Decimal("292.00")
    assert d.netting_gap_multi_currency_per_year == Decimal("474.50")
    # The revolver is in none of it: reported apart.
    assert all("F" not in {a.account for a in g.accounts} for g in d.netting_gap)
    assert d.facilities.interest_per_year == Decimal("365.00")  # 1.00 a day


def test_no_scope_closes_more_than_the_days_with_credit_allow(case_dir: CaseDir) -> None:
    """B is overdrawn every day but the bank holds credit on two of them only: the gap is
    those two days' interest, not all of it (the old estimate scaled the whole)."""
    doc, balances = one_group(
        [
            {"id": "A", "currency": "CNY", "bank": "X"},
            {"id": "B", "currency": "CNY", "bank": "X", "terms": DAILY},
        ],
        {"A": ["1000", "0", "1000", "0"], "B": ["-100", "-900", "-100", "-900"]},
        START,
    )
    d = assessed(case_dir, doc, balances).diagnostics
    # B pays 0.10 + 0.90 + 0.10 + 0.90 = 2.00; credit covers days 1 and 3 only: 0.20
    assert d.debit_interest_per_year == Decimal("182.50")  # 2.00 x 365 / 4
    assert d.netting_gap_per_year == Decimal("18.25")  # 0.20 x 365 / 4
    [one, _, _] = d.netting_gap
    assert (one.offset_days, one.average_offset) == (2, Decimal("50.00"))
    assert [(a.account, a.days) for a in one.accounts] == [("B", 2)]


def test_a_drawn_revolver_is_not_an_overdraft(case_dir: CaseDir) -> None:
    """Bluestem: the revolver is drawn every day, an ordinary account once: "overdrawn 1 of
    4 days", and the revolver's interest is under facilities, never in the gap."""
    doc, balances = one_group(
        [
            {"id": "A", "currency": "USD", "bank": "X"},
            {"id": "F", "currency": "USD", "bank": "X", "terms": DAILY, "facility": "revolving"},
        ],
        {"A": ["5000", "-10", "5000", "5000"], "F": ["-9000"] * 4},
        START,
        base="USD",
    )
    d = assessed(case_dir, doc, balances).diagnostics
    assert d.overdraft_days == 1 and d.overdraft_account_days == 1
    assert d.facilities.drawn_days == 4
    assert d.netting_gap_per_year == 0 and d.netting_gap_multi_currency_per_year == 0
    assert {a.account for g in d.netting_gap for a in g.accounts} <= {"A"}


def test_trapped_cash_leaves_out_the_parents_country(case_dir: CaseDir) -> None:
    """Huaxia: a Chinese parent's cash in China is at home, not trapped; a subsidiary's cash
    in India is (both countries restrict sweeping abroad)."""
    doc, balances = one_group(
        [
            {"id": "HOME", "currency": "CNY", "country": "CN"},
            {"id": "HK", "currency": "CNY", "country": "HK", "entity": "SUB"},
        ],
        {"HOME": ["900", "900"], "HK": ["10", "10"]},
        START,
    )
    doc["entities"].append(
        {"id": "SUB", "name": "Sub", "country": "HK", "parent": "E", "ownership": "100%"}
    )
    d = assessed(case_dir, doc, balances).diagnostics
    assert d.home_countries == ("CN",)
    assert d.average_trapped_credit == 0 and d.trapped_accounts == ()
    doc["accounts"].append({"id": "IN", "entity": "SUB", "bank": "Bank", "currency": "CNY"})
    doc["accounts"][-1]["country"] = "IN"
    balances += "2025-03-03,IN,300\n2025-03-04,IN,100\n"
    d = assessed(case_dir, doc, balances).diagnostics
    assert d.trapped_countries == ("IN",)
    assert d.average_trapped_credit == Decimal("200.00")  # (300 + 100) / 2
    assert [f.account for f in d.trapped_accounts] == ["IN"]
    trapped = d.to_dict()["trapped_cash"]  # the JSON contract's one object
    assert trapped["average_credit"] == "200.00" and trapped["countries"] == ["IN"]
    assert trapped["excluded_home_countries"] == ["CN"]
    assert [a["account"] for a in trapped["accounts"]] == ["IN"]


def test_an_ipo_proceeds_account_is_not_idle(case_dir: CaseDir) -> None:
    """Huaxia's 募集资金专户: the largest balance, restricted; idle cash is what the other
    poolable accounts hold outside the largest poolable one."""
    doc, balances = one_group(
        [
            {"id": "IPO", "currency": "CNY", "restricted": True},  # 募集资金专户
            {"id": "A", "currency": "CNY"},
            {"id": "B", "currency": "CNY"},
        ],
        {"IPO": ["100000"] * 2, "A": ["700"] * 2, "B": ["300"] * 2},
        START,
    )
    a = assessed(case_dir, doc, balances)
    d = a.diagnostics
    assert d.average_idle_credit == Decimal("300.00")  # B only
    assert [f.account for f in d.idle_accounts] == ["A", "B"]
    assert d.restricted_cash.average_credit == Decimal("100000.00")
    facts = {k: v for n in a.needs for k, v in n.facts}
    assert facts.get("average_idle_credit", "300.00") == "300.00"


def test_ramp_by_hand() -> None:
    assert ramp(Decimal(5), Decimal(10), Decimal(20)) == 0
    assert ramp(Decimal(10), Decimal(10), Decimal(20)) == 0
    assert ramp(Decimal(15), Decimal(10), Decimal(20)) == Decimal("0.5")
    assert ramp(Decimal(20), Decimal(10), Decimal(20)) == 1
    # 2.5 bp and 25 bp of revenue: 5 % and 50 % of an overall materiality of 0.5 %
    assert Decimal("0.00025") == FLOW_TRIVIAL_OF_REVENUE
    assert Decimal("0.0025") == FLOW_FULL_OF_REVENUE
    m = Materiality(
        "GBP",
        revenue=Decimal(1_000_000),
        balances=Decimal(50_000),
        credit=Decimal(40_000),
        fee_floor=Decimal(900),
        flow_trivial=Decimal(250),
        flow_full=Decimal(2500),
        stock_trivial=Decimal(5000),
        stock_full=Decimal(50000),
    )
    # a flow: the larger of revenue (1,375 is half way from 250 to 2,500) and balances
    # (12.5 to 125: in full), but nothing under the fee floor
    assert m.flow(Decimal(1375)) == 1
    assert m.flow(Decimal(899)) == 0
    # a stock: the smaller of revenue (27,500: half way) and credit (2,000 to 10,000: full)
    assert m.stock(Decimal(27500)) == Decimal("0.5")
    assert FEE_FLOOR_USD == 1200


def larkspur(scale: int) -> tuple[dict[str, Any], str]:
    """A bakery with 1,150,000 GBP revenue: the current account dips below zero on some days
    while the savings account holds credit (all at one bank); `scale` multiplies balances."""
    days = 20
    current = [str(-4000 * scale) if d % 4 == 0 else str(1000 * scale) for d in range(days)]
    doc, balances = one_group(
        [
            {"id": "CUR", "currency": "GBP", "terms": {"debit_rate": "12%"}},
            {"id": "SAV", "currency": "GBP"},
        ],
        {"CUR": current, "SAV": [str(50000 * scale)] * days},
        START,
        base="GBP",
    )
    doc["client"]["annual_revenue"] = "1150000 GBP"
    doc["client"]["needs"] = ["idle-cash"]
    doc["accounts"] = [dict(a, country="GB") for a in doc["accounts"]]
    doc["entities"][0]["country"] = "GB"
    doc["client"]["country"] = "GB"
    doc["fx_rates"] = "fx.csv"
    return doc, balances


def test_a_trivial_netting_gap_scores_nothing(case_dir: CaseDir) -> None:
    """Larkspur: 100 on liquidity for 111 GBP a year. Debit of 4,000 on 5 of 20 days at 12 %
    (ACT/365, sterling's default): 5 x 4,000 x 0.12 / 365 = 6.575 -> 6.58 in 20 days, 120.09
    a year, all of it covered by the savings account at the same bank: below the fee floor
    (960 GBP) and 2.5 bp of revenue (287.50), so it earns no point; the reason says so."""
    doc, balances = larkspur(1)
    a = assessed(case_dir, doc, balances, "date,currency,rate\n2025-03-03,USD,0.8\n")
    d = a.diagnostics
    assert d.netting_gap_per_year == Decimal("120.09")  # 6.58 x 365 / 20 = 120.085
    liquidity = next(n for n in a.needs if n.area == "liquidity")
    assert "netting_gap_per_year" not in dict(liquidity.facts)
    assert "overdraft_days" not in dict(liquidity.facts)
    assert "not material" in liquidity.reason
    assert liquidity.score < 100
    assert a.materiality is not None and a.materiality.fee_floor == Decimal("960.00")
    # The same shape a thousand times larger is material: the gap earns its points.
    doc, balances = larkspur(1000)
    a = assessed(case_dir, doc, balances, "date,currency,rate\n2025-03-03,USD,0.8\n")
    liquidity = next(n for n in a.needs if n.area == "liquidity")
    assert dict(liquidity.facts)["netting_gap_per_year"] == str(a.diagnostics.netting_gap_per_year)
    # stated 40 + the gap in full 30 + overdrawn on 5 of 20 days, material, 10; the idle
    # 750,000 outside the savings account is under 5 % of the group's credit: no point
    assert liquidity.score == 80


def test_assess_json_has_the_new_keys_and_keeps_the_old(case_dir: CaseDir) -> None:
    doc, balances, fx = net_long_group()
    folder = case_dir(case=doc, balances=balances, fx=fx)
    result = CliRunner().invoke(cli, ["assess", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    d = data["diagnostics"]
    for key in [
        "netting_gap_per_year",
        "offset_days",
        "average_offsettable",
        "trapped_countries",
        "average_trapped_credit",
        "idle_accounts",
        "restricted_cash",
        "facilities",
    ]:
        assert key in d
    assert d["netting_gap_multi_bank_per_year"] == "292.00"
    first = d["netting_gap"][0]
    assert {k: first[k] for k in ("scope", "currency", "bank", "interest_per_year")} == {
        "scope": "one-bank",
        "currency": "CNY",
        "bank": "X",
        "interest_per_year": "182.50",
    }
    assert first["accounts"] == [
        {"account": "B", "entity": "E", "bank": "X", "amount": "182.50", "days": 4}
    ]
    assert d["netting_gap"][-1]["currency"] is None and d["netting_gap"][-1]["bank"] is None
    assert data["materiality"]["revenue"] == "1000000.00"
