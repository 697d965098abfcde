"""A bank's reconciliation of statements, as located problems, and the merged view it leaves.

Each statement must add up (its opening balance plus its entries give its closing balance
and every day-end balance it states); each account's statements, in date order, must
continue one another (an opening balance equal to the previous closing balance), leave no
long gaps, and agree where they overlap. Statements that overlap and agree are merged, each
shared day once. Against a case, accounts are matched by IBAN or account number and their
currency checked. docs/statements.md says what is checked and why.

The checks work on `records.Statement` only: whatever format a reader took them from.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import attrs

from cashmgmt.errors import Omitted, Problem, plural, shown
from cashmgmt.inputs import statements as _package
from cashmgmt.inputs.limits import (
    MAX_GAP_DAYS,
    MAX_PROBLEMS,
    MAX_STATEMENT_DAYS,
    MAX_STATEMENT_FILES,
    MAX_STATEMENT_FOLDER_BYTES,
    MAX_VALUE_DATE_DAYS,
)
from cashmgmt.inputs.statements import StatementBalance, StatementReader, Statements
from cashmgmt.inputs.statements.records import Entry, Statement
from cashmgmt.model import Account, Case
from cashmgmt.money import from_minor, is_currency

__all__ = [
    "Checked",
    "CheckedAccount",
    "check",
    "check_accounts",
    "normalise",
    "read",
    "read_paths",
    "statement_files",
    "statements",
]


@attrs.frozen
class CheckedAccount:
    """One account's statements, checked and merged: the day-end balance of every day a
    statement covers (each day once) and the entries booked on them (each once).

    `account` is the IBAN or number as the first statement wrote it; `case_account` the id
    of the case's account it matched (None without a case, or when none matched)."""

    account: str
    currency: str
    case_account: str | None
    days: tuple[StatementBalance, ...]
    entries: tuple[Entry, ...]
    statements: tuple[Statement, ...]

    def to_dict(self) -> dict[str, object]:
        """`account`, `currency`, `case_account`, `days[]` with `date` and `closing` (a
        decimal string) and the number of `entries` and `statements` merged."""
        return {
            "account": self.account,
            "currency": self.currency,
            "case_account": self.case_account,
            "days": [
                {"date": d.day.isoformat(), "closing": _decimal(d.minor, self.currency)}
                for d in self.days
            ],
            "entries": len(self.entries),
            "statements": len(self.statements),
        }


@attrs.frozen
class Checked:
    """What statements hold once checked: per account the merged days and entries, and
    every problem found (the readers' first), each naming its file and statement."""

    accounts: tuple[CheckedAccount, ...] = ()
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The JSON of `cashmgmt statements --json`: `accounts[]` and `problems[]` with
        `file`, `where` and `message`."""
        return {
            "accounts": [a.to_dict() for a in self.accounts],
            "problems": [
                {"file": p.file, "where": p.where, "message": p.message} for p in self.problems
            ],
        }


def normalise(account: str) -> str:
    """An IBAN or account number as compared: without spaces, in capitals
    (`nl83 citi 0193 5359 65` → `NL83CITI0193535965`)."""
    return "".join(account.split()).upper()


_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")


def iban_problem(key: str) -> str | None:
    """Why a normalised number shaped like an IBAN of a country that has IBANs is not a
    valid one (its check digits, length or national format, as schwifty checks them); None
    when it is valid or not an IBAN at all (an account number)."""
    if not _IBAN_SHAPE.fullmatch(key):
        return None
    from schwifty import IBAN
    from schwifty.exceptions import InvalidCountryCode, SchwiftyException

    try:
        IBAN(key)
    except InvalidCountryCode:
        return None  # not an IBAN country's code: an account number that starts with letters
    except SchwiftyException as exc:
        return f"expected a valid IBAN; {shown(key)} is not one ({str(exc).lower()})"
    return None


def _match_keys(number: str) -> set[str]:
    """The forms of a case account's number a statement may write: the number, and for an
    IBAN also its domestic part (BBAN) and account code."""
    key = normalise(number)
    keys = {key}
    if _IBAN_SHAPE.fullmatch(key) and iban_problem(key) is None:
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            iban = IBAN(key)
        except SchwiftyException:
            return keys
        keys |= {k for k in (iban.bban, iban.account_code) if k}
    return keys


class _Found:
    """Problems, at most MAX_PROBLEMS per file; the rest counted on an Omitted line."""

    def __init__(self, first: Iterable[Problem]) -> None:
        self.problems = list(first)
        self._listed: Counter[str] = Counter()
        self._dropped: Counter[str] = Counter()

    def add(self, file: str, where: str, message: str) -> None:
        if self._listed[file] < MAX_PROBLEMS:
            self._listed[file] += 1
            self.problems.append(Problem(file, where, message))
        else:
            self._dropped[file] += 1

    def at(self, s: Statement, message: str) -> None:
        self.add(s.file, s.where, message)

    def finish(self) -> tuple[Problem, ...]:
        more = [
            Omitted(file, "", f"and {n} more problems like those above", n)
            for file, n in self._dropped.items()
        ]
        return (*self.problems, *more)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _decimal(minor: int, currency: str) -> str:
    return format(from_minor(minor, currency), "f")


def _money(minor: int, currency: str) -> str:
    return f"{_decimal(minor, currency)} {currency}"


def _named(s: Statement) -> str:
    """A statement as another statement's problem names it."""
    return f"{s.file}: {s.where}" if s.where else s.file


