"""The proposing bank as a document shows it, in one language: its name (a wordmark unless
the theme gives a logo), address, website, the validity of its proposal and the people the
client deals with, as the case names them (a document never invents a person)."""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from cashmgmt.model import Case, Contact
from cashmgmt.render.environment import make_gettext
from cashmgmt.render.theme import Theme


@attrs.frozen
class Person:
    """A bank's person in a document's language: name, title (the role's name when the case
    gives no title), role, e-mail and telephone."""

    role: str
    name: str
    title: str
    email: str | None
    phone: str | None


@attrs.frozen
class BankView:
    """The proposing bank for the templates."""

    name: str  # "" when neither the theme nor the case names the bank
    address: tuple[str, ...]
    website: str | None
    validity_days: int
    valid_until: date
    manager: Person | None
    specialist: Person | None

    @property
    def people(self) -> tuple[Person, ...]:
        """The relationship manager and the product specialist the case names."""
        return tuple(p for p in (self.manager, self.specialist) if p is not None)


def person(contact: Contact | None, role: str, language: str) -> Person | None:
    """A contact in a language: its local name and title in Chinese documents if given."""
    if contact is None:
        return None
    local = language == "zh-CN"
    name = contact.local_name if local and contact.local_name else contact.name
    title = (contact.local_title if local and contact.local_title else None) or contact.title
    return Person(role, name, title or role, contact.email, contact.phone)


def bank_view(theme: Theme, case: Case, language: str, on: date) -> BankView:
    """The proposing bank of a case's document in `language`, as of the document's date."""
    gettext = make_gettext(language)
    name = theme.for_bank(case.proposing_bank).name_for(language)
    return BankView(
        name=name,
        address=theme.address_for(language),
        website=theme.website,
        validity_days=theme.validity_days,
        valid_until=on + timedelta(days=theme.validity_days),
        manager=person(case.relationship_manager, gettext("Relationship manager"), language),
        specialist=person(case.product_specialist, gettext("Product specialist"), language),
    )
