"""Interest across dated rate changes (docs/simulation.md, "Rate changes"): hand-worked
figures, the one rounding per posting, and the ECB's own deposit facility rate decisions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import post_interest, posting_days

from cashmgmt.engine.interest import post, posting_periods, terms_table
from cashmgmt.model import Terms, TermsChange, Tier
from cashmgmt.money import Money


def _flat(credit: str, debit: str | None = None, **kw: object) -> Terms:
    tiers = (Tier(Decimal(0), Decimal(credit)),)
    debits = (Tier(Decimal(0), Decimal(debit)),) if debit else ()
    return Terms("ACT/360", tiers, debits, **kw)  # type: ignore[arg-type]


def _changed(first: Terms, *changes: tuple[date, Terms]) -> Terms:
    return Terms(
        first.day_count,
        first.credit,
        first.debit,
        first.tiering,
        first.overdraft_limit,
        first.penalty_rate,
        tuple(TermsChange(day, terms) for day, terms in changes),
    )


def _engine(series: list[int], terms: Terms, start: date) -> list[tuple[int, int, int]]:
    days = len(series)
    starts, _ = posting_periods(start, days)
    table = terms_table([terms], np.zeros(1, dtype=np.int64), ["CNY"], start, days)
    got = post(np.array([series], dtype=np.int64), table, starts)
    return list(
        zip(got.credit[0].tolist(), got.debit[0].tolist(), got.penalty[0].tolist(), strict=True)
    )


def _reference(series: list[int], terms: Terms, start: date) -> list[tuple[int, int, int]]:
    dates = [start + timedelta(days=d) for d in range(len(series))]
    posted = post_interest(series, terms, "CNY", posting_days(dates), dates)
    return [(p.credit, p.debit, p.penalty) for p in posted]


def test_mid_month_change_by_hand() -> None:
    # CNY 360,000.00 all January 2025 at 1% to Jan 15, 2% from Jan 16 (inclusive), ACT/360:
    # 36,000,000 × (15 × 1% + 16 × 2%) / 360 = 36,000,000 × 0.47 / 360 = 47,000 = CNY 470.00.
    terms = _changed(_flat("0.01"), (date(2025, 1, 16), _flat("0.02")))
    series = [36_000_000] * 31
    assert _engine(series, terms, date(2025, 1, 1)) == [(47_000, 0, 0)]
    assert _reference(series, terms, date(2025, 1, 1)) == [(47_000, 0, 0)]


def test_rounded_once_per_posting_not_per_segment() -> None:
    # 1.44 CNY (144 fen) in April 2025: 10% for 10 days = 144 × 0.10 × 10 / 360 = 0.4 fen,
    # then 5% for 20 days = 144 × 0.05 × 20 / 360 = 0.4 fen. Once: 0.8 -> 1 fen; rounding
    # each segment would give 0 + 0 = 0.
    terms = _changed(_flat("0.10"), (date(2025, 4, 11), _flat("0.05")))
    assert _engine([144] * 30, terms, date(2025, 4, 1)) == [(1, 0, 0)]
    # Debit side, negative balance -144, same rates: paid 1 fen, not 0.
    debit = _changed(_flat("0", "0.10"), (date(2025, 4, 11), _flat("0", "0.05")))
    assert _engine([-144] * 30, debit, date(2025, 4, 1)) == [(0, 1, 0)]


def test_changes_outside_the_history() -> None:
    # A change before the history is in force from its first day; one after it never applies.
    before = _changed(_flat("0.05"), (date(2024, 12, 1), _flat("0.01")))
    after = _changed(_flat("0.01"), (date(2025, 3, 1), _flat("0.05")))
    series = [36_000_000] * 31  # January 2025 at 1%: 36,000,000 × 0.01 × 31 / 360 = 31,000
    assert _engine(series, before, date(2025, 1, 1)) == [(31_000, 0, 0)]
    assert _engine(series, after, date(2025, 1, 1)) == [(31_000, 0, 0)]


def test_ecb_deposit_facility_cuts_2024() -> None:
    # ECB key interest rates, deposit facility, with effect from 2024-06-12 (4.00% -> 3.75%),
    # 2024-09-18 (3.50%), 2024-10-23 (3.25%) and 2024-12-18 (3.00%): "Key ECB interest
    # rates", https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/
    # html/index.en.html (read 2026-11-30). EUR 1,000,000.00 held at the ECB rate through
    # 2024, ACT/360, posted monthly. By hand, days at each rate: 4.00% Jan 1 - Jun 11 =
    # 163 days; 3.75% Jun 12 - Sep 17 = 98; 3.50% Sep 18 - Oct 22 = 35; 3.25% Oct 23 - Dec 17
    # = 56; 3.00% Dec 18 - 31 = 14 (366 days). Σ rate × days = 6.52 + 3.675 + 1.225 + 1.82 +
    # 0.42 = 13.66, so the year's interest is 10^8 cents × 13.66 / 360 = EUR 37,944.44 before
    # the twelve monthly roundings.
    terms = _changed(
        _flat("0.04"),
        (date(2024, 6, 12), _flat("0.0375")),
        (date(2024, 9, 18), _flat("0.035")),
        (date(2024, 10, 23), _flat("0.0325")),
        (date(2024, 12, 18), _flat("0.03")),
    )
    series = [100_000_000] * 366
    got = _engine(series, terms, date(2024, 1, 1))
    assert got == _reference(series, terms, date(2024, 1, 1))
    # June: 11 days at 4% and 19 at 3.75%: 10^8 × (0.44 + 0.7125) / 360 = 320,138.89 -> 320,139.
    assert got[5] == (320_139, 0, 0)
    assert abs(sum(c for c, _, _ in got) - 3_794_444) <= 6  # twelve roundings of half a cent


def test_epochs_of_gives_the_terms_in_force() -> None:
    from cashmgmt.engine.interest import epochs_of

    one, two = _flat("0.02"), _flat("0.01")
    terms = _changed(_flat("0.03"), (date(2024, 12, 1), one), (date(2025, 1, 10), two))
    assert epochs_of(terms, date(2025, 1, 1), 31) == ((0, one), (9, two))
    assert epochs_of(_flat("0.03"), date(2025, 1, 1), 31) == ((0, _flat("0.03")),)


@st.composite
def _terms(draw: st.DrawFn) -> Terms:
    """Tiered terms (marginal or whole, negative credit rates allowed), an overdraft limit
    with a penalty rate or none."""

    def tiers(low: int) -> tuple[Tier, ...]:
        starts = sorted(draw(st.sets(st.integers(1, 5_000), max_size=2)) | {0})
        return tuple(
            Tier(Decimal(s), Decimal(draw(st.integers(low, 900))).scaleb(-4)) for s in starts
        )

    limit = draw(st.none() | st.integers(1, 3_000))
    return Terms(
        "ACT/365",
        tiers(-50),
        tiers(0),
        draw(st.sampled_from(["marginal", "whole"])),
        Money(Decimal(limit), "CNY") if limit is not None else None,
        Decimal(draw(st.integers(0, 2_000))).scaleb(-4) if limit is not None else None,
    )


@given(
    st.lists(
        st.tuples(
            _terms(),
            st.lists(st.tuples(st.integers(-20, 80), _terms()), max_size=3),
            st.lists(st.integers(-400_000, 400_000), min_size=70, max_size=70),
        ),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=40, deadline=None)
def test_one_pass_posts_every_row_as_the_reference_loop(
    rows: list[tuple[Terms, list[tuple[int, Terms]], list[int]]],
) -> None:
    """Rows with and without changes (several in one month, before and after the history)
    posted together in the one pass: each row as the reference loop posts it alone."""
    start = date(2025, 1, 20)
    terms = [
        _changed(first, *sorted({start + timedelta(days=d): t for d, t in changes}.items()))
        for first, changes, _ in rows
    ]
    series = [s for _, _, s in rows]
    starts, _ = posting_periods(start, 70)
    table = terms_table(terms, np.zeros(len(rows), dtype=np.int64), ["CNY"], start, 70)
    got = post(np.array(series, dtype=np.int64), table, starts)
    for i, (t, s) in enumerate(zip(terms, series, strict=True)):
        mine = list(
            zip(got.credit[i].tolist(), got.debit[i].tolist(), got.penalty[i].tolist(), strict=True)
        )
        assert mine == _reference(s, t, start)
