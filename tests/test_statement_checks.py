"""The statement checks, a bank's reconciliation: each check on statements built by hand with
figures worked by hand, then hypothesis: random valid chains split, overlapped and merged
give the balances of a plain loop (the oracle), and each mutation a located problem."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statementkit import IBAN, FakeReader, day, entry, of, stmt, write_statements

from cashmgmt.errors import Omitted, Problem
from cashmgmt.inputs import limits
from cashmgmt.inputs.statements import checks
from cashmgmt.inputs.statements.checks import check, check_accounts, normalise, read
from cashmgmt.inputs.statements.records import Entry, Statement
from cashmgmt.model import Account


def messages(statements: list[Statement] | tuple[Statement, ...]) -> list[str]:
    return [p.message for p in check(of(*statements)).problems]


# ------------------------------------------------------------------- one statement


def test_a_statement_that_adds_up_gives_its_days() -> None:
    # 1,000.00 + 250.00 on the 6th, - 75.50 on the 7th: 1,250.00 then 1,174.50
    s = stmt(day(6), day(8), 100000, [entry(25000, day(6)), entry(-7550, day(7))])
    got = check(of(s))
    assert got.problems == ()
    (account,) = got.accounts
    assert (account.account, account.currency, account.case_account) == (IBAN, "EUR", None)
    assert [(d.day, d.minor) for d in account.days] == [
        (day(6), 125000),
        (day(7), 117450),
        (day(8), 117450),
    ]
    assert account.to_dict()["days"] == [
        {"date": "2025-01-06", "closing": "1250.00"},
        {"date": "2025-01-07", "closing": "1174.50"},
        {"date": "2025-01-08", "closing": "1174.50"},
    ]


def test_entries_that_do_not_add_up_state_both_figures_and_the_difference() -> None:
    s = stmt(day(6), day(7), 100000, [entry(25000, day(6)), entry(-7550, day(7))], 120000)
    (problem,) = check(of(s)).problems
    assert (problem.file, problem.where) == ("a.stmt", "statement 1")
    assert problem.message == (
        "expected the entries to add up from the opening balance 1000.00 EUR to the closing "
        "balance 1200.00 EUR; they give 1174.50 EUR, a difference of 25.50 EUR"
    )


def test_an_intermediate_closing_that_differs_from_the_entries() -> None:
    # the 6th closes at 1,250.00 by the entries; the statement says 1,205.00
    s = stmt(
        day(6),
        day(7),
        100000,
        [entry(25000, day(6)), entry(-7550, day(7))],
        closings=[(day(6), 120500), (day(7), 117450)],
    )
    assert messages([s]) == [
        "expected the closing balance of 2025-01-06 to be 1250.00 EUR, what the opening "
        "balance and the entries give; it states 1205.00 EUR, a difference of -45.00 EUR"
    ]


def test_a_day_stated_twice_and_a_day_outside_the_statement() -> None:
    s = stmt(day(6), day(7), 500, closings=[(day(6), 500), (day(6), 500), (day(9), 500)])
    assert messages([s]) == [
        "expected one closing balance per day; 2025-01-06 is stated twice",
        "expected closing balances from 2025-01-06 to 2025-01-07, the statement's days; "
        "one is stated for 2025-01-09",
    ]


def test_entries_booked_outside_the_days_and_far_value_dates_are_located() -> None:
    late = Entry(100, day(9), day(9), where="entry 'E2'")
    far = entry(-100, day(6), day(6) + timedelta(days=limits.MAX_VALUE_DATE_DAYS + 1))
    near = entry(0, day(6), day(6) - timedelta(days=limits.MAX_VALUE_DATE_DAYS))
    got = check(of(stmt(day(6), day(7), 0, [far, late, near], 0))).problems
    assert [(p.where, p.message) for p in got] == [
        (
            "statement 1, entry 1",
            "expected a value date within 92 days of the booking date 2025-01-06; got 2025-04-09",
        ),
        (
            "entry 'E2'",
            "expected an entry booked from 2025-01-06 to 2025-01-07, the statement's days; "
            "this one is booked on 2025-01-09",
        ),
    ]


@pytest.mark.parametrize(
    ("start", "end", "currency", "expected"),
    [
        (day(7), day(6), "EUR", "expected its last day on or after its first, 2025-01-07"),
        (day(1), day(1) + timedelta(days=366), "EUR", "expected a statement of at most 366"),
        (day(1), day(2), "EUX", "expected an ISO 4217 currency code, not 'EUX'"),
        (date.min, day(2), "EUR", "expected dates after 0001-01-01 and before 9999-12-31"),
    ],
)
def test_statements_that_cannot_be_checked_are_left_out(
    start: date, end: date, currency: str, expected: str
) -> None:
    got = check(of(stmt(start, end, 0, currency=currency)))
    assert got.accounts == ()
    (problem,) = got.problems
    assert problem.message.startswith(expected)


# ------------------------------------------------------------- an account's chain


def test_an_opening_that_differs_from_the_previous_closing() -> None:
    first = stmt(day(6), day(6), 100000, [entry(7450, day(6))], file="a", where="s1")
    second = stmt(day(7), day(7), 107000, file="b", where="s2")  # 1,074.50 expected
    (problem,) = check(of(second, first)).problems
    assert (problem.file, problem.where) == ("b", "s2")
    assert problem.message == (
        "expected the opening balance to be 1074.50 EUR, the closing balance of 2025-01-06 "
        "in a: s1; it is 1070.00 EUR, a difference of -4.50 EUR"
    )


def test_a_weekend_without_statements_continues_and_a_long_gap_is_a_problem() -> None:
    friday = stmt(day(3), day(3), 500, [entry(100, day(3))], file="fri")
    monday = stmt(day(6), day(6), 600, file="mon")  # 4th and 5th uncovered: carried
    assert check(of(friday, monday)).problems == ()
    later = stmt(day(6) + timedelta(days=15), day(6) + timedelta(days=15), 600, file="late")
    (problem,) = check(of(friday, monday, later)).problems
    assert problem.file == "late"
    assert problem.message == (
        "expected statements at least every 14 days; none covers 2025-01-07 to 2025-01-20 "
        "(14 days) after mon: statement 1"
    )


def test_a_missing_statement_shows_as_a_break_across_the_gap() -> None:
    friday = stmt(day(3), day(3), 500, file="fri")
    tuesday = stmt(day(7), day(7), 800, file="tue")  # Monday's +300.00 is not here
    (problem,) = check(of(friday, tuesday)).problems
    assert problem.file == "tue"
    assert problem.message == (
        "expected the opening balance to be 5.00 EUR, the closing balance of 2025-01-03 in "
        "fri: statement 1; it is 8.00 EUR, a difference of 3.00 EUR, and no statement covers "
        "the 3 days between (is a statement missing?)"
    )


def test_overlapping_statements_that_agree_are_merged_once() -> None:
    # the month (6th to 8th) and a daily statement of the 7th hold the same entries
    e6, e7a, e7b = entry(1000, day(6)), entry(-300, day(7)), entry(50, day(7), day(8))
    month = stmt(day(6), day(8), 0, [e6, e7a, e7b, entry(5, day(8))], file="month")
    daily = stmt(day(7), day(7), 1000, [e7b, e7a], file="daily")
    twice = stmt(day(8), day(9), 750, [entry(5, day(8))], file="again")
    got = check(of(daily, twice, month))
    assert got.problems == ()
    (account,) = got.accounts
    assert [(d.day, d.minor) for d in account.days] == [
        (day(6), 1000),
        (day(7), 750),
        (day(8), 755),
        (day(9), 755),
    ]
    assert Counter(e.minor for e in account.entries) == Counter({1000: 1, -300: 1, 50: 1, 5: 1})


def test_overlapping_statements_that_disagree_name_each_other() -> None:
    month = stmt(day(6), day(8), 0, [entry(1000, day(6)), entry(-300, day(7))], file="m")
    other_balance = stmt(day(7), day(7), 1000, [entry(-200, day(7))], file="d")
    other_entries = stmt(day(7), day(7), 1000, [entry(-400, day(7)), entry(100, day(7))], file="e")
    got = check(of(month, other_balance)).problems
    assert [(p.file, p.message) for p in got] == [
        (
            "d",
            "expected the closing balance of 2025-01-07 stated by m: statement 1, 7.00 EUR, "
            "as the statements overlap; this one gives 8.00 EUR, a difference of 1.00 EUR",
        )
    ]
    got = check(of(month, other_entries)).problems
    assert [(p.file, p.message) for p in got] == [
        (
            "e",
            "expected the entries of 2025-01-07 in m: statement 1 (1 entry), as the "
            "statements overlap; this one has 2 entries that differ by amount or value date",
        )
    ]


def test_two_statements_from_the_same_day_must_open_alike() -> None:
    a = stmt(day(6), day(6), 100, file="a")
    b = stmt(day(6), day(7), 90, [entry(10, day(6))], file="b")
    problems = check(of(a, b)).problems
    assert problems[0].file == "b"
    assert problems[0].message.startswith("expected the opening balance 1.00 EUR of a: ")


def test_one_account_in_two_currencies() -> None:
    eur = stmt(day(6), day(6), 100, file="eur")
    usd = stmt(day(7), day(7), 100, currency="USD", file="usd")
    got = check(of(usd, eur))
    assert [a.currency for a in got.accounts] == ["EUR"]
    (problem,) = got.problems
    assert problem.file == "usd"
    assert problem.message == (
        "expected one currency per account: eur: statement 1 is in EUR, this statement of "
        "the same account in USD"
    )


def test_accounts_are_compared_without_spaces_and_in_capitals() -> None:
    assert normalise(" nl83 citi 0193 5359 65\t") == IBAN
    a = stmt(day(6), day(6), 100, account="NL83 CITI 0193 5359 65")
    b = stmt(day(7), day(7), 100, account="nl83citi0193535965")
    (account,) = check(of(a, b)).accounts
    assert account.account == "NL83 CITI 0193 5359 65"  # as written first
    assert len(account.days) == 2


# ------------------------------------------------------------------ against a case


def account(id: str, number: str | None, currency: str = "EUR") -> Account:
    return Account(id, "HQ", "Citi", "NL", currency, number)


def test_accounts_match_the_case_by_iban_or_number() -> None:
    accounts = [
        account("HQ-EUR", "NL83 CITI 0193 5359 65"),
        account("HQ-USD", "12345678", "USD"),
        account("NO-NUM", None),
    ]
    statements = of(
        stmt(day(6), day(6), 1, account="nl83citi0193535965", file="iban"),
        stmt(day(7), day(7), 1, account="CITI0193535965", file="bban"),
        stmt(day(6), day(6), 1, account="12345678", currency="USD", file="number"),
    )
    got = check_accounts(statements, accounts)
    # the IBAN's domestic part (BBAN) names the same account: one account, two days
    assert [(a.account, a.case_account, len(a.days)) for a in got.accounts] == [
        ("nl83citi0193535965", "HQ-EUR", 2),
        ("12345678", "HQ-USD", 1),
    ]
    assert got.problems == ()


def test_an_invalid_iban_an_unknown_account_and_a_foreign_currency() -> None:
    accounts = [account("HQ-EUR", IBAN), account("HQ-USD", "12345678", "USD")]
    statements = of(
        stmt(day(6), day(6), 1, account="NL84CITI0193535965", file="bad"),  # check digits
        stmt(day(6), day(6), 1, account="99999", file="unknown"),
        stmt(day(6), day(6), 1, account="12345678", currency="EUR", file="currency"),
    )
    got = check_accounts(statements, accounts).problems
    assert [(p.file, p.message) for p in got] == [
        ("bad", "expected a valid IBAN; 'NL84CITI0193535965' is not one (invalid checksum digits)"),
        (
            "bad",
            "expected an account of the case; no account has the number "
            "'NL84CITI0193535965' (accounts are matched by IBAN or number)",
        ),
        (
            "unknown",
            "expected an account of the case; no account has the number '99999' "
            "(accounts are matched by IBAN or number)",
        ),
        (
            "currency",
            "expected USD, the currency of the case's account HQ-USD; this statement is in EUR",
        ),
    ]


def test_an_account_number_that_starts_with_letters_is_not_taken_for_an_iban() -> None:
    assert checks.iban_problem("HQ01CNY") is None  # HQ is no IBAN country
    assert checks.iban_problem("31050161393600000123") is None
    assert checks.iban_problem(IBAN) is None
    assert "invalid iban length" in (checks.iban_problem("NL83CITI019353596") or "")


# ------------------------------------------------------------ problems and reading


def test_reader_problems_come_first_and_many_problems_are_counted() -> None:
    first = Problem("x.stmt", "line 3", "expected a balance")
    bad = [
        stmt(day(n), day(n), 0, closing=1, file="many", where=f"s{n}", account=str(n))
        for n in range(1, limits.MAX_PROBLEMS + 11)
    ]
    got = check(of(*bad, problems=[first])).problems
    assert got[0] == first
    assert len(got) == 1 + limits.MAX_PROBLEMS + 1
    last = got[-1]
    assert isinstance(last, Omitted) and last.count == 10 and last.file == "many"


def test_read_takes_folders_in_name_order_and_leaves_hidden_files_out(tmp_path: Path) -> None:
    folder = tmp_path / "statements"
    write_statements(folder / "2025-01-07.stmt", [stmt(day(7), day(7), 100)])
    write_statements(folder / "sub" / "2025-01-06.stmt", [stmt(day(6), day(6), 100)])
    (folder / ".DS_Store").write_bytes(b"\0\1")
    got = read(folder, readers=[FakeReader()])
    assert got.problems == ()
    assert [d.day for d in got.accounts[0].days] == [day(6), day(7)]
    files = checks.statement_files([folder])[0]
    assert files == [folder / "2025-01-07.stmt", folder / "sub" / "2025-01-06.stmt"]


def test_folders_beyond_the_bounds_are_one_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    for n in range(4):
        write_statements(folder / f"{n}.stmt", [stmt(day(n + 1), day(n + 1), 0)])
    monkeypatch.setattr(checks, "MAX_STATEMENT_FILES", 3)
    got = read(folder, readers=[FakeReader()])
    assert got.accounts == ()
    assert got.problems == (
        Problem(str(folder), "", "expected a folder of at most 3 statement files; it holds more"),
    )
    monkeypatch.setattr(checks, "MAX_STATEMENT_FILES", 10)
    monkeypatch.setattr(checks, "MAX_STATEMENT_FOLDER_BYTES", 100)
    assert "in all; the folder holds more" in read(folder).problems[0].message
    (tmp_path / "empty").mkdir()
    assert read(tmp_path / "empty").problems[0].message == (
        "expected bank statement files; the folder has none"
    )


# -------------------------------------------------------------------- hypothesis

START = date(2025, 3, 1)


@st.composite
def chains(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """An opening balance and each day's entries (minor units, credits positive)."""
    opening = draw(st.integers(-(10**9), 10**9))
    days = draw(st.integers(1, 30))
    moves = st.lists(st.integers(-(10**7), 10**7).filter(bool), max_size=3)
    return opening, [draw(moves) for _ in range(days)]


