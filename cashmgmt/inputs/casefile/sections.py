"""Section readers of the case file: client, entities, accounts, terms and structures, each
read into its model object, or MISSING once its problems are recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

import attrs

from cashmgmt.errors import MISSING, Invalid, Missing, ok
from cashmgmt.inputs.casefile.contacts import read_address
from cashmgmt.inputs.casefile.parsers import (
    account_number,
    calendar_date,
    country,
    currency,
    flag,
    identifier,
    one_of,
    positive_money,
    rate,
    share,
    sweep_days,
    text,
)
from cashmgmt.inputs.casefile.reader import Reader, every, join, key_text
from cashmgmt.inputs.limits import MAX_RATE_CHANGES
from cashmgmt.model import (
    ALLOCATIONS,
    DAY_COUNTS,
    DIRECTIONS,
    FACILITIES,
    LANGUAGES,
    NEED_AREAS,
    RULE_KINDS,
    TIERINGS,
    Account,
    Allocation,
    Client,
    DayCount,
    Direction,
    Entity,
    Facility,
    Fees,
    IntercompanyChange,
    IntercompanyTerms,
    NotionalPool,
    PhysicalStructure,
    RuleKind,
    Structure,
    SweepRule,
    Terms,
    TermsChange,
    Tier,
    Tiering,
)
from cashmgmt.money import (
    MAX_RATE,
    MIN_RATE,
    Money,
    format_rate,
    parse_decimal,
    parse_money,
)
from cashmgmt.reference.conventions import day_count_for

W = TypeVar("W")
T = TypeVar("T")


def read_client(r: Reader, data: object) -> Client | Missing:
    where = "client"
    m = r.mapping(
        data,
        where,
        (
            "name",
            "local_name",
            "industry",
            "local_industry",
            "country",
            "annual_revenue",
            "language",
            "needs",
            "address",
            "local_address",
        ),
    )
    name = r.get(m, "name", where, text)
    local = r.get(m, "local_name", where, text, default=None)
    industry = r.get(m, "industry", where, text)
    local_industry = r.get(m, "local_industry", where, text, default=None)
    home = r.get(m, "country", where, country)
    revenue = r.get(m, "annual_revenue", where, _revenue)
    language = r.get(m, "language", where, one_of(*LANGUAGES), default="en")
    needs: list[str] = []
    for i, need in enumerate(r.sequence(m.get("needs", []), join(where, "needs"))):
        if isinstance(need, str) and need in NEED_AREAS:
            needs.append(need)
        else:
            expected = Invalid("a need: one of " + ", ".join(NEED_AREAS), need).message
            r.problem(f"client.needs[{i}]", expected)
    address = () if m.get("address") is None else read_address(r, m["address"], "client.address")
    local_address = (
        ()
        if m.get("local_address") is None
        else read_address(r, m["local_address"], "client.local_address")
    )
    if (
        name is MISSING
        or industry is MISSING
        or home is MISSING
        or revenue is MISSING
        or language is MISSING
        or local is MISSING
        or address is MISSING
        or local_address is MISSING
        or local_industry is MISSING
    ):
        return MISSING
    return Client(
        name,
        industry,
        home,
        revenue,
        language,
        tuple(needs),
        local,
        address,
        local_address,
        local_industry,
    )


def _revenue(value: object) -> Money:
    """An amount and its ISO 4217 code, like '8600000000 CNY'."""
    return positive_money(value, None)


def read_entity(r: Reader, data: object, where: str) -> Entity | Missing:
    keys = ("id", "name", "local_name", "country", "parent", "ownership")
    m = r.mapping(data, where, keys)
    eid = r.get(m, "id", where, identifier)
    name = r.get(m, "name", where, text)
    local = r.get(m, "local_name", where, text, default=None)
    home = r.get(m, "country", where, country)
    parent = r.get(m, "parent", where, identifier, default=None)
    ownership = r.get(m, "ownership", where, share, default=None)
    if ownership is not None and parent is None:
        r.problem(join(where, "ownership"), "expected a parent for the ownership share")
    if parent is not None and ownership is None:
        ownership = Decimal(1)
    if (
        eid is MISSING
        or name is MISSING
        or local is MISSING
        or home is MISSING
        or parent is MISSING
        or ownership is MISSING
    ):
        return MISSING
    return Entity(eid, name, home, parent, ownership, local)


def read_tiers(
    r: Reader, value: object, where: str, currency: str | None
) -> tuple[Tier, ...] | Missing:
    """A flat rate, or a list of {from, rate} tiers starting at 0 in increasing order."""
    if not isinstance(value, list):
        flat = r.value(value, where, rate)
        return (Tier(Decimal(0), flat),) if ok(flat) else MISSING
    tiers: list[Tier] = []
    for i, item in enumerate(value):
        place = f"{where}[{i}]"
        m = r.mapping(item, place, ("from", "rate"))
        start = r.get(m, "from", place, _tier_start(currency))
        level = r.get(m, "rate", place, rate)
        if start is MISSING or level is MISSING:
            return MISSING
        if tiers and start <= tiers[-1].start:
            r.problem(join(place, "from"), "expected tiers in increasing order of 'from'")
            return MISSING
        if not tiers and start != 0:
            r.problem(join(place, "from"), "expected the first tier to start from 0")
            return MISSING
        tiers.append(Tier(start, level))
    if not tiers:
        r.problem(where, "expected a rate or at least one tier")
        return MISSING
    return tuple(tiers)


def _tier_start(currency: str | None) -> Callable[[object], Decimal]:
    def parse(value: object) -> Decimal:
        """An amount (not negative) where the tier starts, like 1000000 or '1000000 CNY'."""
        if currency is None:  # the account's currency is wrong; reported elsewhere
            words = value.split() if isinstance(value, str) else [value]
            return parse_decimal(words[0] if words else value)
        money = positive_money(value, currency)
        if money.currency != currency:
            raise Invalid(f"an amount in {currency}", value)
        return money.amount

    return parse


def read_terms(r: Reader, data: object, where: str, money_currency: str | None) -> Terms | Missing:
    keys = (
        "day_count",
        "credit_rate",
        "debit_rate",
        "overdraft_limit",
        "penalty_rate",
        "tiering",
        "changes",
    )
    m = r.mapping(data, where, keys)
    # Unstated, the day count is the currency's money-market convention (reference data).
    convention = day_count_for(money_currency) if money_currency else "ACT/360"
    day_count: DayCount | Missing = r.get(
        m, "day_count", where, one_of(*DAY_COUNTS), default=convention
    )
    credit: tuple[Tier, ...] | Missing = ()
    debit: tuple[Tier, ...] | Missing = ()
    if m.get("credit_rate") is not None:
        credit = read_tiers(r, m["credit_rate"], join(where, "credit_rate"), money_currency)
    if m.get("debit_rate") is not None:
        debit = read_tiers(r, m["debit_rate"], join(where, "debit_rate"), money_currency)
    tiering: Tiering | Missing = r.get(m, "tiering", where, one_of(*TIERINGS), default="marginal")
    limit = r.get(
        m, "overdraft_limit", where, lambda v: positive_money(v, money_currency), default=None
    )
    if ok(limit) and limit is not None and money_currency and limit.currency != money_currency:
        r.problem(join(where, "overdraft_limit"), f"expected an amount in {money_currency}")
        limit = MISSING
    penalty = r.get(m, "penalty_rate", where, rate, default=None)
    if penalty is not None and ok(penalty) and m.get("overdraft_limit") is None:
        r.problem(
            join(where, "penalty_rate"),
            "expected an overdraft_limit too: the penalty rate applies beyond the limit",
        )
    if (
        day_count is MISSING
        or credit is MISSING
        or debit is MISSING
        or tiering is MISSING
        or limit is MISSING
        or penalty is MISSING
    ):
        return MISSING
    first = Terms(day_count, credit, debit, tiering, limit, penalty)
    if m.get("changes") is None:
        return r.share(first)
    changes = read_changes(r, m["changes"], join(where, "changes"), first, money_currency)
    if changes is MISSING:
        return MISSING
    return r.share(attrs.evolve(first, changes=changes))


#: What a dated change may state: the rate keys of terms (not the day count, which is the
#: contract's convention, not a rate).
CHANGE_KEYS = ("from", "credit_rate", "debit_rate", "overdraft_limit", "penalty_rate", "tiering")


def read_changes(
    r: Reader, value: object, where: str, first: Terms, money_currency: str | None
) -> tuple[TermsChange, ...] | Missing:
    """Dated changes of `first`, in increasing order of `from`: each replaces the keys it
    states in the terms in force before it (docs/case-format.md, "Rate changes")."""

    def step(m: Mapping[str, object], place: str, previous: Terms) -> Terms | Missing:
        terms = _change(r, m, place, money_currency, previous)
        if terms is MISSING:
            return MISSING
        if terms.penalty_rate is not None and terms.overdraft_limit is None:
            r.problem(
                join(place, "penalty_rate"),
                "expected an overdraft_limit in force: the penalty rate applies beyond it",
            )
            return MISSING
        return r.share(terms)

    dated = _read_dated(r, value, where, CHANGE_KEYS, first, step)
    return MISSING if dated is MISSING else tuple(TermsChange(*d) for d in dated)


def _read_dated(
    r: Reader,
    value: object,
    where: str,
    keys: tuple[str, ...],
    first: T,
    step: Callable[[Mapping[str, object], str, T], T | Missing],
) -> list[tuple[date, T]] | Missing:
    """A list of dated changes of `first`: at most MAX_RATE_CHANGES mappings with `from`
    (dates increasing) and at least one other of `keys`; `step(mapping, place, previous)`
    reads one change into the terms in force from its date."""
    items = r.sequence(value, where)
    if len(items) > MAX_RATE_CHANGES:
        r.problem(where, f"expected at most {MAX_RATE_CHANGES} changes, got {len(items)}")
        return MISSING
    out: list[tuple[date, T]] = []
    previous = first
    last: date | None = None
    for i, item in enumerate(items):
        place = f"{where}[{i}]"
        m = r.mapping(item, place, keys)
        start = r.get(m, "from", place, calendar_date)
        if start is MISSING:
            return MISSING
        if last is not None and start <= last:
            r.problem(join(place, "from"), f"expected a date after {last}, got {start}")
            return MISSING
        if not any(m.get(key) is not None for key in keys[1:]):
            r.problem(place, "expected at least one of " + ", ".join(keys[1:]))
            return MISSING
        terms = step(m, place, previous)
        if terms is MISSING:
            return MISSING
        out.append((start, terms))
        previous, last = terms, start
    return out


def _change(
    r: Reader, m: Mapping[str, object], where: str, money_currency: str | None, previous: Terms
) -> Terms | Missing:
    """`previous` with the keys one change states replaced, read like the keys of terms."""
    credit, debit = previous.credit, previous.debit
    tiering: Tiering | Missing = previous.tiering
    limit: Money | Missing | None = previous.overdraft_limit
    penalty: Decimal | Missing | None = previous.penalty_rate
    if m.get("credit_rate") is not None:
        credit_read = read_tiers(r, m["credit_rate"], join(where, "credit_rate"), money_currency)
        credit = credit_read if ok(credit_read) else credit
    if m.get("debit_rate") is not None:
        debit_read = read_tiers(r, m["debit_rate"], join(where, "debit_rate"), money_currency)
        debit = debit_read if ok(debit_read) else debit
    if m.get("tiering") is not None:
        tiering = r.get(m, "tiering", where, one_of(*TIERINGS))
    if m.get("overdraft_limit") is not None:
        limit = r.get(m, "overdraft_limit", where, lambda v: positive_money(v, money_currency))
        if ok(limit) and limit is not None and money_currency and limit.currency != money_currency:
            r.problem(join(where, "overdraft_limit"), f"expected an amount in {money_currency}")
            limit = MISSING
    if m.get("penalty_rate") is not None:
        penalty = r.get(m, "penalty_rate", where, rate)
    failed = (m.get("credit_rate") is not None and credit is previous.credit) or (
        m.get("debit_rate") is not None and debit is previous.debit
    )
    if failed or tiering is MISSING or limit is MISSING or penalty is MISSING:
        return MISSING
    return Terms(previous.day_count, credit, debit, tiering, limit, penalty)


def read_account(r: Reader, data: object, where: str) -> Account | Missing:
    keys = (
        "id",
        "entity",
        "bank",
        "country",
        "currency",
        "number",
        "terms",
        "restricted",
        "facility",
    )
    m = r.mapping(data, where, keys)
    aid = r.get(m, "id", where, identifier)
    entity = r.get(m, "entity", where, identifier)
    bank = r.get(m, "bank", where, text)
    home = r.get(m, "country", where, country)
    cur = r.get(m, "currency", where, currency)
    number = r.get(m, "number", where, account_number, default=None)
    terms: Terms | Missing = r.share(Terms(day_count_for(cur))) if ok(cur) else Terms()
    if m.get("terms") is not None:
        terms = read_terms(r, m["terms"], join(where, "terms"), cur if ok(cur) else None)
    restricted = r.get(m, "restricted", where, flag, default=False)
    facility: Facility | Missing | None = r.get(
        m, "facility", where, one_of(*FACILITIES), default=None
    )
    if restricted is True and facility is not None and ok(facility):
        r.problem(
            join(where, "facility"),
            "expected either restricted: true or a facility, not both: a facility's account "
            "holds borrowing, a restricted account holds money set aside",
        )
        facility = MISSING
    if (
        aid is MISSING
        or entity is MISSING
        or bank is MISSING
        or home is MISSING
        or cur is MISSING
        or number is MISSING
        or terms is MISSING
        or restricted is MISSING
        or facility is MISSING
    ):
        return MISSING
    return Account(aid, entity, bank, home, cur, number, terms, restricted, facility)


def read_fees(r: Reader, data: object, where: str) -> Fees | Missing:
    keys = ("per_sweep", "per_account_month", "setup", "per_month")
    m = r.mapping(data, where, keys)
    fees = {k: r.get(m, k, where, _fee, default=None) for k in keys}
    known = {k: v for k, v in fees.items() if ok(v)}
    return Fees(**known) if len(known) == len(fees) else MISSING


def _fee(value: object) -> Money:
    """A fee: an amount and its currency, like '5 CNY'."""
    return positive_money(value, None)


def read_rule(
    r: Reader, data: object, where: str, currencies: Mapping[str, str]
) -> SweepRule | Missing:
    keys = ("from", "to", "rule", "target", "minimum", "low", "high", "direction")
    m = r.mapping(data, where, keys)
    participant = r.get(m, "from", where, identifier)
    header = r.get(m, "to", where, identifier)
    kind: RuleKind | Missing = r.get(m, "rule", where, one_of(*RULE_KINDS))
    direction: Direction | Missing = r.get(
        m, "direction", where, one_of(*DIRECTIONS), default="two-way"
    )
    cur = currencies.get(participant) if ok(participant) else None
    amounts: dict[str, Money | Missing | None] = {}
    needed = {
        "zero-balance": (),
        "target": ("target",),
        "threshold": ("target", "minimum"),
        "range": ("low", "high", "target"),
    }
    wanted = needed.get(kind, ()) if ok(kind) else ()
    for key in ("target", "minimum", "low", "high"):
        amount: Money | Missing | None
        if key in wanted:
            amount = r.get(m, key, where, _rule_amount(cur))
        elif key in m and ok(kind):
            r.problem(
                join(where, key),
                f"unexpected for a {kind} rule, which takes " + (", ".join(wanted) or "no amounts"),
            )
            amount = MISSING
        else:
            amount = None
        if ok(amount) and amount is not None and cur and amount.currency != cur:
            r.problem(
                join(where, key), f"expected an amount in {cur}, the currency of {participant}"
            )
            amount = MISSING
        amounts[key] = r.share(amount) if ok(amount) and amount is not None else amount
    minimum = amounts["minimum"]
    if kind == "threshold" and ok(minimum) and minimum is not None and minimum.amount <= 0:
        r.problem(join(where, "minimum"), "expected a minimum transfer above zero")
        amounts["minimum"] = MISSING
    if kind == "range" and all(ok(a) for a in amounts.values()):
        low, high, target = amounts["low"], amounts["high"], amounts["target"]
        assert isinstance(low, Money) and isinstance(high, Money) and isinstance(target, Money)
        if not low.amount <= target.amount <= high.amount:
            r.problem(where, "expected low <= target <= high")
            amounts["target"] = MISSING
    known = {k: v for k, v in amounts.items() if ok(v)}
    if (
        participant is MISSING
        or header is MISSING
        or kind is MISSING
        or direction is MISSING
        or len(known) < len(amounts)
    ):
        return MISSING
    return SweepRule(participant, header, kind, direction=direction, **known)


def _rule_amount(cur: str | None) -> Callable[[object], Money | Missing]:
    def parse(value: object) -> Money | Missing:
        """An amount like '500000 CNY', or a bare number in the participant's currency."""
        if cur is None and not isinstance(value, str):
            parse_decimal(value)  # the participant's own problem is reported elsewhere
            return MISSING
        return parse_money(value, cur)

    return parse


