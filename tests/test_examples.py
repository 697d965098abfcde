"""The shipped examples: generated deterministically, valid, and simulated sensibly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.model import PhysicalStructure

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "generate.py"), str(tmp_path)], check=True)
    for name in NAMES:  # the statements after go-live in subfolders too
        committed = sorted(p.relative_to(EXAMPLES) for p in (EXAMPLES / name).rglob("*"))
        made = sorted(p.relative_to(tmp_path) for p in (tmp_path / name).rglob("*"))
        assert made == committed, name
        for file in committed:
            if (EXAMPLES / file).is_file():
                assert (tmp_path / file).read_bytes() == (EXAMPLES / file).read_bytes(), file


@pytest.mark.parametrize("name", NAMES)
def test_check_prints_a_summary(name: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / name)])
    assert result.exit_code == 0, result.output
    assert "case OK" in result.output


def test_the_examples_have_the_shapes_the_issue_asks_for() -> None:
    huaxia = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    assert huaxia.client.language == "zh-CN"
    assert set(huaxia.currencies) == {"CNY", "HKD", "USD"}
    assert 10 <= len(huaxia.entities) <= 14 and 35 <= len(huaxia.accounts) <= 45
    assert len({a.bank for a in huaxia.accounts}) >= 3
    assert huaxia.balances.days >= 365
    aurora = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    assert {"EUR", "GBP", "USD", "SEK", "CHF"} <= set(aurora.currencies)
    assert len({e.country for e in aurora.entities}) >= 6
    assert len(aurora.entities) >= 25 and len(aurora.accounts) >= 140
    us = cashmgmt.load_case(EXAMPLES / "bluestem-outdoor")
    assert us.currencies == ("USD",) and 4 <= len(us.entities) <= 6
    micro = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    assert len(micro.entities) == 1 and len(micro.accounts) == 2
    for case in (huaxia, aurora, us, micro):
        assert case.structures
        has_overdraft = (case.balances.minor < 0).any(axis=1).sum()
        assert has_overdraft >= 1  # some accounts dip into overdraft


@pytest.mark.parametrize("name", NAMES)
def test_every_structure_simulates_and_conserves_money(name: str) -> None:
    case = cashmgmt.load_case(EXAMPLES / name)
    for structure in case.structures:
        result = cashmgmt.simulate(case, structure.id)
        assert result.days == case.balances.days
        if isinstance(structure, PhysicalStructure):
            assert np.array_equal(result.structure_daily, result.baseline_daily)
            assert result.fees.sweeps > 0
        gross = result.structure.net - result.baseline.net
        assert result.benefit == gross - result.fees.total - result.tax.total
