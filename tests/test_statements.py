"""Statement readers: the reader that identifies a file extracts it, and every problem,
an unidentified file included, comes back located instead of raised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cashmgmt.errors import Problem, StatementError
from cashmgmt.inputs.statements import (
    StatementBalance,
    StatementReader,
    Statements,
    read_statements,
)


class CsvBalances:
    """A fake format: `.bal` files with lines `account,day,currency,minor`."""

    name = "fake-balances"

    def identify(self, path: Path) -> bool:
        return path.suffix == ".bal"

    def extract(self, path: Path) -> Statements:
        balances, problems = [], []
        for number, line in enumerate(path.read_text().splitlines(), 1):
            try:
                account, day, currency, minor = line.split(",")
                found = StatementBalance(account, date.fromisoformat(day), currency, int(minor))
            except ValueError:
                expected = "expected account,day,currency,minor"
                problems.append(Problem(str(path), f"line {number}", expected))
            else:
                balances.append(found)
        return Statements(tuple(balances), tuple(problems))


class Unreadable:
    """A fake format whose files can never be read: `.bad`."""

    name = "fake-unreadable"

    def identify(self, path: Path) -> bool:
        return path.suffix == ".bad"

    def extract(self, path: Path) -> Statements:
        raise StatementError([Problem(str(path), "header", "expected a statement header")])


FAKES: tuple[StatementReader, ...] = (Unreadable(), CsvBalances())


def test_the_reader_that_identifies_a_file_extracts_it(tmp_path: Path) -> None:
    path = tmp_path / "march.bal"
    path.write_text("HQ-USD,2025-03-31,USD,123456\nnot a balance\nHK-HKD,2025-03-31,HKD,-5\n")
    got = read_statements([path], FAKES)
    assert got.balances == (
        StatementBalance("HQ-USD", date(2025, 3, 31), "USD", 123456),
        StatementBalance("HK-HKD", date(2025, 3, 31), "HKD", -5),
    )
    assert got.problems == (Problem(str(path), "line 2", "expected account,day,currency,minor"),)


def test_unidentified_unreadable_and_absent_files_are_located_problems(tmp_path: Path) -> None:
    good, other, bad = tmp_path / "a.bal", tmp_path / "notes.txt", tmp_path / "x.bad"
    good.write_text("HQ-USD,2025-03-31,USD,1\n")
    other.write_text("hello")
    bad.write_text("garbage")
    got = read_statements([str(other), bad, tmp_path / "gone.bal", good], FAKES)
    assert [b.account for b in got.balances] == ["HQ-USD"]
    assert [(p.file, p.where) for p in got.problems] == [
        (str(other), ""),
        (str(bad), "header"),
        (str(tmp_path / "gone.bal"), ""),
    ]
    assert got.problems[0].message == (
        "expected a bank statement in a known format (fake-unreadable, fake-balances)"
    )


def test_without_readers_every_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "march.bal"
    path.write_text("HQ-USD,2025-03-31,USD,1\n")
    got = read_statements([path], ())
    assert got == Statements(
        (), (Problem(str(path), "", "expected a bank statement in a known format (none yet)"),)
    )
