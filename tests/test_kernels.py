"""The compiled kernels against plain loops, where their shortcuts could go wrong: balances
exactly on tier starts and overdraft limits (whole tiers take a balance at a start into the
higher tier), periods that lie wholly in the first tier (a shortcut skips the tier passes),
rules grouped by shape, and balances beyond the exact range."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from casekit import write_case
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import post_interest

from cashmgmt.cli import cli
from cashmgmt.engine import kernels, physical
from cashmgmt.engine.capacity import NO_LIMIT, beyond, floors_of
from cashmgmt.engine.interest import (
    BeyondRange,
    post,
    post_with_totals,
    posting_periods,
    terms_table,
)
from cashmgmt.engine.kernels import PEAK
from cashmgmt.model import SweepRule, Terms, Tier
from cashmgmt.money import Money

START = date(2025, 1, 1)


@st.composite
def terms_and_series(draw: st.DrawFn) -> tuple[Terms, list[int]]:
    """Terms with tiers (in whole yuan) and a series made mostly of the values where the
    rules change: each tier start and limit, one fen, one yuan and ten yuan either side, zero,
    and their negatives."""
    rate = st.integers(0, 900).map(lambda r: Decimal(r) / 10000)
    credit_starts = [0, *sorted(set(draw(st.lists(st.integers(1, 500), max_size=3))))]
    debit_starts = [0, *sorted(set(draw(st.lists(st.integers(1, 500), max_size=2))))]
    if draw(st.booleans()):
        credit_starts = credit_starts[1:]  # no interest below the first start
    limit = draw(st.none() | st.integers(0, 600))
    terms = Terms(
        day_count=draw(st.sampled_from(["ACT/360", "ACT/365"])),
        credit=tuple(Tier(Decimal(s), draw(rate)) for s in credit_starts),
        debit=tuple(Tier(Decimal(s), draw(rate)) for s in debit_starts),
        tiering=draw(st.sampled_from(["marginal", "whole"])),
        overdraft_limit=None if limit is None else Money(Decimal(limit), "CNY"),
        penalty_rate=draw(st.none() | rate) if limit is not None else None,
    )
    marks = [s * 100 for s in credit_starts + debit_starts] + ([limit * 100] if limit else [])
    edges = sorted({m + e for m in marks for e in (-1000, -100, -1, 0, 1, 100, 1000)} | {0})
    edges += [-e for e in edges]
    value = st.sampled_from(edges) | st.integers(-70_000, 70_000)
    days = draw(st.integers(1, 95))
    # Runs of one value make periods that sit wholly within one tier.
    series: list[int] = []
    while len(series) < days:
        series += [draw(value)] * draw(st.integers(1, 40))
    return terms, series[:days]


@settings(max_examples=400, deadline=None)
@given(st.lists(terms_and_series(), min_size=1, max_size=4))
def test_posting_matches_a_plain_loop_at_every_boundary(
    rows: list[tuple[Terms, list[int]]],
) -> None:
    days = min(len(series) for _, series in rows)
    balances = np.array([series[:days] for _, series in rows], dtype=np.int64)
    starts, last = posting_periods(START, days)
    table = terms_table([t for t, _ in rows], np.zeros(len(rows), dtype=np.int64), ["CNY"])
    got = post(balances, table, starts)
    for i, (terms, series) in enumerate(rows):
        want = post_interest(series[:days], terms, "CNY", set(last.tolist()))
        assert got.credit[i].tolist() == [p.credit for p in want]
        assert got.debit[i].tolist() == [p.debit for p in want]
        assert got.penalty[i].tolist() == [p.penalty for p in want]


def test_a_balance_beyond_the_exact_range_is_refused() -> None:
    terms = Terms(credit=(Tier(Decimal(0), Decimal("0.01")),))
    table = terms_table([terms, terms], np.zeros(2, dtype=np.int64), ["CNY"])
    starts, _ = posting_periods(START, 3)
    fine = np.array([[PEAK - 1] * 3, [1, 2, 3]], dtype=np.int64)
    assert post(fine, table, starts).credit[1].tolist() == [0]
    with pytest.raises(BeyondRange, match="row 1"):
        post(np.array([[1, 2, 3], [0, -PEAK, 0]], dtype=np.int64), table, starts)


def test_postings_in_reused_memory_are_posted_afresh() -> None:
    """post(..., reuse=True) writes into memory the thread reuses: a posting after one with
    penalties, larger and then smaller, gives what fresh arrays give (no penalty, interest
    or row left over from the call before)."""
    limited = Terms(
        credit=(Tier(Decimal(0), Decimal("0.01")),),
        debit=(Tier(Decimal(0), Decimal("0.05")),),
        overdraft_limit=Money(Decimal(10), "CNY"),
        penalty_rate=Decimal("0.2"),
    )
    rng = np.random.default_rng(3)
    for rows, days in ((5, 70), (7, 95), (2, 40)):
        table = terms_table([limited] * rows, np.zeros(rows, dtype=np.int64), ["CNY"])
        starts, _ = posting_periods(START, days)
        for scale in (10**6, 100):  # overdrafts beyond the limit, then none
            balances = rng.integers(-scale, scale, size=(rows, days)).astype(np.int64)
            fresh = post(balances, table, starts)
            reused = post(balances, table, starts, reuse=True)
            for side in ("credit", "debit", "penalty"):
                assert np.array_equal(getattr(reused, side), getattr(fresh, side))
            assert scale == 100 or fresh.penalty.any()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(terms_and_series(), st.integers(0, 2), st.none() | st.integers(0, 60_000)),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 4),
    st.booleans(),
)
def test_totals_posted_in_the_same_pass_are_the_separate_ones(
    drawn: list[tuple[tuple[Terms, list[int]], int, int | None]], threads: int, reuse: bool
) -> None:
    """post_with_totals reads each row once for its postings, its daily totals and the days
    it closes beyond its limit: the postings are post()'s, the totals per currency (all
    balances, credit balances, count of negative ones) and the breach days are those of a
    plain loop over the days, of kernels.aggregate and of capacity.beyond, with the rows cut
    into up to four spans (one row each) that add their own."""
    rows = [(ts, g) for ts, g, _ in drawn]
    limits = np.array([NO_LIMIT if x is None else x for _, _, x in drawn], dtype=np.int64)
    days = min(len(series) for (_, series), _ in rows)
    balances = np.array([series[:days] for (_, series), _ in rows], dtype=np.int64)
    group = np.array([g for _, g in rows], dtype=np.int64)
    names = ["CNY", "USD", "EUR"]
    starts, _ = posting_periods(START, days)
    table = terms_table([t for (t, _), _ in rows], group, names)
    with (
        mock.patch.object(kernels, "_THREADS", threads),
        mock.patch.object(kernels, "MIN_ROWS_PER_THREAD", 1),
    ):
        got, (total, credit, negative), below = post_with_totals(
            balances, table, starts, group, len(names), floors_of(limits), reuse=reuse
        )
        separate = kernels.aggregate(balances, np.arange(len(rows)), group, len(names))
        breaches = beyond(balances, np.arange(len(rows)), limits)
    want = post(balances, table, starts)
    for side in ("credit", "debit", "penalty"):
        assert np.array_equal(getattr(got, side), getattr(want, side))
    for g in range(len(names)):
        mine = [series for ((_, series), k) in rows if k == g]
        assert total[g].tolist() == [sum(s[d] for s in mine) for d in range(days)]
        assert credit[g].tolist() == [sum(max(s[d], 0) for s in mine) for d in range(days)]
    assert negative.tolist() == [sum(s[d] < 0 for (_, s), _ in rows) for d in range(days)]
    for fused, alone in zip((total, credit, negative), separate, strict=True):
        assert np.array_equal(fused, alone)
    limited = [(s, x) for (_, s), _, x in drawn if x is not None]
    assert below.tolist() == [any(s[d] < -x for s, x in limited) for d in range(days)]
    assert np.array_equal(below, breaches)


def rules_of_many_shapes() -> list[SweepRule]:
    amounts = [Money(Decimal(v), "CNY") for v in (100, 200, 300)]
    rules = []
    for i in range(60):
        kind: Any = ("zero-balance", "target", "threshold", "range")[i % 4]
        extra: dict[str, Any] = {}
        if kind != "zero-balance":
            extra["target"] = amounts[i % 3]
        if kind == "threshold":
            extra["minimum"] = amounts[(i // 3) % 3]
        if kind == "range":
            extra |= {"low": amounts[0], "high": amounts[2]}
        direction: Any = ("two-way", "up", "down")[(i // 7) % 3]
        rules.append(SweepRule(f"P{i}", "H", kind, direction=direction, **extra))
    return rules


def exact_groups(rules: list[SweepRule]) -> list[int]:
    """Each rule's group by (kind, direction, amount objects), numbered by first sight."""
    seen: dict[tuple[Any, ...], int] = {}
    keys = [
        (r.kind, r.direction, id(r.target), id(r.minimum), id(r.low), id(r.high)) for r in rules
    ]
    return [seen.setdefault(k, len(seen)) for k in keys]


