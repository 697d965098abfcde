"""Translations (Babel catalogs under templates/locale) and locale-aware formatting (babel).

English is the source language of the templates; other languages come from `.po` catalogs,
read directly (no compile step), so a source checkout and a wheel behave alike.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from functools import cache

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

from cashmgmt.money import exponent
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


class Formatter:
    """Numbers, money, dates and percentages the way a reader of `language` expects them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = babel_locale(language)

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
        """A long date (March 1, 2025 / 2025年3月1日)."""
        return str(format_date(value, format="long", locale=self.locale))

    def month(self, value: date) -> str:
        """Month and year."""
        return str(format_date(value, format="y-MM", locale=self.locale))
