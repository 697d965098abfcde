"""Exact money: Decimal amounts with ISO 4217 currencies and their minor units.

The engine works in integer minor units; this module is the one place that converts
between a client-facing `Decimal` and those integers, and it names every rounding rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.errors import Invalid

Int64Array = npt.NDArray[np.int64]

#: The only rounding the product uses for money: half away from zero (ROUND_HALF_UP in
#: `decimal` rounds ties away from zero for negative numbers too).
HALF_AWAY_FROM_ZERO = ROUND_HALF_UP
#: Rounding toward positive infinity, for amounts that must not fall short (a buffer).
UP = ROUND_CEILING

#: Ratios and rates that are not money (a share of balances, a USD rate, a whole percentage)
#: round half to even, `decimal`'s default, so the figures published stay as they were.
HALF_TO_EVEN = ROUND_HALF_EVEN


@cache
def _iso4217() -> dict[str, int]:
    """Active ISO 4217 codes and their minor units, from the maintained `iso4217` package
    (ISO 4217 list one, as published by its maintenance agency, SIX, 2026-01-01: HUF and
    COP have 2 decimals there, where CLDR shows 0). Withdrawn codes (DEM, HRK, VEF) are not
    in it, and codes with no minor unit (XXX, XTS, XAU: not money) are left out. Loaded on
    first use: the table is parsed from the package's XML."""
    from iso4217 import Currency

    return {c.code: c.exponent for c in Currency if c.exponent is not None}


def currency_codes() -> frozenset[str]:
    """The active ISO 4217 codes of money, the set a case file may use."""
    return frozenset(_iso4217())


def is_currency(code: object) -> bool:
    """Whether `code` is a known ISO 4217 currency code (upper case, three letters)."""
    return isinstance(code, str) and len(code) == 3 and code in _iso4217()


@cache
def exponent(currency: str) -> int:
    """Minor-unit exponent of a currency from ISO 4217 (CNY 2, JPY 0, KWD 3, CLF 4)."""
    if not is_currency(currency):
        raise ValueError(f"unknown currency code {currency!r}")
    return _iso4217()[currency]


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


def from_minor_all(minor: Iterable[int], currency: str) -> list[Decimal]:
    """`from_minor` of each amount, the currency's decimals looked up once (for tables of
    figures: a simulation turns thousands of them into Decimals)."""
    places = -exponent(currency)
    return [Decimal(int(m)).scaleb(places) for m in minor]


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


#: Months over which a structure's set-up fee is spread in every annual figure, unless the
#: case says otherwise (`contract_months`): a three-year mandate, the usual term of a
#: cash-management agreement; a case may state 1 to MAX_CONTRACT_MONTHS.
DEFAULT_CONTRACT_MONTHS = 36
MAX_CONTRACT_MONTHS = 120


def annualise(period: int, setup: int, days: int, contract_months: int) -> int:
    """The annual figure of a period's result (minor units, half away from zero, rounded
    once): the result before the set-up fee scaled to 365 days, less the set-up fee spread
    over the contract, `(period + setup) × 365 / days − setup × 12 / contract_months`.
    With no set-up fee it is `period × 365 / days`, the rule before set-up was spread."""
    if days <= 0 or contract_months <= 0:
        raise ValueError("days and contract months must be positive")
    numerator = (period + setup) * 365 * contract_months - setup * 12 * days
    return round_half_away(numerator, days * contract_months)


def round_tax(minor: int, rate: Decimal) -> int:
    """A tax at `rate` on an amount of `minor` units (withholding tax or VAT on one posting of
    intercompany interest), to the minor unit, half away from zero: each tax of each posting is
    rounded once, as the product rounds money (docs/simulation.md, "Tax on intercompany
    interest"); 1,005 minor units at 6% -> 60 (60.30), 25 at 6% -> 2 (1.50 rounds up)."""
    exact = Decimal(int(minor)) * rate  # exact: Decimal keeps 28 digits, these need < 27
    return int(exact.to_integral_value(rounding=HALF_AWAY_FROM_ZERO))


#: Largest magnitude an int64 product may reach.
_INT64_MAX = (1 << 63) - 1


