"""ISO 20022 bank-to-customer statements (camt.053) and account reports (camt.052).

A file is recognised by its namespace (`urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`),
parsed safely (no DTD, no entity expansion, no network, a size cap), validated against the
official XSD of its version (cashmgmt/reference/data/iso20022) and read into
`records.Statement`s, one per `Stmt` (camt.053) or `Rpt` (camt.052):

- the account as written (`Acct/Id/IBAN`, else `Acct/Id/Othr/Id`) and its currency
  (`Acct/Ccy`, else the currency of its booked balances);
- the opening booked balance: `OPBD`, the balance at the start of its date, so `start` is
  that date; or else `PRCD` (the previous statement's closing), the balance at the end of
  its date, so `start` is the day after;
- the closing booked balance `CLBD`, at the end of its date, which is `end`;
- in a camt.053, the interim booked balances `ITBD` (day-end balances within the run) as
  `closings`; a camt.052's `ITBD` is an intraday figure and is not read;
- the booked entries (status `BOOK`; pending and information-only entries are skipped) with
  their amount signed by `CdtDbtInd`, booking date, value date (the booking date where
  `ValDt` is absent), bank transaction code (`Domn/Fmly/SubFmly` as `PMNT/RCDT/ESCT`, else
  `PRTRY:<Prtry/Cd>`) and reference (`AcctSvcrRef`, else `NtryRef`, else the first
  transaction's `EndToEndId`).

Every problem is located: file, `statement '<Id>'` or `report '<Id>'`, `entry N` (the
entry's position among the statement's `Ntry`, booked or not) and the line. A statement with
a problem of its own is not yielded; a file that does not follow its schema yields nothing
but the schema's complaints. Whether the entries add up and statements follow each other is
for the checks: this reader yields the records exactly as the bank stated them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from cashmgmt.errors import Omitted, Problem, StatementError, shown
from cashmgmt.inputs.statements import StatementBalance, Statements
from cashmgmt.inputs.statements.records import Entry, Statement, minor_amount
from cashmgmt.reference.iso20022 import CAMT_VERSIONS, camt_schema

#: The namespace of a camt.052 or camt.053 message, any version.
NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[23])\.001\.(\d\d)")
_NAMESPACE_BYTES = re.compile(NAMESPACE.pattern.encode("ascii"))

#: Files larger than this are refused unread (a year of daily statements of one account is
#: well under a megabyte).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: How much of a file `identify` looks at for the namespace.
IDENTIFY_BYTES = 4096
#: Problems listed one by one per file; the rest are counted in one `Omitted` line.
MAX_PROBLEMS = 50
#: A schema complaint is cut to this many characters.
MAX_MESSAGE = 240

_SIGN = {"CRDT": 1, "DBIT": -1}
_OPENING = ("OPBD", "PRCD")
_READ_BALANCES = {"OPBD", "PRCD", "CLBD", "ITBD"}


class CamtReader:
    """Reads camt.053 statements and camt.052 account reports (message versions 001.02 to
    001.08), validated against the official ISO 20022 schemas."""

    name = "camt.053/camt.052"

    def identify(self, path: Path) -> bool:
        """Whether the start of the file names a camt.052 or camt.053 namespace."""
        try:
            with path.open("rb") as stream:
                head = stream.read(IDENTIFY_BYTES)
        except OSError:
            return False
        return _NAMESPACE_BYTES.search(head) is not None

    def extract(self, path: Path) -> Statements:
        """The statements of the file and the problems found; StatementError when the file
        is too large, not XML, declares a DTD or is no camt.052/camt.053 of a supported
        version."""
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            message = f"expected a statement file of at most {MAX_FILE_BYTES // 2**20} MiB"
            raise StatementError([Problem(str(path), "", message)])
        return read_camt(data, str(path))


def read_camt(data: bytes, file: str) -> Statements:
    """The statements in `data` (the bytes of a camt.052 or camt.053 file named `file`)."""
    root = _parse(data, file)
    message, version = _message(root, file)
    schema = camt_schema(message, version)
    if not schema.validate(root):
        problems = _schema_problems(schema, root, file, f"camt.{message}.001.{version}")
        return Statements(problems=_capped(problems, file))
    reader = _Reader(file, message, version, root)
    return reader.read()


def _parse(data: bytes, file: str) -> etree._Element:
    """The document's root element, parsed without DTDs, entities or network."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else ""
        detail = _cut(str(exc.msg or "unreadable"))
        raise StatementError(
            [Problem(file, where, f"expected well-formed XML ({detail})")]
        ) from None
    except ValueError as exc:  # lxml refuses some inputs (e.g. a str with an encoding)
        raise StatementError([Problem(file, "", f"expected XML ({_cut(str(exc))})")]) from None
    if root is None:
        raise StatementError([Problem(file, "", "expected an XML document, found nothing")])
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or getattr(docinfo, "internalDTD", None) is not None:
        message = "expected no document type declaration (DTD): ISO 20022 messages have none"
        raise StatementError([Problem(file, "line 1", message)])
    return root


