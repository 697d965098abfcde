"""A plain, slow, obviously-correct reference for `cashmgmt.simulate`, from docs/simulation.md.

Written from the specification only, as a test oracle for the engine. Money is Python `int`
minor units; every rate and every intermediate amount is an exact `Fraction`; the only
rounding is half away from zero, in the places the specification names. Nothing here is
vectorised and nothing is clever: each step is the sentence of the specification it implements.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import holidays

from cashmgmt.model import (
    Case,
    Fees,
    IntercompanyTerms,
    NotionalPool,
    PhysicalStructure,
    SweepRule,
    Terms,
)
from cashmgmt.money import exponent
from cashmgmt.reference.conventions import day_count_table
from cashmgmt.reference.tax import tax_table

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


# ---------------------------------------------------------------------------------------------
# Small exact helpers
# ---------------------------------------------------------------------------------------------


def round_half_away(value: Fraction) -> int:
    """Round an exact rational to the nearest integer, ties away from zero."""
    sign = -1 if value < 0 else 1
    size = abs(value)
    whole = size.numerator // size.denominator
    if size - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole


def to_decimal(minor: int, currency: str) -> Decimal:
    """Integer minor units as a Decimal in major units with the currency's decimals."""
    return Decimal(minor).scaleb(-exponent(currency))


def money_minor(amount: Decimal, currency: str) -> Fraction:
    """A major-unit amount as an exact number of minor units (need not be whole)."""
    return Fraction(amount) * Fraction(10) ** exponent(currency)


def convert(minor: int, currency: str, case: Case, day: date) -> int:
    """`minor` units of `currency` in base minor units at `day`'s rate, rounded once."""
    base = case.base_currency
    if currency == base:
        return minor
    rate = Fraction(case.fx.rate(currency, day))
    scale = Fraction(10) ** (exponent(base) - exponent(currency))
    return round_half_away(minor * rate * scale)


# ---------------------------------------------------------------------------------------------
# Days: posting days and sweep days
# ---------------------------------------------------------------------------------------------


def posting_days(dates: Sequence[date]) -> set[int]:
    """Indexes of the days on which interest is posted: each month's last day, and the last."""
    posts = {i for i, d in enumerate(dates) if (d + timedelta(days=1)).month != d.month}
    posts.add(len(dates) - 1)
    return posts


_CLOSED_CACHE: dict[tuple[str, tuple[int, ...]], set[date]] = {}


def closed_days(country: str, years: tuple[int, ...]) -> set[date]:
    """The days of `years` that are not working days in `country`, as the `holidays` package
    says day by day (`is_working_day`: its weekend for that date and its public holidays,
    less its make-up working days). A country it does not know: Saturdays and Sundays."""
    key = (country, years)
    if key not in _CLOSED_CACHE:
        days = [
            date(year, 1, 1) + timedelta(days=n)
            for year in years
            for n in range(366 if calendar.isleap(year) else 365)
        ]
        try:
            known = holidays.country_holidays(country, years=list(years))
        except NotImplementedError:
            _CLOSED_CACHE[key] = {d for d in days if d.weekday() >= 5}
        else:
            _CLOSED_CACHE[key] = {d for d in days if not known.is_working_day(d)}
    return _CLOSED_CACHE[key]


@dataclass
class Calendar:
    """Business days common to several countries: a working day in each of them."""

    closed: set[date]

    def is_business(self, day: date) -> bool:
        return day not in self.closed


def rule_calendar(case: Case, rule: SweepRule, dates: Sequence[date]) -> Calendar:
    """The rule's calendar: business in both the participant's and the header's country."""
    years = tuple(range(dates[0].year - 1, dates[-1].year + 2))
    closed: set[date] = set()
    for account_id in (rule.participant, rule.header):
        closed |= closed_days(case.account(account_id).country, years)
    return Calendar(closed)


def month_days(year: int, month: int) -> list[date]:
    """Every calendar day of a month."""
    last = calendar.monthrange(year, month)[1]
    return [date(year, month, n) for n in range(1, last + 1)]


