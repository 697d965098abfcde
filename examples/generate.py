#!/usr/bin/env python3
"""Write the example case folders of cashmgmt: four fictional client groups, ready to run.

Usage::

    python examples/generate.py [OUTDIR]     # default OUTDIR: the folder of this script

Each case folder gets ``case.yaml`` (case format version 1), ``balances.csv`` and, when the
case holds more than one currency, ``fx.csv``. The groups, their names and their account
numbers are invented; the patterns in the balances are the ones a treasurer would recognise
(collection cycles, payroll, tax dates, seasonality, chronic overdrafts, idle cash).
examples/README.md describes each case.

The output is byte-for-byte deterministic, so a test can regenerate it into a temporary
folder and compare it with the committed files:

* only the standard library is used, and cashmgmt's own calendar helper
  (``cashmgmt.engine.calendar.business_days``, from the tree this script sits in) for the
  working days of each country: its holidays come from the ``holidays`` package, so the
  committed files follow the version installed with cashmgmt (a package update that
  changes a 2024-2025 holiday changes them, and the engine's sweep days with them);
* every random draw comes from its own ``random.Random`` seeded with a string (the case
  seed plus the account id, see ``rng``): string seeds are hashed with SHA-512 by
  ``random``, not with Python's randomised ``hash``, and adding an account leaves the
  figures of all the others unchanged;
* the arithmetic uses only ``+ - * /`` and ``math.sqrt`` on floats (all exactly rounded
  under IEEE 754), never ``math.sin``/``log`` or ``random.gauss``, whose last bit may
  differ between C libraries;
* balances become integers in minor units before they are printed; FX rates are printed
  through ``decimal.Decimal``;
* nothing depends on the clock or on the iteration order of sets.

Balances are end-of-day ledger balances, and **an account's balance moves only on the
working days of its own country** (``Account.country``), as cashmgmt's engine reads them
(``working_days``: the ``holidays`` package's weekend, public holidays and make-up working
days such as China's Sunday 2024-02-04, through ``cashmgmt.engine.calendar``, the helper
the engine's sweep days use). Banks neither settle payments nor sweep on their own
country's holidays, so each account is simulated on its country's working days only: its
paydays, tax days, weekly and monthly lumps and events fall on them, and the flows of a
closed day land on the country's next working day. On the account's other days the table
holds no figure (long form: no row; wide form: an empty cell), and the case format carries
its last balance forward (docs/case-format.md, "Missing days carry the previous balance
forward"). A transfer between two accounts leaves and arrives on the first day on or after
its date that is open in both countries. The first day of the period is always written,
holiday or not, so that every account has an opening balance. The case's own ``Calendar``
(hand-written holiday lists) only dates the FX table and the payroll and tax conventions.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # this tree's cashmgmt, whatever is installed
    sys.path.insert(0, str(HERE.parent))

from cashmgmt.engine.calendar import business_days as open_days  # noqa: E402

# ------------------------------------------------------------------------------ calendars


def dates(*specs: str) -> frozenset[date]:
    """Dates from ISO strings; ``2024-02-12..2024-02-16`` is an inclusive range."""
    found: set[date] = set()
    for spec in specs:
        first, _, last = spec.partition("..")
        day = date.fromisoformat(first)
        stop = date.fromisoformat(last) if last else day
        while day <= stop:
            found.add(day)
            day += timedelta(days=1)
    return frozenset(found)


#: The FX days of each case (balances follow each account's own country: `working_days`).
#:
#: Mainland China, State Council holiday notices for 2024 and 2025 (weekdays only; the
#: weekend "make-up" working days are not written). Spring Festival and National Day give
#: the longest gaps: 2024-02-09 -> 2024-02-19 (10 days) and 2025-09-30 -> 2025-10-09.
CN_HOLIDAYS = dates(
    "2024-01-01",
    "2024-02-12..2024-02-16",  # Spring Festival (Chinese New Year 2024-02-10)
    "2024-04-04..2024-04-05",  # Qingming
    "2024-05-01..2024-05-03",  # Labour Day
    "2024-06-10",  # Dragon Boat
    "2024-09-16..2024-09-17",  # Mid-Autumn
    "2024-10-01..2024-10-04",  # National Day (Golden Week)
    "2024-10-07",
    "2025-01-01",
    "2025-01-28..2025-01-31",  # Spring Festival (Chinese New Year 2025-01-29)
    "2025-02-03..2025-02-04",
    "2025-04-04",  # Qingming
    "2025-05-01..2025-05-02",  # Labour Day
    "2025-05-05",
    "2025-06-02",  # Dragon Boat
    "2025-10-01..2025-10-03",  # National Day and Mid-Autumn (Golden Week)
    "2025-10-06..2025-10-08",
)

#: TARGET2 closing days (the euro payment system), used for the European group.
TARGET_HOLIDAYS = dates(
    "2024-01-01",
    "2024-03-29",
    "2024-04-01",
    "2024-05-01",
    "2024-12-25..2024-12-26",
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-01",
    "2025-12-25..2025-12-26",
)

#: Federal Reserve holidays 2024-2025 (Fedwire and ACH closed).
US_HOLIDAYS = dates(
    "2024-01-01",
    "2024-01-15",
    "2024-02-19",
    "2024-05-27",
    "2024-06-19",
    "2024-07-04",
    "2024-09-02",
    "2024-10-14",
    "2024-11-11",
    "2024-11-28",
    "2024-12-25",
    "2025-01-01",
    "2025-01-20",
    "2025-02-17",
    "2025-05-26",
    "2025-06-19",
    "2025-07-04",
    "2025-09-01",
    "2025-10-13",
    "2025-11-11",
    "2025-11-27",
    "2025-12-25",
)

#: Bank holidays in England and Wales, 2025.
UK_HOLIDAYS = dates(
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-25..2025-12-26",
)

#: Chinese New Year's Day: liquor sales peak in the weeks before it.
CNY_DATES = (date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17))

#: Longest run of calendar days between two figures of an account (or two FX days): the
#: case format allows 14; China's Spring Festival and Golden Week take 9.
MAX_GAP_DAYS = 10


@dataclass(frozen=True)
class Calendar:
    """A case's period, its FX days (Mon-Fri less `holidays`) and the conventions its
    recurring flows follow; each account applies them to its own country's working days."""

    start: date
    end: date
    holidays: frozenset[date]
    payroll: str  # "25": on or before the 25th; "last": last business day; "15+last"
    tax_months: tuple[int, ...]  # quarterly tax payments, on the first business day ...
    tax_day: int  # ... on or after this day of those months
    bonus: tuple[tuple[int, float], ...] = ()  # (month, payroll multiplier)

    def business_days(self) -> list[date]:
        """Mon-Fri less holidays; the first day of the period is always included."""
        days = []
        day = self.start
        while day <= self.end:
            if day == self.start or (day.weekday() < 5 and day not in self.holidays):
                days.append(day)
            day += timedelta(days=1)
        return days

    def bonus_factor(self, month: int) -> float:
        """How much larger the payroll of `month` is (13th month, year-end bonus)."""
        for m, factor in self.bonus:
            if m == month:
                return factor
        return 1.0


def working_days(cal: Calendar, country: str) -> list[date]:
    """The working days of `country` in the calendar's period, as the engine reads them
    (`cashmgmt.engine.calendar.business_days`, the `holidays` package: the country's
    weekend and public holidays closed, its make-up working days such as China's Sunday
    2024-02-04 open); the first day of the period is always included."""
    n = (cal.end - cal.start).days + 1
    mask = open_days((country,), cal.start, n)
    return [cal.start + timedelta(days=i) for i in range(n) if i == 0 or bool(mask[i])]


class Days:
    """The business days of a calendar (or the given `days`: an account's country's working
    days, see `working_days`) with the special days precomputed."""

    def __init__(self, cal: Calendar, days: list[date] | None = None) -> None:
        self.cal = cal
        self.days = cal.business_days() if days is None else days
        by_month: dict[tuple[int, int], list[date]] = {}
        by_week: dict[tuple[int, int], list[date]] = {}
        for day in self.days:
            by_month.setdefault((day.year, day.month), []).append(day)
            iso = day.isocalendar()
            by_week.setdefault((iso[0], iso[1]), []).append(day)
        months = [by_month[k] for k in sorted(by_month)]
        weeks = [by_week[k] for k in sorted(by_week)]
        self.nth_in_month = {d: i + 1 for month in months for i, d in enumerate(month)}
        self.first_in_month = frozenset(month[0] for month in months)
        payroll: set[date] = set()
        for month in months:
            if cal.payroll in ("25", "15+last"):
                cutoff = 25 if cal.payroll == "25" else 15
                before = [d for d in month if d.day <= cutoff]
                if before:
                    payroll.add(before[-1])
            if cal.payroll in ("last", "15+last"):
                payroll.add(month[-1])
        self.payroll = frozenset(payroll)
        eve = [self.days[i - 1] for i, d in enumerate(self.days) if d in payroll and i > 0]
        self.payroll_eve = frozenset(eve)
        tax = []
        for month in months:
            if month[0].month in cal.tax_months:
                after = [d for d in month if d.day >= cal.tax_day]
                if after:
                    tax.append(after[0])
        self.tax = frozenset(tax)
        self.weekly: dict[int, frozenset[date]] = {}
        for weekday in range(5):
            chosen = []
            for week in weeks:
                later = [d for d in week if d.weekday() >= weekday]
                chosen.append(later[0] if later else week[-1])
            self.weekly[weekday] = frozenset(chosen)

    def on_or_after(self, day: date) -> date:
        """The first business day on or after `day` (the last one if none)."""
        for d in self.days:
            if d >= day:
                return d
        return self.days[-1]


# ---------------------------------------------------------------------------- seasonality

#: Monthly multipliers (January first) for the size of collections and balances.
PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    # Baijiu: gifting peaks before Chinese New Year (added below) and Mid-Autumn/National Day.
    "baijiu": (1.05, 0.85, 0.75, 0.8, 0.85, 0.8, 0.75, 0.85, 1.3, 1.15, 0.9, 1.0),
    # Europe: a summer lull in August, a quieter Christmas fortnight.
    "europe": (0.95, 1.0, 1.05, 1.05, 1.05, 1.05, 0.9, 0.7, 1.05, 1.1, 1.1, 0.95),
    # US retail: the fourth quarter (Black Friday to Christmas) carries the year.
    "q4retail": (0.8, 0.75, 0.85, 0.9, 0.95, 0.95, 0.9, 0.95, 0.95, 1.05, 1.35, 1.6),
    # Inventory build ahead of the holiday season, repaid from December's takings.
    "inventory": (0.7, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.6, 1.3, 0.5),
    # A high-street bakery: Christmas orders, a quiet August.
    "bakery": (0.85, 0.9, 1.0, 1.05, 1.0, 1.0, 0.95, 0.85, 0.95, 1.0, 1.05, 1.4),
}


def season(profile: str, day: date) -> float:
    """The seasonal multiplier of `profile` on `day`."""
    value = PROFILES[profile][day.month - 1]
    if profile == "baijiu":
        # Distributors stock up in the five weeks before Chinese New Year: a triangular
        # bump peaking three weeks before the festival.
        for cny in CNY_DATES:
            offset = (day - cny).days + 21
            if -30 < offset < 30:
                value += 0.9 * (1 - abs(offset) / 30)
    return value


# ----------------------------------------------------------------------- balance patterns


@dataclass(frozen=True)
class Pattern:
    """How one account's end-of-day balance moves (amounts in major units of its currency).

    balance = target + cycles + deviation (+ the payroll funding on the eve of payday):

    * target: ``level`` plus ``swing`` times the seasonal deviation of ``level_season``
      (default: ``season``); it also rises with the season by half the size of the
      collection cycles, so that a cycle's low point stays put in the peak season;
    * cycles: centred saw-teeth drawn by recurring lumps, each paired with an even flow
      the other way (inflow when the lump is positive, outflow otherwise):
      ``weekly`` on ``weekday`` (0 = Monday; a collection account remitted every
      Friday, a disbursement account funded every Monday), ``monthly`` on the
      ``monthly_day``-th business day of the month, ``payroll`` on the calendar's paydays
      (funded evenly, or, with ``prefund``, by one transfer the business day before), and
      ``tax`` on the calendar's quarterly tax days; weekly and monthly lumps grow with
      ``season``;
    * deviation: day-to-day noise of typical size ``noise`` that fades back to zero at
      ``revert`` a day (the treasurer's own top-ups and skims; 0 for a random walk with
      steps of ``noise``), with a ``jumps``-sized surprise on about one day in 25,
      one-off ``events`` (dividends, transfers; on the business day on or after their
      date) and a monthly account ``fee``.
    """

    level: float
    noise: float = 0.0
    revert: float = 0.05
    season: str = "flat"
    swing: float = 0.0
    level_season: str | None = None
    weekly: float = 0.0
    weekday: int = 4
    monthly: float = 0.0
    monthly_day: int = 5
    payroll: float = 0.0
    prefund: bool = False
    tax: float = 0.0
    fee: float = 0.0
    jumps: float = 0.0
    events: tuple[tuple[str, float], ...] = ()


def normal(rng: random.Random) -> float:
    """A bell-shaped draw with mean 0 and standard deviation 1 (sum of four uniforms)."""
    total = rng.random() + rng.random() + rng.random() + rng.random()
    return (total - 2.0) * 1.7320508075688772


def sawtooth(
    n: int, lumps: list[int], sizes: list[float], period: int, inflow: bool
) -> list[float]:
    """A saw-tooth centred on zero over `n` days with a lump of `sizes[j]` on day `lumps[j]`.

    After an outflow lump the balance is at its low point and builds up evenly until the
    next lump; after an inflow lump it is at its high point and runs down evenly.
    """
    out = [0.0] * n
    if not lumps:
        return out
    starts = [lumps[0] - period, *lumps]
    ends = [*lumps, lumps[-1] + period]
    for start, end, size in zip(starts, ends, [sizes[0], *sizes], strict=True):
        for i in range(max(start, 0), min(end, n)):
            frac = (i - start) / (end - start)
            out[i] = size * (0.5 - frac) if inflow else size * (frac - 0.5)
    return out


