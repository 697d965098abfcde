"""The one number parser (money.parse_number): every kind of number has stated bounds, each
refusal is a located problem, and whatever `check` accepts every later command accepts."""

from __future__ import annotations

import copy
import functools
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from casekit import BASE_BALANCES, BASE_CASE, MONTH_BALANCES, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.errors import Invalid
from cashmgmt.money import (
    FX_DECIMALS,
    MAX_FX_RATE,
    MAX_MINOR,
    MAX_NUMBER_CHARS,
    MAX_RATE,
    MIN_FX_RATE,
    MIN_RATE,
    RATE_DECIMALS,
    from_minor,
    parse_fx_rate,
    parse_minor,
    parse_money,
    parse_rate,
    parse_share,
)

DOCS = Path(__file__).parent.parent / "docs"


def edge_numbers(low: Decimal, high: Decimal, decimals: int) -> st.SearchStrategy[str]:
    """Numbers across and at the edges of [low, high] with `decimals` decimals."""
    step = Decimal(1).scaleb(-decimals)
    inside = st.integers(int(low / step), int(high / step)).map(lambda n: n * step)
    edges = st.sampled_from([low, high, low + step, high - step, Decimal(0)])
    return st.one_of(inside, edges).map(lambda d: format(d, "f"))


def beyond(low: Decimal, high: Decimal, decimals: int) -> st.SearchStrategy[str]:
    """Numbers just and far beyond [low, high], or with one decimal too many, and odd
    spellings."""
    step = Decimal(1).scaleb(-decimals)
    outside = [low - step, high + step, high * 10**6, step / 10, (high + step) * 10**30]
    odd = ["1e9999999", "-1E+1000000", "1e-30", "0E-1000000", "9" * 45, "NaN", "1,5", "١"]
    return st.sampled_from([*(format(d, "f") for d in outside), *odd])


def numbers(low: Decimal, high: Decimal, decimals: int, valid: bool) -> st.SearchStrategy[str]:
    """Within the bounds if `valid`, else mostly within and now and then beyond."""
    within = edge_numbers(low, high, decimals)
    if valid:
        return within
    return st.one_of(within, within, within, beyond(low, high, decimals))


def amounts(currency: str, valid: bool, signed: bool = False) -> st.SearchStrategy[str]:
    """Amounts in `currency` (`signed`: negative ones too), tier starts above zero."""
    limit = from_minor(MAX_MINOR - 1, currency)
    places = cashmgmt.money.exponent(currency)
    low = -limit if signed else Decimal(1).scaleb(-places)
    return numbers(low, limit, places, valid)


def rates(valid: bool) -> st.SearchStrategy[str]:
    return st.one_of(
        numbers(MIN_RATE * 100, MAX_RATE * 100, RATE_DECIMALS - 2, valid).map(lambda t: t + "%"),
        numbers(MIN_RATE, MAX_RATE, RATE_DECIMALS, valid),
    )


def shares(valid: bool) -> st.SearchStrategy[str]:
    return numbers(Decimal(0), Decimal(100), RATE_DECIMALS - 2, valid).map(lambda t: t + "%")


def fx_rates(valid: bool) -> st.SearchStrategy[str]:
    return numbers(MIN_FX_RATE, MAX_FX_RATE, FX_DECIMALS, valid)


@st.composite
def numbered_case(draw: st.DrawFn) -> tuple[dict[str, Any], str, str]:
    """The base case with its numbers drawn across their bounds (and sometimes beyond)."""
    valid = draw(st.booleans())
    case: dict[str, Any] = copy.deepcopy(BASE_CASE)
    case["client"]["annual_revenue"] = draw(amounts("CNY", valid)) + " CNY"
    case["entities"][2]["ownership"] = draw(shares(valid))
    case["intercompany_rate"] = draw(rates(valid))
    hq = case["accounts"][0]["terms"]
    hq["credit_rate"], hq["debit_rate"], hq["penalty_rate"] = draw(st.tuples(*[rates(valid)] * 3))
    hq["overdraft_limit"] = draw(amounts("CNY", valid))
    east = case["accounts"][1]["terms"]
    east["credit_rate"][1] = {"from": draw(amounts("CNY", valid)), "rate": draw(rates(valid))}
    fees = case["structures"][0]["fees"]
    for key in ("per_sweep", "per_account_month", "setup"):
        fees[key] = draw(amounts("CNY", valid)) + " CNY"
    pool = case["structures"][1]
    pool["terms"]["credit_rate"], pool["terms"]["debit_rate"] = draw(st.tuples(*[rates(valid)] * 2))
    if draw(st.booleans()):
        pool["allocation"] = "percentage"
        first = draw(st.integers(0, 10**8)) / Decimal(10**6)
        pool["shares"] = {"HQ-CNY": f"{first}%", "NOR-USD": f"{100 - first}%"}
    cny, usd = draw(amounts("CNY", valid, True)), draw(amounts("USD", valid, True))
    balances = BASE_BALANCES.replace("1000.00", cny).replace(",20\n", f",{usd}\n")
    first_fx, second_fx = draw(fx_rates(valid)), draw(fx_rates(valid))
    fx = f"date,currency,rate\n2025-01-01,USD,{first_fx}\n2025-01-03,USD,{second_fx}\n"
    return case, balances, fx