def sweep_day_flags(schedule: str, cal: Calendar, dates: Sequence[date]) -> list[bool]:
    """For each day of the history, whether a rule with this schedule sweeps that evening.

    The schedule defines a set of calendar days (independent of the history); the history is
    a window onto it.
    """
    first, last = dates[0], dates[-1]
    sweep: set[date] = set()
    if schedule == "daily":
        sweep = set(dates)
    elif schedule == "business":
        sweep = {d for d in dates if cal.is_business(d)}
    elif schedule.startswith("weekly:"):
        weekday = WEEKDAYS.index(schedule[len("weekly:") :])
        # Every occurrence of the weekday from a few weeks before the history (a rolled
        # sweep may land inside it) to its end; each rolls to the next business day.
        day = first - timedelta(days=28)
        while day.weekday() != weekday:
            day += timedelta(days=1)
        while day <= last:
            rolled = day
            while not cal.is_business(rolled):
                rolled += timedelta(days=1)
            sweep.add(rolled)
            day += timedelta(days=7)
    else:
        which = schedule[len("monthly:") :]
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            days = month_days(year, month)
            business = [d for d in days if cal.is_business(d)]
            if business:
                if which == "first":
                    sweep.add(business[0])
                elif which == "last":
                    sweep.add(business[-1])
                else:
                    n = min(int(which), len(days))
                    later = [d for d in business if d.day >= n]
                    sweep.add(later[0] if later else business[-1])
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [d in sweep for d in dates]


# ---------------------------------------------------------------------------------------------
# Interest on one balance series
# ---------------------------------------------------------------------------------------------


def tier_bounds(
    tiers: Sequence[Any], currency: str
) -> list[tuple[Fraction, Fraction | None, Fraction]]:
    """Tiers as (start, end or None, rate) in minor units of `currency`."""
    out: list[tuple[Fraction, Fraction | None, Fraction]] = []
    for k, tier in enumerate(tiers):
        start = money_minor(tier.start, currency)
        end = money_minor(tiers[k + 1].start, currency) if k + 1 < len(tiers) else None
        out.append((start, end, Fraction(tier.rate)))
    return out


@dataclass
class Posted:
    """Posted amounts of one posting period, in minor units (debit and penalty positive)."""

    day: int
    credit: int
    debit: int
    penalty: int

    @property
    def net(self) -> int:
        return self.credit - self.debit - self.penalty


def penalty_rate(terms: Terms) -> Fraction:
    """The penalty rate: as given, else the highest debit tier's rate (no debit: 0)."""
    if terms.penalty_rate is not None:
        return Fraction(terms.penalty_rate)
    if terms.debit:
        return Fraction(terms.debit[-1].rate)
    return Fraction(0)


def day_accruals(balance: int, terms: Terms, currency: str) -> tuple[Fraction, Fraction, Fraction]:
    """One day's exact accruals (credit received, debit paid, penalty paid) in minor units."""
    p = max(balance, 0)
    m = max(-balance, 0)
    if terms.overdraft_limit is None:
        w = Fraction(m)
    else:
        w = min(Fraction(m), money_minor(terms.overdraft_limit.amount, currency))
    x = m - w
    basis = terms.basis
    credit = tiered_amount(Fraction(p), terms.credit, terms.tiering, currency)
    debit = tiered_amount(w, terms.debit, terms.tiering, currency)
    penalty = x * penalty_rate(terms)
    return credit / basis, debit / basis, penalty / basis


def tiered_amount(size: Fraction, tiers: Sequence[Any], tiering: str, currency: str) -> Fraction:
    """Annual interest on a non-negative size under tiers (marginal or whole)."""
    if size <= 0 or not tiers:
        return Fraction(0)
    total = Fraction(0)
    for start, end, rate in tier_bounds(tiers, currency):
        if tiering == "marginal":
            portion = size - start
            if end is not None:
                portion = min(portion, end - start)
            total += rate * max(portion, Fraction(0))
        elif start <= size and (end is None or size < end):
            total = rate * size
    return total


def terms_on(terms: Terms, day: date) -> Terms:
    """ "Rate changes": the terms in force on `day`, those of the latest change dated on or
    before it, else the terms themselves."""
    in_force = terms
    for change in terms.changes:
        if change.start <= day:
            in_force = change.terms
    return in_force


def post_interest(
    series: Sequence[int],
    terms: Terms,
    currency: str,
    posts: set[int],
    dates: Sequence[date] | None = None,
) -> list[Posted]:
    """Interest on a daily closing series: one `Posted` per posting period. Each day accrues
    with the terms in force on it (`dates[d]`; needed when the terms have changes)."""
    out: list[Posted] = []
    credit = debit = penalty = Fraction(0)
    for d, balance in enumerate(series):
        today = terms if dates is None else terms_on(terms, dates[d])
        c, b, p = day_accruals(balance, today, currency)
        credit += c
        debit += b
        penalty += p
        if d in posts:
            out.append(
                Posted(d, round_half_away(credit), round_half_away(debit), round_half_away(penalty))
            )
            credit = debit = penalty = Fraction(0)
    return out


@dataclass
class BaseFigures:
    """An account's interest in base minor units."""

    credit: int = 0
    debit: int = 0
    penalty: int = 0

    @property
    def net(self) -> int:
        return self.credit - self.debit - self.penalty

    def as_dict(self, base: str) -> dict[str, Decimal]:
        return {
            "credit": to_decimal(self.credit, base),
            "debit": to_decimal(self.debit, base),
            "penalty": to_decimal(self.penalty, base),
            "net": to_decimal(self.net, base),
        }


