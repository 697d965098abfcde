"""The design's solution (docs/assess-and-design.md, "Solution"): disjoint structures chosen
exactly, approvals kept only where they pay, carve-outs, and the joint simulation."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from casekit import write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from reference import reference_structure
from test_engine_reference import agree, random_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.design import Design
from cashmgmt.cycle.design import feasibility as feasibility_module
from cashmgmt.cycle.design.candidates import Candidate
from cashmgmt.cycle.design.carveout import _carve_physical
from cashmgmt.cycle.design.recommend import APPROVAL_TOLERANCE
from cashmgmt.cycle.design.solution import eligible, pack, shortfall_days
from cashmgmt.engine.joint import accounts_of
from cashmgmt.engine.simulate import simulate_solution, simulate_structure
from cashmgmt.graph import sweep_forest
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.model import Fees, PhysicalStructure, SweepRule
from cashmgmt.money import to_minor
from cashmgmt.reference.rules import country_rules

CaseDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def brute_force(weights: Sequence[int], sets: Sequence[Sequence[str]]) -> int:
    """The largest total weight of pairwise disjoint sets, trying every subset of them (each
    set in or out, in turn; a subset whose sets overlap is not followed further)."""

    def best(k: int, taken: frozenset[str]) -> int:
        if k == len(weights):
            return 0
        out = best(k + 1, taken)
        if not taken & set(sets[k]):
            out = max(out, weights[k] + best(k + 1, taken | set(sets[k])))
        return out

    return best(0, frozenset())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-(10**6), 10**12),
            st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4, unique=True),
        ),
        max_size=10,
    )
)
def test_pack_finds_the_best_disjoint_combination(items: list[tuple[int, list[str]]]) -> None:
    """The integer programme's choice is disjoint and worth exactly what brute force finds
    (weights up to 10^12 minor units: ten billion in a two-decimal currency)."""
    weights = [w for w, _ in items]
    sets = [s for _, s in items]
    chosen = pack(weights, sets)
    taken = [x for i in chosen for x in sets[i]]
    assert len(taken) == len(set(taken))
    assert all(weights[i] > 0 for i in chosen)
    assert sum(weights[i] for i in chosen) == brute_force(weights, sets)


def _options(design: Design, unpoolable: frozenset[str], banned: set[str]) -> list[Candidate]:
    """The candidates the solution may hold, worked out apart from the code under test:
    feasible, simulated, paying, without shortfall, restricted accounts or a not-permitted
    rule, and needing no approval in a country the solution left out."""
    out = []
    for c in design.candidates:
        if not c.feasible or c.result is None or c.result.benefit_annual <= 0:
            continue
        if any(f.status == "not-permitted" for f in c.flags):
            continue
        if unpoolable & set(c.structure.accounts) or shortfall_days(c.result):
            continue
        if banned & set(c.approvals):
            continue
        out.append(c)
    return out


def _best(options: Sequence[Candidate], code: str) -> int:
    weights = [to_minor(c.benefit_annual or Decimal(0), code) for c in options]
    return brute_force(weights, [c.structure.accounts for c in options])


def check_solution(case: cashmgmt.Case, design: Design) -> None:
    """The solution's properties, each against an oracle of its own."""
    solution = design.solution
    assert solution is not None
    code = case.base_currency
    unpoolable = frozenset(a.id for a in case.accounts if not a.poolable)
    chosen = [design.candidate(i) for i in solution.structures]
    # disjoint, permitted, no restricted account, no shortfall
    accounts = [a for c in chosen for a in c.structure.accounts]
    assert len(accounts) == len(set(accounts))
    for c in chosen:
        assert c.feasible and c.result is not None
        assert not any(f.status == "not-permitted" for f in c.flags)
        assert not unpoolable & set(c.structure.accounts)
        assert shortfall_days(c.result) == 0 and c.result.benefit_annual > 0
    # the recommendation is the solution's largest structure
    if chosen:
        largest = max(c.benefit_annual or Decimal(0) for c in chosen)
        assert design.recommended == chosen[0].id
        assert chosen[0].benefit_annual == largest
    else:
        assert design.recommended is None
    # optimal among what the stated approval policy leaves (brute force)
    left_out = {a.country for a in solution.approvals if not a.kept}
    options = _options(design, unpoolable, left_out)
    assert len(options) <= 24, "small enough to enumerate"
    best = _best(options, code)
    assert to_minor(solution.candidates_benefit, code) == best
    assert sum(to_minor(c.benefit_annual or Decimal(0), code) for c in chosen) == best
    # every kept approval is worth what it says (best with less best without) and pays
    everything = _best(_options(design, unpoolable, set()), code)
    assert best >= everything * APPROVAL_TOLERANCE  # the approvals left out give up <= 10%
    for a in solution.approvals:
        if a.kept:
            without = _best(_options(design, unpoolable, left_out | {a.country}), code)
            assert to_minor(a.worth, code) == best - without
            assert without < everything * APPROVAL_TOLERANCE  # leaving it out gives up more
    for c in chosen:
        assert set(c.approvals) <= {a.country for a in solution.approvals if a.kept}


