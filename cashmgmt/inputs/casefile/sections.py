"""Case files, version 1: load a case folder into the model, or save one.

Loading collects every problem (file, place, what was expected) before it gives up, so
the RM fixes a case in one pass; see docs/case-format.md for the contract.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cashmgmt.errors import MISSING, CaseError, Invalid, Problem, _Missing, ok
from cashmgmt.files import write_atomic
from cashmgmt.inputs import tables, validate
from cashmgmt.model import (
    ALLOCATIONS,
    DAY_COUNTS,
    DIRECTIONS,
    LANGUAGES,
    NEED_AREAS,
    RULE_KINDS,
    TIERINGS,
    WEEKDAYS,
    Account,
    Case,
    Client,
    Entity,
    Fees,
    NotionalPool,
    PhysicalStructure,
    Structure,
    SweepRule,
    Terms,
    Tier,
)
from cashmgmt.money import (
    Money,
    check_size,
    format_rate,
    is_currency,
    parse_decimal,
    parse_money,
    parse_rate,
)
from cashmgmt.regions import is_country

T = TypeVar("T")
FORMAT_VERSION = 1
CASE_NAMES = ("case.yaml", "case.yml")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)  # YAML 1.2: `NO` and `on` stay strings
    yaml.allow_duplicate_keys = False
    return yaml


# ---------------------------------------------------------------------------- parsers
# Each takes a YAML value and returns a typed value or raises Invalid(expected, got).


def text(value: object) -> str:
    """A non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("a non-empty text", value)
    return value.strip()


def identifier(value: object) -> str:
    """An id: non-empty text without spaces (ids appear in rules and tables)."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise Invalid("an id (text without spaces)", value)
    return value


def currency(value: object) -> str:
    """An ISO 4217 currency code."""
    if not is_currency(value):
        raise Invalid("an ISO 4217 currency code such as CNY, EUR or USD", value)
    return cast(str, value)


def country(value: object) -> str:
    """An ISO 3166 alpha-2 country code."""
    if not is_country(value):
        raise Invalid("an ISO 3166 alpha-2 country code such as CN, DE or US", value)
    return cast(str, value)


def one_of(*choices: str) -> Callable[[object], str]:
    """A parser that accepts only the given words."""

    def parse(value: object) -> str:
        if value not in choices:
            raise Invalid("one of " + ", ".join(choices), value)
        return str(value)

    return parse


def rate(value: object) -> Decimal:
    """An interest rate like 0.35% (negative rates exist, as in EUR and CHF)."""
    result = parse_rate(value)
    if not Decimal(-1) < result <= Decimal(1):
        raise Invalid("a rate above -100% and at most 100% (write 3.1% or 0.031)", value)
    if result != result.quantize(Decimal("1e-8")):
        raise Invalid("a rate with at most 6 decimals in percent (0.000001%)", value)
    return result


def share(value: object) -> Decimal:
    """A share from 0% to 100%."""
    result = parse_rate(value)
    if not Decimal(0) <= result <= Decimal(1):
        raise Invalid("a share between 0% and 100%", value)
    return result


def sweep_days(value: object) -> str:
    """daily | business | weekly:MON..SUN | monthly:first | monthly:last | monthly:1..31."""
    ok = isinstance(value, str) and (
        value in ("daily", "business")
        or (value.startswith("weekly:") and value[7:] in WEEKDAYS)
        or value in ("monthly:first", "monthly:last")
        or (value.startswith("monthly:") and value[8:].isdigit() and 1 <= int(value[8:]) <= 31)
    )
    if not ok:
        raise Invalid(
            "daily, business, weekly:FRI (any weekday), monthly:last or monthly:15", value
        )
    return cast(str, value)


def account_number(value: object) -> str:
    """An account number: quoted text, so that leading zeros survive YAML."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid('the account number as quoted text, like "0012345678"', value)
    return value.strip()


def positive_money(value: object, default: str | None) -> Money:
    """An amount that is not negative."""
    money = check_size(parse_money(value, default))
    if money.amount < 0:
        raise Invalid("an amount that is not negative", value)
    return money


# ----------------------------------------------------------------------------- reader


