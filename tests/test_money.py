"""Money rules, checked against amounts worked out by hand and round-trip properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashmgmt.errors import Invalid
from cashmgmt.money import (
    Money,
    exponent,
    format_rate,
    from_minor,
    parse_money,
    parse_rate,
    round_money,
    round_up_to_multiple,
    to_minor,
)


def test_minor_units_follow_iso_4217_exponents() -> None:
    assert (exponent("CNY"), exponent("JPY"), exponent("KWD")) == (2, 0, 3)
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


@given(st.decimals(min_value=-100, max_value=100, places=6, allow_nan=False))
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
