"""Funding within the header's capacity (docs/simulation.md): a hand-worked example, the
case-file key, and properties of the rationing on random structures."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from casekit import one_group, write_case
from hypothesis import event, given
from hypothesis import strategies as st
from reference import reference_simulate
from test_engine_properties import SETTINGS, build, histories, sweeps_of, trees

import cashmgmt
from cashmgmt.engine.physical import SweepOutcome, floors, run_sweeps
from cashmgmt.engine.replay import Replay
from cashmgmt.model import PhysicalStructure
from cashmgmt.money import Money

Int64Array = np.typing.NDArray[np.int64]


def two_participants(header_limit: dict[str, str] | None = None) -> cashmgmt.Case:
    """H (overdraft limit 100 CNY, balance 0) funds P1 (first rule) and P2 (second rule) by
    daily two-way zero-balance sweeps; P2's own terms allow 60 CNY of overdraft."""
    structure: dict[str, Any] = {
        "id": "zba",
        "name": "ZBA",
        "kind": "physical",
        "rules": [
            {"from": "P1", "to": "H", "rule": "zero-balance"},
            {"from": "P2", "to": "H", "rule": "zero-balance"},
        ],
    }
    if header_limit is not None:
        structure["header_limit"] = header_limit
    accounts: list[dict[str, Any]] = [
        {"id": "H", "currency": "CNY", "terms": {"overdraft_limit": "100 CNY"}},
        {"id": "P1", "currency": "CNY"},
        {"id": "P2", "currency": "CNY", "terms": {"overdraft_limit": "60 CNY"}},
    ]
    series = {"H": ["0", "0", "0"], "P1": ["-80", "-80", "30"], "P2": ["-70", "-70", "-70"]}
    doc, balances = one_group(accounts, series, date(2025, 3, 3), [structure])
    folder = write_case(Path(tempfile.mkdtemp()) / "c", case=doc, balances=balances, fx=None)
    return cashmgmt.load_case(folder)


def test_a_header_with_a_100_limit_funds_its_first_participant_first() -> None:
    """Worked by hand, in CNY (floor of H: -100).
    Day 0: P1 -80, P2 -70, H 0; the sweeps ask +80 and +70 of H, leaving it at -150: 50
    below its floor, so 50 is taken back from the last rule's funding: P2 gets 20 and
    closes at -50 (shortfall 50), P1 at 0, H at -100.
    Day 1: no flows; P2 asks 50 again, H would close at -150: all 50 taken back (no sweep).
    P2 stays at -50 (shortfall 50), H at -100.
    Day 2: P1 receives 110 (history -80 -> 30) and sweeps it up: H at 10; P2 asks 50, H
    at -40, above its floor: no cut. All close at 0 but H at -40 (= 30 - 70 + 0)."""
    case = two_participants()
    result = cashmgmt.simulate(case, "zba")
    outcome = sweeps_of(case, "zba")
    closing = dict(zip(outcome.accounts, outcome.closing.tolist(), strict=True))
    assert closing == {"H": [-10000, -10000, -4000], "P1": [0, 0, 0], "P2": [-5000, -5000, 0]}
    assert result.fees.sweeps == 2 + 0 + 2
    assert (result.account("P2").shortfall_days, result.account("P2").peak_shortfall) == (
        2,
        Decimal("50.00"),
    )
    assert (result.account("P1").shortfall_days, result.account("P1").peak_shortfall) == (
        0,
        Decimal(0),
    )
    # The reference loop, from the written rule, works the same numbers.
    want = reference_simulate(case, "zba")
    assert {a: want["structure"]["closing"][a] for a in closing} == closing
    assert want["shortfall"]["P2"] == (2, 5000) and want["sweeps"] == 4
    entry = result.to_dict()["accounts"][2]
    assert (entry["id"], entry["shortfall_days"], entry["peak_shortfall"]) == ("P2", 2, "50.00")
    # P2 (limit 60) is at -70 on all three days of the history; under the structure never
    # beyond -50. H (limit 100) never goes beyond -100. P1 states no limit: never a breach.
    assert result.baseline_liquidity.limit_breach_days == 3
    assert result.structure_liquidity.limit_breach_days == 0
    assert result.to_dict()["structure"]["liquidity"]["limit_breach_days"] == 0