def same_partition(a: list[int], b: list[int]) -> bool:
    return len(set(zip(a, b, strict=True))) == len(set(a)) == len(set(b))


@pytest.mark.parametrize("mix", [physical._MIX, np.uint64(0)])
def test_rules_are_grouped_by_shape_even_when_the_hash_collides(
    mix: np.uint64, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a mixing constant of 0 every key collapses to the last column: the exact
    grouping must take over."""
    monkeypatch.setattr(physical, "_MIX", mix)
    rules = rules_of_many_shapes()
    example, shape = physical._shapes(rules)
    assert same_partition(shape.tolist(), exact_groups(rules))
    for i, rule in enumerate(rules):
        assert physical._band(rule) == physical._band(rules[int(example[shape[i]])])


@given(st.lists(st.integers(0, 5000), max_size=300), st.integers(0, 3000))
def test_distinct_codes_are_those_of_a_sort(codes: list[int], spare: int) -> None:
    """_distinct marks codes in a table when the range is small and sorts otherwise: both
    give np.unique's values and inverse (by the definition: values[inverse] == codes)."""
    array = np.array(codes, dtype=np.int64)
    values, inverse = physical._distinct(array, max(codes, default=0) + 1 + spare)
    assert values.tolist() == sorted(set(codes))
    assert values[inverse].tolist() == codes


@given(
    st.lists(st.lists(st.integers(-50, 50), min_size=40, max_size=40), min_size=1, max_size=5),
    st.sets(st.integers(1, 39), max_size=4),
)
def test_positions_are_running_sums_of_the_flows(flows: list[list[int]], cuts: set[int]) -> None:
    """The positions kernel against numpy's cumsum, reduceat and argmax (first day of the
    largest position in size)."""
    matrix = np.array(flows, dtype=np.int64)
    starts = np.array([0, *sorted(cuts)], dtype=np.int64)
    n = matrix.shape[0]
    sums = np.zeros((n, starts.size), dtype=np.int64)
    closing, peak, day = (np.zeros(n, dtype=np.int64) for _ in range(3))
    kernels.positions(matrix, starts, sums, closing, peak, day)
    running = np.cumsum(matrix, axis=1)
    first = np.argmax(np.abs(running), axis=1)
    assert sums.tolist() == np.add.reduceat(running, starts, axis=1).tolist()
    assert closing.tolist() == running[:, -1].tolist()
    assert day.tolist() == first.tolist()
    assert peak.tolist() == running[np.arange(n), first].tolist()


def test_a_header_beyond_the_range_is_a_located_problem(tmp_path: Path) -> None:
    """50 accounts of almost 10^12 yuan each (the loader's largest amount) swept into one
    header: the header's balance leaves the exact range, and the CLI says where, exit 2."""
    big = 10**14 - 1  # minor units
    accounts = [f"A{i:02d}" for i in range(51)]
    doc = {
        "case": 1,
        "client": {"name": "G", "industry": "X", "country": "CN", "annual_revenue": "1 CNY"},
        "base_currency": "CNY",
        "entities": [{"id": "E", "name": "E", "country": "CN"}],
        "accounts": [
            {"id": a, "entity": "E", "bank": "B", "country": "CN", "currency": "CNY"}
            for a in accounts
        ],
        "balances": "balances.csv",
        "structures": [
            {
                "id": "zba",
                "name": "zba",
                "kind": "physical",
                "rules": [{"from": a, "to": "A00", "rule": "zero-balance"} for a in accounts[1:]],
            }
        ],
    }
    rows = ["date,account,balance"]
    for a in accounts:
        whole, cents = divmod(big if a != "A00" else 0, 100)
        rows += [f"2025-01-0{d},{a},{whole}.{cents:02d}" for d in (1, 2)]
    folder = write_case(tmp_path / "big", case=doc, balances="\n".join(rows) + "\n", fx=None)
    result = CliRunner().invoke(cli, ["simulate", str(folder), "--structure", "zba"])
    assert result.exit_code == 2, result.output
    assert "balances: A00: expected daily balances under structure zba below" in result.output
    assert "Traceback" not in result.output


TIERED = {
    tiering: Terms(
        credit=(
            Tier(Decimal(0), Decimal("0.005")),
            Tier(Decimal(1000), Decimal("0.01")),
            Tier(Decimal(5000), Decimal("0.02")),
        ),
        debit=(Tier(Decimal(0), Decimal("0.05")), Tier(Decimal(2000), Decimal("0.08"))),
        tiering=tiering,
        overdraft_limit=Money(Decimal(4000), "CNY"),
        penalty_rate=Decimal("0.12"),
    )
    for tiering in ("marginal", "whole")
}


CREDIT_BALANCES = [50_000, 100_000, 100_001, 300_000, 500_000, 800_000]
DEBIT_BALANCES = [-50_000, -200_000, -300_000, -400_000, -400_001, -600_000]


@pytest.mark.parametrize("tiering", ["marginal", "whole"])
@pytest.mark.parametrize(
    "balance",
    [*CREDIT_BALANCES, 0, *DEBIT_BALANCES],
)
def test_months_spent_within_one_tier(tiering: str, balance: int) -> None:
    """January at one balance, February a little above it: each month lies in one tier (or
    past the limit), where posting takes its sums without a pass over the days."""
    terms = TIERED[tiering]
    series = [balance] * 31 + [balance + 7] * 28
    starts, last = posting_periods(START, len(series))
    got = post(
        np.array([series], dtype=np.int64),
        terms_table([terms], np.zeros(1, dtype=np.int64), ["CNY"]),
        starts,
    )
    want = post_interest(series, terms, "CNY", set(last.tolist()))
    assert got.credit[0].tolist() == [p.credit for p in want]
    assert got.debit[0].tolist() == [p.debit for p in want]
    assert got.penalty[0].tolist() == [p.penalty for p in want]


def test_simulations_on_several_threads_agree_with_one_at_a_time() -> None:
    """The kernels release the GIL and each thread sweeps into its own scratch matrix: four
    threads simulating the example's structures at once get exactly the serial results."""
    from concurrent.futures import ThreadPoolExecutor

    import cashmgmt

    case = cashmgmt.load_case(Path(__file__).parent.parent / "examples" / "aurora-industrial")
    ids = [s.id for s in case.structures] * 3
    serial = [cashmgmt.simulate(case, i).to_dict() for i in ids]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda i: cashmgmt.simulate(case, i).to_dict(), ids))
    assert parallel == serial


def test_a_level_split_across_threads_matches_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The benchmark's mixed structure (every rule kind and direction, tiers, limits, two
    levels) on 400 accounts, its 395-rule level cut into four spans that add to shared and
    private inflows and flows: the result equals the reference loop's to the minor unit."""
    import importlib.util

    from test_engine_reference import compare

    path = Path(__file__).parent.parent / "benchmarks" / "engine.py"
    spec = importlib.util.spec_from_file_location("engine_benchmark", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    case = bench.build(400, 62)
    monkeypatch.setattr(kernels, "_THREADS", 4)
    assert len(kernels.spans(395)) == 4
    compare(case, "mixed")