def oracle(opening: int, moves: list[list[int]]) -> list[tuple[date, int]]:
    """The day-end balances by a plain loop."""
    out, balance = [], opening
    for d, entries in enumerate(moves):
        for minor in entries:
            balance += minor
        out.append((START + timedelta(days=d), balance))
    return out


def segment(opening: int, moves: list[list[int]], a: int, b: int, n: int) -> Statement:
    """The statement of days a..b (indexes) of a chain, the n-th of its file set."""
    before = opening + sum(sum(m) for m in moves[:a])
    entries = [
        Entry(minor, START + timedelta(days=d), START + timedelta(days=d), "", f"ref{d}.{k}")
        for d in range(a, b + 1)
        for k, minor in enumerate(moves[d])
    ]
    return stmt(
        START + timedelta(days=a),
        START + timedelta(days=b),
        before,
        entries,
        file=f"s{n}.stmt",
        where=f"statement {n}",
    )


@st.composite
def splits(draw: st.DrawFn) -> tuple[int, list[list[int]], list[Statement]]:
    """A chain cut into statements, some widened to overlap their neighbours, some sent
    twice, in any order."""
    opening, moves = draw(chains())
    days = len(moves)
    cuts = sorted(draw(st.sets(st.integers(1, days - 1), max_size=6))) if days > 1 else []
    bounds = list(zip([0, *cuts], [*(c - 1 for c in cuts), days - 1], strict=True))
    ranges = []
    for a, b in bounds:
        left, right = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        ranges.append((max(0, a - left), min(days - 1, b + right)))
    ranges += draw(st.lists(st.sampled_from(ranges), max_size=2))  # sent twice
    ranges = draw(st.permutations(ranges))
    return opening, moves, [segment(opening, moves, a, b, n) for n, (a, b) in enumerate(ranges)]


