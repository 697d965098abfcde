"""Rate sensitivity (docs/simulation.md, "Rate sensitivity"): a structure's benefit per year
with every rate moved in parallel by a number of basis points.

`shifted(terms, bp)` is the one rule, over a `Terms`, that every shifted rate follows (account
tiers and penalty rates, pool terms; the intercompany rate by `shift_rate`). The benefit under
a shift re-posts interest on the balances the structure already swept: sweeps move money by
balances, never by rates, so they are run once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from weakref import WeakKeyDictionary

import attrs

from cashmgmt.engine.interest import post
from cashmgmt.engine.physical import SweepOutcome
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import ShiftResult
from cashmgmt.engine.totals import Side, to_base
from cashmgmt.model import (
    Case,
    IntercompanyChange,
    IntercompanyTerms,
    NotionalPool,
    Terms,
    TermsChange,
    Tier,
)
from cashmgmt.money import (
    MAX_RATE,
    MIN_RATE,
    RATE_DECIMALS,
    annualise,
    from_minor,
    to_minor,
)

#: The shifts every `cashmgmt simulate` reports, in basis points.
DEFAULT_SHIFTS = (-100, 100)
#: The largest shift asked for (±10 percentage points); the engine's rate range is the bound.
MAX_SHIFT_BP = 1000
#: Lowest rate a shift can give: just above -100% (money.RATE's open lower bound).
_LOWEST = MIN_RATE + Decimal(1).scaleb(-RATE_DECIMALS)


def shift_rate(rate: Decimal, bp: int) -> Decimal:
    """`rate` moved by `bp` basis points, with no floor at zero: a deposit rate may turn
    negative and so may a debit rate (a parallel shift of the terms as written; a contract's
    own floor is not modelled). Only the engine's rate range bounds it (above -100%, at most
    1000%)."""
    moved = rate + Decimal(bp).scaleb(-4)
    return min(max(moved, _LOWEST), MAX_RATE)


def shifted(terms: Terms, bp: int) -> Terms:
    """Terms with every rate moved by `bp` basis points: each credit and debit tier and a
    stated penalty rate (an unstated one follows the highest debit tier, shifted with it).
    Tier starts, limits, tiering and day count are kept; terms with no tiers stay without
    interest."""
    if bp == 0:
        return terms

    def move(tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        return tuple(Tier(t.start, shift_rate(t.rate, bp)) for t in tiers)

    penalty = terms.penalty_rate
    return attrs.evolve(
        terms,
        credit=move(terms.credit),
        debit=move(terms.debit),
        penalty_rate=None if penalty is None else shift_rate(penalty, bp),
        changes=tuple(TermsChange(c.start, shifted(c.terms, bp)) for c in terms.changes),
    )


def shifted_pool(pool: NotionalPool, bp: int) -> NotionalPool:
    """A notional pool on shifted terms: its own, each currency's in per-currency mode, and
    the offset rate."""
    per_currency = pool.currency_terms
    offset = pool.offset_rate
    return attrs.evolve(
        pool,
        terms=shifted(pool.terms, bp),
        currency_terms=None
        if per_currency is None
        else {code: shifted(terms, bp) for code, terms in per_currency.items()},
        offset_rate=None if offset is None else shift_rate(offset, bp),
    )


def shift_case(case: Case, bp: int) -> Case:
    """The case with every account's terms, every pool's terms and the intercompany rate
    shifted; accounts that shared one Terms object still share one."""
    memo: dict[int, tuple[Terms, Terms]] = {}

    def move(terms: Terms) -> Terms:
        if id(terms) not in memo:
            memo[id(terms)] = (terms, shifted(terms, bp))
        return memo[id(terms)][1]

    rate = case.intercompany_rate
    terms = case.intercompany
    return attrs.evolve(
        case,
        accounts=tuple(attrs.evolve(a, terms=move(a.terms)) for a in case.accounts),
        structures=tuple(
            shifted_pool(s, bp) if isinstance(s, NotionalPool) else s for s in case.structures
        ),
        intercompany_rate=None if rate is None else shift_rate(rate, bp),
        intercompany=None if terms is None else _shifted_intercompany(terms, bp),
    )


def _shifted_intercompany(terms: IntercompanyTerms, bp: int) -> IntercompanyTerms:
    """Intercompany terms with every currency's rate shifted, in every dated change too
    (spreads and day counts kept)."""
    return attrs.evolve(
        terms,
        rates={c: shift_rate(r, bp) for c, r in terms.rates.items()},
        changes=tuple(
            IntercompanyChange(c.start, _shifted_intercompany(c.terms, bp)) for c in terms.changes
        ),
    )


_SHIFTED: WeakKeyDictionary[Replay, dict[int, Replay]] = WeakKeyDictionary()


def shifted_replay(replay: Replay, bp: int) -> Replay:
    """The replay of the shifted case (its status quo posted once per shift), sharing the
    original's FX and posting periods."""
    held = _SHIFTED.setdefault(replay, {})
    if bp not in held:
        other = Replay(shift_case(replay.case, bp))
        other.__dict__["fx"] = replay.fx
        other.__dict__["periods"] = replay.periods
        held[bp] = other
    return held[bp]


def reposted(replay: Replay, swept: SweepOutcome) -> Side:
    """Every account's interest with the structure's accounts posted on their swept balances
    under `replay`'s terms (the others keep the status quo's)."""
    rows = swept.rows
    index = replay.index
    postings = post(swept.closing, replay.table.take(rows), replay.starts, reuse=True)
    moved = to_base(
        replay.fx, postings, index.currency[rows], index.currencies, replay.posting_days
    )
    side = replay.baseline.side.copy()
    side.credit[rows] = moved.credit
    side.debit[rows] = moved.debit
    side.penalty[rows] = moved.penalty
    return side


def _net(side: Side) -> int:
    return int(side.credit.sum()) - int(side.debit.sum()) - int(side.penalty.sum())


def sensitivity(
    replay: Replay,
    fees: Decimal,
    setup: Decimal,
    contract_months: int,
    shifts: Sequence[int],
    structure_side: Callable[[Replay, int], tuple[Side, int]],
) -> tuple[ShiftResult, ...]:
    """The benefit per year under each shift: the structure's side and its tax on
    intercompany interest (base minor units) from `structure_side` (given the shifted replay
    and the shift) against the shifted status quo, less the same fees, annualised as the
    unshifted benefit is (money.annualise)."""
    case = replay.case
    code = case.base_currency
    out = []
    for bp in shifts:
        if not isinstance(bp, int) or abs(bp) > MAX_SHIFT_BP:
            raise ValueError(f"a shift is a whole number of basis points up to {MAX_SHIFT_BP}")
        held = shifted_replay(replay, bp)
        side, tax = structure_side(held, bp)
        benefit = _net(side) - _net(held.baseline.side) - to_minor(fees, code) - tax
        annual = annualise(benefit, to_minor(setup, code), case.balances.days, contract_months)
        out.append(ShiftResult(bp, from_minor(annual, code)))
    return tuple(out)
