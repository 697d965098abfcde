"""SWIFT MT940 customer statements, read with the `mt-940` package (WoLpH/mt940), and written.

The file is cut into statements here (each from its `:20:` to the end of the message, a line
`-` or `-}`), with the line of every tag, so that each problem names its statement, entry and
line; each tag's value is then parsed by the package's own tag parsers (`mt940.tags`: the
balance fields 60F/60M/62F/62M and the statement line 61 with its dates, marks, amount, type
code and references). The package is lenient by design (it reads what banks send), so this
reader adds the checks of the SWIFT field specifications it skips: one `:25:`, one opening
and one closing balance, the decimal comma, an ISO 4217 currency, a transaction type code on
every `:61:` (without one the package merges two statement lines into one), real dates (the
package turns 30 February into 28 February), no unknown tags. docs/statements.md, "MT940",
gives the rules for dates and signs and the sources.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import mt940

from cashmgmt.errors import shown
from cashmgmt.inputs.statements.records import Entry, Statement, minor_amount
from cashmgmt.inputs.statements.textfile import Problems, head, read_text
from cashmgmt.money import exponent, from_minor, is_currency

if TYPE_CHECKING:
    from cashmgmt.inputs.statements import Statements

# mt-940 logs every value its patterns refuse at ERROR level; the problems here say it, located.
logging.getLogger("mt940").addHandler(logging.NullHandler())

FORMAT = "MT940"

#: A tag at the start of a line: `:20:`, `:28C:`, `:NS:`.
_TAG = re.compile(r":(?P<tag>[0-9]{2}[A-Z]?|NS):")
#: The tags of an MT940 (SWIFT MT 940 field specifications, plus the :NS: that German banks
#: add); those read are 20, 25, 28/28C, 60F/60M, 61 and 62F/62M.
_KNOWN = frozenset(
    {"13D", "20", "21", "25", "25P", "28", "28C", "34F", "60F", "60M", "61", "62F", "62M"}
    | {"64", "65", "86", "90C", "90D", "NS"}
)
#: Longest value of a tag that is parsed (a :61: is at most two lines of 65 characters): a
#: longer one is refused before a pattern sees it, so no value costs more than a moment.
_MAX_VALUE = 300
#: A balance, 1!a6!n3!a15d: mark, YYMMDD, currency, amount with its decimal comma.
_BALANCE = re.compile(r"[CD]\d{6}[A-Z]{3}(?P<amount>\d+,\d*)")
_AMOUNT = re.compile(r"\d+,\d*")
#: The transaction type identification code of a :61:, 1!a3!c: N (a bank's own code such as
#: NTRF, NMSC, NSWP), S (the SWIFT message type that caused it, S103) or F (first advice).
_CODE = re.compile(r"[NSF][A-Z0-9]{3}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
#: The debit/credit mark of a :61: and the sign it gives: RC, the reversal of a credit, takes
#: money out like a debit; RD, the reversal of a debit, puts it back like a credit.
_SIGN = {"C": 1, "D": -1, "RC": -1, "RD": 1}
#: The text a customer reference holds when there is none (SWIFT's usage rule for :61:).
NO_REFERENCE = "NONREF"


@attrs.frozen
class _Tag:
    tag: str
    line: int
    value: str


@attrs.frozen
class _Page:
    """One message: a statement, or a page of one (60M/62M)."""

    where: str
    account: str
    currency: str
    opening_kind: str
    opening_date: date
    opening: int
    closing_kind: str
    closing_date: date
    closing: int
    entries: tuple[Entry, ...]


class MT940Reader:
    """Reads SWIFT MT940 customer statement files."""

    name = FORMAT

    def identify(self, path: Path) -> bool:
        text = head(path)
        return bool(
            re.search(r"(?m)^:20:", text)
            and re.search(r"(?m)^:(?:25|28C?|60[FM]|61|62[FM]):", text)
        )

    def extract(self, path: Path) -> Statements:
        from cashmgmt.inputs.statements import StatementBalance, Statements

        file = str(path)
        text = read_text(path, FORMAT)
        problems = Problems(file)
        pages = [page for tags in _messages(text) if (page := _page(file, tags, problems))]
        if not pages and not len(problems):
            problems.add("", "expected an MT940 statement: :20:, :25:, :60F:, :61: …, :62F:")
        statements = tuple(_statements(file, pages, problems))
        balances = tuple(
            StatementBalance(s.account, s.end, s.currency, s.closing) for s in statements
        )
        return Statements(balances, problems.finish(), statements)


def _messages(text: str) -> Iterator[list[_Tag]]:
    """Each statement's tags with their lines: from a `:20:` to the end of its message (a line
    `-` or `-}`) or the next `:20:`. Lines outside a statement (SWIFT headers such as
    `{1:F01…}{2:…}{4:` or a bank's `ABNANL2A / 940` lines) are skipped."""
    tags: list[_Tag] | None = None
    tag, start, parts = "", 0, list[str]()
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.rstrip()
        match = _TAG.match(line)
        ends = line == "-" or line.startswith("-}")
        if tags is not None and tag and (match or ends):
            tags.append(_Tag(tag, start, "\n".join(parts).strip()))
            tag = ""
        if match and match["tag"] == "20":
            if tags:
                yield tags
            tags = []
        if tags is None:
            continue
        if ends:
            yield tags
            tags = None
        elif match:
            tag, start, parts = match["tag"], number, [line[match.end() :]]
        elif line.strip() and tag:
            parts.append(line)
    if tags is not None:
        if tag:
            tags.append(_Tag(tag, start, "\n".join(parts).strip()))
        yield tags


#: The statement the package's tag parsers are given: they read only its (empty) currency.
_TRANSACTIONS = mt940.models.Transactions()


def _library_tag(tag_id: str) -> mt940.tags.Tag:
    """mt-940's parser of a tag (its registry keys numeric tags as int: 61, 25)."""
    by_id: dict[int | str, mt940.tags.Tag] = mt940.tags.TAG_BY_ID
    return by_id[tag_id] if tag_id in by_id else by_id[int(tag_id)]


def _parsed(tag_id: str, value: str, **groups: str | None) -> dict[str, Any] | None:
    """`value` through mt-940's parser of the tag (its pattern, then its model objects), the
    groups given replacing those matched; None when the pattern or a value is refused."""
    tag = _library_tag(tag_id)
    match = tag.re.match(value)
    if match is None:
        return None
    found = {**match.groupdict(), **groups}
    try:
        return tag(_TRANSACTIONS, found)
    except (ValueError, ArithmeticError, LookupError, TypeError):
        return None


def _page(file: str, tags: list[_Tag], problems: Problems) -> _Page | None:
    """One message's statement, or None (with problems) when it cannot be read whole."""
    reference = tags[0].value.split("\n")[0].strip()
    where = f"statement {shown(reference, 40)} (line {tags[0].line})"
    before = len(problems)

    def problem(at: _Tag, message: str) -> None:
        problems.add(f"{where}, :{at.tag}: (line {at.line})", message)

    found: dict[str, list[_Tag]] = {}
    for tag in tags[1:]:
        if tag.tag not in _KNOWN:
            known = ":25:, :28C:, :60F:/:60M:, :61:, :86:, :62F:/:62M:, :64:, :65:"
            problem(tag, f"unknown tag; expected an MT940 tag ({known})")
        elif tag.tag in {"86", "NS"}:
            continue  # free text, not read
        elif len(tag.value) > _MAX_VALUE:
            problem(tag, f"expected a value of at most {_MAX_VALUE} characters")
        else:
            found.setdefault(tag.tag[:2], []).append(tag)

    def one(key: str, what: str) -> _Tag | None:
        got = found.get(key, [])
        if len(got) != 1:
            at = f"{where}, line {got[1].line}" if got else where
            problems.add(at, f"expected one {what}, found {len(got)}")
            return None
        return got[0]

    account_tag = one("25", "account identification :25:")
    opening_tag = one("60", "opening balance :60F: or :60M:")
    closing_tag = one("62", "closing balance :62F: or :62M:")
    opening = _balance(opening_tag, file, where, problems) if opening_tag else None
    closing = _balance(closing_tag, file, where, problems) if closing_tag else None
    if opening and closing:
        if closing[2] != opening[2]:
            message = (
                f"expected the closing balance in {opening[2]}, the opening balance's currency"
            )
            problem(closing_tag or tags[0], message)
        if closing[1] < opening[1]:
            message = f"expected a closing date on or after the opening balance's ({opening[1]})"
            problem(closing_tag or tags[0], message)
    entries: list[Entry] = []
    for n, tag in enumerate(found.get("61", []), 1):
        entry_where = f"{where}, entry {n} (line {tag.line})"
        if opening_tag and closing_tag and not opening_tag.line < tag.line < closing_tag.line:
            message = "expected the entry between the opening and the closing balance"
            problems.add(entry_where, message)
        if opening:
            entry = _entry(tag, opening[2], file, entry_where, problems)
            if entry is not None:
                entries.append(entry)
    if len(problems) > before or not (account_tag and opening_tag and closing_tag):
        return None
    if not (opening and closing):
        return None
    account = _account(account_tag.value, opening[2])
    if not account:
        problem(account_tag, "expected an account number or IBAN")
        return None
    return _Page(
        where,
        account,
        opening[2],
        opening_tag.tag[2:],
        opening[1],
        opening[0],
        closing_tag.tag[2:],
        closing[1],
        closing[0],
        tuple(entries),
    )


def _balance(tag: _Tag, file: str, where: str, problems: Problems) -> tuple[int, date, str] | None:
    """A balance field as (minor units, date, currency), or None and a problem."""
    at = f"{where}, :{tag.tag}: (line {tag.line})"
    expected = (
        "expected a balance: C or D, the date YYMMDD, an ISO 4217 currency and an amount "
        "with a decimal comma (C250131EUR1234,56)"
    )
    match = _BALANCE.fullmatch(tag.value)
    if match is None or len(match["amount"]) > 15:
        problems.add(at, f"{expected}, not {shown(tag.value, 40)}")
        return None
    parsed = _parsed(tag.tag, tag.value)
    if parsed is None:
        problems.add(at, f"{expected}; the date {tag.value[1:7]} is not a day")
        return None
    balance = next(iter(parsed.values()))
    amount: Decimal = balance.amount.amount
    currency = str(balance.amount.currency)
    minor, problem = minor_amount(amount, currency, file, at)
    if problem is not None:
        problems.extend([problem])
        return None
    assert minor is not None
    return minor, date(balance.date.year, balance.date.month, balance.date.day), currency


def _entry(tag: _Tag, currency: str, file: str, where: str, problems: Problems) -> Entry | None:
    """A statement line :61: as an Entry, or None and a problem."""
    expected = (
        "expected a statement line: value date YYMMDD, entry date MMDD (optional), "
        "C, D, RC or RD, an amount with a decimal comma, a transaction type such as NTRF "
        "and a reference"
    )
    # The entry date is read here, not by mt-940: its guess of the year builds the date in
    # the value date's year first, which fails for 29 February beside a value date in
    # another year.
    parsed = _parsed("61", tag.value, entry_month=None, entry_day=None)
    match = _library_tag("61").re.match(tag.value)
    if parsed is None or match is None:
        problems.add(where, f"{expected}, not {shown(tag.value, 40)}")
        return None
    mark = str(match["status"])
    if mark not in _SIGN:
        problems.add(where, f"expected the mark C, D, RC or RD, not {shown(mark)}")
        return None
    if not _AMOUNT.fullmatch(match["amount"]):
        problems.add(
            where, f"expected an amount with a decimal comma, not {shown(match['amount'])}"
        )
        return None
    code = str(match["id"] or "")
    if not _CODE.fullmatch(code):
        message = "expected a transaction type after the amount (N, S or F and 3 characters: NTRF)"
        problems.add(where, message)
        return None
    value = date(parsed["date"].year, parsed["date"].month, parsed["date"].day)
    booked = _entry_date(value, match["entry_month"], match["entry_day"])
    if booked is None:
        month, day = match["entry_month"], match["entry_day"]
        problems.add(where, f"expected an entry date MMDD, not {shown(f'{month}{day}')}")
        return None
    minor, problem = minor_amount(abs(parsed["amount"].amount), currency, file, where)
    if problem is not None:
        problems.extend([problem])
        return None
    assert minor is not None
    reference = str(match["customer_reference"] or "").strip()
    reference = "" if reference == NO_REFERENCE else reference
    return Entry(_SIGN[mark] * minor, booked, value, code, reference, where)


def _entry_date(value: date, month: str | None, day: str | None) -> date | None:
    """The entry (booking) date of a :61:, given as MMDD without a year: the day with that
    month and day nearest the value date (in its year, the year before or the year after), so
    an entry booked on 2 January for a value date of 30 December falls in the next year. No
    entry date (or four spaces) means the value date."""
    if not (month and day and month.isdigit() and day.isdigit()):
        return None if (month or day or "").strip() else value
    nearest: date | None = None
    for year in (value.year - 1, value.year, value.year + 1):
        try:
            candidate = date(year, int(month), int(day))
        except ValueError:
            continue
        if nearest is None or abs(candidate - value) < abs(nearest - value):
            nearest = candidate
    return nearest


def _is_iban(text: str) -> bool:
    """Whether `text` has an IBAN's shape and check digits (ISO 13616 mod 97)."""
    if not _IBAN.fullmatch(text):
        return False
    digits = "".join(str(int(c, 36)) for c in text[4:] + text[:4])
    return int(digits) % 97 == 1


def _account(text: str, currency: str) -> str:
    """The account of a :25: as written, less a BIC in front (`RABONL2U/0123456789` gives
    `0123456789`) and the currency some banks write after an IBAN (`NL69INGB0123456789EUR`).
    A German bank code in front (`37070024/0123456789`) is part of the account and stays."""
    account = text.split("\n")[0].strip()
    prefix, slash, rest = account.partition("/")
    if slash and rest.strip() and _BIC.fullmatch(prefix):
        account = rest.strip()
    if account.endswith(currency) and not _is_iban(account) and _is_iban(account[:-3]):
        account = account[:-3]
    return account


def _statements(file: str, pages: list[_Page], problems: Problems) -> Iterator[Statement]:
    """The statements of the pages: a page ending in :62M: and the next page of the same
    account opening with :60M: are one statement (SWIFT: a statement too long for one message
    goes out as several, all but the last closing with 62M and all but the first opening
    with 60M)."""
    joined: list[_Page] = []
    for page in pages:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.closing_kind == "M"
            and page.opening_kind == "M"
            and (last.account, last.currency) == (page.account, page.currency)
        ):
            if page.opening != last.closing:
                message = (
                    "expected the intermediate opening balance :60M: to equal the previous "
                    f"page's :62M: ({from_minor(last.closing, last.currency)})"
                )
                problems.add(page.where, message)
            joined[-1] = attrs.evolve(
                last,
                closing_kind=page.closing_kind,
                closing_date=page.closing_date,
                closing=page.closing,
                entries=last.entries + page.entries,
            )
        else:
            joined.append(page)
    for page in joined:
        yield Statement(
            file=file,
            where=page.where,
            format=FORMAT,
            account=page.account,
            currency=page.currency,
            start=_start(page.opening_date, page.closing_date),
            end=page.closing_date,
            opening=page.opening,
            closing=page.closing,
            entries=page.entries,
        )


