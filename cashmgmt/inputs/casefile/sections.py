"""Section readers of the case file: client, entities, accounts, terms and structures, each
read into its model object, or MISSING once its problems are recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from cashmgmt.errors import MISSING, Invalid, Missing, ok
from cashmgmt.inputs.casefile.parsers import (
    account_number,
    country,
    currency,
    identifier,
    one_of,
    positive_money,
    rate,
    share,
    sweep_days,
    text,
)
from cashmgmt.inputs.casefile.reader import Reader, every, join, key_text
from cashmgmt.model import (
    ALLOCATIONS,
    DAY_COUNTS,
    DIRECTIONS,
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
    Fees,
    IntercompanyTerms,
    NotionalPool,
    PhysicalStructure,
    RuleKind,
    Structure,
    SweepRule,
    Terms,
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


def read_client(r: Reader, data: object) -> Client | Missing:
    where = "client"
    m = r.mapping(
        data,
        where,
        ("name", "local_name", "industry", "country", "annual_revenue", "language", "needs"),
    )
    name = r.get(m, "name", where, text)
    local = r.get(m, "local_name", where, text, default=None)
    industry = r.get(m, "industry", where, text)
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
    if (
        name is MISSING
        or industry is MISSING
        or home is MISSING
        or revenue is MISSING
        or language is MISSING
        or local is MISSING
    ):
        return MISSING
    return Client(name, industry, home, revenue, language, tuple(needs), local)


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
    return r.share(Terms(day_count, credit, debit, tiering, limit, penalty))


def read_account(r: Reader, data: object, where: str) -> Account | Missing:
    keys = ("id", "entity", "bank", "country", "currency", "number", "terms")
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
    if (
        aid is MISSING
        or entity is MISSING
        or bank is MISSING
        or home is MISSING
        or cur is MISSING
        or number is MISSING
        or terms is MISSING
    ):
        return MISSING
    return Account(aid, entity, bank, home, cur, number, terms)


def read_fees(r: Reader, data: object, where: str) -> Fees | Missing:
    m = r.mapping(data, where, ("per_sweep", "per_account_month", "setup"))
    fees = {
        k: r.get(m, k, where, _fee, default=None)
        for k in ("per_sweep", "per_account_month", "setup")
    }
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
        keys = ("id", "name", "kind", "sweep_days", "rules", "fees")
    else:
        keys = (
            "id",
            "name",
            "kind",
            "currency",
            "accounts",
            "terms",
            "allocation",
            "header",
            "shares",
            "fees",
        )
    m = r.mapping(data, where, keys)
    sid = r.get(m, "id", where, identifier)
    name = r.get(m, "name", where, text)
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
        if (
            sid is MISSING
            or name is MISSING
            or days is MISSING
            or fees is MISSING
            or read_rules is MISSING
            or not read_rules
        ):
            return MISSING
        return PhysicalStructure(sid, name, read_rules, days, fees)
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
    ):
        return MISSING
    return NotionalPool(sid, name, pool_cur, members, terms, allocation, header, shares, fees)


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
    m = r.mapping(data, where, ("rates", "lending_spread", "borrowing_spread", "day_count"))
    rates = _per_currency(r, m, "rates", where, rate)
    day_counts = _per_currency(r, m, "day_count", where, one_of(*DAY_COUNTS))
    lending = r.get(m, "lending_spread", where, _spread, default=Decimal(0))
    borrowing = r.get(m, "borrowing_spread", where, _spread, default=Decimal(0))
    if rates is MISSING or day_counts is MISSING or lending is MISSING or borrowing is MISSING:
        return MISSING
    levels: dict[str, Decimal] = {join(join(where, "rates"), c): v for c, v in rates.items()}
    if ok(flat) and flat is not None:
        levels["intercompany_rate"] = flat
    for place, level in levels.items():
        if level - lending <= MIN_RATE or level + borrowing > MAX_RATE:
            r.problem(
                place,
                f"expected a rate that less the lending spread stays above {MIN_RATE:%} and "
                f"plus the borrowing spread is at most {MAX_RATE:%}; found {format_rate(level)}",
            )
            return MISSING
    return IntercompanyTerms(rates, lending, borrowing, day_counts)


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