def from_minor_(minor: int, code: str) -> Decimal:
    return cashmgmt.money.from_minor(minor, code)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case(), st.integers(0, 6), st.booleans())
def test_solution_is_the_best_disjoint_combination_on_random_groups(
    sample: tuple[dict[str, Any], str, str, str], pick: int, restrict: bool
) -> None:
    """On random groups small enough to enumerate: the solution is disjoint, holds no
    not-permitted structure, restricted account or shortfall, and its benefit is the best
    disjoint combination brute force finds over the same candidates."""
    doc, balances, fx, _ = sample
    doc["proposing_bank"] = "Bank"
    if restrict:  # a restricted account: never in a structure, never in the solution
        doc["accounts"][pick % len(doc["accounts"])]["restricted"] = True
        doc["structures"] = []
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    assume(case.balances.days >= MIN_HISTORY_DAYS)
    design = cashmgmt.design(case, cashmgmt.assess(case))
    check_solution(case, design)


@pytest.mark.parametrize(
    "name", ["aurora-industrial", "huaxia-liquor", "bluestem-outdoor", "larkspur-bakery"]
)
def test_examples_solutions(name: str) -> None:
    """Every example's solution has the same properties (Aurora: 14 candidates to pack)."""
    case = cashmgmt.load_case(EXAMPLES / name)
    design = cashmgmt.design(case, cashmgmt.assess(case))
    check_solution(case, design)
    assert design.solution is not None and design.solution.result is not None
    assert design.to_dict()["solution"]["structures"] == list(design.solution.structures)


# ---------------------------------------------------------------------------------------------
# Aurora's defect: one pool per currency beats the multi-currency pool
# ---------------------------------------------------------------------------------------------


def per_currency_group(days: int = 60) -> tuple[dict[str, Any], str, str]:
    """A German parent with three EUR accounts and a US subsidiary with three USD accounts
    at one bank, every account in credit every day (so cross-currency netting is worth
    nothing); one account per currency pays 3% on credit, the others 0.25%."""
    start = date(2025, 3, 3)
    accounts = []
    for cur, country, entity in (("EUR", "DE", "P"), ("USD", "US", "U")):
        for k in range(3):
            accounts.append(
                {
                    "id": f"{country}-{cur}-{k}",
                    "entity": entity,
                    "bank": "Citi",
                    "country": country,
                    "currency": cur,
                    "terms": {"credit_rate": "3%" if k == 0 else "0.25%", "debit_rate": "8%"},
                }
            )
    doc: dict[str, Any] = {
        "case": 1,
        "client": {
            "name": "Per-currency Group",
            "industry": "Machinery",
            "country": "DE",
            "annual_revenue": "3000000000 EUR",
        },
        "base_currency": "EUR",
        "proposing_bank": "Citi",
        "entities": [
            {"id": "P", "name": "Parent GmbH", "country": "DE"},
            {"id": "U", "name": "US Inc", "country": "US", "parent": "P", "ownership": "100%"},
        ],
        "accounts": accounts,
        "balances": "balances.csv",
        "fx_rates": "fx.csv",
        "structures": [],
    }
    rows = ["date,account,balance"]
    for d in range(days):
        day = (start + timedelta(days=d)).isoformat()
        for i, a in enumerate(accounts):
            rows.append(f"{day},{a['id']},{20_000_000 + 1_000_000 * ((d * (i + 3)) % 7)}.00")
    fx = "date,currency,rate\n" + "".join(
        f"{(start + timedelta(days=d)).isoformat()},USD,0.92\n" for d in range(0, days, 7)
    )
    return doc, "\n".join(rows) + "\n", fx


