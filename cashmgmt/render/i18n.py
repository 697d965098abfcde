"""Translations (Babel catalogs under templates/locale) and locale-aware formatting (babel).

English is the source language of the templates; other languages come from `.po` catalogs,
read directly (no compile step), so a source checkout and a wheel behave alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_name,
    get_currency_symbol,
)
from babel.support import NullTranslations, Translations

from cashmgmt.money import exponent, reading_unit, round_for_reading
from cashmgmt.render.theme import templates_dir

LANGUAGES = ("en", "zh-CN")


def check_language(language: str) -> None:
    """Refuse a language the templates are not translated into (a ValueError)."""
    if language not in LANGUAGES:
        raise ValueError(
            f"no templates for language {language!r}; expected one of " + ", ".join(LANGUAGES)
        )


def babel_locale(language: str) -> str:
    """`zh-CN` -> `zh_CN` (babel's spelling)."""
    return language.replace("-", "_")


@cache
def translations(language: str) -> NullTranslations:
    """gettext translations for a language (English: the identity)."""
    if language == "en":
        return NullTranslations()
    path = templates_dir() / "locale" / babel_locale(language) / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(language))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


#: Countries whose readers write dates month first (November 30, 2026): the United States
#: and its territories (CLDR's en_US long date; every other English locale writes the day
#: first, as en_GB: 30 November 2026).
MONTH_FIRST_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})

#: What separates the items of a list written inline, per language: the enumeration comma
#: 、 (顿号) in Chinese, where an ASCII comma between list items is wrong.
LIST_SEPARATORS = {"en": ", ", "zh-CN": "、"}


def date_locale(language: str, country: str | None) -> str:
    """The babel locale dates are written in: Chinese as zh_CN (2026年11月30日); English
    month first (en_US) only for a client in a MONTH_FIRST_COUNTRIES country, else day
    first (en_GB); a document with no client (country None) writes the day first too."""
    if language != "en":
        return babel_locale(language)
    return "en_US" if country in MONTH_FIRST_COUNTRIES else "en_GB"


class Formatter:
    """Numbers, money, dates and percentages the way a reader of `language` expects them
    (dates also as a reader in the client's `country` expects them)."""

    def __init__(self, language: str, country: str | None = None) -> None:
        self.language = language
        self.locale = babel_locale(language)
        self.date_locale = date_locale(language, country)

    def rounded(self, amount: Decimal, currency: str) -> str:
        """An amount rounded for reading (money.round_for_reading): €3.62 m, €8.45 bn,
        €512,346 in English; 3.62 亿元, 15.9 万元, 1.2 亿欧元 in Chinese (万 and 亿 count
        ten thousands and hundred millions; 元 is the yuan, other currencies by name)."""
        chinese = self.language == "zh-CN"
        size, word = reading_unit(amount, "chinese" if chinese else "western")
        value = round_for_reading(amount, size)
        digits = str(format_decimal(abs(value), locale=self.locale, decimal_quantization=False))
        sign = "-" if value < 0 else ""
        if chinese:
            name = (
                "元" if currency == "CNY" else str(get_currency_name(currency, locale=self.locale))
            )
            return f"{sign}{digits} {word}{name}"
        symbol = str(get_currency_symbol(currency, locale=self.locale))
        return f"{sign}{symbol}{digits}{' ' + word if word else ''}"

    def join(self, items: Iterable[object]) -> str:
        """Items of an inline list with the language's separator (、 in Chinese)."""
        return LIST_SEPARATORS.get(self.language, ", ").join(str(i) for i in items)

    def money(self, amount: Decimal, currency: str) -> str:
        """An exact amount with its currency, all its minor-unit decimals shown."""
        digits = exponent(currency)
        pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
        return str(
            format_currency(
                amount,
                currency,
                format=pattern,
                locale=self.locale,
                currency_digits=False,
                decimal_quantization=False,
            )
        )

    def number(self, value: Decimal | int) -> str:
        """A plain number with grouping."""
        return str(format_decimal(value, locale=self.locale, decimal_quantization=False))

    def percent(self, value: Decimal, digits: int = 1) -> str:
        """A share (0.6717 -> 67.2%)."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return str(format_percent(value, format=pattern, locale=self.locale))

    def rate(self, value: Decimal) -> str:
        """An interest rate, with as many decimals as it has (0.0035 -> 0.35%)."""
        text = format(value * 100, "f").rstrip("0").rstrip(".") if value else "0"
        return f"{text}%"

    def day(self, value: date) -> str:
        """A long date: 1 March 2025 (English, day first), March 1, 2025 (English for a US
        client), 2025年3月1日 (Chinese)."""
        return str(format_date(value, format="long", locale=self.date_locale))

    def month(self, value: date) -> str:
        """Month and year."""
        return str(format_date(value, format="y-MM", locale=self.locale))
