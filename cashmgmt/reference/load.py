"""One cached read of a YAML file in the shipped reference data folder."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

#: The folder of the shipped YAML files (inside the installed package).
DATA = Path(__file__).resolve().parent / "data"


@cache
def read(name: str) -> Any:
    """The YAML file `name` of the data folder, parsed once per process (YAML 1.2, safe)."""
    return YAML(typ="safe", pure=True).load((DATA / name).read_text(encoding="utf-8"))