@settings(max_examples=150, deadline=None)
@given(splits())
def test_split_overlapped_and_merged_statements_give_the_chain(
    split: tuple[int, list[list[int]], list[Statement]],
) -> None:
    opening, moves, statements = split
    got = check(of(*statements))
    assert got.problems == ()
    (account,) = got.accounts
    assert [(d.day, d.minor) for d in account.days] == oracle(opening, moves)
    assert Counter(e.minor for e in account.entries) == Counter(m for day in moves for m in day)


def _located(got: tuple[Problem, ...], s: Statement) -> bool:
    return any((p.file, p.where) == (s.file, s.where) for p in got)


@st.composite
def exact_splits(draw: st.DrawFn) -> tuple[int, list[list[int]], list[Statement]]:
    """A chain of at least three days cut into statements that do not overlap."""
    opening, moves = draw(chains())
    moves += [draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=2)) for _ in range(3)]
    days = len(moves)
    cuts = sorted(draw(st.sets(st.integers(1, days - 1), min_size=2, max_size=6)))
    bounds = list(zip([0, *cuts], [*(c - 1 for c in cuts), days - 1], strict=True))
    return opening, moves, [segment(opening, moves, a, b, n) for n, (a, b) in enumerate(bounds)]


@settings(max_examples=100, deadline=None)
@given(exact_splits(), st.data())
def test_a_wrong_sign_is_located_at_its_statement(
    split: tuple[int, list[list[int]], list[Statement]], data: st.DataObject
) -> None:
    _, _, statements = split
    signed = [i for i, s in enumerate(statements) if s.entries]
    i = data.draw(st.sampled_from(signed))
    s = statements[i]
    k = data.draw(st.integers(0, len(s.entries) - 1))
    flipped = s.entries[k].minor * -1
    entries = (
        *s.entries[:k],
        Entry(flipped, s.entries[k].booked, s.entries[k].value),
        *s.entries[k + 1 :],
    )
    statements[i] = attrs.evolve(s, entries=entries)
    got = check(of(*statements)).problems
    assert _located(got, statements[i])
    assert any("expected the entries to add up" in p.message for p in got)


