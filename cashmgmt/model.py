"""The domain model: a client group, its entities, accounts, balance history and structures.

Everything is an immutable attrs class. Amounts in terms and rules are `Money` (exact
Decimal); the balance history is an integer matrix of minor units, one row per account.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.money import DEFAULT_CONTRACT_MONTHS, Money, from_minor

DayCount = Literal["ACT/360", "ACT/365"]
Tiering = Literal["marginal", "whole"]
RuleKind = Literal["zero-balance", "target", "threshold", "range"]
Direction = Literal["two-way", "up", "down"]
Allocation = Literal["header", "even", "percentage", "fair-share", "reverse-fair-share"]
Facility = Literal["revolving", "term"]

DAY_COUNTS: tuple[DayCount, ...] = ("ACT/360", "ACT/365")
TIERINGS: tuple[Tiering, ...] = ("marginal", "whole")
RULE_KINDS: tuple[RuleKind, ...] = ("zero-balance", "target", "threshold", "range")
DIRECTIONS: tuple[Direction, ...] = ("two-way", "up", "down")
ALLOCATIONS: tuple[Allocation, ...] = (
    "header",
    "even",
    "percentage",
    "fair-share",
    "reverse-fair-share",
)
#: Committed credit facilities an account can be the drawing account of (docs/case-format.md).
FACILITIES: tuple[Facility, ...] = ("revolving", "term")
LANGUAGES = ("en", "zh-CN")
#: The weekdays of `weekly:` sweep days, in `date.weekday()` order.
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

#: The six areas of cash management (DESIGN.md), and the shorthands a case may use for needs.
AREAS = (
    "account-management",
    "receivables-payables",
    "liquidity",
    "investment-financing",
    "risk",
    "information-reporting",
)
NEED_AREAS: Mapping[str, str] = {
    **{area: area for area in AREAS},
    "visibility": "information-reporting",
    "reporting": "information-reporting",
    "idle-cash": "liquidity",
    "concentration": "liquidity",
    "overdraft-cost": "liquidity",
    "financing": "investment-financing",
    "investment": "investment-financing",
    "yield": "investment-financing",
    "collections": "receivables-payables",
    "payments": "receivables-payables",
    "fx-risk": "risk",
    "accounts": "account-management",
}


def bank_key(name: str) -> str:
    """A bank's name as compared: Unicode NFKC (full-width letters and digits as ASCII),
    case folded, runs of white space as one space, trimmed. "HSBC UK", " hsbc  uk " and
    "ＨＳＢＣ UK" are one bank; "HSBC UK" and "HSBC" are not (no guessing of branches)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_bank(a: str, b: str) -> bool:
    """Whether two bank names name the same bank (`bank_key`)."""
    return bank_key(a) == bank_key(b)


