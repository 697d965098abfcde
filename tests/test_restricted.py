"""Restricted accounts (`restricted: true`) and committed facilities (`facility:`): read with
located problems, saved back, never swept or pooled (case file, engine, design), and kept
apart by the assessment (docs/case-format.md, "Restricted accounts and facilities")."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from casekit import BASE_CASE, MONTH_BALANCES, one_group, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_reference import random_case
from test_properties import valid_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.design.candidates import CandidateStructure, generate
from cashmgmt.model import Case, Facility

CaseDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DOCS = Path(__file__).resolve().parent.parent / "docs"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]
EXIT_BAD_INPUT = 2


def doc_with(marks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The small base case with keys added to some accounts (by id)."""
    doc = copy.deepcopy(BASE_CASE)
    for account in doc["accounts"]:
        account.update(marks.get(account["id"], {}))
    return doc


def problems(folder: Path) -> list[str]:
    with pytest.raises(cashmgmt.CaseError) as refused:
        cashmgmt.load_case(folder)
    return [f"{p.where}: {p.message}" for p in refused.value.problems]


# ------------------------------------------------------------------------- reading them


def test_the_keys_are_read(case_dir: CaseDir) -> None:
    doc = doc_with({"NOR-USD": {"restricted": True}})
    doc["structures"] = []  # nothing may sweep or pool it
    doc["accounts"][1]["facility"] = "revolving"
    case = cashmgmt.load_case(case_dir(case=doc))
    nor, east, hq = case.account("NOR-USD"), case.account("EAST-CNY"), case.account("HQ-CNY")
    assert (nor.restricted, nor.facility, nor.poolable) == (True, None, False)
    assert (east.restricted, east.facility, east.poolable) == (False, "revolving", False)
    assert (hq.restricted, hq.facility, hq.poolable) == (False, None, True)
    doc["accounts"][0]["restricted"] = False  # written out, the default
    assert cashmgmt.load_case(case_dir(case=doc)).account("HQ-CNY").poolable


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("restricted", "yes", "accounts[2].restricted: expected true or false, got 'yes'"),
        ("restricted", 1, "accounts[2].restricted: expected true or false, got 1"),
        (
            "facility",
            "overdraft",
            "accounts[2].facility: expected one of revolving, term, got 'overdraft'",
        ),
        ("facility", True, "accounts[2].facility: expected one of revolving, term, got true"),
    ],
)
def test_a_wrong_value_is_a_located_problem(
    case_dir: CaseDir, key: str, value: object, message: str
) -> None:
    doc = doc_with({"NOR-USD": {key: value}})
    doc["structures"] = []
    assert problems(case_dir(case=doc)) == [message]


def test_an_account_is_not_both(case_dir: CaseDir) -> None:
    doc = doc_with({"NOR-USD": {"restricted": True, "facility": "term"}})
    doc["structures"] = []
    [found] = problems(case_dir(case=doc))
    assert found.startswith("accounts[2].facility: expected either restricted: true or a facility")