def _entry_place(s: Statement, n: int, entry: Entry) -> str:
    """Where an entry is: as its reader located it, else by its place in the statement."""
    if entry.where:
        return entry.where
    return f"{s.where}, entry {n + 1}" if s.where else f"entry {n + 1}"


def check(statements: Statements, case: Case | None = None) -> Checked:
    """Check statements as a bank reconciles them (each adds up, each continues the one
    before, no long gaps, overlaps agree) and merge each account's into daily closing
    balances and entries; with a case, match accounts by IBAN or number and check their
    currency. Never raises for bad content: every fault is a located problem."""
    return check_accounts(statements, None if case is None else case.accounts)


def check_accounts(statements: Statements, accounts: Sequence[Account] | None) -> Checked:
    """`check` against a case's accounts (None: no case); the case loader calls this
    before the case exists."""
    found = _Found(statements.problems)
    groups: dict[str, list[Statement]] = {}
    for s in statements.statements:
        if _sound(s, found):
            groups.setdefault(normalise(s.account), []).append(s)
    by_key: dict[str, Account] = {}
    for account in accounts or ():
        if account.number:
            for key in _match_keys(account.number):
                by_key.setdefault(key, account)
    # one account of the case may be written two ways (its IBAN, its BBAN): one group
    accounts_of: dict[str, tuple[Account | None, list[Statement]]] = {}
    for key, group in groups.items():
        first = min(group, key=lambda s: (s.start, s.end))
        invalid = iban_problem(key)
        if invalid:
            found.at(first, invalid)
        matched = by_key.get(key)
        if accounts is not None and matched is None:
            found.at(
                first,
                f"expected an account of the case; no account has the number "
                f"{shown(first.account)} (accounts are matched by IBAN or number)",
            )
        merged = accounts_of.setdefault(f"case {matched.id}" if matched else key, (matched, []))
        merged[1].extend(group)
    out: list[CheckedAccount] = []
    for matched, group in accounts_of.values():
        group.sort(key=lambda s: (s.start, s.end))
        first = group[0]
        currency = matched.currency if matched else first.currency
        same = []
        for s in group:
            if s.currency == currency:
                same.append(s)
            elif matched:
                found.at(
                    s,
                    f"expected {currency}, the currency of the case's account {matched.id}; "
                    f"this statement is in {s.currency}",
                )
            else:
                found.at(
                    s,
                    f"expected one currency per account: {_named(first)} is in {currency}, "
                    f"this statement of the same account in {s.currency}",
                )
        for s in same:
            _check_statement(s, found)
        if same:
            days, entries = _merge(same, found)
            case_id = matched.id if matched else None
            out.append(
                CheckedAccount(same[0].account, currency, case_id, days, entries, tuple(same))
            )
    return Checked(tuple(out), found.finish())


def _sound(s: Statement, found: _Found) -> bool:
    """Whether a statement can be checked at all: a known currency and a run of days that
    starts before it ends and is not absurdly long (else a problem, and it is left out)."""
    if not is_currency(s.currency):
        found.at(s, f"expected an ISO 4217 currency code, not {shown(s.currency)}")
        return False
    if s.start <= date.min or s.end >= date.max:  # the day before and after must exist
        found.at(s, f"expected dates after {date.min} and before {date.max}")
        return False
    if s.end < s.start:
        found.at(s, f"expected its last day on or after its first, {s.start}; got {s.end}")
        return False
    if (s.end - s.start).days >= MAX_STATEMENT_DAYS:
        found.at(
            s,
            f"expected a statement of at most {MAX_STATEMENT_DAYS} days; "
            f"it runs from {s.start} to {s.end}",
        )
        return False
    return True