class Reader:
    """Walks the YAML tree of one file and records problems with their key paths."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.shared: dict[object, object] = {}

    def share(self, value: T) -> T:
        """One object per distinct value (accounts with equal terms share them, so the engine
        turns each distinct terms into arrays once)."""
        return cast(T, self.shared.setdefault(value, value))

    def problem(self, where: str, message: str) -> None:
        """Record one problem at a key path."""
        self.problems.append(Problem(self.file, where, message))

    def mapping(self, value: object, where: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        """`value` as a mapping with only the known `keys` (else {} and a problem)."""
        if not isinstance(value, Mapping):
            self.problem(where, Invalid("a mapping of keys to values", value).message)
            return {}
        for key in value:
            if key not in keys:
                self.problem(
                    _join(where, str(key)), "unknown key; expected one of " + ", ".join(keys)
                )
        return value

    def sequence(self, value: object, where: str) -> list[Any]:
        """`value` as a list (else [] and a problem)."""
        if not isinstance(value, list):
            self.problem(where, Invalid("a list", value).message)
            return []
        return value

    def value(self, value: object, place: str, parse: Callable[[Any], T]) -> T:
        """Parse one value found at `place` (MISSING and a problem if it is wrong)."""
        try:
            return parse(value)
        except Invalid as exc:
            self.problem(place, exc.message)
            return cast(T, MISSING)

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        parse: Callable[[Any], T],
        *,
        default: T | _Missing = MISSING,
    ) -> T:
        """Parse `data[key]`; a missing key takes `default` or is a problem (MISSING)."""
        place = _join(where, key)
        if key not in data or data[key] is None:
            if isinstance(default, _Missing):
                self.problem(place, "missing; expected " + _what(parse))
            return cast(T, default)
        return self.value(data[key], place, parse)

    def section(self, data: Mapping[str, Any], key: str, what: str, where: str = "") -> list[Any]:
        """A required list (else [] and a problem)."""
        place = _join(where, key)
        if data.get(key) is None:
            self.problem(place, f"missing; expected a list of {what}")
            return []
        return self.sequence(data[key], place)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _what(parse: Callable[[Any], object]) -> str:
    doc = (parse.__doc__ or "a value").strip().split("\n")[0].rstrip(".")
    return doc[0].lower() + doc[1:]


# ------------------------------------------------------------------------------ parts


def read_client(r: Reader, data: object) -> Client:
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
    for i, need in enumerate(r.sequence(m.get("needs", []), _join(where, "needs"))):
        if isinstance(need, str) and need in NEED_AREAS:
            needs.append(need)
        else:
            expected = Invalid("a need: one of " + ", ".join(NEED_AREAS), need).message
            r.problem(f"client.needs[{i}]", expected)
    if not ok(name, industry, home, revenue, language, local):
        return MISSING
    return Client(name, industry, home, revenue, language, tuple(needs), local)


def _revenue(value: object) -> Money:
    """An amount and its ISO 4217 code, like '8600000000 CNY'."""
    return positive_money(value, None)


def read_entity(r: Reader, data: object, where: str) -> Entity:
    keys = ("id", "name", "local_name", "country", "parent", "ownership")
    m = r.mapping(data, where, keys)
    eid = r.get(m, "id", where, identifier)
    name = r.get(m, "name", where, text)
    local = r.get(m, "local_name", where, text, default=None)
    home = r.get(m, "country", where, country)
    parent = r.get(m, "parent", where, identifier, default=None)
    ownership = r.get(m, "ownership", where, share, default=None)
    if ownership is not None and parent is None:
        r.problem(_join(where, "ownership"), "expected a parent for the ownership share")
    if parent is not None and ownership is None:
        ownership = Decimal(1)
    if not ok(eid, name, local, home, parent, ownership):
        return MISSING
    return Entity(eid, name, home, parent, ownership, local)


def read_tiers(r: Reader, value: object, where: str, currency: str | None) -> tuple[Tier, ...]:
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
        if not ok(start, level):
            return MISSING
        if tiers and start <= tiers[-1].start:
            r.problem(_join(place, "from"), "expected tiers in increasing order of 'from'")
            return MISSING
        if not tiers and start != 0:
            r.problem(_join(place, "from"), "expected the first tier to start from 0")
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
            return parse_decimal(value if not isinstance(value, str) else value.split()[0])
        money = positive_money(value, currency)
        if money.currency != currency:
            raise Invalid(f"an amount in {currency}", value)
        return money.amount

    return parse


def read_terms(r: Reader, data: object, where: str, money_currency: str | None) -> Terms:
    keys = (
        "day_count",
        "credit_rate",
        "debit_rate",
        "overdraft_limit",
        "penalty_rate",
        "tiering",
    )
    m = r.mapping(data, where, keys)
    day_count = r.get(m, "day_count", where, one_of(*DAY_COUNTS), default="ACT/360")
    credit: tuple[Tier, ...] = ()
    debit: tuple[Tier, ...] = ()
    if m.get("credit_rate") is not None:
        credit = read_tiers(r, m["credit_rate"], _join(where, "credit_rate"), money_currency)
    if m.get("debit_rate") is not None:
        debit = read_tiers(r, m["debit_rate"], _join(where, "debit_rate"), money_currency)
    tiering = r.get(m, "tiering", where, one_of(*TIERINGS), default="marginal")
    limit = r.get(
        m, "overdraft_limit", where, lambda v: positive_money(v, money_currency), default=None
    )
    if ok(limit) and limit is not None and money_currency and limit.currency != money_currency:
        r.problem(_join(where, "overdraft_limit"), f"expected an amount in {money_currency}")
        limit = MISSING
    penalty = r.get(m, "penalty_rate", where, rate, default=None)
    if penalty is not None and ok(penalty) and m.get("overdraft_limit") is None:
        r.problem(
            _join(where, "penalty_rate"),
            "expected an overdraft_limit too: the penalty rate applies beyond the limit",
        )
    if not ok(day_count, credit, debit, tiering, limit, penalty):
        return MISSING
    return r.share(Terms(cast(Any, day_count), credit, debit, cast(Any, tiering), limit, penalty))


def read_account(r: Reader, data: object, where: str) -> Account:
    keys = ("id", "entity", "bank", "country", "currency", "number", "terms")
    m = r.mapping(data, where, keys)
    aid = r.get(m, "id", where, identifier)
    entity = r.get(m, "entity", where, identifier)
    bank = r.get(m, "bank", where, text)
    home = r.get(m, "country", where, country)
    cur = r.get(m, "currency", where, currency)
    number = r.get(m, "number", where, account_number, default=None)
    terms = Terms()
    if m.get("terms") is not None:
        terms = read_terms(r, m["terms"], _join(where, "terms"), cur if ok(cur) else None)
    if not ok(aid, entity, bank, home, cur, number, terms):
        return MISSING
    return Account(aid, entity, bank, home, cur, number, terms)


def read_fees(r: Reader, data: object, where: str) -> Fees:
    m = r.mapping(data, where, ("per_sweep", "per_account_month", "setup"))
    fees = {
        k: r.get(m, k, where, _fee, default=None)
        for k in ("per_sweep", "per_account_month", "setup")
    }
    return Fees(**fees) if ok(*fees.values()) else MISSING


def _fee(value: object) -> Money:
    """A fee: an amount and its currency, like '5 CNY'."""
    return positive_money(value, None)


def read_rule(r: Reader, data: object, where: str, currencies: Mapping[str, str]) -> SweepRule:
    keys = ("from", "to", "rule", "target", "minimum", "low", "high", "direction")
    m = r.mapping(data, where, keys)
    participant = r.get(m, "from", where, identifier)
    header = r.get(m, "to", where, identifier)
    kind = r.get(m, "rule", where, one_of(*RULE_KINDS))
    direction = r.get(m, "direction", where, one_of(*DIRECTIONS), default="two-way")
    cur = currencies.get(participant) if ok(participant) else None
    amounts: dict[str, Money | None] = {}
    needed = {
        "zero-balance": (),
        "target": ("target",),
        "threshold": ("target", "minimum"),
        "range": ("low", "high", "target"),
    }
    wanted = needed.get(kind, ()) if ok(kind) else ()
    for key in ("target", "minimum", "low", "high"):
        if key in wanted:
            amount = r.get(m, key, where, _rule_amount(cur))
        elif key in m and ok(kind):
            r.problem(
                _join(where, key),
                f"unexpected for a {kind} rule, which takes " + (", ".join(wanted) or "no amounts"),
            )
            amount = MISSING
        else:
            amount = None
        if ok(amount) and amount is not None and cur and amount.currency != cur:
            r.problem(
                _join(where, key), f"expected an amount in {cur}, the currency of {participant}"
            )
            amount = MISSING
        amounts[key] = r.share(amount) if ok(amount) and amount is not None else amount
    minimum = amounts["minimum"]
    if kind == "threshold" and ok(minimum) and minimum is not None and minimum.amount <= 0:
        r.problem(_join(where, "minimum"), "expected a minimum transfer above zero")
        amounts["minimum"] = MISSING
    if kind == "range" and ok(*amounts.values()):
        low, high, target = amounts["low"], amounts["high"], amounts["target"]
        assert low and high and target
        if not low.amount <= target.amount <= high.amount:
            r.problem(where, "expected low <= target <= high")
            amounts["target"] = MISSING
    if not ok(participant, header, kind, direction, *amounts.values()):
        return MISSING
    return SweepRule(
        participant, header, cast(Any, kind), direction=cast(Any, direction), **amounts
    )


def _rule_amount(cur: str | None) -> Callable[[object], Money]:
    def parse(value: object) -> Money:
        """An amount like '500000 CNY', or a bare number in the participant's currency."""
        if cur is None and not isinstance(value, str):
            parse_decimal(value)  # the participant's own problem is reported elsewhere
            return cast(Money, MISSING)
        return check_size(parse_money(value, cur))

    return parse