def test_per_currency_pools_beat_the_multi_currency_pool(case_dir: CaseDir) -> None:
    """Aurora's defect, constructed: every currency in credit every day, so a multi-currency
    pool nets nothing across currencies and costs more; the solution is one pool per
    currency, together worth more than the multi-currency pool, with no approval."""
    doc, balances, fx = per_currency_group()
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    design = cashmgmt.design(case, cashmgmt.assess(case))
    solution = design.solution
    assert solution is not None
    multi = design.candidate("notional-multi")
    assert multi.feasible and multi.benefit_annual is not None and multi.benefit_annual > 0
    chosen = [design.candidate(i) for i in solution.structures]
    currencies = sorted(case.account(c.structure.accounts[0]).currency for c in chosen)
    assert currencies == ["EUR", "USD"]
    for c in chosen:
        assert len({case.account(a).currency for a in c.structure.accounts}) == 1
        assert not c.approvals
    assert "notional-multi" not in solution.structures
    # scored one at a time, the multi-currency pool wins (the old recommendation) ...
    simulated = [c for c in design.candidates if c.benefit_annual is not None]
    assert max(simulated, key=lambda c: c.benefit_annual or 0).id == "notional-multi"
    assert multi.approvals == ("US",)
    # ... yet one pool per currency earns more, jointly simulated, with no approval
    assert solution.benefit_annual > multi.benefit_annual
    check_solution(case, design)


# ---------------------------------------------------------------------------------------------
# Carve-outs
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def us_forbids_notional(monkeypatch: pytest.MonkeyPatch) -> None:
    """The US rules for notional pooling read as "not authorised": status not-permitted."""
    topics = {"notional-pooling", "cross-border-notional", "multi-currency-notional"}
    rules = tuple(
        attrs.evolve(r, status="not-permitted") if r.country == "US" and r.topic in topics else r
        for r in country_rules()
    )
    monkeypatch.setattr(feasibility_module, "country_rules", lambda: rules)


@pytest.mark.usefixtures("us_forbids_notional")
def test_a_forbidden_country_is_carved_out_and_served_by_a_sweep(case_dir: CaseDir) -> None:
    """Aurora's second defect, constructed: the multi-currency pool would take US accounts
    that the US rule forbids; it is rebuilt without them (feasible, no US account), the US
    accounts are served by a zero-balance sweep in the US, and nothing the solution holds
    pools a US account notionally."""
    doc, balances, fx = per_currency_group()
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    design = cashmgmt.design(case, cashmgmt.assess(case))
    ids = {c.id for c in design.candidates}
    assert "notional-multi" not in ids  # generated and forbidden: dropped, not recommended
    carved = design.candidate("notional-multi-carve-out")
    assert carved.feasible and carved.origin == "carve-out"
    assert not any(f.status == "not-permitted" for f in carved.flags)
    assert all(case.account(a).country != "US" for a in carved.structure.accounts)
    us = sorted(a.id for a in case.accounts if a.country == "US")
    serving = [
        c
        for c in design.candidates
        if c.structure.kind == "physical" and sorted(c.structure.accounts) == us
    ]
    assert serving and serving[0].feasible
    assert serving[0].id in carved.description
    assert design.solution is not None
    for i in design.solution.structures:
        c = design.candidate(i)
        if c.structure.kind != "physical":
            assert all(case.account(a).country != "US" for a in c.structure.accounts)
    check_solution(case, design)


def test_a_case_structure_a_rule_forbids_stays_infeasible_with_its_carve_out_beside(
    case_dir: CaseDir,
) -> None:
    """A notional pool written in the case over DE and PH accounts (PH: notional pooling not
    permitted) is shown infeasible, and its carve-out without the PH accounts beside it."""
    banned = {(r.country, r.topic) for r in country_rules() if r.status == "not-permitted"}
    assert ("PH", "notional-pooling") in banned
    doc, balances, fx = per_currency_group()
    for a in doc["accounts"]:
        if a["currency"] == "USD":
            a["country"] = "PH"
    doc["entities"][1]["country"] = "PH"
    doc["structures"] = [
        {
            "id": "group-pool",
            "name": "Group pool",
            "kind": "notional",
            "currency": "EUR",
            "accounts": [a["id"] for a in doc["accounts"] if a["currency"] == "EUR"][:2]
            + [a["id"] for a in doc["accounts"] if a["currency"] == "USD"][:1],
            "terms": {"credit_rate": "2%", "debit_rate": "6%"},
        }
    ]
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    design = cashmgmt.design(case, cashmgmt.assess(case))
    original = design.candidate("group-pool")
    assert not original.feasible
    carved = design.candidate("group-pool-carve-out")
    assert carved.feasible
    assert {case.account(a).country for a in carved.structure.accounts} == {"DE"}
    assert "group-pool" not in (design.solution.structures if design.solution else ())