def _check_statement(s: Statement, found: _Found) -> None:
    """One statement on its own: the entries add up from its opening to its closing
    balance and to every day-end balance it states; each entry is booked inside its days
    with a value date near its booking date; one stated balance per day."""
    c = s.currency
    given = s.opening + sum(e.minor for e in s.entries)
    if given != s.closing:
        found.at(
            s,
            f"expected the entries to add up from the opening balance {_money(s.opening, c)} "
            f"to the closing balance {_money(s.closing, c)}; they give {_money(given, c)}, "
            f"a difference of {_money(s.closing - given, c)}",
        )
    for n, entry in enumerate(s.entries):
        if not s.start <= entry.booked <= s.end:
            found.add(
                s.file,
                _entry_place(s, n, entry),
                f"expected an entry booked from {s.start} to {s.end}, the statement's days; "
                f"this one is booked on {entry.booked}",
            )
        elif abs((entry.value - entry.booked).days) > MAX_VALUE_DATE_DAYS:
            found.add(
                s.file,
                _entry_place(s, n, entry),
                f"expected a value date within {MAX_VALUE_DATE_DAYS} days of the booking date "
                f"{entry.booked}; got {entry.value}",
            )
    computed = dict(s.day_closings()) if s.closings else {}
    stated: set[date] = set()
    for day, minor in s.closings:
        if day in stated:
            found.at(s, f"expected one closing balance per day; {day} is stated twice")
            continue
        stated.add(day)
        if day not in computed:
            found.at(
                s,
                f"expected closing balances from {s.start} to {s.end}, the statement's days; "
                f"one is stated for {day}",
            )
        elif computed[day] != minor:
            found.at(
                s,
                f"expected the closing balance of {day} to be {_money(computed[day], c)}, "
                f"what the opening balance and the entries give; it states "
                f"{_money(minor, c)}, a difference of {_money(minor - computed[day], c)}",
            )


def _merge(
    group: Sequence[Statement], found: _Found
) -> tuple[tuple[StatementBalance, ...], tuple[Entry, ...]]:
    """One account's statements in date order, merged: each day once, from the first
    statement that covers it. Checks that each opening balance continues the balance before
    it (across a gap too: a missing statement shows there), that uncovered runs stay short,
    and that statements agree on the days they share (day-end balance, and entries by
    amount and value date)."""
    closing: dict[date, int] = {}  # the merged day-end balances
    owner: dict[date, Statement] = {}
    booked: dict[date, list[Entry]] = {}
    openings: dict[date, tuple[int, Statement]] = {}  # the balance before a first day
    last: Statement | None = None  # the statement reaching furthest so far
    for s in group:
        c = s.currency
        before = s.start - timedelta(days=1)
        if before in closing:
            if s.opening != closing[before]:
                found.at(
                    s,
                    f"expected the opening balance to be {_money(closing[before], c)}, the "
                    f"closing balance of {before} in {_named(owner[before])}; it is "
                    f"{_money(s.opening, c)}, a difference of "
                    f"{_money(s.opening - closing[before], c)}",
                )
        elif before in openings:
            other_opening, other = openings[before]
            if s.opening != other_opening:
                found.at(
                    s,
                    f"expected the opening balance {_money(other_opening, c)} of "
                    f"{_named(other)}, which starts on the same day; it is "
                    f"{_money(s.opening, c)}, a difference of "
                    f"{_money(s.opening - other_opening, c)}",
                )
        elif last is not None:  # days after `last` that no statement covers
            uncovered = (s.start - last.end).days - 1
            if s.opening != last.closing:
                found.at(
                    s,
                    f"expected the opening balance to be {_money(last.closing, c)}, the "
                    f"closing balance of {last.end} in {_named(last)}; it is "
                    f"{_money(s.opening, c)}, a difference of "
                    f"{_money(s.opening - last.closing, c)}, and no statement covers the "
                    f"{_days(uncovered)} between (is a statement missing?)",
                )
            if uncovered >= MAX_GAP_DAYS:
                found.at(
                    s,
                    f"expected statements at least every {MAX_GAP_DAYS} days; none covers "
                    f"{last.end + timedelta(days=1)} to {before} ({_days(uncovered)}) "
                    f"after {_named(last)}",
                )
        openings.setdefault(before, (s.opening, s))
        mine: dict[date, list[Entry]] = {}
        for entry in s.entries:
            if s.start <= entry.booked <= s.end:
                mine.setdefault(entry.booked, []).append(entry)
        disagreed = False
        for day, minor in s.day_closings():
            entries = mine.get(day, [])
            if day not in closing:
                closing[day], owner[day] = minor, s
                if entries:
                    booked[day] = entries
                continue
            if disagreed:
                continue
            theirs = booked.get(day, [])
            if minor != closing[day]:
                disagreed = True
                found.at(
                    s,
                    f"expected the closing balance of {day} stated by {_named(owner[day])}, "
                    f"{_money(closing[day], c)}, as the statements overlap; this one gives "
                    f"{_money(minor, c)}, a difference of {_money(minor - closing[day], c)}",
                )
            elif _same_entries(entries) != _same_entries(theirs):
                disagreed = True
                found.at(
                    s,
                    f"expected the entries of {day} in {_named(owner[day])} "
                    f"({plural(len(theirs), 'entry')}), as the statements overlap; this one "
                    f"has {plural(len(entries), 'entry')} that differ by amount or value date",
                )
        if last is None or s.end > last.end:
            last = s
    account = group[0].account
    days = tuple(
        StatementBalance(account, day, group[0].currency, closing[day]) for day in sorted(closing)
    )
    return days, tuple(e for day in sorted(booked) for e in booked[day])