def read_structure(r: Reader, data: object, where: str, currencies: Mapping[str, str]) -> Structure:
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind not in ("physical", "notional"):
        if isinstance(data, Mapping):
            r.problem(_join(where, "kind"), Invalid("physical or notional", kind).message)
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
    fees = read_fees(r, m["fees"], _join(where, "fees")) if m.get("fees") is not None else Fees()
    if kind == "physical":
        days = r.get(m, "sweep_days", where, sweep_days, default="daily")
        rules = []
        raw_rules = r.section(m, "rules", "rules", where) if m else []
        if not raw_rules and isinstance(m.get("rules"), list):
            r.problem(_join(where, "rules"), "expected at least one rule")
        for i, item in enumerate(raw_rules):
            rules.append(read_rule(r, item, f"{where}.rules[{i}]", currencies))
        if not ok(sid, name, days, fees, *rules) or not rules:
            return MISSING
        return PhysicalStructure(sid, name, tuple(rules), days, fees)
    pool_cur = r.get(m, "currency", where, currency)
    members = r.get(m, "accounts", where, _id_list)
    terms = read_terms(
        r, m.get("terms") or {}, _join(where, "terms"), pool_cur if ok(pool_cur) else None
    )
    allocation = r.get(m, "allocation", where, one_of(*ALLOCATIONS), default="header")
    header = r.get(m, "header", where, identifier, default=None)
    shares = r.get(m, "shares", where, _shares, default=None)
    if shares is not None and ok(shares, allocation) and allocation != "percentage":
        r.problem(_join(where, "shares"), "unexpected; shares are for allocation: percentage")
        shares = MISSING
    if ok(shares, members) and shares is not None and set(shares) != set(members):
        left_out = ", ".join(a for a in members if a not in shares) or "none"
        r.problem(
            _join(where, "shares"),
            f"expected a share for every account of the pool (0% is fine); missing: {left_out}",
        )
        shares = MISSING
    if ok(allocation) and allocation == "percentage" and shares is None:
        r.problem(
            _join(where, "shares"),
            "missing; expected the members' shares for "
            "allocation: percentage, like {HQ-USD: 60%, HK-HKD: 40%}",
        )
        shares = MISSING
    if not ok(sid, name, pool_cur, members, terms, allocation, header, shares, fees):
        return MISSING
    return NotionalPool(
        sid, name, pool_cur, members, terms, cast(Any, allocation), header, shares, fees
    )


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
    if sum(shares.values()) != 1:
        raise Invalid("shares that add up to 100%", value)
    return shares