def read_structure(
    r: Reader, data: object, where: str, currencies: Mapping[str, str]
) -> Structure | Missing:
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind not in ("physical", "notional"):
        if isinstance(data, Mapping):
            r.problem(join(where, "kind"), Invalid("physical or notional", kind).message)
        else:
            r.problem(where, Invalid("a mapping of keys to values", data).message)
        return MISSING
    keys: tuple[str, ...]
    if kind == "physical":
        keys = ("id", "name", "local_name", "kind", "sweep_days", "rules", "fees", "header_limit")
    else:
        keys = (
            "id",
            "name",
            "local_name",
            "kind",
            "currency",
            "accounts",
            "terms",
            "allocation",
            "header",
            "shares",
            "fees",
            "currency_terms",
            "offset_rate",
            "haircut",
        )
    m = r.mapping(data, where, keys)
    sid = r.get(m, "id", where, identifier)
    name = r.get(m, "name", where, text)
    local_name = r.get(m, "local_name", where, text, default=None)
    fees: Fees | Missing = Fees()
    if m.get("fees") is not None:
        fees = read_fees(r, m["fees"], join(where, "fees"))
    if kind == "physical":
        days = r.get(m, "sweep_days", where, sweep_days, default="daily")
        rules: list[SweepRule | Missing] = []
        raw_rules = r.section(m, "rules", "rules", where) if m else []
        if not raw_rules and isinstance(m.get("rules"), list):
            r.problem(join(where, "rules"), "expected at least one rule")
        for i, item in enumerate(raw_rules):
            rules.append(read_rule(r, item, f"{where}.rules[{i}]", currencies))
        read_rules = every(rules)
        limits: dict[str, Money] | Missing = {}
        if m.get("header_limit") is not None:
            headers = None if read_rules is MISSING else {rule.header for rule in read_rules}
            limits = read_header_limit(r, m["header_limit"], where, currencies, headers)
        if (
            sid is MISSING
            or name is MISSING
            or days is MISSING
            or fees is MISSING
            or read_rules is MISSING
            or limits is MISSING
            or local_name is MISSING
            or not read_rules
        ):
            return MISSING
        return PhysicalStructure(sid, name, read_rules, days, fees, limits, local_name)
    pool_cur = r.get(m, "currency", where, currency)
    members = r.get(m, "accounts", where, _id_list)
    terms = read_terms(
        r, m.get("terms") or {}, join(where, "terms"), pool_cur if ok(pool_cur) else None
    )
    allocation: Allocation | Missing = r.get(
        m, "allocation", where, one_of(*ALLOCATIONS), default="header"
    )
    header = r.get(m, "header", where, identifier, default=None)
    shares = r.get(m, "shares", where, _shares, default=None)
    if shares is not None and ok(shares) and ok(allocation) and allocation != "percentage":
        r.problem(join(where, "shares"), "unexpected; shares are for allocation: percentage")
        shares = MISSING
    if ok(shares) and ok(members) and shares is not None and set(shares) != set(members):
        missing = [a for a in members if a not in shares]
        left_out = ", ".join(missing[:10]) or "none"
        if len(missing) > 10:
            left_out += f", … ({len(missing)} in all)"
        r.problem(
            join(where, "shares"),
            f"expected a share for every account of the pool (0% is fine); missing: {left_out}",
        )
        shares = MISSING
    if ok(allocation) and allocation == "percentage" and shares is None:
        r.problem(
            join(where, "shares"),
            "missing; expected the members' shares for "
            "allocation: percentage, like {HQ-USD: 60%, HK-HKD: 40%}",
        )
        shares = MISSING
    per_currency = read_currency_terms(r, m, where, pool_cur, members, currencies)
    if (
        sid is MISSING
        or name is MISSING
        or pool_cur is MISSING
        or members is MISSING
        or terms is MISSING
        or allocation is MISSING
        or header is MISSING
        or shares is MISSING
        or fees is MISSING
        or per_currency is MISSING
        or local_name is MISSING
    ):
        return MISSING
    return NotionalPool(
        sid,
        name,
        pool_cur,
        members,
        terms,
        allocation,
        header,
        shares,
        fees,
        *per_currency,
        local_name=local_name,
    )