@settings(max_examples=100, deadline=None)
@given(exact_splits(), st.data())
def test_a_missing_statement_is_located_at_the_next(
    split: tuple[int, list[list[int]], list[Statement]], data: st.DataObject
) -> None:
    _, _, statements = split
    moved = [
        i for i in range(1, len(statements) - 1) if sum(e.minor for e in statements[i].entries)
    ]
    if not moved:
        return  # every middle statement nets to zero: its absence cannot be seen
    i = data.draw(st.sampled_from(moved))
    after = statements[i + 1]
    got = check(of(*statements[:i], *statements[i + 1 :])).problems
    assert _located(got, after)
    assert any("is a statement missing?" in p.message for p in got)


@settings(max_examples=100, deadline=None)
@given(exact_splits(), st.data(), st.integers(-(10**6), 10**6).filter(bool))
def test_a_break_in_continuity_is_located(
    split: tuple[int, list[list[int]], list[Statement]], data: st.DataObject, shift: int
) -> None:
    _, _, statements = split
    i = data.draw(st.integers(1, len(statements) - 1))
    s = statements[i]
    statements[i] = attrs.evolve(s, opening=s.opening + shift, closing=s.closing + shift)
    got = check(of(*statements)).problems
    assert _located(got, statements[i])
    assert any("expected the opening balance to be" in p.message for p in got)