# ------------------------------------------------------------------------------- load


def find_case_file(path: Path) -> Path:
    """The case YAML for a folder or file path (CaseError naming the path if none)."""
    if path.is_dir():
        for name in CASE_NAMES:
            if (path / name).is_file():
                return path / name
        raise CaseError([Problem(str(path), "", "expected a case folder holding case.yaml")])
    if path.is_file():
        return path
    raise CaseError(
        [Problem(str(path), "", "no such file or folder; expected a case folder or case.yaml")]
    )


def read_yaml(file: Path, label: str) -> tuple[object, list[Problem]]:
    """Parse a YAML file; a syntax error becomes a located Problem."""
    try:
        raw = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(label, f"byte {exc.start}", "expected UTF-8 text")]
    except OSError as exc:
        return None, [Problem(label, "", f"cannot be read ({exc.strerror})")]
    try:
        return _yaml().load(raw), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "valid YAML"
        return None, [Problem(label, where, f"expected valid YAML ({what})")]
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, [Problem(label, "", f"expected valid YAML ({type(exc).__name__}: {exc})")]


TOP_KEYS = (
    "case",
    "client",
    "base_currency",
    "proposing_bank",
    "entities",
    "accounts",
    "balances",
    "fx_rates",
    "intercompany_rate",
    "structures",
)


