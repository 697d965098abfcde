"""Interest per account in the base currency and daily totals per currency, shared by the
status quo and every structure."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.interest import Postings
from cashmgmt.engine.kernels import Totals, aggregate

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class Side:
    """Per-account interest of one side in base minor units: (accounts,) arrays."""

    credit: Int64Array
    debit: Int64Array
    penalty: Int64Array

    def copy(self) -> Side:
        """The same figures in arrays of its own."""
        return Side(self.credit.copy(), self.debit.copy(), self.penalty.copy())


@attrs.frozen
class Aggregates:
    """Per-currency daily totals of a set of rows, additive over rows."""

    total: dict[str, Int64Array]
    debit: dict[str, Int64Array]
    credit: dict[str, Int64Array]
    negative_count: Int64Array


def to_base(
    fx: DailyFx, p: Postings, codes: Int64Array, names: Sequence[str], days: Int64Array
) -> Side:
    """Each row's postings in base minor units, summed (row i in currency names[codes[i]]):
    rows in the base currency are summed as they are, the others converted on their posting
    days first. Each side is converted and summed in one compiled pass
    (`DailyFx.row_sums`); where its bounds do not hold, the three sides go side by side
    through the general conversion, which also names a problem beyond the engine's range."""
    sides = (p.credit, p.debit, p.penalty)
    codes = np.asarray(codes, dtype=np.int64)
    found = fx.row_sums(sides, codes, names, days)
    if found is not None:
        return Side(*found)
    sums = [s.sum(axis=1) for s in sides]
    foreign = np.flatnonzero(codes != (names.index(fx.base) if fx.base in names else -1))
    if foreign.size:
        n = days.size
        converted = fx.convert(
            np.hstack([s[foreign] for s in sides]),
            [names[c] for c in codes[foreign].tolist()],
            np.tile(days, 3),
        )
        for k, total in enumerate(sums):
            total[foreign] = converted[:, k * n : (k + 1) * n].sum(axis=1)
    return Side(*sums)


def aggregates(
    matrix: Int64Array, rows: Int64Array, index: AccountIndex, history_rows: Int64Array
) -> Aggregates:
    """Daily totals per currency of `rows` of `matrix`, which hold the accounts of
    `history_rows`."""
    names = index.currencies
    found = aggregate(np.ascontiguousarray(matrix), rows, index.currency[history_rows], len(names))
    return aggregates_of(found, names)


def aggregates_of(found: Totals, names: Sequence[str]) -> Aggregates:
    """Aggregates from the kernels' (total, credit, negative count) per currency code and
    day (`kernels.aggregate`, `interest.post_with_totals`), currency i being names[i]."""
    total, credit, negative = found
    debit = total - credit
    return Aggregates(
        {c: total[i] for i, c in enumerate(names)},
        {c: debit[i] for i, c in enumerate(names)},
        {c: credit[i] for i, c in enumerate(names)},
        negative,
    )


def combine(a: Aggregates, plus: Aggregates, minus: Aggregates | None = None) -> Aggregates:
    """a + plus - minus, currency by currency (minus's currencies are a's)."""

    def merge(
        x: dict[str, Int64Array], y: dict[str, Int64Array], z: dict[str, Int64Array]
    ) -> dict[str, Int64Array]:
        out = {k: v.copy() for k, v in x.items()}
        for k, v in z.items():
            out[k] = out[k] - v
        for k, v in y.items():
            out[k] = out[k] + v if k in out else v.copy()
        return out

    less = minus or Aggregates({}, {}, {}, np.zeros_like(a.negative_count))
    return Aggregates(
        merge(a.total, plus.total, less.total),
        merge(a.debit, plus.debit, less.debit),
        merge(a.credit, plus.credit, less.credit),
        a.negative_count + plus.negative_count - less.negative_count,
    )
