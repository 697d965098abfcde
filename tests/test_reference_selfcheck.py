"""Self-checks of the reference simulation (tests/reference.py) against figures worked by hand.

Each test builds a tiny case, runs `reference_simulate` and compares with arithmetic written
out in the comments. Amounts in comments are minor units ("m") unless they carry a currency.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from casekit import BASE_CASE, write_case
from reference import (
    Calendar,
    closed_days,
    reference_simulate,
    round_half_away,
    split,
    sweep_day_flags,
)

import cashmgmt
from cashmgmt.model import Case

D = Decimal


def account(
    aid: str, entity: str = "HQ", currency: str = "CNY", country: str = "CN", **terms: Any
) -> dict[str, Any]:
    """An account document; keyword arguments become its terms."""
    doc: dict[str, Any] = {
        "id": aid,
        "entity": entity,
        "bank": "CCB",
        "country": country,
        "currency": currency,
    }
    if terms:
        doc["terms"] = terms
    return doc


def zba(participant: str, header: str, **extra: Any) -> dict[str, Any]:
    """A physical structure with one zero-balance rule, swept daily."""
    return {
        "id": "s",
        "name": "S",
        "kind": "physical",
        "rules": [{"from": participant, "to": header, "rule": "zero-balance"}],
        **extra,
    }


def csv(start: date, rows: Mapping[str, Sequence[str]]) -> str:
    """Balances as long-form CSV: one row per account and day, from `start`."""
    lines = ["date,account,balance"]
    for aid, values in rows.items():
        for d, value in enumerate(values):
            lines.append(f"{start + timedelta(days=d)},{aid},{value}")
    return "\n".join(lines) + "\n"


Make = Callable[..., Case]


@pytest.fixture
def make(tmp_path: Path) -> Make:
    """make(accounts, structures, balances, fx=None, **top) -> a loaded Case."""
    counter = iter(range(10**6))

    def build(
        accounts: list[dict[str, Any]],
        structures: list[dict[str, Any]],
        balances: str,
        fx: str | None = None,
        **top: Any,
    ) -> Case:
        doc = copy.deepcopy(BASE_CASE)
        doc["accounts"] = accounts
        doc["structures"] = structures
        if fx is None:
            doc.pop("fx_rates")
        doc.pop("intercompany_rate")
        doc.update(top)
        folder = write_case(tmp_path / f"c{next(counter)}", case=doc, balances=balances, fx=fx)
        return cashmgmt.load_case(folder)

    return build


JAN1 = date(2025, 1, 1)


# --- helpers ------------------------------------------------------------------------------------


def test_round_half_away_from_zero() -> None:
    from fractions import Fraction as F

    assert [round_half_away(F(n, 2)) for n in (-3, -1, 1, 3)] == [-2, -1, 1, 2]
    assert round_half_away(F(149, 100)) == 1 and round_half_away(F(-151, 100)) == -2


def test_split_largest_remainder() -> None:
    from fractions import Fraction as F

    # 10 / 3 = 3.333 each -> 3, 3, 3 (sum 9); the one unit left goes to the earliest (tie).
    assert split([F(10, 3)] * 3, 10) == [4, 3, 3]
    # -10 / 3 -> -3 each (sum -9); one unit to take off: all remainders -1/3, earliest.
    assert split([F(-10, 3)] * 3, -10) == [-4, -3, -3]
    # 5 / 2 = 2.5 each rounds to 3, 3 (sum 6): one unit comes off the earliest (tie).
    assert split([F(5, 2)] * 2, 5) == [2, 3]
    # 1.2, 1.4, 2.4 (sum 5) -> 1, 1, 2 (sum 4): the unit goes to the largest remainder 0.4,
    # tie between members 2 and 3 -> member 2.
    assert split([F(6, 5), F(7, 5), F(12, 5)], 5) == [1, 2, 2]


# --- interest on one balance ---------------------------------------------------------------------


def test_flat_credit_ten_days(make: Make) -> None:
    # CNY 1,000.00 = 100000m at 3.6% ACT/360: 100000 * 0.036 / 360 = 10m a day; 10 days
    # (Jan 1..10, posted once on the last day) -> 100m = 1.00.
    case = make(
        [account("A", credit_rate="3.6%"), account("B")],
        [zba("B", "A")],
        csv(JAN1, {"A": ["1000.00"] * 10, "B": ["0"] * 10}),
    )
    r = reference_simulate(case, "s")
    assert r["days"] == 10
    assert r["baseline"]["accounts"]["A"] == {
        "credit": D("1.00"),
        "debit": D("0.00"),
        "penalty": D("0.00"),
        "net": D("1.00"),
    }
    assert r["baseline"]["net_interest"] == D("1.00")
    assert r["structure"]["net_interest"] == D("1.00")  # B is always 0: nothing moves
    assert r["sweeps"] == 0
    assert r["benefit"] == D("0.00")


def test_rounding_per_posting_period(make: Make) -> None:
    # CNY 10.00 = 1000m at 3.6% ACT/360 = 0.1m a day. Jan 27..Feb 5 (10 days):
    # Jan 27..31 -> 0.5m -> posted 1m (half away from zero); Feb 1..5 -> 0.5m -> 1m.
    # Total 2m = 0.02 (one rounding over the whole history would give 1m).
    start = date(2025, 1, 27)
    case = make(
        [account("A", credit_rate="3.6%", debit_rate="3.6%"), account("B")],
        [zba("B", "A")],
        csv(start, {"A": ["10.00"] * 10, "B": ["0"] * 10}),
    )
    r = reference_simulate(case, "s")
    assert r["baseline"]["accounts"]["A"]["credit"] == D("0.02")
    # And negative: -10.00 at 3.6% debit -> 0.5m paid per period -> 1m each -> 0.02 paid.
    case = make(
        [account("A", credit_rate="3.6%", debit_rate="3.6%"), account("B")],
        [zba("B", "A")],
        csv(start, {"A": ["-10.00"] * 10, "B": ["0"] * 10}),
    )
    r = reference_simulate(case, "s")
    assert r["baseline"]["accounts"]["A"]["debit"] == D("0.02")
    assert r["baseline"]["accounts"]["A"]["net"] == D("-0.02")


TIERS = [{"from": 0, "rate": "1%"}, {"from": 1000, "rate": "2%"}, {"from": 5000, "rate": "3%"}]


def test_marginal_tiers(make: Make) -> None:
    # CNY 6,000.00 = 600000m; tier starts 0, 1000.00 = 100000m, 5000.00 = 500000m.
    # Marginal: 100000 * 1% + 400000 * 2% + 100000 * 3% = 1000 + 8000 + 3000 = 12000m a year;
    # a day 12000 / 360 = 33.33m; 18 days (Jan 1..18) -> 600m = 6.00.
    case = make(
        [account("A", credit_rate=TIERS), account("B")],
        [zba("B", "A")],
        csv(JAN1, {"A": ["6000.00"] * 18, "B": ["0"] * 18}),
    )
    assert reference_simulate(case, "s")["baseline"]["accounts"]["A"]["credit"] == D("6.00")


def test_whole_tiers(make: Make) -> None:
    # Whole: 600000m lies in the 3% tier -> 600000 * 3% / 360 = 50m a day; 18 days -> 900m.
    # Exactly at a tier start, 5000.00 = 500000m also takes 3%: 500000 * 3% / 360 * 18 = 750m.
    # Just below it, 4999.99 = 499999m takes 2%: 499999 * 2% / 360 * 18 = 499.999m -> 500m.
    def credit(balance: str) -> Decimal:
        case = make(
            [account("A", credit_rate=TIERS, tiering="whole"), account("B")],
            [zba("B", "A")],
            csv(JAN1, {"A": [balance] * 18, "B": ["0"] * 18}),
        )
        value = reference_simulate(case, "s")["baseline"]["accounts"]["A"]["credit"]
        assert isinstance(value, Decimal)
        return value

    assert credit("6000.00") == D("9.00")
    assert credit("5000.00") == D("7.50")
    assert credit("4999.99") == D("5.00")


def test_overdraft_limit_and_penalty(make: Make) -> None:
    # CNY -3,000.00: size 300000m, limit 1000.00 = 100000m -> w = 100000, x = 200000.
    # debit 100000 * 7.2% / 360 = 20m a day; penalty 200000 * 18% / 360 = 100m a day.
    # 10 days -> debit 200m = 2.00, penalty 1000m = 10.00, net -12.00.
    case = make(
        [
            account(
                "A",
                debit_rate="7.2%",
                overdraft_limit="1000 CNY",
                penalty_rate="18%",
            ),
            account("B"),
        ],
        [zba("B", "A")],
        csv(JAN1, {"A": ["-3000.00"] * 10, "B": ["0"] * 10}),
    )
    assert reference_simulate(case, "s")["baseline"]["accounts"]["A"] == {
        "credit": D("0.00"),
        "debit": D("2.00"),
        "penalty": D("10.00"),
        "net": D("-12.00"),
    }


def test_default_penalty_is_highest_debit_tier(make: Make) -> None:
    # Debit tiers 5% from 0, 9% from 1000.00 (marginal); limit 2000.00; no penalty rate ->
    # penalty at 9%. Balance -5,000.00: w = 200000m, x = 300000m.
    # debit 100000 * 5% + 100000 * 9% = 14000m a year; 18 days -> 14000 * 18 / 360 = 700m.
    # penalty 300000 * 9% = 27000m a year; 18 days -> 1350m.
    case = make(
        [
            account(
                "A",
                debit_rate=[{"from": 0, "rate": "5%"}, {"from": 1000, "rate": "9%"}],
                overdraft_limit="2000 CNY",
            ),
            account("B"),
        ],
        [zba("B", "A")],
        csv(JAN1, {"A": ["-5000.00"] * 18, "B": ["0"] * 18}),
    )
    figures = reference_simulate(case, "s")["baseline"]["accounts"]["A"]
    assert (figures["debit"], figures["penalty"]) == (D("7.00"), D("13.50"))


def test_negative_credit_rate_and_act365(make: Make) -> None:
    # EUR-style negative rate: CNY 3,650.00 = 365000m at -0.5% ACT/365 = -5m a day;
    # 7 days -> credit -35m = -0.35 (credit posted negative, net -0.35).
    case = make(
        [account("A", day_count="ACT/365", credit_rate="-0.5%"), account("B")],
        [zba("B", "A")],
        csv(JAN1, {"A": ["3650.00"] * 7, "B": ["0"] * 7}),
    )
    figures = reference_simulate(case, "s")["baseline"]["accounts"]["A"]
    assert (figures["credit"], figures["net"]) == (D("-0.35"), D("-0.35"))


def test_fx_conversion_at_posting_day(make: Make) -> None:
    # USD 1,000.00 = 100000m at 3.6% ACT/360 = 10m a day. Jan 30..Feb 2:
    # Jan 30..31 -> 20m = USD 0.20, posted Jan 31 at 7.2 -> CNY 1.44;
    # Feb 1..2 -> USD 0.20, posted Feb 2 at the rate of Feb 1 carried forward (7.2345)
    # -> 1.4469 -> CNY 1.45. Total 2.89.
    start = date(2025, 1, 30)
    case = make(
        [account("U", currency="USD", credit_rate="3.6%"), account("B", currency="USD")],
        [zba("B", "U", fees={"setup": "10 USD"})],
        csv(start, {"U": ["1000.00"] * 4, "B": ["0"] * 4}),
        fx="date,currency,rate\n2025-01-30,USD,7.2\n2025-02-01,USD,7.2345\n",
    )
    r = reference_simulate(case, "s")
    assert r["baseline"]["accounts"]["U"]["credit"] == D("2.89")
    # Fees at the last day's rate: USD 10 * 7.2345 = CNY 72.345 -> 72.35 (rounded here).
    assert r["fees"] == D("72.35")


# --- physical structures -------------------------------------------------------------------------


def test_zero_balance_three_days(make: Make) -> None:
    # P (entity EAST) sweeps daily into H (entity HQ).
    # history P: 10000, 15000, 12000 -> flows 10000, 5000, -3000
    # history H:  5000,  5000,  8000 -> flows  5000,    0,  3000
    # day 0: P b = 10000 -> s = 10000 -> P 0, H 5000 + 10000 = 15000
    # day 1: P b = 0 + 5000 -> s = 5000 -> P 0, H 15000 + 0 + 5000 = 20000
    # day 2: P b = 0 - 3000 -> s = -3000 (funds P) -> P 0, H 20000 + 3000 - 3000 = 20000
    # totals 15000, 20000, 20000 equal the history's 15000, 20000, 20000 (conservation).
    case = make(
        [account("H", credit_rate="3.6%"), account("P", entity="EAST")],
        [
            zba(
                "P",
                "H",
                fees={"per_sweep": "1 CNY", "per_account_month": "10 CNY", "setup": "100 CNY"},
            )
        ],
        csv(JAN1, {"H": ["50.00", "50.00", "80.00"], "P": ["100.00", "150.00", "120.00"]}),
        intercompany_rate="3.6%",
    )
    r = reference_simulate(case, "s")
    assert r["structure"]["closing"] == {"H": [15000, 20000, 20000], "P": [0, 0, 0]}
    assert r["sweeps"] == 3
    # H at 3.6%/360 = 0.0001 a day: baseline (5000 + 5000 + 8000) * 0.0001 = 1.8m -> 2m;
    # structure (15000 + 20000 + 20000) * 0.0001 = 5.5m -> 6m (half away from zero).
    assert r["baseline"]["net_interest"] == D("0.02")
    assert r["structure"]["net_interest"] == D("0.06")
    # fees: 3 sweeps * 1 + 2 accounts * 1 month * 10 + 100 setup = 123.00
    assert r["fees"] == D("123.00")
    # benefit 0.06 - 0.02 - 123.00 = -122.96; a year, the 100.00 set-up spread over 36
    # months (issue 12): (-12296m + 10000m) * 365 / 3 - 10000m * 12 / 36
    # = -279346.67m - 3333.33m = -282680m.
    assert r["benefit"] == D("-122.96")
    assert r["annual"] == D("-2826.80")
    # EAST lends HQ: running 10000, 15000, 12000; interest ACT/360 3.6%:
    # (10000 + 15000 + 12000) * 0.0001 = 3.7m -> 4m.
    assert r["intercompany"] == [
        {
            "lender": "EAST",
            "borrower": "HQ",
            "currency": "CNY",
            "closing_position": D("120.00"),
            "peak": D("150.00"),
            "interest": D("0.04"),
            "withholding": D("0.00"),  # both CN: no withholding; VAT 6% x 4 fen = 0.24 fen -> 0
            "vat": D("0.00"),
        }
    ]


def test_target_rule_direction_up(make: Make) -> None:
    # P target 100.00 = 10000m, direction up (only positive transfers), H starts at 0.
    # history P: 15000, 8000, 23000 -> flows 15000, -7000, 15000.
    # day 0: b = 15000, s = 5000 -> P 10000, H 5000
    # day 1: b = 10000 - 7000 = 3000, s = -7000 -> up keeps 0 -> P 3000, H 5000
    # day 2: b = 3000 + 15000 = 18000, s = 8000 -> P 10000, H 13000
    case = make(
        [account("H"), account("P")],
        [
            {
                "id": "s",
                "name": "S",
                "kind": "physical",
                "rules": [
                    {
                        "from": "P",
                        "to": "H",
                        "rule": "target",
                        "target": "100 CNY",
                        "direction": "up",
                    }
                ],
            }
        ],
        csv(JAN1, {"H": ["0"] * 3, "P": ["150.00", "80.00", "230.00"]}),
    )
    r = reference_simulate(case, "s")
    assert r["structure"]["closing"] == {"H": [5000, 5000, 13000], "P": [10000, 3000, 10000]}
    assert r["sweeps"] == 2
    assert r["intercompany"] == []  # same entity


def rule_case(make: Make, rule: dict[str, Any], p: list[str]) -> dict[str, Any]:
    """H funds P without a floor in the way (header_limit 1,000 CNY): the rule alone."""
    structure = {"id": "s", "name": "S", "kind": "physical", "header_limit": {"H": "1000 CNY"}}
    case = make(
        [account("H"), account("P")],
        [{**structure, "rules": [{"from": "P", "to": "H", **rule}]}],
        csv(JAN1, {"H": ["0"] * len(p), "P": p}),
    )
    return reference_simulate(case, "s")


def test_threshold_and_range_rules(make: Make) -> None:
    # threshold T = 0, minimum 60.00 = 6000m; P history 5000, 12000, 10000 (flows 5000,
    # 7000, -2000). day 0: |5000| < 6000 -> 0. day 1: b = 12000 -> s = 12000 -> P 0.
    # day 2: b = -2000, |-2000| < 6000 -> 0 -> P -2000.
    r = rule_case(
        make,
        {"rule": "threshold", "target": "0 CNY", "minimum": "60 CNY"},
        ["50.00", "120.00", "100.00"],
    )
    assert r["structure"]["closing"] == {"H": [0, 12000, 12000], "P": [5000, 0, -2000]}
    # range [50.00, 150.00] target 100.00; P history 12000, 20000, 3000 (flows 12000, 8000,
    # -17000). day 0: 12000 inside -> 0. day 1: b = 20000 > 15000 -> s = 10000 -> P 10000.
    # day 2: b = 10000 - 17000 = -7000 < 5000 -> s = -17000 -> P 10000, H 10000 - 17000.
    r = rule_case(
        make,
        {"rule": "range", "low": "50 CNY", "high": "150 CNY", "target": "100 CNY"},
        ["120.00", "200.00", "30.00"],
    )
    assert r["structure"]["closing"] == {"H": [0, 10000, -7000], "P": [12000, 10000, 10000]}
    assert r["sweeps"] == 2


def test_direction_down(make: Make) -> None:
    # zero-balance, direction down (funding only). P history 5000, -2000 -> flows 5000, -7000.
    # day 0: b = 5000, s = 5000 -> down keeps 0 -> P 5000, H 0.
    # day 1: b = 5000 - 7000 = -2000, s = -2000 -> P 0, H 0 + (-2000) = -2000.
    r = rule_case(make, {"rule": "zero-balance", "direction": "down"}, ["50.00", "-20.00"])
    assert r["structure"]["closing"] == {"H": [0, -2000], "P": [5000, 0]}


def test_two_level_cascade_same_evening(make: Make) -> None:
    # C -> B -> A, all zero-balance daily; the rules are listed root first on purpose.
    # history A 1000, 1000; B 5000, 4000; C 10000, 12000.
    # day 0: C b = 10000 -> s = 10000 -> B 5000 + 10000 = 15000 -> s = 15000
    #        -> A 1000 + 15000 = 16000.
    # day 1: C b = 0 + 2000 -> B 0 - 1000 + 2000 = 1000 -> A 16000 + 0 + 1000 = 17000.
    # totals 16000, 17000 = history 16000, 17000.
    case = make(
        [account("A"), account("B", entity="EAST"), account("C")],
        [
            {
                "id": "s",
                "name": "S",
                "kind": "physical",
                "rules": [
                    {"from": "B", "to": "A", "rule": "zero-balance"},
                    {"from": "C", "to": "B", "rule": "zero-balance"},
                ],
            }
        ],
        csv(JAN1, {"A": ["10.00"] * 2, "B": ["50.00", "40.00"], "C": ["100.00", "120.00"]}),
    )
    r = reference_simulate(case, "s")
    assert r["structure"]["closing"] == {"A": [16000, 17000], "B": [0, 0], "C": [0, 0]}
    assert r["sweeps"] == 4
    # HQ (C) lends EAST (B) 10000 then 12000; EAST lends HQ (A) 15000 then 16000.
    # Pair (EAST, HQ) in CNY, lent by EAST: -10000 + 15000 = 5000; then 5000 - 2000 + 1000
    # = 4000. No rate -> interest 0.
    assert r["intercompany"] == [
        {
            "lender": "EAST",
            "borrower": "HQ",
            "currency": "CNY",
            "closing_position": D("40.00"),
            "peak": D("50.00"),
            "interest": D("0.00"),
            "withholding": D("0.00"),  # nothing posted, no tax
            "vat": D("0.00"),
        }
    ]


def test_intercompany_closing_at_zero_named_by_peak(make: Make) -> None:
    # H may fund down to -50.00 (header_limit).
    # P (EAST) -> H (HQ) zero-balance daily; P history -5000, -5000, 0 -> flows -5000, 0, 5000.
    # day 0: s = -5000: HQ lends EAST 5000. day 1: s = 0. day 2: s = 5000: EAST repays -> 0.
    # Closing position 0 -> named by the sign at the peak: HQ lender, EAST borrower.
    # Interest 3.6% ACT/360 to HQ: (5000 + 5000 + 0) * 0.0001 = 1m = 0.01.
    case = make(
        [account("H"), account("P", entity="EAST")],
        [zba("P", "H", header_limit={"H": "50 CNY"})],
        csv(JAN1, {"H": ["0"] * 3, "P": ["-50.00", "-50.00", "0"]}),
        intercompany_rate="3.6%",
    )
    r = reference_simulate(case, "s")
    assert r["sweeps"] == 2
    assert r["intercompany"] == [
        {
            "lender": "HQ",
            "borrower": "EAST",
            "currency": "CNY",
            "closing_position": D("0.00"),
            "peak": D("50.00"),
            "interest": D("0.01"),
            "withholding": D("0.00"),  # both CN: no withholding; VAT 6% x 1 fen = 0.06 fen -> 0
            "vat": D("0.00"),
        }
    ]


def test_business_day_sweeps_skip_holiday_and_weekend(make: Make) -> None:
    # sweep_days business, both accounts CN: 2025-01-01 is New Year's Day (holiday),
    # Jan 4-5 a weekend. P history 100.00 every day (flow only on day 0).
    # Jan 1 no sweep: P 10000. Jan 2 sweep 10000 -> P 0, H 10000; then nothing moves.
    case = make(
        [account("H"), account("P")],
        [zba("P", "H", sweep_days="business")],
        csv(JAN1, {"H": ["0"] * 6, "P": ["100.00"] * 6}),
    )
    r = reference_simulate(case, "s")
    assert r["structure"]["closing"]["P"] == [10000, 0, 0, 0, 0, 0]
    assert r["sweeps"] == 1


def test_sweep_day_schedules_china_2025() -> None:
    # CN 2025: Jan 1 holiday; Jan 28-31, Feb 3-4 Spring Festival holidays; Sunday Jan 26 and
    # Saturday Feb 8 are make-up working days (State Council notice of 2024-11-12).
    cn = Calendar(closed_days("CN", (2024, 2025, 2026)))
    dates = [date(2025, 1, 1) + timedelta(days=d) for d in range(59)]  # Jan 1 .. Feb 28

    def days(schedule: str) -> list[date]:
        flags = sweep_day_flags(schedule, cn, dates)
        return [d for d, f in zip(dates, flags, strict=True) if f]

    # monthly:last: Jan 31, 30, 29, 28 are holidays -> Mon Jan 27; Feb 28 is a Friday.
    assert days("monthly:last") == [date(2025, 1, 27), date(2025, 2, 28)]
    # monthly:first: Jan 1 holiday -> Jan 2; Feb 1-2 weekend, Feb 3-4 holidays -> Feb 5.
    assert days("monthly:first") == [date(2025, 1, 2), date(2025, 2, 5)]
    # monthly:30: Jan 30 -> no business day later in January -> Jan 27; February is shorter
    # -> its last day Feb 28 (a Friday).
    assert days("monthly:30") == [date(2025, 1, 27), date(2025, 2, 28)]
    # monthly:1: Jan 1 -> Jan 2; Feb 1 -> Feb 5.
    assert days("monthly:1") == [date(2025, 1, 2), date(2025, 2, 5)]
    # weekly:WED: Jan 1 (holiday) -> Jan 2; Jan 8, 15, 22; Jan 29 (holiday) -> Feb 5, which is
    # also that week's own Wednesday: one sweep; Feb 12, 19, 26.
    assert days("weekly:WED") == [
        date(2025, 1, 2),
        date(2025, 1, 8),
        date(2025, 1, 15),
        date(2025, 1, 22),
        date(2025, 2, 5),
        date(2025, 2, 12),
        date(2025, 2, 19),
        date(2025, 2, 26),
    ]
    assert sum(sweep_day_flags("daily", cn, dates)) == 59
    # business: 59 days - 16 weekend days - 7 weekday holidays (Jan 1, 28-31, Feb 3-4)
    # + 2 make-up working days (Sun Jan 26, Sat Feb 8) = 38
    assert sum(sweep_day_flags("business", cn, dates)) == 38


def test_unknown_country_has_weekends_only() -> None:
    # "TA" (Tristan da Cunha) passes the case's country check but the package has no calendar.
    ta = closed_days("TA", (2025,))
    assert len(ta) == 104 and all(d.weekday() >= 5 for d in ta)  # 52 Saturdays, 52 Sundays
    assert Calendar(ta).is_business(date(2025, 1, 1))


def test_cross_border_rule_needs_both_markets_open(make: Make) -> None:
    # Business sweeps, 2025-04-16 (Wed) .. 04-18 (Fri). Apr 17 (Maundy Thursday) and Apr 18
    # (Good Friday) are Norwegian holidays, ordinary business days in China.
    # P history 10000, 15000, 17000 -> flows 10000, 5000, 2000.
    # P in Norway -> H in China: Apr 16 sweep -> P 0, H 10000; Apr 17, 18 no sweep (Oslo
    # closed) -> P 5000, 7000.
    # P in China -> H in China: every day sweeps -> P 0, 0, 0; H 10000, 15000, 17000.
    p = ["100.00", "150.00", "170.00"]
    start = date(2025, 4, 16)
    for p_country, expected in (
        ("NO", {"H": [10000, 10000, 10000], "P": [0, 5000, 7000]}),
        ("CN", {"H": [10000, 15000, 17000], "P": [0, 0, 0]}),
    ):
        case = make(
            [account("H"), account("P", entity="NOR", country=p_country)],
            [zba("P", "H", sweep_days="business")],
            csv(start, {"H": ["0"] * 3, "P": p}),
        )
        assert reference_simulate(case, "s")["structure"]["closing"] == expected


# --- notional pools ------------------------------------------------------------------------------


def test_notional_even_allocation_with_remainder(make: Make) -> None:
    # Pool CNY, credit 3.6% ACT/360. Members A 30000m, B -10000m, C -10000m -> net 10000m
    # -> 1m a day; 10 days -> P = 10m. Even: 10/3 = 3.33 each -> 3, 3, 3; the unit left
    # goes to the earliest member (equal remainders): A 4m, B 3m, C 3m.
    # A has its own 3.6% credit: baseline 30000 * 0.0001 * 10 = 30m = 0.30; B, C no terms.
    # D is outside the pool: 100000m at 3.6% -> 10m a day -> 100m = 1.00 on both sides.
    # Fees: 3 members * 1 month * 10.00 = 30.00.
    case = make(
        [
            account("A", credit_rate="3.6%"),
            account("B"),
            account("C"),
            account("D", credit_rate="3.6%"),
        ],
        [
            {
                "id": "pool",
                "name": "Pool",
                "kind": "notional",
                "currency": "CNY",
                "accounts": ["A", "B", "C"],
                "terms": {"credit_rate": "3.6%"},
                "allocation": "even",
                "fees": {"per_account_month": "10 CNY"},
            }
        ],
        csv(
            JAN1,
            {
                "A": ["300.00"] * 10,
                "B": ["-100.00"] * 10,
                "C": ["-100.00"] * 10,
                "D": ["1000.00"] * 10,
            },
        ),
    )
    r = reference_simulate(case, "pool")
    s = r["structure"]["accounts"]
    assert [s[a]["net"] for a in "ABC"] == [D("0.04"), D("0.03"), D("0.03")]
    assert s["A"] == {
        "credit": D("0.04"),
        "debit": D("0.00"),
        "penalty": D("0.00"),
        "net": D("0.04"),
    }
    assert s["D"]["net"] == D("1.00")
    assert r["baseline"]["net_interest"] == D("1.30")
    assert r["structure"]["net_interest"] == D("1.10")
    assert r["fees"] == D("30.00")
    assert r["benefit"] == D("-30.20")  # 1.10 - 1.30 - 30.00
    assert r["sweeps"] == 0
    assert r["intercompany"] == []
    assert r["structure"]["closing"]["B"] == [-10000] * 10


def pool_case(make: Make, allocation: str, **extra: Any) -> dict[str, Any]:
    # Pool USD, credit 3.6%, debit 7.2% ACT/360; base CNY, USD at 7.2.
    # A: CNY 7,200.00 = 720000m -> 720000 * 1 / 7.2 = 100000 USD m; B: USD -400.00 = -40000m.
    # net 60000m -> 60000 * 0.036 / 360 = 6m a day; 10 days -> P = 60m (USD 0.60).
    # alone: A 100000 * 0.0001 * 10 = 100m; B pays 40000 * 0.072 / 360 * 10 = 80m -> -80m.
    case = make(
        [account("A"), account("B", entity="NOR", currency="USD", country="NO")],
        [
            {
                "id": "pool",
                "name": "Pool",
                "kind": "notional",
                "currency": "USD",
                "accounts": ["A", "B"],
                "terms": {"credit_rate": "3.6%", "debit_rate": "7.2%"},
                "allocation": allocation,
                **extra,
            }
        ],
        csv(JAN1, {"A": ["7200.00"] * 10, "B": ["-400.00"] * 10}),
        fx="date,currency,rate\n2025-01-01,USD,7.2\n",
    )
    result: dict[str, Any] = reference_simulate(case, "pool")["structure"]["accounts"]
    return {a: result[a]["net"] for a in "AB"}


def test_notional_allocations_multi_currency(make: Make) -> None:
    # fair-share: P - sum(alone) = 60 - 20 = 40 goes by positive balances: all to A.
    # A 100 + 40 = 140m = USD 1.40 -> CNY 10.08; B -80m = USD -0.80 -> CNY -5.76.
    assert pool_case(make, "fair-share") == {"A": D("10.08"), "B": D("-5.76")}
    # reverse-fair-share: the 40 goes by debit usage: all to B -> A 100, B -40.
    assert pool_case(make, "reverse-fair-share") == {"A": D("7.20"), "B": D("-2.88")}
    # header (default: the first member A): all 60m -> USD 0.60 -> CNY 4.32.
    assert pool_case(make, "header") == {"A": D("4.32"), "B": D("0.00")}
    assert pool_case(make, "header", header="B") == {"A": D("0.00"), "B": D("4.32")}
    # percentage 70/30: 42m, 18m -> CNY 3.024 -> 3.02, 1.296 -> 1.30.
    shares = {"A": "70%", "B": "30%"}
    assert pool_case(make, "percentage", shares=shares) == {"A": D("3.02"), "B": D("1.30")}


def test_base_case_runs_and_conserves_money(tmp_path: Path) -> None:
    case = cashmgmt.load_case(write_case(tmp_path))
    r = reference_simulate(case, "zba")
    closing = r["structure"]["closing"]
    for d in range(r["days"]):
        for cur in ("CNY", "USD"):
            ids = [a.id for a in case.accounts if a.currency == cur]
            assert sum(closing[a][d] for a in ids) == sum(int(case.balances.row(a)[d]) for a in ids)
    assert (
        r["benefit"] == r["structure"]["net_interest"] - r["baseline"]["net_interest"] - r["fees"]
    )
