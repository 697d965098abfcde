"""Loading case files: values read exactly, and every fault located in one pass."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from casekit import BASE_BALANCES
from openpyxl import Workbook

import cashmgmt
from cashmgmt import CaseError, load_case
from cashmgmt.model import NotionalPool, PhysicalStructure, Tier

CaseDir = Callable[..., Path]


def problems_of(path: Path) -> list[str]:
    """The problem lines a broken case gives (fails if it loads)."""
    with pytest.raises(CaseError) as info:
        load_case(path)
    return [str(p) for p in info.value.problems]


def test_small_case_loads_with_exact_values(case_dir: CaseDir) -> None:
    case = load_case(case_dir())
    assert case.client.annual_revenue == cashmgmt.Money(Decimal(8600000000), "CNY")
    assert case.client.local_name == "测试集团"
    assert case.entity("NOR").country == "NO"  # YAML 1.2: Norway stays a string
    assert case.entity("NOR").ownership == Decimal("0.6")
    hq = case.account("HQ-CNY")
    assert hq.terms.credit == (Tier(Decimal(0), Decimal("0.0035")),)
    assert hq.terms.overdraft_limit == cashmgmt.Money(Decimal(0), "CNY")
    assert hq.terms.penalty_rate == Decimal("0.08")
    assert hq.masked_number == "••••0123"
    east = case.account("EAST-CNY").terms
    assert east.credit == (
        Tier(Decimal(0), Decimal("0.002")),
        Tier(Decimal(1000000), Decimal("0.008")),
    )
    assert east.tiering == "whole"
    assert east.debit == ()
    assert case.intercompany_rate == Decimal("0.031")


def test_missing_days_carry_the_last_balance_forward(case_dir: CaseDir) -> None:
    history = load_case(case_dir()).balances
    assert history.start == date(2025, 1, 1)
    assert history.end == date(2025, 1, 6)
    # Worked by hand from BASE_BALANCES: Jan 1..6, gaps carry the previous figure.
    expected = {
        "HQ-CNY": [100000, 100000, 120000, 120000, 120000, 90000],
        "EAST-CNY": [-5050, -5050, -5050, -5050, -5050, -7000],
        "NOR-USD": [2000, 2000, 2000, 2000, 2000, 2500],
    }
    for account, row in expected.items():
        assert history.row(account).tolist() == row
    assert history.observed.sum() == 7


def test_wide_form_and_xlsx_read_the_same_history(case_dir: CaseDir, tmp_path: Path) -> None:
    long_form = load_case(case_dir())
    wide = (
        "date,HQ-CNY,EAST-CNY,NOR-USD\n"
        "2025-01-01,1000.00,-50.50,20.00\n"
        "2025-01-03,1200.00,,\n"
        "2025-01-06,900.00,-70.00,25.00\n"
    )
    assert load_case(case_dir(balances=wide)).balances == long_form.balances

    folder = case_dir()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "account", "balance"])
    for line in (folder / "balances.csv").read_text().splitlines()[1:]:
        day, account, amount = line.split(",")
        sheet.append([date.fromisoformat(day), account, float(amount)])
    book.save(folder / "balances.xlsx")
    data = load_case(folder)  # still the CSV
    (folder / "case.yaml").write_text(
        (folder / "case.yaml").read_text().replace("balances.csv", "balances.xlsx")
    )
    assert load_case(folder).balances == data.balances


def test_structures_are_read(case_dir: CaseDir) -> None:
    case = load_case(case_dir())
    zba = case.structure("zba")
    assert isinstance(zba, PhysicalStructure)
    assert zba.sweep_days == "business"
    assert zba.rules[0].kind == "zero-balance" and zba.rules[0].direction == "two-way"
    assert zba.fees.setup == cashmgmt.Money(Decimal(20000), "CNY")
    pool = case.structure("pool")
    assert isinstance(pool, NotionalPool)
    assert pool.accounts == ("HQ-CNY", "NOR-USD") and pool.interest_header == "HQ-CNY"
    assert case.fx.rate("USD", date(2025, 1, 2)) == Decimal("7.20")
    assert case.fx.rate("USD", date(2025, 1, 6)) == Decimal("7.21")


def test_a_folder_or_its_yaml_file_can_be_named(case_dir: CaseDir) -> None:
    folder = case_dir()
    assert load_case(folder) == load_case(folder / "case.yaml")


def mutate(doc: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """Set (or with value=DELETE remove) the item at a dotted path like accounts.0.currency."""
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


DELETE = object()

# Each fault: (dotted path, new value, the place the problem must name, words it must say).
FAULTS = [
    ("case", 2, "case.yaml: case:", "format version 1"),
    ("client.annual_revenue", "lots", "client.annual_revenue", "with its currency"),
    ("client.country", "XX", "client.country", "ISO 3166"),
    ("client.language", "fr", "client.language", "en, zh-CN"),
    ("client.needs", ["telepathy"], "client.needs[0]", "a need"),
    ("client.name", DELETE, "client.name", "missing"),
    ("base_currency", "RMB", "base_currency", "ISO 4217"),
    ("entities.1.parent", "NOBODY", "entities[1].parent", "entity in the case"),
    ("entities.1.ownership", "120%", "entities[1].ownership", "between 0% and 100%"),
    ("entities.2.id", "HQ", "entities[2].id", "unique id"),
    ("accounts.0.entity", "GHOST", "accounts[0].entity", "entity in the case"),
    ("accounts.0.currency", "XYZ", "accounts[0].currency", "ISO 4217"),
    ("accounts.0.number", 12345, "accounts[0].number", "quoted text"),
    ("accounts.0.terms.day_count", "30/360", "accounts[0].terms.day_count", "ACT/360"),
    ("accounts.0.terms.credit_rate", "abc", "accounts[0].terms.credit_rate", "rate"),
    ("accounts.0.terms.overdraft_limit", "5 USD", "accounts[0].terms.overdraft_limit", "CNY"),
    ("accounts.0.terms.colour", "red", "accounts[0].terms.colour", "unknown key"),
    ("accounts.1.terms.credit_rate.1.from", 0, "credit_rate[1].from", "increasing"),
    ("accounts.1.id", "HQ-CNY", "accounts[1].id", "unique id"),
    ("structures.0.rules.0.to", "NOR-USD", "structures[0].rules[0]", "one currency"),
    ("structures.0.rules.0.from", "HQ-CNY", "structures[0].rules[0]", "two different"),
    ("structures.0.rules.0.to", "NOPE", "structures[0].rules[0].to", "account id"),
    ("structures.0.rules.0.rule", "target", "structures[0].rules[0].target", "missing"),
    ("structures.0.rules.0.direction", "sideways", "rules[0].direction", "two-way, up, down"),
    ("structures.0.sweep_days", "hourly", "structures[0].sweep_days", "weekly:FRI"),
    ("structures.0.kind", "magic", "structures[0].kind", "physical or notional"),
    ("structures.1.accounts", ["HQ-CNY"], "structures[1].accounts", "at least two"),
    ("structures.1.accounts.1", "HQ-CNY", "structures[1].accounts[1]", "repeats"),
    ("structures.1.allocation", "percentage", "structures[1].shares", "missing"),
    ("structures.1.header", "EAST-CNY", "structures[1].header", "pool's accounts"),
    ("fx_rates", DELETE, "fx_rates", "USD rates"),
    ("balances", "balances.txt", "balances", ".csv or .xlsx"),
    ("balances", "nowhere.csv", "nowhere.csv", "no such file"),
    ("proposing_bank", "Bank of Atlantis", "proposing_bank", "bank of some account"),
    ("intercompany_rate", "31", "intercompany_rate", "at most 1000%"),
    ("intercompany_rate", "0.0000000001", "intercompany_rate", "at most 6 decimals"),
    ("accounts.0.terms.overdraft_limit", "1,5 CNY", "overdraft_limit", "without separators"),
    ("accounts.0.terms.overdraft_limit", "1e15 CNY", "overdraft_limit", "below"),
    ("accounts.0.terms.overdraft_limit", "0.001 CNY", "overdraft_limit", "minor-unit decimals"),
    ("accounts.1.terms.credit_rate.1.from", "1000000 USD", "credit_rate[1].from", "in CNY"),
    (
        "accounts.2.terms",
        {"penalty_rate": "9%"},
        "accounts[2].terms.penalty_rate",
        "overdraft_limit",
    ),
    ("entities.0.ownership", "50%", "entities[0].ownership", "parent"),
    ("structures.1.shares", {"HQ-CNY": "100%"}, "structures[1].shares", "allocation: percentage"),
    ("structures.0.fees.setup", "100 EUR", "fx.csv", "EUR rates"),
    ("structures.0.rules", DELETE, "structures[0].rules", "list of rules"),
]


@pytest.mark.parametrize(("path", "value", "place", "words"), FAULTS)
def test_each_fault_is_named_with_its_place(
    case_dir: CaseDir, base_case: dict[str, Any], path: str, value: object, place: str, words: str
) -> None:
    lines = problems_of(case_dir(case=mutate(base_case, path, value)))
    hits = [line for line in lines if place in line and words in line]
    assert hits, f"no problem naming {place!r} with {words!r} in {lines}"
    assert all(line.split(":")[0].endswith((".yaml", ".csv")) for line in lines)


def test_all_problems_are_reported_at_once(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    doc = mutate(base_case, "accounts.0.currency", "XYZ")
    doc = mutate(doc, "entities.1.ownership", "-5%")
    doc = mutate(doc, "client.country", "ZZ")
    lines = problems_of(case_dir(case=doc))
    assert len(lines) == 3, lines


def test_ownership_cycle_and_sweep_cycle(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    doc = mutate(base_case, "entities.0.parent", "EAST")
    doc["structures"][0]["rules"].append(
        {"from": "HQ-CNY", "to": "EAST-CNY", "rule": "target", "target": "0 CNY"}
    )
    lines = problems_of(case_dir(case=doc))
    assert any("ownership tree, found a cycle" in line for line in lines), lines
    assert any("sweep forest, found a cycle" in line for line in lines), lines


def test_two_headers_for_one_participant(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    base_case["accounts"].append(
        {"id": "X-CNY", "entity": "HQ", "bank": "CCB", "country": "CN", "currency": "CNY"}
    )
    base_case["structures"][0]["rules"].append(
        {"from": "EAST-CNY", "to": "X-CNY", "rule": "zero-balance"}
    )
    balances = BASE_BALANCES + "2025-01-01,X-CNY,0\n"
    lines = problems_of(case_dir(case=base_case, balances=balances))
    assert any("rules[1].from" in line and "one header" in line for line in lines), lines


@pytest.mark.parametrize(
    ("balances", "place", "words"),
    [
        ("date,account,balance\n2025-01-01,HQ-CNY,1.001\n", "row 2, column balance", "decimals"),
        ("date,account,balance\n01/02/2025,HQ-CNY,1\n", "row 2, column date", "ISO 8601"),
        ("date,account,balance\n2025-01-01,GHOST,1\n", "row 2, column account", "GHOST"),
        ("date,account,balance\n2025-01-01,HQ-CNY\n", "column balance", "an empty cell"),
        ("date,account,balance\n2025-01-01,HQ-CNY,1,2\n", "row 2, column #4", "3 cells"),
        ("when,who,what\n2025-01-01,HQ-CNY,1\n", "row 1", "header"),
        ("date,account,balance\n", "balances.csv", "at least one balance"),
        ("date,account,balance\n2025-01-01,HQ-CNY,1\n2025-01-01,HQ-CNY,2\n", "row 3", "row 2"),
        ("date,HQ-CNY,HQ-CNY\n2025-01-01,1,2\n", "row 1, column HQ-CNY", "repeats"),
    ],
)
def test_table_faults_name_row_and_column(
    case_dir: CaseDir, balances: str, place: str, words: str
) -> None:
    lines = problems_of(case_dir(balances=balances))
    assert any(place in line and words in line for line in lines), lines


def test_coverage_of_every_account(case_dir: CaseDir) -> None:
    late_start = (
        "date,account,balance\n2025-01-01,HQ-CNY,1\n2025-01-01,NOR-USD,1\n2025-01-02,EAST-CNY,1\n"
    )
    lines = problems_of(case_dir(balances=late_start))
    assert any("account EAST-CNY" in line and "first day" in line for line in lines), lines
    rows = ["date,account,balance"] + [
        f"2025-01-{d:02d},{a},1" for d in (1, 20) for a in ("HQ-CNY", "EAST-CNY", "NOR-USD")
    ]
    lines = problems_of(case_dir(balances="\n".join(rows) + "\n"))
    assert sum("none for 18 days after 2025-01-01" in line for line in lines) == 3, lines


def test_fx_faults(case_dir: CaseDir) -> None:
    late = "date,currency,rate\n2025-01-02,USD,7.2\n"
    assert any("USD rates" in line for line in problems_of(case_dir(fx=late)))
    bad = "date,currency,rate\n2025-01-01,USD,-7.2\n2025-01-01,CNY,2\n"
    lines = problems_of(case_dir(fx=bad))
    assert any("row 2, column rate" in line for line in lines), lines
    assert any("row 3, column rate" in line and "base currency" in line for line in lines)


def test_yaml_syntax_and_encoding(case_dir: CaseDir) -> None:
    lines = problems_of(case_dir(case="case: 1\nclient: [unclosed\n"))
    assert len(lines) == 1 and "line " in lines[0] and "valid YAML" in lines[0]
    folder = case_dir()
    (folder / "case.yaml").write_bytes(b"case: 1\nclient: \xff\xfe\n")
    assert "UTF-8" in problems_of(folder)[0]
    lines = problems_of(case_dir(case="case: 1\ncase: 1\n"))
    assert "valid YAML" in lines[0]  # duplicate keys are refused, not silently merged


def test_tier_start_may_name_its_currency(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    doc = mutate(base_case, "accounts.1.terms.credit_rate.1.from", "1000000 CNY")
    tiers = load_case(case_dir(case=doc)).account("EAST-CNY").terms.credit
    assert tiers[1].start == Decimal(1000000)


def test_percentage_shares_must_name_every_member(
    case_dir: CaseDir, base_case: dict[str, Any]
) -> None:
    doc = mutate(base_case, "structures.1.allocation", "percentage")
    doc = mutate(doc, "structures.1.shares", {"HQ-CNY": "100%"})
    lines = problems_of(case_dir(case=doc))
    assert any("missing: NOR-USD" in line for line in lines), lines


def test_commas_in_balances_are_refused(case_dir: CaseDir) -> None:
    lines = problems_of(case_dir(balances=BASE_BALANCES.replace("1200.00", '"1,200.00"')))
    assert any("row 5, column balance" in line and "separators" in line for line in lines)


def test_huge_balances_are_refused(case_dir: CaseDir) -> None:
    lines = problems_of(case_dir(balances=BASE_BALANCES.replace("1200.00", "1e30")))
    assert any("row 5, column balance" in line and "below" in line for line in lines), lines


def test_missing_case(tmp_path: Path) -> None:
    assert "no such file or folder" in problems_of(tmp_path / "nope")[0]
    assert "holding case.yaml" in problems_of(tmp_path)[0]


def test_save_never_overwrites(case_dir: CaseDir, tmp_path: Path) -> None:
    folder = case_dir()
    case = load_case(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(cashmgmt.OutputError, match="apart from the case's own"):
        cashmgmt.save_case(case, folder)  # the case's own folder
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(FileExistsError):
        cashmgmt.save_case(case, other)  # any folder that is not empty
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    saved = cashmgmt.save_case(case, tmp_path / "copy")
    assert load_case(saved) == case
    assert np.array_equal(load_case(saved).balances.observed, case.balances.observed)


CNY_POOL_TERMS = {"day_count": "ACT/360", "credit_rate": "0.8%", "debit_rate": "4.35%"}


def test_per_currency_pool_loads_and_saves(
    case_dir: CaseDir, base_case: dict[str, Any], tmp_path: Path
) -> None:
    doc = mutate(base_case, "structures.1.currency_terms", {"CNY": CNY_POOL_TERMS})
    doc = mutate(doc, "structures.1.offset_rate", "2.5%")
    doc = mutate(doc, "structures.1.haircut", "8%")
    case = load_case(case_dir(case=doc))
    pool = case.structure("pool")
    assert isinstance(pool, NotionalPool) and pool.currency_terms is not None
    assert pool.currency_terms["CNY"].debit == (Tier(Decimal(0), Decimal("0.0435")),)
    assert (pool.offset_rate, pool.haircut) == (Decimal("0.025"), Decimal("0.08"))
    assert pool.terms_of("USD") == pool.terms and pool.terms_of("CNY").day_count == "ACT/360"
    saved = cashmgmt.save_case(case, tmp_path / "copy")
    assert load_case(saved) == case
    # Without currency_terms the pool is in the base-currency mode, as before.
    plain = load_case(case_dir()).structure("pool")
    assert isinstance(plain, NotionalPool)
    assert (plain.currency_terms, plain.offset_rate, plain.haircut) == (None, None, None)


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        ({"currency_terms": {"XYZ": CNY_POOL_TERMS}}, "currency_terms.XYZ", "ISO 4217"),
        (
            {"currency_terms": {"CNY": CNY_POOL_TERMS, "EUR": CNY_POOL_TERMS}},
            "currency_terms.EUR",
            "none is in EUR",
        ),
        (
            {"currency_terms": {"CNY": CNY_POOL_TERMS, "USD": CNY_POOL_TERMS}},
            "currency_terms.USD",
            "pool currency",
        ),
        ({"currency_terms": {"EUR": CNY_POOL_TERMS}}, "currency_terms", "missing terms for CNY"),
        ({"currency_terms": []}, "currency_terms", "a mapping of currency to terms"),
        (
            {"currency_terms": {"CNY": {"debit_rate": "lots"}}},
            "currency_terms.CNY.debit_rate",
            "rate",
        ),
        (
            {"currency_terms": {"CNY": CNY_POOL_TERMS}, "offset_rate": "2%", "haircut": "100%"},
            "haircut",
            "below 100%",
        ),
        ({"currency_terms": {"CNY": CNY_POOL_TERMS}, "haircut": "8%"}, "haircut", "offset_rate"),
        ({"offset_rate": "2%"}, "offset_rate", "without currency_terms"),
        ({"haircut": "8%"}, "haircut", "without currency_terms"),
    ],
)
def test_per_currency_pool_problems_are_located(
    case_dir: CaseDir,
    base_case: dict[str, Any],
    changes: dict[str, object],
    where: str,
    words: str,
) -> None:
    doc = base_case
    for key, value in changes.items():
        doc = mutate(doc, f"structures.1.{key}", value)
    lines = problems_of(case_dir(case=doc))
    assert any(f"structures[1].{where}" in line and words in line for line in lines), lines