def round_tax_array(minor: Int64Array, rate: Decimal) -> Int64Array:
    """`round_tax` of every element of an integer array, exactly and with the same result,
    in integer numpy: the rate as a fraction num/den, |minor| x |num| divided by den with
    its remainder, plus one when twice the remainder reaches den (half away from zero), and
    the sign put back. Elements whose product could pass 2^63 (and rates whose fraction
    does not fit int64) go through `round_tax` one by one, in Python integers; every result
    must fit int64."""
    values = np.asarray(minor, dtype=np.int64)
    num, den = rate.as_integer_ratio()
    out = np.zeros(values.shape, dtype=np.int64)
    if num == 0:
        return out
    size = abs(num)
    if size > _INT64_MAX // 2 or den > _INT64_MAX // 2:
        fits = np.zeros(values.shape, dtype=np.bool_)
    else:
        fits = (np.abs(values) <= _INT64_MAX // size) & (values != -_INT64_MAX - 1)
    magnitude = np.abs(values[fits])
    quotient, remainder = np.divmod(magnitude * size, den)
    quotient += 2 * remainder >= den  # 2 x remainder < 2 x den, within int64
    out[fits] = np.where((values[fits] < 0) != (num < 0), -quotient, quotient)
    for at in np.flatnonzero(~fits).tolist():
        out.flat[at] = round_tax(int(values.flat[at]), rate)
    return out


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


#: Longest text a number may be written in. 40 characters hold every number the bounds
#: below allow (at most 18 significant digits, a sign, a point, a `%` or an exponent) with
#: room to spare, and keep reading a number bounded in time.
MAX_NUMBER_CHARS = 40

#: Largest amount the engine takes, in minor units: room for 10,000 accounts to be summed
#: in int64 (a trillion CNY, or 10^14 JPY).
MAX_MINOR = 10**14

#: Decimals of a rate or share as a fraction (8: 0.000001% in percent). The engine turns
#: rates into whole units of 10^-8 (engine/interest.py RATE_SCALE) and pool shares into
#: weights of 10^-8, so a finer value could not be computed exactly.
RATE_DECIMALS = 8
#: Highest rate, 1000% (a penalty rate can be extreme, but not more): in units of 10^-8 it
#: stays below 2^30, so a month's interest numbers (below 2^57, split into a 26-bit low limb
#: and a 31-bit high one) times a rate stay within int64 in the posting kernel.
MAX_RATE = Decimal(10)
#: Rates lie above -100%: a negative rate (EUR, CHF deposits) cannot take more than the whole
#: balance in a year.
MIN_RATE = Decimal(-1)

#: FX rates (units of the base currency per unit of another) lie from 10^-6 to 10^6: the
#: widest pair in use today (the Iranian rial against the Kuwaiti dinar, about 1.4 x 10^5)
#: fits with room, and an upside-down or mistyped rate beyond it is refused.
MIN_FX_RATE = Decimal("1e-6")
MAX_FX_RATE = Decimal("1e6")
#: Decimals of an FX rate. The engine holds each day's rates as integers of 10^-8 (rate x
#: 10^8 <= 10^14), times 10^4 at most for the minor units of two currencies (JPY 0, CLF 4):
#: below 10^18, inside int64 (engine/fx.py).
FX_DECIMALS = 8


@attrs.frozen
class Bounds:
    """What one kind of number may be: from `low` (excluded if `low_open`) to `high`
    (excluded if `high_open`), with at most `decimals` after the point (trailing zeros not
    counted); `percent` lets it end in `%`. The words make the messages: "expected {what}
    {example}" for text that is no number, "expected {what} {range}" for one out of range,
    "expected {what} with {fine}" for one with too many decimals."""

    what: str
    example: str
    range: str
    fine: str
    low: Decimal
    high: Decimal
    decimals: int
    low_open: bool = False
    high_open: bool = False
    percent: bool = False


#: A rate: an interest rate, a penalty rate, the intercompany rate.
RATE = Bounds(
    "a rate",
    "like 3.1% or 0.031",
    f"above {MIN_RATE:%} and at most {MAX_RATE:%}",
    f"at most {RATE_DECIMALS - 2} decimals in percent (0.000001%)",
    MIN_RATE,
    MAX_RATE,
    RATE_DECIMALS,
    low_open=True,
    percent=True,
)
#: A share: an entity's ownership, a pool member's share of the pool's interest.
SHARE = Bounds(
    "a share",
    "like 60% or 0.6",
    "between 0% and 100%",
    f"at most {RATE_DECIMALS - 2} decimals in percent (0.000001%)",
    Decimal(0),
    Decimal(1),
    RATE_DECIMALS,
    percent=True,
)
#: An FX rate in the FX table.
FX_RATE = Bounds(
    "an FX rate",
    "like 7.1884",
    f"from {MIN_FX_RATE:f} to {MAX_FX_RATE:,f}",
    f"at most {FX_DECIMALS} decimals",
    MIN_FX_RATE,
    MAX_FX_RATE,
    FX_DECIMALS,
)
#: A number before its currency is known (the currency's own problem is reported elsewhere),
#: and the numbers of the shipped reference data.
NUMBER = Bounds(
    "a number",
    "like 1234567.89",
    f"below {MAX_MINOR:,} either way",
    f"at most {RATE_DECIMALS} decimals",
    -Decimal(MAX_MINOR),
    Decimal(MAX_MINOR),
    RATE_DECIMALS,
    low_open=True,
    high_open=True,
)


@cache
def amount_bounds(currency: str) -> Bounds:
    """An amount in `currency`: whole minor units, below MAX_MINOR of them either way."""
    limit = from_minor(MAX_MINOR, currency)
    return Bounds(
        f"an amount in {currency}",
        "like 1234567.89",
        f"below {limit:,f} either way",
        "at most its minor-unit decimals",
        -limit,
        limit,
        exponent(currency),
        low_open=True,
        high_open=True,
    )


def _number_text(value: object, bounds: Bounds) -> str:
    """The text of a number from a case file or a table cell (a YAML float through its
    shortest repr, the literal the user wrote), or Invalid."""
    expected = f"{bounds.what} {bounds.example}"
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(expected, value)
    if isinstance(value, int):
        if abs(value) >= 10**MAX_NUMBER_CHARS:  # no repr: a huge int's would be huge too
            raise Invalid(f"{bounds.what} {bounds.range}")
        return str(value)
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if "," in text or "_" in text:  # 1,5 is 1.5 in much of Europe: never guess
        raise Invalid(f"{bounds.what} written without separators, {bounds.example}", value)
    if len(text) > MAX_NUMBER_CHARS:
        raise Invalid(f"{bounds.what} in at most {MAX_NUMBER_CHARS} characters", value)
    if not text.isascii():  # Decimal() would read '١٢' or '１２' as 12: digits 0-9 only
        raise Invalid(f"{bounds.what} written with the digits 0-9, {bounds.example}", value)
    return text


def _decimals(number: Decimal) -> int:
    """Digits after the point, trailing zeros not counted (125000000.00 has none)."""
    _, digits, exp = number.as_tuple()
    assert isinstance(exp, int)
    if exp >= 0:
        return 0
    zeros = 0
    while zeros < min(-exp, len(digits)) and digits[len(digits) - 1 - zeros] == 0:
        zeros += 1
    return -exp - zeros


def parse_number(value: object, bounds: Bounds) -> Decimal:
    """The one number parser: a number from a case file or a table cell as an exact Decimal
    within `bounds`, or Invalid saying what was expected and what was found. No arithmetic
    runs before the bounds hold, so no value can make it overflow or take long."""
    text = _number_text(value, bounds)
    percent = bounds.percent and text.endswith("%")
    try:
        number = Decimal(text[:-1].strip() if percent else text)
    except InvalidOperation:
        raise Invalid(f"{bounds.what} {bounds.example}", value) from None
    if not number.is_finite():
        raise Invalid(f"{bounds.what} {bounds.example}", value)
    sign, digits, exp = number.as_tuple()
    assert isinstance(exp, int)
    if not any(digits) and not -bounds.decimals <= exp <= 0:
        number = Decimal(0)  # 0E-1000000 or 0E+99 is just 0
    elif percent:  # number / 100, exactly (a division would round beyond 28 digits), with
        # the exponent Decimal's division gives: 60% is 0.6, 1.50% is 0.015
        zeros = 0
        while zeros < 2 and zeros < len(digits) - 1 and digits[len(digits) - 1 - zeros] == 0:
            zeros += 1
        number = Decimal((sign, digits[: len(digits) - zeros], exp - 2 + zeros))
    too_low = number <= bounds.low if bounds.low_open else number < bounds.low
    too_high = number >= bounds.high if bounds.high_open else number > bounds.high
    if too_low or too_high:
        raise Invalid(f"{bounds.what} {bounds.range}", value)
    if _decimals(number) > bounds.decimals:
        raise Invalid(f"{bounds.what} with {bounds.fine}", value)
    exp = number.as_tuple().exponent
    return Decimal(int(number)) if isinstance(exp, int) and exp > 0 else number


def parse_decimal(value: object) -> Decimal:
    """A plain number (reference data and the like), within the generic NUMBER bounds."""
    return parse_number(value, NUMBER)


def parse_amount(value: object, currency: str) -> Decimal:
    """A bare amount in `currency` (a table cell, a number in a case file whose currency is
    known): whole minor units, below MAX_MINOR of them either way."""
    return parse_number(value, amount_bounds(currency))


def parse_minor(value: object, currency: str) -> int:
    """A bare amount in `currency` as integer minor units (a balance cell)."""
    return to_minor(parse_amount(value, currency), currency)


def parse_fx_rate(value: object) -> Decimal:
    """An FX rate (units of the base currency per unit of another) within FX_RATE."""
    return parse_number(value, FX_RATE)


def parse_money(value: object, default_currency: str | None = None) -> Money:
    """`"500000 CNY"` (or a bare number when `default_currency` is known) as Money within
    the currency's amount bounds."""
    if isinstance(value, str) and len(value.split()) == 2:
        number, code = value.split()
        if not is_currency(code):
            raise Invalid("an amount and an ISO 4217 currency code, like '500000 CNY'", value)
        try:
            return Money(parse_amount(number, code), code)
        except Invalid as exc:
            raise Invalid(exc.expected, value) from None
    if default_currency is None:
        raise Invalid("an amount with its currency, like '500000 CNY'", value)
    return Money(parse_amount(value, default_currency), default_currency)


def parse_rate(value: object) -> Decimal:
    """A rate written `0.35%` or `0.0035`, as a Decimal fraction within RATE."""
    return parse_number(value, RATE)


def parse_share(value: object) -> Decimal:
    """A share written `60%` or `0.6`, as a Decimal fraction within SHARE."""
    return parse_number(value, SHARE)


def format_rate(rate: Decimal) -> str:
    """A rate as the percentage text a case file uses (`0.0035` -> `0.35%`)."""
    pct = (rate * 100).normalize()
    text = format(pct, "f")
    return f"{text}%"


#: Significant digits of a figure rounded for reading (a headline, a sentence): three, half
#: away from zero, as the product rounds money, so €3,618,245.12 reads €3.62 m, 159,000 CNY
#: 15.9 万元 and €8,450,000,000.00 €8.45 bn; tables keep the exact figure.
READING_DIGITS = 3


def round_for_reading(amount: Decimal, unit: int) -> Decimal:
    """`amount` counted in `unit`s (1, 10^4 万, 10^6 m, 10^8 亿, 10^9 bn) and rounded to
    READING_DIGITS significant digits, half away from zero, trailing zeros dropped (the one
    rule for every figure a reader sees rounded): (3618245.12, 10^6) -> 3.62,
    (3600000, 10^6) -> 3.6, (159000, 10^4) -> 15.9, (945.5, 1) -> 946. Decimal only, exact
    until the one rounding: the scaled value's exponent is chosen from its digits, no floats.
    In units of 1 (a figure below the smallest unit) it is whole: 1234.5 -> 1235, 12.34 -> 12."""
    if unit <= 0:
        raise ValueError("the unit must be positive")
    scaled = amount / Decimal(unit)  # a power of ten: exact
    if not scaled:
        return Decimal(0)
    places = max(READING_DIGITS - scaled.copy_abs().adjusted() - 1, 0) if unit > 1 else 0
    rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=HALF_AWAY_FROM_ZERO)
    if rounded.copy_abs().adjusted() > scaled.copy_abs().adjusted() and places:
        rounded = rounded.quantize(Decimal(1).scaleb(-(places - 1)), rounding=HALF_AWAY_FROM_ZERO)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


#: The units a figure is read in, largest first, per numbering system: the West groups by
#: thousands (million, billion), Chinese by ten thousands (万 10^4, 亿 10^8). A figure takes
#: the largest unit it reaches; below the smallest it is read in whole units.
READING_UNITS: dict[str, tuple[tuple[int, str], ...]] = {
    "western": ((10**9, "bn"), (10**6, "m")),
    "chinese": ((10**8, "亿"), (10**4, "万")),
}


def reading_unit(amount: Decimal, system: str) -> tuple[int, str]:
    """The unit `amount` is read in (its size and word), or (1, "") below the smallest; a
    figure that rounds up to the next unit takes it (999,960,000 reads 1 bn, not 1000 m)."""
    for size, word in READING_UNITS[system]:
        if abs(round_for_reading(amount, size)) >= 1:
            return size, word
    return 1, ""