def read_currency_terms(
    r: Reader,
    m: Mapping[str, object],
    where: str,
    pool_cur: str | Missing,
    members: tuple[str, ...] | Missing,
    currencies: Mapping[str, str],
) -> tuple[dict[str, Terms] | None, Decimal | None, Decimal | None] | Missing:
    """A pool's per-currency mode: `currency_terms` for every member currency other than the
    pool's, and the `offset_rate` and `haircut` of the cross-currency offset (all optional)."""
    raw = m.get("currency_terms")
    offset = r.get(m, "offset_rate", where, rate, default=None)
    haircut = r.get(m, "haircut", where, _haircut, default=None)
    if raw is None:
        for key in ("offset_rate", "haircut"):
            if m.get(key) is not None:
                r.problem(join(where, key), "unexpected without currency_terms (per-currency mode)")
        given = m.get("offset_rate") is not None or m.get("haircut") is not None
        return MISSING if given else (None, None, None)
    place = join(where, "currency_terms")
    if not isinstance(raw, Mapping) or not raw:
        r.problem(place, Invalid("a mapping of currency to terms, like {USD: {...}}", raw).message)
        return MISSING
    used: dict[str, list[str]] = {}
    for account in members if ok(members) else ():
        if account in currencies:
            used.setdefault(currencies[account], []).append(account)
    found: dict[str, Terms] = {}
    failed = False
    for key, value in raw.items():
        code = r.value(key, join(place, key_text(key)), currency)
        if code is MISSING:
            failed = True
            continue
        at = join(place, code)
        if ok(pool_cur) and code == pool_cur:
            r.problem(at, f"unexpected: {code} is the pool currency, whose terms are `terms`")
            failed = True
        elif ok(members) and code not in used:
            r.problem(at, f"expected a currency of the pool's accounts; none is in {code}")
            failed = True
        terms = read_terms(r, value, at, code)
        if terms is MISSING:
            failed = True
        else:
            found[code] = terms
    for code, accounts in used.items():
        if ok(pool_cur) and code != pool_cur and code not in found and code not in raw:
            r.problem(place, f"missing terms for {code}, the currency of {', '.join(accounts)}")
            failed = True
    if haircut is not None and ok(haircut) and offset is None:
        r.problem(join(where, "haircut"), "expected an offset_rate too: it cuts the offset's cover")
        failed = True
    if failed or offset is MISSING or haircut is MISSING:
        return MISSING
    return found, offset, haircut


