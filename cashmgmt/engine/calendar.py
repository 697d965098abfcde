"""Business days and sweep days (docs/simulation.md, "Sweep days")."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np
import numpy.typing as npt

from cashmgmt.model import WEEKDAYS

BoolArray = npt.NDArray[np.bool_]


@cache
def _closed(country: str, first_year: int, last_year: int) -> frozenset[date]:
    """Days of the years that are not working days in `country` by the `holidays` package's
    own rules (`HolidayBase.is_working_day`): its weekend for the date (Friday-Saturday in
    Israel, Saturday-Sunday in the UAE from 2022), its public holidays, and its make-up
    working days (`weekend_workdays`, such as China's Sunday 2024-02-04) open."""
    years = range(first_year, last_year + 1)
    try:
        calendar = holidays.country_holidays(country, years=years)
    except NotImplementedError:  # a country the package does not know: Saturday-Sunday
        return frozenset(
            d
            for d in _every_day(date(first_year, 1, 1), date(last_year, 12, 31))
            if d.weekday() >= 5
        )
    return frozenset(
        d
        for d in _every_day(date(first_year, 1, 1), date(last_year, 12, 31))
        if not calendar.is_working_day(d)
    )


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=d) for d in range((last - first).days + 1)]


def business_days(countries: tuple[str, ...], start: date, days: int) -> BoolArray:
    """Days that are working days in every one of `countries` (docs/simulation.md, "Sweep
    days"); with no country, Monday to Friday."""
    dates = [start + timedelta(days=d) for d in range(days)]
    end = dates[-1]
    closed: set[date] = set()
    for country in sorted(set(countries)):
        closed |= _closed(country, start.year, end.year)
    if not countries:
        return np.array([d.weekday() < 5 for d in dates], dtype=np.bool_)
    return np.array([d not in closed for d in dates], dtype=np.bool_)


MARGIN = 40  # days of calendar either side of the history: whole months, rolled sweeps


@cache
def sweep_days(rule: str, countries: tuple[str, ...], start: date, days: int) -> BoolArray:
    """The days a rule with `sweep_days: rule` sweeps, for accounts in `countries` (cached:
    the array is read-only).

    Schedules are worked out on the full calendar; the history is a window onto them, so a
    weekly sweep due just before it may roll into it and part months are judged whole.
    """
    mask = _sweep_days(rule, countries, start, days)
    mask.flags.writeable = False
    return mask


def _sweep_days(rule: str, countries: tuple[str, ...], start: date, days: int) -> BoolArray:
    if rule == "daily":
        return np.ones(days, dtype=np.bool_)
    first = start - timedelta(days=MARGIN)
    span = days + 2 * MARGIN
    open_days = business_days(countries, first, span)
    if rule == "business":
        return open_days[MARGIN : MARGIN + days].copy()
    dates = [first + timedelta(days=d) for d in range(span)]
    chosen: set[int] = set()
    if rule.startswith("weekly:"):
        weekday = WEEKDAYS.index(rule[7:])
        for d, day in enumerate(dates):
            if day.weekday() == weekday:
                rolled = _next_open(open_days, d)
                if rolled is not None:
                    chosen.add(rolled)
    else:
        which = rule[8:]
        months: dict[tuple[int, int], list[int]] = {}
        for d, day in enumerate(dates):
            months.setdefault((day.year, day.month), []).append(d)
        for indexes in months.values():
            if dates[indexes[0]].day != 1 or not _month_ends(dates[indexes[-1]]):
                continue  # a part month at the edge of the margin
            open_in_month = [d for d in indexes if open_days[d]]
            if not open_in_month:
                continue
            if which == "first":
                chosen.add(open_in_month[0])
            elif which == "last":
                chosen.add(open_in_month[-1])
            else:
                wanted = min(int(which), len(indexes))
                later = [d for d in open_in_month if dates[d].day >= wanted]
                chosen.add(later[0] if later else open_in_month[-1])
    mask = np.zeros(days, dtype=np.bool_)
    for d in chosen:
        if MARGIN <= d < MARGIN + days:
            mask[d - MARGIN] = True
    return mask


def _month_ends(day: date) -> bool:
    return (day + timedelta(days=1)).month != day.month


def _next_open(open_days: BoolArray, d: int) -> int | None:
    while d < open_days.size and not open_days[d]:
        d += 1
    return d if d < open_days.size else None