@settings(max_examples=100, deadline=None)
@given(exact_splits(), st.data())
def test_a_duplicated_day_is_located(
    split: tuple[int, list[list[int]], list[Statement]], data: st.DataObject
) -> None:
    _, _, statements = split
    i = data.draw(st.integers(0, len(statements) - 1))
    s = statements[i]
    stated = s.day_closings()
    twice = data.draw(st.sampled_from(stated))
    statements[i] = attrs.evolve(s, closings=(*stated, twice))
    got = check(of(*statements)).problems
    assert [(p.file, p.where) for p in got] == [(s.file, s.where)]
    assert got[0].message == f"expected one closing balance per day; {twice[0]} is stated twice"


@settings(max_examples=100, deadline=None)
@given(exact_splits(), st.data(), st.integers(-(10**6), 10**6).filter(bool))
def test_an_overlap_that_disagrees_is_located(
    split: tuple[int, list[list[int]], list[Statement]], data: st.DataObject, change: int
) -> None:
    opening, moves, statements = split
    d = data.draw(st.integers(0, len(moves) - 1))
    wrong = [list(m) for m in moves]
    wrong[d] = [*wrong[d], change]  # one more entry that day: the copy adds up, but differs
    copy = segment(opening, wrong, d, d, 99)
    got = check(of(*statements, copy)).problems
    original = next(s for s in statements if s.start <= copy.start <= s.end)
    assert got, "a disagreeing overlap must be a problem"
    first = got[0]
    assert (first.file, first.where) in {(copy.file, copy.where), (original.file, original.where)}
    other = original if first.file == copy.file else copy
    assert f"{other.file}: {other.where}" in first.message


