"""FX rates as exact integer arrays per day, and conversions rounded half away from zero."""

from __future__ import annotations

import operator
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import BeyondInt64, fits_one_term, sum_products_div
from cashmgmt.engine.kernels import PEAK, convert_rows, largest_converted, sums_converted
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case, NotionalPool
from cashmgmt.money import exponent, from_minor

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class DailyFx:
    """For each currency, the rate in force on each day of the history, as integers of
    10^-scale units of the base currency per unit."""

    base: str
    scale: int
    rates: dict[str, Int64Array]
    source: str = "case"  # the case file, named in a problem
    #: Conversion tables made on first use (never part of the value).
    _made: dict[tuple[tuple[str, ...], str], tuple[Int64Array, Int64Array]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, alias="_made"
    )

    def convert(
        self,
        amounts: Int64Array,
        currencies: Sequence[str],
        days: Int64Array,
        to: str | None = None,
    ) -> Int64Array:
        """Convert a (rows × k) matrix of minor units, row i in currencies[i], at the rates of
        `days` (k day indexes, or rows × k), into `to` (default: base) minor units."""
        target = to or self.base
        if set(currencies) <= {target}:
            return amounts.copy()
        if days.ndim == 1 and amounts.ndim == 2:
            fast = self._convert_rows(amounts, currencies, days, target)
            if fast is not None:
                return fast
        codes, code = _codes(currencies)
        mult_table, div_table = self._tables(codes, target)
        pick = days if days.ndim == 2 else days[None, :]
        mult = mult_table[code[:, None], pick]
        div = div_table[code[:, None], pick]
        try:
            result = sum_products_div([(amounts, mult)], div)
        except BeyondInt64:
            result = None
        if result is None or (result.size and int(np.abs(result).max()) >= PEAK):
            raise self._beyond(target, currencies, result)
        return result

    def row_sums(
        self,
        matrices: Sequence[Int64Array],
        code: Int64Array,
        names: Sequence[str],
        days: Int64Array,
    ) -> list[Int64Array] | None:
        """Each row of each matrix (row i in names[code[i]]) converted into the base currency
        at the rates of `days` and summed: `convert(...).sum(axis=1)`, in one compiled pass
        per matrix without the converted matrix (rows in the base currency are summed as
        they are). None where the one-pass bounds do not hold or a converted amount reaches
        the engine's range: `convert` then decides, and names the problem."""
        foreign = tuple(c for c in (names[k] for k in np.unique(code).tolist()) if c != self.base)
        if not foreign:
            return [m.sum(axis=1) for m in matrices]
        position = np.full(len(names), -1, dtype=np.int64)
        position[[names.index(c) for c in foreign]] = np.arange(len(foreign))
        row_code = position[code]
        mult, div = self._tables(foreign, self.base)
        b_max, d_max, d_min = int(mult.max()), int(div.max()), int(div.min())
        at = np.ascontiguousarray(days, dtype=np.int64)
        found = []
        for matrix in matrices:
            a = np.ascontiguousarray(matrix, dtype=np.int64)
            a_max = largest_converted(a, row_code)
            if d_min <= 0 or not fits_one_term(a_max, b_max, d_max, d_min):
                return None
            out = np.empty(a.shape[0], dtype=np.int64)
            if sums_converted(a, row_code, mult, div, at, out) >= PEAK:
                return None
            found.append(out)
        return found

    def _tables(self, codes: tuple[str, ...], target: str) -> tuple[Int64Array, Int64Array]:
        """Per code and day, the multiplier and divisor converting it into `target` (1 and 1
        for `target` itself), made once: each amount is multiplied by its currency's rate
        and divided by the target's, scaled by the difference of their minor units."""
        key = (codes, target)
        if key not in self._made:
            days = self.rates[target].size
            mult = np.ones((len(codes), days), dtype=np.int64)
            div = np.ones((len(codes), days), dtype=np.int64)
            e_to = exponent(target)
            for k, cur in enumerate(codes):
                if cur != target:
                    e_from = exponent(cur)
                    mult[k] = self.rates[cur] * 10 ** max(e_to - e_from, 0)
                    div[k] = self.rates[target] * 10 ** max(e_from - e_to, 0)
            self._made[key] = (mult, div)
        return self._made[key]

    def _convert_rows(
        self, amounts: Int64Array, currencies: Sequence[str], days: Int64Array, target: str
    ) -> Int64Array | None:
        """`convert` for one day index per column, in one compiled pass over the amounts
        (kernels.convert_rows) with the same exact rounding; None where the bounds of
        exact.sum_products_div's fast path do not hold (the general path then decides)."""
        codes, code = _codes(currencies)
        mult, div = self._tables(codes, target)
        a = np.ascontiguousarray(amounts, dtype=np.int64)
        a_max = int(np.abs(a).max()) if a.size else 0
        b_max, d_max, d_min = int(mult.max()), int(div.max()), int(div.min())
        if d_min <= 0 or not fits_one_term(a_max, b_max, d_max, d_min):
            return None
        out = np.empty_like(a)
        convert_rows(a, code, mult, div, np.ascontiguousarray(days, dtype=np.int64), out)
        if out.size and int(np.abs(out).max()) >= PEAK:
            raise self._beyond(target, currencies, out)
        return out

    def _beyond(
        self, target: str, currencies: Sequence[str], result: Int64Array | None
    ) -> SimulationError:
        """The located problem of a conversion beyond the engine's exact range."""
        codes = sorted(set(currencies) - {target})
        if result is not None and result.ndim > 1:  # name only the rows beyond the range
            rows = np.flatnonzero(np.abs(result).max(axis=-1) >= PEAK).tolist()
            codes = sorted({currencies[i] for i in rows} - {target}) or codes
        limit = format(from_minor(PEAK, target), ",f")
        return SimulationError(
            [
                Problem(
                    self.source,
                    "fx_rates",
                    f"expected {', '.join(codes)} amounts that stay below {limit} {target} "
                    f"either way once converted at the FX rates, the range the engine "
                    "computes exactly",
                )
            ]
        )


