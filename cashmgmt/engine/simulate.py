"""simulate(case, structure_id): a structure against the status quo (docs/simulation.md)."""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.engine.exact import round_fraction, sum_products_div
from cashmgmt.engine.fx import DailyFx, daily_fx
from cashmgmt.engine.interest import (
    RATE_SCALE,
    BeyondRange,
    Postings,
    TermsTable,
    post,
    posting_periods,
    rate_units,
    terms_table,
)
from cashmgmt.engine.kernels import PEAK, aggregate, positions
from cashmgmt.engine.physical import AccountIndex, SweepOutcome, run_sweeps
from cashmgmt.engine.results import (
    AccountTable,
    EntityResult,
    FeeResult,
    IntercompanyResult,
    Interest,
    Liquidity,
    SimulationResult,
)
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.model import Case, Fees, HybridStructure, NotionalPool, PhysicalStructure
from cashmgmt.money import Money, exponent, from_minor, round_half_away, round_money

Int64Array = npt.NDArray[np.int64]


@attrs.frozen
class Side:
    """Per-account interest of one side in base minor units: (accounts,) arrays."""

    credit: Int64Array
    debit: Int64Array
    penalty: Int64Array


@attrs.frozen
class Aggregates:
    """Per-currency daily totals of a set of rows, additive over rows."""

    total: dict[str, Int64Array]
    debit: dict[str, Int64Array]
    credit: dict[str, Int64Array]
    negative_count: Int64Array


@attrs.frozen
class Baseline:
    """The status quo, computed once per case and shared by every structure."""

    fx: DailyFx
    starts: Int64Array
    posting_days: Int64Array
    table: TermsTable
    side: Side
    aggregates: Aggregates
    index: AccountIndex
    last: Int64Array  # each history row's balance on the last day


def _to_base(
    fx: DailyFx, p: Postings, codes: Int64Array, names: Sequence[str], days: Int64Array
) -> Side:
    """Each row's postings in base minor units, summed (row i in currency names[codes[i]]):
    rows in the base currency are summed as they are, the others converted on their posting
    days first (credit, debit and penalty side by side in one conversion)."""
    sides = (p.credit, p.debit, p.penalty)
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


def _aggregates(
    matrix: Int64Array, rows: Int64Array, index: AccountIndex, history_rows: Int64Array
) -> Aggregates:
    """Daily totals per currency of `rows` of `matrix`, which hold the accounts of
    `history_rows`."""
    names = index.currencies
    total, credit, negative = aggregate(
        np.ascontiguousarray(matrix), rows, index.currency[history_rows], len(names)
    )
    debit = total - credit
    return Aggregates(
        {c: total[i] for i, c in enumerate(names)},
        {c: debit[i] for i, c in enumerate(names)},
        {c: credit[i] for i, c in enumerate(names)},
        negative,
    )


def _combine(a: Aggregates, plus: Aggregates, minus: Aggregates | None = None) -> Aggregates:
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


@contextmanager
def _in_range(case: Case, account_of: Callable[[int], str], structure: str = "") -> Iterator[None]:
    """Turn a balance beyond the engine's exact range into a located problem (`account_of`
    names the account of a row of the matrix posted)."""
    try:
        yield
    except BeyondRange as exc:
        account = account_of(exc.row)
        code = case.account(account).currency
        limit = format(from_minor(PEAK, code), ",f")
        under = f" under structure {structure}" if structure else ""
        raise SimulationError(
            [
                Problem(
                    case.source or "case",
                    f"balances: {account}",
                    f"expected daily balances{under} below {limit} {code} either way, the "
                    "range the engine computes interest in exactly",
                )
            ]
        ) from exc


_THREAD = threading.local()


def _scratch(shape: tuple[int, int]) -> Int64Array:
    """A matrix for a structure's closing balances in memory this thread reuses: the result
    keeps none of it (copies of rows and of the last day only), and fresh memory would cost
    the sweep kernel a page fault per 4 KiB."""
    size = shape[0] * shape[1]
    buffer: Int64Array | None = getattr(_THREAD, "closing", None)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=np.int64)
        _THREAD.closing = buffer
    matrix: Int64Array = buffer[:size].reshape(shape)
    return matrix