def account_interest(
    case: Case, account_id: str, series: Sequence[int], dates: Sequence[date], posts: set[int]
) -> BaseFigures:
    """An account's own interest on a closing series, converted posting by posting."""
    account = case.account(account_id)
    figures = BaseFigures()
    for posted in post_interest(series, account.terms, account.currency, posts, dates):
        day = dates[posted.day]
        figures.credit += convert(posted.credit, account.currency, case, day)
        figures.debit += convert(posted.debit, account.currency, case, day)
        figures.penalty += convert(posted.penalty, account.currency, case, day)
    return figures


# ---------------------------------------------------------------------------------------------
# Physical structures
# ---------------------------------------------------------------------------------------------


def rule_order(rules: Sequence[SweepRule]) -> list[SweepRule]:
    """Rules leaf to root: a rule runs after every rule that sweeps into its participant."""
    done: list[SweepRule] = []
    placed: set[str] = set()
    pending = list(rules)
    while pending:
        for rule in pending:
            feeders = [r for r in rules if r.header == rule.participant]
            if all(r.participant in placed for r in feeders):
                done.append(rule)
                placed.add(rule.participant)
                pending.remove(rule)
                break
        else:
            raise ValueError("the sweep rules are not a forest")
    return done


def rule_transfer(rule: SweepRule, b: int, currency: str) -> int:
    """The transfer `s` to the header for a participant balance `b` (minor units)."""

    def amount(money: Any) -> int:
        value = money_minor(money.amount, currency)
        assert value.denominator == 1
        return int(value)

    if rule.kind == "zero-balance":
        s = b
    elif rule.kind == "target":
        s = b - amount(rule.target)
    elif rule.kind == "threshold":
        target = amount(rule.target)
        s = b - target if abs(b - target) >= amount(rule.minimum) else 0
    elif rule.kind == "range":
        target = amount(rule.target)
        s = b - target if b > amount(rule.high) or b < amount(rule.low) else 0
    else:
        raise ValueError(rule.kind)
    if rule.direction == "up":
        s = max(s, 0)
    elif rule.direction == "down":
        s = min(s, 0)
    return s


@dataclass
class Position:
    """An intercompany position between entities `first` < `second` in one currency."""

    first: str
    second: str
    currency: str
    daily: list[int] = field(default_factory=list)  # closing position, lent by first


def header_floor(case: Case, structure: PhysicalStructure, header: str) -> int:
    """A header's floor in minor units: -header_limit, else -its overdraft limit, else 0."""
    account = case.account(header)
    limit = structure.header_limit.get(header, account.terms.overdraft_limit)
    if limit is None:
        return 0
    value = money_minor(limit.amount, account.currency)
    assert value.denominator == 1
    return -int(value)


def tree_heights(rules: Sequence[SweepRule]) -> dict[str, int]:
    """Height of every account of the rules: a leaf 0, a header 1 + its tallest participant."""
    height: dict[str, int] = {}
    for rule in rule_order(rules):  # participants before their headers
        height.setdefault(rule.participant, 0)
        height[rule.header] = max(height.get(rule.header, 0), height[rule.participant] + 1)
    return height


def simulate_physical(
    case: Case, structure: PhysicalStructure, history: dict[str, list[int]], dates: list[date]
) -> tuple[dict[str, list[int]], int, dict[tuple[str, str, str], Position]]:
    """Closing balances per account and day, the number of sweeps, intercompany positions."""
    closing, sweeps, positions, _ = simulate_physical_with_shortfall(
        case, structure, history, dates
    )
    return closing, sweeps, positions


