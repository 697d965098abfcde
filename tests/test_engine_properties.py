"""Properties that must hold for every structure, on random histories."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from casekit import write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cashmgmt
from cashmgmt.engine.physical import run_sweeps
from cashmgmt.engine.replay import Replay
from cashmgmt.model import PhysicalStructure

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
START = date(2025, 1, 27)


def build(
    series: dict[str, list[int]],
    structure: dict[str, Any],
    terms: dict[str, Any] | None = None,
    currency: str = "CNY",
) -> cashmgmt.Case:
    """A one-entity-per-account case from minor-unit series and one structure."""
    accounts = [
        {
            "id": a,
            "entity": f"E-{a}",
            "bank": "B",
            "country": "CN",
            "currency": currency,
            **({"terms": terms} if terms else {}),
        }
        for a in series
    ]
    doc = {
        "case": 1,
        "client": {"name": "G", "industry": "X", "country": "CN", "annual_revenue": "1 CNY"},
        "base_currency": currency,
        "entities": [{"id": f"E-{a}", "name": a, "country": "CN"} for a in series],
        "accounts": accounts,
        "balances": "balances.csv",
        "intercompany_rate": "3%",
        "structures": [structure],
    }
    rows = ["date,account,balance"]
    for a, values in series.items():
        for d, v in enumerate(values):
            rows.append(f"{(START + timedelta(days=d)).isoformat()},{a},{v / 100:.2f}")
    tmp = tempfile.mkdtemp()
    return cashmgmt.load_case(
        write_case(Path(tmp) / "c", case=doc, balances="\n".join(rows) + "\n", fx=None)
    )


histories = st.integers(3, 6).flatmap(
    lambda n: st.integers(5, 40).flatmap(
        lambda days: st.lists(
            st.lists(st.integers(-(10**7), 10**7), min_size=days, max_size=days),
            min_size=n,
            max_size=n,
        )
    )
)


@st.composite
def trees(draw: st.DrawFn, accounts: list[str], kinds: list[str]) -> list[dict[str, Any]]:
    rules = []
    for k, account in enumerate(accounts[1:], start=1):
        rule: dict[str, Any] = {
            "from": account,
            "to": accounts[draw(st.integers(0, k - 1))],
            "rule": draw(st.sampled_from(kinds)),
            "direction": draw(st.sampled_from(["two-way", "up", "down"])),
        }
        if rule["rule"] != "zero-balance":
            t = draw(st.integers(-1000, 5000))
            rule["target"] = f"{t} CNY"
            if rule["rule"] == "threshold":
                rule["minimum"] = f"{draw(st.integers(1, 3000))} CNY"
            if rule["rule"] == "range":
                rule["low"], rule["high"] = f"{t - 500} CNY", f"{t + 500} CNY"
        rules.append(rule)
    return rules


def sweeps_of(case: cashmgmt.Case, structure_id: str) -> Any:
    structure = case.structure(structure_id)
    assert isinstance(structure, PhysicalStructure)
    history = case.balances
    return run_sweeps(structure, history.minor, Replay(case).index, history.start)


@SETTINGS
@given(st.data(), histories)
def test_every_sweep_conserves_money(data: st.DataObject, values: list[list[int]]) -> None:
    series = {f"A{i}": v for i, v in enumerate(values)}
    rules = data.draw(trees(list(series), ["zero-balance", "target", "threshold", "range"]))
    schedule = data.draw(st.sampled_from(["daily", "business", "weekly:WED"]))
    case = build(
        series, {"id": "s", "name": "s", "kind": "physical", "sweep_days": schedule, "rules": rules}
    )
    outcome = sweeps_of(case, "s")
    rows = [case.balances.accounts.index(a) for a in outcome.accounts]
    assert np.array_equal(outcome.closing.sum(axis=0), case.balances.minor[rows].sum(axis=0))
    result = cashmgmt.simulate(case, "s")
    assert np.array_equal(result.structure_daily, result.baseline_daily)


@SETTINGS
@given(st.data(), histories)
def test_zero_balance_leaves_participants_at_zero(
    data: st.DataObject, values: list[list[int]]
) -> None:
    series = {f"A{i}": v for i, v in enumerate(values)}
    rules = data.draw(trees(list(series), ["zero-balance"]))
    for rule in rules:
        rule["direction"] = "two-way"
    schedule = data.draw(st.sampled_from(["daily", "business"]))
    # Headers that can fund every debit (a header without a limit funds only down to 0).
    ample = {r["to"]: "10000000000 CNY" for r in rules}
    structure = {"id": "s", "name": "s", "kind": "physical", "sweep_days": schedule}
    case = build(series, {**structure, "rules": rules, "header_limit": ample})
    outcome = sweeps_of(case, "s")
    for i, rule in enumerate(rules):
        row = outcome.accounts.index(rule["from"])
        assert (outcome.closing[row][outcome.masks[i]] == 0).all()


@SETTINGS
@given(histories)
def test_one_level_and_cascade_give_the_same_header(values: list[list[int]]) -> None:
    """A0 <- A1 <- A2... as a chain of zero-balance sweeps, or all straight to A0, when every
    header can fund every debit (with floors, a sub-header's credit funds its own
    participants first, so the two differ)."""
    series = {f"A{i}": v for i, v in enumerate(values)}
    names = list(series)
    chain = [{"from": b, "to": a, "rule": "zero-balance"} for a, b in itertools.pairwise(names)]
    flat = [{"from": b, "to": names[0], "rule": "zero-balance"} for b in names[1:]]
    ample = {a: "10000000000 CNY" for a in names[:-1]}
    one = build(
        series,
        {
            "id": "s",
            "name": "s",
            "kind": "physical",
            "rules": flat,
            "header_limit": {names[0]: ample[names[0]]},
        },
    )
    two = build(
        series,
        {"id": "s", "name": "s", "kind": "physical", "rules": chain, "header_limit": ample},
    )
    header_one = sweeps_of(one, "s").closing[0]
    header_two = sweeps_of(two, "s").closing[0]
    assert np.array_equal(header_one, header_two)


def simulate_pool(
    series: dict[str, list[int]], terms: dict[str, Any], allocation: str
) -> cashmgmt.SimulationResult:
    """A CNY notional pool of every account, on the accounts' own terms."""
    pool = {
        "id": "p",
        "name": "p",
        "kind": "notional",
        "currency": "CNY",
        "accounts": list(series),
        "terms": terms,
        "allocation": allocation,
    }
    return cashmgmt.simulate(build(series, pool, terms), "p")