@st.composite
def any_statement(draw: st.DrawFn) -> Statement:
    """A statement as a damaged or hostile file might give it: any dates, any amounts."""
    dates = st.dates(date(1, 1, 1), date(9999, 12, 31))
    near = st.dates(date(2024, 12, 1), date(2025, 2, 28))
    days = draw(st.one_of(near, dates))
    amounts = st.integers(-(10**20), 10**20)
    entries = draw(
        st.lists(
            st.builds(Entry, amounts, st.one_of(near, dates), st.one_of(near, dates)), max_size=5
        )
    )
    return stmt(
        days,
        draw(st.one_of(near, dates)),
        draw(amounts),
        entries,
        draw(st.one_of(st.none(), amounts)),
        account=draw(st.sampled_from([IBAN, "NL84CITI0193535965", "HQ01", " 1 2 ", ""])),
        currency=draw(st.sampled_from(["EUR", "JPY", "KWD", "XXX", "eur", ""])),
        file=draw(st.sampled_from(["a", "b"])),
        closings=draw(st.lists(st.tuples(st.one_of(near, dates), amounts), max_size=3)),
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(any_statement(), max_size=6))
def test_any_statements_give_located_problems_never_an_exception(
    statements: list[Statement],
) -> None:
    accounts = [account("HQ-EUR", IBAN), account("HQ-JPY", "HQ01", "JPY")]
    for got in (check(of(*statements)), check_accounts(of(*statements), accounts)):
        assert all(p.file in {"a", "b"} and p.message for p in got.problems)
        for a in got.accounts:
            assert [d.day for d in a.days] == sorted({d.day for d in a.days})
