"""The MT940 reader and writer: public sample files (the mt-940 package's test suite, see
tests/data/mt940/README.md) with balances copied by hand from their :60F:/:62F: fields,
SWIFT's sign and date rules, located problems for what the package accepts silently, a
write-read round trip and hostile files (hypothesis)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cashmgmt.errors import StatementError
from cashmgmt.inputs.statements import Entry, Statement, Statements, read_statements
from cashmgmt.inputs.statements.mt940 import MT940Reader, write_mt940
from cashmgmt.inputs.statements.textfile import MAX_STATEMENT_FILE_BYTES

DATA = Path(__file__).parent / "data" / "mt940"
READER = MT940Reader()


def read(path: Path) -> Statements:
    got = read_statements([path])
    return got


def write(tmp_path: Path, text: str, name: str = "s.sta") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_citi_one_day_that_adds_up() -> None:
    got = read(DATA / "citi.txt")
    assert got.problems == ()
    (s,) = got.statements
    # :25:123456789, :60F:C240312USD17376,67, :62F:C240312USD16233,92
    assert (s.account, s.currency, s.format) == ("123456789", "USD", "MT940")
    assert (s.opening, s.closing) == (1737667, 1623392)
    assert s.start == s.end == date(2024, 3, 12)  # 60F and 62F bear the same date: one day
    # :61: 240312 ... DD212,39NMSC, DD369,28NDEF, CD0,00NDEF twice, DD561,08NDEF
    assert [e.minor for e in s.entries] == [-21239, -36928, 0, 0, -56108]
    assert [e.code for e in s.entries] == ["NMSC", "NDEF", "NDEF", "NDEF", "NDEF"]
    assert all(e.booked == e.value == date(2024, 3, 12) for e in s.entries)  # no entry date
    assert all(e.reference == "" for e in s.entries)  # NONREF
    assert s.opening + sum(e.minor for e in s.entries) == s.closing
    assert s.where == "statement 'asdfsdfdsf' (line 1)"
    assert s.entries[1].where == "statement 'asdfsdfdsf' (line 1), entry 2 (line 9)"
    assert [(b.day, b.minor) for b in got.balances] == [(date(2024, 3, 12), 1623392)]


def test_rabobank_weekly_statements_that_add_up_and_continue() -> None:
    got = read(DATA / "rabobank-iban.sta")
    assert got.problems == ()
    first, second = got.statements
    # :60F:C130101EUR000000001000,00 ... :62F:C130108EUR000000000965,00, then 965,00 -> 930,00
    assert (first.account, first.currency) == ("NL71RABO0123456789", "EUR")
    assert (first.opening, first.closing, second.opening, second.closing) == (
        100000,
        96500,
        96500,
        93000,
    )
    # the opening balance is the previous closing, dated that day: the statement starts after
    assert (first.start, first.end) == (date(2013, 1, 2), date(2013, 1, 8))
    assert (second.start, second.end) == (date(2013, 1, 9), date(2013, 1, 15))
    assert [(e.minor, e.code, e.reference) for e in first.entries] == [
        (-2500, "N102", "EREF"),
        (-1000, "N154", ""),
    ]
    for s in (first, second):
        assert s.opening + sum(e.minor for e in s.entries) == s.closing


def test_abnamro_scrubbed_sample_is_read_faithfully_and_does_not_add_up() -> None:
    got = read(DATA / "abnamro.sta")
    assert got.problems == ()  # adding up is the checks' business, not the reader's
    first, page = got.statements
    # :60F:C110522EUR3236,28 and :62F:C110523EUR876,84 with eight debits of 321,44 in all
    assert (first.opening, first.closing) == (323628, 87684)
    assert sum(e.minor for e in first.entries) == -32144
    assert first.opening + sum(e.minor for e in first.entries) != first.closing
    # the second message opens with :60M:C110523EUR2876,84 (not the 876,84 before it)
    assert (page.opening, page.closing) == (287684, 184975)
    # :61:1105210523D11,59: value 21 May, entry (booking) date 23 May
    assert (first.entries[1].value, first.entries[1].booked) == (
        date(2011, 5, 21),
        date(2011, 5, 23),
    )
    assert first.entries[0].minor == -900  # D9, : nine euros, no decimals written


def test_triodos_bic_prefix_is_dropped_from_the_account() -> None:
    got = read(DATA / "triodos.sta")
    (s,) = got.statements
    assert s.account == "0390123456"  # :25:TRIODOSBANK/0390123456
    assert (s.opening, s.closing) == (497509, 437079)
    assert [e.minor for e in s.entries] == [-1570, -70000]
    assert s.opening + sum(e.minor for e in s.entries) != s.closing  # scrubbed


STATEMENT = """:20:REF1
:25:{account}
:28C:1/1
:60F:C250630EUR1000,00
{lines}
:62F:C250701EUR{closing}
-
"""


def statement(tmp_path: Path, lines: str, closing: str = "1000,00", account: str = "12345") -> Path:
    text = STATEMENT.format(lines=lines, closing=closing, account=account)
    return write(tmp_path, text)


def test_marks_c_d_rc_rd(tmp_path: Path) -> None:
    lines = "\n".join(
        [
            ":61:2507010701C100,00NTRFA",
            ":61:2507010701D10,00NTRFB",
            ":61:2507010701RC1,00NTRFC",  # reversal of a credit: money out
            ":61:2507010701RD0,10NTRFD",  # reversal of a debit: money back in
        ]
    )
    got = read(statement(tmp_path, lines, "1089,10"))
    assert got.problems == ()
    (s,) = got.statements
    assert [(e.minor, e.reference) for e in s.entries] == [
        (10000, "A"),
        (-1000, "B"),
        (-100, "C"),
        (10, "D"),
    ]
    assert s.opening + sum(e.minor for e in s.entries) == s.closing
    assert (s.start, s.end) == (date(2025, 7, 1), date(2025, 7, 1))


def test_entry_date_rolls_over_the_new_year(tmp_path: Path) -> None:
    text = (
        ":20:NY\n:25:1\n:60F:C251230EUR1,00\n"
        ":61:2512300102C1,00NTRFX\n"  # value 30 Dec 2025, booked 2 Jan 2026
        ":61:2601021231D1,00NTRFY\n"  # value 2 Jan 2026, booked 31 Dec 2025
        ":61:2401020229C0,00NTRFZ\n"  # booked 29 Feb of the leap year nearest
        ":62F:C260102EUR1,00\n-\n"
    )
    (s,) = read(write(tmp_path, text)).statements
    assert [e.booked for e in s.entries] == [
        date(2026, 1, 2),
        date(2025, 12, 31),
        date(2024, 2, 29),
    ]


def test_iban_with_currency_suffix_and_bank_code_prefix(tmp_path: Path) -> None:
    (s,) = read(statement(tmp_path, "", account="NL91ABNA0417164300EUR")).statements
    assert s.account == "NL91ABNA0417164300"
    (s,) = read(statement(tmp_path, "", account="37070024/0123456789")).statements
    assert s.account == "37070024/0123456789"  # a German bank code is part of the account


def test_pages_62m_60m_are_one_statement(tmp_path: Path) -> None:
    text = (
        ":20:P1\n:25:1\n:28C:7/1\n:60F:C250630EUR10,00\n:61:2507010701C5,00NTRFA\n"
        ":62M:C250701EUR15,00\n-\n"
        ":20:P2\n:25:1\n:28C:7/2\n:60M:C250701EUR15,00\n:61:2507010701D1,00NTRFB\n"
        ":62F:C250701EUR14,00\n-\n"
    )
    got = read(write(tmp_path, text))
    assert got.problems == ()
    (s,) = got.statements
    assert (s.opening, s.closing, [e.minor for e in s.entries]) == (1000, 1400, [500, -100])
    assert (s.start, s.end) == (date(2025, 7, 1), date(2025, 7, 1))


@pytest.mark.parametrize(
    ("lines", "closing", "where", "expected"),
    [
        ("", None, "statement 'REF1' (line 1)", "expected one closing balance"),
        (":61:2502300230C1,00NTRFX", "1001,00", "entry 1 (line 5)", "expected a statement line"),
        (":61:2507010701C1NTRFX", "1001,00", "entry 1 (line 5)", "decimal comma"),
        (":61:2507010701C1,001NTRFX", "1001,00", "entry 1 (line 5)", "finer than EUR's minor unit"),
        (":61:2507010701C1,00", "1001,00", "entry 1 (line 5)", "expected a transaction type"),
        (":61:2507010701c1,00NTRFX", "1001,00", "entry 1 (line 5)", "expected the mark C, D, RC"),
        (":99:what", "1000,00", ":99: (line 5)", "unknown tag"),
        ("", "1000", ":62F: (line 5)", "expected a balance"),
        ("", "1000,00XYZ", ":62F: (line 5)", "expected a balance"),
    ],
)
def test_what_mt940_accepts_silently_is_a_located_problem(
    tmp_path: Path, lines: str, closing: str | None, where: str, expected: str
) -> None:
    text = STATEMENT.format(lines=lines, closing=closing or "", account="1")
    if closing is None:
        text = text.replace(":62F:C250701EUR\n", "")
    path = write(tmp_path, text.replace("\n\n", "\n"))
    got = read(path)
    assert got.statements == ()
    assert got.problems, got
    problem = got.problems[0]
    assert problem.file == str(path)
    assert problem.where.startswith("statement 'REF1' (line 1)")
    assert where in problem.where
    assert expected in problem.message


def test_bad_balance_date_and_currency(tmp_path: Path) -> None:
    text = ":20:B\n:25:1\n:60F:C251301EUR1,00\n:62F:C250101XXX1,00\n-\n"
    got = read(write(tmp_path, text))
    assert [p.where for p in got.problems] == [
        "statement 'B' (line 1), :60F: (line 3)",
        "statement 'B' (line 1), :62F: (line 4)",
    ]
    assert "not a day" in got.problems[0].message
    assert "ISO 4217" in got.problems[1].message


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.sta"
    with path.open("wb") as stream:
        stream.write(b":20:X\n:25:1\n")
        stream.truncate(MAX_STATEMENT_FILE_BYTES + 1)  # sparse: nothing is written
    assert READER.identify(path)
    with pytest.raises(StatementError, match="at most 64 MiB"):
        READER.extract(path)
    assert "at most 64 MiB" in read(path).problems[0].message


def test_a_long_hostile_line_is_read_in_bounded_time(tmp_path: Path) -> None:
    line = ":61:2507010701C1,00NTRF" + "A" * 3_000_000 + "\nB"
    path = statement(tmp_path, line)
    started = time.perf_counter()
    got = read(path)
    assert time.perf_counter() - started < 5
    assert "at most 300 characters" in got.problems[0].message


# -- round trip --------------------------------------------------------------------------

CURRENCIES = st.sampled_from(["EUR", "USD", "JPY", "KWD", "CNY"])
CODES = st.from_regex(r"\AN[A-Z0-9]{3}\Z")
REFERENCES = st.one_of(
    st.just(""), st.from_regex(r"\A[A-Z0-9][A-Z0-9 ./-]{0,14}[A-Z0-9]\Z")
).filter(lambda r: "//" not in r and r != "NONREF")
ACCOUNTS = st.one_of(
    st.from_regex(r"\A[0-9]{5,20}\Z"),
    st.sampled_from(["NL71RABO0123456789", "DE89370400440532013000"]),
)


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    currency = draw(CURRENCIES)
    start = draw(st.dates(date(2000, 1, 2), date(2099, 11, 1)))
    end = start + timedelta(days=draw(st.integers(0, 40)))
    span = (end - start).days
    amounts = st.integers(-(10**11), 10**11)
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        booked = start + timedelta(days=draw(st.integers(0, span)))
        value = booked + timedelta(days=draw(st.integers(-40, 40)))
        value = min(max(value, date(2000, 1, 1)), date(2099, 12, 31))
        entries.append(Entry(draw(amounts), booked, value, draw(CODES), draw(REFERENCES)))
    account = draw(ACCOUNTS)
    opening, closing = draw(amounts), draw(amounts)
    return Statement(
        "", "", "MT940", account, currency, start, end, opening, closing, tuple(entries)
    )


def unlocated(s: Statement) -> Statement:
    entries = tuple(attrs.evolve(e, where="") for e in s.entries)
    return attrs.evolve(s, file="", where="", entries=entries)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(statements(), max_size=4))
def test_read_of_write_gives_the_statements_back(tmp_path: Path, written: list[Statement]) -> None:
    path = write(tmp_path, write_mt940(written), "round.sta")
    got = READER.extract(path) if written else Statements()
    assert got.problems == ()
    assert [unlocated(s) for s in got.statements] == written


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": ""}, "MT940 transaction type"),
        ({"code": "PMNT/RCDT/ESCT"}, "MT940 transaction type"),
        ({"reference": "A" * 17}, "16x"),
        ({"reference": "A//B"}, "16x"),
        ({"value": date(2024, 1, 1)}, "180 days"),
    ],
)
def test_the_writer_refuses_what_mt940_cannot_carry(change: dict[str, Any], expected: str) -> None:
    entry = attrs.evolve(Entry(100, date(2025, 7, 1), date(2025, 7, 1), "NTRF", "R"), **change)
    s = Statement("", "", "MT940", "1", "EUR", date(2025, 7, 1), date(2025, 7, 1), 0, 100, (entry,))
    with pytest.raises(ValueError, match=expected):
        write_mt940([s])


# -- hostile files -----------------------------------------------------------------------

VALID = write_mt940(
    [
        Statement(
            "",
            "",
            "MT940",
            "NL71RABO0123456789",
            "EUR",
            date(2025, 7, 1),
            date(2025, 7, 2),
            100000,
            90000,
            (
                Entry(-5000, date(2025, 7, 1), date(2025, 6, 30), "NSWP", "S1"),
                Entry(-5000, date(2025, 7, 2), date(2025, 7, 2), "NTRF", ""),
            ),
        )
    ]
)


@st.composite
def broken(draw: st.DrawFn) -> bytes:
    """A valid file with a few edits: characters replaced, lines dropped or repeated, junk
    inserted (tags, signs, digits, commas, binary), or plain junk."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    text = VALID
    alphabet = st.sampled_from(list(":61:60F62F25:20:CDRCRD,0123456789-}\n\x00\xff NTRF"))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "line"]))
        junk = "".join(draw(st.lists(alphabet, min_size=1, max_size=8)))
        if action == "replace":
            text = text[:at] + junk + text[at + len(junk) :]
        elif action == "insert":
            text = text[:at] + junk + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))]) if draw(
                st.booleans()
            ) else lines.pop(i)
            text = "\n".join(lines)
    return text.encode("utf-8", "surrogateescape")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(broken())
def test_broken_files_give_located_problems_never_an_exception(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.sta"
    path.write_bytes(data)
    if READER.identify(path):
        try:
            got = READER.extract(path)
        except StatementError as exc:
            assert all(p.file == str(path) for p in exc.problems)
            return
        assert all(p.file == str(path) for p in got.problems)
        assert got.statements or got.problems
        for s in got.statements:  # whatever was read whole is a statement the writer can
            assert s.start <= s.end
    got_all = read_statements([path])
    assert got_all.statements or got_all.problems
