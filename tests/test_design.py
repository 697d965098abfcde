"""Design: candidates from the case and the group's shape, checked, simulated, recommended."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from casekit import one_group, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from test_engine_reference import random_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.design.candidates import HybridStructure, generate
from cashmgmt.cycle.design.feasibility import check
from cashmgmt.cycle.design.solution import eligible
from cashmgmt.graph import sweep_forest
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.model import NotionalPool, PhysicalStructure
from cashmgmt.reference.rules import country_rules
from cashmgmt.regions import is_country

CaseDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


@pytest.fixture(scope="module")
def designs() -> dict[str, tuple[cashmgmt.Case, cashmgmt.Assessment, cashmgmt.Design]]:
    out = {}
    for name in NAMES:
        case = cashmgmt.load_case(EXAMPLES / name)
        assessment = cashmgmt.assess(case)
        out[name] = (case, assessment, cashmgmt.design(case, assessment))
    return out


def test_country_rules_data_is_complete() -> None:
    rules = country_rules()
    topics = {
        "physical-pooling",
        "cross-border-sweep",
        "notional-pooling",
        "cross-border-notional",
        "multi-currency-notional",
        "intercompany-loans",
        "cross-guarantees",
    }
    assert rules
    for rule in rules:
        assert rule.topic in topics
        assert rule.status in {"permitted", "needs-approval", "not-permitted"}
        assert rule.source.url.startswith("http")
        assert rule.note.as_dict()["en"] and rule.note.as_dict()["zh-CN"]
        assert rule.country == "*" or is_country(rule.country)


@pytest.mark.parametrize("name", NAMES)
def test_generated_candidates_pass_the_rule_checks(name: str, designs: Any) -> None:
    case, assessment, _ = designs[name]
    accounts = {a.id: a for a in case.accounts}
    for structure, _description in generate(case, assessment):
        if isinstance(structure, PhysicalStructure):
            graph = sweep_forest(structure)
            assert nx.is_directed_acyclic_graph(graph)
            assert max(d for _, d in graph.out_degree()) <= 1
            for rule in structure.rules:
                assert accounts[rule.participant].currency == accounts[rule.header].currency
        else:
            assert len(set(structure.accounts)) == len(structure.accounts) >= 2
        _, reasons, _ = check(case, structure)
        assert not any("forest" in r or "two currencies" in r for r in reasons)


@pytest.mark.parametrize("name", NAMES)
def test_recommendation_is_the_largest_structure_of_the_solution(name: str, designs: Any) -> None:
    """Issue 13: the recommendation is a solution of disjoint structures (tests/test_solution.py
    proves it optimal); `recommended` is its largest structure, and the solution earns at
    least any single candidate it could have held alone."""
    case, _, design = designs[name]
    assert {s.id for s in case.structures} <= {c.id for c in design.candidates}
    solution = design.solution
    assert solution is not None
    if design.recommended is None:
        assert not solution.structures and design.reasons
    else:
        chosen = [design.candidate(i) for i in solution.structures]
        assert design.recommended == max(chosen, key=lambda c: c.benefit_annual or 0).id
        left_out = {a.country for a in solution.approvals if not a.kept}
        unpoolable = frozenset(a.id for a in case.accounts if not a.poolable)
        for c in design.candidates:
            if eligible(c, unpoolable) is None and not left_out & set(c.approvals):
                assert solution.candidates_benefit >= (c.benefit_annual or 0)
        assert design.reasons == solution.reasons
    for candidate in design.candidates:
        assert candidate.feasible == (candidate.result is not None)


def test_a_country_rule_violation_is_never_feasible(case_dir: CaseDir) -> None:
    banned = [
        r
        for r in country_rules()
        if r.status == "not-permitted" and r.topic == "notional-pooling" and r.country != "*"
    ]
    assert banned, "the data should hold at least one country banning notional pooling"
    country = banned[0].country
    doc, balances = one_group(
        [
            {"id": "A", "currency": "CNY", "country": country},
            {"id": "B", "currency": "CNY", "country": country},
        ],
        {"A": ["100", "-50"] * 14, "B": ["-80", "90"] * 14},
        date(2025, 3, 3),
        [
            {
                "id": "np",
                "name": "Pool",
                "kind": "notional",
                "currency": "CNY",
                "accounts": ["A", "B"],
                "terms": {"credit_rate": "1%", "debit_rate": "5%"},
            }
        ],
    )
    case = cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    design = cashmgmt.design(case, cashmgmt.assess(case))
    pool = design.candidate("np")
    assert not pool.feasible and pool.result is None
    assert any(r.startswith(f"{country}: notional pooling not permitted") for r in pool.reasons)
    assert all(not c.feasible or c.structure.kind != "notional" for c in design.candidates)
    assert design.recommended != "np"


@pytest.mark.parametrize("name", NAMES)
def test_design_json_contract(name: str) -> None:
    result = CliRunner().invoke(cli, ["design", str(EXAMPLES / name), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "recommended" in data and isinstance(data["bundle"], list) and data["bundle"]
    for c in data["candidates"]:
        assert {"id", "kind", "feasible", "reasons", "benefit"} <= set(c)
        assert isinstance(c["feasible"], bool)
        if c["feasible"]:
            Decimal(c["benefit"]["annual"])


def test_micro_client_gets_the_standard_package(designs: Any) -> None:
    _, assessment, design = designs["larkspur-bakery"]
    assert assessment.segment == "micro"
    assert design.bundle[0].product == "online-banking-standard"
    assert any("online-banking" in b.channels for b in design.bundle)
    assert "host-to-host" not in design.channels


def test_large_client_gets_host_to_host(designs: Any) -> None:
    _, assessment, design = designs["aurora-industrial"]
    assert assessment.segment == "large"
    assert "host-to-host" in design.channels
    assert design.bundle[0].product == "host-to-host"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case())
def test_design_properties_on_random_groups(sample: tuple[dict[str, Any], str, str, str]) -> None:
    """On random groups: generated candidates pass the structural checks, a candidate that a
    country rule forbids is never feasible, and the recommendation is the best feasible one
    unless a stated reason says otherwise."""
    doc, balances, fx, _ = sample
    doc["proposing_bank"] = "Bank"
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    assessment = cashmgmt.assess(case)
    if case.balances.days < MIN_HISTORY_DAYS:  # too short to annualise: refused, located
        with pytest.raises(cashmgmt.AssessmentError) as refused:
            cashmgmt.design(case, assessment)
        assert refused.value.problems[0].where == "balances"
        return
    result = cashmgmt.design(case, assessment)
    forbidden = {(r.country, r.topic) for r in country_rules() if r.status == "not-permitted"}
    for c in result.candidates:
        hits = [f for f in c.flags if (f.country, f.topic) in forbidden]
        assert not (c.feasible and hits), (c.id, hits)
        if c.origin == "generated":
            assert c.feasible
    feasible = [c for c in result.candidates if c.feasible]
    assert result.solution is not None
    if result.recommended is not None:  # the solution's largest structure (issue 13)
        assert result.recommended == result.solution.structures[0]
        chosen = result.candidate(result.recommended)
        assert chosen.benefit_annual is not None and chosen.benefit_annual > 0
    else:
        unpoolable = frozenset(a.id for a in case.accounts if not a.poolable)
        assert all(eligible(c, unpoolable) is not None for c in feasible)


@pytest.mark.parametrize("name", ["aurora-industrial", "huaxia-liquor"])
def test_multi_currency_candidate_runs_each_currency_at_its_header_terms(name: str) -> None:
    """`notional-multi` (docs/simulation.md, "Multi-currency pools, per currency"): every
    currency other than the pool's takes the terms of the header its own single-currency
    pool (`notional-<cur>`) would have, or its only account's; the offset rate is the pool
    currency's top credit rate (no spread) and the haircut the Basel 8%
    (multicurrency_pool.yaml)."""
    case = cashmgmt.load_case(EXAMPLES / name)
    made = {s.id: s for s, _ in generate(case, cashmgmt.assess(case))}
    pool = made["notional-multi"]
    assert isinstance(pool, NotionalPool) and pool.currency_terms is not None
    held = {case.account(a).currency: case.account(a) for a in pool.accounts}
    assert set(pool.currency_terms) == set(held) - {pool.currency}
    for cur, terms in pool.currency_terms.items():
        single = made.get(f"notional-{cur.lower()}")
        if isinstance(single, NotionalPool):
            assert terms == single.terms
        else:
            assert terms == held[cur].terms
    assert pool.offset_rate == max(t.rate for t in pool.terms.credit)
    assert pool.haircut == Decimal("0.08")


def test_hybrid_overlay_runs_each_currency_at_its_own_terms() -> None:
    """The hybrid's notional overlay over the country headers is per currency too: every
    currency other than the overlay's takes the terms of one of its own country headers
    (never the overlay currency's), with the shipped offset rate and haircut."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    made = {s.id: s for s, _ in generate(case, cashmgmt.assess(case))}
    hybrid = made["hybrid"]
    assert isinstance(hybrid, HybridStructure)
    pool = hybrid.pool
    assert pool.currency_terms is not None
    heads = {a: case.account(a) for a in pool.accounts}
    currencies = {a.currency for a in heads.values()}
    assert len(currencies) > 1 and set(pool.currency_terms) == currencies - {pool.currency}
    for cur, terms in pool.currency_terms.items():
        assert terms in [a.terms for a in heads.values() if a.currency == cur]
    assert pool.offset_rate == max(t.rate for t in pool.terms.credit)
    assert pool.haircut == Decimal("0.08")
