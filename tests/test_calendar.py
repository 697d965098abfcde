"""Business days from the `holidays` package's own working-day rules (docs/simulation.md,
"Sweep days"), checked against days listed by hand from the governments' own notices."""

from __future__ import annotations

from datetime import date, timedelta

from cashmgmt.engine.calendar import business_days, sweep_days


def _open(countries: tuple[str, ...], first: date, last: date) -> list[date]:
    days = (last - first).days + 1
    flags = business_days(countries, first, days)
    return [first + timedelta(days=d) for d in range(days) if flags[d]]


def test_china_make_up_working_days_open() -> None:
    # State Council notice on the 2024 holidays (国务院办公厅关于2024年部分节假日安排的通知,
    # 2023-10-25): Spring Festival Feb 10-17 off; Sunday Feb 4 and Sunday Feb 18 are worked.
    february = _open(("CN",), date(2024, 2, 1), date(2024, 2, 29))
    assert date(2024, 2, 4) in february and date(2024, 2, 18) in february
    expected = [
        *(date(2024, 2, d) for d in (1, 2, 4, 5, 6, 7, 8, 9)),
        *(date(2024, 2, d) for d in (18, 19, 20, 21, 22, 23, 26, 27, 28, 29)),
    ]
    assert february == expected  # 21 weekdays - 5 holiday weekdays + 2 Sundays worked


def test_friday_saturday_weekend() -> None:
    # Israel rests Friday and Saturday: Sun 2024-01-07 is open, Fri 2024-01-05 is closed.
    week = _open(("IL",), date(2024, 1, 5), date(2024, 1, 11))
    assert week == [date(2024, 1, d) for d in (7, 8, 9, 10, 11)]
    # The UAE moved from Friday-Saturday to Saturday-Sunday on 2022-01-01.
    assert _open(("AE",), date(2021, 1, 2), date(2021, 1, 8)) == [
        date(2021, 1, d) for d in (3, 4, 5, 6, 7)
    ]
    assert _open(("AE",), date(2023, 1, 2), date(2023, 1, 8)) == [
        date(2023, 1, d) for d in (2, 3, 4, 5, 6)
    ]


def test_several_countries_need_every_one_open() -> None:
    # Israel (Fri-Sat) with Germany (Sat-Sun): only Monday to Thursday are common.
    week = _open(("DE", "IL"), date(2024, 1, 8), date(2024, 1, 14))
    assert week == [date(2024, 1, d) for d in (8, 9, 10, 11)]


def test_unknown_country_has_saturday_sunday_weekend() -> None:
    # "TA" (Tristan da Cunha) is a valid code the package has no calendar for.
    assert _open(("TA",), date(2025, 1, 1), date(2025, 1, 7)) == [
        date(2025, 1, d) for d in (1, 2, 3, 6, 7)
    ]


def test_monthly_first_china_after_spring_festival_2025() -> None:
    # 2025 notice (2024-11-12): Jan 28 - Feb 4 off, Saturday Feb 8 worked. monthly:first of
    # February is Wed Feb 5; the business sweeps of Feb 3-9 are Feb 5, 6, 7 and Sat Feb 8.
    first = sweep_days("monthly:first", ("CN",), date(2025, 2, 1), 28)
    assert [d for d in range(28) if first[d]] == [4]
    business = sweep_days("business", ("CN",), date(2025, 2, 3), 7)
    assert [d for d in range(7) if business[d]] == [2, 3, 4, 5]