def baseline(case: Case) -> Baseline:
    """The status quo's interest and liquidity (cached on the case)."""
    memo = case._index
    cached = memo.get("engine:baseline")
    if isinstance(cached, Baseline):
        return cached
    history = case.balances
    fx = daily_fx(case)
    starts, posting_days = posting_periods(history.start, history.days)
    accounts = case.accounts
    if tuple(map(operator.attrgetter("id"), accounts)) != history.accounts:
        by_id = {a.id: a for a in case.accounts}
        accounts = tuple(by_id[a] for a in history.accounts)
    index = AccountIndex.of(accounts, history.accounts, [e.id for e in case.entities])
    table = terms_table(index.terms, index.currency, index.currencies)
    with _in_range(case, history.accounts.__getitem__):
        postings = post(history.minor, table, starts)
    every = np.arange(len(history.accounts))
    result = Baseline(
        fx,
        starts,
        posting_days,
        table,
        _to_base(fx, postings, index.currency, index.currencies, posting_days),
        _aggregates(history.minor, every, index, every),
        index,
        history.minor[:, -1].copy(),
    )
    memo["engine:baseline"] = result
    return result


def _liquidity(
    fx: DailyFx, agg: Aggregates, excluded_credit: Aggregates
) -> tuple[Liquidity, Int64Array]:
    days = agg.negative_count.size
    every_day = np.arange(days)

    def in_base(series: dict[str, Int64Array]) -> Int64Array:
        codes = sorted(series)
        if not codes:
            return np.zeros(days, dtype=np.int64)
        stacked = np.stack([series[c] for c in codes])
        converted: Int64Array = fx.convert(stacked, codes, every_day).sum(axis=0)
        return converted

    total = in_base(agg.total)
    debit = in_base(agg.debit)
    outside = excluded_credit.credit
    idle = in_base({c: v - outside[c] if c in outside else v for c, v in agg.credit.items()})
    base = fx.base

    def money(minor: int) -> Decimal:
        return from_minor(minor, base)

    return Liquidity(
        net_position_average=money(round_half_away(int(total.sum()), days)),
        net_position_closing=money(int(total[-1])),
        peak_debit=money(int(-debit.min()) if days else 0),
        overdraft_days=int((agg.negative_count > 0).sum()),
        average_idle_credit=money(round_half_away(int(idle.sum()), days)),
    ), total


