"""Plausible variants (issue 13): target buffers net of the group's own transfers and within
what the header holds, no candidate generated twice, distinct names in both languages, and
the alternatives a proposal shows (docs/assess-and-design.md, "Target buffers" and
"Distinct candidates")."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from casekit import one_group, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_reference import random_case

import cashmgmt
from cashmgmt.cycle.design import Candidate, Design
from cashmgmt.cycle.design.candidates import CandidateStructure, generate
from cashmgmt.cycle.design.names import TEMPLATES, distinct_names
from cashmgmt.cycle.design.variants import (
    bounded,
    header_capacity,
    outflow_need,
    own_transfers,
)
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.model import PhysicalStructure, SweepRule
from cashmgmt.money import Money
from cashmgmt.render.environment import make_gettext
from cashmgmt.render.i18n import translations
from cashmgmt.render.labels import candidate_labels
from cashmgmt.render.proposal import alternatives

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]
DAYS = 35
START = date(2025, 1, 6)  # a Monday


def collections_and_payments(head_start: int) -> dict[str, list[int]]:
    """Bluestem's shape, in whole CNY a day: two collection accounts take in 10,000 and
    7,000 a day and hand all of it to the header once a week (COL1 on day 4, COL2 on day 3
    of each week: the group's own transfers, nothing else moves that day), and a payments
    account pays 20,000 to suppliers on six days a week and is funded with 140,000 by the
    header on the seventh (a transfer too). The header has no flows of its own."""
    head, col1, col2, pay = [head_start], [10_000], [7_000], [140_000]
    for d in range(1, DAYS):
        h, c1, c2, p = head[-1], col1[-1], col2[-1], pay[-1]
        if d % 7 == 4:
            h, c1 = h + c1, 0
        else:
            c1 += 10_000
        if d % 7 == 3:
            h, c2 = h + c2, 0
        else:
            c2 += 7_000
        if d % 7 == 0:
            h, p = h - 140_000, p + 140_000
        else:
            p -= 20_000
        head.append(h)
        col1.append(c1)
        col2.append(c2)
        pay.append(p)
    return {"HEAD": head, "COL1": col1, "COL2": col2, "PAY": pay}


def load(series: dict[str, list[int]], tmp: Path) -> cashmgmt.Case:
    accounts: list[dict[str, Any]] = [
        {"id": "HEAD", "currency": "CNY", "terms": {"credit_rate": "3%", "debit_rate": "6%"}},
        *(
            {"id": a, "currency": "CNY", "terms": {"credit_rate": "0%", "debit_rate": "6%"}}
            for a in ("COL1", "COL2", "PAY")
        ),
    ]
    doc, balances = one_group(accounts, {a: [str(v) for v in s] for a, s in series.items()}, START)
    return cashmgmt.load_case(write_case(tmp / "case", case=doc, balances=balances, fx=None))


def target_of(case: cashmgmt.Case) -> PhysicalStructure | None:
    made = {s.id: s for s, _ in generate(case, cashmgmt.assess(case))}
    target = made.get("target-cny-cn")
    assert target is None or isinstance(target, PhysicalStructure)
    return target


def raw_p95(values: list[int]) -> int:
    """The old buffer (95th-percentile daily fall, 'higher' method), worked out by hand."""
    falls = sorted(a - b for a, b in itertools.pairwise(values) if b < a)
    return falls[-(-95 * len(falls) // 100) - 1] if falls else 0


def test_collection_accounts_keep_no_buffer_for_the_groups_own_transfers(
    tmp_path: Path,
) -> None:
    """The defect: the collection accounts' only falls are their weekly transfers to the
    header, so the 95th-percentile fall made each of them keep a week's takings. Net of the
    group's own transfers they need nothing (swept to zero) and the payments account keeps
    its 20,000 a day of suppliers' payments."""
    series = collections_and_payments(head_start=1_000_000)
    case = load(series, tmp_path)
    assert raw_p95(series["COL1"]) == 60_000 and raw_p95(series["COL2"]) == 42_000  # before
    transfers = own_transfers(case, "CNY")
    falls = {a: [v for v in transfers[a].tolist() if v < 0] for a in series}
    assert len(falls["COL1"]) == len(falls["COL2"]) == 5 and len(falls["HEAD"]) == 4
    assert all(case.account(a).currency == "CNY" for a in series)
    needs = {a: outflow_need(case, case.account(a), transfers) for a in ("COL1", "COL2", "PAY")}
    assert needs == {"COL1": 0, "COL2": 0, "PAY": 20_000_00}
    target = target_of(case)
    assert target is not None
    assert {(r.participant, r.kind, r.target) for r in target.rules} == {
        ("COL1", "zero-balance", None),
        ("COL2", "zero-balance", None),
        ("PAY", "target", Money(Decimal("20000.00"), "CNY")),
    }
    assert target.name == "CNY target-balance pool, CN: buffers of 20,000 CNY"


def test_buffers_stay_within_what_the_pool_holds_on_its_lowest_day(tmp_path: Path) -> None:
    """The header's floor: the buffers never add up to more than the pool's lowest daily net
    position (worked out here from the series), so the header never goes into debit to hold
    them. The header starts so that the lowest day holds 12,345: the payments account's
    20,000 is cut to 12,000 (rounded down to a thousand), and the simulated variant has no
    shortfall on any account."""
    series = collections_and_payments(head_start=0)
    low = min(sum(s[d] for s in series.values()) for d in range(DAYS))
    series["HEAD"] = [v - low + 12_345 for v in series["HEAD"]]
    case = load(series, tmp_path)
    members = [case.account(a) for a in series]
    assert header_capacity(case, members) == 12_345_00
    target = target_of(case)
    assert target is not None
    assert [(r.participant, r.target) for r in target.rules if r.kind == "target"] == [
        ("PAY", Money(Decimal("12000.00"), "CNY"))
    ]
    result = cashmgmt.design(case, cashmgmt.assess(case))
    chosen = result.candidate("target-cny-cn").result
    assert chosen is not None
    assert all(a.shortfall_days == 0 for a in chosen.accounts)


def test_a_variant_whose_buffers_are_all_zero_is_not_generated(tmp_path: Path) -> None:
    """When the pool is in debit on some day the header can hold no buffer: every buffer is
    0, the target variant would be the zero-balance pool again, and only the zero-balance
    pool is generated."""
    series = collections_and_payments(head_start=-150_000)
    assert min(sum(s[d] for s in series.values()) for d in range(DAYS)) < 0
    case = load(series, tmp_path)
    assert target_of(case) is None
    made = [s.id for s, _ in generate(case, cashmgmt.assess(case))]
    assert "zba-cny-cn" in made and len(made) == len(set(made))


def test_a_generated_structure_equal_to_the_cases_own_is_left_out(tmp_path: Path) -> None:
    """The RM's own zero-balance pool (its rules in another order, another name, its own
    fees) is the same structure as the generated `zba-cny-cn`: one candidate, the case's."""
    series = collections_and_payments(head_start=1_000_000)
    case = load(series, tmp_path)
    made = {s.id: s for s, _ in generate(case, cashmgmt.assess(case))}
    zba = made["zba-cny-cn"]
    assert isinstance(zba, PhysicalStructure)
    own = PhysicalStructure("mine", "Our sweep", tuple(reversed(zba.rules)), zba.sweep_days)
    again = [s.id for s, _ in generate(case_with(case, own), cashmgmt.assess(case))]
    assert "zba-cny-cn" not in again and "target-cny-cn" in again


def case_with(case: cashmgmt.Case, structure: PhysicalStructure) -> cashmgmt.Case:
    return attrs.evolve(case, structures=(*case.structures, structure))


@pytest.mark.parametrize(
    ("needs", "capacity", "expected"),
    [
        ({"a": 3_000_000, "b": 1_000_000}, 5_000_000, {"a": 3_000_000, "b": 1_000_000}),
        ({"a": 3_000_000, "b": 1_000_000}, 2_000_000, {"a": 1_500_000, "b": 500_000}),
        ({"a": 3_000_000, "b": 1_000_000}, 1_999_999, {"a": 1_400_000, "b": 400_000}),
        ({"a": 3_000_000, "b": 1_000_000}, 0, {"a": 0, "b": 0}),
    ],
)
def test_buffers_scale_down_to_the_capacity_in_whole_thousands(
    needs: dict[str, int], capacity: int, expected: dict[str, int]
) -> None:
    """Hand-worked (minor units, 2 decimals): 30,000 and 10,000 within 20,000 are 15,000 and
    5,000; within 19,999.99 they are 14,999.99 and 4,999.99, rounded down to 14,000 and
    4,000."""
    assert bounded(needs, capacity, "CNY") == expected


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 10**9), min_size=1),
    st.integers(0, 10**9),
)
def test_buffers_never_add_up_to_more_than_the_capacity(
    needs: dict[str, int], capacity: int
) -> None:
    out = bounded(needs, capacity, "USD")
    assert sum(out.values()) <= max(capacity, sum(needs.values()))
    assert sum(out.values()) <= capacity or out == needs
    assert all(0 <= out[a] <= needs[a] for a in needs)