# ---------------------------------------------------------------------------------------------
# The joint simulation
# ---------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case())
def test_one_structure_alone_is_simulated_as_by_itself(
    sample: tuple[dict[str, Any], str, str, str],
) -> None:
    """simulate_solution of one structure gives simulate_structure's figures exactly."""
    doc, balances, fx, _ = sample
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    structure = case.structure("s")
    alone = simulate_structure(case, structure).to_dict()
    joint = simulate_solution(case, [structure], id="s", name=structure.name).to_dict()
    assert joint["structure"].pop("kind") == "solution"
    alone["structure"].pop("kind")
    assert joint == alone


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case())
def test_disjoint_sweeps_together_match_the_reference_loop(
    sample: tuple[dict[str, Any], str, str, str],
) -> None:
    """A random sweep tree cut into disjoint structures: each subtree under the top that has
    sweeps of its own, and the top with the accounts that sweep straight into it (the
    subtrees' heads no longer sweep to the top). Simulated together they agree, figure by
    figure, with the reference loop (tests/reference.py) on one structure holding all their
    rules: the same balances, and the flows of different structures between the same two
    entities in the same currency make one intercompany position, whose interest and tax
    are posted once."""
    doc, balances, fx, _ = sample
    assume(doc["structures"][0]["kind"] == "physical")
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    s = case.structure("s")
    assert isinstance(s, PhysicalStructure)
    forest = sweep_forest(s)
    top = next(n for n in forest if forest.out_degree(n) == 0)
    under = [r for r in s.rules if r.header != top]
    heads = sorted({r.header for r in under} - {r.participant for r in under})
    assume(len(heads) >= 1)

    def subtree(head: str) -> PhysicalStructure:
        mine = [r for r in under if _reaches(forest, r.participant, head)]
        limits = {a: m for a, m in s.header_limit.items() if a in {r.header for r in mine}}
        return PhysicalStructure(f"t-{head}", head, tuple(mine), s.sweep_days, Fees(), limits)

    rest = [r for r in s.rules if r.header == top and r.participant not in heads]
    parts = [subtree(h) for h in heads]
    if rest:  # the top and the accounts that sweep straight into it
        limits = {a: m for a, m in s.header_limit.items() if a == top}
        parts.append(PhysicalStructure("rest", "rest", tuple(rest), s.sweep_days, Fees(), limits))
    event(f"{len(parts)} structures")
    merged = PhysicalStructure(
        "merged",
        "merged",
        tuple(r for p in parts for r in p.rules),
        s.sweep_days,
        Fees(),
        {a: m for p in parts for a, m in p.header_limit.items()},
    )
    joint = simulate_solution(case, parts)
    agree(case, joint, reference_structure(case, merged))


def _reaches(forest: Any, node: str, head: str) -> bool:
    """Whether `node` sweeps, directly or through others, into `head`."""
    while True:
        up = next(iter(forest.successors(node)), None)
        if up is None:
            return False
        if up == head:
            return True
        node = up


def test_structures_in_different_currencies_add_up() -> None:
    """Aurora's per-currency pools cannot interact (no account, entity pair and currency in
    common): together they earn exactly the sum of their own figures for the period, with
    the same fees and tax, and the same figure for every account."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    design = cashmgmt.design(case, cashmgmt.assess(case))
    ids = ["zba-eur", "zba-usd", "zba-gbp-gb", "zba-sek-se"]
    structures = [design.candidate(i).structure for i in ids]
    alone = [simulate_structure(case, s) for s in structures]
    joint = simulate_solution(case, structures)
    assert joint.benefit == sum((r.benefit for r in alone), Decimal(0))
    assert joint.fees.total == sum((r.fees.total for r in alone), Decimal(0))
    assert joint.tax.total == sum((r.tax.total for r in alone), Decimal(0))
    assert abs(joint.benefit_annual - sum((r.benefit_annual for r in alone), Decimal(0))) <= (
        Decimal("0.01") * len(ids)
    )
    for s, r in zip(structures, alone, strict=True):
        for a in accounts_of(s):
            assert joint.account(a) == r.account(a)


def test_overlapping_structures_are_refused() -> None:
    """A solution's structures share no account: two that do are a located problem."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    design = cashmgmt.design(case, cashmgmt.assess(case))
    with pytest.raises(cashmgmt.SimulationError) as refused:
        simulate_solution(
            case, [design.candidate("zba-eur").structure, design.candidate("zba-eur-de").structure]
        )
    assert "no account in common" in refused.value.problems[0].message


