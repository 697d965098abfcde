"""The jinja2 environment of one language, and gettext for the words made in Python."""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cashmgmt.regions import country_name
from cashmgmt.render.i18n import Formatter, translations
from cashmgmt.render.theme import templates_dir

#: gettext for Python-side words: `gettext("%(n)s accounts", n=3)`.
Gettext = Callable[..., str]


def environment(language: str) -> Environment:
    """The jinja2 environment for one language: autoescaping, gettext, locale filters."""
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
    fmt = Formatter(language)
    env.filters.update(
        money=fmt.money,
        number=fmt.number,
        percent=fmt.percent,
        rate=fmt.rate,
        date=fmt.day,
        month=fmt.month,
        country=lambda code: country_name(code, language),
    )
    return env


def make_gettext(language: str) -> Gettext:
    """gettext for Python-side words: `gettext("%(n)s accounts", n=3)`."""
    catalog = translations(language)

    def gettext(message: str, **params: object) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    return gettext
