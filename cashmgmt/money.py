"""Exact money: Decimal amounts with ISO 4217 currencies, minor units from babel.

The engine works in integer minor units; this module is the one place that converts
between a client-facing `Decimal` and those integers, and it names every rounding rule.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import attrs
from babel.numbers import get_currency_precision, list_currencies

from cashmgmt.errors import Invalid

#: The only rounding the product uses for money: half away from zero (ROUND_HALF_UP in
#: `decimal` rounds ties away from zero for negative numbers too).
HALF_AWAY_FROM_ZERO = ROUND_HALF_UP
#: Rounding toward positive infinity, for amounts that must not fall short (a buffer).
UP = ROUND_CEILING

#: Ratios and rates that are not money (a share of balances, a USD rate, a whole percentage)
#: round half to even, `decimal`'s default, so the figures published stay as they were.
HALF_TO_EVEN = ROUND_HALF_EVEN


@cache
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes babel knows (CLDR), the set a case file may use."""
    return frozenset(list_currencies())


def is_currency(code: object) -> bool:
    """Whether `code` is a known ISO 4217 currency code (upper case, three letters)."""
    return isinstance(code, str) and len(code) == 3 and code.isupper() and code in currency_codes()


@cache
def exponent(currency: str) -> int:
    """Minor-unit exponent of a currency (CNY 2, JPY 0, KWD 3), from babel."""
    if not is_currency(currency):
        raise ValueError(f"unknown currency code {currency!r}")
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    """The smallest amount of a currency as a Decimal, e.g. Decimal('0.01') for CNY."""
    return Decimal(1).scaleb(-exponent(currency))


def fits_minor(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is a whole number of the currency's minor units."""
    return amount == amount.quantize(quantum(currency)) if amount.is_finite() else False


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion to integer minor units; refuses amounts finer than a minor unit."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units back to a Decimal with the currency's number of decimals."""
    return Decimal(int(minor)).scaleb(-exponent(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half away from zero (the product's rule)."""
    return amount.quantize(quantum(currency), rounding=HALF_AWAY_FROM_ZERO)


def round_up_to_multiple(amount: Decimal, step: int) -> Decimal:
    """Round up (toward positive infinity) to a whole multiple of `step`: the rule for a
    target balance sized from an account's own payments, which must cover them rather than
    fall short by the rounding (1234.56 -> 2000 and -1500 -> -1000 for a step of 1000)."""
    return (amount / step).to_integral_value(rounding=UP) * step


def round_half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator to a whole number, half away from zero (the product's rule, in
    integers: minor units divided by days, say); denominator > 0."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def round_ratio(value: Decimal, places: int) -> Decimal:
    """A ratio or rate that is not money to `places` decimals, half to even."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=HALF_TO_EVEN)


@attrs.frozen(order=False, cache_hash=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def minor(self) -> int:
        """The amount in integer minor units (exact; raises if finer than a minor unit)."""
        return to_minor(self.amount, self.currency)


def parse_decimal(value: object) -> Decimal:
    """A number from a case file (int, YAML float or string) as an exact Decimal.

    Floats are read through their shortest repr, which is the literal the user wrote.
    """
    if isinstance(value, bool):
        raise Invalid("a number", value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
        if "," in text or "_" in text:  # 1,5 is 1.5 in much of Europe: never guess
            raise Invalid("a number like 1234567.89, without separators", value)
    else:
        raise Invalid("a number", value)
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise Invalid("a number", value) from None
    if not result.is_finite():
        raise Invalid("a finite number", value)
    return result


#: Largest amount the engine takes, in minor units: room for 10,000 accounts to be summed
#: in int64 (a trillion CNY, or 10^14 JPY).
MAX_MINOR = 10**14


def check_size(money: Money) -> Money:
    """Refuse an amount too large for the engine or finer than the currency's minor unit."""
    if not fits_minor(money.amount, money.currency):
        raise Invalid(
            f"an amount in whole {money.currency} minor units "
            f"(at most {exponent(money.currency)} decimals)",
            str(money),
        )
    if abs(to_minor(money.amount, money.currency)) >= MAX_MINOR:
        limit = from_minor(MAX_MINOR, money.currency)
        raise Invalid(f"an amount below {limit:,f} {money.currency}", str(money))
    return money


def parse_money(value: object, default_currency: str | None = None) -> Money:
    """`"500000 CNY"` (or a bare number when `default_currency` is known) as Money."""
    if isinstance(value, str) and len(value.split()) == 2:
        number, code = value.split()
        if not is_currency(code):
            raise Invalid("an amount and an ISO 4217 currency code, like '500000 CNY'", value)
        try:
            return Money(parse_decimal(number), code)
        except Invalid:
            raise Invalid(
                "an amount and an ISO 4217 currency code, like '500000 CNY'", value
            ) from None
    if default_currency is None:
        raise Invalid("an amount with its currency, like '500000 CNY'", value)
    try:
        return Money(parse_decimal(value), default_currency)
    except Invalid:
        raise Invalid(f"an amount, like '500000 {default_currency}'", value) from None


def parse_rate(value: object) -> Decimal:
    """A rate written `0.35%` or `0.0035`, as a Decimal fraction."""
    try:
        if isinstance(value, str) and value.strip().endswith("%"):
            return parse_decimal(value.strip()[:-1]) / 100
        return parse_decimal(value)
    except Invalid:
        raise Invalid("a rate like '0.35%' or 0.0035", value) from None


def format_rate(rate: Decimal) -> str:
    """A rate as the percentage text a case file uses (`0.0035` -> `0.35%`)."""
    pct = (rate * 100).normalize()
    text = format(pct, "f")
    return f"{text}%"