def mask_number(number: str) -> str:
    """An account number as documents show it: only the last four characters visible."""
    keep = 4 if len(number) >= 8 else max(len(number) // 2, 0)
    return "•" * 4 + number[len(number) - keep :] if keep else "•" * 4


@attrs.frozen
class Client:
    """The corporate group the proposal is for."""

    name: str
    industry: str
    country: str
    annual_revenue: Money
    language: str = "en"
    needs: tuple[str, ...] = ()
    local_name: str | None = None
    #: The client's postal address, one line each (the letter's addressee); () if not given.
    address: tuple[str, ...] = ()
    #: The address as Chinese documents print it, if it differs (like `local_name`).
    local_address: tuple[str, ...] = ()
    #: The industry in the local language (Chinese documents show it), as `local_name` is
    #: the name in the local script.
    local_industry: str | None = None


@attrs.frozen
class Contact:
    """A person at the proposing bank the client deals with (the relationship manager or
    the product specialist): named in the case, never invented by a document."""

    name: str
    email: str | None = None
    phone: str | None = None
    #: Their job title as it is printed under their signature (None: the role's own name).
    title: str | None = None
    #: Their name and title in the client's language (Chinese documents), if different.
    local_name: str | None = None
    local_title: str | None = None


@attrs.frozen
class Entity:
    """A legal entity of the group; `ownership` is the share its parent holds (0 to 1)."""

    id: str
    name: str
    country: str
    parent: str | None = None
    ownership: Decimal | None = None
    local_name: str | None = None


@attrs.frozen
class Tier:
    """A rate that applies from `start` (an amount in the balance's currency) upwards."""

    start: Decimal
    rate: Decimal


@attrs.frozen
class Terms:
    """Interest terms of an account or a notional pool.

    `credit` and `debit` are tiers sorted by start (empty: no interest; a flat rate is one
    tier from 0). Debit tiers are on the size of the debit. `overdraft_limit` is a positive
    size in the terms' currency (None: no limit); beyond it `penalty_rate` applies (None:
    the debit rate).
    """

    day_count: DayCount = "ACT/360"
    credit: tuple[Tier, ...] = ()
    debit: tuple[Tier, ...] = ()
    tiering: Tiering = "marginal"
    overdraft_limit: Money | None = None
    penalty_rate: Decimal | None = None
    #: Dated changes, in increasing order of date: from each change's `start` on (inclusive)
    #: its terms are in force instead (docs/simulation.md, "Rate changes").
    changes: tuple[TermsChange, ...] = ()

    @property
    def basis(self) -> int:
        """Days in the year for the day count (360 or 365)."""
        return 360 if self.day_count == "ACT/360" else 365

    @property
    def first(self) -> Terms:
        """The terms in force before the first change (these terms without their changes)."""
        return attrs.evolve(self, changes=()) if self.changes else self

    def in_force(self, day: date) -> Terms:
        """The terms in force on `day`: those of the latest change from `day` or before, else
        the first terms (never with changes of their own)."""
        found = self.first
        for change in self.changes:
            if change.start > day:
                break
            found = change.terms
        return found


@attrs.frozen
class TermsChange:
    """Terms in force from `start` (inclusive) until the next change: complete terms (the
    previous ones with the keys the change states replaced), without changes of their own,
    and with the same day count."""

    start: date
    terms: Terms


@attrs.frozen
class Account:
    """A bank account of one entity in one currency.

    `restricted`: money the group may not move or net (escrow, IPO proceeds, collateral).
    `facility`: the drawing account of a committed credit facility (a revolver or a term
    loan), whose debit is borrowing under the facility, not an overdraft. Neither kind of
    account joins a sweep or a notional pool (docs/case-format.md).
    """

    id: str
    entity: str
    bank: str
    country: str
    currency: str
    number: str | None = None
    terms: Terms = Terms()
    restricted: bool = False
    facility: Facility | None = None

    @property
    def poolable(self) -> bool:
        """Whether the account may join a sweep or a notional pool: neither restricted nor
        a facility's account."""
        return not self.restricted and self.facility is None

    @property
    def masked_number(self) -> str | None:
        """The account number with all but the last four characters hidden."""
        return None if self.number is None else mask_number(self.number)


def _array_eq(a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


@attrs.frozen
class BalanceHistory:
    """End-of-day ledger balances over a continuous run of calendar days.

    `minor[i, d]` is account `accounts[i]`'s balance on day `start + d` in its currency's
    minor units, carried forward over days with no figure; `observed[i, d]` says where a
    figure was given.
    """

    start: date
    accounts: tuple[str, ...]
    minor: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=_array_eq), repr=False)
    observed: npt.NDArray[np.bool_] = attrs.field(eq=attrs.cmp_using(eq=_array_eq), repr=False)

    @property
    def days(self) -> int:
        """Number of calendar days covered."""
        return int(self.minor.shape[1])

    @property
    def end(self) -> date:
        """The last day covered."""
        return self.start + timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        """Every calendar day covered, in order."""
        return [self.start + timedelta(days=d) for d in range(self.days)]

    def row(self, account: str) -> npt.NDArray[np.int64]:
        """One account's daily balances in minor units."""
        row: npt.NDArray[np.int64] = self.minor[self.accounts.index(account)]
        return row


@attrs.frozen
class FxRates:
    """Daily FX rates: units of `base` for one unit of each currency, carried forward."""

    base: str
    series: Mapping[str, tuple[tuple[date, Decimal], ...]]

    def first_date(self, currency: str) -> date | None:
        """The first day a rate is known for `currency` (None if never; base: None)."""
        points = self.series.get(currency)
        return points[0][0] if points else None

    def rate(self, currency: str, day: date) -> Decimal:
        """The rate in force on `day` (the latest given on or before it)."""
        if currency == self.base:
            return Decimal(1)
        points = self.series.get(currency, ())
        found: Decimal | None = None
        for when, rate in points:
            if when > day:
                break
            found = rate
        if found is None:
            raise KeyError(f"no {currency} rate on or before {day}")
        return found


