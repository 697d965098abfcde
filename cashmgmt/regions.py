"""ISO 3166 alpha-2 country codes, from babel's CLDR territory data."""

from __future__ import annotations

from functools import cache

from babel import Locale

# CLDR territory codes that are groupings or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    """Every two-letter code CLDR knows as a territory, less groupings such as EU."""
    codes = Locale("en").territories
    found = {str(c) for c in codes}
    return frozenset(c for c in found if len(c) == 2 and c.isalpha()) - _NOT_COUNTRIES


def is_country(code: object) -> bool:
    """Whether `code` is an ISO 3166 alpha-2 country code (upper case)."""
    return isinstance(code, str) and code in country_codes()


def country_name(code: str, language: str = "en") -> str:
    """The country's name in a language (`en`, `zh-CN`), e.g. CN -> 中国."""
    locale = Locale.parse(language.replace("-", "_"))
    return str(locale.territories.get(code, code))
