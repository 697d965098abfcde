"""Banks' names per language (data/bank_names.yaml), so a document names every bank the way
its reader does."""

from __future__ import annotations

from functools import cache

from cashmgmt.reference.load import read
from cashmgmt.reference.text import Localized


@cache
def _names() -> dict[str, Localized]:
    """Each name a case may give, folded to lower case, to the bank's names per language."""
    out: dict[str, Localized] = {}
    for entry in read("bank_names.yaml"):
        names = Localized.of({k: v for k, v in entry.items() if k != "matches"})
        for alias in entry["matches"]:
            out[str(alias).casefold()] = names
    return out


def bank_name(name: str, language: str) -> str:
    """The bank a case names (`中国工商银行`, `Citibank`) as a reader of `language` knows it;
    a bank the table does not know, as the case writes it."""
    names = _names().get(name.strip().casefold())
    return name if names is None else names.get(language)