@SETTINGS
@given(histories, st.sampled_from(["header", "even", "fair-share", "reverse-fair-share"]))
def test_equal_rates_pool_gains_nothing(values: list[list[int]], allocation: str) -> None:
    """With one rate for credit and debit, interest is linear in the balance, so netting adds
    nothing. 3.6% ACT/360 on whole multiples of 100.00 accrues whole cents a day, so no
    rounding either: the benefit is exactly 0."""
    series = {f"A{i}": [v // 10000 * 10000 for v in vs] for i, vs in enumerate(values)}
    terms = {"day_count": "ACT/360", "credit_rate": "3.6%", "debit_rate": "3.6%"}
    result = simulate_pool(series, terms, allocation)
    assert result.benefit == 0
    assert result.structure.net == result.baseline.net


@SETTINGS
@given(histories)
def test_equal_rates_pool_gains_at_most_rounding(values: list[list[int]]) -> None:
    series = {f"A{i}": v for i, v in enumerate(values)}
    terms = {"day_count": "ACT/365", "credit_rate": "2.7%", "debit_rate": "2.7%"}
    result = simulate_pool(series, terms, "even")
    postings = 2 * len(series)  # at most two months, one rounding per account and month
    assert abs(result.benefit) <= postings * cashmgmt.money.quantum("CNY")


def test_posting_on_threads_equals_posting_row_by_row() -> None:
    """post() splits the rows across threads; the figures must equal those of each row
    posted alone, and a table's rows taken in another order must follow their rows."""
    from decimal import Decimal

    from cashmgmt.engine.interest import post, posting_periods, terms_table
    from cashmgmt.model import Terms, Tier

    rng = np.random.default_rng(3)
    rows = 1300
    shapes = [
        Terms(credit=(Tier(Decimal(0), Decimal("0.01")),)),
        Terms(
            credit=(Tier(Decimal(0), Decimal("0.01")), Tier(Decimal(500), Decimal("0.02"))),
            debit=(Tier(Decimal(0), Decimal("0.05")),),
            tiering="whole",
        ),
        Terms(
            debit=(Tier(Decimal(0), Decimal("0.04")), Tier(Decimal(100), Decimal("0.07"))),
            overdraft_limit=cashmgmt.Money(Decimal(300), "CNY"),
            penalty_rate=Decimal("0.09"),
        ),
    ]
    terms = [shapes[i] for i in rng.integers(0, 3, rows)]
    table = terms_table(terms, np.zeros(rows, dtype=np.int64), ["CNY"])
    balances = rng.integers(-200_000, 200_000, (rows, 90)).astype(np.int64)
    starts, _ = posting_periods(START, 90)
    whole = post(balances, table, starts)
    alone = [post(balances[i : i + 1], table.take([i]), starts) for i in range(rows)]
    for side in ("credit", "debit", "penalty"):
        assert np.array_equal(
            getattr(whole, side), np.concatenate([getattr(p, side) for p in alone])
        )
    order = rng.permutation(rows)
    taken = post(balances[order], table.take(order), starts)
    assert np.array_equal(taken.credit, whole.credit[order])
    assert np.array_equal(taken.debit, whole.debit[order])


def test_a_yen_case_reports_whole_yen() -> None:
    """JPY has no minor unit: every figure of a JPY case, fees included, is whole yen."""
    series = {"A0": [100, 200, 300], "A1": [-50, 70, 10]}
    structure = {
        "id": "s",
        "name": "s",
        "kind": "physical",
        "rules": [{"from": "A1", "to": "A0", "rule": "zero-balance"}],
    }
    case = build(
        {a: [v * 100 for v in vs] for a, vs in series.items()},
        structure,
        {"credit_rate": "1%"},
        currency="JPY",
    )
    data = cashmgmt.simulate(case, "s").to_dict()
    assert data["fees"]["total"] == "0"
    assert data["benefit"]["annual"].lstrip("-").isdigit()
    assert data["accounts"][0]["closing_balance"] == "310"  # 300 + 10 swept in


@SETTINGS
@given(histories)
def test_a_linear_overlay_adds_nothing_to_the_sweeps(values: list[list[int]]) -> None:
    """Hybrid = sweeps, then a notional pool over the headers. With one rate for credit and
    debit everywhere (3.6% ACT/360 on whole hundreds: whole cents a day) the overlay cannot
    change interest, and the sweeps conserve money."""
    from cashmgmt.engine.simulate import simulate_hybrid, simulate_structure
    from cashmgmt.model import NotionalPool, Terms

    series = {f"A{i}": [v // 10000 * 10000 for v in vs] for i, vs in enumerate(values)}
    names = list(series)
    rules = [{"from": b, "to": names[0], "rule": "zero-balance"} for b in names[2:]]
    terms = {"day_count": "ACT/360", "credit_rate": "3.6%", "debit_rate": "3.6%"}
    case = build(series, {"id": "s", "name": "s", "kind": "physical", "rules": rules}, terms)
    physical = case.structure("s")
    assert isinstance(physical, PhysicalStructure)
    pool_terms = case.account("A0").terms
    assert isinstance(pool_terms, Terms)
    pool = NotionalPool("p", "p", "CNY", ("A0", "A1"), pool_terms, "even")
    hybrid = simulate_hybrid(case, physical, pool, id="h", name="h")
    alone = simulate_structure(case, physical)
    assert np.array_equal(hybrid.structure_daily, hybrid.baseline_daily)
    assert hybrid.structure.net == alone.structure.net
    assert hybrid.fees.total == alone.fees.total
