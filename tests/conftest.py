"""Fixtures: small case folders written from plain data (see casekit)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from casekit import BASE_CASE, write_case


@pytest.fixture
def base_case() -> dict[str, Any]:
    """A fresh deep copy of the small valid case document."""
    return copy.deepcopy(BASE_CASE)


@pytest.fixture
def case_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write a case folder under tmp_path: case_dir(case=..., balances=..., fx=...)."""
    counter = iter(range(10**6))

    def make(**kwargs: Any) -> Path:
        return write_case(tmp_path / f"case{next(counter)}", **kwargs)

    return make
