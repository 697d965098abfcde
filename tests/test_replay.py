"""The engine's shared parts live in a Replay the caller holds: the case is never written
to, a held replay gives the same results as a fresh one, and each structure kind has its own
entry point."""

from __future__ import annotations

import pickle
from pathlib import Path

import attrs
import numpy as np
import pytest

import cashmgmt
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.simulate import (
    simulate,
    simulate_hybrid,
    simulate_notional,
    simulate_physical,
    simulate_structure,
)
from cashmgmt.engine.status_quo import status_quo
from cashmgmt.model import NotionalPool, PhysicalStructure

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@attrs.frozen
class Overlay:
    """A hybrid as the engine sees one: any object with these four attributes."""

    id: str
    name: str
    physical: PhysicalStructure
    pool: NotionalPool


def test_a_held_replay_gives_what_a_fresh_one_gives() -> None:
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    replay = Replay(case)
    for structure in case.structures:
        held = simulate(case, structure.id, replay=replay)
        fresh = simulate(case, structure.id)
        assert held.to_dict() == fresh.to_dict()
        assert held == fresh
    assert replay.baseline is replay.baseline  # worked out once


def test_the_case_carries_nothing_the_engine_computes() -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    before = pickle.dumps(case)
    cashmgmt.simulate(case, case.structures[0].id)
    status_quo(case)
    assert pickle.dumps(case) == before
    assert pickle.loads(before).account(case.accounts[0].id) == case.accounts[0]


def test_a_replay_belongs_to_its_case() -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    other = attrs.evolve(case, source="elsewhere")
    with pytest.raises(ValueError, match="another case"):
        simulate(other, case.structures[0].id, replay=Replay(case))


def test_each_kind_has_its_own_entry_point() -> None:
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    replay = Replay(case)
    physical = next(s for s in case.structures if isinstance(s, PhysicalStructure))
    pool = next(s for s in case.structures if isinstance(s, NotionalPool))
    assert simulate_physical(case, physical, replay=replay) == simulate(case, physical.id)
    assert simulate_notional(case, pool, replay=replay) == simulate(case, pool.id)
    hybrid = simulate_hybrid(case, physical, pool, id="h", name="Hybrid", replay=replay)
    assert (hybrid.structure_id, hybrid.name, hybrid.kind) == ("h", "Hybrid", "hybrid")
    assert simulate_structure(case, Overlay("h", "Hybrid", physical, pool)) == hybrid


def test_the_status_quo_sums_the_history_in_the_base_currency() -> None:
    case = cashmgmt.load_case(EXAMPLES / "bluestem-outdoor")  # USD only: no conversion
    now = status_quo(case)
    minor = case.balances.minor
    assert now.currency == "USD" and now.accounts == case.balances.accounts
    assert np.array_equal(now.daily_credit, np.maximum(minor, 0).sum(axis=0))
    assert np.array_equal(now.daily_debit, np.maximum(-minor, 0).sum(axis=0))
    assert np.array_equal(now.account_credit - now.account_debit, minor.sum(axis=1))
    result = cashmgmt.simulate(case, case.structures[0].id)
    paid = result.baseline.debit + result.baseline.penalty
    assert int(now.interest_paid.sum()) == int(paid.scaleb(2))
