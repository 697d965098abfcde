"""Tax on intercompany interest (docs/simulation.md, "Tax on intercompany interest"):
withholding tax and VAT on each posting, borne by the entity that receives the interest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.results import EntityTax, IntercompanyResult, TaxResult
from cashmgmt.model import Case
from cashmgmt.money import from_minor, round_tax_array
from cashmgmt.reference.tax import tax_table

Int64Array = npt.NDArray[np.int64]
#: One position's tax by the entity that bears it: (entity, withholding, VAT), base minor units.
Borne = tuple[tuple[str, int, int], ...]


def position_tax(
    case: Case,
    fx: DailyFx,
    pairs: Sequence[tuple[str, str, str]],
    posted: Int64Array,
    posting_days: Int64Array,
) -> list[Borne]:
    """Per pair (first, second, currency), from its interest posted each period (local minor
    units, > 0 received by the first entity): withholding at the payer country's rate for the
    receiver's country and VAT at the receiver country's rate, each rounded per posting
    (money.round_tax, in its array form: one call per distinct rate), converted to base at
    the posting day's rate, summed by receiver."""
    table = tax_table()
    n = len(pairs)
    country = {e.id: e.country for e in case.entities}
    # Each pair's two directions: 0 while the first entity receives (posted >= 0), 1 while
    # the second does; each direction's (withholding, VAT) rates, looked up once per
    # (payer country, receiver country).
    looked: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    rate_code: dict[Decimal, int] = {}
    codes = np.zeros((2, 2, n), dtype=np.int64)  # (tax, direction, pair) -> rate code
    for k, (first, second, _) in enumerate(pairs):
        for direction, (payer, receiver) in enumerate(((second, first), (first, second))):
            key = (country[payer], country[receiver])
            if key not in looked:
                looked[key] = (table.withholding(*key).rate, table.vat(key[1]))
            for tax, rate in enumerate(looked[key]):
                codes[tax, direction, k] = rate_code.setdefault(rate, len(rate_code))
    rates = list(rate_code)
    first_receives = posted >= 0
    size = np.abs(posted)
    currencies = [cur for _, _, cur in pairs]
    borne = np.zeros((2, 2, n), dtype=np.int64)  # (tax, direction, pair) in base units
    for tax in (0, 1):
        code = np.where(first_receives, codes[tax, 0][:, None], codes[tax, 1][:, None])
        local = np.zeros(posted.shape, dtype=np.int64)
        for c, rate in enumerate(rates):
            chosen = code == c
            if rate and chosen.any():
                local[chosen] = round_tax_array(size[chosen], rate)
        base = fx.convert(local, currencies, posting_days)
        borne[tax, 0] = np.where(first_receives, base, 0).sum(axis=1)
        borne[tax, 1] = np.where(first_receives, 0, base).sum(axis=1)
    out: list[Borne] = []
    for k, (w_first, w_second, v_first, v_second) in enumerate(
        zip(*(borne[t, d].tolist() for t in (0, 1) for d in (0, 1)), strict=True)
    ):
        first, second, _ = pairs[k]
        figures: dict[str, list[int]] = {first: [w_first, v_first]}
        figures.setdefault(second, [0, 0])
        figures[second][0] += w_second
        figures[second][1] += v_second
        out.append(tuple((e, w, v) for e, (w, v) in sorted(figures.items()) if w or v))
    return out


def tax_result(code: str, intercompany: Sequence[IntercompanyResult]) -> TaxResult:
    """The structure's tax leakage per entity that bears it, and in total (base currency)."""
    by_entity: dict[str, list[int]] = {}
    for position in intercompany:
        for entity, wht, vat in position.tax_borne:
            figures = by_entity.setdefault(entity, [0, 0])
            figures[0] += wht
            figures[1] += vat
    entities = tuple(
        EntityTax(e, from_minor(w, code), from_minor(v, code))
        for e, (w, v) in sorted(by_entity.items())
    )
    return TaxResult(entities)
