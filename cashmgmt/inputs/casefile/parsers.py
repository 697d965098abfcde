"""Value parsers of the case file: each takes a YAML value and returns a typed value or
raises Invalid(expected, got); its docstring's first line says what it expects."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar, cast

from cashmgmt.errors import Invalid
from cashmgmt.model import WEEKDAYS
from cashmgmt.money import Money, is_currency, parse_money, parse_rate, parse_share
from cashmgmt.regions import is_country

W = TypeVar("W", bound=str)


def text(value: object) -> str:
    """A non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("a non-empty text", value)
    found = _CONTROL.search(value)
    if found:  # any printable Unicode is fine in a name; control characters are not
        raise Invalid(f"text without control characters; {_found(value, found.start())}", value)
    return value.strip()


#: Control characters and lone surrogates (half of a character written as two escapes).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def identifier(value: object) -> str:
    """An id: non-empty text without spaces (ids appear in rules and tables)."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise Invalid("an id (text without spaces)", value, escaped=True)
    if not value.isprintable():  # control, surrogate, zero-width and bidi characters
        at = next(i for i, char in enumerate(value) if not char.isprintable())
        raise Invalid(f"an id of visible characters; {_found(value, at)}", value, escaped=True)
    return unicodedata.normalize("NFC", value)


def _found(value: str, at: int) -> str:
    """`found \\u200b at character 3`: an invisible character shown as its escape."""
    char = value[at].encode("unicode_escape", "backslashreplace").decode("ascii")
    return f"found {char} at character {at + 1}"


def currency(value: object) -> str:
    """An ISO 4217 currency code."""
    if not is_currency(value):
        raise Invalid("an ISO 4217 currency code such as CNY, EUR or USD", value)
    return cast(str, value)


def country(value: object) -> str:
    """An ISO 3166 alpha-2 country code."""
    if not is_country(value):
        raise Invalid("an ISO 3166 alpha-2 country code such as CN, DE or US", value)
    return cast(str, value)


def one_of(*choices: W) -> Callable[[object], W]:
    """A parser that accepts only the given words."""

    def parse(value: object) -> W:
        if value not in choices:
            raise Invalid("one of " + ", ".join(choices), value)
        return choices[choices.index(value)]

    return parse


def rate(value: object) -> Decimal:
    """An interest rate like 0.35% (negative rates exist, as in EUR and CHF), within
    money.RATE: above -100%, at most 1000%, at most 6 decimals in percent."""
    return parse_rate(value)


def share(value: object) -> Decimal:
    """A share from 0% to 100% (money.SHARE)."""
    return parse_share(value)


def sweep_days(value: object) -> str:
    """daily | business | weekly:MON..SUN | monthly:first | monthly:last | monthly:1..31."""
    ok = isinstance(value, str) and (
        value in ("daily", "business")
        or (value.startswith("weekly:") and value[7:] in WEEKDAYS)
        or value in ("monthly:first", "monthly:last")
        or (value.startswith("monthly:") and _day_of_month(value[8:]))
    )
    if not ok:
        raise Invalid(
            "daily, business, weekly:FRI (any weekday), monthly:last or monthly:15", value
        )
    return cast(str, value)


def _day_of_month(text: str) -> bool:
    """1 to 31 in ASCII digits (str.isdigit would take '²' or '٣', which int() refuses or
    reads as another number)."""
    return 1 <= len(text) <= 2 and all(c in "0123456789" for c in text) and 1 <= int(text) <= 31


def flag(value: object) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise Invalid("true or false", value)
    return value


def account_number(value: object) -> str:
    """An account number: quoted text, so that leading zeros survive YAML."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid('the account number as quoted text, like "0012345678"', value)
    return value.strip()


def positive_money(value: object, default: str | None) -> Money:
    """An amount that is not negative."""
    money = parse_money(value, default)
    if money.amount < 0:
        raise Invalid("an amount that is not negative", value)
    return money


def calendar_date(value: object) -> date:
    """A date like 2024-06-12 (from 1900 to 2199)."""
    if isinstance(value, str) and len(value) == 10:
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid("a date like 2024-06-12", value)
    if not 1900 <= value.year < 2200:
        raise Invalid("a date from 1900 to 2199", value)
    return value