def _start(opening: date, closing: date) -> date:
    """The first day a statement covers. The opening balance :60F: repeats the previous
    statement's closing balance :62F:, date included (SWIFT usage rule), so it is the balance
    at the end of its date and the statement starts the day after; a statement whose opening
    and closing balances bear the same date covers that one day."""
    return opening + timedelta(days=1) if closing > opening else closing


def write_mt940(statements: Iterable[Statement]) -> str:
    """MT940 text for `statements`, one message each (`:20:`, `:25:`, `:28C:`, `:60F:`, a
    `:61:` per entry, `:62F:`, then `-`), which `MT940Reader` reads back to the same
    statements (file and locations aside).

    Written here rather than with mt-940: the package reads MT940 and has no writer. Each
    `:60F:` is dated the day before the statement's start (the previous statement's closing
    date), each `:62F:` its end. An entry's code must be an MT940 transaction type (NTRF,
    NMSC, NSWP…) and its reference at most 16 characters without `//` (an empty one is
    written NONREF); dates must fall in 2000–2099 (years have two digits) and an entry's
    booking date within 180 days of its value date (the entry date has no year). ValueError
    names the statement and entry that break these rules."""
    lines: list[str] = []
    for number, statement in enumerate(statements, 1):
        where = f"statement {number} ({statement.account})"
        currency = statement.currency
        if not is_currency(currency):
            raise ValueError(f"{where}: expected an ISO 4217 currency, not {currency!r}")
        account = statement.account
        if not account or len(account) > 35 or _account(account, currency) != account:
            raise ValueError(f"{where}: the account cannot be written as an MT940 :25:")
        lines += [
            f":20:S{number:05d}{statement.end:%y%m%d}"[:20],
            f":25:{account}",
            f":28C:{(number - 1) % 99999 + 1}/1",
            ":60F:"
            + _written_balance(statement.opening, statement.start - timedelta(1), where, currency),
        ]
        for n, entry in enumerate(statement.entries, 1):
            lines.append(":61:" + _written_entry(entry, currency, f"{where}, entry {n}"))
        lines += [
            ":62F:" + _written_balance(statement.closing, statement.end, where, currency),
            "-",
        ]
    return "\n".join(lines) + "\n" if lines else ""


