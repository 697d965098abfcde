"""A synthetic book: `write_book(folder, n, seed=...)` writes `n` case folders of invented
corporate clients, the shape of a bank's corporate book, with a stated share broken on
purpose. For portfolio runs, their tests and the benchmark (docs/portfolio.md, "A synthetic
book").

**The mix.** Segments by annual revenue in USD at the thresholds of `cycle.assess`
(`SEGMENT_WEIGHTS`: mostly mid and small-mid clients, as a corporate book is), each with its
own group shape (`SHAPES`: entities, ownership levels, foreign subsidiaries, accounts per
entity). Home countries and their currencies from `COUNTRIES` (those whose currency has a
reference USD rate, a default funds-transfer price and a day-count convention shipped in
`cashmgmt/reference/data/`, so every ok case assesses, designs and prices). History lengths
from `HISTORY_MONTHS` (mostly two years, all ending 2025-12-31). With these defaults the
median case holds about 30 accounts over two years (the benchmark's book; docs/portfolio.md
gives the measured figures).

**Determinism.** The same `seed` gives byte-identical files on the same Python and numpy, as
examples/generate.py does for the shipped examples (this module cannot import that script,
which ships outside the package, so it keeps its conventions instead): every choice comes
from a `random.Random` seeded with a string (the book's seed and the case's number, hashed by
SHA-512, never by Python's randomised `hash`); balances come from numpy's PCG64 seeded from
that generator, with a bell shape from sums of four uniforms (no `log`/`sin`, whose last bit
may differ between C libraries); balances become integer minor units before they are written;
nothing depends on the clock or on set order. Case `i` is the same in every book of the same
seed that holds it, whatever `n`.

**Broken cases.** `round(n × broken_share)` cases, chosen by the seed, carry one deliberate
fault each, the four kinds in turn (`BROKEN_KINDS`): a YAML syntax error (a tab indenting an
account), an unknown currency code on one account (`RMB` for CNY and the like), a balances
file named in case.yaml but missing, and a balances column for an account the case does not
have. Each gives located problems from `cashmgmt.load_case`.

**Files.** case.yaml (flow-style accounts, no account numbers), balances.csv in the wide form
(one row a day, one column an account, an empty cell on a day the account's country is
closed: the case format carries the last balance forward) and fx.csv when the group holds
more than one currency (every weekday, units of the base currency per unit of the other).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import cast

import attrs
import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from cashmgmt.cycle.assess import LARGE, MID, SMALL_MID, Segment
from cashmgmt.engine.calendar import business_days
from cashmgmt.files import check_folder
from cashmgmt.money import exponent
from cashmgmt.reference.conventions import day_count_for
from cashmgmt.reference.rates import reference_usd_rates

#: The share of broken cases when none is given.
DEFAULT_BROKEN_SHARE = Decimal("0.05")

#: The deliberate faults, given in turn to the broken cases.
BROKEN_KINDS = ("bad-yaml", "unknown-currency", "missing-balances", "unknown-account")

#: Share of the book per segment: a bank's corporate book is mostly mid and small-mid
#: clients, with few large groups and the micro businesses its branches serve.
SEGMENT_WEIGHTS: dict[Segment, float] = {
    "large": 0.05,
    "mid": 0.40,
    "small-mid": 0.43,
    "micro": 0.12,
}

#: Annual revenue in USD per segment, drawn log-uniform inside the segment's band (kept 10%
#: clear of the thresholds so a case's own FX rates never move it across one).
REVENUE_USD: dict[Segment, tuple[Decimal, Decimal]] = {
    "large": (LARGE * Decimal("1.1"), Decimal(30_000_000_000)),
    "mid": (MID * Decimal("1.1"), LARGE * Decimal("0.9")),
    "small-mid": (SMALL_MID * Decimal("1.1"), MID * Decimal("0.9")),
    "micro": (Decimal(250_000), SMALL_MID * Decimal("0.9")),
}


@attrs.frozen
class Shape:
    """A segment's group shape: entities, ownership levels below the top entity, the chance
    of foreign subsidiaries and how many countries they span, accounts per entity."""

    entities: tuple[int, int]
    levels: tuple[int, int]  # ownership levels: 1 = the top entity only
    foreign: float  # chance that the group has subsidiaries abroad
    foreign_countries: tuple[int, int]
    accounts: tuple[int, int]  # per entity
    facility: float  # chance of a revolving facility's drawing account
    restricted: float  # chance of a restricted (escrow) account


SHAPES: dict[Segment, Shape] = {
    "large": Shape((10, 30), (3, 3), 0.9, (2, 5), (3, 10), 0.6, 0.4),
    "mid": Shape((4, 12), (2, 3), 0.35, (1, 3), (3, 8), 0.3, 0.15),
    "small-mid": Shape((2, 6), (1, 2), 0.1, (1, 1), (3, 9), 0.1, 0.05),
    "micro": Shape((1, 1), (1, 1), 0.0, (0, 0), (1, 3), 0.0, 0.0),
}

#: Months of balance history (all ending 2025-12-31) and their weights.
HISTORY_MONTHS = ((24, 0.65), (18, 0.15), (12, 0.20))
HISTORY_END = date(2025, 12, 31)


@attrs.frozen
class Country:
    """A home country: its currency, its share of the book's clients, banks, a legal-form
    suffix and the proposal language."""

    currency: str
    weight: float
    banks: tuple[str, ...]
    suffix: str
    language: str = "en"


COUNTRIES: dict[str, Country] = {
    "US": Country(
        "USD",
        0.22,
        ("JPMorgan Chase Bank", "Bank of America", "Wells Fargo Bank", "Citibank"),
        "Inc.",
    ),
    "CN": Country(
        "CNY",
        0.20,
        (
            "China Construction Bank",
            "Industrial and Commercial Bank of China",
            "Bank of China",
            "China Merchants Bank",
        ),
        "Co., Ltd.",
        "zh-CN",
    ),
    "GB": Country("GBP", 0.12, ("HSBC UK", "Barclays Bank", "Lloyds Bank", "NatWest"), "Ltd"),
    "DE": Country("EUR", 0.11, ("Deutsche Bank", "Commerzbank", "DZ Bank"), "GmbH"),
    "FR": Country("EUR", 0.08, ("BNP Paribas", "Société Générale", "Crédit Agricole"), "SAS"),
    "HK": Country(
        "HKD", 0.06, ("HSBC Hong Kong", "Bank of China (Hong Kong)", "Standard Chartered"), "Ltd"
    ),
    "NL": Country("EUR", 0.05, ("ING", "ABN AMRO", "Rabobank"), "B.V."),
    "IT": Country("EUR", 0.05, ("UniCredit", "Intesa Sanpaolo"), "S.p.A."),
    "ES": Country("EUR", 0.04, ("Banco Santander", "BBVA", "CaixaBank"), "S.L."),
    "BE": Country("EUR", 0.03, ("BNP Paribas Fortis", "KBC Bank"), "NV"),
    "CH": Country("CHF", 0.02, ("UBS", "Zürcher Kantonalbank"), "AG"),
    "SE": Country("SEK", 0.02, ("SEB", "Handelsbanken"), "AB"),
}

#: Credit and debit rates per currency (a band drawn from, in percent): indicative
#: late-2025 deposit and overdraft levels, for realistic spreads, not quotes.
RATES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "USD": ((0.0, 2.5), (7.5, 11.5)),
    "CNY": ((0.05, 0.9), (3.45, 4.35)),
    "GBP": ((0.0, 2.0), (8.0, 12.0)),
    "EUR": ((0.0, 1.2), (5.0, 9.0)),
    "HKD": ((0.0, 1.5), (6.0, 9.0)),
    "CHF": ((0.0, 0.2), (4.0, 7.0)),
    "SEK": ((0.0, 1.0), (5.0, 8.0)),
}

INDUSTRIES = (
    "Food and beverages",
    "Industrial machinery",
    "Wholesale distribution",
    "Retail",
    "Logistics",
    "Construction",
    "Chemicals",
    "Textiles and apparel",
    "Software and services",
    "Automotive parts",
    "Healthcare services",
    "Hotels and leisure",
    "Agriculture",
    "Electronics",
    "Media",
)

_NAME_FIRST = (
    "Amber", "Atlas", "Birch", "Cedar", "Cobalt", "Crown", "Delta", "Ember", "Falcon",
    "Granite", "Harbor", "Horizon", "Ivory", "Juniper", "Kestrel", "Lumen", "Maple", "Meridian",
    "Northfield", "Oakridge", "Orchid", "Pinnacle", "Quarry", "Redwood", "Sable", "Summit",
    "Tidewater", "Union", "Vantage", "Willow", "Yarrow", "Zenith",
)  # fmt: skip
_NAME_SECOND = (
    "Holdings", "Group", "Industries", "Trading", "Partners", "Works", "Foods", "Systems",
    "Logistics", "Brands", "Manufacturing", "Supply",
)  # fmt: skip
_NEEDS = (
    "visibility", "idle-cash", "overdraft-cost", "concentration", "liquidity",
    "receivables-payables", "account-management",
)  # fmt: skip

#: Monthly multipliers (January first) a case's collections follow.
SEASONS = (
    (1.0,) * 12,
    (0.95, 1.0, 1.05, 1.05, 1.05, 1.05, 0.9, 0.7, 1.05, 1.1, 1.1, 0.95),  # a summer lull
    (0.8, 0.75, 0.85, 0.9, 0.95, 0.95, 0.9, 0.95, 0.95, 1.05, 1.35, 1.6),  # fourth quarter
    (1.3, 0.9, 0.8, 0.85, 0.9, 0.9, 0.85, 0.9, 1.2, 1.1, 1.0, 1.1),  # festive peaks
)


@attrs.frozen
class Book:
    """What `write_book` wrote: the book's folder, its case folders' names in order, and
    the broken ones with the kind of fault each carries."""

    folder: Path
    cases: tuple[str, ...]
    broken: Mapping[str, str]  # case folder name -> one of BROKEN_KINDS
    seed: str


@attrs.frozen
class _Account:
    id: str
    entity: str
    bank: str
    country: str
    currency: str
    credit: str
    debit: str
    overdraft: bool  # has an overdraft limit (sized from its balances)
    kind: str  # operating, collections, payroll, savings, overdrawn, facility, restricted


def write_book(
    folder: str | Path,
    n: int,
    *,
    seed: str | int,
    broken_share: Decimal | float | str = DEFAULT_BROKEN_SHARE,
) -> Book:
    """Write `n` synthetic case folders into `folder` (made if missing; case folders of the
    same names are overwritten) and return what was written. `broken_share` (0 to 1) of
    them, `round(n × broken_share)` cases chosen by `seed`, are broken on purpose (the
    module's docstring says how)."""
    if n < 0:
        raise ValueError("the number of cases cannot be negative")
    share = Decimal(str(broken_share))
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError("broken_share must lie between 0 and 1")
    root = check_folder(folder)
    root.mkdir(parents=True, exist_ok=True)
    count = int((share * n).to_integral_value(rounding="ROUND_HALF_UP"))
    chosen = sorted(random.Random(f"{seed}/broken").sample(range(n), count))
    kinds = {index: BROKEN_KINDS[j % len(BROKEN_KINDS)] for j, index in enumerate(chosen)}
    width = max(5, len(str(n)))
    names: list[str] = []
    broken: dict[str, str] = {}
    for index in range(n):
        name = _write_case(root, index, width, str(seed), kinds.get(index))
        names.append(name)
        if index in kinds:
            broken[name] = kinds[index]
    return Book(root, tuple(names), broken, str(seed))


# ------------------------------------------------------------------------------ one case


def _pick(r: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return r.choices(keys, weights=[weights[k] for k in keys])[0]


def _log_uniform(r: random.Random, low: Decimal, high: Decimal) -> float:
    lo, hi = float(low), float(high)
    return float(lo * (hi / lo) ** r.random())


def _nice(amount: float) -> int:
    """`amount` rounded to three significant digits (a revenue as a client states it)."""
    whole = int(amount)
    digits = len(str(whole))
    step: int = 10 ** max(digits - 3, 0)
    return max(step, whole // step * step)


def _text(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def _rate(r: random.Random, band: tuple[float, float]) -> str:
    low, high = band
    steps = round((high - low) * 20)  # 0.05% steps
    return f"{low + r.randint(0, steps) * 0.05:.2f}%"


#: The first day of a history of so many months (all end on HISTORY_END).
_STARTS = {24: date(2024, 1, 1), 18: date(2024, 7, 1), 12: date(2025, 1, 1)}


def _write_case(root: Path, index: int, width: int, seed: str, fault: str | None) -> str:
    """Write case `index` (broken by `fault`, if any) and return its folder's name."""
    r = random.Random(f"{seed}/case/{index}")
    segment = cast(Segment, _pick(r, {str(k): w for k, w in SEGMENT_WEIGHTS.items()}))
    shape = SHAPES[segment]
    home = _pick(r, {k: c.weight for k, c in COUNTRIES.items()})
    country = COUNTRIES[home]
    base = country.currency
    name = f"{r.choice(_NAME_FIRST)} {r.choice(_NAME_SECOND)}"
    folder_name = f"{index:0{width}d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"
    start = _STARTS[int(_pick(r, {str(m): w for m, w in HISTORY_MONTHS}))]
    usd = reference_usd_rates().rate(base) or Decimal(1)
    revenue = _nice(_log_uniform(r, *REVENUE_USD[segment]) * float(usd))
    industry = r.choice(INDUSTRIES)
    entities = _entities(r, shape, home, f"{name} {country.suffix}")
    accounts = _accounts(r, shape, entities, home)
    banks = [a.bank for a in accounts if a.country == home]
    proposing = max(sorted(set(banks)), key=banks.count)
    currencies = sorted({a.currency for a in accounts} - {base})
    needs = sorted(r.sample(_NEEDS, r.randint(0, 3)), key=_NEEDS.index)
    intercompany = _rate(r, (1.0, 4.0))
    bad = r.randrange(len(accounts))
    generator = np.random.Generator(np.random.PCG64(r.getrandbits(64)))
    table, limits = _balances(r, generator, accounts, start, revenue)

    lines = [
        f"# Synthetic case {index} of a book (seed {_text(seed)}), made by",
        "# cashmgmt.portfolio.synthetic: an invented client, invented figures.",
        "case: 1",
        "client:",
        f"  name: {_text(f'{name} {country.suffix}')}",
        f"  industry: {_text(industry)}",
        f"  country: {home}",
        f"  annual_revenue: {revenue} {base}",
        f"  language: {country.language}",
    ]
    if needs:
        lines.append(f"  needs: [{', '.join(needs)}]")
    lines += [f"base_currency: {base}", f"proposing_bank: {_text(proposing)}"]
    lines.append("balances: balances.csv")
    if currencies:
        lines.append("fx_rates: fx.csv")
    if len(entities) > 1:
        lines.append(f"intercompany_rate: {intercompany}")
    lines.append("entities:")
    for eid, ename, ecountry, parent, ownership in entities:
        item = f"  - {{id: {eid}, name: {_text(ename)}, country: {ecountry}"
        if parent:
            item += f", parent: {parent}, ownership: {ownership}"
        lines.append(item + "}")
    lines.append("accounts:")
    for i, a in enumerate(accounts):
        currency = a.currency
        if fault == "unknown-currency" and i == bad:
            currency = _MISTYPED.get(currency, currency + "X")
        terms = [f"day_count: {day_count_for(a.currency)}"]
        if a.kind != "facility":
            terms.append(f"credit_rate: {a.credit}")
        terms.append(f"debit_rate: {a.debit}")
        if a.id in limits:
            terms.append(f"overdraft_limit: {limits[a.id]} {a.currency}")
        item = (
            f"  - {{id: {a.id}, entity: {a.entity}, bank: {_text(a.bank)}, "
            f"country: {a.country}, currency: {currency}, "
        )
        if a.kind == "facility":
            item += "facility: revolving, "
        if a.kind == "restricted":
            item += "restricted: true, "
        item += "terms: {" + ", ".join(terms) + "}}"
        if fault == "bad-yaml" and i == bad:
            item = "\t" + item.lstrip()  # a tab where spaces indent
        lines.append(item)

    path = root / folder_name
    path.mkdir(parents=True, exist_ok=True)
    (path / "case.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if fault == "unknown-account":
        table = _extra_column(table, accounts[bad].id + "-OLD")
    balances = path / "balances.csv"
    if fault == "missing-balances":
        balances.unlink(missing_ok=True)
    else:
        balances.write_text(table, encoding="utf-8")
    fx = path / "fx.csv"
    if currencies:
        fx.write_text(_fx(generator, base, currencies, start), encoding="utf-8")
    else:
        fx.unlink(missing_ok=True)
    return folder_name


#: An unknown currency as people mistype it (an old or colloquial code).
_MISTYPED = {"CNY": "RMB", "GBP": "UKP", "EUR": "EURO", "USD": "US$", "CHF": "SFR", "SEK": "SKR"}

Entity = tuple[str, str, str, str | None, str]  # id, name, country, parent, ownership


def _entities(r: random.Random, shape: Shape, home: str, top: str) -> list[Entity]:
    """The group's legal entities: a top entity, then subsidiaries level by level, some
    abroad; `ownership` is 100% except for a few partly owned subsidiaries."""
    count = r.randint(*shape.entities)
    levels = r.randint(*shape.levels)
    abroad: list[str] = []
    if count > 1 and r.random() < shape.foreign:
        others = sorted(c for c in COUNTRIES if c != home)
        abroad = r.sample(others, min(r.randint(*shape.foreign_countries), len(others)))
    out: list[Entity] = [("E01", top, home, None, "100%")]
    by_level: list[list[str]] = [["E01"]]
    for i in range(2, count + 1):
        level = min(levels - 1, 1 + (i - 2) % max(levels - 1, 1)) if levels > 1 else 1
        while len(by_level) <= level:
            by_level.append([])
        parent = r.choice(by_level[level - 1] or by_level[0])
        where = r.choice(abroad) if abroad and r.random() < 0.35 else home
        ownership = "100%" if r.random() < 0.85 else f"{r.choice((51, 60, 70, 75, 80, 90))}%"
        eid = f"E{i:02d}"
        out.append((eid, _entity_name(r, where), where, parent, ownership))
        by_level[level].append(eid)
    for country in abroad:  # every foreign country named holds one entity at least
        if not any(e[2] == country for e in out):
            eid = f"E{len(out) + 1:02d}"
            out.append((eid, _entity_name(r, country), country, "E01", "100%"))
    return out


def _entity_name(r: random.Random, country: str) -> str:
    """A subsidiary's invented name with its country's legal form."""
    return f"{r.choice(_NAME_FIRST)} {r.choice(_NAME_SECOND)} {COUNTRIES[country].suffix}"


def _accounts(r: random.Random, shape: Shape, entities: list[Entity], home: str) -> list[_Account]:
    """Each entity's accounts at its country's banks, mostly in its currency, with a USD or
    EUR account now and then; a few overdrawn, savings, facility and restricted accounts."""
    out: list[_Account] = []
    for eid, _name, country, _parent, _own in entities:
        spec = COUNTRIES[country]
        for j in range(r.randint(*shape.accounts)):
            currency = spec.currency
            if j > 0 and r.random() < 0.12:
                currency = "USD" if spec.currency != "USD" else "EUR"
            bank = spec.banks[0] if j == 0 else r.choice(spec.banks)
            credit_band, debit_band = RATES[currency]
            kind = r.choices(
                ("operating", "collections", "payroll", "savings", "overdrawn"),
                weights=(0.45, 0.2, 0.12, 0.13, 0.1),
            )[0]
            overdraft = kind == "overdrawn" or r.random() < 0.15
            out.append(
                _Account(
                    f"{eid}-{currency}-{j + 1}",
                    eid,
                    bank,
                    country,
                    currency,
                    _rate(r, credit_band),
                    _rate(r, debit_band),
                    overdraft,
                    kind,
                )
            )
    top = COUNTRIES[home]
    if r.random() < shape.facility:
        out.append(
            _Account(
                f"E01-{top.currency}-RCF", "E01", top.banks[-1], home, top.currency,
                "0%", _rate(r, RATES[top.currency][1]), False, "facility",
            )
        )  # fmt: skip
    if r.random() < shape.restricted:
        out.append(
            _Account(
                f"E01-{top.currency}-ESC", "E01", top.banks[0], home, top.currency,
                _rate(r, RATES[top.currency][0]), "0%", False, "restricted",
            )
        )  # fmt: skip
    return out


# ----------------------------------------------------------------------------- the tables


@cache
def _open_days(country: str, start: date, days: int) -> npt.NDArray[np.bool_]:
    """The country's working days (as the engine's sweeps read them); the first day open."""
    mask = business_days((country,), start, days).copy()
    mask[0] = True
    mask.setflags(write=False)
    return mask


@cache
def _calendar(start: date, days: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Per day: weekday, month (0-11), day of month, days in its month, and the ISO date."""
    dates = [start + timedelta(days=i) for i in range(days)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
    month = np.array([d.month - 1 for d in dates], dtype=np.int64)
    mday = np.array([d.day for d in dates], dtype=np.int64)
    length = np.array(
        [((d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
         for d in dates],
        dtype=np.int64,
    )  # fmt: skip
    return weekday, month, mday, length


def _normal(g: np.random.Generator, shape: tuple[int, ...]) -> npt.NDArray[np.float64]:
    """Bell-shaped draws, mean 0 and standard deviation 1: sums of four uniforms."""
    u = g.random((4, *shape))
    total: npt.NDArray[np.float64] = u[0] + u[1] + u[2] + u[3]
    return (total - 2.0) * 1.7320508075688772


_CENTS = np.array([f".{c:02d}" for c in range(100)])


def _amounts(minor: npt.NDArray[np.int64], digits: int) -> npt.NDArray[np.str_]:
    """Minor units as exact decimal strings: -1234567.89."""
    size = np.abs(minor)
    if digits == 0:
        text = size.astype(str)
    else:
        unit = 10**digits
        cents = _CENTS[size % unit] if digits == 2 else np.array(
            [f".{c:0{digits}d}" for c in range(unit)]
        )[size % unit]  # fmt: skip
        text = np.strings.add((size // unit).astype(str), cents)
    return np.strings.add(np.where(minor < 0, "-", ""), text)


def _balances(
    r: random.Random,
    g: np.random.Generator,
    accounts: list[_Account],
    start: date,
    revenue: int,
) -> tuple[str, dict[str, int]]:
    """The wide-form balances table: every account's end-of-day balance on its country's
    working days. Each balance is a level (a Pareto-like share of the group's cash, itself a
    share of revenue) with weekly and month-end cycles that follow the season, payroll,
    mean-reverting noise and rare jumps; overdrawn accounts sit below zero, savings barely
    move, a facility is drawn. With the table, the overdraft limit (major units) of each
    account that has one: about 90% of its deepest debit, so it is used and now and then
    overrun."""
    days = (HISTORY_END - start).days + 1
    weekday, month, mday, length = _calendar(start, days)
    season = np.array(SEASONS[r.randrange(len(SEASONS))])[month]
    n = len(accounts)
    cash = revenue * r.uniform(0.04, 0.15)  # the group's gross cash, in base units
    weights = 1.0 / (np.arange(1, n + 1) ** 0.9)
    weights = weights[np.argsort(g.random(n))] / weights.sum()
    level = cash * weights
    kinds = [a.kind for a in accounts]
    noise = level * (0.02 + 0.25 * g.random(n))
    weekly = level * 0.6 * g.random(n)
    monthly = level * 0.8 * g.random(n)
    revert = 0.03 + 0.1 * r.random()
    for i, kind in enumerate(kinds):
        if kind == "overdrawn":
            level[i] = -level[i] * (0.3 + g.random())
        elif kind == "savings":
            noise[i] = weekly[i] = monthly[i] = 0.0
        elif kind == "facility":
            level[i] = -cash * 0.3 * (0.5 + g.random())
            weekly[i] = 0.0
        elif kind == "restricted":
            noise[i] = weekly[i] = monthly[i] = 0.0
        elif kind == "payroll":
            weekly[i] = 0.0
    steps = _normal(g, (n, days)) * noise[:, None] * np.sqrt(revert * (2 - revert))
    jumps = (g.random((n, days)) < 0.02) * _normal(g, (n, days)) * noise[:, None] * 3
    deviation = lfilter([1.0], [1.0, -(1.0 - revert)], steps + jumps, axis=1)
    phase = (weekday[None, :] + g.integers(0, 5, n)[:, None]) % 7
    week = weekly[:, None] * (0.5 - phase / 7.0) * season[None, :]
    month_cycle = monthly[:, None] * ((mday / length)[None, :] - 0.5) * season[None, :]
    trend = level[:, None] * (1 + 0.4 * (season[None, :] - 1))
    balance = trend + week + month_cycle + deviation
    for i, kind in enumerate(kinds):
        if kind == "savings":  # a few transfers by hand a year
            moves = np.cumsum((g.random(days) < 0.01) * _normal(g, (days,)) * level[i] * 0.2)
            balance[i] = np.maximum(level[i] + moves, level[i] * 0.1)
    # the levels are in base units: each account's figures in its own currency
    base = COUNTRIES[accounts[0].country].currency
    usd = reference_usd_rates()
    per = np.array([float((usd.rate(a.currency) or 1) / (usd.rate(base) or 1)) for a in accounts])
    balance = balance * per[:, None]
    digits = np.array([exponent(a.currency) for a in accounts])
    minor = np.rint(balance * (10.0**digits)[:, None]).astype(np.int64)
    limits = {}
    for i, a in enumerate(accounts):
        if a.overdraft:
            deepest = -int(minor[i].min()) // 10 ** int(digits[i])
            limits[a.id] = max(_nice(max(deepest, 1000) * 0.9), 1000)
    mask = np.array([_open_days(a.country, start, days) for a in accounts])
    rows = np.flatnonzero(mask.any(axis=0))
    header = "date," + ",".join(a.id for a in accounts)
    cells = np.empty((n, len(rows)), dtype=object)
    for d in sorted(set(digits.tolist())):
        pick = digits == d
        cells[pick] = _amounts(minor[pick][:, rows], d)
    cells[~mask[:, rows]] = ""
    out = [header]
    for j, day in enumerate(rows.tolist()):
        out.append((start + timedelta(days=day)).isoformat() + "," + ",".join(cells[:, j]))
    return "\n".join(out) + "\n", limits


def _extra_column(table: str, column: str) -> str:
    """The table with one more column, for an account the case does not have."""
    lines = table.splitlines()
    first = lines[1].split(",")[1] or "0.00"
    lines = [lines[0] + "," + column] + [line + "," + first for line in lines[1:]]
    return "\n".join(lines) + "\n"


def _fx(g: np.random.Generator, base: str, currencies: Sequence[str], start: date) -> str:
    """Units of the base currency per unit of each other currency, every weekday (the first
    day always): the reference rates' cross with a gentle random walk of a few percent."""
    table = reference_usd_rates()
    days = (HISTORY_END - start).days + 1
    weekday = _calendar(start, days)[0]
    rows = np.flatnonzero((weekday < 5) | (np.arange(days) == 0))
    base_usd = float(table.rate(base) or 1)
    walks = {}
    for code in currencies:
        mid = base_usd / float(table.rate(code) or 1)
        step = _normal(g, (len(rows),)) * 0.002
        walk = lfilter([1.0], [1.0, -0.98], step)
        walks[code] = mid * (1.0 + np.clip(walk, -0.04, 0.04))
    out = ["date,currency,rate"]
    for j, day in enumerate(rows.tolist()):
        iso = (start + timedelta(days=day)).isoformat()
        out.extend(f"{iso},{code},{walks[code][j]:.6f}" for code in currencies)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- the command


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m cashmgmt.portfolio.synthetic OUT --cases N --seed S [--broken-share X]`"""
    parser = argparse.ArgumentParser(
        prog="python -m cashmgmt.portfolio.synthetic",
        description="Write a synthetic book of corporate clients (docs/portfolio.md).",
    )
    parser.add_argument("out", help="the book's folder (made if missing)")
    parser.add_argument("--cases", type=int, default=100, help="number of cases (100)")
    parser.add_argument("--seed", default="book", help="the seed (default: book)")
    parser.add_argument(
        "--broken-share",
        default=str(DEFAULT_BROKEN_SHARE),
        help=f"share of cases broken on purpose ({DEFAULT_BROKEN_SHARE})",
    )
    args = parser.parse_args(argv)
    book = write_book(args.out, args.cases, seed=args.seed, broken_share=args.broken_share)
    print(f"{book.folder}: {len(book.cases)} cases, {len(book.broken)} broken on purpose")
    return 0


if __name__ == "__main__":
    sys.exit(main())