def simulate_physical_with_shortfall(
    case: Case, structure: PhysicalStructure, history: dict[str, list[int]], dates: list[date]
) -> tuple[dict[str, list[int]], int, dict[tuple[str, str, str], Position], dict[str, list[int]]]:
    """As simulate_physical, and each account's shortfall per day ("Funding within the
    header's capacity": transfers leaf to root, then rationing root to leaves)."""
    days = len(dates)
    members = structure.accounts
    ordered = rule_order(structure.rules)
    flags = {
        id(rule): sweep_day_flags(structure.sweep_days, rule_calendar(case, rule, dates), dates)
        for rule in ordered
    }
    height = tree_heights(structure.rules)
    headers = sorted({r.header for r in structure.rules}, key=lambda h: -height[h])
    floor = {h: header_floor(case, structure, h) for h in headers}
    closing = {a: list(series) for a, series in history.items()}
    shortfall = {a: [0] * days for a in members}
    for a in members:
        closing[a] = [0] * days
    running: dict[tuple[str, str, str], int] = {}
    positions: dict[tuple[str, str, str], Position] = {}
    sweeps = 0
    for d in range(days):
        balance: dict[str, int] = {}
        for a in members:
            flow = history[a][d] - (history[a][d - 1] if d > 0 else 0)
            opening = closing[a][d - 1] if d > 0 else 0
            balance[a] = opening + flow
        # 1. Transfers, leaf to root.
        transfer: dict[int, int] = {}
        for rule in ordered:
            s = 0
            if flags[id(rule)][d]:
                participant = case.account(rule.participant)
                s = rule_transfer(rule, balance[rule.participant], participant.currency)
            balance[rule.participant] -= s
            balance[rule.header] += s
            transfer[id(rule)] = s
        # 2. Rationing, root to leaves: each header takes back from its funding transfers,
        # last rule first, what it needs to close at its floor, at most what it gave.
        received = {a: 0 for a in members}
        passed = {a: 0 for a in members}
        for h in headers:
            gave = sum(
                -transfer[id(r)] for r in structure.rules if r.header == h and transfer[id(r)] < 0
            )
            cut = min(max(0, floor[h] - balance[h]), gave)
            for rule in reversed(structure.rules):
                if cut == 0:
                    break
                if rule.header != h or transfer[id(rule)] >= 0:
                    continue
                take = min(cut, -transfer[id(rule)])
                transfer[id(rule)] += take
                balance[h] += take
                balance[rule.participant] -= take
                received[rule.participant] += take
                passed[h] += take
                cut -= take
        for a in members:
            shortfall[a][d] = max(0, received[a] - passed[a])
        for rule in ordered:
            s = transfer[id(rule)]
            if s != 0:
                sweeps += 1
            participant = case.account(rule.participant)
            lender = participant.entity
            borrower = case.account(rule.header).entity
            if s != 0 and lender != borrower:
                first, second = sorted((lender, borrower))
                key = (first, second, participant.currency)
                running[key] = running.get(key, 0) + (s if lender == first else -s)
        for a in members:
            closing[a][d] = balance[a]
        for key, value in running.items():
            if key not in positions:
                positions[key] = Position(key[0], key[1], key[2], [0] * d)
            positions[key].daily.append(value)
    return closing, sweeps, positions, shortfall


def ic_terms_on(case: Case, day: date) -> IntercompanyTerms:
    """ "Rate changes": the intercompany terms in force on `day`, those of the latest change
    dated on or before it, else the terms as first stated."""
    terms = case.intercompany or IntercompanyTerms()
    found = attrs.evolve(terms, changes=())
    for change in terms.changes:
        if change.start <= day:
            found = change.terms
    return found


def ic_rate_and_basis(case: Case, currency: str, day: date) -> tuple[Fraction, int]:
    """A position's rate on `day` (intercompany.rates in force, else intercompany_rate, else 0)
    and day-count basis (intercompany.day_count, else the currency's money-market
    convention)."""
    stated = ic_terms_on(case, day).rates
    level = stated.get(currency, case.intercompany_rate)
    counts = case.intercompany.day_counts if case.intercompany else {}
    count = counts.get(currency) or day_count_table().currencies.get(currency, "ACT/360")
    return Fraction(level or 0), 360 if count == "ACT/360" else 365


def in_house_bank(case: Case, structure: PhysicalStructure, a: str, b: str) -> str:
    """The entity of the header account of the first rule between entities `a` and `b`."""
    for rule in structure.rules:
        ends = {case.account(rule.participant).entity, case.account(rule.header).entity}
        if ends == {a, b}:
            return case.account(rule.header).entity
    raise AssertionError("no rule between the two entities")


def withholding_rate(payer: str, receiver: str) -> Fraction:
    """Withholding on interest paid from `payer`'s country to `receiver`'s (the spec's order:
    domestic, treaty, EU directive, statutory; a country not listed: 0)."""
    table = tax_table()
    if payer not in table.countries:
        return Fraction(0)
    if payer == receiver:
        return Fraction(table.countries[payer].resident)
    if (payer, receiver) in table.treaties:
        return Fraction(table.treaties[(payer, receiver)][0])
    if table.countries[payer].eu and receiver in table.countries and table.countries[receiver].eu:
        return Fraction(table.eu_rate)
    return Fraction(table.countries[payer].non_resident)


def vat_rate(receiver: str) -> Fraction:
    """VAT on interest income in the receiver's country (not listed: 0)."""
    tax = tax_table().countries.get(receiver)
    return Fraction(tax.vat) if tax else Fraction(0)


