"""`cashmgmt statements PATH... [--case CASE] [--json]`: what was read per account, with the
problems located and exit 2, as `check` does; the JSON is `cashmgmt.statements(...)`'s."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from casekit import BASE_CASE, write_case
from click.testing import CliRunner
from statementkit import IBAN, FakeReader, day, entry, stmt, write_statements

import cashmgmt
from cashmgmt.cli import cli


@pytest.fixture(autouse=True)
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cashmgmt.inputs.statements.READERS", (FakeReader(),))


def folder_of_statements(tmp_path: Path) -> Path:
    folder = tmp_path / "statements"
    # 1,000.00 EUR + 250.00 on the 6th; the 7th opens at 1,250.00 and pays 75.50
    write_statements(folder / "06.stmt", [stmt(day(6), day(6), 100000, [entry(25000, day(6))])])
    write_statements(folder / "07.stmt", [stmt(day(7), day(7), 125000, [entry(-7550, day(7))])])
    return folder


def test_json_lists_each_account_and_day(tmp_path: Path) -> None:
    folder = folder_of_statements(tmp_path)
    result = CliRunner().invoke(cli, ["statements", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {
        "accounts": [
            {
                "account": IBAN,
                "currency": "EUR",
                "case_account": None,
                "days": [
                    {"date": "2025-01-06", "closing": "1250.00"},
                    {"date": "2025-01-07", "closing": "1174.50"},
                ],
                "entries": 2,
                "statements": 2,
            }
        ],
        "problems": [],
    }
    assert data == cashmgmt.statements(folder).to_dict()


def test_problems_are_located_and_exit_2(tmp_path: Path) -> None:
    folder = folder_of_statements(tmp_path)
    broken = folder / "08.stmt"
    write_statements(broken, [stmt(day(8), day(8), 117000)])  # 1,174.50 before it
    (folder / "notes.txt").write_text("not a statement", encoding="utf-8")
    result = CliRunner().invoke(cli, ["statements", str(folder), "--json"])
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert problems == [
        {
            "file": str(folder / "notes.txt"),
            "where": "",
            "message": "expected a bank statement in a known format (fake-json)",
        },
        {
            "file": str(broken),
            "where": "statement 1",
            "message": "expected the opening balance to be 1174.50 EUR, the closing balance "
            f"of 2025-01-07 in {folder / '07.stmt'}: statement 1; it is 1170.00 EUR, "
            "a difference of -4.50 EUR",
        },
    ]
    text = CliRunner().invoke(cli, ["statements", str(broken), str(folder / "06.stmt")])
    assert text.exit_code == 2
    assert text.stdout.startswith(f"{IBAN:<34} EUR  2025-01-06 to 2025-01-08")
    assert "closing 1,170.00 EUR" in text.stdout
    assert "cashmgmt: 2 paths: 1 problem" in text.stderr


def test_a_case_names_the_matched_accounts(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE_CASE)
    data["accounts"][2]["number"] = IBAN  # NOR-USD
    case = write_case(tmp_path / "case", data)
    folder = tmp_path / "usd"
    write_statements(folder / "a.stmt", [stmt(day(6), day(6), 5, currency="USD")])
    result = CliRunner().invoke(cli, ["statements", str(folder), "--case", str(case), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accounts"][0]["case_account"] == "NOR-USD"
    text = CliRunner().invoke(cli, ["statements", str(folder), "--case", str(case)])
    assert text.stdout.rstrip().endswith("closing 0.05 USD  case account NOR-USD")


def test_a_path_that_is_not_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["statements", str(tmp_path / "gone.stmt"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["message"] == (
        "no such file; expected a bank statement"
    )