def _same_entries(entries: Sequence[Entry]) -> Counter[tuple[int, date]]:
    """A day's entries as compared between overlapping statements: amounts and value dates
    (codes and references are written differently by different formats)."""
    return Counter((e.minor, e.value) for e in entries)


# ----------------------------------------------------------------------------- reading


def statement_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The files named, and those in each folder named (its subfolders too; hidden files
    and links that lead out of the folder left out), each folder's in name order. At most
    MAX_STATEMENT_FILES files and MAX_STATEMENT_FOLDER_BYTES bytes per folder: a folder
    beyond either is one problem, and none of its files is read."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)  # read_statements reports one that is not there
            continue
        found, problem = _folder_files(path)
        if problem:
            problems.append(Problem(str(path), "", problem))
        else:
            files += found
    return files, problems


def _folder_files(folder: Path) -> tuple[list[Path], str | None]:
    root = folder.resolve()
    found: list[Path] = []
    size = 0
    pending = [folder]
    while pending:
        here = pending.pop()
        try:
            entries = list(os.scandir(here))
        except OSError as exc:
            return [], f"cannot be read ({exc.strerror or 'the system refused'})"
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                if not path.resolve().is_relative_to(root) or not entry.is_file():
                    continue
                size += entry.stat().st_size
            except (OSError, RuntimeError):
                continue
            found.append(path)
            if len(found) > MAX_STATEMENT_FILES:
                return [], (
                    f"expected a folder of at most {MAX_STATEMENT_FILES:,} statement files; "
                    "it holds more"
                )
            if size > MAX_STATEMENT_FOLDER_BYTES:
                return [], (
                    f"expected statements of at most {MAX_STATEMENT_FOLDER_BYTES // 2**20:,} MB "
                    "in all; the folder holds more"
                )
    if not found:
        return [], "expected bank statement files; the folder has none"
    return sorted(found), None


def read(
    paths: str | Path | Iterable[str | Path],
    case: Case | None = None,
    readers: Sequence[StatementReader] | None = None,
) -> Checked:
    """Read statement files and folders (read_statements with the known READERS, or
    `readers`) and `check` them, against `case` if one is given."""
    return check(read_paths(paths, readers), case)


def read_paths(
    paths: str | Path | Iterable[str | Path], readers: Sequence[StatementReader] | None = None
) -> Statements:
    """The statements in files and folders (statement_files), as read_statements gives
    them, the folders' problems first."""
    named = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files, problems = statement_files(named)
    got = _package.read_statements(files, _package.READERS if readers is None else readers)
    return Statements(got.balances, (*problems, *got.problems), got.statements)


def statements(paths: str | Path | Iterable[str | Path], case: Case | None = None) -> Checked:
    """What bank statements hold, checked: per account its daily closing balances and
    entries, and every problem located (`cashmgmt statements`). `paths` are statement
    files or folders of them; with `case`, accounts are matched to the case's by IBAN or
    number and their currencies compared."""
    return read(paths, case)
