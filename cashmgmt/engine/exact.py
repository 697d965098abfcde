"""Exact integer arithmetic on numpy arrays: round(Σ a·b / d) half away from zero.

Interest and FX conversion need products such as (sum of balances) × (rate × 10^8) that do
not fit in 64 bits. Splitting `a` into a high and a low limb keeps every partial product in
int64; the division then runs limb by limb, so the result is exact. Where the inputs are too
large even for that, the same sum is done with Python integers (slower, equally exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.kernels import LIMB, div_round
from cashmgmt.money import round_half_away

Int64Array = npt.NDArray[np.int64]
_LOW = (1 << LIMB) - 1
_MAX = 1 << 62


def round_fraction(value: Fraction) -> int:
    """A Fraction rounded half away from zero to an integer."""
    return round_half_away(value.numerator, value.denominator)


def _bound(array: npt.ArrayLike) -> int:
    values = np.asarray(array)
    return int(np.abs(values).max()) if values.size else 0


def sum_products_div(
    terms: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]], divisor: npt.ArrayLike
) -> Int64Array:
    """Elementwise round(Σ a_k·b_k / divisor), half away from zero, exactly.

    All arrays broadcast together; `divisor` is positive. Used for interest (a = sums of
    balances, b = rates × 10^8, divisor = basis × 10^8) and FX conversion.
    """
    d = np.asarray(divisor, dtype=np.int64)
    a_max = max((_bound(a) for a, _ in terms), default=0)
    b_max = max((_bound(b) for _, b in terms), default=0)
    n = max(len(terms), 1)
    d_min = int(d.min()) if d.size else 1
    if d_min <= 0:
        raise ValueError("divisor must be positive")
    if fits_one_term(a_max, b_max, _bound(d), d_min, n):
        return _fast(terms, d)
    return _slow(terms, d)


def fits_one_term(a_max: int, b_max: int, d_max: int, d_min: int, n: int = 1) -> bool:
    """Whether the fast path is exact for `n` terms with |a| <= a_max, 0 <= b <= b_max and
    d_min <= d <= d_max: |a>>LIMB|·b and (a&LOW)·b summed over the terms stay below 2^62,
    the carried remainder (< d) shifted by LIMB plus the low sum stays below 2^63, and the
    quotient keeps below 2^62."""
    high_ok = n * (a_max >> LIMB) * b_max < _MAX
    low_ok = n * _LOW * b_max < _MAX
    carry_ok = (d_max << LIMB) + n * _LOW * b_max < (1 << 63)
    quotient_ok = ((n * (a_max >> LIMB) * b_max) // d_min + 2) << LIMB < _MAX
    return high_ok and low_ok and carry_ok and quotient_ok


def _fast(terms: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]], d: Int64Array) -> Int64Array:
    arrays = [np.asarray(x, dtype=np.int64) for pair in terms for x in pair]
    *parts, divisor = np.broadcast_arrays(*arrays, d)
    shape = divisor.shape
    a = np.stack([p.ravel() for p in parts[0::2]]) if terms else np.zeros((0, divisor.size))
    b = np.stack([p.ravel() for p in parts[1::2]]) if terms else np.zeros((0, divisor.size))
    out = np.empty(divisor.size, dtype=np.int64)
    div_round(
        a.astype(np.int64, copy=False),
        b.astype(np.int64, copy=False),
        np.ascontiguousarray(divisor.ravel()),
        out,
    )
    return out.reshape(shape)


class BeyondInt64(ArithmeticError):
    """A result of sum_products_div too large for int64 (callers name the input at fault)."""


def _slow(terms: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]], d: Int64Array) -> Int64Array:
    total: object = 0
    for a, b in terms:
        total = total + np.asarray(a).astype(object) * np.asarray(b).astype(object)
    total_arr, d_arr = np.broadcast_arrays(np.asarray(total, dtype=object), d.astype(object))
    values = [
        round_half_away(int(t), int(q))
        for t, q in zip(total_arr.ravel(), d_arr.ravel(), strict=True)
    ]
    if any(abs(v) >= 1 << 63 for v in values):
        raise BeyondInt64("a result beyond int64")
    return np.array(values, dtype=np.int64).reshape(total_arr.shape)