def daily_fx(case: Case) -> DailyFx:
    """Every currency's rate on every day of the history (the base currency's is 1)."""
    history = case.balances
    currencies = set(map(operator.attrgetter("currency"), case.accounts)) | {
        s.currency for s in case.structures if isinstance(s, NotionalPool)
    }
    points = [
        rate
        for code in currencies
        if code != case.base_currency
        for _, rate in case.fx.series.get(code, ())
    ]
    scale = max((-int(r.as_tuple().exponent) for r in points), default=0)
    scale = max(scale, 0)
    rates: dict[str, Int64Array] = {
        case.base_currency: np.full(history.days, 10**scale, dtype=np.int64)
    }
    for code in sorted(currencies - {case.base_currency}):
        series = np.zeros(history.days, dtype=np.int64)
        # Each point holds from the first day on or after its date that the points before
        # it have reached (the points are in date order; a point out of order takes effect
        # only from its predecessor's day), until the next point: a slice per point, not a
        # Python step per day.
        reached = 0
        dated = False  # whether the first day has a rate
        for day, rate in case.fx.series.get(code, ()):
            reached = max(reached, (day - history.start).days)
            dated = dated or reached == 0
            if not dated or reached >= history.days:
                break
            series[reached:] = int(rate.scaleb(scale))
        if history.days and not dated:
            raise ValueError(f"no {code} rate on or before {history.start}")
        rates[code] = series
    return DailyFx(case.base_currency, scale, rates, case.source or "case")


def _codes(currencies: Sequence[str]) -> tuple[tuple[str, ...], Int64Array]:
    """The distinct currencies in order, and each row's position among them."""
    codes = tuple(sorted(set(currencies)))
    code = np.searchsorted(np.array(codes), np.asarray(currencies)).astype(np.int64)
    return codes, code