def load_case(path: str | Path) -> Case:
    """Load and check a case folder (or its YAML file); CaseError lists every problem."""
    file = find_case_file(Path(path))
    folder = file.parent
    label = str(file)
    data, problems = read_yaml(file, label)
    if problems:
        raise CaseError(problems)
    r = Reader(label)
    top = r.mapping(data, "", TOP_KEYS)
    if not isinstance(data, Mapping):
        raise CaseError(r.problems)
    version = r.get(top, "case", "", _version)
    client = MISSING
    if top.get("client") is None:
        r.problem("client", "missing; expected the client: name, industry, country, …")
    else:
        client = read_client(r, top["client"])
    base = r.get(top, "base_currency", "", currency)
    bank = r.get(top, "proposing_bank", "", text, default=None)
    entities = [
        read_entity(r, item, f"entities[{i}]")
        for i, item in enumerate(r.section(top, "entities", "entities"))
    ]
    accounts = [
        read_account(r, item, f"accounts[{i}]")
        for i, item in enumerate(r.section(top, "accounts", "accounts"))
    ]
    currencies = {a.id: a.currency for a in accounts if ok(a)}
    raw_structures = r.sequence(top.get("structures") or [], "structures")
    structures = [
        read_structure(r, item, f"structures[{i}]", currencies)
        for i, item in enumerate(raw_structures)
    ]
    ic_rate = r.get(top, "intercompany_rate", "", rate, default=None)
    balances_name = r.get(top, "balances", "", _file_name)
    fx_name = r.get(top, "fx_rates", "", _file_name, default=None)
    if isinstance(top.get("entities"), list) and not entities:
        r.problem("entities", "expected at least one entity")
    if isinstance(top.get("accounts"), list) and not accounts:
        r.problem("accounts", "expected at least one account")
    problems = r.problems
    good_accounts = [a for a in accounts if ok(a)]
    problems += validate.check_ids(label, top)
    problems += validate.check_entities(label, top)
    problems += validate.check_accounts(label, top, bank if ok(bank) else None)
    problems += validate.check_structures(label, top, currencies)

    history = fx = MISSING
    if ok(balances_name):
        unreadable = validate.known_ids(top, "accounts") - set(currencies)
        history, table_problems = tables.read_balances(
            folder / balances_name, good_accounts, unreadable
        )
        problems += table_problems
    if ok(base, fx_name):
        fx_path = folder / fx_name if fx_name is not None else None
        fx, fx_problems = tables.read_fx(fx_path, base)
        problems += fx_problems
        if ok(history, fx):
            problems += validate.check_fx_coverage(
                label,
                str(folder / fx_name) if fx_name else None,
                fx,
                history,
                good_accounts,
                [s for s in structures if ok(s)],
            )
    parts = (version, client, base, bank, ic_rate, history, fx, *entities, *accounts, *structures)
    if problems or not ok(*parts):
        raise CaseError(problems or [Problem(label, "", "expected a complete case")])
    return Case(
        client=client,
        base_currency=base,
        entities=tuple(entities),
        accounts=tuple(accounts),
        balances=history,
        fx=fx,
        structures=tuple(structures),
        intercompany_rate=ic_rate,
        proposing_bank=bank,
        source=label,
    )


def _version(value: object) -> int:
    """The format version: 1."""
    if value != FORMAT_VERSION or isinstance(value, bool):
        raise Invalid(f"the format version {FORMAT_VERSION}", value)
    return FORMAT_VERSION


def _file_name(value: object) -> str:
    """A .csv or .xlsx file name relative to the case folder."""
    name = text(value)
    if not name.lower().endswith((".csv", ".xlsx")):
        raise Invalid("a .csv or .xlsx file name relative to the case folder", value)
    return name


# ------------------------------------------------------------------------------- save


def _money(m: Money | None) -> str | None:
    return None if m is None else f"{format(m.amount, 'f')} {m.currency}"


def _number(d: Decimal) -> int | str:
    return int(d) if d == d.to_integral_value() else format(d, "f")


