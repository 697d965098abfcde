"""The limb arithmetic agrees with Python's unbounded integers, including at the edges."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from cashmgmt.engine.exact import round_fraction, sum_products_div
from cashmgmt.money import round_half_away


def test_fractions_round_half_away_from_zero_by_hand() -> None:
    assert round_fraction(Fraction(-25, 10)) == -3 and round_fraction(Fraction(25, 10)) == 3
    assert round_fraction(Fraction(-1, 4)) == 0 and round_fraction(Fraction(7, 3)) == 2


Pairs = list[tuple[list[int], list[int]]]
Sample = tuple[Pairs, list[int]]


def oracle(terms: Pairs, d: list[int]) -> list[int]:
    return [round_half_away(sum(a[i] * b[i] for a, b in terms), d[i]) for i in range(len(d))]


sizes = st.integers(1, 6)


@st.composite
def cases(draw: st.DrawFn, a_bits: int, b_bits: int, d_bits: int) -> Sample:
    n = draw(sizes)
    k = draw(st.integers(1, 4))

    def ints(bits: int, lo: int) -> st.SearchStrategy[int]:
        return st.integers(lo, (1 << bits) - 1)

    terms = [
        (
            draw(st.lists(st.integers(-(1 << a_bits), 1 << a_bits), min_size=n, max_size=n)),
            draw(st.lists(st.integers(-(1 << b_bits), 1 << b_bits), min_size=n, max_size=n)),
        )
        for _ in range(k)
    ]
    d = draw(st.lists(ints(d_bits, 1), min_size=n, max_size=n))
    return terms, d


@given(cases(49, 31, 36))
def test_fast_path_is_exact_for_interest_sized_numbers(sample: Sample) -> None:
    terms, d = sample
    expected = oracle(terms, d)
    assume(all(abs(v) < 1 << 62 for v in expected))  # results must fit in int64
    got = sum_products_div([(np.array(a), np.array(b)) for a, b in terms], np.array(d))
    assert got.tolist() == expected


@given(cases(62, 40, 60))
def test_huge_numbers_fall_back_and_stay_exact(sample: Sample) -> None:
    terms, d = sample
    expected = oracle(terms, d)
    if all(abs(v) < 1 << 62 for v in expected):
        got = sum_products_div([(np.array(a), np.array(b)) for a, b in terms], np.array(d))
        assert got.tolist() == expected


@given(st.integers(-(1 << 48), 1 << 48), st.integers(1, 10**9), st.integers(10**6, 10**12))
def test_scalar_divisors_broadcast(a: int, b: int, d: int) -> None:
    got = sum_products_div([(np.array([a, -a]), b)], d)
    assert got.tolist() == [round_half_away(a * b, d), round_half_away(-a * b, d)]