def run_every_command(case: cashmgmt.Case) -> None:
    """simulate (each structure), assess, design and run_cycle: each succeeds or raises a
    cashmgmt.Error; any other exception fails the test."""
    steps: list[Callable[[], object]] = [
        functools.partial(cashmgmt.simulate, case, s.id) for s in case.structures
    ]
    steps += [
        functools.partial(cashmgmt.assess, case),
        lambda: cashmgmt.design(case, cashmgmt.assess(case)),
        functools.partial(cashmgmt.run_cycle, case),
    ]
    for step in steps:
        try:
            step()
        except cashmgmt.Error as exc:
            assert exc.problems and all(p.file and p.message for p in exc.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbered_case())
def test_what_check_accepts_every_command_accepts(sample: tuple[dict[str, Any], str, str]) -> None:
    case, balances, fx = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case, balances=balances, fx=fx)
        try:
            loaded = cashmgmt.load_case(folder)
        except cashmgmt.CaseError as exc:
            for problem in exc.problems:
                assert problem.file and problem.where and problem.message.startswith("expected")
                assert "Invalid" not in problem.message and "Decimal(" not in problem.message
            return
        run_every_command(loaded)


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (parse_rate, "1e9999999%", "a rate above -100% and at most 1000%"),
        (parse_rate, "-100%", "a rate above -100% and at most 1000%"),
        (parse_rate, "0.0000001%", "at most 6 decimals in percent"),
        (parse_rate, "1,5%", "without separators"),
        (parse_rate, "٣%", "the digits 0-9"),
        (parse_share, "1e9999999%", "a share between 0% and 100%"),
        (parse_fx_rate, "0.91999999999999992895", "an FX rate with at most 8 decimals"),
        (parse_fx_rate, "1e12", "an FX rate from 0.000001 to 1,000,000"),
        (parse_fx_rate, "1e-30", "an FX rate from 0.000001 to 1,000,000"),
        (parse_fx_rate, "0.0000001", "an FX rate from 0.000001 to 1,000,000"),
        (parse_fx_rate, "1" * (MAX_NUMBER_CHARS + 1), f"in at most {MAX_NUMBER_CHARS} characters"),
        (lambda v: parse_minor(v, "CNY"), "1E+1000000", "an amount in CNY below"),
        (lambda v: parse_minor(v, "CNY"), "10.005", "at most its minor-unit decimals"),
        (lambda v: parse_minor(v, "CNY"), "NaN", "an amount in CNY like"),
        (lambda v: parse_minor(v, "CNY"), 10**100, "an amount in CNY below"),
        (parse_money, "1e30 EUR", "an amount in EUR below 1,000,000,000,000.00 either way"),
    ],
)
def test_each_kind_of_number_is_refused_in_plain_words(
    parse: Any, value: object, message: str
) -> None:
    with pytest.raises(Invalid) as caught:
        parse(value)
    assert message in caught.value.message
    assert "InvalidOperation" not in caught.value.message


def test_numbers_within_the_bounds_are_read_exactly() -> None:
    assert parse_rate("150%") == Decimal("1.5")  # a legal, if extreme, penalty
    assert parse_rate("1000%") == MAX_RATE
    assert parse_rate("-99.999999%") == Decimal("-0.99999999")
    assert parse_rate("1E+1%") == Decimal("0.1")
    assert parse_share("0E-1000000") == 0
    assert parse_fx_rate("0.000001") == MIN_FX_RATE
    assert parse_fx_rate("1e6") == MAX_FX_RATE
    assert parse_minor("125000000.00", "JPY") == 125000000
    assert parse_minor("999999999999.99", "CNY") == MAX_MINOR - 1
    assert parse_money("1e5 CNY").amount == Decimal(100000)