@attrs.frozen
class SweepRule:
    """A sweep on the edge participant -> header; amounts in the participant's currency."""

    participant: str
    header: str
    kind: RuleKind
    target: Money | None = None
    minimum: Money | None = None
    low: Money | None = None
    high: Money | None = None
    direction: Direction = "two-way"


@attrs.frozen
class Fees:
    """Bank fees a structure costs: per sweep, per account and month, and once to set up."""

    per_sweep: Money | None = None
    per_account_month: Money | None = None
    setup: Money | None = None
    #: A fee for the whole structure, for every calendar month the history touches (a
    #: catalog product's monthly price).
    per_month: Money | None = None


@attrs.frozen
class PhysicalStructure:
    """Sweeps that move money between accounts of one currency, up a forest of headers."""

    id: str
    name: str
    rules: tuple[SweepRule, ...]
    sweep_days: str = "daily"
    fees: Fees = Fees()
    #: Per header account, how far into debit it may go to fund its participants (a size,
    #: not negative, in the header's currency); unnamed headers go to their own overdraft
    #: limit, or to 0 without one (docs/simulation.md, "Funding within the header's capacity").
    header_limit: Mapping[str, Money] = attrs.field(factory=dict)
    #: The RM's name for the structure in the local language (Chinese documents show it).
    local_name: str | None = None

    kind = "physical"

    @property
    def accounts(self) -> tuple[str, ...]:
        """Every account the structure touches, participants first, in rule order."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            seen.setdefault(rule.participant)
        for rule in self.rules:
            seen.setdefault(rule.header)
        return tuple(seen)


@attrs.frozen
class NotionalPool:
    """Balances netted for interest in `currency` without moving money."""

    id: str
    name: str
    currency: str
    accounts: tuple[str, ...]
    terms: Terms = Terms()
    allocation: Allocation = "header"
    header: str | None = None
    shares: Mapping[str, Decimal] | None = None
    fees: Fees = Fees()
    #: Per-currency mode (docs/simulation.md, "Multi-currency pools, per currency"): each
    #: member currency other than `currency` nets at its own terms here (None: every member
    #: is converted into `currency` and takes `terms`, the base-currency mode).
    currency_terms: Mapping[str, Terms] | None = None
    #: The rate charged on the part of the debit currencies' net debit that other
    #: currencies' credit covers (None: currencies do not offset).
    offset_rate: Decimal | None = None
    #: The FX haircut on the credit used as cover, from 0 (None: 0) to below 1.
    haircut: Decimal | None = None
    #: The RM's name for the pool in the local language (Chinese documents show it).
    local_name: str | None = None

    kind = "notional"

    def terms_of(self, currency: str) -> Terms:
        """The pool terms a member currency nets at in per-currency mode."""
        if self.currency_terms is not None and currency in self.currency_terms:
            return self.currency_terms[currency]
        return self.terms

    @property
    def interest_header(self) -> str:
        """The account that receives pool interest under `header` allocation."""
        return self.header if self.header is not None else self.accounts[0]


Structure = PhysicalStructure | NotionalPool


@attrs.frozen
class IntercompanyTerms:
    """Interest on the intercompany positions sweeps create (docs/simulation.md): a rate per
    currency (a currency not listed takes the case's `intercompany_rate`, else 0); the
    participant entity that lends to the header's entity (the in-house bank) receives the rate
    less `lending_spread`, one that borrows from it pays the rate plus `borrowing_spread`; a
    day count per currency where stated, else the currency's money-market convention."""

    rates: Mapping[str, Decimal] = attrs.field(factory=dict)
    lending_spread: Decimal = Decimal(0)
    borrowing_spread: Decimal = Decimal(0)
    day_counts: Mapping[str, DayCount] = attrs.field(factory=dict)
    #: Dated changes, in increasing order: complete terms in force from each date (inclusive),
    #: without changes of their own and with the same day counts.
    changes: tuple[IntercompanyChange, ...] = ()

    def in_force(self, day: date) -> IntercompanyTerms:
        """The terms in force on `day`: those of the latest change from `day` or before, else
        these terms without their changes."""
        found = attrs.evolve(self, changes=()) if self.changes else self
        for change in self.changes:
            if change.start > day:
                break
            found = change.terms
        return found


@attrs.frozen
class IntercompanyChange:
    """Intercompany terms in force from `start` (inclusive) until the next change."""

    start: date
    terms: IntercompanyTerms


@attrs.frozen
class StatementCodes:
    """How the group's banks mark the structure's sweeps in MT940 statements
    (`statement_codes: mt940:`, docs/review.md): transaction type codes (field 61, like
    NCMZ or a bank's own) and references an entry's reference starts with."""

    mt940_sweeps: tuple[str, ...] = ()
    mt940_references: tuple[str, ...] = ()


@attrs.frozen
class Case:
    """Everything known about one client group: the input to every phase of the cycle."""

    client: Client
    base_currency: str
    entities: tuple[Entity, ...]
    accounts: tuple[Account, ...]
    balances: BalanceHistory
    fx: FxRates
    structures: tuple[Structure, ...] = ()
    intercompany_rate: Decimal | None = None
    proposing_bank: str | None = None
    #: The case file it was loaded from ("" when built in code): problems found later name it.
    source: str = attrs.field(default="", eq=False)
    #: The files it was read from (the case file, its balance and FX tables), as the loader
    #: found them: outputs must never replace one ("()" when built in code).
    inputs: tuple[str, ...] = attrs.field(default=(), eq=False)
    #: Intercompany rates per currency, spreads and day counts (`intercompany:`); None: the
    #: one `intercompany_rate` for every currency, each at its own day count.
    intercompany: IntercompanyTerms | None = None
    #: Entities and accounts by id, made from the fields in __attrs_post_init__ and never
    #: written to after (the engine's caches live in the caller's Replay, not here).
    _entities: dict[str, Entity] = attrs.field(init=False, eq=False, repr=False)
    _accounts: dict[str, Account] = attrs.field(init=False, eq=False, repr=False)
    #: Months over which set-up fees are spread in every annual figure (1 to 120).
    contract_months: int = DEFAULT_CONTRACT_MONTHS
    #: The proposing bank's funds-transfer price per currency (yearly rate), overriding the
    #: shipped defaults (cashmgmt/reference/data/ftp_rates.yaml); None: the defaults only.
    funds_transfer_price: Mapping[str, Decimal] | None = None
    #: The proposing bank's relationship manager and product specialist for this client
    #: (`relationship_manager:`, `product_specialist:`); None when the case names nobody.
    relationship_manager: Contact | None = None
    product_specialist: Contact | None = None
    #: The MT940 codes and references that mark sweeps (`statement_codes:`); None: SWIFT's.
    statement_codes: StatementCodes | None = None
    #: The folder of bank statements `balances:` named, as written, when the history was
    #: read from statements (docs/statements.md); None when it came from a table or code.
    balances_from: str | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_entities", {e.id: e for e in self.entities})
        object.__setattr__(self, "_accounts", {a.id: a for a in self.accounts})

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id."""
        return self._entities[entity_id]

    def account(self, account_id: str) -> Account:
        """The account with this id."""
        return self._accounts[account_id]

    def at_proposing_bank(self, account: Account) -> bool:
        """Whether the account is held at the proposing bank (False when none is named);
        names are compared by `same_bank`."""
        bank = self.proposing_bank
        return bank is not None and same_bank(account.bank, bank)

    def structure(self, structure_id: str) -> Structure:
        """The structure with this id (KeyError with the known ids if there is none)."""
        for structure in self.structures:
            if structure.id == structure_id:
                return structure
        known = ", ".join(s.id for s in self.structures) or "none"
        raise KeyError(f"no structure {structure_id!r} in the case (known: {known})")

    def balance(self, account_id: str, day: int) -> Money:
        """An account's closing balance on day index `day`, as Money."""
        currency = self.account(account_id).currency
        minor = int(self.balances.row(account_id)[day])
        return Money(from_minor(minor, currency), currency)

    @property
    def currencies(self) -> tuple[str, ...]:
        """Currencies of the accounts, in first-seen order."""
        return tuple(dict.fromkeys(a.currency for a in self.accounts))