def _message(root: etree._Element, file: str) -> tuple[str, str]:
    """(`053`, `08`) from the root's namespace; StatementError for anything else."""
    qname = etree.QName(root)
    found = NAMESPACE.fullmatch(qname.namespace or "")
    if qname.localname != "Document" or found is None:
        message = (
            "expected an ISO 20022 camt.053 or camt.052 Document, "
            f"found {shown(qname.localname)} in namespace {shown(qname.namespace or '')}"
        )
        raise StatementError([Problem(file, f"line {_line(root)}", message)])
    message_type, version = found.group(1), found.group(2)
    if version not in CAMT_VERSIONS:
        supported = ", ".join(f"001.{v}" for v in CAMT_VERSIONS)
        text = (
            f"camt.{message_type}.001.{version} is not a supported version "
            f"(expected one of {supported})"
        )
        raise StatementError([Problem(file, f"line {_line(root)}", text)])
    return message_type, version


def _schema_problems(
    schema: etree.XMLSchema, root: etree._Element, file: str, name: str
) -> list[Problem]:
    """The schema's complaints, each located at the statement and entry of its line."""
    by_line: dict[int, etree._Element] = {}
    for element in root.iter():
        line = _line(element)
        if isinstance(element.tag, str) and line:
            by_line.setdefault(line, element)
    problems: list[Problem] = []
    errors: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # untyped in stubs
    for error in errors:
        line = int(error.line)
        found = by_line.get(line)
        place = _place(found) if found is not None else ""
        where = f"{place} (line {line})" if place else f"line {line}"
        text = re.sub(r"\{[^}]*\}", "", str(error.message))
        problems.append(Problem(file, where, f"does not follow the {name} schema: {_cut(text)}"))
    return problems


def _line(element: etree._Element) -> int:
    """The element's line in the file (0 where lxml does not know it)."""
    line = element.sourceline
    return line if isinstance(line, int) else 0


def _place(element: etree._Element) -> str:
    """`statement 'ID', entry 3` for an element inside the third Ntry of that statement."""
    entry = ""
    node: etree._Element | None = element
    while node is not None:
        local = etree.QName(node).localname
        if local == "Ntry" and not entry:
            parent = node.getparent()
            if parent is not None:
                siblings = [n for n in parent if etree.QName(n).localname == "Ntry"]
                entry = f"entry {siblings.index(node) + 1}"
        if local in ("Stmt", "Rpt"):
            label = "statement" if local == "Stmt" else "report"
            ids = [c for c in node if etree.QName(c).localname == "Id"]
            ident = (ids[0].text or "").strip() if ids else ""
            head = f"{label} {shown(ident, 45)}"
            return f"{head}, {entry}" if entry else head
        node = node.getparent()
    return ""


def _capped(problems: list[Problem], file: str) -> tuple[Problem, ...]:
    """At most MAX_PROBLEMS problems, the rest counted in one Omitted line."""
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    rest = len(problems) - MAX_PROBLEMS
    omitted = Omitted(file, "", f"and {rest} more problems of the same file", rest)
    return (*problems[:MAX_PROBLEMS], omitted)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


