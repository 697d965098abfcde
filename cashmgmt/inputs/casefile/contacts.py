"""The people and addresses of a case: the proposing bank's relationship manager and product
specialist (`relationship_manager:`, `product_specialist:`) and the client's postal address
(`client.address`). Documents print them as given and never invent them, so each is read
with bounds and located problems."""

from __future__ import annotations

import re
from collections.abc import Mapping

from cashmgmt.errors import MISSING, Invalid, Missing
from cashmgmt.inputs.casefile.parsers import text
from cashmgmt.inputs.casefile.reader import Reader
from cashmgmt.model import Contact

#: Longest name or job title: a person's name with titles fits in 100 characters.
MAX_NAME_CHARS = 100
#: Longest e-mail address (RFC 5321's limit on a path: 254 characters).
MAX_EMAIL_CHARS = 254
#: Longest telephone number as written, with spaces, brackets and an extension.
MAX_PHONE_CHARS = 40
#: Lines and characters per line of a postal address (UPU S42 address templates use at most
#: six lines; a line of a printed address is far below 100 characters).
MAX_ADDRESS_LINES = 6
MAX_ADDRESS_LINE_CHARS = 100
#: The keys of a contact.
CONTACT_KEYS = ("name", "local_name", "title", "local_title", "email", "phone")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*[0-9](\s*(ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)


def short_text(value: object) -> str:
    """A name or job title: non-empty text of at most 100 characters."""
    found = text(value)
    if len(found) > MAX_NAME_CHARS:
        raise Invalid(f"a text of at most {MAX_NAME_CHARS} characters", value)
    return found


def email(value: object) -> str:
    """An e-mail address like 'anna.berg@bank.example'."""
    found = text(value)
    if len(found) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(found):
        raise Invalid(
            f"an e-mail address like 'anna.berg@bank.example' (at most {MAX_EMAIL_CHARS} "
            "characters)",
            value,
        )
    return found


def phone(value: object) -> str:
    """A telephone number like '+44 20 7946 0000' (digits, spaces, + ( ) . / -)."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise Invalid("a telephone number in quotes, like '+44 20 7946 0000'", value)
    found = text(value)
    if len(found) > MAX_PHONE_CHARS or not _PHONE.fullmatch(found):
        raise Invalid(
            f"a telephone number like '+44 20 7946 0000' (at most {MAX_PHONE_CHARS} characters)",
            value,
        )
    return found


def read_contact(r: Reader, data: object, where: str) -> Contact | Missing | None:
    """A bank's person: name (required), local_name, title, local_title, email, phone."""
    if data is None:
        return None
    m = r.mapping(data, where, CONTACT_KEYS)
    if not isinstance(data, Mapping):
        return MISSING
    name = r.get(m, "name", where, short_text)
    local = r.get(m, "local_name", where, short_text, default=None)
    title = r.get(m, "title", where, short_text, default=None)
    local_title = r.get(m, "local_title", where, short_text, default=None)
    mail = r.get(m, "email", where, email, default=None)
    tel = r.get(m, "phone", where, phone, default=None)
    if (
        name is MISSING
        or local is MISSING
        or title is MISSING
        or local_title is MISSING
        or mail is MISSING
        or tel is MISSING
    ):
        return MISSING
    return Contact(name, mail, tel, title, local, local_title)


def read_address(r: Reader, data: object, where: str) -> tuple[str, ...] | Missing:
    """A postal address: one line of text, or a list of up to six lines."""
    lines = [data] if isinstance(data, str) else data
    if not isinstance(lines, list) or not lines:
        r.problem(where, Invalid("an address: a text, or a list of its lines", data).message)
        return MISSING
    if len(lines) > MAX_ADDRESS_LINES:
        r.problem(where, f"expected at most {MAX_ADDRESS_LINES} address lines, got {len(lines)}")
        return MISSING
    found: list[str] = []
    for i, line in enumerate(lines):
        place = where if isinstance(data, str) else f"{where}[{i}]"
        value = r.value(line, place, text)
        if value is MISSING:
            continue
        if len(value) > MAX_ADDRESS_LINE_CHARS:
            r.problem(place, f"expected a line of at most {MAX_ADDRESS_LINE_CHARS} characters")
            continue
        found.append(value)
    return tuple(found) if len(found) == len(lines) else MISSING


def contact_document(contact: Contact | None) -> dict[str, str] | None:
    """A contact as the plain data of the case file (unset keys left out)."""
    if contact is None:
        return None
    keys = {
        "name": contact.name,
        "local_name": contact.local_name,
        "title": contact.title,
        "local_title": contact.local_title,
        "email": contact.email,
        "phone": contact.phone,
    }
    return {k: v for k, v in keys.items() if v is not None}


def address_document(address: tuple[str, ...]) -> str | list[str] | None:
    """An address as written back: one line as a text, several as a list, none left out."""
    if not address:
        return None
    return address[0] if len(address) == 1 else list(address)
