"""FX conversion: the compiled one-pass path against the general exact path (the same rule:
each amount times the day's rate, divided, rounded half away from zero)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cashmgmt.engine.exact import BeyondInt64, sum_products_div
from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.kernels import PEAK
from cashmgmt.errors import SimulationError

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
