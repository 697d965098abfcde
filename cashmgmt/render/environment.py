"""The jinja2 environment of one language, and gettext for the words made in Python."""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cashmgmt.reference.banks import bank_name
from cashmgmt.regions import country_name
from cashmgmt.render.i18n import Formatter, translations
from cashmgmt.render.theme import templates_dir

#: gettext for Python-side words: `gettext("%(n)s accounts", n=3)`.
Gettext = Callable[..., str]
#: ngettext for Python-side words that depend on a count:
#: `ngettext("%(n)s account", "%(n)s accounts", 1)` -> "1 account" (n is passed on).
Ngettext = Callable[..., str]


def environment(language: str, country: str | None = None) -> Environment:
    """The jinja2 environment for one language: autoescaping, gettext, locale filters (dates
    also as a reader in the client's `country` writes them)."""
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    fmt = Formatter(language, country)
    env.filters.update(
        money=fmt.money,
        rounded=fmt.rounded,
        listing=fmt.join,
        number=fmt.number,
        percent=fmt.percent,
        rate=fmt.rate,
        date=fmt.day,
        month=fmt.month,
        country=lambda code: country_name(code, language),
        banks=lambda names: [bank_name(n, language) for n in names],
    )
    return env


def make_gettext(language: str) -> Gettext:
    """gettext for Python-side words: `gettext("%(n)s accounts", n=3)`."""
    catalog = translations(language)

    def gettext(message: str, **params: object) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    return gettext


def make_ngettext(language: str) -> Ngettext:
    """ngettext for Python-side words with a count (`n`, passed to the message): the
    catalog's plural forms (Chinese has one form, English two: "1 account", "2 accounts")."""
    catalog = translations(language)

    def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
        return catalog.ngettext(singular, plural, n) % {"n": n, **params}

    return ngettext