def candidates_of(case: cashmgmt.Case) -> list[Candidate]:
    """The case's structures and the generated ones, as unsimulated candidates."""
    pool: list[tuple[CandidateStructure, str]] = [(s, "case") for s in case.structures]
    pool += [(s, "generated") for s, _ in generate(case, cashmgmt.assess(case))]
    return [Candidate(s, origin, "", True, (), (), None) for s, origin in pool]


def assert_distinct(case: cashmgmt.Case) -> None:
    candidates = candidates_of(case)
    names = [c.structure.name for c in candidates if c.origin == "generated"]
    names += [c.structure.name for c in candidates if c.origin == "case"]
    generated = [c.structure.name for c in candidates if c.origin == "generated"]
    written = {c.structure.name for c in candidates if c.origin == "case"}
    assert len(generated) == len(set(generated)) and not set(generated) & written, names
    for language in ("en", "zh-CN"):
        labels = candidate_labels(candidates, case, make_gettext(language), language)
        assert len(set(labels.values())) == len(candidates), labels


@pytest.mark.parametrize("name", NAMES)
def test_every_candidate_of_the_examples_has_a_distinct_name(name: str) -> None:
    """Huaxia's three "Physical cash concentration CNY · CN", Bluestem's two "USD · US":
    every name now says what distinguishes it, in both languages."""
    assert_distinct(cashmgmt.load_case(EXAMPLES / name))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case())
