"""Tax on intercompany interest (docs/simulation.md, "Tax on intercompany interest"):
withholding tax and VAT on each posting, borne by the entity that receives the interest."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cashmgmt.engine.fx import DailyFx
from cashmgmt.engine.results import EntityTax, IntercompanyResult, TaxResult
from cashmgmt.model import Case
from cashmgmt.money import from_minor, round_tax
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
    (money.round_tax), converted to base at the posting day's rate, summed by receiver."""
    table = tax_table()
    n, periods = posted.shape
    local = np.zeros((2, n, periods), dtype=np.int64)  # withholding, VAT
    receivers: list[list[str]] = []
    for k, (first, second, _) in enumerate(pairs):
        countries = {e: case.entity(e).country for e in (first, second)}
        row = []
        for p, amount in enumerate(posted[k].tolist()):
            receiver, payer = (first, second) if amount >= 0 else (second, first)
            row.append(receiver)
            if amount == 0:
                continue
            wht = table.withholding(countries[payer], countries[receiver]).rate
            vat = table.vat(countries[receiver])
            local[0, k, p] = round_tax(abs(amount), wht)
            local[1, k, p] = round_tax(abs(amount), vat)
        receivers.append(row)
    currencies = [cur for _, _, cur in pairs]
    base = [fx.convert(local[i], currencies, posting_days).tolist() for i in (0, 1)]
    out: list[Borne] = []
    for k in range(n):
        borne: dict[str, list[int]] = {}
        for p, receiver in enumerate(receivers[k]):
            figures = borne.setdefault(receiver, [0, 0])
            figures[0] += base[0][k][p]
            figures[1] += base[1][k][p]
        out.append(tuple((e, w, v) for e, (w, v) in sorted(borne.items()) if w or v))
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