def _tiers(tiers: tuple[Tier, ...]) -> object:
    if len(tiers) == 1 and tiers[0].start == 0:
        return format_rate(tiers[0].rate)
    return [{"from": _number(t.start), "rate": format_rate(t.rate)} for t in tiers]


def _terms(terms: Terms) -> dict[str, object]:
    out: dict[str, object] = {"day_count": terms.day_count}
    if terms.credit:
        out["credit_rate"] = _tiers(terms.credit)
    if terms.debit:
        out["debit_rate"] = _tiers(terms.debit)
    if terms.tiering != "marginal":
        out["tiering"] = terms.tiering
    if terms.overdraft_limit is not None:
        out["overdraft_limit"] = _money(terms.overdraft_limit)
    if terms.penalty_rate is not None:
        out["penalty_rate"] = format_rate(terms.penalty_rate)
    return out


def _drop_none(d: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in d.items() if v is not None}


def _fees(fees: Fees) -> dict[str, object] | None:
    out = _drop_none(
        {
            "per_sweep": _money(fees.per_sweep),
            "per_account_month": _money(fees.per_account_month),
            "setup": _money(fees.setup),
        }
    )
    return out or None


def _structure(s: Structure) -> dict[str, object]:
    if isinstance(s, PhysicalStructure):
        rules = [
            _drop_none(
                {
                    "from": rule.participant,
                    "to": rule.header,
                    "rule": rule.kind,
                    "target": _money(rule.target),
                    "minimum": _money(rule.minimum),
                    "low": _money(rule.low),
                    "high": _money(rule.high),
                    "direction": None if rule.direction == "two-way" else rule.direction,
                }
            )
            for rule in s.rules
        ]
        return _drop_none(
            {
                "id": s.id,
                "name": s.name,
                "kind": "physical",
                "sweep_days": s.sweep_days,
                "rules": rules,
                "fees": _fees(s.fees),
            }
        )
    shares = None if s.shares is None else {k: format_rate(v) for k, v in s.shares.items()}
    return _drop_none(
        {
            "id": s.id,
            "name": s.name,
            "kind": "notional",
            "currency": s.currency,
            "accounts": list(s.accounts),
            "terms": _terms(s.terms),
            "allocation": s.allocation,
            "header": s.header,
            "shares": shares,
            "fees": _fees(s.fees),
        }
    )


def case_document(case: Case) -> dict[str, object]:
    """The case as the plain data of a version-1 case file."""
    c = case.client
    client = _drop_none(
        {
            "name": c.name,
            "local_name": c.local_name,
            "industry": c.industry,
            "country": c.country,
            "annual_revenue": _money(c.annual_revenue),
            "language": c.language,
            "needs": list(c.needs) or None,
        }
    )
    entities = [
        _drop_none(
            {
                "id": e.id,
                "name": e.name,
                "local_name": e.local_name,
                "country": e.country,
                "parent": e.parent,
                "ownership": None if e.ownership is None else format_rate(e.ownership),
            }
        )
        for e in case.entities
    ]
    accounts = [
        _drop_none(
            {
                "id": a.id,
                "entity": a.entity,
                "bank": a.bank,
                "country": a.country,
                "currency": a.currency,
                "number": a.number,
                "terms": _terms(a.terms),
            }
        )
        for a in case.accounts
    ]
    return _drop_none(
        {
            "case": FORMAT_VERSION,
            "client": client,
            "base_currency": case.base_currency,
            "proposing_bank": case.proposing_bank,
            "entities": entities,
            "accounts": accounts,
            "balances": "balances.csv",
            "fx_rates": "fx.csv" if case.fx.series else None,
            "intercompany_rate": None
            if case.intercompany_rate is None
            else format_rate(case.intercompany_rate),
            "structures": [_structure(s) for s in case.structures] or None,
        }
    )


def save_case(case: Case, folder: str | Path) -> Path:
    """Write `case` as a new case folder (case.yaml, balances.csv, fx.csv); never overwrites."""
    target = Path(folder)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: folder is not empty; cashmgmt never overwrites a case")
    target.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    _yaml_dump(case_document(case), buffer)
    write_atomic(target / "case.yaml", buffer.getvalue().encode("utf-8"))
    write_atomic(target / "balances.csv", tables.balances_csv(case).encode("utf-8"))
    if case.fx.series:
        write_atomic(target / "fx.csv", tables.fx_csv(case.fx).encode("utf-8"))
    return target / "case.yaml"


def _yaml_dump(data: object, stream: io.StringIO) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.dump(data, stream)