def _haircut(value: object) -> Decimal:
    """An FX haircut from 0% to below 100%, like 8%."""
    cut = share(value)
    if cut >= 1:
        raise Invalid("a haircut from 0% to below 100%, like 8%", value)
    return cut


def read_header_limit(
    r: Reader,
    data: object,
    where: str,
    currencies: Mapping[str, str],
    headers: set[str] | None,
) -> dict[str, Money] | Missing:
    """`header_limit: {HEADER: AMOUNT}`: how far into debit each named header may go to fund
    its participants, in the header's currency (`headers`: the structure's headers, None
    when its rules could not be read)."""
    place = join(where, "header_limit")
    if not isinstance(data, Mapping) or not data:
        r.problem(
            place,
            Invalid("a mapping of header account to amount, like {HQ: 2000000 USD}", data).message,
        )
        return MISSING
    out: dict[str, Money] = {}
    wrong = False
    for key, value in data.items():
        at = join(place, key_text(key))
        account = r.value(key, at, identifier)
        if account is MISSING:
            wrong = True
            continue
        cur = currencies.get(account)
        if cur is None:
            r.problem(at, f"unknown account {account!r}; expected a header of the structure")
            wrong = True
            continue
        if headers is not None and account not in headers:
            r.problem(at, f"expected a header of the structure; {account} sweeps into none")
            wrong = True
            continue
        amount = r.value(value, at, _limit_in(cur))
        if amount is MISSING:
            wrong = True
        elif amount.currency != cur:
            r.problem(at, f"expected an amount in {cur}, the currency of {account}")
            wrong = True
        else:
            out[account] = amount
    return MISSING if wrong else out


