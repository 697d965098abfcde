"""The examples' balances move only on the working days of each account's own country.

Banks neither settle payments nor sweep on their own country's holidays, and the engine
sweeps only on the working days of the participant's and header's countries
(docs/simulation.md, "Sweep days"). The generator used one calendar per case, so Aurora's
accounts moved on their own holidays (2024-11-01 in France, 2025-07-04 in the US, ...)
while their sweeps did not run, and the recommended solution showed a higher peak debit
than the status quo. The oracle here is the `holidays` package itself
(`HolidayBase.is_working_day`), read independently of cashmgmt's calendar helper.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType

import holidays
import numpy as np
import pytest

import cashmgmt

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


@cache
def is_working_day(country: str, day: date) -> bool:
    return bool(holidays.country_holidays(country, years=day.year).is_working_day(day))


def figures(folder: Path) -> dict[str, dict[date, str]]:
    """Each account's figures as balances.csv writes them (long or wide form)."""
    out: dict[str, dict[date, str]] = {}
    with (folder / "balances.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if header == ["date", "account", "balance"]:
        for day, account, balance in body:
            out.setdefault(account, {})[date.fromisoformat(day)] = balance
        return out
    for row in body:
        for account, cell in zip(header[1:], row[1:], strict=False):
            if cell:
                out.setdefault(account, {})[date.fromisoformat(row[0])] = cell
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_balance_moves_on_a_non_working_day_of_its_country(name: str) -> None:
    case = cashmgmt.load_case(EXAMPLES / name)
    country = {a.id: a.country for a in case.accounts}
    written = figures(EXAMPLES / name)
    assert set(written) == set(country)
    first = min(min(days) for days in written.values())
    moved_on_holidays = []
    for account, days in written.items():
        previous = None
        for day in sorted(days):
            closed = day != first and not is_working_day(country[account], day)
            if closed and days[day] != previous:
                moved_on_holidays.append((account, country[account], day))
            previous = days[day]
    assert moved_on_holidays == []
    # The history the engine reads (the last figure carried forward) agrees.
    b = case.balances
    for i, account in enumerate(b.accounts):
        for d in np.nonzero(b.minor[i, 1:] != b.minor[i, :-1])[0]:
            day = b.start + timedelta(days=int(d) + 1)
            assert is_working_day(country[account], day), (account, day)


def test_an_account_abroad_keeps_its_own_holidays() -> None:
    """The days the issue named: a French and a US account of Aurora do not move on their
    own holidays (All Saints' Day 2024-11-01, Independence Day 2025-07-04) while a Dutch
    account, open on both, has a figure on them."""
    written = figures(EXAMPLES / "aurora-industrial")
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    by_country: dict[str, list[str]] = {}
    for a in case.accounts:
        by_country.setdefault(a.country, []).append(a.id)
    for account in by_country["FR"]:
        assert date(2024, 11, 1) not in written[account]
    for account in by_country["US"]:
        assert date(2025, 7, 4) not in written[account]
    for account in by_country["NL"]:
        assert {date(2024, 11, 1), date(2025, 7, 4)} <= set(written[account])
        assert date(2024, 5, 9) not in written[account]  # Ascension Day in the Netherlands


# ------------------------------------------------------------ the generator on a small case


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_generator", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_generator_moves_flows_to_the_next_working_day_of_each_country() -> None:
    """Hand-worked: constant balances of 1,000.00; a French dividend of 50 dated on All
    Saints' Day (Friday 2024-11-01, a French public holiday, not a Dutch one) is booked on
    Monday 2024-11-04; a transfer of 100 from the French to the Dutch account dated that
    day leaves and arrives on 2024-11-04, the first day open in both countries. A Chinese
    account has a figure on Sunday 2024-02-04 (a make-up working day, State Council notice
    of 2023-10-25) and none in the Spring Festival week (2024-02-12..16)."""
    g = generator()
    cal = g.Calendar(date(2024, 1, 1), date(2024, 11, 29), frozenset(), "last", (), 1)
    flat = g.Pattern(level=1000.0)
    accounts = [
        g.Account("FR-1", "E", "B", "FR", "EUR", "1", g.Terms("ACT/360"),
                  g.Pattern(level=1000.0, events=(("2024-11-01", 50.0),))),
        g.Account("NL-1", "E", "B", "NL", "EUR", "2", g.Terms("ACT/360"), flat),
        g.Account("CN-1", "E", "B", "CN", "EUR", "3", g.Terms("ACT/360"), flat),
    ]  # fmt: skip
    case = g.Case(
        folder="t", seed="t", title="t", intro=(), client=(), needs=(), base_currency="EUR",
        proposing_bank="B", calendar=cal, calendar_note="", entities=[], accounts=accounts,
        structures=[], transfers=(("2024-11-01", "FR-1", "NL-1", 100.0),), wide=True,
    )  # fmt: skip
    series = g.balance_series(case, g.account_days(case))
    fr, nl, cn = series["FR-1"], series["NL-1"], series["CN-1"]
    assert date(2024, 11, 1) not in fr and fr[date(2024, 10, 31)] == 100000
    assert fr[date(2024, 11, 4)] == 100000 + 5000 - 10000
    assert nl[date(2024, 11, 1)] == 100000 and nl[date(2024, 11, 4)] == 110000
    assert date(2024, 2, 4) in cn and date(2024, 2, 3) not in cn
    assert not {date(2024, 2, 12) + timedelta(days=d) for d in range(5)} & set(cn)
    rows = g.balance_rows(case, series)
    assert rows[0] == ["date", "FR-1", "NL-1", "CN-1"]
    assert ["2024-11-01", "", "1000.00", "1000.00"] in rows  # no French figure: an empty cell


def test_the_solution_no_longer_raises_aurora_s_peak_debit() -> None:
    """The symptom: Aurora's recommended solution showed a peak debit of 221.26 m EUR
    against 199.58 m in the status quo, the participants' payments going out on their own
    holidays while the sweeps did not run. With the accounts at rest on those days the
    solution's zero-balance sweeps no longer add debit."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    result = cashmgmt.design(case, cashmgmt.assess(case)).result
    assert result is not None
    assert result.structure_liquidity.peak_debit <= result.baseline_liquidity.peak_debit
