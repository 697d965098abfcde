"""BAI2 cash-management balance reports, read and written with the `bai2` package
(ministryofjustice/bai2).

The package parses the records (01 file header, 02 group header, 03 account identifier with
its summary and status amounts, 16 transaction detail, 88 continuation, 49/98/99 trailers)
into a tree; it is run without its own integrity check, which stops at the first mismatch
without saying where, and this reader checks the control totals and record counts itself,
each mismatch a problem at its trailer's line. Per account per group it yields one
`Statement` of the group's as-of date: opening ledger (010), closing ledger (015) and an
entry per 16 record, signed by its type code (credits 100–399, debits 400–699). The rules
and sources are in docs/statements.md, "BAI2".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bai2 import bai2 as bai2_io
from bai2.constants import AsOfDateModifier, FundsType, GroupStatus, TypeCodes
from bai2.helpers import IteratorHelper
from bai2.models import (
    Account,
    AccountIdentifier,
    Bai2File,
    Bai2FileHeader,
    Group,
    GroupHeader,
    Summary,
    TransactionDetail,
)
from bai2.parsers import Bai2FileParser

from cashmgmt.errors import shown
from cashmgmt.inputs.statements.records import Entry, Statement, minor_amount
from cashmgmt.inputs.statements.textfile import Problems, head, read_text
from cashmgmt.money import exponent, is_currency

if TYPE_CHECKING:
    from cashmgmt.inputs.statements import Statements

FORMAT = "BAI2"

#: The group currency when the 02 record gives none (BAI2 spec: "default is USD").
DEFAULT_CURRENCY = "USD"
OPENING_LEDGER = "010"
CLOSING_LEDGER = "015"

#: What each record holds, for a problem at a record the package refuses.
_EXPECTED = {
    "01": "expected a file header: 01,sender,receiver,creation date YYMMDD,time HHMM,file id,"
    "record length,block size,version 2/",
    "02": "expected a group header: 02,receiver,originator,status 1-4,as-of date YYMMDD,"
    "time,currency,as-of date modifier 1-4/",
    "03": "expected an account identifier: 03,account,currency, then per amount its type "
    "code (010, 015, …),amount,item count,funds type/",
    "16": "expected a transaction detail: 16,type code (a BAI2 code such as 275 or 575),"
    "amount in minor units,funds type,bank reference,customer reference,text/",
    "49": "expected an account trailer: 49,account control total,number of records/",
    "98": "expected a group trailer: 98,group control total,number of accounts,number of records/",
    "99": "expected a file trailer: 99,file control total,number of groups,number of records/",
    "88": "expected a continuation (88) of the record before it",
}


class _Counting(IteratorHelper):  # type: ignore[misc]
    """The package's record iterator, counting the records it has handed out so that a
    refused record can be named by its line."""

    def __init__(self, lines: list[str]) -> None:
        self.count = 0
        self.exhausted = False
        super().__init__(lines)

    def advance(self) -> None:
        try:
            super().advance()
        except StopIteration:
            self.exhausted = True
            raise
        self.count += 1


class BAI2Reader:
    """Reads BAI2 (version 2) balance and transaction report files."""

    name = FORMAT

    def identify(self, path: Path) -> bool:
        text = head(path).lstrip("\ufeff\xef\xbb\xbf \t\r\n")
        return text.startswith("01,")

    def extract(self, path: Path) -> Statements:
        from cashmgmt.inputs.statements import StatementBalance, Statements

        file = str(path)
        problems = Problems(file)
        lines = [
            (number, line.strip())
            for number, line in enumerate(read_text(path, FORMAT).splitlines(), 1)
            if line.strip()
        ]
        for number, line in lines:
            if line[:2] not in _EXPECTED or line[2:3] != ",":
                problems.add(
                    f"line {number}",
                    "expected a BAI2 record: 01, 02, 03, 16, 49, 88, 98 or 99, then a comma",
                )
        if lines and lines[0][1].startswith("88,"):
            problems.add(f"line {lines[0][0]}", _EXPECTED["01"])
        if not lines:
            problems.add("", "expected a BAI2 file, starting with a file header 01")
        if len(problems):
            return Statements(problems=problems.finish())
        starts = [number for number, line in lines if not line.startswith("88,")]
        records = _Counting([line for _, line in lines])
        try:
            parsed = Bai2FileParser(records, check_integrity=False).parse()
        except Exception as exc:  # the package raises what its field parsers raise
            at = starts[min(records.count, len(starts)) - 1]
            code = next(line for number, line in lines if number == at)[:2]
            message = f"{_EXPECTED[code]} (the bai2 package: {shown(str(exc), 80)})"
            if records.exhausted:  # the last record was read and more were wanted
                message = f"{_EXPECTED['99']} at the end of the file, after this record"
            problems.add(f"line {at}", message)
            return Statements(problems=problems.finish())
        if not records.exhausted:
            at = starts[records.count - 1]
            problems.add(f"line {at}", "expected nothing after the file trailer 99")
        statements = tuple(_Walk(file, starts, problems).whole(parsed))
        balances = tuple(
            StatementBalance(s.account, s.end, s.currency, s.closing) for s in statements
        )
        return Statements(balances, problems.finish(), statements)


class _Walk:
    """Goes through the parsed tree in file order, so that the k-th record is on line
    starts[k], checking control totals and yielding statements."""

    def __init__(self, file: str, starts: list[int], problems: Problems) -> None:
        self.file = file
        self.starts = starts
        self.problems = problems
        self.index = -1

    def line(self) -> int:
        """The line of the next record."""
        self.index += 1
        return self.starts[min(self.index, len(self.starts) - 1)]

    def check(self, at: int, what: str, stated: object, counted: int) -> None:
        if stated != counted:
            said = "blank" if stated is None else shown(stated)
            message = f"expected the {what} to be {counted}, the file says {said}"
            self.problems.add(f"line {at}", message)

    def whole(self, parsed: Any) -> Iterator[Statement]:
        self.line()
        total = 0
        records = len(parsed.header.rows)
        for number, group in enumerate(parsed.children, 1):
            statements, group_total, group_records = self.group(group, number)
            yield from statements
            total += group_total
            records += group_records
        at = self.line()
        records += len(parsed.trailer.rows)
        trailer = parsed.trailer
        self.check(at, "file control total (99)", trailer.file_control_total, total)
        self.check(at, "number of groups (99)", trailer.number_of_groups, len(parsed.children))
        self.check(at, "number of records (99)", trailer.number_of_records, records)

    def group(self, group: Any, number: int) -> tuple[list[Statement], int, int]:
        at = self.line()
        header = group.header
        as_of: date | None = header.as_of_date
        if as_of is None:
            self.problems.add(f"line {at}", "expected the group's as-of date YYMMDD")
        currency = str(header.currency or DEFAULT_CURRENCY)
        statements: list[Statement] = []
        total = 0
        records = len(header.rows)
        for account in group.children:
            statement, account_total, account_records = self.account(account, as_of, currency)
            if statement is not None:
                statements.append(statement)
            total += account_total
            records += account_records
        at = self.line()
        records += len(group.trailer.rows)
        trailer = group.trailer
        self.check(at, "group control total (98)", trailer.group_control_total, total)
        self.check(at, "number of accounts (98)", trailer.number_of_accounts, len(group.children))
        self.check(at, "number of records (98)", trailer.number_of_records, records)
        return statements, total, records

    def account(
        self, account: Any, as_of: date | None, group_currency: str
    ) -> tuple[Statement | None, int, int]:
        at = self.line()
        header = account.header
        number = str(header.customer_account_number or "")
        dated = f" as of {as_of.isoformat()}" if as_of else ""
        where = f"account {shown(number, 40)}{dated} (line {at})"
        before = len(self.problems)
        currency = str(header.currency or group_currency)
        if not number:
            self.problems.add(where, "expected the customer account number")
        if not is_currency(currency):
            self.problems.add(where, f"expected an ISO 4217 currency code, not {shown(currency)}")
        total = 0
        balances: dict[str, list[int]] = {}
        for item in header.summary_items:
            total += item.amount or 0
            code = item.type_code.code if item.type_code is not None else None
            if code is None:
                self.problems.add(where, "expected a type code on every summary item")
            elif code in (OPENING_LEDGER, CLOSING_LEDGER):
                balances.setdefault(code, []).append(item.amount)
        ledger: dict[str, int] = {}
        for code, name in ((OPENING_LEDGER, "opening ledger"), (CLOSING_LEDGER, "closing ledger")):
            got = balances.get(code, [])
            if len(got) != 1 or got[0] is None:
                self.problems.add(where, f"expected one {name} ({code}) amount, found {len(got)}")
            elif is_currency(currency):
                minor = self.minor(got[0], currency, where)
                if minor is not None:
                    ledger[code] = minor
        entries: list[Entry] = []
        for n, detail in enumerate(account.children, 1):
            total += detail.amount or 0
            entry = self.entry(detail, f"{where}, entry {n} (line {self.line()})", as_of, currency)
            if entry is not None:
                entries.append(entry)
        at = self.line()
        records = len(header.rows) + sum(len(d.rows) for d in account.children)
        records += len(account.trailer.rows)
        trailer = account.trailer
        self.check(at, "account control total (49)", trailer.account_control_total, total)
        self.check(at, "number of records (49)", trailer.number_of_records, records)
        if len(self.problems) > before or as_of is None or len(ledger) != 2:
            return None, total, records
        statement = Statement(
            file=self.file,
            where=where,
            format=FORMAT,
            account=number,
            currency=currency,
            start=as_of,
            end=as_of,
            opening=ledger[OPENING_LEDGER],
            closing=ledger[CLOSING_LEDGER],
            entries=tuple(entries),
        )
        return statement, total, records

    def minor(self, amount: int, currency: str, where: str) -> int | None:
        """An amount in the currency's implied decimals, checked like every statement's."""
        minor, problem = minor_amount(
            Decimal(amount).scaleb(-exponent(currency)), currency, self.file, where
        )
        if problem is not None:
            self.problems.extend([problem])
        return minor

    def entry(self, detail: Any, where: str, as_of: date | None, currency: str) -> Entry | None:
        code = detail.type_code
        if code is None:
            self.problems.add(where, "expected a type code")
            return None
        kind = code.transaction.value if code.transaction is not None else ""
        if detail.amount is None:
            self.problems.add(where, "expected an amount in minor units")
            return None
        if detail.amount < 0:
            message = "expected an amount without a sign: the type code says credit or debit"
            self.problems.add(where, message)
            return None
        if kind not in ("credit", "debit"):
            if kind == "misc" and detail.amount == 0:
                return None  # 890: non-monetary information, nothing booked
            message = (
                f"expected a credit (100-399) or debit (400-699) type code, not {code.code} "
                f"({code.description})"
            )
            self.problems.add(where, message)
            return None
        if as_of is None or not is_currency(currency):
            return None
        minor = self.minor(detail.amount, currency, where)
        if minor is None:
            return None
        value = as_of
        if detail.funds_type == FundsType.value_dated and detail.availability:
            value = detail.availability.get("date") or as_of
        sign = 1 if kind == "credit" else -1
        reference = str(detail.bank_reference or "").strip()
        return Entry(sign * minor, as_of, value, code.code, reference, where)


def write_bai2(
    statements: Iterable[Statement],
    *,
    sender: str,
    receiver: str,
    created: datetime,
    file_id: str = "1",
) -> str:
    """A BAI2 file of `statements`, written with the bai2 package's writer (control totals
    and record counts are its own): a group per as-of date, in date order, and in it an
    account per statement covering that day with its opening (010) and closing (015) ledger
    and a 16 record per entry (the entry's code as type code, its reference as bank
    reference, funds type V with the value date when it differs from the as-of date).
    BAI2 reports one day: a statement over several days is written as one report a day,
    each day opening where the previous one closed by the entries and the last closing at
    the statement's closing balance. `BAI2Reader` reads it back to the same statements when
    each covers one day. ValueError names an entry whose code is not a BAI2 credit or debit
    code of its sign, an entry outside its statement's days, or a text with a comma or a
    slash (BAI2's delimiters)."""
    days: dict[date, list[Account]] = {}
    _year(created.date(), "the creation date")
    currencies: dict[date, set[str]] = {}
    for number, statement in enumerate(statements, 1):
        where = f"statement {number} ({statement.account})"
        _plain(statement.account, f"{where}: the account")
        if not is_currency(statement.currency):
            raise ValueError(f"{where}: expected an ISO 4217 currency, not {statement.currency!r}")
        covered = statement.day_closings()
        booked = {day for day, _ in covered}
        for n, entry in enumerate(statement.entries, 1):
            if entry.booked not in booked:
                raise ValueError(f"{where}, entry {n}: booked outside the statement's days")
        opening = statement.opening
        for i, (day, closing) in enumerate(covered):
            _year(day, where)
            closing = statement.closing if i == len(covered) - 1 else closing
            details = [
                _detail(entry, day, f"{where}, entry {n}")
                for n, entry in enumerate(statement.entries, 1)
                if entry.booked == day
            ]
            header = AccountIdentifier(
                customer_account_number=statement.account,
                currency=statement.currency,
                summary_items=[
                    Summary(type_code=TypeCodes[OPENING_LEDGER], amount=opening),
                    Summary(type_code=TypeCodes[CLOSING_LEDGER], amount=closing),
                ],
            )
            days.setdefault(day, []).append(Account(header=header, children=details))
            currencies.setdefault(day, set()).add(statement.currency)
            opening = closing
    groups = [
        Group(
            header=GroupHeader(
                ultimate_receiver_id=_plain(receiver, "the receiver"),
                originator_id=_plain(sender, "the sender"),
                group_status=GroupStatus.update,
                as_of_date=day,
                currency=next(iter(currencies[day])) if len(currencies[day]) == 1 else None,
                as_of_date_modifier=AsOfDateModifier.final_previous_day,
            ),
            children=accounts,
        )
        for day, accounts in sorted(days.items())
    ]
    header = Bai2FileHeader(
        sender_id=sender,
        receiver_id=receiver,
        creation_date=created.date(),
        creation_time=created.time().replace(second=0, microsecond=0),
        file_id=_plain(file_id, "the file id"),
        version_number=2,
    )
    return str(bai2_io.write(Bai2File(header=header, children=groups))) + "\n"


def _year(day: date, where: str) -> None:
    """BAI2 writes dates YYMMDD, read back as 1969-2068 (the bai2 package's strptime %y)."""
    if not 1969 <= day.year <= 2068:
        raise ValueError(f"{where}: BAI2 writes years with two digits; {day} is not in 1969-2068")


def _plain(text: str, what: str) -> str:
    """`text` if BAI2 can carry it in a field: no comma or slash, no line break, not blank."""
    if not text or text != text.strip() or any(c in text for c in ",/") or not text.isprintable():
        raise ValueError(f"{what} {text!r} cannot be a BAI2 field (no commas, slashes or breaks)")
    return text


def _detail(entry: Entry, day: date, where: str) -> TransactionDetail:
    code = TypeCodes.get(entry.code) if isinstance(TypeCodes, dict) else None
    kind = code.transaction.value if code is not None and code.transaction is not None else ""
    if (
        kind not in ("credit", "debit")
        or (entry.minor > 0 and kind != "credit")
        or (entry.minor < 0 and kind != "debit")
    ):
        raise ValueError(
            f"{where}: expected a BAI2 {'credit' if entry.minor > 0 else 'debit'} type code "
            f"(credits 100-399, debits 400-699), not {entry.code!r}"
        )
    if entry.reference:
        _plain(entry.reference, f"{where}: the reference")
    _year(entry.value, where)
    if entry.value == day:
        funds, availability = None, {}
    else:
        funds, availability = FundsType.value_dated, {"date": entry.value, "time": None}
    return TransactionDetail(
        type_code=code,
        amount=abs(entry.minor),
        funds_type=funds,
        availability=availability,
        bank_reference=entry.reference or None,
    )