def test_a_restricted_account_never_enters_a_solution(case_dir: CaseDir) -> None:
    """An escrow account beside the pools is never pooled, so no candidate and no solution
    holds it; the joint simulation refuses it too."""
    doc, balances, fx = per_currency_group()
    doc["accounts"][1]["restricted"] = True
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    design = cashmgmt.design(case, cashmgmt.assess(case))
    restricted = doc["accounts"][1]["id"]
    assert all(restricted not in c.structure.accounts for c in design.candidates)
    check_solution(case, design)
    zba = next(c for c in design.candidates if c.id.startswith("zba-eur"))
    assert isinstance(zba.structure, PhysicalStructure)
    bad = attrs.evolve(
        zba.structure,
        rules=(*zba.structure.rules, attrs.evolve(zba.structure.rules[0], participant=restricted)),
    )
    with pytest.raises(cashmgmt.SimulationError):
        simulate_solution(case, [bad])


def test_eligibility_reasons() -> None:
    """Why a candidate stays out of the choice, in order: infeasible first."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    design = cashmgmt.design(case, cashmgmt.assess(case))
    reasons = {c.id: eligible(c, frozenset()) for c in design.candidates}
    assert reasons["zba-eur"] is None
    assert any(r == "shortfall days" for r in reasons.values())
    assert any(r == "no benefit after fees and tax" for r in reasons.values())


@pytest.mark.parametrize("name", ["aurora-industrial", "huaxia-liquor"])
def test_design_json_gains_the_solution_and_the_candidates_facts(name: str) -> None:
    """`design --json`: every candidate has its accounts, shortfall days and the rules that
    need approval; `solution` lists disjoint candidate ids, its benefit as a decimal string
    and its reasons; `recommended` is the solution's largest structure."""
    result = CliRunner().invoke(cli, ["design", str(EXAMPLES / name), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_id = {c["id"]: c for c in data["candidates"]}
    for c in data["candidates"]:
        assert c["name"] and c["accounts"]
        assert (c["shortfall_days"] is None) == (not c["feasible"])
        assert {f["country"] for f in c["approval_rules"]} == set(c["approvals"])
        for f in c["approval_rules"]:
            assert f["topic"] and isinstance(f["requires"], list)
    solution = data["solution"]
    held = [a for i in solution["structures"] for a in by_id[i]["accounts"]]
    assert len(held) == len(set(held))
    Decimal(solution["benefit"]["annual"])
    assert solution["reasons"] and solution["method"].startswith("integer programming")
    assert data["recommended"] == solution["structures"][0]
    assert all(by_id[i]["shortfall_days"] == 0 for i in solution["structures"])


def test_carving_a_sweep_tree_keeps_what_is_left_connected(case_dir: CaseDir) -> None:
    """Hand-worked: in the chain 2 -> 1 -> 0, carving 1 re-points 2 to 0; carving the top 0
    leaves 2 -> 1 (1 becomes the top). In the flat 1 -> 0, 2 -> 0, carving the top leaves
    the orphans sweeping into the better of them (equal terms: the larger on average)."""
    doc, balances, fx = per_currency_group()
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=fx))
    a0, a1, a2 = (f"DE-EUR-{k}" for k in range(3))
    mean = {a: int(case.balances.minor[case.balances.accounts.index(a)].mean()) for a in (a1, a2)}
    chain = PhysicalStructure(
        "c", "c", (SweepRule(a1, a0, "zero-balance"), SweepRule(a2, a1, "zero-balance"))
    )
    cut = _carve_physical(case, chain, frozenset({a1}), mean)
    assert cut is not None and [(r.participant, r.header) for r in cut.rules] == [(a2, a0)]
    cut = _carve_physical(case, chain, frozenset({a0}), mean)
    assert cut is not None and [(r.participant, r.header) for r in cut.rules] == [(a2, a1)]
    flat = PhysicalStructure(
        "f", "f", (SweepRule(a1, a0, "zero-balance"), SweepRule(a2, a0, "zero-balance"))
    )
    cut = _carve_physical(case, flat, frozenset({a0}), mean)
    big, small = sorted((a1, a2), key=lambda a: (-mean[a], a))
    assert cut is not None and [(r.participant, r.header) for r in cut.rules] == [(small, big)]
    assert _carve_physical(case, flat, frozenset({a0, a1}), mean) is None
