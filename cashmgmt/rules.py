"""Data shipped with the package: country rules and the product catalog (data/README.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> Any:
    return YAML(typ="safe", pure=True).load((DATA / name).read_text(encoding="utf-8"))


def country_rules() -> list[dict[str, Any]]:
    """Country and cross-border restrictions, each with its source; the bank's legal team
    confirms them (see `disclaimer()`)."""
    return list(_load("country_rules.yaml")["rules"])


def disclaimer(language: str = "en") -> str:
    """The note that goes with every use of the country rules."""
    text: dict[str, str] = _load("country_rules.yaml")["disclaimer"]
    return text.get(language) or text["en"]


def products() -> dict[str, Any]:
    """The product catalog: the six areas, channels, segments, indicative fees."""
    data: dict[str, Any] = _load("products.yaml")
    return data


def trapping_countries() -> dict[str, str]:
    """Countries whose rules keep cash from being swept abroad freely, with the status."""
    return {
        r["country"]: r["status"]
        for r in country_rules()
        if r["topic"] == "cross-border-sweep" and r["status"] != "permitted" and r["country"] != "*"
    }