def _written_date(day: date, where: str) -> str:
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"{where}: MT940 writes years with two digits; {day} is not in 2000-2099")
    return f"{day:%y%m%d}"


def _written_amount(minor: int, currency: str, where: str) -> str:
    text = format(from_minor(abs(minor), currency), "f").replace(".", ",")
    text = text if exponent(currency) else text + ","
    if len(text) > 15:
        raise ValueError(f"{where}: the amount {text} is longer than MT940's 15 characters")
    return text


def _written_balance(minor: int, day: date, where: str, currency: str) -> str:
    mark = "C" if minor >= 0 else "D"
    return f"{mark}{_written_date(day, where)}{currency}{_written_amount(minor, currency, where)}"


def _written_entry(entry: Entry, currency: str, where: str) -> str:
    if not _CODE.fullmatch(entry.code):
        raise ValueError(f"{where}: expected an MT940 transaction type (NTRF), not {entry.code!r}")
    reference = entry.reference or NO_REFERENCE
    if (
        len(reference) > 16
        or "//" in reference
        or reference != reference.strip()
        or not reference.isascii()
        or not reference.isprintable()
        or entry.reference == NO_REFERENCE
    ):
        raise ValueError(f"{where}: the reference {entry.reference!r} cannot be an MT940 16x")
    if abs((entry.booked - entry.value).days) > 180:
        raise ValueError(f"{where}: the booking date is more than 180 days from the value date")
    mark = "C" if entry.minor >= 0 else "D"
    return (
        f"{_written_date(entry.value, where)}{_written_date(entry.booked, where)[2:]}{mark}"
        f"{_written_amount(entry.minor, currency, where)}{entry.code}{reference}"
    )