def simulate(pattern: Pattern, days: Days, rng: random.Random) -> list[int]:
    """End-of-day balances in minor units (hundredths), one per business day."""
    p = pattern
    n = len(days.days)
    index = {day: i for i, day in enumerate(days.days)}
    seasons = [season(p.season, day) for day in days.days]
    cycles = [0.0] * n

    def add(
        lump_days: Iterable[date], sizes: Callable[[date], float], period: int, inflow: bool
    ) -> None:
        lumps = sorted(index[d] for d in lump_days)
        saw = sawtooth(n, lumps, [sizes(days.days[i]) for i in lumps], period, inflow)
        for i in range(n):
            cycles[i] += saw[i]

    if p.weekly:
        add(days.weekly[p.weekday], lambda d: abs(p.weekly) * season(p.season, d)
            * rng.uniform(0.8, 1.2), 5, p.weekly > 0)  # fmt: skip
    if p.monthly:
        monthly_days = [d for d in days.days if days.nth_in_month[d] == p.monthly_day]
        add(monthly_days, lambda d: abs(p.monthly) * season(p.season, d)
            * rng.uniform(0.85, 1.15), 21, p.monthly > 0)  # fmt: skip
    per_payday = p.payroll / (2 if days.cal.payroll == "15+last" else 1)
    if p.payroll and not p.prefund:
        add(days.payroll, lambda d: per_payday * days.cal.bonus_factor(d.month)
            * rng.uniform(0.98, 1.02), 21, False)  # fmt: skip
    if p.tax:
        add(days.tax, lambda d: p.tax * rng.uniform(0.85, 1.15), 63, False)

    events: dict[date, float] = {}
    for when, amount in p.events:
        day = days.on_or_after(date.fromisoformat(when))
        events[day] = events.get(day, 0.0) + amount
    step = p.noise * math.sqrt(p.revert * (2 - p.revert)) if p.revert else p.noise
    cycle_size = abs(p.weekly) + abs(p.monthly)
    deviation = p.noise * rng.uniform(-1.0, 1.0)
    out: list[int] = []
    for i, day in enumerate(days.days):
        if i > 0:
            deviation = deviation * (1 - p.revert) + step * normal(rng)
            if p.jumps and rng.random() < 0.04:
                deviation += p.jumps * normal(rng)
        deviation += events.get(day, 0.0)
        if p.fee and day in days.first_in_month and i > 0:
            deviation -= p.fee
        spike = 0.0
        if p.payroll and p.prefund:
            pay = per_payday * days.cal.bonus_factor(day.month)
            if day in days.payroll_eve:
                spike = pay
            if day in days.payroll:
                deviation += pay * (1 - rng.uniform(0.995, 1.005))  # a little more or less
        s_level = season(p.level_season or p.season, day)
        target = p.level + p.swing * (s_level - 1) + 0.5 * cycle_size * (seasons[i] - 1)
        balance = target + cycles[i] + deviation + spike
        out.append(round(balance * 100))
    return out


def fx_walk(
    rng: random.Random, n: int, mid: float, low: float, high: float, step: float
) -> list[float]:
    """A gentle mean-reverting random walk that stays within [low, high]."""
    rate = mid + (high - low) * 0.3 * (rng.random() - 0.5)
    out = []
    for _ in range(n):
        out.append(rate)
        rate += 0.02 * (mid - rate) + step * normal(rng)
        if rate > high:
            rate = 2 * high - rate
        if rate < low:
            rate = 2 * low - rate
    return out


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Terms:
    """Account or pool terms; rates as case-file text (``0.35%``), amounts as integers."""

    day_count: str
    credit: str | tuple[tuple[int, str], ...] | None = None
    debit: str | None = None
    limit: int | None = None  # overdraft limit, in the account's currency
    penalty: str | None = None
    tiering: str | None = None


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    country: str
    parent: str | None = None
    ownership: str | None = None
    local_name: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Account:
    id: str
    entity: str
    bank: str
    country: str
    currency: str
    number: str
    terms: Terms
    pattern: Pattern
    note: str = ""
    restricted: bool = False  # money set aside: escrow, IPO proceeds, collateral
    facility: str | None = None  # the drawing account of a committed facility: revolving, term


def mark(
    accounts: list[Account],
    restricted: Iterable[str] = (),
    facilities: dict[str, str] | None = None,
) -> list[Account]:
    """The accounts with `restricted: true` or a `facility:` set on the ids given."""
    fenced, lines = set(restricted), facilities or {}
    assert fenced | set(lines) <= {a.id for a in accounts}, "unknown account to mark"
    return [replace(a, restricted=a.id in fenced, facility=lines.get(a.id)) for a in accounts]


@dataclass(frozen=True)
class Rule:
    """A sweep rule; amounts in the participant's currency, as integers (major units)."""

    frm: str
    to: str
    rule: str
    target: int | None = None
    minimum: int | None = None
    low: int | None = None
    high: int | None = None
    direction: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Physical:
    id: str
    name: str
    sweep_days: str
    rules: tuple[Rule, ...]
    fees: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    local_name: str | None = None  # the name in Chinese documents


@dataclass(frozen=True)
class Notional:
    id: str
    name: str
    currency: str
    accounts: tuple[str, ...]
    terms: Terms
    allocation: str
    shares: tuple[tuple[str, str], ...] = ()
    header: str | None = None
    fees: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    currency_terms: tuple[tuple[str, Terms], ...] = ()  # per-currency mode
    offset_rate: str | None = None
    haircut: str | None = None
    local_name: str | None = None  # the name in Chinese documents


@dataclass(frozen=True)
class FxSpec:
    """A currency's rate in base-currency units: a walk, or derived from another currency."""

    currency: str
    mid: float
    low: float
    high: float
    step: float
    divide_by: str | None = None  # rate = rate(divide_by) / walk  (HKD from USD and its peg)


@dataclass
class Case:
    folder: str
    seed: str
    title: str
    intro: tuple[str, ...]
    client: tuple[tuple[str, str], ...]
    needs: tuple[str, ...]
    base_currency: str
    proposing_bank: str
    calendar: Calendar
    calendar_note: str
    entities: list[Entity]
    accounts: list[Account]
    structures: list[Physical | Notional]
    intercompany_rate: str | None = None
    wide: bool = False
    compact_terms: bool = False
    fx: tuple[FxSpec, ...] = ()
    transfers: tuple[tuple[str, str, str, float], ...] = ()  # (date, from, to, amount)
    account_groups: dict[str, str] = field(default_factory=dict)  # entity -> heading
    address: tuple[str, ...] = ()  # the client's postal address (fictional), one line each
    local_address: tuple[str, ...] = ()  # the same in Chinese (client.local_address)
    # The proposing bank's people for this client (fictional, like the client): role key
    # (relationship_manager, product_specialist) -> (key, value) pairs; e-mail addresses
    # use the reserved .example domain (RFC 2606), telephone numbers the ranges set aside
    # for fiction (Ofcom's drama numbers in the UK, 555-01xx in North America).
    people: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


def rng(*parts: object) -> random.Random:
    """A generator seeded with a string built from `parts` (deterministic across runs)."""
    return random.Random("/".join(str(p) for p in parts))


# ------------------------------------------------------------------------- account numbers


def digits(r: random.Random, n: int) -> str:
    """`n` random decimal digits (the first one not zero)."""
    return str(r.randint(1, 9)) + "".join(str(r.randint(0, 9)) for _ in range(n - 1))


def iban(country: str, bban: str) -> str:
    """An IBAN with valid ISO 13616 check digits."""
    moved = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in moved))
    return f"{country}{98 - number % 97:02d}{bban}"


#: Bank identifiers used inside the BBAN of each country (illustrative).
BANK_CODES = {
    ("DE", "CITI"): "50210900",
    ("DE", "DB"): "50070010",
    ("NL", "CITI"): "CITI",
    ("NL", "ING"): "INGB",
    ("BE", "CITI"): "570",
    ("BE", "BNP"): "001",
    ("BE", "ING"): "310",
    ("FR", "CITI"): "11449",
    ("FR", "BNP"): "30004",
    ("IT", "CITI"): "03664",
    ("IT", "BNP"): "01005",
    ("ES", "CITI"): "1474",
    ("ES", "SAN"): "0049",
    ("GB", "CITI"): "CITI185008",
    ("GB", "HSBC"): "HBUK40",
    ("SE", "CITI"): "904",
    ("SE", "SEB"): "500",
    ("CH", "CITI"): "08836",
    ("CH", "UBS"): "00235",
}


def european_number(r: random.Random, country: str, bank: str) -> str:
    """A realistic-looking account number for a European or US account."""
    code = BANK_CODES.get((country, bank), "")
    if country == "DE":
        return iban("DE", code + digits(r, 10))
    if country == "NL":
        return iban("NL", code + "0" + digits(r, 9))
    if country == "BE":
        account = code + digits(r, 7)
        check = int(account) % 97 or 97
        return iban("BE", f"{account}{check:02d}")
    if country == "FR":
        return iban("FR", code + digits(r, 5) + "000" + digits(r, 8) + digits(r, 2))
    if country == "IT":
        return iban("IT", "X" + code + digits(r, 5) + "0000" + digits(r, 8))
    if country == "ES":
        return iban("ES", code + digits(r, 4) + digits(r, 2) + digits(r, 10))
    if country == "GB":
        return iban("GB", code + digits(r, 12 - len(code) + 4))
    if country == "SE":
        return iban("SE", code + "0000" + digits(r, 13))
    if country == "CH":
        return iban("CH", code + "0000" + digits(r, 8))
    if country == "US":
        return digits(r, 10 if bank != "CHASE" else 9)
    raise ValueError(f"no number format for {country}/{bank}")


# --------------------------------------------------------------------------- YAML output