def _limit_in(cur: str) -> Callable[[object], Money]:
    def parse(value: object) -> Money:
        """An amount that is not negative, like '2000000 USD', or a bare number in `cur`."""
        return positive_money(value, cur)

    return parse


def _id_list(value: object) -> tuple[str, ...]:
    """A list of at least two account ids."""
    if not isinstance(value, list) or len(value) < 2:
        raise Invalid("a list of at least two account ids", value)
    return tuple(identifier(v) for v in value)


def _shares(value: object) -> dict[str, Decimal]:
    """A mapping of account id to share, summing to 100%."""
    if not isinstance(value, Mapping) or not value:
        raise Invalid("a mapping of account id to share, like {HQ-USD: 60%}", value)
    shares = {identifier(k): share(v) for k, v in value.items()}
    total = sum(shares.values(), Decimal(0))
    if total != 1:
        raise Invalid(f"shares that add up to 100%; these add up to {format_rate(total)}")
    return shares


def read_intercompany(
    r: Reader, data: object, flat: Decimal | Missing | None, where: str = "intercompany"
) -> IntercompanyTerms | Missing:
    """`intercompany:` {rates: {CUR: rate}, lending_spread, borrowing_spread, day_count:
    {CUR: ACT/360 | ACT/365}}. `flat` is the case's `intercompany_rate` (the rate of every
    currency `rates` does not list); each rate less the lending spread must stay above -100%
    and plus the borrowing spread at most 1000% (money.RATE), so the engine stays exact."""
    m = r.mapping(
        data, where, ("rates", "lending_spread", "borrowing_spread", "day_count", "changes")
    )
    rates = _per_currency(r, m, "rates", where, rate)
    day_counts = _per_currency(r, m, "day_count", where, one_of(*DAY_COUNTS))
    lending = r.get(m, "lending_spread", where, _spread, default=Decimal(0))
    borrowing = r.get(m, "borrowing_spread", where, _spread, default=Decimal(0))
    if rates is MISSING or day_counts is MISSING or lending is MISSING or borrowing is MISSING:
        return MISSING
    first = IntercompanyTerms(rates, lending, borrowing, day_counts)
    if not _within_range(r, first, flat, where):
        return MISSING
    if m.get("changes") is None:
        return first
    changes = _intercompany_changes(r, m["changes"], join(where, "changes"), first, flat)
    return MISSING if changes is MISSING else attrs.evolve(first, changes=changes)