def _fees(case: Case, fees: Fees, sweeps: int, accounts: int, months: int) -> FeeResult:
    end = case.balances.end

    def base(fee: Money | None, count: int) -> Decimal:
        if fee is None or count == 0:
            return from_minor(0, case.base_currency)
        rate = case.fx.rate(fee.currency, end) if fee.currency != case.base_currency else 1
        return round_money(fee.amount * count * rate, case.base_currency)

    return FeeResult(
        per_sweep=base(fees.per_sweep, sweeps),
        per_account_month=base(fees.per_account_month, accounts * months),
        setup=base(fees.setup, 1),
        sweeps=sweeps,
    )


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` by integer weights: each share rounded half away from zero, then the
    difference settled by largest remainder (ties to the earlier member)."""
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * len(weights), len(weights)
    exact = [Fraction(total * w, whole) for w in weights]
    shares = [round_fraction(x) for x in exact]
    diff = total - sum(shares)
    step = 1 if diff > 0 else -1
    remainders = [x - s for x, s in zip(exact, shares, strict=True)]
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i] * step, i))
    for i in order[: abs(diff)]:
        shares[i] += step
    return shares


def simulate(case: Case, structure_id: str) -> SimulationResult:
    """Replay the case's history through one of its structures and compare with the baseline."""
    return simulate_structure(case, case.structure(structure_id))


def simulate_structure(
    case: Case, structure: PhysicalStructure | NotionalPool | HybridStructure
) -> SimulationResult:
    """Replay the history through any structure over the case's accounts (the design phase's
    own candidates too); the status quo is computed once per case. A hybrid runs its sweeps
    first, then nets its pool's members on their balances after the sweeps."""
    base = baseline(case)
    history = case.balances
    fx = base.fx
    row_of = base.index.row_of
    months = int(base.starts.size)
    structure_side = Side(base.side.credit.copy(), base.side.debit.copy(), base.side.penalty.copy())
    closing = base.last.copy()
    intercompany: list[IntercompanyResult] = []
    ic_by_entity: dict[str, int] = {}
    if isinstance(structure, HybridStructure):
        physical: PhysicalStructure | None = structure.physical
        pool: NotionalPool | None = structure.pool
    elif isinstance(structure, PhysicalStructure):
        physical, pool = structure, None
    else:
        physical, pool = None, structure
    fees = FeeResult(*(from_minor(0, case.base_currency),) * 3, sweeps=0)
    tops: list[str] = []
    structure_agg = base.aggregates
    swept: dict[str, int] = {}
    if physical is not None:
        outcome = run_sweeps(physical, history.minor, base.index, history.start, scratch=_scratch)
        rows = outcome.rows
        table = base.table.take(rows)
        index = base.index
        with _in_range(case, lambda row: index.ids[rows[row]], structure.id):
            postings = post(outcome.closing, table, base.starts)
        side = _to_base(fx, postings, index.currency[rows], index.currencies, base.posting_days)
        structure_side.credit[rows] = side.credit
        structure_side.debit[rows] = side.debit
        structure_side.penalty[rows] = side.penalty
        closing[rows] = outcome.closing[:, -1]
        intercompany, ic_by_entity = _intercompany(case, outcome, base)
        fees = _fees(case, physical.fees, outcome.sweeps, rows.size, months)
        tops = list(map(index.ids.__getitem__, rows[outcome.tops].tolist()))
        changed = _aggregates(outcome.closing, np.arange(rows.size), index, rows)
        inside = np.zeros(len(history.accounts), dtype=np.bool_)
        inside[rows] = True
        outside = np.flatnonzero(~inside)
        if outside.size < len(rows):  # fewer rows to add than to take away
            others = _aggregates(history.minor, outside, index, outside)
            structure_agg = _combine(others, changed)
        else:
            before = _aggregates(history.minor, rows, index, rows)
            structure_agg = _combine(base.aggregates, changed, before)
    if pool is not None:
        if physical is not None:
            swept = {a: i for i, a in enumerate(outcome.accounts)}
        balances = np.stack(
            [
                outcome.closing[swept[a]] if a in swept else history.minor[row_of[a]]
                for a in pool.accounts
            ]
        )
        members, members_interest = _notional(case, pool, base, balances)
        for row, credit in zip(members, members_interest, strict=True):
            structure_side.credit[row] = credit
            structure_side.debit[row] = 0
            structure_side.penalty[row] = 0
        pool_fees = _fees(case, attrs.evolve(pool.fees, per_sweep=None), 0, len(members), months)
        fees = FeeResult(
            fees.per_sweep + pool_fees.per_sweep,
            fees.per_account_month + pool_fees.per_account_month,
            fees.setup + pool_fees.setup,
            fees.sweeps,
        )
        if physical is None:
            tops = [pool.interest_header]
    top_rows = np.array([row_of[a] for a in tops], dtype=np.int64)
    excluded_base = _aggregates(history.minor, top_rows, base.index, top_rows)
    if physical is not None:
        excluded_structure = _aggregates(outcome.closing, outcome.tops, base.index, top_rows)
    else:
        excluded_structure = excluded_base
    base_liq, base_daily = _liquidity(fx, base.aggregates, excluded_base)
    struct_liq, struct_daily = _liquidity(fx, structure_agg, excluded_structure)
    code = case.base_currency

    def interest(side: Side, idx: Sequence[int] | slice) -> Interest:
        return Interest(
            *(from_minor(int(x[idx].sum()), code) for x in (side.credit, side.debit, side.penalty))
        )

    account_table = AccountTable(
        ids=history.accounts,
        entities=base.index.entity_of,
        currencies=base.index.currency_of,
        base_currency=code,
        interest=np.stack(
            [
                base.side.credit,
                base.side.debit,
                base.side.penalty,
                structure_side.credit,
                structure_side.debit,
                structure_side.penalty,
            ]
        ),
        closing=np.stack([base.last, closing]),
    )
    entity_ids = base.index.entities
    per_entity = np.stack(
        [_sum_by(base.index.entity, row, len(entity_ids)) for row in account_table.interest]
    )
    entities = tuple(
        EntityResult(
            e,
            Interest(*(from_minor(v, code) for v in figures[:3])),
            Interest(*(from_minor(v, code) for v in figures[3:])),
            from_minor(ic_by_entity.get(e, 0), code),
        )
        for e, figures in zip(entity_ids, per_entity.T.tolist(), strict=True)
    )
    group_base = interest(base.side, slice(None))
    group_struct = interest(structure_side, slice(None))
    benefit = group_struct.net - group_base.net - fees.total
    annual_minor = round_fraction(Fraction(int(benefit.scaleb(exponent(code))) * 365, history.days))
    return SimulationResult(
        structure_id=structure.id,
        name=structure.name,
        kind=structure.kind,
        currency=code,
        start=history.start,
        end=history.end,
        days=history.days,
        baseline=group_base,
        structure=group_struct,
        fees=fees,
        benefit=benefit,
        benefit_annual=from_minor(annual_minor, code),
        account_table=account_table,
        entities=entities,
        intercompany=tuple(intercompany),
        baseline_liquidity=base_liq,
        structure_liquidity=struct_liq,
        baseline_daily=base_daily,
        structure_daily=struct_daily,
    )


def _sum_by(owner: Int64Array, values: Int64Array, groups: int) -> Int64Array:
    """Exact integer sums of `values` per group (np.bincount would go through floats)."""
    sums = np.zeros(groups, dtype=np.int64)
    np.add.at(sums, owner, values)
    return sums


def _intercompany(
    case: Case, outcome: SweepOutcome, base: Baseline
) -> tuple[list[IntercompanyResult], dict[str, int]]:
    """Positions per (entity pair, currency): running sums of the sweeps between them."""
    rate = rate_units(case.intercompany_rate) if case.intercompany_rate is not None else 0
    code = case.base_currency
    results: list[IntercompanyResult] = []
    by_entity: dict[str, int] = {}
    keys = outcome.pairs
    if not keys:
        return results, by_entity
    n, days = outcome.flows.shape
    sums = np.zeros((n, base.starts.size), dtype=np.int64)
    closing, peaks, peak_days = (np.zeros(n, dtype=np.int64) for _ in range(3))
    positions(outcome.flows, base.starts, sums, closing, peaks, peak_days)
    currencies = [cur for _, _, cur in keys]
    posted = sum_products_div([(sums, rate)], 360 * RATE_SCALE)
    posted_base = base.fx.convert(posted, currencies, base.posting_days).sum(axis=1)
    direction = np.where(closing != 0, np.sign(closing), np.sign(peaks))
    closing_base = base.fx.convert(
        (closing * direction)[:, None], currencies, np.full((n, 1), days - 1)
    )[:, 0]
    peak_base = base.fx.convert(np.abs(peaks)[:, None], currencies, peak_days[:, None])[:, 0]
    active = np.flatnonzero(peaks)  # a position that was ever open
    figures = zip(
        active.tolist(),
        *(
            column[active].tolist()
            for column in (direction, posted_base, closing, peaks, closing_base, peak_base)
        ),
        strict=True,
    )
    for k, sign, posted_k, closing_k, peak_k, closing_base_k, peak_base_k in figures:
        first, second, cur = keys[k]
        lender, borrower = (first, second) if sign > 0 else (second, first)
        interest = posted_k * sign
        by_entity[lender] = by_entity.get(lender, 0) + interest
        by_entity[borrower] = by_entity.get(borrower, 0) - interest
        results.append(
            IntercompanyResult(
                lender=lender,
                borrower=borrower,
                currency=cur,
                closing_position_local=from_minor(closing_k * sign, cur),
                peak_local=from_minor(abs(peak_k), cur),
                closing_position=from_minor(closing_base_k, code),
                peak=from_minor(peak_base_k, code),
                interest=from_minor(interest, code),
            )
        )
    results.sort(key=lambda r: (r.lender, r.borrower, r.currency))
    return results, by_entity


def _notional(
    case: Case, pool: NotionalPool, base: Baseline, balances: Int64Array
) -> tuple[list[int], list[int]]:
    """Members' rows and each member's allocated pool interest in base minor units, the
    members' daily balances given in the pool's order."""
    history = case.balances
    rows = [base.index.row_of[a] for a in pool.accounts]
    currencies = [base.index.currency_of[row] for row in rows]
    every_day = np.arange(history.days)
    converted = base.fx.convert(balances, currencies, every_day, to=pool.currency)
    net = converted.sum(axis=0, keepdims=True)
    table = terms_table([pool.terms], np.zeros(1, dtype=np.int64), [pool.currency])
    pool_net = post(net, table, base.starts).net[0]
    members = len(rows)
    alone = post(converted, table.take(np.zeros(members, dtype=np.int64)), base.starts).net
    credit_weight = np.add.reduceat(np.maximum(converted, 0), base.starts, axis=1)
    debit_weight = np.add.reduceat(np.maximum(-converted, 0), base.starts, axis=1)
    allocated = np.zeros((members, base.starts.size), dtype=np.int64)
    for period in range(base.starts.size):
        total = int(pool_net[period])
        if pool.allocation == "header":
            allocated[pool.accounts.index(pool.interest_header), period] = total
            continue
        if pool.allocation == "even":
            allocated[:, period] = _allocate(total, [1] * members)
            continue
        if pool.allocation == "percentage":
            assert pool.shares is not None
            weights = [int(pool.shares.get(a, Decimal(0)) * RATE_SCALE) for a in pool.accounts]
            allocated[:, period] = _allocate(total, weights)
            continue
        own = [int(x) for x in alone[:, period]]
        source = credit_weight if pool.allocation == "fair-share" else debit_weight
        extra = _allocate(total - sum(own), [int(w) for w in source[:, period]])
        allocated[:, period] = [o + e for o, e in zip(own, extra, strict=True)]
    in_base = base.fx.convert(allocated, [pool.currency] * members, base.posting_days)
    return rows, [int(x) for x in in_base.sum(axis=1)]