class _Reader:
    """Reads the statements of one schema-valid document."""

    def __init__(self, file: str, message: str, version: str, root: etree._Element) -> None:
        self.file = file
        self.message = message
        self.format = f"camt.{message}.001.{version}"
        self.namespace = etree.QName(root).namespace or ""
        self.paths: dict[str, str] = {}
        self.root = root
        self.problems: list[Problem] = []

    def read(self) -> Statements:
        """Every statement (camt.053 `Stmt`) or report (camt.052 `Rpt`) of the document."""
        path = "c:BkToCstmrStmt/c:Stmt" if self.message == "053" else "c:BkToCstmrAcctRpt/c:Rpt"
        statements: list[Statement] = []
        balances: list[StatementBalance] = []
        for element in self.root.iterfind(self._path(path)):
            statement = self._statement(element)
            if statement is None:
                continue
            statements.append(statement)
            stated = [*statement.closings, (statement.end, statement.closing)]
            balances += [
                StatementBalance(statement.account, day, statement.currency, minor)
                for day, minor in stated
            ]
        return Statements(tuple(balances), _capped(self.problems, self.file), tuple(statements))

    # --- one statement ------------------------------------------------------------------

    def _statement(self, element: etree._Element) -> Statement | None:
        label = "statement" if self.message == "053" else "report"
        ident = self._text(element, "c:Id")
        name = f"{label} {shown(ident, 45)}"
        where = f"{name} (line {_line(element)})"
        before = len(self.problems)

        account = self._text(element, "c:Acct/c:Id/c:IBAN") or self._text(
            element, "c:Acct/c:Id/c:Othr/c:Id"
        )
        currency = self._text(element, "c:Acct/c:Ccy")
        found = self._balances(element, name)
        if not currency:  # no Acct/Ccy: the currency of the booked balances
            currency = next((ccy for _, ccy, _, _, _ in found), "")

        opening: tuple[int, date] | None = None
        closing: tuple[int, date] | None = None
        closings: list[tuple[date, int]] = []
        for code, ccy, amount, day, place in found:
            if ccy != currency:
                message = (
                    f"expected a {code} balance in {currency}, the account's currency, not {ccy}"
                )
                self._problem(place, message)
                continue
            minor, problem = minor_amount(amount, currency, self.file, place)
            if problem is not None or minor is None:
                self.problems.append(problem or Problem(self.file, place, "expected an amount"))
                continue
            if code in _OPENING:
                if opening is not None:
                    self._problem(place, "expected one opening booked balance (OPBD or PRCD)")
                    continue
                start = day if code == "OPBD" else day + timedelta(days=1)
                opening = (minor, start)
            elif code == "CLBD":
                if closing is not None:
                    self._problem(place, "expected one closing booked balance (CLBD)")
                    continue
                closing = (minor, day)
            elif code == "ITBD" and self.message == "053":
                closings.append((day, minor))

        if len(self.problems) > before:
            return None
        if opening is None or closing is None:
            missing = " and ".join(
                text
                for text, absent in (
                    ("an opening booked balance (OPBD or PRCD)", opening is None),
                    ("a closing booked balance (CLBD)", closing is None),
                )
                if absent
            )
            kind = "an intraday report" if self.message == "052" else "a statement"
            self._problem(where, f"expected {missing}; {kind} without them is not read")
            return None
        start, end = opening[1], closing[1]
        if end < start:
            message = (
                f"expected the closing balance's date ({end.isoformat()}) on or after the "
                f"first day the opening balance gives ({start.isoformat()})"
            )
            self._problem(where, message)
            return None
        for day, _ in closings:
            if not start <= day <= end:
                message = (
                    f"expected the interim booked balance of {day.isoformat()} within the "
                    f"statement's days {start.isoformat()} to {end.isoformat()}"
                )
                self._problem(where, message)

        entries: list[Entry] = []
        for number, ntry in enumerate(element.iterfind(self._path("c:Ntry")), 1):
            entry = self._entry(ntry, f"{name}, entry {number}", currency, start, end)
            if entry is not None:
                entries.append(entry)
        if len(self.problems) > before:
            return None
        return Statement(
            file=self.file,
            where=where,
            format=self.format,
            account=account,
            currency=currency,
            start=start,
            end=end,
            opening=opening[0],
            closing=closing[0],
            entries=tuple(entries),
            closings=tuple(closings),
        )

    def _balances(
        self, element: etree._Element, name: str
    ) -> list[tuple[str, str, Decimal, date, str]]:
        """(code, currency, signed amount, date, where) of each booked balance read."""
        out: list[tuple[str, str, Decimal, date, str]] = []
        for bal in element.iterfind(self._path("c:Bal")):
            code = self._text(bal, "c:Tp/c:CdOrPrtry/c:Cd")
            if code not in _READ_BALANCES:
                continue
            place = f"{name}, balance {code} (line {_line(bal)})"
            amount = self._amount(bal, place)
            day = self._date(bal, "c:Dt", place, "the balance's date (Dt/Dt or Dt/DtTm)")
            amt = bal.find(self._path("c:Amt"))
            currency = (amt.get("Ccy") or "").strip() if amt is not None else ""
            if amount is None or day is None:
                continue
            out.append((code, currency, amount, day, place))
        return out

    # --- one entry ----------------------------------------------------------------------

    def _entry(
        self, ntry: etree._Element, name: str, currency: str, start: date, end: date
    ) -> Entry | None:
        status = self._text(ntry, "c:Sts/c:Cd") or self._text(ntry, "c:Sts")
        if status != "BOOK":
            return None  # pending (PDNG), information (INFO), future (FUTR): not booked yet
        where = f"{name} (line {_line(ntry)})"
        amount = self._amount(ntry, where)
        amt = ntry.find(self._path("c:Amt"))
        ccy = (amt.get("Ccy") or "").strip() if amt is not None else ""
        booked = self._date(ntry, "c:BookgDt", where, "a booking date (BookgDt) on a booked entry")
        value = booked
        if ntry.find(self._path("c:ValDt")) is not None:
            value = self._date(ntry, "c:ValDt", where, "a value date (ValDt/Dt or ValDt/DtTm)")
        if amount is None or booked is None or value is None:
            return None
        if ccy != currency:
            self._problem(
                where, f"expected an amount in {currency}, the account's currency, not {ccy}"
            )
            return None
        minor, problem = minor_amount(amount, currency, self.file, where)
        if problem is not None or minor is None:
            self.problems.append(problem or Problem(self.file, where, "expected an amount"))
            return None
        if not start <= booked <= end:
            message = (
                f"expected a booking date within the statement's days {start.isoformat()} to "
                f"{end.isoformat()}, not {booked.isoformat()}"
            )
            self._problem(where, message)
            return None
        return Entry(minor, booked, value, self._code(ntry), self._reference(ntry), where)

    def _code(self, ntry: etree._Element) -> str:
        domain = self._text(ntry, "c:BkTxCd/c:Domn/c:Cd")
        family = self._text(ntry, "c:BkTxCd/c:Domn/c:Fmly/c:Cd")
        sub = self._text(ntry, "c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd")
        if domain and family and sub:
            return f"{domain}/{family}/{sub}"
        proprietary = self._text(ntry, "c:BkTxCd/c:Prtry/c:Cd")
        return f"PRTRY:{proprietary}" if proprietary else ""

    def _reference(self, ntry: etree._Element) -> str:
        return (
            self._text(ntry, "c:AcctSvcrRef")
            or self._text(ntry, "c:NtryRef")
            or self._text(ntry, "c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId")
        )

    # --- values -------------------------------------------------------------------------

    def _amount(self, element: etree._Element, where: str) -> Decimal | None:
        """The signed amount of a balance or entry (Amt with CdtDbtInd)."""
        text = self._text(element, "c:Amt")
        indicator = self._text(element, "c:CdtDbtInd")
        if indicator not in _SIGN:
            self._problem(where, f"expected CdtDbtInd CRDT or DBIT, not {shown(indicator)}")
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self._problem(where, f"expected an amount, not {shown(text)}")
            return None
        if not amount.is_finite() or amount < 0:
            self._problem(where, f"expected a non-negative amount, not {shown(text)}")
            return None
        return amount * _SIGN[indicator]

    def _date(self, element: etree._Element, path: str, where: str, expected: str) -> date | None:
        """The date of a DateAndDateTime choice (`Dt`, or the date part of `DtTm` as the
        bank wrote it: its own calendar day, whatever the offset)."""
        text = self._text(element, f"{path}/c:Dt") or self._text(element, f"{path}/c:DtTm")[:10]
        try:
            return date.fromisoformat(text)
        except ValueError:
            self._problem(where, f"expected {expected}, found {shown(text)}")
            return None

    def _path(self, path: str) -> str:
        """`c:Acct/c:Ccy` in Clark notation (`{namespace}Acct/{namespace}Ccy`), built once:
        lxml compiles a path with a prefix map on every call."""
        found = self.paths.get(path)
        if found is None:
            found = self.paths[path] = path.replace("c:", f"{{{self.namespace}}}")
        return found

    def _text(self, element: etree._Element, path: str) -> str:
        found = element.find(self._path(path))
        if found is None:
            return ""
        return (found.text or "").strip()

    def _problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))
