"""Dates of the implementation plan: business days of each task's countries (the `holidays`
package's calendars, as the engine's sweep days use them), the client's own peak periods,
and the scheduler that starts each task after everything it depends on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.calendar import business_days
from cashmgmt.reference.durations import PeakRule

#: Months whose end closes a quarter.
QUARTER_ENDS = (3, 6, 9, 12)


@cache
def _open_in_year(countries: tuple[str, ...], year: int) -> npt.NDArray[np.bool_]:
    first = date(year, 1, 1)
    return business_days(countries, first, (date(year + 1, 1, 1) - first).days)


def is_open(day: date, countries: tuple[str, ...]) -> bool:
    """Whether `day` is a working day in every one of `countries` (Monday to Friday with
    none): the `holidays` package's weekends, public holidays and make-up working days."""
    key = tuple(sorted(set(countries)))
    return bool(_open_in_year(key, day.year)[day.timetuple().tm_yday - 1])


def next_open(day: date, countries: tuple[str, ...], peaks: Peaks | None = None) -> date:
    """The first working day on or after `day` in all `countries`; with `peaks`, also a
    Monday to Friday outside them (a go-live: the bank's own processing days)."""
    while not is_open(day, countries) or (
        peaks is not None and (day in peaks or day.weekday() >= 5)
    ):
        day += timedelta(days=1)
    return day


def last_of(start: date, working_days: int, countries: tuple[str, ...]) -> date:
    """The last day of a task of `working_days` that starts on working day `start`."""
    day, left = start, working_days - 1
    while left > 0:
        day += timedelta(days=1)
        if is_open(day, countries):
            left -= 1
    return day


@attrs.frozen
class Peaks:
    """The client's busy days, which a go-live avoids: every quarter end (the last
    `last_days` of March, June, September and December and the first `first_days` of the
    month after) and the months of the year in `months` (the history's peak outflow)."""

    months: tuple[int, ...]
    last_days: int
    first_days: int

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day.month in self.months:
            return True
        if day.month in QUARTER_ENDS and (day + timedelta(days=self.last_days)).month != day.month:
            return True
        return day.month - 1 in (0, *QUARTER_ENDS) and day.day <= self.first_days

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "months": list(self.months),
            "quarter_end_last_days": self.last_days,
            "quarter_start_first_days": self.first_days,
        }


#: No peak days: a go-live then only keeps to Monday to Friday.
NO_PEAKS = Peaks((), 0, 0)


def peak_months(total: npt.NDArray[np.int64], start: date, ratio: Decimal) -> tuple[int, ...]:
    """The month of the year with the largest average net outflow of the group in the
    history, when it is at least `ratio` times the average month's (else none).

    `total` is the group's total balance per day from `start` (one currency, minor units).
    A day's net outflow is the fall of the total from the day before (transfers between the
    group's own accounts cancel out); only whole calendar months of the history count.
    """
    falls = np.maximum(-np.diff(total), 0)  # falls[d - 1]: the fall into day d
    sums: dict[int, list[int]] = {}
    day = start
    while True:
        first = date(day.year, day.month, 1)
        after = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        lo, hi = (first - start).days, (after - start).days  # day indexes [lo, hi)
        if hi > total.size:
            break
        if lo >= 1:  # a whole month, and a day before it to measure its first day's fall
            sums.setdefault(first.month, []).append(int(falls[lo - 1 : hi - 1].sum()))
        day = after
    if not sums:
        return ()
    average = {m: Decimal(sum(v)) / len(v) for m, v in sums.items()}
    top = max(sorted(average), key=lambda m: average[m])
    overall = sum(average.values(), Decimal(0)) / len(average)
    return (top,) if average[top] > 0 and average[top] >= ratio * overall else ()


def peaks_for(total: npt.NDArray[np.int64] | None, start: date, rule: PeakRule) -> Peaks:
    """The client's peaks from its history (`total`: the group's daily total from `start`;
    None: quarter ends only)."""
    months = () if total is None else peak_months(total, start, rule.month_ratio)
    return Peaks(months, rule.last_days, rule.first_days)


@attrs.frozen
class Step:
    """A task to schedule: `working_days` in all of `countries`, after `depends`; a go-live
    starts on a Monday to Friday outside the client's peaks."""

    id: str
    working_days: int
    depends: tuple[str, ...]
    countries: tuple[str, ...]
    go_live: bool = False


def schedule(
    steps: Sequence[Step], start: date, peaks: Peaks | None = None
) -> dict[str, tuple[date, date]]:
    """Each step's first and last day: it starts on the first working day of its countries
    after every step it depends on has ended (from `start` with none) — a go-live on a Monday
    to Friday outside `peaks` — and runs for its working days. Steps come after those they
    depend on."""
    dates: dict[str, tuple[date, date]] = {}
    for step in steps:
        earliest = max((dates[d][1] + timedelta(days=1) for d in step.depends), default=start)
        begin = next_open(earliest, step.countries, (peaks or NO_PEAKS) if step.go_live else None)
        dates[step.id] = (begin, last_of(begin, step.working_days, step.countries))
    return dates
