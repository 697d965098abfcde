"""Writes statements as an ISO 20022 camt.053.001.08 document, as a bank would send them.

The example generator uses it for the statements of a post-go-live period; reading the
document back (camt.py) gives the same records: each statement's account (as `IBAN` when it
has an IBAN's shape, else `Othr/Id`), currency, opening booked balance (`OPBD`, dated
`start`), its day-end balances (`ITBD`), closing booked balance (`CLBD`, dated `end`) and
its booked entries with their bank transaction codes (`CAMT/ACCB/ZABA` in `BkTxCd/Domn`,
`PRTRY:<code>` in `BkTxCd/Prtry/Cd`) and references (`AcctSvcrRef`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from lxml import etree

from cashmgmt.inputs.statements.records import Entry, Statement
from cashmgmt.money import from_minor
from cashmgmt.reference.iso20022 import camt_namespace

#: The message version written.
VERSION = "08"
NAMESPACE = camt_namespace("053", VERSION)

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}")
_DOMAIN_CODE = re.compile(r"([A-Z0-9]{1,4})/([A-Z0-9]{1,4})/([A-Z0-9]{1,4})")
_PROPRIETARY = "PRTRY:"
_MAX35 = 35


def write_camt053(statements: Sequence[Statement], *, message_id: str, created: datetime) -> bytes:
    """A camt.053.001.08 document (UTF-8 bytes) holding `statements`, one `Stmt` each.

    ValueError when a value has no place in the message: a message id or reference longer
    than 35 characters, an account longer than 34, a code neither `Domain/Family/SubFamily`
    nor `PRTRY:<code>`, or no statement at all (the message needs one)."""
    if not statements:
        raise ValueError("a camt.053 message holds at least one statement")
    _max35(message_id, "message id")
    nsmap = {None: NAMESPACE}  # the default namespace, as banks write it
    document = etree.Element(f"{{{NAMESPACE}}}Document", nsmap=nsmap)  # type: ignore[arg-type]
    body = _sub(document, "BkToCstmrStmt")
    header = _sub(body, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created.isoformat(timespec="seconds"))
    for number, statement in enumerate(statements, 1):
        _statement(body, statement, number, created)
    text = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return bytes(text)


def statement_id(statement: Statement, number: int) -> str:
    """The `Stmt/Id` written: its days and its place in the message (`20260701-20260731-1`)."""
    return f"{statement.start:%Y%m%d}-{statement.end:%Y%m%d}-{number}"


def _statement(body: etree._Element, statement: Statement, number: int, created: datetime) -> None:
    stmt = _sub(body, "Stmt")
    _sub(stmt, "Id", statement_id(statement, number))
    _sub(stmt, "CreDtTm", created.isoformat(timespec="seconds"))
    period = _sub(stmt, "FrToDt")
    _sub(period, "FrDtTm", f"{statement.start.isoformat()}T00:00:00")
    _sub(period, "ToDtTm", f"{statement.end.isoformat()}T23:59:59")
    account = _sub(stmt, "Acct")
    ident = _sub(account, "Id")
    if _IBAN.fullmatch(statement.account):
        _sub(ident, "IBAN", statement.account)
    else:
        if not 0 < len(statement.account) <= 34:
            raise ValueError(f"an account of 1 to 34 characters, not {statement.account!r}")
        _sub(_sub(ident, "Othr"), "Id", statement.account)
    _sub(account, "Ccy", statement.currency)
    _balance(stmt, "OPBD", statement.opening, statement.start, statement.currency)
    for day, minor in statement.closings:
        _balance(stmt, "ITBD", minor, day, statement.currency)
    _balance(stmt, "CLBD", statement.closing, statement.end, statement.currency)
    for entry in statement.entries:
        _entry(stmt, entry, statement.currency)


def _balance(stmt: etree._Element, code: str, minor: int, day: date, currency: str) -> None:
    bal = _sub(stmt, "Bal")
    _sub(_sub(_sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
    _amount(bal, minor, currency)
    _sub(_sub(bal, "Dt"), "Dt", day.isoformat())


def _entry(stmt: etree._Element, entry: Entry, currency: str) -> None:
    ntry = _sub(stmt, "Ntry")
    _amount(ntry, entry.minor, currency)
    _sub(_sub(ntry, "Sts"), "Cd", "BOOK")
    _sub(_sub(ntry, "BookgDt"), "Dt", entry.booked.isoformat())
    _sub(_sub(ntry, "ValDt"), "Dt", entry.value.isoformat())
    if entry.reference:
        _max35(entry.reference, "reference")
        _sub(ntry, "AcctSvcrRef", entry.reference)
    code = _sub(ntry, "BkTxCd")
    domain = _DOMAIN_CODE.fullmatch(entry.code)
    if domain is not None:
        domn = _sub(code, "Domn")
        _sub(domn, "Cd", domain.group(1))
        family = _sub(domn, "Fmly")
        _sub(family, "Cd", domain.group(2))
        _sub(family, "SubFmlyCd", domain.group(3))
    elif entry.code.startswith(_PROPRIETARY) and entry.code != _PROPRIETARY:
        proprietary = entry.code.removeprefix(_PROPRIETARY)
        _max35(proprietary, "proprietary code")
        _sub(_sub(code, "Prtry"), "Cd", proprietary)
    elif entry.code:
        raise ValueError(
            f"expected a code Domain/Family/SubFamily or PRTRY:<code>, not {entry.code!r}"
        )


def _amount(parent: etree._Element, minor: int, currency: str) -> None:
    """`Amt` (never negative) and `CdtDbtInd` (DBIT for a negative amount)."""
    amount = _sub(parent, "Amt", f"{from_minor(abs(minor), currency):f}")
    amount.set("Ccy", currency)
    _sub(parent, "CdtDbtInd", "DBIT" if minor < 0 else "CRDT")


def _max35(text: str, what: str) -> None:
    if not 0 < len(text) <= _MAX35 or text != text.strip():
        raise ValueError(f"a {what} of 1 to 35 characters without outer spaces, not {text!r}")


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element