def intercompany_entries(
    case: Case,
    structure: PhysicalStructure,
    positions: dict[tuple[str, str, str], Position],
    dates: list[date],
    posts: set[int],
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """One entry per entity pair and currency whose closing position was ever nonzero, and
    the tax each entity bears: [withholding, VAT] in base minor units."""
    entries: list[dict[str, Any]] = []
    borne: dict[str, list[int]] = {}
    for position in positions.values():
        series = position.daily
        bank = in_house_bank(case, structure, position.first, position.second)
        interest = 0
        wht = 0
        vat = 0
        accrued = Fraction(0)
        for d, value in enumerate(series):
            terms = ic_terms_on(case, dates[d])
            lending, borrowing = Fraction(terms.lending_spread), Fraction(terms.borrowing_spread)
            rate, basis = ic_rate_and_basis(case, position.currency, dates[d])
            # `first` lends while the position is positive; the side that is not the in-house
            # bank gets rate - lending spread when it lends, pays rate + borrowing spread when
            # it borrows
            if bank == position.second:
                when_first_lends, when_first_borrows = rate - lending, rate + borrowing
            else:
                when_first_lends, when_first_borrows = rate + borrowing, rate - lending
            accrued += value * (when_first_lends if value > 0 else when_first_borrows) / basis
            if d in posts:
                posted = round_half_away(accrued)
                accrued = Fraction(0)
                interest += convert(posted, position.currency, case, dates[d])
                if posted == 0:
                    continue
                receiver, payer = (
                    (position.first, position.second)
                    if posted > 0
                    else (position.second, position.first)
                )
                to, frm = case.entity(receiver).country, case.entity(payer).country
                w = round_half_away(abs(posted) * withholding_rate(frm, to))
                v = round_half_away(abs(posted) * vat_rate(to))
                w_base = convert(w, position.currency, case, dates[d])
                v_base = convert(v, position.currency, case, dates[d])
                figures = borne.setdefault(receiver, [0, 0])
                figures[0] += w_base
                figures[1] += v_base
                wht += w_base
                vat += v_base
        if not any(series):
            continue
        peak_size = max(abs(v) for v in series)
        at_peak = next(v for v in series if abs(v) == peak_size)
        sign = 1 if series[-1] > 0 else -1 if series[-1] < 0 else (1 if at_peak > 0 else -1)
        lender, borrower = (
            (position.first, position.second) if sign > 0 else (position.second, position.first)
        )
        entries.append(
            {
                "lender": lender,
                "borrower": borrower,
                "currency": position.currency,
                "closing_position": to_decimal(sign * series[-1], position.currency),
                "peak": to_decimal(peak_size, position.currency),
                "interest": to_decimal(sign * interest, case.base_currency),
                "withholding": to_decimal(wht, case.base_currency),
                "vat": to_decimal(vat, case.base_currency),
            }
        )
    entries.sort(key=lambda e: (e["lender"], e["borrower"], e["currency"]))
    return entries, {e: f for e, f in borne.items() if any(f)}


# ---------------------------------------------------------------------------------------------
# Notional pools
# ---------------------------------------------------------------------------------------------


def split(raw: Sequence[Fraction], total: int) -> list[int]:
    """Round each share half away from zero, then settle the difference to `total` by the
    largest-remainder rule (ties to the earlier member)."""
    shares = [round_half_away(r) for r in raw]
    diff = total - sum(shares)
    remainders = [r - q for r, q in zip(raw, shares, strict=True)]
    if diff > 0:
        # Units go to the largest remainders (rounded down the most); sorted() is stable.
        order = sorted(range(len(raw)), key=lambda i: -remainders[i])
        for i in order[:diff]:
            shares[i] += 1
    elif diff < 0:
        # Units come off the smallest remainders (rounded up the most).
        order = sorted(range(len(raw)), key=lambda i: remainders[i])
        for i in order[:-diff]:
            shares[i] -= 1
    assert sum(shares) == total
    return shares


def simulate_notional(
    case: Case, pool: NotionalPool, history: dict[str, list[int]], dates: list[date]
) -> dict[str, list[tuple[int, int]]]:
    """Each member's allocation per posting period: [(posting day index, pool minor units)]."""
    posts = posting_days(dates)
    cur = pool.currency
    members = list(pool.accounts)
    converted: dict[str, list[int]] = {}
    for a in members:
        acur = case.account(a).currency
        row: list[int] = []
        for d, day in enumerate(dates):
            h = history[a][d]
            if acur == cur:
                row.append(h)
            else:
                value = (
                    h
                    * Fraction(case.fx.rate(acur, day))
                    / Fraction(case.fx.rate(cur, day))
                    * Fraction(10) ** (exponent(cur) - exponent(acur))
                )
                row.append(round_half_away(value))
        converted[a] = row
    net = [sum(converted[a][d] for a in members) for d in range(len(dates))]
    pool_posts = post_interest(net, pool.terms, cur, posts, dates)
    alone_posts = {a: post_interest(converted[a], pool.terms, cur, posts, dates) for a in members}

    allocations: dict[str, list[tuple[int, int]]] = {a: [] for a in members}
    start = 0
    for k, posted in enumerate(pool_posts):
        period = range(start, posted.day + 1)
        start = posted.day + 1
        total = posted.net
        n = len(members)
        if pool.allocation == "header":
            raw = [Fraction(total if a == pool.interest_header else 0) for a in members]
        elif pool.allocation == "even":
            raw = [Fraction(total, n) for _ in members]
        elif pool.allocation == "percentage":
            shares = pool.shares or {}
            raw = [total * Fraction(shares.get(a, Decimal(0))) for a in members]
        else:
            alone = [alone_posts[a][k].net for a in members]
            if pool.allocation == "fair-share":
                usage = [sum(max(converted[a][d], 0) for d in period) for a in members]
            else:
                usage = [sum(max(-converted[a][d], 0) for d in period) for a in members]
            whole = sum(usage)
            weights = [Fraction(u, whole) for u in usage] if whole else [Fraction(1, n)] * n
            rest = total - sum(alone)
            raw = [alone[i] + rest * weights[i] for i in range(n)]
        for a, amount in zip(members, split(raw, total), strict=True):
            allocations[a].append((posted.day, amount))
    return allocations


def to_pool(case: Case, minor: int, currency: str, pool: str, day: date) -> int:
    """`minor` units of `currency` in `pool` minor units at `day`'s rates, rounded once."""
    if currency == pool:
        return minor
    value = (
        minor
        * Fraction(case.fx.rate(currency, day))
        / Fraction(case.fx.rate(pool, day))
        * Fraction(10) ** (exponent(pool) - exponent(currency))
    )
    return round_half_away(value)


def split_period(
    pool: NotionalPool,
    total: int,
    members: Sequence[str],
    alone: Sequence[int],
    credit_use: Sequence[int],
    debit_use: Sequence[int],
) -> list[int]:
    """One currency's interest of one period split among its members by the pool's
    allocation (not `header`, which the caller handles)."""
    n = len(members)
    if pool.allocation == "even":
        raw = [Fraction(total, n) for _ in members]
    elif pool.allocation == "percentage":
        shares = [Fraction((pool.shares or {}).get(a, Decimal(0))) for a in members]
        total_share = sum(shares, Fraction(0))
        weights = [s / total_share for s in shares] if total_share else [Fraction(1, n)] * n
        raw = [total * w for w in weights]
    else:
        usage = credit_use if pool.allocation == "fair-share" else debit_use
        whole = sum(usage)
        weights = [Fraction(u, whole) for u in usage] if whole else [Fraction(1, n)] * n
        rest = total - sum(alone)
        raw = [alone[i] + rest * weights[i] for i in range(n)]
    return split(raw, total)


def simulate_per_currency(
    case: Case, pool: NotionalPool, history: dict[str, list[int]], dates: list[date]
) -> dict[str, int]:
    """Each member's pool interest in base minor units, per-currency mode (docs/simulation.md,
    "Multi-currency pools, per currency")."""
    posts = posting_days(dates)
    p = pool.currency
    members = list(pool.accounts)
    cur_of = {a: case.account(a).currency for a in members}
    codes = list(dict.fromkeys(cur_of[a] for a in members))
    in_cur = {c: [a for a in members if cur_of[a] == c] for c in codes}
    terms = {c: (pool.currency_terms or {}).get(c, pool.terms) for c in codes}
    haircut = Fraction(pool.haircut) if pool.haircut is not None else Fraction(0)
    days = range(len(dates))

    # 1-4: the nets, their converted values, the cover and the uncovered balances.
    net = {c: [sum(history[a][d] for a in in_cur[c]) for d in days] for c in codes}
    value = {c: [to_pool(case, net[c][d], c, p, dates[d]) for d in days] for c in codes}
    cover: list[Fraction] = []
    uncovered = {c: list(net[c]) for c in codes}
    for d in days:
        debit = sum(-value[c][d] for c in codes if value[c][d] < 0)
        credit = sum(value[c][d] for c in codes if value[c][d] > 0)
        o = Fraction(0)
        if pool.offset_rate is not None:
            o = min(Fraction(debit), credit * (1 - haircut))
        cover.append(o)
        if debit and o:
            for c in codes:
                if value[c][d] < 0:
                    uncovered[c][d] = round_half_away(net[c][d] * (debit - o) / Fraction(debit))

    # 5: each currency's interest on its uncovered series; its members alone.
    posted = {c: post_interest(uncovered[c], terms[c], c, posts, dates) for c in codes}
    alone = {
        a: post_interest(history[a], terms[cur_of[a]], cur_of[a], posts, dates) for a in members
    }

    received = dict.fromkeys(members, 0)
    head = pool.interest_header
    start = 0
    for k, day in enumerate(sorted(posts)):
        period = range(start, day + 1)
        start = day + 1
        for c in codes:
            total = posted[c][k].net
            if pool.allocation == "header":
                received[head] += convert(total, c, case, dates[day])
                continue
            group = in_cur[c]
            shares = split_period(
                pool,
                total,
                group,
                [alone[a][k].net for a in group],
                [sum(max(history[a][d], 0) for d in period) for a in group],
                [sum(max(-history[a][d], 0) for d in period) for a in group],
            )
            for a, amount in zip(group, shares, strict=True):
                received[a] += convert(amount, c, case, dates[day])
        # 6: the offset charge, by cover used (or to the header).
        if pool.offset_rate is None:
            continue
        covered = sum((cover[d] for d in period), Fraction(0))
        charge = round_half_away(covered * Fraction(pool.offset_rate) / pool.terms.basis)
        if pool.allocation == "header":
            received[head] -= convert(charge, p, case, dates[day])
            continue
        used = [
            sum(
                max(-to_pool(case, history[a][d], cur_of[a], p, dates[d]), 0)
                for d in period
                if value[cur_of[a]][d] < 0
            )
            for a in members
        ]
        whole = sum(used)
        n = len(members)
        weights = [Fraction(u, whole) for u in used] if whole else [Fraction(1, n)] * n
        for a, amount in zip(members, split([charge * w for w in weights], charge), strict=True):
            received[a] -= convert(amount, p, case, dates[day])
    return received


# ---------------------------------------------------------------------------------------------
# Fees and the whole simulation
# ---------------------------------------------------------------------------------------------


def months_touched(dates: Sequence[date]) -> int:
    """Calendar months the history touches (a part month counts as one)."""
    return len({(d.year, d.month) for d in dates})


def fees_in_base(
    case: Case, structure: PhysicalStructure | NotionalPool, sweeps: int, dates: list[date]
) -> int:
    """Total fees in base minor units; each kind's total converted at the last day's rate."""
    fees = structure.fees
    accounts = len(structure.accounts)
    counts = (
        (fees.per_sweep, sweeps if isinstance(structure, PhysicalStructure) else 0),
        (fees.per_account_month, accounts * months_touched(dates)),
        (fees.setup, 1),
        (fees.per_month, months_touched(dates)),
    )
    total = 0
    for fee, count in counts:
        if fee is None or count == 0:
            continue
        minor = money_minor(fee.amount, fee.currency)
        assert minor.denominator == 1
        total += convert(int(minor) * count, fee.currency, case, dates[-1])
    return total


def liquidity(
    case: Case, balances: dict[str, list[int]], dates: list[date], tops: set[str]
) -> dict[str, Any]:
    """The liquidity figures of one side: each day, the balances added up per currency (all,
    debit ones, credit ones outside the top headers) and each total converted at the day's
    rate; then averages over the days, the last day, the worst day, the days in debit."""
    base = case.base_currency
    totals: list[int] = []
    debits: list[int] = []
    idle: list[int] = []
    overdraft_days = 0
    breach_days = 0
    for d, day in enumerate(dates):
        total: dict[str, int] = {}
        debit: dict[str, int] = {}
        credit: dict[str, int] = {}
        for account in case.accounts:
            b = balances[account.id][d]
            cur = account.currency
            total[cur] = total.get(cur, 0) + b
            if b < 0:
                debit[cur] = debit.get(cur, 0) + b
            if b > 0 and account.id not in tops:
                credit[cur] = credit.get(cur, 0) + b
        totals.append(sum(convert(v, c, case, day) for c, v in total.items()))
        debits.append(sum(convert(v, c, case, day) for c, v in debit.items()))
        idle.append(sum(convert(v, c, case, day) for c, v in credit.items()))
        overdraft_days += bool(debit)
        breach_days += any(
            a.terms.overdraft_limit is not None
            and balances[a.id][d] < -money_minor(a.terms.overdraft_limit.amount, a.currency)
            for a in case.accounts
        )
    days = len(dates)
    return {
        "net_position_average": to_decimal(round_half_away(Fraction(sum(totals), days)), base),
        "net_position_closing": to_decimal(totals[-1], base),
        "peak_debit": to_decimal(-min(debits), base),
        "overdraft_days": overdraft_days,
        "average_idle_credit": to_decimal(round_half_away(Fraction(sum(idle), days)), base),
        "limit_breach_days": breach_days,
    }


def pooled_on(
    case: Case,
    pool: NotionalPool,
    balances: dict[str, list[int]],
    dates: list[date],
    after: dict[str, BaseFigures],
) -> None:
    """The pool's members' interest, in `after`, replaced by their pool interest on
    `balances` (the history, or the balances after a hybrid's sweeps)."""
    if pool.currency_terms is not None:
        for a, amount in simulate_per_currency(case, pool, balances, dates).items():
            after[a] = BaseFigures(credit=amount)
        return
    for a, periods in simulate_notional(case, pool, balances, dates).items():
        received = sum(convert(amount, pool.currency, case, dates[d]) for d, amount in periods)
        after[a] = BaseFigures(credit=received)


def reference_simulate(case: Case, structure_id: str) -> dict[str, Any]:
    """Simulate one structure on the case's history, exactly as docs/simulation.md says."""
    return reference_structure(case, case.structure(structure_id))


def reference_structure(
    case: Case, structure: PhysicalStructure | NotionalPool, overlay: NotionalPool | None = None
) -> dict[str, Any]:
    """Simulate a structure, or (with `overlay`) the hybrid of a physical structure whose
    swept balances a notional pool then nets: the pool's members earn their pool interest on
    their balances after the sweeps, and its fees (no per-sweep fee) are added."""
    base = case.base_currency
    dates = case.balances.dates()
    days = len(dates)
    posts = posting_days(dates)
    account_ids = [a.id for a in case.accounts]
    history = {
        a: [int(v) for v in case.balances.minor[case.balances.accounts.index(a)]]
        for a in account_ids
    }

    baseline = {a: account_interest(case, a, history[a], dates, posts) for a in account_ids}

    sweeps = 0
    intercompany: list[dict[str, Any]] = []
    shortfall: dict[str, list[int]] = {}
    borne: dict[str, list[int]] = {}
    if isinstance(structure, PhysicalStructure):
        closing, sweeps, positions, shortfall = simulate_physical_with_shortfall(
            case, structure, history, dates
        )
        tops = {r.header for r in structure.rules} - {r.participant for r in structure.rules}
        after = {a: account_interest(case, a, closing[a], dates, posts) for a in account_ids}
        intercompany, borne = intercompany_entries(case, structure, positions, dates, posts)
        if overlay is not None:
            pooled_on(case, overlay, closing, dates, after)
    else:
        closing = {a: list(history[a]) for a in account_ids}
        tops = {structure.interest_header}
        after = dict(baseline)
        pooled_on(case, structure, history, dates, after)

    fees = fees_in_base(case, structure, sweeps, dates)
    if overlay is not None:
        pool_fees = attrs.evolve(overlay, fees=attrs.evolve(overlay.fees, per_sweep=None))
        fees += fees_in_base(case, pool_fees, 0, dates)
    baseline_net = sum(f.net for f in baseline.values())
    structure_net = sum(f.net for f in after.values())
    tax = sum(w + v for w, v in borne.values())
    benefit = structure_net - baseline_net - fees - tax
    # the set-up fee spread over the contract, not counted whole in the period
    setup = fees_in_base(
        case, attrs.evolve(structure, fees=Fees(setup=structure.fees.setup)), 0, dates
    )
    if overlay is not None:
        setup += fees_in_base(
            case, attrs.evolve(overlay, fees=Fees(setup=overlay.fees.setup)), 0, dates
        )
    annual = round_half_away(
        Fraction((benefit + setup) * 365, days) - Fraction(setup * 12, case.contract_months)
    )
    return {
        "days": days,
        "baseline": {
            "net_interest": to_decimal(baseline_net, base),
            "accounts": {a: baseline[a].as_dict(base) for a in account_ids},
            "liquidity": liquidity(case, history, dates, tops),
        },
        "structure": {
            "net_interest": to_decimal(structure_net, base),
            "accounts": {a: after[a].as_dict(base) for a in account_ids},
            "closing": {a: list(closing[a]) for a in account_ids},
            "liquidity": liquidity(case, closing, dates, tops),
        },
        "fees": to_decimal(fees, base),
        "benefit": to_decimal(benefit, base),
        "annual": to_decimal(annual, base),
        "sweeps": sweeps,
        "intercompany": intercompany,
        "shortfall": {
            a: (sum(1 for v in shortfall.get(a, []) if v > 0), max(shortfall.get(a, [0]) or [0]))
            for a in account_ids
        },
        "shortfall_daily": shortfall,
        "tax": {
            "total": to_decimal(tax, base),
            "entities": {
                e: (to_decimal(w, base), to_decimal(v, base)) for e, (w, v) in sorted(borne.items())
            },
        },
    }
