"""FX conversion: the compiled one-pass path against the general exact path (the same rule:
each amount times the day's rate, divided, rounded half away from zero)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cashmgmt.engine.exact import BeyondInt64, sum_products_div
from cashmgmt.engine.fx import DailyFx, daily_fx
from cashmgmt.engine.interest import Postings
from cashmgmt.engine.kernels import PEAK
from cashmgmt.engine.totals import to_base
from cashmgmt.errors import SimulationError
from cashmgmt.model import Account, BalanceHistory, Case, Client, Entity, FxRates
from cashmgmt.money import Money

CURRENCIES = ("CNY", "USD", "JPY", "KWD")  # minor units 2, 2, 0, 3


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 9),
    st.data(),
)
def test_one_pass_conversion_equals_the_general_path(
    rows: int, days: int, data: st.DataObject
) -> None:
    """Random amounts (up to ±10^12 minor units), rates (1 to 10^10 at scale 8) and
    currencies, converted into each currency: the result of DailyFx.convert (which takes the
    compiled path) equals round(amount × mult / div) computed by exact.sum_products_div from
    the same rate matrices the general path builds."""
    scale = 8
    rates = {
        c: np.array(
            data.draw(st.lists(st.integers(1, 10**10), min_size=days, max_size=days)),
            dtype=np.int64,
        )
        for c in CURRENCIES
    }
    base = data.draw(st.sampled_from(CURRENCIES))
    rates[base] = np.full(days, 10**scale, dtype=np.int64)
    fx = DailyFx(base, scale, rates)
    currencies = data.draw(st.lists(st.sampled_from(CURRENCIES), min_size=rows, max_size=rows))
    k = data.draw(st.integers(1, 5))
    picked = np.array(data.draw(st.lists(st.integers(0, days - 1), min_size=k, max_size=k)))
    amounts = np.array(
        data.draw(
            st.lists(
                st.lists(st.integers(-(10**12), 10**12), min_size=k, max_size=k),
                min_size=rows,
                max_size=rows,
            )
        ),
        dtype=np.int64,
    )
    target = data.draw(st.sampled_from(CURRENCIES))
    exponent = {"CNY": 2, "USD": 2, "JPY": 0, "KWD": 3}
    mult = np.ones((rows, k), dtype=np.int64)
    div = np.ones((rows, k), dtype=np.int64)
    for i, cur in enumerate(currencies):
        if cur != target:
            e_from, e_to = exponent[cur], exponent[target]
            mult[i] = rates[cur][picked] * 10 ** max(e_to - e_from, 0)
            div[i] = rates[target][picked] * 10 ** max(e_from - e_to, 0)
    try:
        want: np.ndarray | None = sum_products_div([(amounts, mult)], div)
    except BeyondInt64:
        want = None
    if want is None or (want.size and int(np.abs(want).max()) >= PEAK):
        with pytest.raises(SimulationError):  # beyond the engine's exact range, either way
            fx.convert(amounts, currencies, picked, to=target)
        return
    assert np.array_equal(fx.convert(amounts, currencies, picked, to=target), want)


def _half_away(numerator: int, divisor: int) -> int:
    """numerator / divisor rounded half away from zero, with Python integers."""
    q, r = divmod(abs(numerator), divisor)
    q += 2 * r >= divisor
    return q if numerator >= 0 else -q


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 9), st.data())
def test_posted_interest_in_base_is_the_sum_of_each_posting_converted(
    rows: int, days: int, data: st.DataObject
) -> None:
    """totals.to_base (one compiled pass per side, DailyFx.row_sums) against Python
    integers: each row's postings, each converted on its posting day at round(amount × mult
    / div) half away from zero (the rows in the base currency as they are), then summed; or
    SimulationError where a converted posting reaches the engine's range. Amounts up to
    ±2^60 also take the general path, where the one-pass bounds do not hold."""
    exponent = {"CNY": 2, "USD": 2, "JPY": 0, "KWD": 3}
    scale = 8
    base = data.draw(st.sampled_from(CURRENCIES))
    rates = {
        c: np.array(
            data.draw(st.lists(st.integers(1, 10**10), min_size=days, max_size=days)),
            dtype=np.int64,
        )
        for c in CURRENCIES
    }
    rates[base] = np.full(days, 10**scale, dtype=np.int64)
    fx = DailyFx(base, scale, rates)
    names = data.draw(st.permutations(CURRENCIES))
    codes = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=rows, max_size=rows)), dtype=np.int64
    )
    k = data.draw(st.integers(1, 5))
    posting_days = np.array(
        data.draw(st.lists(st.integers(0, days - 1), min_size=k, max_size=k)), dtype=np.int64
    )
    size = data.draw(st.sampled_from([10**6, 10**12, 2**60]))
    amount = st.lists(st.integers(-size, size), min_size=k, max_size=k)
    sides = [
        np.array(data.draw(st.lists(amount, min_size=rows, max_size=rows)), dtype=np.int64)
        for _ in range(3)
    ]
    want: list[list[int]] = []
    beyond = False
    for side in sides:
        sums = []
        for i in range(rows):
            cur = names[int(codes[i])]
            if cur == base:
                sums.append(sum(int(a) for a in side[i]))
                continue
            e_from, e_to = exponent[cur], exponent[base]
            converted = [
                _half_away(
                    int(a) * int(rates[cur][d]) * 10 ** max(e_to - e_from, 0),
                    int(rates[base][d]) * 10 ** max(e_from - e_to, 0),
                )
                for a, d in zip(side[i].tolist(), posting_days.tolist(), strict=True)
            ]
            beyond |= any(abs(v) >= PEAK for v in converted)
            sums.append(sum(converted))
        want.append(sums)
    postings = Postings(*sides)
    if beyond:
        with pytest.raises(SimulationError):
            to_base(fx, postings, codes, names, posting_days)
        return
    got = to_base(fx, postings, codes, names, posting_days)
    assert [got.credit.tolist(), got.debit.tolist(), got.penalty.tolist()] == want


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 40),
    st.lists(
        st.tuples(st.integers(-10, 50), st.decimals("0.000001", "1000000", places=6)),
        max_size=6,
    ),
    st.booleans(),
)
def test_daily_rates_are_the_rates_in_force_each_day(
    days: int, points: list[tuple[int, Decimal]], in_order: bool
) -> None:
    """daily_fx (a slice per rate point) against the model's own rule, FxRates.rate (the
    latest rate given on or before the day), day by day: every day's rate scaled to
    integers, or ValueError when the first day has no rate. Points are in date order as the
    loader gives them, or as drawn."""
    start = date(2025, 1, 1)
    dated = [(start + timedelta(days=d), r) for d, r in points]
    series = tuple(sorted(dated, key=lambda p: p[0]) if in_order else dated)
    fx_rates = FxRates("CNY", {"USD": series})
    history = BalanceHistory(
        start, ("A", "B"), np.zeros((2, days), dtype=np.int64), np.ones((2, days), dtype=bool)
    )
    case = Case(
        Client("Group", "Test", "CN", Money(Decimal(1), "CNY")),
        "CNY",
        (Entity("E", "Entity", "CN"),),
        (Account("A", "E", "Bank", "CN", "CNY"), Account("B", "E", "Bank", "US", "USD")),
        history,
        fx_rates,
    )
    scale = max([-int(r.as_tuple().exponent) for _, r in series] + [0])
    if not in_order:
        # The loop the slices replace: each day takes the points reached so far, in order.
        want: list[int] = []
        k, current = 0, None
        for d in range(days):
            while k < len(series) and series[k][0] <= start + timedelta(days=d):
                current = series[k][1]
                k += 1
            if current is None:
                with pytest.raises(ValueError, match="no USD rate on or before"):
                    daily_fx(case)
                return
            want.append(int(current.scaleb(scale)))
        assert daily_fx(case).rates["USD"].tolist() == want
        return
    try:
        want = [
            int(fx_rates.rate("USD", start + timedelta(days=d)).scaleb(scale)) for d in range(days)
        ]
    except KeyError:
        with pytest.raises(ValueError, match="no USD rate on or before"):
            daily_fx(case)
        return
    got = daily_fx(case)
    assert got.rates["USD"].tolist() == want
    assert got.rates["CNY"].tolist() == [10**scale] * days