def test_header_limit_replaces_the_headers_own_limit() -> None:
    """With header_limit 0 for H (its floor 0 instead of -100), by hand:
    days 0 and 1: H would give 80 + 70 and close at -150; all 150 is taken back, P2's 70
    first, then P1's 80: nothing moves (P1 -80, P2 -70, H 0). Day 2: P1 is at 30 and sweeps
    it up (H 30); P2 asks 70, H would close at -40: 40 taken back, P2 gets 30 and closes at
    -40 (shortfall 40)."""
    case = two_participants({"H": "0 CNY"})
    outcome = sweeps_of(case, "zba")
    closing = dict(zip(outcome.accounts, outcome.closing.tolist(), strict=True))
    assert closing == {
        "H": [0, 0, 0],
        "P1": [-8000, -8000, 0],
        "P2": [-7000, -7000, -4000],
    }
    result = cashmgmt.simulate(case, "zba")
    assert result.fees.sweeps == 2
    assert (result.account("P1").shortfall_days, result.account("P1").peak_shortfall) == (
        2,
        Decimal("80.00"),
    )
    assert (result.account("P2").shortfall_days, result.account("P2").peak_shortfall) == (
        3,
        Decimal("70.00"),
    )
    # P2 (limit 60) is beyond it on days 0 and 1 (-70), within it on day 2 (-40).
    assert result.structure_liquidity.limit_breach_days == 2


def test_header_limit_round_trips_through_save(tmp_path: Path) -> None:
    case = two_participants({"H": "2500.50 CNY"})
    structure = case.structure("zba")
    assert isinstance(structure, PhysicalStructure)
    assert structure.header_limit == {"H": Money(Decimal("2500.50"), "CNY")}
    saved = cashmgmt.save_case(case, tmp_path / "saved")
    again = cashmgmt.load_case(saved).structure("zba")
    assert again == structure


@pytest.mark.parametrize(
    ("limits", "where", "message"),
    [
        ({"X": "10 CNY"}, "structures[0].header_limit.X", "unknown account 'X'"),
        ({"P1": "10 CNY"}, "structures[0].header_limit.P1", "expected a header of the structure"),
        ({"H": "-10 CNY"}, "structures[0].header_limit.H", "an amount that is not negative"),
        ({"H": "ten"}, "structures[0].header_limit.H", "expected"),
        ({"H": "10 USD"}, "structures[0].header_limit.H", "expected an amount in CNY"),
        ([], "structures[0].header_limit", "a mapping of header account to amount"),
    ],
)
def test_a_wrong_header_limit_is_a_located_problem(limits: Any, where: str, message: str) -> None:
    with pytest.raises(cashmgmt.CaseError) as caught:
        two_participants(limits)
    found = [(p.where, p.message) for p in caught.value.problems]
    assert any(w == where and message in m for w, m in found), found


def transfers(case: cashmgmt.Case, structure: PhysicalStructure, outcome: SweepOutcome) -> Any:
    """Each rule's daily transfer, worked back from the closing balances leaf to root: a
    participant's opening + flow + what its own participants sent, less its closing."""
    history = case.balances.minor
    rows = {a: case.balances.accounts.index(a) for a in outcome.accounts}
    at = {a: i for i, a in enumerate(outcome.accounts)}
    days = history.shape[1]
    sent: dict[str, Int64Array] = {}
    remaining = list(structure.rules)
    while remaining:
        for rule in remaining:
            feeders = [r for r in structure.rules if r.header == rule.participant]
            if all(r.participant in sent for r in feeders):
                p = rule.participant
                flow = np.diff(history[rows[p]], prepend=0)
                opening = np.r_[0, outcome.closing[at[p]][:-1]]
                inflow = sum((sent[r.participant] for r in feeders), np.zeros(days, np.int64))
                sent[p] = opening + flow + inflow - outcome.closing[at[p]]
                remaining.remove(rule)
                break
    return sent


@SETTINGS
@given(st.data(), histories)
def test_rationing_conserves_money_and_keeps_headers_at_their_floor(
    data: st.DataObject, values: list[list[int]]
) -> None:
    series = {f"A{i}": v for i, v in enumerate(values)}
    rules = data.draw(trees(list(series), ["zero-balance", "target", "threshold", "range"]))
    headers = sorted({r["to"] for r in rules})
    named = data.draw(st.lists(st.sampled_from(headers), unique=True))
    limits = {h: f"{data.draw(st.integers(0, 100000))} CNY" for h in named}
    doc: dict[str, Any] = {"id": "s", "name": "s", "kind": "physical", "rules": rules}
    if limits:
        doc["header_limit"] = limits
    case = build(series, doc)
    structure = case.structure("s")
    assert isinstance(structure, PhysicalStructure)
    outcome = sweeps_of(case, "s")
    rows = [case.balances.accounts.index(a) for a in outcome.accounts]
    # Money is conserved, shortfalls or not.
    assert np.array_equal(outcome.closing.sum(axis=0), case.balances.minor[rows].sum(axis=0))
    # A header below its floor gave no funding that evening.
    floor = floors(structure, Replay(case).index, outcome.rows, np.arange(len(rows)))
    sent = transfers(case, structure, outcome)
    for h in headers:
        k = outcome.accounts.index(h)
        funding = sum(
            (np.maximum(-sent[r.participant], 0) for r in structure.rules if r.header == h),
            np.zeros(len(values[0]), np.int64),
        )
        below = outcome.closing[k] < floor[k]
        assert not (below & (funding > 0)).any(), h
    # Shortfalls are reported only for participants.
    participants = {r.participant for r in structure.rules}
    for a, days in zip(outcome.accounts, outcome.shortfall_days.tolist(), strict=True):
        assert a in participants or days == 0