_PLAIN = re.compile(r"^[A-Za-z\u00c0-\uffff][A-Za-z0-9\u00c0-\uffff .,'()&/+-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def q(value: str) -> str:
    """`value` as a YAML scalar: plain when safe, double-quoted otherwise (`NO`, `on`...)."""
    plain = (
        _PLAIN.match(value) is not None
        and value.lower() not in _RESERVED
        and not value.endswith(" ")
        and " #" not in value
        and ": " not in value
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def qq(value: str) -> str:
    """`value` always double-quoted (account numbers keep their leading zeros)."""
    return json.dumps(value, ensure_ascii=False)


def money(amount: int, currency: str) -> str:
    return f"{amount} {currency}"


def rate_list(tiers: tuple[tuple[int, str], ...]) -> str:
    return "[" + ", ".join(f"{{from: {start}, rate: {r}}}" for start, r in tiers) + "]"


#: Policy-rate decisions of 2024-25, in basis points, effective from the date shown (each
#: central bank's own page, read 2026-11-30; cited in examples/README.md):
#: EUR: ECB deposit facility rate ("Key ECB interest rates", ecb.europa.eu), effective dates;
#: USD: FOMC federal funds target range (federalreserve.gov, "Open Market Operations"),
#: effective the day after each decision; HKD follows it (the HKMA base rate is set from
#: the Fed funds target under the Linked Exchange Rate System);
#: GBP: Bank of England Bank Rate ("Bank Rate history", bankofengland.co.uk);
#: CNY: the large state banks' demand-deposit rate, cut 5 bp three times (0.20% -> 0.05%)
#: after the PBOC's one-year Loan Prime Rate cuts of 2024-07-22, 2024-10-21 and 2025-05-20,
#: effective on the banks' announcement dates (ICBC, ABC, BOC, CCB notices).
POLICY_MOVES: dict[str, tuple[tuple[date, int], ...]] = {
    "EUR": (
        (date(2024, 6, 12), -25),
        (date(2024, 9, 18), -25),
        (date(2024, 10, 23), -25),
        (date(2024, 12, 18), -25),
        (date(2025, 2, 5), -25),
        (date(2025, 3, 12), -25),
        (date(2025, 4, 23), -25),
        (date(2025, 6, 11), -25),
    ),
    "USD": (
        (date(2024, 9, 19), -50),
        (date(2024, 11, 8), -25),
        (date(2024, 12, 19), -25),
        (date(2025, 9, 18), -25),
        (date(2025, 10, 30), -25),
        (date(2025, 12, 11), -25),
    ),
    "GBP": (
        (date(2024, 8, 1), -25),
        (date(2024, 11, 7), -25),
        (date(2025, 2, 6), -25),
        (date(2025, 5, 8), -25),
        (date(2025, 8, 7), -25),
        (date(2025, 12, 18), -25),
    ),
    "CNY": (
        (date(2024, 7, 25), -5),
        (date(2024, 10, 18), -5),
        (date(2025, 5, 20), -5),
    ),
}
POLICY_MOVES["HKD"] = POLICY_MOVES["USD"]


def _moved(rate: str, bp: int) -> str:
    """A rate text moved by `bp` basis points, floored at 0 (a rate already at or below 0
    stays where it is)."""
    value = Decimal(rate.rstrip("%"))
    if value <= 0:
        return rate
    moved = max(value + Decimal(bp) / 100, Decimal(0))
    return f"{moved:.2f}%"


def rate_changes(terms: Terms, currency: str, cal: Calendar) -> list[str]:
    """Dated changes of the credit rate (flat or every tier) that follow the currency's
    policy rate inside the case's period: the same move in basis points, floored at 0."""
    moves = [(d, bp) for d, bp in POLICY_MOVES.get(currency, ()) if cal.start < d <= cal.end]
    if not moves or terms.credit is None:
        return []
    credit = terms.credit
    changes = []
    for day, bp in moves:
        before = credit
        if isinstance(credit, str):
            credit = _moved(credit, bp)
            text = credit
        else:
            credit = tuple((start, _moved(r, bp)) for start, r in credit)
            text = rate_list(credit)
        if credit != before:  # a rate already at 0 does not move
            changes.append(f"{{from: {day.isoformat()}, credit_rate: {text}}}")
    return changes


def terms_items(terms: Terms, currency: str, cal: Calendar | None = None) -> list[tuple[str, str]]:
    """The key/value pairs of a terms mapping, in the order of CASE_FORMAT.md; with the
    case's calendar, the credit rate's changes with the policy rate (rate_changes)."""
    items = [("day_count", terms.day_count)]
    if terms.credit is not None:
        credit = terms.credit if isinstance(terms.credit, str) else rate_list(terms.credit)
        items.append(("credit_rate", credit))
    if terms.debit is not None:
        items.append(("debit_rate", terms.debit))
    if terms.limit is not None:
        items.append(("overdraft_limit", money(terms.limit, currency)))
    if terms.penalty is not None:
        items.append(("penalty_rate", terms.penalty))
    if terms.tiering is not None:
        items.append(("tiering", terms.tiering))
    changes = rate_changes(terms, currency, cal) if cal is not None else []
    if changes:
        items.append(("changes", "[" + ", ".join(changes) + "]"))
    return items


def flow_map(items: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"


def commented(text: str, note: str, column: int = 44) -> str:
    """`text` with `# note` aligned at `column` (or after two spaces)."""
    if not note:
        return text
    return f"{text.ljust(column - 1)} # {note}" if len(text) < column - 1 else f"{text}  # {note}"


def rule_text(rule: Rule, currency: str) -> str:
    items = [("from", rule.frm), ("to", rule.to), ("rule", rule.rule)]
    for key in ("low", "high", "target", "minimum"):
        value = getattr(rule, key)
        if value is not None:
            items.append((key, money(value, currency)))
    if rule.direction:
        items.append(("direction", rule.direction))
    return flow_map(items)


def case_yaml(case: Case) -> str:
    """The case file, written by hand so that it reads like one an RM would write."""
    accounts = {a.id: a for a in case.accounts}
    out: list[str] = []
    add = out.append
    add(f"# {case.title}")
    for line in case.intro:
        add(f"# {line}".rstrip())
    add("#")
    add("# Fictional data made by examples/generate.py (seed " + qq(case.seed) + "); do not")
    add("# edit by hand: change the generator and run `python examples/generate.py`.")
    add("")
    add("case: 1                                   # case file format version")
    add("client:")
    for key, value in case.client:
        add(f"  {key}: {value}")
    add(f"  needs: [{', '.join(case.needs)}]")
    if case.address:
        add(commented("  address:", "the letter's addressee (fictional)"))
        for line in case.address:
            add(f"    - {q(line)}")
    if case.local_address:
        add("  local_address:")
        for line in case.local_address:
            add(f"    - {q(line)}")
    add(commented(f"base_currency: {case.base_currency}", "the group's reporting currency"))
    add(commented(f"proposing_bank: {q(case.proposing_bank)}", "the bank writing the proposal"))
    for role, person in case.people:
        add(commented(f"{role}:", "at the proposing bank (fictional, like the client)"))
        for key, value in person:
            add(f"  {key}: {q(value)}")
    form = "wide form: one column per account id" if case.wide else "long form"
    add(commented("balances: balances.csv", f"end-of-day ledger balances, {form}"))
    if case.fx:
        names = " / ".join(sorted(f.currency for f in case.fx))
        note = f"{case.base_currency} per one {names}, on the FX days below"
        add(commented("fx_rates: fx.csv", note))
    if case.intercompany_rate:
        note = "on intercompany positions created by sweeps (each currency's day count)"
        add(commented(f"intercompany_rate: {case.intercompany_rate}", note))
    add("# Calendar: each account's balance moves only on the working days of its own country")
    add("# (weekend, public holidays and make-up working days as cashmgmt's sweeps read them);")
    add("# on its other days it has no figure, so its last balance carries forward.")
    if case.fx:
        add(f"# FX days: {case.calendar_note}.")
    add("")

    add("# ----------------------------------------------------------------- legal entities")
    add("entities:")
    for e in case.entities:
        add(commented(f"  - id: {e.id}", e.note))
        add(f"    name: {q(e.name)}")
        if e.local_name:
            add(f"    local_name: {q(e.local_name)}")
        add(f"    country: {q(e.country)}")
        if e.parent:
            add(f"    parent: {e.parent}")
            add(f"    ownership: {e.ownership or '100%'}")
    add("")

    add("# ------------------------------------------------------------------- bank accounts")
    add("accounts:")
    current_entity = None
    for a in case.accounts:
        if a.entity != current_entity:
            current_entity = a.entity
            heading = case.account_groups.get(a.entity)
            if heading:
                add(f"  # {heading}")
        add(commented(f"  - id: {a.id}", a.note))
        add(f"    entity: {a.entity}")
        add(f"    bank: {q(a.bank)}")
        add(f"    country: {q(a.country)}")
        add(f"    currency: {a.currency}")
        add(f"    number: {qq(a.number)}")
        if a.restricted:
            add(commented("    restricted: true", "never swept or pooled"))
        if a.facility:
            add(commented(f"    facility: {a.facility}", "borrowing, not an overdraft"))
        items = terms_items(a.terms, a.currency, case.calendar)
        if case.compact_terms:
            add(f"    terms: {flow_map(items)}")
        else:
            add("    terms:")
            for key, value in items:
                if key == "changes":  # one dated change a line
                    add("      changes:")
                    for change in rate_changes(a.terms, a.currency, case.calendar):
                        add(f"        - {change}")
                    continue
                add(f"      {key}: {value}")
    add("")

    add("# --------------------------------------------------------------- proposed structures")
    add("structures:")
    for s in case.structures:
        for line in s.notes:
            add(f"  # {line}".rstrip())
        add(f"  - id: {s.id}")
        add(f"    name: {q(s.name)}")
        if s.local_name:
            add(f"    local_name: {q(s.local_name)}")
        if isinstance(s, Physical):
            add("    kind: physical")
            add(f"    sweep_days: {s.sweep_days}")
            add("    rules:                                # participant -> header")
            for rule in s.rules:
                text = "      - " + rule_text(rule, accounts[rule.frm].currency)
                add(commented(text, rule.note, 0))
        else:
            add("    kind: notional")
            add(f"    currency: {s.currency}")
            add("    accounts: [" + ", ".join(s.accounts) + "]")
            add(f"    terms: {flow_map(terms_items(s.terms, s.currency, case.calendar))}")
            add(f"    allocation: {s.allocation}")
            if s.header:
                add(f"    header: {s.header}")
            if s.shares:
                add(f"    shares: {flow_map(s.shares)}")
            if s.currency_terms:
                add("    currency_terms:                       # each currency at its own terms")
                for cur, terms in s.currency_terms:
                    add(f"      {cur}: {flow_map(terms_items(terms, cur))}")
            if s.offset_rate is not None:
                add(f"    offset_rate: {s.offset_rate}")
            if s.haircut is not None:
                add(f"    haircut: {s.haircut}")
        if s.fees:
            add(f"    fees: {flow_map(s.fees)}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- CSV output


def amount_text(minor: int) -> str:
    """Minor units (hundredths) as an exact decimal string: -1234567.89."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


def account_days(case: Case) -> dict[str, Days]:
    """Each account's days: the working days of its own country (see `working_days`)."""
    by_country = {c: Days(case.calendar, working_days(case.calendar, c))
                  for c in sorted({a.country for a in case.accounts})}  # fmt: skip
    return {a.id: by_country[a.country] for a in case.accounts}


def balance_series(
    case: Case, days: dict[str, Days], stream: str = "balance"
) -> dict[str, dict[date, int]]:
    """Every account's balances (minor units) on the working days of its own country, drawn
    from the account's own generator `rng(seed, stream, id)`.

    A transfer between two accounts leaves one and arrives in the other on the first day on
    or after its date that is a working day in both accounts' countries.
    """
    series: dict[str, dict[date, int]] = {}
    extra: dict[str, list[tuple[str, float]]] = {}
    for when, src, dst, amount in case.transfers:
        both = set(days[src].days) & set(days[dst].days)
        day = min(d for d in both if d >= date.fromisoformat(when)).isoformat()
        extra.setdefault(src, []).append((day, -amount))
        extra.setdefault(dst, []).append((day, amount))
    for account in case.accounts:
        pattern = account.pattern
        if account.id in extra:
            events = pattern.events + tuple(extra[account.id])
            pattern = replace(pattern, events=events)
        own = days[account.id]
        figures = simulate(pattern, own, rng(case.seed, stream, account.id))
        series[account.id] = dict(zip(own.days, figures, strict=True))
    return series


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerows(rows)


def balance_rows(case: Case, series: dict[str, dict[date, int]]) -> list[list[str]]:
    """The balances table: a row (long form) or a cell (wide form) for each account on the
    working days of its country only; on other days it has no figure (an empty cell), so the
    case format carries its last balance forward."""
    ids = [a.id for a in case.accounts]
    table_days = sorted({d for a in ids for d in series[a]})
    if case.wide:
        rows = [["date", *ids]]
        for day in table_days:
            cells = [amount_text(series[a][day]) if day in series[a] else "" for a in ids]
            rows.append([day.isoformat(), *cells])
        return rows
    rows = [["date", "account", "balance"]]
    for day in table_days:
        for a in ids:
            if day in series[a]:
                rows.append([day.isoformat(), a, amount_text(series[a][day])])
    return rows


def fx_rows(case: Case, days: Days) -> list[list[str]]:
    n = len(days.days)
    walks: dict[str, list[float]] = {}
    for spec in case.fx:
        walk = fx_walk(
            rng(case.seed, "fx", spec.currency), n, spec.mid, spec.low, spec.high, spec.step
        )
        if spec.divide_by:
            walk = [walks[spec.divide_by][i] / walk[i] for i in range(n)]
        walks[spec.currency] = walk
    six = Decimal("0.000001")
    rows = [["date", "currency", "rate"]]
    for i, day in enumerate(days.days):
        for cur in sorted(walks):
            rows.append([day.isoformat(), cur, str(Decimal(walks[cur][i]).quantize(six))])
    return rows


# -------------------------------------------------------------------------- self-checks


def check_case(
    case: Case, days: Days, own: dict[str, Days], series: dict[str, dict[date, int]]
) -> None:
    """Fail loudly if the generated case breaks a rule of the case format."""
    entities = {e.id: e for e in case.entities}
    accounts = {a.id: a for a in case.accounts}
    assert len(entities) == len(case.entities), "duplicate entity id"
    assert len(accounts) == len(case.accounts), "duplicate account id"
    for e in case.entities:
        assert e.parent is None or e.parent in entities, e.id
    for a in case.accounts:
        assert a.entity in entities, a.id
        credit = a.terms.credit
        if isinstance(credit, tuple):
            starts = [t[0] for t in credit]
            assert starts[0] == 0 and starts == sorted(set(starts)), a.id
    assert any(a.bank == case.proposing_bank for a in case.accounts), "proposing bank"
    currencies = {a.currency for a in case.accounts}
    assert {f.currency for f in case.fx} == currencies - {case.base_currency}, "fx currencies"
    fenced = {a.id for a in case.accounts if a.restricted or a.facility}
    for s in case.structures:
        touched = {x for r in s.rules for x in (r.frm, r.to)} if isinstance(s, Physical) else set()
        touched |= set(s.accounts) if isinstance(s, Notional) else set()
        assert not touched & fenced, f"{s.id}: sweeps or pools {sorted(touched & fenced)}"
        if isinstance(s, Physical):
            header_of: dict[str, str] = {}
            for rule in s.rules:
                src, dst = accounts[rule.frm], accounts[rule.to]
                assert src.currency == dst.currency, f"{s.id}: {rule.frm} -> {rule.to}"
                assert rule.frm not in header_of, f"{s.id}: two headers for {rule.frm}"
                header_of[rule.frm] = rule.to
            for start in header_of:
                seen = {start}
                node = start
                while node in header_of:
                    node = header_of[node]
                    assert node not in seen, f"{s.id}: cycle through {start}"
                    seen.add(node)
        else:
            assert all(m in accounts for m in s.accounts), s.id
            assert s.header is None or s.header in s.accounts, s.id
            if s.shares:
                total = sum(Decimal(v.rstrip("%")) for _, v in s.shares)
                assert total == 100, s.id
    assert days.days[0] == case.calendar.start and days.days[-1] == case.calendar.end
    for before, after in zip(days.days, days.days[1:], strict=False):
        assert (after - before).days <= MAX_GAP_DAYS, before
    last = max(d for a in case.accounts for d in series[a.id])
    assert last == case.calendar.end, f"the table ends on {last}"
    for a in case.accounts:
        figures = sorted(series[a.id])
        assert figures == own[a.id].days, a.id
        assert figures[0] == case.calendar.start, a.id
        assert (case.calendar.end - figures[-1]).days < MAX_GAP_DAYS, a.id
        for before, after in itertools.pairwise(figures):
            assert (after - before).days <= MAX_GAP_DAYS, f"{a.id}: {before}"


def write_case(case: Case, outdir: Path) -> dict[str, dict[date, int]]:
    """Write one case folder: case.yaml, balances.csv and fx.csv; the balances written."""
    days = Days(case.calendar)
    own = account_days(case)
    series = balance_series(case, own)
    check_case(case, days, own, series)
    folder = outdir / case.folder
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "case.yaml").open("w", encoding="utf-8", newline="") as f:
        f.write(case_yaml(case))
    write_csv(folder / "balances.csv", balance_rows(case, series))
    fx_file = folder / "fx.csv"
    if case.fx:
        write_csv(fx_file, fx_rows(case, days))
    elif fx_file.exists():
        fx_file.unlink()
    return series


# ------------------------------------------------------------ statements after go-live


@dataclass(frozen=True)
class AfterGoLive:
    """Statements of a period after the history: the structure's first day, the period's last
    day, and for each bank of the case (as named there) its folder and format (`camt`:
    camt.053.001.08, one statement per account per month; `MT940`: one statement per
    account per working day, covering the days since the one before; `BAI2`: one report per
    account per working day)."""

    go_live: date
    end: date
    banks: tuple[tuple[str, str, str], ...]  # (bank, folder, format)
    structure: str = "solution"  # what runs: the design's solution


def continuation(
    case: Case, series: dict[str, dict[date, int]], end: date
) -> dict[str, dict[date, int]]:
    """Each account's balances after the history, up to `end`, on its own country's working
    days (the history's calendar rules carried on): the account's pattern run again over the
    history's period and on to `end` with draws of its own (`rng(seed, "continuation", id)`,
    so the history's figures stay as they are), joined to the history's last balance. The
    gap between the two at the join fades as the pattern's deviation does (by `revert` each
    working day; a pure random walk, `revert` 0, keeps it), so the balances go on from where
    the history left them and return to the pattern's own level and season."""
    longer = replace(case, calendar=replace(case.calendar, end=end))
    run = balance_series(longer, account_days(longer), stream="continuation")
    last_day = case.calendar.end
    out: dict[str, dict[date, int]] = {}
    for account in case.accounts:
        own, again = series[account.id], run[account.id]
        gap = own[max(own)] - again[max(d for d in again if d <= last_day)]
        keep = 1.0 - account.pattern.revert
        figures: dict[date, int] = {}
        for day in sorted(d for d in again if d > last_day):
            gap = round(gap * keep)
            figures[day] = again[day] + gap
        out[account.id] = figures
    return out


def statement_history(
    case: Case, after: dict[str, dict[date, int]], last: dict[str, int], spec: AfterGoLive
) -> dict[str, list[int]]:
    """Each account's balance on every calendar day from go-live to the period's end
    (carried over the days its country does not work, from `last`, its history's last
    balance)."""
    n = (spec.end - spec.go_live).days + 1
    days = [spec.go_live + timedelta(days=d) for d in range(n)]
    out: dict[str, list[int]] = {}
    for account in case.accounts:
        balance = last[account.id]
        figures = []
        for day in days:
            balance = after[account.id].get(day, balance)
            figures.append(balance)
        out[account.id] = figures
    return out


def continued(
    case: Case, series: dict[str, dict[date, int]], spec: AfterGoLive
) -> dict[str, list[int]]:
    """Each account's balance on every calendar day of the period after go-live: the
    continuation of `series`, its history (statement_history of continuation). Go-live must
    be a day no account's country works, so that it opens at the history's last balance."""
    after = continuation(case, series, spec.end)
    for account in case.accounts:
        assert spec.go_live not in after[account.id], f"{account.id}: go-live is a working day"
        assert spec.go_live > max(series[account.id]), account.id
    last = {a.id: series[a.id][max(series[a.id])] for a in case.accounts}
    return statement_history(case, after, last, spec)


def after_go_live(name: str) -> tuple[AfterGoLive, dict[str, list[int]]]:
    """The period after go-live of example `name` (AFTER_GO_LIVE) and each account's
    balance (minor units) on every calendar day of it: the history the statements' structure
    ran on, as the tests rebuild it."""
    case = next(c for c in (make() for make in CASES) if c.folder == name)
    spec = AFTER_GO_LIVE[name]
    return spec, continued(case, balance_series(case, account_days(case)), spec)


def write_statements(
    case: Case, spec: AfterGoLive, series: dict[str, dict[date, int]], outdir: Path
) -> list[Path]:
    """Write the statements the case's banks would send after go-live with the structure
    running (spec.structure: the design's solution) on the continuation of the history:
    `statements/after-go-live/<bank>/<month>.<ext>` and `statements/README.md`. Uses
    cashmgmt itself (the design, `cycle.actuals.simulated_statements`, the writers), from
    the tree this script sits in."""
    import numpy as np

    import cashmgmt
    from cashmgmt.cycle import bankfiles
    from cashmgmt.cycle.actuals import simulated_statements, structures_of
    from cashmgmt.cycle.codes import CODE_SETS
    from cashmgmt.model import BalanceHistory

    folder = outdir / case.folder
    loaded = cashmgmt.load_case(folder)
    structures = structures_of(loaded, spec.structure)
    figures = continued(case, series, spec)
    accounts = loaded.balances.accounts
    minor = np.array([figures[a] for a in accounts], dtype=np.int64)
    history = BalanceHistory(spec.go_live, accounts, minor, np.ones(minor.shape, dtype=bool))
    by_id = {a.id: a for a in case.accounts}
    working = {
        a.id: set(working_days(replace(case.calendar, end=spec.end), a.country))
        for a in case.accounts
    }
    root = folder / "statements"
    target = root / "after-go-live"
    if target.exists():  # a bank or a month no longer written leaves no file behind
        shutil.rmtree(target)
    written: list[Path] = []
    for bank, name, form in spec.banks:
        mine = [a for a in accounts if by_id[a].bank == bank]
        assert mine, f"no account at {bank}"
        label = {(by_id[a].number or a): a for a in mine}
        daily = [
            s
            for s in simulated_statements(loaded, structures, history, codes=CODE_SETS[form])
            if s.account in label
        ]
        order = {a: i for i, a in enumerate(mine)}
        daily.sort(key=lambda s: (order[label[s.account]], s.start))

        def works(s: Any, label: dict[str, str] = label) -> bool:
            return s.end in working[label[s.account]]

        def closes(s: Any, works: Callable[[Any], bool] = works) -> bool:
            return works(s) or bankfiles.month_end(s.end)  # and at each month's end

        if form == "camt":
            sent = bankfiles.runs(daily, lambda s: bankfiles.month_end(s.end))
        elif form == "MT940":
            sent = bankfiles.runs(daily, closes)
        else:
            sent = bankfiles.reported(daily, works)
        months = sorted({(s.end.year, s.end.month) for s in sent})
        for year, month in months:
            chosen = [s for s in sent if (s.end.year, s.end.month) == (year, month)]
            last_day = max(s.end for s in chosen)
            created = datetime(last_day.year, last_day.month, last_day.day, 22, 0) + timedelta(
                hours=8
            )
            data = bankfiles.write_statements(
                chosen, form, created=created, name=f"{name}-{year}-{month:02d}", sender=name
            )
            path = target / name / f"{year}-{month:02d}.{bankfiles.EXTENSIONS[form]}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
    readme = statements_readme(case, spec, structures, written, folder)
    with (root / "README.md").open("w", encoding="utf-8", newline="") as f:
        f.write(readme)
    return written


def statements_readme(
    case: Case, spec: AfterGoLive, structures: Sequence[Any], written: list[Path], folder: Path
) -> str:
    """The statements' README: go-live, period, structure, banks and the review command."""
    place = f"examples/{case.folder}"
    days = (spec.end - spec.go_live).days + 1
    what = {
        "camt": "ISO 20022 camt.053.001.08, one statement per account per month",
        "MT940": "SWIFT MT940, one statement per account per working day (since the one before)",
        "BAI2": "BAI2, one report per account per working day",
    }
    out = [
        "# Statements after go-live",
        "",
        "Fictional bank statements made by `examples/generate.py` (do not edit by hand): what",
        f"the group's banks would send for the {days} days after the history in `balances.csv`,",
        "had the design's solution gone live on the first of them.",
        "",
        f"- **go-live**: {spec.go_live.isoformat()}",
        f"- **period**: {spec.go_live.isoformat()} to {spec.end.isoformat()} ({days} days)",
        f"- **structure**: `{spec.structure}` (the design's solution: "
        + ", ".join(f"`{s.id}`, {s.name}" for s in structures)
        + ")",
        "",
        "| folder | bank | format | accounts | files |",
        "|---|---|---|---|---|",
    ]
    for bank, name, form in spec.banks:
        count = sum(1 for a in case.accounts if a.bank == bank)
        files = sorted(p.name for p in written if p.parent.name == name)
        out.append(
            f"| `after-go-live/{name}/` | {bank} | {what[form]} | {count} | {', '.join(files)} |"
        )
    out += [
        "",
        "Review the structure on them (from the repository's root):",
        "",
        "```sh",
        f"cashmgmt review {place} --structure {spec.structure} --actuals "
        f"{place}/statements/after-go-live --go-live {spec.go_live.isoformat()} --json",
        "```",
        "",
        "Its `realised.benefit` is the simulation of the solution on these days, to the cent",
        "(`tests/test_review_files.py`). `cashmgmt statements "
        f"{place}/statements/after-go-live --json` lists what the files hold.",
        "",
        "How they are made: each account's balances go on past the history on its own",
        "country's working days (its pattern run again with draws of its own, its day-to-day",
        "changes added to the history's last balance); the solution's sweeps run on them",
        "(`cashmgmt.cycle.actuals.simulated_statements`), each coded as the format's banks",
        "code sweeps (`cashmgmt/cycle/codes.py`: camt `CAMT/ACCB/ZABA`, BAI2 275/575, MT940",
        "`NCMZ`), with the interest the case's terms post at each month end. The FX table",
        "ends with the history; its last rates carry forward over the period.",
    ]
    return "\n".join(out) + "\n"


# =========================================================================================
# 1. Huaxia Liquor Group: a Chinese consumer group, CNY with HKD and USD, two-level pool
# =========================================================================================
# The data tables of the cases are aligned by hand (one account or rule per entry), so
# the formatter is switched off around them.

# A Chinese RM writes the case in Chinese: bank names as the client knows them.
CCB = "中国建设银行"
ICBC = "中国工商银行"
BOC = "中国银行"
CMB = "招商银行"
HSBC_HK = "汇丰银行（香港）"

#: Province prefixes of 20-digit CCB account numbers, by entity.
CN_PROVINCE = {"HQ": "51", "PROD": "51", "LOGI": "51", "EAST": "31", "EZJ": "33",
               "SOUTH": "44", "SSZ": "44", "NORTH": "11", "WEST": "51", "WCQ": "50",
               "CENTRAL": "42"}  # fmt: skip


def cn_number(r: random.Random, bank: str, entity: str) -> str:
    """A Chinese or Hong Kong account number in the usual shape of each bank."""
    if bank == CCB and entity == "HK":
        return "009-" + digits(r, 3) + "-" + digits(r, 8)
    if bank == HSBC_HK:
        return digits(r, 3) + "-" + digits(r, 6) + "-" + digits(r, 3)
    if bank == CCB:
        return CN_PROVINCE[entity] + "050" + digits(r, 15)
    if bank == ICBC:
        return digits(r, 19)
    if bank == BOC:
        return digits(r, 12)
    return digits(r, 15)  # CMB


# Demand-deposit rates of the Chinese banks; overdrafts at the PBOC benchmark loan rate
# of 4.35%, and 50% more (6.53%) on the part beyond the agreed limit.
CCB_STD = Terms("ACT/360", "0.35%", "4.35%")
CCB_AGREED = Terms("ACT/360", ((0, "0.35%"), (500000, "1.00%")), "4.35%")  # agreed deposit
ICBC_STD = Terms("ACT/360", "0.25%", "4.35%")
BOC_STD = Terms("ACT/360", "0.20%", "4.35%")
CMB_TIERED = Terms("ACT/360", ((0, "0.30%"), (10000000, "0.90%")), "4.35%")
LOCAL_TERMS = {ICBC: ICBC_STD, BOC: BOC_STD, CMB: CMB_TIERED}
SHORT = {CCB: "CCB", ICBC: "ICBC", BOC: "BOC", CMB: "CMB", HSBC_HK: "HSBC"}


def cn_overdraft(credit: str, limit: int) -> Terms:
    """A corporate account overdraft facility with its limit and penalty rate."""
    return Terms("ACT/360", credit, "4.35%", limit, "6.53%")


def huaxia() -> Case:
    """Huaxia Liquor Group: HQ, production, logistics, five regions, HK; CCB proposes."""
    seed = "huaxia-liquor"
    cal = Calendar(
        date(2024, 1, 1),
        date(2025, 12, 31),
        CN_HOLIDAYS,
        payroll="25",
        tax_months=(1, 4, 7, 10),  # enterprise income tax prepayment, by the 15th
        tax_day=15,
        bonus=((1, 2.2),),  # year-end bonus, paid before Chinese New Year
    )
    E = Entity
    # fmt: off
    entities = [
        # id, English name, country, parent, ownership, Chinese name, note
        E("HQ", "Huaxia Liquor Group Co., Ltd.", "CN", None, None,
          "华夏酒业集团股份有限公司", "listed parent, Yibin (Sichuan); group treasury"),
        E("PROD", "Huaxia Distillery Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业酿造有限公司", "distillery and bottling, Yibin"),
        E("LOGI", "Huaxia Supply Chain and Logistics Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业供应链物流有限公司", "warehousing and transport, Chengdu"),
        E("EAST", "Huaxia Liquor Sales (East China) Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业华东销售有限公司", "regional sales company, Shanghai"),
        E("EZJ", "Huaxia Liquor Sales (Zhejiang) Co., Ltd.", "CN", "EAST", "100%",
          "华夏酒业浙江销售有限公司", "second level under EAST, Hangzhou"),
        E("SOUTH", "Huaxia Liquor Sales (South China) Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业华南销售有限公司", "regional sales company, Guangzhou"),
        E("SSZ", "Huaxia Liquor Sales (Shenzhen) Co., Ltd.", "CN", "SOUTH", "80%",
          "华夏酒业深圳销售有限公司", "second level under SOUTH; 20% held by a distributor"),
        E("NORTH", "Huaxia Liquor Sales (North China) Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业华北销售有限公司", "regional sales company, Beijing"),
        E("WEST", "Huaxia Liquor Sales (Southwest China) Co., Ltd.", "CN", "HQ", "100%",
          "华夏酒业西南销售有限公司", "regional sales company, Chengdu"),
        E("WCQ", "Huaxia Liquor Sales (Chongqing) Co., Ltd.", "CN", "WEST", "70%",
          "华夏酒业重庆销售有限公司", "second level under WEST; 30% held by a local partner"),
        E("CENTRAL", "Huaxia Liquor Sales (Central China) Co., Ltd.", "CN", "HQ", "90%",
          "华夏酒业华中销售有限公司", "regional sales company, Wuhan; 10% management"),
        E("HK", "Huaxia International Trading (Hong Kong) Limited", "HK", "HQ", "100%",
          "华夏国际贸易(香港)有限公司", "export trading, Hong Kong"),
    ]
    m = 1_000_000.0
    P = Pattern
    bj = "baijiu"
    # Pattern(level, noise, revert, season, swing, level_season, ...): see Pattern.
    # (id, entity, bank, currency, terms, pattern, note)
    specs: list[tuple[str, str, str, str, Terms, Pattern, str]] = [
        ("HQ-CNY-CCB", "HQ", CCB, "CNY",
         Terms("ACT/360", ((0, "0.35%"), (50000000, "1.00%")), "4.35%", tiering="whole"),
         P(700 * m, 15 * m, 0.04, bj, 100 * m, monthly=260 * m, monthly_day=3, payroll=9 * m,
           tax=250 * m, events=(("2024-06-27", -600 * m), ("2025-06-26", -660 * m))),
         "group header: distributor prepayments, regional remittances; dividend in June"),
        ("HQ-CNY-CCB-EC", "HQ", CCB, "CNY", CCB_STD,
         P(13 * m, 0.8 * m, 0.06, bj, weekly=-20 * m, weekday=4),
         "e-commerce flagship store settlements, moved to HQ on Fridays"),
        ("HQ-CNY-ICBC", "HQ", ICBC, "CNY", ICBC_STD, P(500 * m, 0.2 * m, 0.0),
         "IPO proceeds special account (募集资金专户)"),
        ("HQ-CNY-CMB", "HQ", CMB, "CNY", CMB_TIERED,
         P(40 * m, 2 * m, 0.05, monthly=-35 * m, monthly_day=12),
         "bank acceptance bills falling due"),
        ("HQ-CNY-BOC", "HQ", BOC, "CNY", BOC_STD,
         P(2315480.36, revert=0.0, fee=25.0), "dormant legacy account"),
        ("HQ-USD-CCB", "HQ", CCB, "USD", Terms("ACT/360", "1.00%", "6.50%"),
         P(3.5 * m, 0.15 * m, 0.05, monthly=1.2 * m, monthly_day=10),
         "onshore USD: export receipts"),
        ("PROD-CNY-CCB", "PROD", CCB, "CNY", cn_overdraft("0.35%", 30000000),
         P(-14 * m, 2.5 * m, 0.05, "flat", -6 * m, "inventory", weekly=12 * m, weekday=0,
           tax=8 * m),
         "chronic overdraft: grain and packaging; topped up by HQ on Mondays"),
        ("PROD-CNY-CCB-PAY", "PROD", CCB, "CNY", CCB_STD,
         P(0.3 * m, 0.03 * m, 0.1, payroll=26 * m, prefund=True), "payroll, about 3,000 staff"),
        ("PROD-CNY-ICBC", "PROD", ICBC, "CNY", ICBC_STD,
         P(15 * m, 1.5 * m, 0.05, monthly=-18 * m, monthly_day=15), "supplier payments"),
        ("LOGI-CNY-CCB", "LOGI", CCB, "CNY", cn_overdraft("0.35%", 3000000),
         P(0.5 * m, 0.6 * m, 0.06, weekly=3 * m, weekday=0, payroll=2.5 * m),
         "freight income from group companies; swings around zero"),
        ("LOGI-CNY-CMB", "LOGI", CMB, "CNY", cn_overdraft("0.30%", 5000000),
         P(-2.8 * m, 0.5 * m, 0.05), "chronic overdraft: fuel cards and tolls"),
    ]
    regions = [
        # entity, header level, monthly remittance to HQ, payroll (CNY m),
        # city offices (code, weekly remittance to the regional company)
        ("EAST", 75, 110, 4.5, [("NJ", 12.0), ("HF", 6.0)]),
        ("SOUTH", 58, 85, 4.0, [("FS", 7.0)]),
        ("NORTH", 48, 70, 3.5, [("TJ", 6.0), ("SJZ", 4.0)]),
        ("WEST", 38, 55, 3.0, [("KM", 4.5), ("GY", 3.5)]),
        ("CENTRAL", 28, 40, 2.0, [("CS", 3.5), ("ZZ", 3.0)]),
    ]
    cities = {"NJ": "Nanjing", "HF": "Hefei", "FS": "Foshan", "TJ": "Tianjin",
              "SJZ": "Shijiazhuang", "KM": "Kunming", "GY": "Guiyang", "CS": "Changsha",
              "ZZ": "Zhengzhou"}
    local_bank = {"EAST": (ICBC, 18), "SOUTH": (BOC, 12), "NORTH": (ICBC, 20),
                  "WEST": (CMB, 6), "CENTRAL": (ICBC, 8)}
    second_level = {
        "EAST": [
            ("EZJ-CNY-CCB", "EZJ", CCB, CCB_STD,
             P(7.5 * m, 0.6 * m, 0.06, bj, weekly=-10 * m, payroll=2.2 * m),
             "Zhejiang collections, remitted on Fridays"),
            ("EZJ-CNY-CMB", "EZJ", CMB, CMB_TIERED, P(9 * m, 0.3 * m, 0.03),
             "idle: local CMB relationship"),
        ],
        "SOUTH": [
            ("SSZ-CNY-CCB", "SSZ", CCB, cn_overdraft("0.35%", 2000000),
             P(0.3 * m, 0.5 * m, 0.06, bj, weekly=-5 * m), "swings around zero"),
            ("SSZ-CNY-CMB", "SSZ", CMB, CMB_TIERED,
             P(7 * m, 0.6 * m, 0.04, monthly=4 * m, monthly_day=8), "Shenzhen key accounts"),
        ],
        "WEST": [
            ("WCQ-CNY-CCB", "WCQ", CCB, CCB_STD,
             P(4.5 * m, 0.5 * m, 0.06, bj, weekly=-6 * m), "Chongqing collections"),
            ("WCQ-CNY-ICBC", "WCQ", ICBC, cn_overdraft("0.25%", 5000000),
             P(-3 * m, 0.5 * m, 0.05, payroll=1.5 * m), "chronic overdraft"),
        ],
    }
    # fmt: on
    for region, level, remit, payroll, offices in regions:
        specs.append((
            f"{region}-CNY-CCB", region, CCB, "CNY", CCB_AGREED,
            P(level * m, level * m / 30, 0.04, bj, monthly=-remit * m, monthly_day=3,
              payroll=payroll * m),
            "regional header: remits to HQ monthly",
        ))  # fmt: skip
        for city, weekly in offices:  # keeps a float of a fifth of a week's collections
            specs.append((
                f"{region}-CNY-CCB-{city}", region, CCB, "CNY", CCB_STD,
                P(0.7 * weekly * m, 0.05 * weekly * m, 0.06, bj, weekly=-weekly * m),
                f"{cities[city]} office collections, remitted on Fridays",
            ))  # fmt: skip
        bank, idle = local_bank[region]
        specs.append((
            f"{region}-CNY-{SHORT[bank]}", region, bank, "CNY", LOCAL_TERMS[bank],
            P(idle * m, idle * m / 40, 0.03), "idle: local bank relationship",
        ))  # fmt: skip
        for aid, entity, sub_bank, terms, pattern, note in second_level.get(region, []):
            specs.append((aid, entity, sub_bank, "CNY", terms, pattern, note))
    # fmt: off
    specs += [
        ("HK-HKD-CCB", "HK", CCB, "HKD",
         Terms("ACT/365", ((0, "0.01%"), (1000000, "0.50%")), "6.125%"),
         P(6 * m, 0.4 * m, 0.05, monthly=4 * m, monthly_day=6, payroll=1.2 * m),
         "Hong Kong operating account"),
        ("HK-USD-CCB", "HK", CCB, "USD",
         Terms("ACT/360", ((0, "0.10%"), (500000, "2.50%")), "7.50%"),
         P(2.2 * m, 0.15 * m, 0.05, monthly=0.9 * m, monthly_day=12), "export receipts"),
        ("HK-HKD-HSBC", "HK", HSBC_HK, "HKD",
         Terms("ACT/365", "0.01%", "6.875%", 2000000, "9.875%"),
         P(-0.6 * m, 0.3 * m, 0.05, weekly=1.5 * m, weekday=1), "overdraft most of the time"),
        ("HK-USD-HSBC", "HK", HSBC_HK, "USD", Terms("ACT/360", "0.75%", "7.50%"),
         P(4.8 * m, 0.05 * m, 0.02), "idle: trade finance collateral no longer needed"),
    ]
    # fmt: on
    accounts = [
        Account(
            aid,
            entity,
            bank,
            "HK" if entity == "HK" else "CN",
            cur,
            cn_number(rng(seed, "number", aid), bank, entity),
            terms,
            pattern,
            note,
        )
        for aid, entity, bank, cur, terms, pattern, note in specs
    ]  # fmt: skip
    order = {e.id: i for i, e in enumerate(entities)}
    accounts.sort(key=lambda a: order[a.entity])  # group the accounts by entity
    # IPO proceeds stay in their special account under the CSRC's rules on raised funds
    # (上市公司募集资金监管规则, 2025): never swept or pooled.
    accounts = mark(accounts, restricted=["HQ-CNY-ICBC"])

    R = Rule
    zero = "zero-balance"
    # fmt: off
    rules = (
        # level 1: city offices and second-level companies -> regional headers
        R("EAST-CNY-CCB-NJ", "EAST-CNY-CCB", zero),
        R("EAST-CNY-CCB-HF", "EAST-CNY-CCB", "target", target=300000,
          note="keeps petty cash for the office"),
        R("EZJ-CNY-CCB", "EAST-CNY-CCB", "threshold", target=500000, minimum=100000,
          note="no transfers under 100,000"),
        R("SOUTH-CNY-CCB-FS", "SOUTH-CNY-CCB", zero),
        R("SSZ-CNY-CCB", "SOUTH-CNY-CCB", "range", target=1000000, low=200000, high=2000000,
          note="sweeps only outside the band"),
        R("NORTH-CNY-CCB-TJ", "NORTH-CNY-CCB", zero),
        R("NORTH-CNY-CCB-SJZ", "NORTH-CNY-CCB", zero),
        R("WEST-CNY-CCB-KM", "WEST-CNY-CCB", zero),
        R("WEST-CNY-CCB-GY", "WEST-CNY-CCB", "target", target=200000),
        R("WCQ-CNY-CCB", "WEST-CNY-CCB", "target", target=500000, direction="up",
          note="70% owned: concentrate, never fund"),
        R("CENTRAL-CNY-CCB-CS", "CENTRAL-CNY-CCB", zero),
        R("CENTRAL-CNY-CCB-ZZ", "CENTRAL-CNY-CCB", zero),
        R("PROD-CNY-CCB-PAY", "PROD-CNY-CCB", zero),
        # level 2: regional headers and group companies -> group header
        R("EAST-CNY-CCB", "HQ-CNY-CCB", "target", target=5000000),
        R("SOUTH-CNY-CCB", "HQ-CNY-CCB", "target", target=3000000),
        R("NORTH-CNY-CCB", "HQ-CNY-CCB", "target", target=3000000),
        R("WEST-CNY-CCB", "HQ-CNY-CCB", "target", target=3000000),
        R("CENTRAL-CNY-CCB", "HQ-CNY-CCB", "target", target=2000000),
        R("PROD-CNY-CCB", "HQ-CNY-CCB", zero, note="funds the chronic overdraft"),
        R("LOGI-CNY-CCB", "HQ-CNY-CCB", "threshold", target=1000000, minimum=200000),
        R("HQ-CNY-CCB-EC", "HQ-CNY-CCB", zero),
    )
    # fmt: on
    pool = Physical(
        "cny-two-level",
        "Two-level CNY concentration (CCB group account)",
        "business",
        rules,
        (("per_sweep", "10 CNY"), ("per_account_month", "200 CNY"), ("setup", "50000 CNY")),
        (
            "City offices sweep to their regional company every business day; regional",
            "companies and group companies sweep on to the HQ header the same evening.",
        ),
        local_name="人民币两级资金归集（建行集团账户）",
    )
    notional = Notional(
        "crossborder-notional",
        "CNY/HKD/USD notional pool (headquarters and Hong Kong)",
        "CNY",
        ("HQ-CNY-CCB", "HQ-USD-CCB", "HK-HKD-CCB", "HK-USD-CCB"),
        Terms("ACT/360", "1.10%", "3.85%"),
        "fair-share",
        fees=(("per_account_month", "500 CNY"), ("setup", "80000 CNY")),
        notes=(
            "Cross-border notional pooling needs PBOC/SAFE filing (cross-border RMB and",
            "FX cash pool rules); shown as an option to size the benefit.",
        ),
        local_name="人民币/港币/美元名义资金池（总部与香港）",
    )
    return Case(
        folder="huaxia-liquor",
        seed=seed,
        title="Huaxia Liquor Group (华夏酒业集团): a Chinese baijiu group",
        intro=(
            "12 entities, 40 accounts at 5 banks. Sales companies in five regions collect",
            "from distributors; cash peaks before Chinese New Year and Mid-Autumn. Idle",
            "balances sit at four banks while the distillery runs a chronic overdraft.",
            "China Construction Bank proposes a two-level CNY concentration and a",
            "CNY/HKD/USD notional pool.",
        ),
        client=(
            ("name", "Huaxia Liquor Group"),
            ("local_name", "华夏酒业集团"),
            ("industry", "Alcoholic beverages"),
            ("local_industry", "酒类饮料"),
            ("country", "CN"),
            ("annual_revenue", "8600000000 CNY"),
            ("language", "zh-CN"),
        ),
        needs=("visibility", "idle-cash", "overdraft-cost", "liquidity", "information-reporting"),
        base_currency="CNY",
        proposing_bank=CCB,
        address=("88 Jiudu Avenue, Cuiping District", "Yibin, Sichuan 644000", "China"),
        local_address=("四川省宜宾市翠屏区酒都大道88号", "邮编 644000"),
        people=(
            (
                "relationship_manager",
                (
                    ("name", "Wang Lin"),
                    ("local_name", "王琳"),
                    ("title", "Senior Relationship Manager, Corporate Banking"),
                    ("local_title", "公司业务部高级客户经理"),
                    ("email", "wang.lin@ccb.example"),
                ),
            ),
            (
                "product_specialist",
                (
                    ("name", "Zhao Qiang"),
                    ("local_name", "赵强"),
                    ("title", "Cash Management Product Manager"),
                    ("local_title", "现金管理产品经理"),
                    ("email", "zhao.qiang@ccb.example"),
                ),
            ),
        ),
        calendar=cal,
        calendar_note="mainland China business days (Spring Festival, Golden Week skipped)",
        entities=entities,
        accounts=accounts,
        structures=[pool, notional],
        intercompany_rate="3.1%",
        # The group treasurer's own moves between HQ's accounts (CNY): idle IPO proceeds
        # lent to working capital for a few months with the board's approval and returned
        # to the special account, as the CSRC's rules allow (at most 12 months each time).
        transfers=(
            ("2024-06-24", "HQ-CNY-ICBC", "HQ-CNY-CCB", 350 * m),
            ("2024-11-15", "HQ-CNY-CCB", "HQ-CNY-ICBC", 350 * m),  # returned
            ("2025-06-23", "HQ-CNY-ICBC", "HQ-CNY-CCB", 300 * m),
            ("2025-11-14", "HQ-CNY-CCB", "HQ-CNY-ICBC", 300 * m),  # returned
        ),
        fx=(
            FxSpec("USD", 7.20, 7.12, 7.28, 0.008),
            # HKD: USD/CNY divided by USD/HKD, which stays inside the 7.75-7.85 peg band
            FxSpec("HKD", 7.80, 7.78, 7.82, 0.003, divide_by="USD"),
        ),
        account_groups={e.id: f"{e.id}: {e.name}" for e in entities},
    )


# =========================================================================================
# 2. Aurora Industrial Group: a European multinational, 30 entities, 152 accounts
# =========================================================================================

BANKS_EU = {"CITI": "Citibank", "DB": "Deutsche Bank", "BNP": "BNP Paribas", "ING": "ING",
            "SAN": "Santander", "HSBC": "HSBC UK", "SEB": "SEB", "UBS": "UBS"}  # fmt: skip
#: Rough value of one EUR in each currency (to size balances in local currency).
EUR_IN = {"EUR": 1.0, "GBP": 0.85, "USD": 1.08, "SEK": 11.4, "CHF": 0.95}

# Accounts are written CUR:BANK:ROLE[:TAG]; the role sets the balance pattern and the terms:
#   HDR header, COL collections, PAY payroll, DISB supplier payments, MAIN operating
#   account at a local bank, OD credit line (overdraft), IDLE idle balance, FX foreign
#   currency receipts, TAX tax reserve, DORM dormant. Revenue is the company's own, EUR m.
# fmt: off
AURORA_ENTITIES: list[tuple[str, str, str, str | None, str | None, int, str]] = [
    # id, name, country, parent, ownership, revenue, accounts
    ("AURORA", "Aurora Industrial Group N.V.", "NL", None, None, 0,
     "EUR:CITI:MAIN EUR:ING:IDLE USD:CITI:IDLE"),
    ("TREAS", "Aurora Group Treasury B.V.", "NL", "AURORA", "100%", 0,
     "EUR:CITI:HDR GBP:CITI:IDLE USD:CITI:FX EUR:ING:IDLE EUR:DB:MAIN EUR:BNP:IDLE EUR:DB:OD"),
    ("NL-HOLD", "Aurora Nederland Holding B.V.", "NL", "AURORA", "100%", 0,
     "EUR:CITI:HDR EUR:ING:MAIN"),
    ("NL-MFG", "Aurora Manufacturing Nederland B.V.", "NL", "NL-HOLD", "100%", 650,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:CITI:PAY:VENLO EUR:ING:MAIN EUR:ING:OD "
     "USD:CITI:FX USD:ING:FX"),
    ("NL-SALES", "Aurora Benelux Sales B.V.", "NL", "NL-HOLD", "100%", 420,
     "EUR:CITI:COL EUR:CITI:PAY EUR:ING:MAIN GBP:ING:FX"),
    ("BE", "Aurora Belgium NV", "BE", "NL-HOLD", "100%", 260,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:BNP:MAIN EUR:ING:DORM"),
    ("DE-HOLD", "Aurora Deutschland Holding GmbH", "DE", "AURORA", "100%", 0,
     "EUR:CITI:HDR EUR:DB:MAIN EUR:DB:TAX"),
    ("DE-MASCH", "Aurora Maschinenbau GmbH", "DE", "DE-HOLD", "100%", 1400,
     "EUR:CITI:COL EUR:CITI:COL:SVC EUR:CITI:PAY EUR:CITI:PAY:CHE EUR:CITI:DISB EUR:DB:MAIN "
     "EUR:DB:OD USD:CITI:FX USD:DB:FX GBP:DB:FX CHF:DB:FX EUR:BNP:DORM"),
    ("DE-ANTR", "Aurora Antriebstechnik GmbH", "DE", "DE-HOLD", "100%", 620,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:DB:MAIN EUR:DB:OD USD:DB:FX GBP:DB:FX"),
    ("DE-SERV", "Aurora Industrieservice GmbH", "DE", "DE-HOLD", "100%", 310,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:DB:MAIN EUR:DB:OD"),
    ("DE-LOG", "Aurora Logistik GmbH", "DE", "DE-HOLD", "100%", 180,
     "EUR:CITI:COL EUR:CITI:DISB EUR:DB:MAIN EUR:DB:OD"),
    ("DE-AUTO", "Aurora Automation GmbH", "DE", "DE-HOLD", "94.9%", 540,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:DB:MAIN USD:CITI:FX EUR:ING:DORM"),
    ("FR-HOLD", "Aurora France SAS", "FR", "AURORA", "100%", 0,
     "EUR:CITI:HDR EUR:BNP:MAIN"),
    ("FR-IND", "Aurora Industrie SAS", "FR", "FR-HOLD", "100%", 720,
     "EUR:CITI:COL EUR:CITI:COL:EXPORT EUR:CITI:PAY EUR:CITI:PAY:LILLE EUR:CITI:DISB "
     "EUR:BNP:MAIN EUR:BNP:OD USD:BNP:FX EUR:ING:IDLE"),
    ("FR-SERV", "Aurora Services France SARL", "FR", "FR-HOLD", "100%", 210,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:BNP:MAIN"),
    ("FR-HYD", "Aurora Hydraulique SAS", "FR", "FR-HOLD", "85%", 330,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:BNP:MAIN EUR:BNP:OD"),
    ("IT-HOLD", "Aurora Italia S.p.A.", "IT", "AURORA", "100%", 0,
     "EUR:CITI:HDR EUR:BNP:MAIN"),
    ("IT-MACC", "Aurora Macchine S.r.l.", "IT", "IT-HOLD", "60%", 380,
     "EUR:CITI:COL EUR:CITI:COL:RIBA EUR:CITI:PAY EUR:CITI:DISB EUR:BNP:MAIN EUR:BNP:OD "
     "USD:BNP:FX"),
    ("ES-HOLD", "Aurora Iberia S.L.", "ES", "AURORA", "100%", 0,
     "EUR:CITI:HDR EUR:SAN:MAIN"),
    ("ES-IND", "Aurora Industrial España S.A.", "ES", "ES-HOLD", "100%", 290,
     "EUR:CITI:COL EUR:CITI:PAY EUR:CITI:DISB EUR:SAN:MAIN EUR:SAN:OD EUR:SAN:DISB:CONF"),
    ("UK-HOLD", "Aurora UK Holdings Limited", "GB", "AURORA", "100%", 0,
     "GBP:CITI:HDR GBP:HSBC:MAIN EUR:HSBC:FX USD:HSBC:FX"),
    ("UK-ENG", "Aurora Engineering Limited", "GB", "UK-HOLD", "100%", 520,
     "GBP:CITI:COL GBP:CITI:COL:DD GBP:CITI:PAY GBP:CITI:DISB GBP:HSBC:MAIN GBP:HSBC:OD "
     "EUR:HSBC:FX USD:HSBC:FX"),
    ("UK-SERV", "Aurora Services UK Limited", "GB", "UK-HOLD", "100%", 160,
     "GBP:CITI:COL GBP:CITI:PAY GBP:HSBC:MAIN GBP:HSBC:DORM"),
    ("SE-HOLD", "Aurora Nordic AB", "SE", "AURORA", "100%", 0,
     "SEK:CITI:HDR SEK:SEB:MAIN EUR:SEB:FX"),
    ("SE-PROD", "Aurora Produktion Sverige AB", "SE", "SE-HOLD", "100%", 310,
     "SEK:CITI:COL SEK:CITI:PAY SEK:CITI:DISB SEK:SEB:MAIN SEK:SEB:OD EUR:SEB:FX USD:SEB:FX"),
    ("CH-HOLD", "Aurora Schweiz AG", "CH", "AURORA", "100%", 190,
     "CHF:CITI:HDR CHF:CITI:COL CHF:UBS:MAIN CHF:UBS:PAY EUR:UBS:FX USD:UBS:FX"),
    ("US-HOLD", "Aurora Industrial Inc.", "US", "AURORA", "100%", 0,
     "USD:CITI:HDR USD:CITI:IDLE USD:DB:MAIN"),
    ("US-MFG", "Aurora Manufacturing LLC", "US", "US-HOLD", "100%", 610,
     "USD:CITI:COL USD:CITI:COL:LOCKBOX USD:CITI:PAY USD:CITI:DISB USD:DB:MAIN USD:DB:OD"),
    ("US-SVC", "Aurora Field Services LLC", "US", "US-HOLD", "100%", 150,
     "USD:CITI:COL USD:CITI:PAY USD:CITI:DISB USD:DB:MAIN"),
    ("US-DIST", "Aurora Distribution LLC", "US", "US-HOLD", "100%", 230,
     "USD:CITI:COL USD:CITI:PAY USD:CITI:DISB USD:DB:MAIN"),
]

AURORA_NOTES = {
    "AURORA": "listed holding, Amsterdam",
    "TREAS": "in-house bank; group header of the EUR pool",
    "NL-HOLD": "Benelux sub-holding, Eindhoven",
    "NL-MFG": "plants in Eindhoven and Venlo",
    "NL-SALES": "sales, Utrecht",
    "BE": "sales and service, Antwerp",
    "DE-HOLD": "German sub-holding, Frankfurt; parent of the tax group",
    "DE-MASCH": "machinery, Stuttgart; plant in Chemnitz",
    "DE-ANTR": "drives, Nuremberg",
    "DE-SERV": "field service, Dusseldorf",
    "DE-LOG": "logistics, Hamburg",
    "DE-AUTO": "Munich; 94.9% (real estate transfer tax blocker)",
    "FR-HOLD": "French sub-holding, Lyon",
    "FR-IND": "Lyon; plant in Lille",
    "FR-SERV": "field service, Paris",
    "FR-HYD": "Toulouse; 15% held by the founders",
    "IT-HOLD": "Italian sub-holding, Milan",
    "IT-MACC": "Bologna; 40% held by a joint-venture partner",
    "ES-HOLD": "Spanish sub-holding, Madrid",
    "ES-IND": "Barcelona",
    "UK-HOLD": "UK sub-holding, London",
    "UK-ENG": "Birmingham",
    "UK-SERV": "Manchester",
    "SE-HOLD": "Nordic sub-holding, Stockholm",
    "SE-PROD": "Gothenburg",
    "CH-HOLD": "Zurich; sales and service",
    "US-HOLD": "US sub-holding, Chicago",
    "US-MFG": "Dayton, Ohio",
    "US-SVC": "Houston, Texas",
    "US-DIST": "Atlanta, Georgia",
}

TAG_NOTES = {"SVC": "after-sales service", "CHE": "Chemnitz plant", "VENLO": "Venlo plant",
             "EXPORT": "export customers", "LILLE": "Lille plant", "RIBA": "RiBa bank receipts",
             "CONF": "confirming (reverse factoring)", "DD": "direct debits",
             "LOCKBOX": "lockbox"}

ROLE_NOTES = {"HDR": "header", "COL": "collections", "PAY": "payroll",
              "DISB": "supplier payments", "MAIN": "operating account, local bank",
              "OD": "credit line, chronic overdraft", "IDLE": "idle balance",
              "FX": "foreign-currency receipts", "TAX": "tax reserve", "DORM": "dormant"}
# fmt: on


def nice(x: float) -> int:
    """|x| rounded to two significant digits (for overdraft limits)."""
    x = abs(x)
    unit = 1
    while x >= 100 * unit:
        unit *= 10
    return round(x / unit) * unit


def aurora_terms(bank: str, cur: str, role: str, level: float) -> Terms:
    """Bank-realistic 2024-2025 terms by bank, currency and account role."""
    dc = "ACT/365" if cur == "GBP" else "ACT/360"
    # fmt: off
    if role == "OD":
        debit = {"EUR": "6.40%", "GBP": "7.75%", "USD": "8.25%", "SEK": "6.25%"}[cur]
        penalty = {"EUR": "10.40%", "GBP": "10.75%", "USD": "11.25%", "SEK": "9.25%"}[cur]
        return Terms(dc, "0%", debit, nice(level * 1.7), penalty)
    if role == "HDR":
        tiers = {"EUR": ((0, "0.50%"), (25000000, "1.50%")),
                 "GBP": ((0, "1.00%"), (10000000, "2.75%")),
                 "USD": ((0, "1.50%"), (10000000, "3.25%")),
                 "SEK": ((0, "0.50%"), (50000000, "1.50%")),
                 "CHF": ((0, "0.10%"), (20000000, "0%"))}[cur]  # no interest above CHF 20m
        debit = {"EUR": "5.90%", "GBP": "7.50%", "USD": "8.00%", "SEK": "6.00%",
                 "CHF": "4.25%"}[cur]
        return Terms(dc, tiers, debit, tiering="whole" if cur in ("EUR", "USD") else None)
    if bank == "CITI":  # no overdraft agreed on the operating accounts: all at penalty
        credit = {"EUR": "0%", "GBP": "0.50%", "USD": "0.25%", "SEK": "0.25%", "CHF": "0%"}[cur]
        debit = {"EUR": "7.25%", "GBP": "8.00%", "USD": "8.50%", "SEK": "6.50%",
                 "CHF": "4.50%"}[cur]
        penalty = {"EUR": "9.50%", "GBP": "10.50%", "USD": "11.00%", "SEK": "9.00%",
                   "CHF": "6.50%"}[cur]
        if role == "IDLE":
            return Terms(dc, credit, debit)
        return Terms(dc, credit, debit, 0, penalty)
    # fmt: on
    if bank == "ING" and cur == "EUR":
        return Terms(dc, ((0, "0.50%"), (1000000, "1.75%")), "7.00%")
    if cur == "EUR":
        credit = {"DB": "0.10%", "BNP": "0.25%", "SAN": "0.15%"}.get(bank, "0%")
        debit = {"DB": "7.90%", "BNP": "6.90%", "SAN": "6.50%"}.get(bank, "6.50%")
        return Terms(dc, credit, debit)
    if cur == "GBP":
        return Terms(dc, ((0, "0.75%"), (2000000, "2.25%")), "7.75%")
    if cur == "USD":
        return Terms(dc, "0.75%", "8.50%")
    if cur == "SEK":
        return Terms(dc, "0.50%", "6.25%")
    return Terms(dc, "0%", "4.50%")  # CHF


def aurora_pattern(role: str, revenue: float, cur: str, r: random.Random) -> Pattern:
    """The balance pattern of a role, sized on `revenue` (EUR m a year), in `cur`."""
    local = revenue * 1e6 * EUR_IN[cur]
    day = local / 250  # one business day of sales
    month_pay = local * 0.24 / 12
    fx_day = day * 0.12  # foreign-currency business: about an eighth of sales
    u = r.uniform
    P = Pattern
    eu = "europe"
    if role == "COL":  # collections, moved out by hand every Friday
        week = day * u(4, 5)
        return P(week / 2 + day * u(0.5, 1), day * 0.15, 0.06, eu, weekly=-week,
                 jumps=day * 0.5)  # fmt: skip
    if role == "PAY":  # funded by one transfer the business day before payday
        return P(month_pay * u(0.01, 0.03), month_pay * 0.002, 0.1,
                 payroll=month_pay * u(0.3, 1), prefund=True)  # fmt: skip
    if role == "DISB":  # funded every Monday, paid out through the week: around zero
        return P(day * u(-0.2, 0.5), day * 0.25, 0.05, eu, weekly=day * u(3, 5), weekday=0)
    if role == "MAIN":
        return P(day * u(3, 6), day * 0.2, 0.05, eu, monthly=day * u(3, 6),
                 monthly_day=r.randint(3, 12), tax=local * 0.004)  # fmt: skip
    if role == "OD":  # drawn credit line, customer receipts on Wednesdays
        return P(-day * u(2, 5), day * 0.4, 0.04, eu, -day * u(0.5, 1),
                 weekly=day * u(1.5, 3), weekday=2)  # fmt: skip
    if role == "IDLE":
        level = day * u(3, 10)
        return P(level, level * 0.003, 0.02)
    if role == "FX":
        return P(fx_day * u(3, 6), fx_day * 0.3, 0.05, eu, monthly=fx_day * u(4, 8),
                 monthly_day=r.randint(5, 15))  # fmt: skip
    if role == "TAX":  # provisions for the quarterly prepayments
        return P(local * 0.0045, local * 0.00005, 0.03, tax=local * 0.0075)
    if role == "DORM":
        return P(round(u(2000, 250000), 2), revert=0.0, fee=15.0)
    if role == "HDR":  # monthly intercompany settlements and dividends come in
        month = day * u(6, 10)
        return P(month / 2 + day * u(0.5, 1.5), day * 0.3, 0.04, eu, monthly=month,
                 monthly_day=5, tax=local * 0.002)  # fmt: skip
    raise ValueError(f"unknown account role {role}")


def aurora() -> Case:
    """Aurora Industrial Group: NL holding, 10 countries, Citibank proposes."""
    seed = "aurora-industrial"
    cal = Calendar(
        date(2024, 1, 1),
        date(2025, 12, 31),
        TARGET_HOLIDAYS,
        payroll="last",
        tax_months=(3, 6, 9, 12),  # German corporate tax prepayments, 10 Mar/Jun/Sep/Dec
        tax_day=10,
        bonus=((5, 1.3), (11, 1.7)),  # holiday allowance in May, Christmas bonus in November
    )
    entities: list[Entity] = []
    parent_of: dict[str, str | None] = {}
    group_revenue: dict[str, float] = {}  # the company's own revenue and all below it
    for eid, name, country, parent, ownership, _, _ in AURORA_ENTITIES:
        entities.append(Entity(eid, name, country, parent, ownership, None, AURORA_NOTES[eid]))
        parent_of[eid] = parent
        group_revenue[eid] = 0.0
    for eid, _, _, _, _, rev, _ in AURORA_ENTITIES:
        node: str | None = eid
        while node is not None:
            group_revenue[node] += rev
            node = parent_of[node]
    country_of = {e.id: e.country for e in entities}

    m = 1_000_000.0
    # fmt: off
    special_patterns = {
        "TREAS-EUR-CITI": Pattern(
            250 * m, 5 * m, 0.03, "europe", 40 * m, monthly=60 * m, monthly_day=3,
            events=(("2024-05-16", -220 * m), ("2025-05-15", -240 * m),  # dividend
                    ("2024-10-07", -22.5 * m), ("2025-10-07", -22.5 * m))),  # bond coupon
        "TREAS-EUR-DB-OD": Pattern(-45 * m, 1.5 * m, 0.03, events=(("2024-11-15", -20 * m),)),
        "TREAS-EUR-ING-IDLE": Pattern(85 * m, 0.05 * m, 0.02),
        "AURORA-EUR-CITI": Pattern(9 * m, 0.5 * m, 0.05, monthly=-3 * m, monthly_day=8),
    }
    special_terms = {
        "TREAS-EUR-CITI": Terms("ACT/360", ((0, "0.50%"), (25000000, "1.50%")), "5.90%",
                                100000000, "8.90%", "whole"),
        "TREAS-EUR-DB-OD": Terms("ACT/360", "0%", "5.15%", 100000000, "8.15%"),
        "AURORA-EUR-CITI": Terms("ACT/360", "0.25%", "7.25%"),
    }
    special_notes = {
        "TREAS-EUR-CITI": "group header; pays the dividend in May, the bond coupon in October",
        "TREAS-EUR-DB-OD": "revolving credit facility, drawn",
        "TREAS-EUR-ING-IDLE": "idle: surplus parked at ING",
        "AURORA-EUR-CITI": "holding costs, board and listing fees",
    }
    # fmt: on
    accounts: list[Account] = []
    role_of: dict[str, str] = {}
    for eid, _, _, _, _, rev, codes in AURORA_ENTITIES:
        for code in codes.split():
            cur, bank, role, *tags = code.split(":")
            aid = f"{eid}-{cur}-{bank}"
            if role not in ("HDR", "MAIN", "FX"):
                aid += f"-{role}"
            if tags:
                aid += f"-{tags[0]}"
            role_of[aid] = role
            # Size on the revenue served: the company's own; a header or a holding's
            # account on the revenue below it (capped for accounts other than the header).
            if role == "HDR":
                size = group_revenue[eid]
            elif rev == 0:
                size = min(group_revenue[eid], 500.0) or 500.0
            else:
                size = rev
            pattern = special_patterns.get(aid) or aurora_pattern(
                role, size, cur, rng(seed, "params", aid)
            )
            terms = special_terms.get(aid) or aurora_terms(bank, cur, role, pattern.level)
            home = country_of[eid]
            if eid == "TREAS" and cur != "EUR":
                home = "GB"  # the treasury's currency accounts are held in London
            number = european_number(rng(seed, "number", aid), home, bank)
            note = special_notes.get(aid, ROLE_NOTES[role])
            if tags:
                note = f"{note}: {TAG_NOTES[tags[0]]}"
            accounts.append(
                Account(aid, eid, BANKS_EU[bank], home, cur, number, terms, pattern, note)
            )

    used = {a.id for a in accounts}
    assert {*special_patterns, *special_terms, *special_notes} <= used, "unknown special id"
    accounts = mark(accounts, facilities={"TREAS-EUR-DB-OD": "revolving"})

    # Operating companies' Citibank accounts sweep to the header of their country.
    country_header = {"DE": "DE-HOLD", "FR": "FR-HOLD", "NL": "NL-HOLD", "BE": "NL-HOLD",
                      "IT": "IT-HOLD", "ES": "ES-HOLD"}  # fmt: skip
    eur_rules: list[Rule] = []
    gbp_rules: list[Rule] = []
    usd_rules: list[Rule] = []
    for a in accounts:
        role = role_of[a.id]
        if a.bank != "Citibank" or role not in ("COL", "PAY", "DISB"):
            continue
        home = country_of[a.entity]
        if a.currency == "EUR" and home in country_header:
            header = country_header[home] + "-EUR-CITI"
            if a.entity == "IT-MACC":
                note = "60% owned: concentrate only"
                eur_rules.append(Rule(a.id, header, "zero-balance", direction="up", note=note))
            elif role == "PAY":
                note = "payroll: funding only"
                eur_rules.append(Rule(a.id, header, "zero-balance", direction="down", note=note))
            else:
                eur_rules.append(Rule(a.id, header, "zero-balance"))
        elif a.currency == "GBP" and home == "GB":
            gbp_rules.append(Rule(a.id, "UK-HOLD-GBP-CITI", "zero-balance"))
        elif a.currency == "USD" and home == "US":
            usd_rules.append(Rule(a.id, "US-HOLD-USD-CITI", "zero-balance"))
    # fmt: off
    eur_rules += [  # country headers -> group header
        Rule("NL-HOLD-EUR-CITI", "TREAS-EUR-CITI", "zero-balance"),
        Rule("DE-HOLD-EUR-CITI", "TREAS-EUR-CITI", "target", target=2000000,
             note="a float for the German tax group"),
        Rule("FR-HOLD-EUR-CITI", "TREAS-EUR-CITI", "threshold", target=1000000,
             minimum=250000),
        Rule("IT-HOLD-EUR-CITI", "TREAS-EUR-CITI", "range", target=1500000, low=500000,
             high=3000000),
        Rule("ES-HOLD-EUR-CITI", "TREAS-EUR-CITI", "target", target=1000000),
        Rule("AURORA-EUR-CITI", "TREAS-EUR-CITI", "target", target=5000000),
    ]
    # fmt: on
    structures: list[Physical | Notional] = [
        Physical(
            "eur-concentration",
            "EUR cash concentration: operating accounts, country headers, treasury",
            "business",
            tuple(eur_rules),
            (("per_sweep", "2.50 EUR"), ("per_account_month", "25 EUR"), ("setup", "15000 EUR")),
            (
                "Zero-balance sweeps from the operating companies' Citibank accounts to",
                "their country header, which keeps a float and sweeps on to the treasury.",
            ),
            local_name="欧元资金集中：经营账户、国家主账户、财资中心",
        ),
        Physical(
            "gbp-pool",
            "GBP zero-balance pool (Citibank London)",
            "business",
            tuple(gbp_rules),
            (("per_sweep", "2 GBP"), ("per_account_month", "20 GBP"), ("setup", "5000 GBP")),
            local_name="英镑零余额资金池（花旗银行伦敦）",
        ),
        Physical(
            "usd-pool",
            "USD zero-balance pool (Citibank N.A., New York)",
            "daily",
            tuple(usd_rules),
            (("per_sweep", "3 USD"), ("per_account_month", "30 USD"), ("setup", "7500 USD")),
            local_name="美元零余额资金池（花旗银行纽约）",
        ),
        Notional(
            "currency-overlay",
            "Multi-currency notional pool over the currency headers",
            "EUR",
            (
                "TREAS-EUR-CITI",
                "UK-HOLD-GBP-CITI",
                "US-HOLD-USD-CITI",
                "SE-HOLD-SEK-CITI",
                "CH-HOLD-CHF-CITI",
            ),
            Terms("ACT/360", ((0, "1.00%"), (50000000, "2.00%")), "5.25%"),
            "percentage",
            shares=(
                ("TREAS-EUR-CITI", "40%"),
                ("UK-HOLD-GBP-CITI", "20%"),
                ("US-HOLD-USD-CITI", "20%"),
                ("SE-HOLD-SEK-CITI", "10%"),
                ("CH-HOLD-CHF-CITI", "10%"),
            ),
            fees=(("per_account_month", "250 EUR"), ("setup", "40000 EUR")),
            notes=(
                "Each currency nets at Citi's terms for that currency's header; a debit",
                "covered by other currencies' credit (less the 8% Basel currency-mismatch",
                "haircut) pays the offset rate, the pool's top EUR credit rate (no spread).",
                "Each currency's interest stays with its header (one per currency); the",
                "offset charge falls on the headers whose debit was covered. US",
                "participation needs a legal review.",
            ),
            currency_terms=tuple(
                (cur, aurora_terms("CITI", cur, "HDR", 0)) for cur in ("GBP", "USD", "SEK", "CHF")
            ),
            offset_rate="2.00%",
            haircut="8%",
            local_name="以各币种主账户为基础的多币种名义资金池",
        ),
    ]
    return Case(
        folder="aurora-industrial",
        seed=seed,
        title="Aurora Industrial Group: a European machinery group",
        intro=(
            "30 entities, 152 accounts at 8 banks. A Dutch listed holding with sub-holdings",
            "in the Netherlands, Germany, France, Italy, Spain, the UK, Sweden and the US,",
            "operating companies below them (also in Belgium and Switzerland), and accounts",
            "in EUR, GBP, USD, SEK and CHF. Citibank proposes a multi-level EUR",
            "concentration, GBP and USD pools and a notional overlay of the headers.",
        ),
        client=(
            ("name", "Aurora Industrial Group"),
            ("industry", "Industrial machinery"),
            ("local_industry", "工业机械"),
            ("country", "NL"),
            ("annual_revenue", "8450000000 EUR"),
            ("language", "en"),
        ),
        needs=(
            "liquidity",
            "information-reporting",
            "investment-financing",
            "risk",
            "receivables-payables",
        ),
        base_currency="EUR",
        proposing_bank="Citibank",
        address=("Keizersgracht 500", "1017 EK Amsterdam", "Netherlands"),
        people=(
            (
                "relationship_manager",
                (
                    ("name", "Maarten de Vries"),
                    ("title", "Director, Relationship Manager, Corporate Banking Benelux"),
                    ("email", "maarten.devries@citi.example"),
                    ("phone", "+44 20 7946 0418"),
                ),
            ),
            (
                "product_specialist",
                (
                    ("name", "Claire Dubois"),
                    ("title", "Vice President, Liquidity Management Services"),
                    ("email", "claire.dubois@citi.example"),
                    ("phone", "+44 20 7946 0572"),
                ),
            ),
        ),
        calendar=cal,
        calendar_note="Mon-Fri less TARGET2 closing days (Good Friday, Easter Monday...)",
        entities=entities,
        accounts=accounts,
        structures=structures,
        intercompany_rate="3.25%",
        wide=True,
        compact_terms=True,
        fx=(
            FxSpec("CHF", 1.055, 1.03, 1.08, 0.003),
            FxSpec("GBP", 1.175, 1.15, 1.20, 0.003),
            FxSpec("SEK", 0.0875, 0.085, 0.090, 0.0003),
            FxSpec("USD", 0.925, 0.90, 0.95, 0.003),
        ),
        account_groups={e.id: f"{e.id}: {e.name}" for e in entities},
    )


# =========================================================================================
# 3. Bluestem Outdoor Supply: a US mid-market retailer, 5 entities, 13 accounts
# =========================================================================================

CHASE = "JPMorgan Chase Bank"
FIFTH = "Fifth Third Bank"
WELLS = "Wells Fargo Bank"


def bluestem() -> Case:
    """Bluestem Outdoor Supply: an Ohio retailer with stores, e-commerce and a DC."""
    seed = "bluestem-outdoor"
    cal = Calendar(
        date(2024, 1, 1),
        date(2025, 12, 31),
        US_HOLIDAYS,
        payroll="15+last",  # semi-monthly payroll
        tax_months=(4, 6, 9, 12),  # federal estimated tax: 15 Apr, Jun, Sep, Dec
        tax_day=15,
        bonus=((11, 1.2), (12, 1.35)),  # seasonal staff
    )
    E = Entity
    # fmt: off
    entities = [
        E("HQ", "Bluestem Outdoor Supply, Inc.", "US", note="Columbus, Ohio"),
        E("STORES", "Bluestem Stores LLC", "US", "HQ", "100%",
          note="42 stores in Ohio, Indiana and Kentucky"),
        E("TEXAS", "Bluestem Stores of Texas LLC", "US", "STORES", "100%",
          note="11 stores around Dallas-Fort Worth"),
        E("DIRECT", "Bluestem Direct LLC", "US", "HQ", "100%",
          note="e-commerce, Salt Lake City, Utah"),
        E("DIST", "Bluestem Distribution LLC", "US", "HQ", "100%",
          note="distribution center, Memphis, Tennessee"),
    ]
    m = 1_000_000.0
    P = Pattern
    q4 = "q4retail"
    no_od = "18.00%"  # any overdraft is unarranged: limit 0 and this penalty rate
    specs: list[tuple[str, str, str, Terms, Pattern, str]] = [
        ("HQ-USD-CHASE", "HQ", CHASE,
         Terms("ACT/360", ((0, "0.25%"), (1000000, "2.50%")), "9.50%", 2000000, "14.00%"),
         P(6.5 * m, 0.4 * m, 0.05, q4, 3 * m, tax=3.2 * m), "concentration account"),
        ("HQ-USD-CHASE-PAY", "HQ", CHASE, Terms("ACT/360", "0%", "9.50%", 0, no_od),
         P(0.06 * m, 0.01 * m, 0.1, payroll=4.2 * m, prefund=True), "payroll, semi-monthly"),
        ("HQ-USD-FIFTH", "HQ", FIFTH, Terms("ACT/360", "0%", "7.85%", 20000000, "9.85%"),
         P(-9 * m, 0.4 * m, 0.05, "flat", -8 * m, "inventory"),
         "revolving credit line, drawn for the inventory build"),
        ("HQ-USD-WELLS", "HQ", WELLS,
         Terms("ACT/360", ((0, "0.50%"), (2500000, "3.05%")), "10.50%", tiering="whole"),
         P(4.2 * m, 0.02 * m, 0.02), "idle: interest checking"),
        ("STORES-USD-CHASE", "STORES", CHASE, Terms("ACT/360", "0.15%", "9.50%", 0, no_od),
         P(1.5 * m, 0.1 * m, 0.06, q4, weekly=-2.5 * m, weekday=4),
         "store deposits, moved by hand on Fridays"),
        ("STORES-USD-CHASE-AP", "STORES", CHASE, Terms("ACT/360", "0%", "9.50%", 0, no_od),
         P(0.25 * m, 0.08 * m, 0.06, weekly=1.0 * m, weekday=0),
         "store expenses, funded on Mondays"),
        ("STORES-USD-FIFTH", "STORES", FIFTH, Terms("ACT/360", "0.10%", "9.75%"),
         P(0.75 * m, 0.06 * m, 0.05, q4, weekly=-1.2 * m, weekday=3),
         "legacy store deposits (Ohio, Kentucky)"),
        ("TEXAS-USD-CHASE", "TEXAS", CHASE, Terms("ACT/360", "0.15%", "9.50%", 0, no_od),
         P(0.45 * m, 0.05 * m, 0.06, q4, weekly=-0.7 * m, weekday=4),
         "Texas store deposits"),
        ("TEXAS-USD-WELLS", "TEXAS", WELLS, Terms("ACT/360", "0.15%", "11.00%"),
         P(0.7 * m, 0.06 * m, 0.05, q4, weekly=-1.1 * m, weekday=2),
         "Texas store deposits, Wells Fargo branches"),
        ("DIRECT-USD-CHASE", "DIRECT", CHASE, Terms("ACT/360", "0.15%", "9.50%", 0, no_od),
         P(1.9 * m, 0.15 * m, 0.06, q4, weekly=-3.0 * m, weekday=4, jumps=0.2 * m),
         "card and marketplace settlements"),
        ("DIRECT-USD-WELLS", "DIRECT", WELLS, Terms("ACT/360", "0.25%", "11.00%"),
         P(0.3 * m, 0.01 * m, 0.03), "idle: refunds reserve"),
        ("DIST-USD-CHASE", "DIST", CHASE, Terms("ACT/360", "0%", "9.50%", 0, no_od),
         P(2.4 * m, 0.3 * m, 0.05, "inventory", weekly=4.5 * m, weekday=0),
         "vendor payments, funded on Mondays; sometimes overdrawn"),
        ("DIST-USD-WELLS", "DIST", WELLS, Terms("ACT/360", "0.15%", "11.00%"),
         P(0.6 * m, 0.05 * m, 0.05, monthly=-0.9 * m, monthly_day=2), "freight and 3PL"),
    ]
    # fmt: on
    short = {CHASE: "CHASE", FIFTH: "FIFTH", WELLS: "WELLS"}
    accounts = [
        Account(aid, entity, bank, "US", "USD",
                european_number(rng(seed, "number", aid), "US", short[bank]),
                terms, pattern, note)
        for aid, entity, bank, terms, pattern, note in specs
    ]  # fmt: skip
    accounts = mark(accounts, facilities={"HQ-USD-FIFTH": "revolving"})
    # fmt: off
    rules = (
        Rule("TEXAS-USD-CHASE", "STORES-USD-CHASE", "target", target=75000,
             note="two levels: Texas -> Stores -> HQ"),
        Rule("STORES-USD-CHASE", "HQ-USD-CHASE", "target", target=150000),
        Rule("STORES-USD-CHASE-AP", "HQ-USD-CHASE", "target", target=100000),
        Rule("DIRECT-USD-CHASE", "HQ-USD-CHASE", "threshold", target=250000, minimum=100000,
             note="moves only 100,000 or more"),
        Rule("DIST-USD-CHASE", "HQ-USD-CHASE", "target", target=250000),
        Rule("HQ-USD-CHASE-PAY", "HQ-USD-CHASE", "target", target=50000),
    )
    # fmt: on
    sweep = Physical(
        "target-sweep",
        "Target-balance sweeps to the Chase concentration account",
        "business",
        rules,
        (("per_sweep", "4 USD"), ("per_account_month", "45 USD"), ("setup", "2500 USD")),
        (
            "Every business day each Chase account is brought back to its target balance",
            "against the concentration account (a threshold for the e-commerce account).",
        ),
        local_name="目标余额归集至大通集中账户",
    )
    return Case(
        folder="bluestem-outdoor",
        seed=seed,
        title="Bluestem Outdoor Supply: a US outdoor and sporting goods retailer",
        intro=(
            "5 entities, 13 accounts at 3 banks. Stores in four states, an e-commerce",
            "business and a distribution center. Cash is collected at three banks and moved",
            "by hand; inventory is built up from August on a revolving credit line and",
            "repaid from the holiday season's takings. JPMorgan Chase proposes target",
            "balance sweeps to its concentration account.",
        ),
        client=(
            ("name", "Bluestem Outdoor Supply"),
            ("industry", "Sporting goods retail"),
            ("local_industry", "户外运动用品零售"),
            ("country", "US"),
            ("annual_revenue", "310000000 USD"),
            ("language", "en"),
        ),
        needs=("liquidity", "receivables-payables", "overdraft-cost", "visibility"),
        base_currency="USD",
        proposing_bank=CHASE,
        address=("4200 Olentangy River Road", "Columbus, OH 43214", "United States"),
        people=(
            (
                "relationship_manager",
                (
                    ("name", "Megan Keller"),
                    ("title", "Executive Director, Commercial Banking"),
                    ("email", "megan.keller@chase.example"),
                    ("phone", "+1 614 555 0142"),
                ),
            ),
            (
                "product_specialist",
                (
                    ("name", "David Okafor"),
                    ("title", "Treasury Management Officer"),
                    ("email", "david.okafor@chase.example"),
                    ("phone", "+1 614 555 0187"),
                ),
            ),
        ),
        calendar=cal,
        calendar_note="Mon-Fri less Federal Reserve holidays",
        entities=entities,
        accounts=accounts,
        structures=[sweep],
        intercompany_rate="5.0%",
        account_groups={e.id: f"{e.id}: {e.name}" for e in entities},
    )


# =========================================================================================
# 4. Larkspur Bakery: a micro business, one entity, two accounts at one bank
# =========================================================================================


def larkspur() -> Case:
    """Larkspur Bakery Ltd: a current account with an overdraft and a savings account."""
    seed = "larkspur-bakery"
    cal = Calendar(
        date(2025, 1, 1),
        date(2025, 12, 31),
        UK_HOLIDAYS,
        payroll="last",
        tax_months=(2, 5, 8, 11),  # VAT for the quarters to Dec/Mar/Jun/Sep, due on the 7th
        tax_day=7,
        bonus=((12, 1.15),),  # Christmas overtime
    )
    bank = "HSBC UK"
    # fmt: off
    current = Pattern(
        14000.0, 900.0, 0.05, "bakery",
        weekly=-6500.0, weekday=3,  # suppliers paid on Thursdays, card takings every day
        payroll=31000.0, tax=8500.0, jumps=1200.0,
        events=(("2025-03-25", -14500.0), ("2025-06-24", -14500.0),  # rent, quarter days
                ("2025-09-29", -14500.0), ("2025-12-24", -14500.0),
                ("2025-10-01", -18000.0)),  # corporation tax
    )
    savings = Pattern(48250.0, revert=0.0)  # moves only with the owner's transfers
    accounts = [
        Account("LARK-GBP-HSBC-CUR", "LARK", bank, "GB", "GBP", "40-47-84 61728394",
                Terms("ACT/365", "0%", "11.25%", 15000, "19.50%"), current,
                "business current account, 15,000 GBP overdraft"),
        Account("LARK-GBP-HSBC-SAV", "LARK", bank, "GB", "GBP", "40-47-84 93150276",
                Terms("ACT/365", ((0, "1.10%"), (50000, "1.60%"))), savings,
                "business savings account"),
    ]
    transfers = (  # the owner's own moves between the two accounts: (date, from, to, GBP)
        ("2025-01-06", "LARK-GBP-HSBC-CUR", "LARK-GBP-HSBC-SAV", 15000.0),
        ("2025-03-24", "LARK-GBP-HSBC-SAV", "LARK-GBP-HSBC-CUR", 12000.0),
        ("2025-06-23", "LARK-GBP-HSBC-SAV", "LARK-GBP-HSBC-CUR", 10000.0),
        ("2025-05-06", "LARK-GBP-HSBC-SAV", "LARK-GBP-HSBC-CUR", 8000.0),
        ("2025-07-14", "LARK-GBP-HSBC-CUR", "LARK-GBP-HSBC-SAV", 10000.0),
        ("2025-09-30", "LARK-GBP-HSBC-SAV", "LARK-GBP-HSBC-CUR", 18000.0),
        ("2025-12-12", "LARK-GBP-HSBC-SAV", "LARK-GBP-HSBC-CUR", 8000.0),
    )
    sweep = Physical(
        "savings-sweep",
        "Weekly target-balance sweep between the current and the savings account",
        "weekly:FRI",
        (Rule("LARK-GBP-HSBC-CUR", "LARK-GBP-HSBC-SAV", "target", target=5000,
              note="keep 5,000 GBP in the current account"),),
        (("per_account_month", "5 GBP"),),
        ("Every Friday the surplus above 5,000 GBP goes to savings and a shortfall is",
         "pulled back from savings, so the overdraft is rarely used."),
        local_name="活期账户与储蓄账户之间的每周目标余额归集",
    )
    # fmt: on
    return Case(
        folder="larkspur-bakery",
        seed=seed,
        title="Larkspur Bakery: a micro business, one entity, two accounts",
        intro=(
            "A bakery and cafe in Bristol banking with HSBC UK. The current account dips",
            "into its overdraft after payroll, rent and VAT, while the owner keeps a cushion",
            "in savings and moves money by hand a few times a year.",
        ),
        client=(
            ("name", "Larkspur Bakery"),
            ("industry", "Bakery and cafe"),
            ("local_industry", "烘焙及咖啡店"),
            ("country", "GB"),
            ("annual_revenue", "1150000 GBP"),
            ("language", "en"),
        ),
        needs=("account-management", "idle-cash", "overdraft-cost"),
        base_currency="GBP",
        proposing_bank=bank,
        address=("27 Cotham Hill", "Bristol BS6 6LA", "United Kingdom"),
        people=(
            (
                "relationship_manager",
                (
                    ("name", "Sarah Whitfield"),
                    ("title", "Relationship Director, Business Banking"),
                    ("email", "sarah.whitfield@hsbc.example"),
                    ("phone", "+44 117 496 0731"),
                ),
            ),
        ),
        calendar=cal,
        calendar_note="Mon-Fri less bank holidays in England and Wales, 2025",
        entities=[Entity("LARK", "Larkspur Bakery Ltd", "GB", note="Bristol, 14 staff")],
        accounts=accounts,
        structures=[sweep],
        transfers=transfers,
    )


# ------------------------------------------------------------------------------------ main

CASES = (huaxia, aurora, bluestem, larkspur)

#: The examples with statements after go-live: each bank's statements in the format banks
#: of its market send (camt.053 in China, MT940 from the HSBC branches, BAI2 in the US).
AFTER_GO_LIVE = {
    "huaxia-liquor": AfterGoLive(
        date(2026, 1, 1),
        date(2026, 3, 31),
        (
            (CCB, "CCB", "camt"),
            (ICBC, "ICBC", "camt"),
            (BOC, "BOC", "camt"),
            (CMB, "CMB", "camt"),
            (HSBC_HK, "HSBC", "MT940"),
        ),
    ),
    "bluestem-outdoor": AfterGoLive(
        date(2026, 1, 1),
        date(2026, 3, 31),
        ((CHASE, "CHASE", "BAI2"), (FIFTH, "FIFTH", "BAI2"), (WELLS, "WELLS", "BAI2")),
    ),
    "larkspur-bakery": AfterGoLive(
        date(2026, 1, 1), date(2026, 3, 31), (("HSBC UK", "HSBC", "MT940"),)
    ),
}


def main(argv: Sequence[str]) -> int:
    """Write every example case into OUTDIR (argv[1]) or next to this script."""
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    outdir = Path(argv[1]) if len(argv) == 2 else HERE
    for make in CASES:
        case = make()
        series = write_case(case, outdir)
        spec = AFTER_GO_LIVE.get(case.folder)
        if spec is not None:
            write_statements(case, spec, series, outdir)
        entities = f"{len(case.entities)} entit{'y' if len(case.entities) == 1 else 'ies'}"
        print(f"{outdir / case.folder}: {entities}, {len(case.accounts)} accounts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
