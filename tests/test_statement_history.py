"""Statements as a case's history: `balances:` naming a folder of statements loads to the
same BalanceHistory as the balance table the statements were written from, saves back as
the folder, and every fault is a located problem as the table loader's are."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from casekit import BASE_CASE, write_case
from statementkit import FakeReader, entry, stmt, write_statements

from cashmgmt.errors import CaseError, Problem
from cashmgmt.inputs.casefile import load_case, save_case
from cashmgmt.inputs.statements.records import Statement
from cashmgmt.model import Case

NUMBERS = {
    "HQ-CNY": "31050161393600000123",
    "EAST-CNY": "6222 0210 0100 1234",
    "NOR-USD": "NO93 8601 1117 947",  # an IBAN, written in groups
}


@pytest.fixture(autouse=True)
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cashmgmt.inputs.statements.READERS", (FakeReader(),))


def numbered() -> dict[str, Any]:
    data = copy.deepcopy(BASE_CASE)
    for account in data["accounts"]:
        account["number"] = NUMBERS[account["id"]]
    return data


def table_case(folder: Path) -> Case:
    return load_case(write_case(folder, numbered()))


def statements_of(case: Case) -> dict[str, list[Statement]]:
    """Each observed day of each account as a one-day statement: the opening is the balance
    before it (carried), one entry moves it to the day's figure. Days without a figure are
    left uncovered, as the table left them."""
    history = case.balances
    out: dict[str, list[Statement]] = {}
    for i, account_id in enumerate(history.accounts):
        account = case.account(account_id)
        for d, day in enumerate(history.dates()):
            if not history.observed[i, d]:
                continue
            closing = int(history.minor[i, d])
            opening = int(history.minor[i, d - 1]) if d else closing
            moves = [entry(closing - opening, day)] if closing != opening else []
            out.setdefault(day.isoformat(), []).append(
                stmt(
                    day,
                    day,
                    opening,
                    moves,
                    account=account.number or "",
                    currency=account.currency,
                )
            )
    return out


def statement_case(folder: Path, drop: str = "", shift: dict[str, int] | None = None) -> Path:
    """A case whose `balances:` names a folder of statements written from its own table
    (`drop`: an account left out; `shift`: days to move an account's statements by)."""
    source = table_case(folder.parent / f"{folder.name}-table")
    data = numbered()
    data["balances"] = "statements"
    write_case(folder, data)
    (folder / "balances.csv").unlink()
    for day, statements in statements_of(source).items():
        kept = [
            _moved(s, (shift or {}).get(s.account, 0))
            for s in statements
            if s.account != NUMBERS.get(drop)
        ]
        write_statements(folder / "statements" / f"{day}.stmt", kept)
    return folder


def _moved(s: Statement, days: int) -> Statement:
    if not days:
        return s
    step = timedelta(days=days)
    entries = tuple(
        attrs.evolve(e, booked=e.booked + step, value=e.value + step) for e in s.entries
    )
    return attrs.evolve(s, start=s.start + step, end=s.end + step, entries=entries)


def test_statements_from_the_table_load_to_the_tables_history(tmp_path: Path) -> None:
    table = table_case(tmp_path / "table")
    case = load_case(statement_case(tmp_path / "case"))
    assert case.balances == table.balances
    assert case.balances.observed.sum() == 7  # the seven figures of the table
    assert case == table
    assert case.balances_from == "statements"
    assert str(tmp_path / "case" / "statements" / "2025-01-03.stmt") in case.inputs


def test_the_folder_is_saved_back_as_it_was_given(tmp_path: Path) -> None:
    case = load_case(statement_case(tmp_path / "case"))
    written = save_case(case, tmp_path / "saved")
    assert "balances: statements\n" in written.read_text(encoding="utf-8")
    assert not (tmp_path / "saved" / "balances.csv").exists()
    assert sorted(p.name for p in (tmp_path / "saved" / "statements").iterdir()) == [
        "2025-01-01.stmt",
        "2025-01-03.stmt",
        "2025-01-06.stmt",
    ]
    again = load_case(tmp_path / "saved")
    assert again == case and again.balances_from == "statements"


def test_a_history_changed_since_it_was_read_is_saved_as_a_table(tmp_path: Path) -> None:
    case = load_case(statement_case(tmp_path / "case"))
    minor = case.balances.minor.copy()
    minor[0, -1] += 1
    changed = attrs.evolve(case, balances=attrs.evolve(case.balances, minor=minor))
    written = save_case(changed, tmp_path / "saved")
    assert "balances: balances.csv\n" in written.read_text(encoding="utf-8")
    assert load_case(tmp_path / "saved").balances == changed.balances


def test_an_account_without_statements_is_a_located_problem(tmp_path: Path) -> None:
    folder = statement_case(tmp_path / "case", drop="NOR-USD")
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert caught.value.problems == (
        Problem(
            str(folder / "statements"),
            "account NOR-USD",
            "expected statements for this account (number NO93 8601 1117 947); the folder has none",
        ),
    )


def test_an_account_starting_late_and_one_stopping_early(tmp_path: Path) -> None:
    # EAST-CNY's statements moved on by 2 days start on the 3rd and end on the 8th; the
    # others end on the 6th, so the statements run from the 1st to the 8th
    folder = statement_case(tmp_path / "case", shift={NUMBERS["EAST-CNY"]: 2})
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        (
            "account EAST-CNY",
            "expected a statement covering the first day of the statements, 2025-01-01; "
            "the first starts on 2025-01-03",
        ),
    ]
    folder = statement_case(tmp_path / "late", shift={NUMBERS["EAST-CNY"]: 14})
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert (
        "account HQ-CNY",
        "expected statements at least every 14 days up to 2025-01-20; "
        "none for 14 days after 2025-01-06",
    ) in [(p.where, p.message) for p in caught.value.problems]