def both_ways(case: cashmgmt.Case) -> tuple[SweepOutcome, SweepOutcome]:
    """Structure `s` swept by the level kernel (rationing where floors bind) and by the
    whole day-by-day replay."""
    structure = case.structure("s")
    assert isinstance(structure, PhysicalStructure)
    index = Replay(case).index
    history = case.balances
    fast = run_sweeps(structure, history.minor, index, history.start)
    return fast, run_sweeps(structure, history.minor, index, history.start, day_by_day=True)


@SETTINGS
@given(st.data(), histories)
def test_with_ample_limits_day_by_day_equals_the_levels(
    data: st.DataObject, values: list[list[int]]
) -> None:
    """No floor binds: the level kernel's result stands, and the day-by-day kernel gives the
    same balances, flows and sweeps, with no shortfall."""
    series = {f"A{i}": v for i, v in enumerate(values)}
    rules = data.draw(trees(list(series), ["zero-balance", "target", "threshold", "range"]))
    limits = {h: "1000000000 CNY" for h in {r["to"] for r in rules}}
    schedule = data.draw(st.sampled_from(["daily", "business", "weekly:WED"]))
    doc = {
        "id": "s",
        "name": "s",
        "kind": "physical",
        "sweep_days": schedule,
        "rules": rules,
        "header_limit": limits,
    }
    levels, daily = both_ways(build(series, doc))
    assert np.array_equal(levels.closing, daily.closing)
    assert np.array_equal(levels.flows, daily.flows)
    assert levels.sweeps == daily.sweeps
    assert not daily.shortfall_days.any() and not daily.peak_shortfall.any()


forest_histories = st.integers(4, 9).flatmap(
    lambda n: st.integers(5, 60).flatmap(
        lambda days: st.lists(
            st.lists(st.integers(-(10**7), 10**7), min_size=days, max_size=days),
            min_size=n,
            max_size=n,
        )
    )
)


@SETTINGS
@given(st.data(), forest_histories)
def test_rationing_tree_by_tree_from_the_first_binding_day_equals_the_day_by_day_replay(
    data: st.DataObject, values: list[list[int]]
) -> None:
    """The engine reruns only the trees in which a floor binds, from the first day it binds,
    and goes back to the level kernel's result once the replay agrees with it
    (kernels.ration_trees): on random forests, floors and calendars its balances, flows,
    sweeps and shortfalls equal the whole structure's day-by-day replay
    (kernels.sweep_rationed), which rations every day from the first."""
    series = {f"A{i}": v for i, v in enumerate(values)}
    rules = data.draw(trees(list(series), ["zero-balance", "target", "threshold", "range"]))
    # Some accounts sweep nowhere: a forest of several trees.
    kept = [r for r in rules if data.draw(st.integers(0, 3)) > 0] or rules[:1]
    headers = sorted({r["to"] for r in kept})
    named = data.draw(st.lists(st.sampled_from(headers), unique=True))
    limits = {h: f"{data.draw(st.integers(0, 150000))} CNY" for h in named}
    schedule = data.draw(st.sampled_from(["daily", "business", "weekly:WED"]))
    doc: dict[str, Any] = {
        "id": "s",
        "name": "s",
        "kind": "physical",
        "sweep_days": schedule,
        "rules": kept,
    }
    if limits:
        doc["header_limit"] = limits
    fast, daily = both_ways(build(series, doc))
    assert np.array_equal(fast.closing, daily.closing)
    assert np.array_equal(fast.flows, daily.flows)
    assert fast.sweeps == daily.sweeps
    assert np.array_equal(fast.shortfall_days, daily.shortfall_days)
    assert np.array_equal(fast.peak_shortfall, daily.peak_shortfall)
    assert np.array_equal(fast.short_on, daily.short_on)
    short = int((daily.shortfall_days > 0).sum())
    days = len(values[0])
    event("shortfall on some days only" if 0 < daily.shortfall_days.max() < days else "other")
    assert short <= len(kept)