def test_the_documented_mistake_is_what_check_prints(case_dir: CaseDir) -> None:
    """docs/case-format.md shows `restricted: yes` with the message check really prints."""
    doc = doc_with({"NOR-USD": {"restricted": "yes"}})
    doc["structures"] = []
    [found] = problems(case_dir(case=doc))
    assert f"`{found}`" in (DOCS / "case-format.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------- saving them


def test_save_writes_them_back(case_dir: CaseDir, tmp_path: Path) -> None:
    doc = doc_with({"NOR-USD": {"restricted": True}, "EAST-CNY": {"facility": "term"}})
    doc["structures"] = []
    case = cashmgmt.load_case(case_dir(case=doc))
    saved = cashmgmt.save_case(case, tmp_path / "copy")
    text = saved.read_text(encoding="utf-8")
    assert "restricted: true" in text and "facility: term" in text
    assert text.count("restricted") == 1  # the default is left out
    again = cashmgmt.load_case(saved)
    assert again == case
    assert again.account("NOR-USD").restricted and again.account("EAST-CNY").facility == "term"


FLAGS: st.SearchStrategy[tuple[bool, Facility | None]] = st.sampled_from(
    [(False, None), (True, None), (False, "revolving"), (False, "term")]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_case(), st.data())
def test_any_marked_case_saves_and_loads_back_equal(case: Case, data: st.DataObject) -> None:
    marks = [data.draw(FLAGS) for _ in case.accounts]
    accounts = tuple(
        attrs.evolve(a, restricted=r, facility=f)
        for a, (r, f) in zip(case.accounts, marks, strict=True)
    )
    fenced = {a.id for a in accounts if not a.poolable}
    kept = tuple(s for s in case.structures if not set(s.accounts) & fenced)
    marked = attrs.evolve(case, accounts=accounts, structures=kept)
    with tempfile.TemporaryDirectory() as tmp:
        assert cashmgmt.load_case(cashmgmt.save_case(marked, Path(tmp) / "saved")) == marked


# ---------------------------------------------------- never swept or pooled: the case file


def test_a_restricted_account_in_a_sweep_exits_2_located(case_dir: CaseDir) -> None:
    """Either end of a physical rule; the CLI exits 2 and names the place."""
    doc = doc_with({"EAST-CNY": {"restricted": True}, "HQ-CNY": {"facility": "revolving"}})
    folder = case_dir(case=doc)
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert (
        "structures[0].rules[0].from: expected an account that may be pooled; EAST-CNY is "
        "restricted (money set aside: escrow, IPO proceeds, collateral), which is never swept "
        "or pooled" in result.output
    )
    assert (
        "structures[0].rules[0].to: expected an account that may be pooled; HQ-CNY is the "
        "account of a revolving facility, whose drawings are borrowing under the facility, "
        "never swept or pooled" in result.output
    )
    assert "structures[1].accounts[0]: expected an account that may be pooled; HQ-CNY" in (
        result.output
    )
    as_json = CliRunner().invoke(cli, ["check", str(folder), "--json"])
    assert as_json.exit_code == EXIT_BAD_INPUT
    wheres = [p["where"] for p in json.loads(as_json.output)["problems"]]
    assert wheres == [
        "structures[0].rules[0].from",
        "structures[0].rules[0].to",
        "structures[1].accounts[0]",
    ]


def test_a_facility_in_a_pool_is_located_at_its_member(case_dir: CaseDir) -> None:
    doc = doc_with({"NOR-USD": {"facility": "term"}})
    assert problems(case_dir(case=doc)) == [
        "structures[1].accounts[1]: expected an account that may be pooled; NOR-USD is the "
        "account of a term facility, whose drawings are borrowing under the facility, never "
        "swept or pooled"
    ]


def test_a_marked_account_outside_every_structure_is_fine(case_dir: CaseDir) -> None:
    doc = doc_with({"EAST-CNY": {"restricted": True}})
    doc["structures"] = [doc["structures"][1]]  # the pool: HQ-CNY and NOR-USD only
    assert cashmgmt.load_case(case_dir(case=doc)).account("EAST-CNY").restricted


# ------------------------------------------------------- never swept or pooled: the engine


def test_the_engine_refuses_a_structure_built_in_code(case_dir: CaseDir) -> None:
    case = cashmgmt.load_case(case_dir())
    accounts = tuple(
        attrs.evolve(a, restricted=True) if a.id == "EAST-CNY" else a for a in case.accounts
    )
    fenced = attrs.evolve(case, accounts=accounts)
    with pytest.raises(cashmgmt.SimulationError) as refused:
        cashmgmt.simulate(fenced, "zba")
    [problem] = refused.value.problems
    assert problem.where == "structures"
    assert "structure 'zba'; EAST-CNY is restricted" in problem.message
    cashmgmt.simulate(fenced, "pool")  # the pool does not touch it


# ----------------------------------------------------------- never swept or pooled: design


def touched(structure: CandidateStructure) -> set[str]:
    return set(structure.accounts)


@pytest.mark.parametrize("name", NAMES)
def test_design_never_generates_a_candidate_with_them(name: str) -> None:
    case = cashmgmt.load_case(EXAMPLES / name)
    fenced = {a.id for a in case.accounts if not a.poolable}
    assessment = cashmgmt.assess(case)
    for structure, _ in generate(case, assessment):
        assert not touched(structure) & fenced, structure.id
    for candidate in cashmgmt.design(case, assessment).candidates:
        assert not touched(candidate.structure) & fenced, candidate.id


def test_the_examples_mark_their_restricted_accounts_and_facilities() -> None:
    """The IPO proceeds account (Huaxia) and the two revolvers (Aurora, Bluestem)."""
    marked = {
        name: {
            a.id: "restricted" if a.restricted else a.facility
            for a in cashmgmt.load_case(EXAMPLES / name).accounts
            if not a.poolable
        }
        for name in NAMES
    }
    assert marked == {
        "huaxia-liquor": {"HQ-CNY-ICBC": "restricted"},
        "aurora-industrial": {"TREAS-EUR-DB-OD": "revolving"},
        "bluestem-outdoor": {"HQ-USD-FIFTH": "revolving"},
        "larkspur-bakery": {},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case(), st.data())
def test_design_never_pools_them_on_random_groups(
    sample: tuple[dict[str, Any], str, str, str], data: st.DataObject
) -> None:
    """Random groups with random accounts marked: no generated candidate touches one."""
    doc, balances, fx, _ = sample
    doc["proposing_bank"] = "Bank"
    doc["structures"] = []
    for account in doc["accounts"]:
        flag = data.draw(st.sampled_from(["none", "none", "restricted", "revolving", "term"]))
        if flag == "restricted":
            account["restricted"] = True
        elif flag != "none":
            account["facility"] = flag
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    fenced = {a.id for a in case.accounts if not a.poolable}
    for structure, _ in generate(case, cashmgmt.assess(case)):
        assert not touched(structure) & fenced, structure.id


# ------------------------------------------------------------------------ the assessment


def test_assess_keeps_them_apart_by_hand(case_dir: CaseDir) -> None:
    """A and B as in test_assess.test_diagnostics_by_hand, plus a restricted account R and a
    drawn revolver F: every overdraft, idle and netting figure is A and B's alone."""
    doc, balances = one_group(
        [
            {"id": "A", "currency": "CNY", "bank": "X", "terms": {"debit_rate": "36%"}},
            {"id": "B", "currency": "CNY", "bank": "Y", "terms": {"debit_rate": "36%"}},
            {"id": "R", "currency": "CNY", "bank": "Z", "restricted": True},
            {
                "id": "F",
                "currency": "CNY",
                "bank": "Z",
                "facility": "revolving",
                "terms": {"debit_rate": "36%"},
            },
        ],
        {
            "A": ["100", "100", "-50", "0"],
            "B": ["-30", "20", "60", "-10"],
            "R": ["500", "500", "500", "500"],
            "F": ["-200", "-200", "-100", "0"],
        },
        date(2025, 3, 3),
    )
    d = cashmgmt.assess(
        cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None))
    ).diagnostics
    # all credit still counts: 600, 620, 560, 500 -> 2280 / 4
    assert d.average_credit == Decimal("570.00") and d.peak_credit == Decimal("620.00")
    # idle: R (2000) is left out, so A (200) is the largest; B's 80 / 4
    assert d.average_idle_credit == Decimal("20.00")
    assert [f.account for f in d.idle_accounts] == ["A", "B"]
    # overdrafts: A and B only (30, 0, 50, 10); F's drawings are not an overdraft
    assert d.average_debit == Decimal("22.50") and d.peak_debit == Decimal("50.00")
    assert d.overdraft_account_days == 3 and d.overdraft_days == 3
    assert d.debit_interest_per_year == Decimal("8.21")  # 0.09 x 365 / 4 = 8.2125
    assert [f.account for f in d.overdraft_accounts] == ["A", "B"]
    # netting among A and B: min(100, 30) + min(60, 50) = 80; 0.09 x 80 / 90 = 0.08 a period
    assert d.average_offsettable == Decimal("20.00") and d.offset_days == 2
    # A and B at different banks: only a sweep across banks offsets them (issue 13)
    assert d.netting_gap_per_year == Decimal(0)
    assert d.netting_gap_multi_bank_per_year == Decimal("7.30")  # 0.08 x 365 / 4
    # R: 500 a day on 4 days
    assert d.restricted_cash.average_credit == Decimal("500.00")
    assert [(f.account, f.amount, f.days) for f in d.restricted_cash.accounts] == [
        ("R", Decimal("500.00"), 4)
    ]
    # F: drawn 200, 200, 100, 0 -> 500 / 4; at 0.1% a day 0.20 + 0.20 + 0.10 = 0.50 in the
    # period, 0.50 x 365 / 4 = 45.625 -> 45.63 a year
    f = d.facilities
    assert (f.average_drawn, f.peak_drawn, f.drawn_days) == (Decimal("125.00"), Decimal(200), 3)
    assert f.interest_per_year == Decimal("45.63")
    [line] = f.accounts
    assert (line.account, line.bank, line.facility, line.days) == ("F", "Z", "revolving", 3)
    assert (line.average_drawn, line.interest_per_year) == (Decimal("125.00"), Decimal("45.63"))
    out = d.to_dict()
    assert out["restricted_cash"] == {
        "average_credit": "500.00",
        "accounts": [{"account": "R", "entity": "E", "bank": "Z", "amount": "500.00", "days": 4}],
    }
    assert out["facilities"]["accounts"][0]["average_drawn"] == "125.00"
    assert out["facilities"]["interest_per_year"] == "45.63"