def _within_range(
    r: Reader, terms: IntercompanyTerms, flat: Decimal | Missing | None, where: str
) -> bool:
    """Each rate less the lending spread above -100% and plus the borrowing spread at most
    1000% (money.RATE); else a problem at the rate's place."""
    levels: dict[str, Decimal] = {join(join(where, "rates"), c): v for c, v in terms.rates.items()}
    if ok(flat) and flat is not None:
        levels["intercompany_rate"] = flat
    for place, level in levels.items():
        if level - terms.lending_spread <= MIN_RATE or level + terms.borrowing_spread > MAX_RATE:
            r.problem(
                place,
                f"expected a rate that less the lending spread stays above {MIN_RATE:%} and "
                f"plus the borrowing spread is at most {MAX_RATE:%}; found {format_rate(level)}",
            )
            return False
    return True


#: What a dated change of intercompany terms may state (day counts are the contract's).
INTERCOMPANY_CHANGE_KEYS = ("from", "rates", "lending_spread", "borrowing_spread")


def _intercompany_changes(
    r: Reader, value: object, where: str, first: IntercompanyTerms, flat: Decimal | Missing | None
) -> tuple[IntercompanyChange, ...] | Missing:
    """Dated changes of intercompany terms, in increasing order of `from`: each replaces the
    spreads it states and the rates of the currencies it lists (docs/case-format.md)."""

    def step(
        m: Mapping[str, object], place: str, previous: IntercompanyTerms
    ) -> IntercompanyTerms | Missing:
        rates = _per_currency(r, m, "rates", place, rate)
        lending = r.get(m, "lending_spread", place, _spread, default=previous.lending_spread)
        borrowing = r.get(m, "borrowing_spread", place, _spread, default=previous.borrowing_spread)
        if rates is MISSING or lending is MISSING or borrowing is MISSING:
            return MISSING
        terms = IntercompanyTerms(
            {**previous.rates, **rates}, lending, borrowing, previous.day_counts
        )
        return terms if _within_range(r, terms, flat, place) else MISSING

    dated = _read_dated(r, value, where, INTERCOMPANY_CHANGE_KEYS, first, step)
    return MISSING if dated is MISSING else tuple(IntercompanyChange(*d) for d in dated)


def _spread(value: object) -> Decimal:
    """A spread that is not negative, like 0.25% (within money.RATE)."""
    level = rate(value)
    if level < 0:
        raise Invalid("a spread that is not negative, like 0.25%", value)
    return level


def _per_currency(
    r: Reader, m: Mapping[str, object], key: str, where: str, parse: Callable[[object], W]
) -> dict[str, W] | Missing:
    """`m[key]` as a mapping of ISO 4217 code to a value each read by `parse` ({} if absent),
    each problem at its own place (`intercompany.rates.EUR`)."""
    place = join(where, key)
    value = m.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not value:
        expected = "a mapping of ISO 4217 currency code to a value, like {EUR: 3%}"
        r.problem(place, Invalid(expected, value).message)
        return MISSING
    out: dict[str, W] = {}
    for code, item in value.items():
        at = join(place, key_text(code))
        read_code = r.value(code, at, currency)
        read_item = r.value(item, at, parse)
        if ok(read_code) and ok(read_item):
            out[read_code] = read_item
    return out if len(out) == len(value) else MISSING