def test_statements_that_do_not_add_up_stop_the_case_at_their_file(tmp_path: Path) -> None:
    folder = statement_case(tmp_path / "case")
    path = folder / "statements" / "2025-01-03.stmt"
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["closing"] += 1
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    where = [(p.file, p.where) for p in caught.value.problems]
    assert (str(path), "statement 1") in where
    assert any("add up" in p.message for p in caught.value.problems)


def test_an_unknown_account_in_the_folder(tmp_path: Path) -> None:
    folder = statement_case(tmp_path / "case")
    extra = stmt(date(2025, 1, 1), date(2025, 1, 6), 100, account="999")
    write_statements(folder / "statements" / "other.stmt", [extra])
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert [p.message for p in caught.value.problems] == [
        "expected an account of the case; no account has the number '999' "
        "(accounts are matched by IBAN or number)"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nowhere", "there is no folder 'nowhere'"),
        ("../elsewhere", "inside it (no /… or ..)"),
    ],
)
def test_a_balances_name_that_is_no_table_and_no_folder(
    tmp_path: Path, name: str, expected: str
) -> None:
    data = numbered()
    data["balances"] = name
    folder = write_case(tmp_path / "case", data)
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    (problem,) = caught.value.problems
    assert problem.where == "balances" and expected in problem.message


def test_a_folder_without_numbers_in_the_case(tmp_path: Path) -> None:
    folder = statement_case(tmp_path / "case")
    data = numbered()
    data["balances"] = "statements"
    del data["accounts"][1]["number"]
    write_case(folder, data)
    (folder / "balances.csv").unlink()
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    messages = {(p.where, p.message) for p in caught.value.problems}
    assert (
        "account EAST-CNY",
        "expected statements for this account; it has no number in the case to match them "
        "by (give its IBAN or account number as `number:`)",
    ) in messages
    unknown = (
        "expected an account of the case; no account has the number '6222 0210 0100 1234' "
        "(accounts are matched by IBAN or number)"
    )
    assert unknown in {message for _, message in messages}