def test_restricted_cash_is_never_trapped(case_dir: CaseDir) -> None:
    from cashmgmt.reference.rules import trapping_countries

    country = sorted(trapping_countries())[0]
    accounts: list[dict[str, Any]] = [
        {"id": "T", "currency": "CNY", "country": country},
        {"id": "R", "currency": "CNY", "country": country, "restricted": True},
        {"id": "G", "currency": "CNY", "country": "GB"},
    ]
    series = {"T": ["300", "100"], "R": ["1000", "1000"], "G": ["50", "50"]}
    doc, balances = one_group(accounts, series, date(2025, 3, 3))
    d = cashmgmt.assess(cashmgmt.load_case(case_dir(case=doc, balances=balances, fx=None)))
    assert d.diagnostics.average_trapped_credit == Decimal("200.00")  # T's (300 + 100) / 2
    assert [f.account for f in d.diagnostics.trapped_accounts] == ["T"]


def test_a_case_without_them_reports_zero(case_dir: CaseDir) -> None:
    d = cashmgmt.assess(cashmgmt.load_case(case_dir(balances=MONTH_BALANCES))).diagnostics
    assert d.restricted_cash.average_credit == 0 and d.restricted_cash.accounts == ()
    assert d.facilities.average_drawn == 0 and d.facilities.drawn_days == 0
    assert d.facilities.accounts == ()
