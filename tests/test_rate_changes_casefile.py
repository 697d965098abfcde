"""Dated rate changes in the case file: read, located problems, written back by save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cashmgmt
from cashmgmt import CaseError, load_case
from cashmgmt.inputs.limits import MAX_RATE_CHANGES
from cashmgmt.model import Tier

CaseDir = Callable[..., Path]


def _problems(path: Path) -> list[str]:
    with pytest.raises(CaseError) as info:
        load_case(path)
    return [str(p) for p in info.value.problems]


def _with_changes(base_case: dict[str, Any], changes: object) -> dict[str, Any]:
    base_case["accounts"][0]["terms"]["changes"] = changes
    return base_case


def test_changes_replace_the_keys_they_state(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    changes = [
        {"from": date(2025, 1, 3), "credit_rate": "0.25%"},
        {
            "from": "2025-01-05",
            "debit_rate": [{"from": 0, "rate": "4%"}, {"from": 1000, "rate": "5%"}],
            "tiering": "whole",
        },
    ]
    terms = load_case(case_dir(case=_with_changes(base_case, changes))).account("HQ-CNY").terms
    first, second = terms.changes
    assert first.start == date(2025, 1, 3)
    assert first.terms.credit == (Tier(Decimal(0), Decimal("0.0025")),)
    assert first.terms.debit == terms.debit  # not stated: as before
    assert first.terms.penalty_rate == Decimal("0.08")
    assert second.terms.credit == first.terms.credit  # carried from the first change
    assert second.terms.debit == (
        Tier(Decimal(0), Decimal("0.04")),
        Tier(Decimal(1000), Decimal("0.05")),
    )
    assert second.terms.tiering == "whole"
    assert second.terms.changes == ()
    assert terms.in_force(date(2025, 1, 2)) == terms.first
    assert terms.in_force(date(2025, 1, 3)) is first.terms  # from the date, inclusive
    assert terms.in_force(date(2030, 1, 1)) is second.terms


def test_pool_terms_take_changes(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    base_case["structures"][1]["terms"]["changes"] = [{"from": "2025-01-04", "credit_rate": "1%"}]
    pool = load_case(case_dir(case=base_case)).structure("pool")
    assert isinstance(pool, cashmgmt.NotionalPool)
    assert pool.terms.in_force(date(2025, 1, 4)).credit == (Tier(Decimal(0), Decimal("0.01")),)


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        (
            [
                {"from": "2025-01-04", "credit_rate": "1%"},
                {"from": "2025-01-04", "credit_rate": "2%"},
            ],
            "accounts[0].terms.changes[1].from",
            "expected a date after 2025-01-04, got 2025-01-04",
        ),
        (
            [{"from": "2025-02-30", "credit_rate": "1%"}],
            "accounts[0].terms.changes[0].from",
            "a date like 2024-06-12",
        ),
        (
            [{"from": "2025-01-04", "day_count": "ACT/365"}],
            "accounts[0].terms.changes[0].day_count",
            "unknown key",
        ),
        ([{"from": "2025-01-04"}], "accounts[0].terms.changes[0]", "expected at least one of"),
        ([{"credit_rate": "1%"}], "accounts[0].terms.changes[0].from", "missing"),
        (
            [{"from": "2025-01-04", "credit_rate": "2 %%"}],
            "accounts[0].terms.changes[0].credit_rate",
            "",
        ),
        ("2025-01-04", "accounts[0].terms.changes", "a list"),
        (
            [{"from": "2025-01-04", "overdraft_limit": "5 USD"}],
            "accounts[0].terms.changes[0].overdraft_limit",
            "expected an amount in CNY",
        ),
    ],
)
def test_located_problems(
    case_dir: CaseDir, base_case: dict[str, Any], changes: object, where: str, message: str
) -> None:
    lines = _problems(case_dir(case=_with_changes(base_case, changes)))
    assert any(where in line and message in line for line in lines), lines


def test_too_many_changes(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    many = [
        {
            "from": date(2025, 1, 1).replace(year=2025 + i // 12, month=i % 12 + 1),
            "credit_rate": "1%",
        }
        for i in range(MAX_RATE_CHANGES + 1)
    ]
    lines = _problems(case_dir(case=_with_changes(base_case, many)))
    assert any(f"expected at most {MAX_RATE_CHANGES} changes" in line for line in lines), lines


def test_penalty_needs_a_limit_in_force(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    base_case["accounts"][2]["terms"] = {"credit_rate": "1%", "debit_rate": "5%"}
    base_case["accounts"][2]["terms"]["changes"] = [{"from": "2025-01-04", "penalty_rate": "9%"}]
    lines = _problems(case_dir(case=base_case))
    assert any("changes[0].penalty_rate" in line and "overdraft_limit" in line for line in lines)
    # A limit stated in the same change, or in force before it, is enough.
    base_case["accounts"][2]["terms"]["changes"][0]["overdraft_limit"] = "100 USD"
    load_case(case_dir(case=base_case))


def test_save_round_trip(case_dir: CaseDir, base_case: dict[str, Any], tmp_path: Path) -> None:
    changes = [
        {"from": "2024-12-01", "credit_rate": "0.3%"},  # before the history: allowed
        {"from": "2025-01-03", "credit_rate": "0.3%"},  # restates the rate in force
        {
            "from": "2025-01-04",
            "debit_rate": [{"from": 0, "rate": "4%"}, {"from": 500, "rate": "6%"}],
        },
        {
            "from": "2025-01-05",
            "overdraft_limit": "100 CNY",
            "penalty_rate": "9%",
            "tiering": "whole",
        },
        {"from": "2026-01-01", "credit_rate": "0.1%"},  # after the history: allowed
    ]
    case = load_case(case_dir(case=_with_changes(base_case, changes)))
    assert len(case.account("HQ-CNY").terms.changes) == 5
    assert load_case(cashmgmt.save_case(case, tmp_path / "copy")) == case