def test_the_docs_state_the_bounds_the_code_holds() -> None:
    """docs/case-format.md quotes every number bound from money.py's constants."""
    doc = re.sub(r"\s+", " ", (DOCS / "case-format.md").read_text(encoding="utf-8"))
    stated = [
        f"between {MIN_RATE:%} and {MAX_RATE:%}".replace("-", "−"),
        f"at most {RATE_DECIMALS - 2} decimals in percent",
        f"from {MIN_FX_RATE:f} to {MAX_FX_RATE:,f}",
        f"at most {FX_DECIMALS} decimals",
        f"{MAX_NUMBER_CHARS} characters",
        f"below {from_minor(MAX_MINOR, 'CNY'):,f} CNY",
        f"10^{len(str(MAX_MINOR)) - 1} minor units",
    ]
    for text in stated:
        assert text in doc, text


def test_a_conversion_beyond_the_exact_range_is_a_located_problem(tmp_path: Path) -> None:
    """A USD balance near the amount bound at the highest FX rate converts to far more than
    the engine computes exactly: a SimulationError naming fx_rates, never an overflow."""
    balances = BASE_BALANCES.replace(",20\n", ",999999999999.99\n")
    fx = f"date,currency,rate\n2025-01-01,USD,{MAX_FX_RATE}\n"
    case = cashmgmt.load_case(write_case(tmp_path / "case", balances=balances, fx=fx))
    with pytest.raises(cashmgmt.SimulationError) as caught:
        cashmgmt.simulate(case, "pool")
    (problem,) = caught.value.problems
    assert problem.where == "fx_rates" and "USD amounts that stay below" in problem.message


def test_the_smallest_fx_rate_still_gives_a_usd_rate(tmp_path: Path) -> None:
    """At 0.000001 CNY per USD the revenue's USD rate keeps 4 significant digits (it used
    to round to 0 and divide by it)."""
    fx = f"date,currency,rate\n2025-01-01,USD,{MIN_FX_RATE}\n"
    case = cashmgmt.load_case(write_case(tmp_path / "case", fx=fx))
    assert cashmgmt.assess(case).coverage.usd_rate == Decimal("0.000001000")


def test_fees_are_never_priced_at_one_usd_to_one_unit(tmp_path: Path) -> None:
    """A base currency the reference table lacks (NGN), and no FX table to say what a USD
    is worth: the design asks for USD rates instead of pricing USD fees 1:1."""
    case: dict[str, Any] = copy.deepcopy(BASE_CASE)
    case["base_currency"] = "NGN"
    case["client"]["annual_revenue"] = "50000000 USD"
    case["accounts"] = [
        {**a, "currency": "NGN", "terms": {"credit_rate": "1%", "debit_rate": "20%"}}
        for a in case["accounts"]
    ]
    case["structures"] = []
    del case["fx_rates"]
    balances = MONTH_BALANCES.replace("NOR-USD,20", "NOR-USD,-2000000").replace(",25\n", ",30\n")
    loaded = cashmgmt.load_case(write_case(tmp_path / "case", case, balances=balances, fx=None))
    with pytest.raises(cashmgmt.AssessmentError) as caught:
        cashmgmt.design(loaded, cashmgmt.assess(loaded))
    (problem,) = caught.value.problems
    assert problem.where == "fx_rates" and "units of NGN per USD" in problem.message


@pytest.mark.parametrize(
    ("where", "value", "place"),
    [
        ("annual_revenue", "1e30 EUR", "client.annual_revenue"),
        ("credit_rate", "1e9999999%", "accounts[0].terms.credit_rate"),
        ("ownership", "1e9999999%", "entities[1].ownership"),
        ("intercompany_rate", "1e9999999%", "intercompany_rate"),
        ("sweep_days", "monthly:²", "structures[0].sweep_days"),
        ("balance", "1E+1000000", "row 2, column balance"),
        ("fx", "0.91999999999999992895", "row 2, column rate"),
        ("fx", "1e30", "row 2, column rate"),
    ],
)
def test_the_cli_refuses_odd_numbers_with_exit_2(
    tmp_path: Path, where: str, value: str, place: str
) -> None:
    case: dict[str, Any] = copy.deepcopy(BASE_CASE)
    balances, fx = BASE_BALANCES, "date,currency,rate\n2025-01-01,USD,7.2\n"
    if where == "annual_revenue":
        case["client"]["annual_revenue"] = value
    elif where == "credit_rate":
        case["accounts"][0]["terms"]["credit_rate"] = value
    elif where == "ownership":
        case["entities"][1]["ownership"] = value
    elif where == "intercompany_rate":
        case["intercompany_rate"] = value
    elif where == "sweep_days":
        case["structures"][0]["sweep_days"] = value
    elif where == "balance":
        balances = balances.replace("1000.00", value)
    else:
        fx = fx.replace("7.2", value)
    folder = write_case(tmp_path / "case", case, balances=balances, fx=fx)
    for command in ("check", "simulate", "design"):
        result = CliRunner().invoke(cli, [command, str(folder)])
        assert result.exit_code == 2, result.output
        assert place in result.output and "Invalid" not in result.output
