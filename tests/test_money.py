"""Money rules, checked against amounts worked out by hand and round-trip properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashmgmt.errors import Invalid
from cashmgmt.money import (
    MAX_RATE,
    MIN_RATE,
    Money,
    exponent,
    format_rate,
    from_minor,
    is_currency,
    parse_money,
    parse_rate,
    round_half_away,
    round_money,
    round_ratio,
    round_up_to_multiple,
    to_minor,
)


def test_minor_units_follow_iso_4217_exponents() -> None:
    assert (exponent("CNY"), exponent("JPY"), exponent("KWD")) == (2, 0, 3)


@pytest.mark.parametrize(
    ("code", "places"),
    # ISO 4217 list one (SIX, 2026-01-01), column "Minor unit": where CLDR, which babel
    # follows, shows fewer decimals than the standard (HUF, COP, IDR, IQD), and the unusual
    # ones (CLF 4, BHD 3, ISK 0).
    [("HUF", 2), ("COP", 2), ("IDR", 2), ("IQD", 3), ("CLF", 4), ("BHD", 3), ("ISK", 0)],
)
def test_minor_units_are_iso_4217s_not_cldrs(code: str, places: int) -> None:
    assert exponent(code) == places
    amount = Decimal("1234.56") if places >= 2 else Decimal(1234)
    assert parse_money(f"{amount} {code}").amount == amount  # ordinary bank data is accepted


@pytest.mark.parametrize("code", ["DEM", "HRK", "VEF", "XXX", "XTS", "XAU", "usd", "RMB"])
def test_withdrawn_codes_and_codes_that_are_not_money_are_refused(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(Invalid):
        parse_money(f"100 {code}")
    assert to_minor(Decimal("1234.56"), "CNY") == 123456
    assert to_minor(Decimal("1234"), "JPY") == 1234
    assert to_minor(Decimal("-1.234"), "KWD") == -1234
    assert from_minor(-123456, "CNY") == Decimal("-1234.56")
    assert str(from_minor(5, "KWD")) == "0.005"


def test_amounts_finer_than_a_minor_unit_are_refused() -> None:
    with pytest.raises(ValueError):
        to_minor(Decimal("0.5"), "JPY")
    with pytest.raises(ValueError):
        to_minor(Decimal("1.001"), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.345", "CNY", "2.35"),  # a tie goes away from zero
        ("-2.345", "CNY", "-2.35"),
        ("2.3449", "CNY", "2.34"),
        ("0.5", "JPY", "1"),
        ("-0.5", "JPY", "-1"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_rounding_is_half_away_from_zero(amount: str, currency: str, rounded: str) -> None:
    assert round_money(Decimal(amount), currency) == Decimal(rounded)


def test_integer_division_rounds_half_away_from_zero() -> None:
    # 5/2 = 2.5 -> 3, 3/2 = 1.5 -> 2, 1/2 = 0.5 -> 1, and the same away from zero below it.
    assert [round_half_away(n, 2) for n in (5, 3, 1, -1, -3, -5)] == [3, 2, 1, -1, -2, -3]
    # -1/4 = -0.25 -> 0; 3/4 = 0.75 -> 1; 7/3 = 2.33 -> 2; -8/3 = -2.67 -> -3.
    assert [round_half_away(n, d) for n, d in ((-1, 4), (3, 4), (7, 3), (-8, 3))] == [0, 1, 2, -3]


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        ("0.12345", 4, "0.1234"),  # a tie goes to the even digit: 4
        ("0.12355", 4, "0.1236"),  # ... and here to 6
        ("0.123451", 4, "0.1235"),  # above the tie: up
        ("-0.12345", 4, "-0.1234"),
        ("2.5", 0, "2"),
        ("3.5", 0, "4"),
        ("-2.5", 0, "-2"),
        ("64.50", 0, "64"),  # a 64.5% share is shown as 64%
        ("7.1", 4, "7.1000"),  # always `places` decimals
    ],
)
def test_ratios_round_half_to_even(value: str, places: int, rounded: str) -> None:
    result = round_ratio(Decimal(value), places)
    assert str(result) == rounded
    assert result.as_tuple().exponent == -places


def test_parse_money_and_rates() -> None:
    assert parse_money("500000 CNY") == Money(Decimal(500000), "CNY")
    assert parse_money(1000, "EUR") == Money(Decimal(1000), "EUR")
    assert parse_money(0.1, "EUR").amount == Decimal("0.1")  # YAML float read exactly
    assert parse_rate("0.35%") == Decimal("0.0035")
    assert parse_rate(0.0035) == Decimal("0.0035")
    assert parse_rate("-0.75%") == Decimal("-0.0075")
    for bad in ("500000 XYZ", "lots CNY", True, None, [1]):
        with pytest.raises(Invalid):
            parse_money(bad)
    with pytest.raises(Invalid):
        parse_money(500)  # no currency known from the context


@given(st.decimals(min_value=MIN_RATE, max_value=MAX_RATE, places=8).filter(lambda r: r > MIN_RATE))
def test_rates_survive_their_text_form(rate: Decimal) -> None:
    assert parse_rate(format_rate(rate)) == rate


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["CNY", "JPY", "KWD"]))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    assert to_minor(from_minor(minor, currency), currency) == minor


def test_round_up_to_multiple_by_hand() -> None:
    # a buffer sized from payments rounds up to the next thousand, never down
    assert str(round_up_to_multiple(Decimal("1234.56"), 1000)) == "2000"
    assert str(round_up_to_multiple(Decimal("1000.01"), 1000)) == "2000"
    assert str(round_up_to_multiple(Decimal("0.01"), 1000)) == "1000"
    assert str(round_up_to_multiple(Decimal("123456"), 1000)) == "124000"
    # an exact multiple stays, whatever its decimals; up means toward +infinity
    assert str(round_up_to_multiple(Decimal("2000.00"), 1000)) == "2000"
    assert round_up_to_multiple(Decimal(0), 1000) == 0
    assert round_up_to_multiple(Decimal("-1500"), 1000) == Decimal(-1000)