def test_names_are_distinct_on_random_groups(sample: tuple[dict[str, Any], str, str, str]) -> None:
    doc, balances, fx, _ = sample
    doc["proposing_bank"] = "Bank"
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    if case.balances.days < MIN_HISTORY_DAYS:
        return
    assert_distinct(case)


def test_every_name_is_translated() -> None:
    catalog = translations("zh-CN")
    for template in TEMPLATES:
        assert catalog.gettext(template) != template, template


def test_a_repeated_name_gains_its_id() -> None:
    assert distinct_names([("a", "Pool"), ("b", "Pool"), ("c", "Other")]) == {
        "a": "Pool",
        "b": "Pool (b)",
        "c": "Other",
    }


def ranked_design(case: cashmgmt.Case, recommended: str | None) -> Design:
    """A design whose candidates are ranked generated first, the case's own last."""
    candidates = candidates_of(case)
    ordered = [c for c in candidates if c.origin == "generated"]
    ordered += [c for c in candidates if c.origin == "case"]
    return Design(tuple(ordered), recommended, (), (), (), cashmgmt.assess(case), case.balances.end)


def test_aurora_shows_the_rms_own_structures_and_says_how_many_of_all() -> None:
    """Aurora's 12 best left out the RM's own `currency-overlay` and `gbp-pool`: every
    structure of the case is shown now, with the best-ranked others up to 12 in all."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    design = ranked_design(case, recommended=None)
    shown, total = alternatives(design, 12)
    ids = [c.id for c in shown]
    written = [s.id for s in case.structures]
    assert {"currency-overlay", "gbp-pool"} <= set(ids) and set(written) <= set(ids)
    assert total == len(design.candidates) > 12 == len(shown)
    best = [c.id for c in design.candidates if c.origin == "generated"][: 12 - len(written)]
    assert ids == best + written


@given(
    st.lists(st.booleans(), min_size=0, max_size=30),
    st.integers(0, 15),
    st.integers(0, 40),
)
def test_alternatives_keep_the_case_and_the_recommendation_in_ranked_order(
    origins: list[bool], limit: int, pick: int
) -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    structure = case.structures[0]
    assert isinstance(structure, PhysicalStructure)
    candidates = tuple(
        Candidate(
            PhysicalStructure(f"s{i}", f"S{i}", (SweepRule("A", "B", "zero-balance"),)),
            "case" if written else "generated",
            "",
            True,
            (),
            (),
            None,
        )
        for i, written in enumerate(origins)
    )
    recommended = f"s{pick}" if pick < len(origins) else None
    design = Design(candidates, recommended, (), (), (), None, case.balances.end)  # type: ignore[arg-type]
    shown, total = alternatives(design, limit)
    ids = [c.id for c in shown]
    assert total == len(origins)
    assert ids == [c.id for c in candidates if c.id in set(ids)]  # ranked order
    must = {c.id for c in candidates if c.origin == "case"} | ({recommended} - {None})
    assert must <= set(ids)
    assert len(ids) == max(min(limit, len(origins)), len(must))
    others = [c.id for c in candidates if c.id not in must]
    assert [i for i in ids if i in others] == others[: len([i for i in ids if i in others])]


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_proposal_says_how_many_alternatives_it_shows(language: str) -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    proposal = cashmgmt.propose(case, language=language, on=date(2026, 2, 2))
    html = proposal.html()
    m = len(proposal.cycle.design.candidates)
    note = {
        "en": f"{m} of {m} candidates: the best by benefit per year",
        "zh-CN": f"共 {m} 个候选方案，列出 {m} 个",
    }[language]
    assert note in html
    structure = case.structures[0]  # the RM's own name, in Chinese its local name (issue 14)
    shown_name = structure.local_name if language == "zh-CN" else structure.name
    assert shown_name is not None and shown_name in html
    gettext = make_gettext(language)
    labels = candidate_labels(proposal.cycle.design.candidates, case, gettext, language)
    for label in labels.values():
        assert label.replace("&", "&amp;") in html
