"""review(case, structure_id, actuals, *, go_live): what the structure really earned after
go-live, from the banks' statements, set against what it should have earned on the same days
and what the design promised (docs/review.md).

- realised: the interest the statements post (case terms on the actual balances where an
  account's statements post none), the fees their fee entries charge on the structures'
  accounts (the case's prices on the sweeps the statements show where they charge none),
  and the tax on the intercompany interest those sweeps create;
- status quo rebuilt: the actual balances (net of posted interest and of the structure's
  fee entries) with every sweep entry reversed, and its interest;
- projected: the structure simulated on the rebuilt status quo over the same days;
- promised: the design's benefit on the case's own history, pro rata for the period
  before the set-up fee, less the set-up fee (which the period reviewed bears once);
- variance: rates (the bank's rates and prices against the case's) + structure = realised
  - projected; volumes = projected - promised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.cycle.actuals import (
    Structure,
    recover,
    rules_of,
    structure_accounts,
    structures_of,
    swept_matrix,
)
from cashmgmt.cycle.codes import MT940, CodeSet, code_set_for, mt940_codes
from cashmgmt.engine.change import Change, unchanged
from cashmgmt.engine.fees import fees_of, no_fees, plus
from cashmgmt.engine.intercompany import intercompany_positions
from cashmgmt.engine.joint import parts
from cashmgmt.engine.liquidity import liquidity
from cashmgmt.engine.pooling import overlay
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.results import FeeResult, SimulationResult, TaxResult
from cashmgmt.engine.simulate import simulate_solution, simulate_structure
from cashmgmt.engine.tax import tax_result
from cashmgmt.engine.totals import Side, aggregates
from cashmgmt.errors import Problem, ReviewError
from cashmgmt.inputs.limits import MAX_GAP_DAYS
from cashmgmt.inputs.statements import Statements
from cashmgmt.inputs.statements.checks import normalise, read_paths
from cashmgmt.inputs.statements.records import Statement
from cashmgmt.model import BalanceHistory, Case, PhysicalStructure, SweepRule
from cashmgmt.money import from_minor, round_half_away, round_money, round_ratio, to_minor

Int64Array = npt.NDArray[np.int64]


def _s(value: Decimal) -> str:
    return format(value, "f")


@attrs.frozen
class Variance:
    """One cause of the difference between the realised and the promised benefit."""

    cause: str  # rates, structure, volumes
    amount: Decimal

    def to_dict(self) -> dict[str, str]:
        """Decimal strings."""
        return {"cause": self.cause, "amount": _s(self.amount)}


@attrs.frozen
class Kpi:
    """One figure before (the status quo rebuilt) and after (what happened)."""

    name: str
    before: Decimal | int | None
    after: Decimal | int | None

    def to_dict(self) -> dict[str, Any]:
        """Decimal strings, counts as integers, null where the figure does not apply."""

        def shown(x: Decimal | int | None) -> str | int | None:
            return _s(x) if isinstance(x, Decimal) else x

        return {"name": self.name, "before": shown(self.before), "after": shown(self.after)}


@attrs.frozen
class ReviewAccount:
    """One account's net interest over the period, in the base currency."""

    id: str
    entity: str
    currency: str
    realised: Decimal
    status_quo: Decimal
    projected: Decimal
    source: str  # "statements": the interest they post; "terms": the case's terms

    def to_dict(self) -> dict[str, str]:
        """The JSON contract's account entry."""
        return {
            "id": self.id,
            "entity": self.entity,
            "currency": self.currency,
            "realised_net_interest": _s(self.realised),
            "status_quo_net_interest": _s(self.status_quo),
            "projected_net_interest": _s(self.projected),
            "benefit": _s(self.realised - self.status_quo),
            "interest_from": self.source,
        }


@attrs.frozen
class ReviewEntity:
    """One entity's realised benefit: its accounts' net interest against the status quo,
    its intercompany interest and the tax it bears, in the base currency."""

    id: str
    realised: Decimal
    status_quo: Decimal
    intercompany_interest: Decimal
    tax: Decimal

    def to_dict(self) -> dict[str, str]:
        """Decimal strings."""
        return {
            "id": self.id,
            "realised_net_interest": _s(self.realised),
            "status_quo_net_interest": _s(self.status_quo),
            "benefit": _s(self.realised - self.status_quo),
            "intercompany_interest": _s(self.intercompany_interest),
            "tax": _s(self.tax),
        }


@attrs.frozen
class Review:
    """The review phase's result (docs/review.md); amounts in the base currency."""

    structure: str
    currency: str
    start: date
    end: date
    days: int
    #: Realised: interest as the statements post it (credit received, debit paid).
    credit: Decimal
    debit: Decimal
    fees: FeeResult
    tax: TaxResult
    #: Realised net interest at the case's terms on the actual balances.
    at_terms: Decimal
    status_quo: Decimal
    projected: SimulationResult = attrs.field(eq=False, repr=False)
    promised: Decimal
    kpis: tuple[Kpi, ...]
    accounts: tuple[ReviewAccount, ...]
    entities: tuple[ReviewEntity, ...]
    #: The status quo rebuilt (accounts × days, own minor units) and the actual balances
    #: net of posted interest, for documents and tests.
    rebuilt: BalanceHistory = attrs.field(eq=False, repr=False)
    actual: BalanceHistory = attrs.field(eq=False, repr=False)
    #: Where the realised fees come from: "statements" (their fee entries on the
    #: structures' accounts) or "terms" (the case's prices on the sweeps seen).
    fees_from: str = "terms"
    #: The fees at the case's prices on the sweeps seen (None: the same as `fees`).
    fees_at_terms: FeeResult | None = None

    @property
    def terms_fees(self) -> FeeResult:
        """The fees at the case's prices on the sweeps the statements show."""
        return self.fees if self.fees_at_terms is None else self.fees_at_terms

    @property
    def net_interest(self) -> Decimal:
        """Realised net interest."""
        return self.credit - self.debit

    @property
    def benefit(self) -> Decimal:
        """Realised net interest - status quo net interest - fees - tax."""
        return self.net_interest - self.status_quo - self.fees.total - self.tax.total

    @property
    def variance(self) -> tuple[Variance, ...]:
        """rates + structure + volumes = realised benefit - promised benefit. `rates` holds
        the rates and prices the bank applied against the case's (interest and fees)."""
        priced = self.terms_fees.total
        at_terms_benefit = self.at_terms - self.status_quo - priced - self.tax.total
        return (
            Variance("rates", self.net_interest - self.at_terms - (self.fees.total - priced)),
            Variance("structure", at_terms_benefit - self.projected.benefit),
            Variance("volumes", self.projected.benefit - self.promised),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt review --json` (docs/review.md)."""
        p = self.projected
        return {
            "structure": self.structure,
            "currency": self.currency,
            "period": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "days": self.days,
            },
            "realised": {
                "net_interest": _s(self.net_interest),
                "credit": _s(self.credit),
                "debit": _s(self.debit),
                "net_interest_at_terms": _s(self.at_terms),
                "fees": _s(self.fees.total),
                "sweeps": self.fees.sweeps,
                "tax": _s(self.tax.total + from_minor(0, self.currency)),
                "benefit": _s(self.benefit),
                "fees_from": self.fees_from,
                "fees_at_terms": _s(self.terms_fees.total),
            },
            "status_quo": {"net_interest": _s(self.status_quo)},
            "projected": {
                "net_interest": _s(p.structure.net),
                "fees": _s(p.fees.total),
                "tax": _s(p.tax.total + from_minor(0, self.currency)),
                "benefit": _s(p.benefit),
            },
            "promised": {"benefit": _s(self.promised)},
            "variance": [v.to_dict() for v in self.variance],
            "kpis": [k.to_dict() for k in self.kpis],
            "accounts": [a.to_dict() for a in self.accounts],
            "entities": [e.to_dict() for e in self.entities],
        }


Actuals = Statements | Sequence[Statement] | str | Path | Sequence[str | Path]


def statements_of(actuals: Actuals) -> Statements:
    """Statements as given, or read from files and folders (checks.read_paths: a folder's
    files and its subfolders', sorted by path, within the statement folder's bounds)."""
    if isinstance(actuals, Statements):
        return actuals
    if isinstance(actuals, str | Path):
        actuals = [actuals]
    items = list(actuals)
    if all(isinstance(x, Statement) for x in items):
        return Statements(statements=tuple(x for x in items if isinstance(x, Statement)))
    # files and folders (subfolders too), read and bounded as a case's statement folder is
    return read_paths([Path(x) for x in items if not isinstance(x, Statement)])


@attrs.frozen
class Gathered:
    """The statements of the period as arrays by history row and day (own minor units)."""

    closing: Int64Array  # booked day-end balances
    moved: Int64Array  # the day's sweep entries
    interest: Int64Array  # the day's interest entries
    entries: dict[int, list[tuple[int, int]]]  # row -> [(day, minor)] interest entries
    place: dict[tuple[int, int], tuple[str, str]]  # (row, day) -> (file, where)
    end: date
    #: (row, day) -> the amounts of its other entries (neither sweeps nor interest).
    others: dict[tuple[int, int], tuple[int, ...]] = attrs.field(factory=dict)
    #: row -> [(day, minor)] its fee entries (the format's fee codes), every account.
    charged: dict[int, list[tuple[int, int]]] = attrs.field(factory=dict)


def gather(
    case: Case, statements: Sequence[Statement], go_live: date, mt940: CodeSet = MT940
) -> Gathered:
    """Every account's days from go-live to the last day the statements cover: booked
    balances, sweep and interest entries. ReviewError with every located problem."""
    source = case.source or "case"
    by_label: dict[str, str] = {}
    for account in case.accounts:
        by_label[normalise(account.id)] = account.id
        if account.number:
            by_label[normalise(account.number)] = account.id
    rows = {a: i for i, a in enumerate(case.balances.accounts)}
    problems: list[Problem] = []
    days: dict[int, dict[date, tuple[int, int, int, list[tuple[int, int]]]]] = {}
    others: dict[tuple[int, date], tuple[int, ...]] = {}
    charged: dict[int, list[tuple[int, int]]] = {}
    place: dict[tuple[int, date], tuple[str, str]] = {}
    last_closing: dict[int, tuple[date, int]] = {}
    #: row -> (start, opening, file, where) of each statement read, for the days between
    starts: dict[int, list[tuple[date, int, str, str]]] = {}
    for st in sorted(statements, key=lambda s: (s.account, s.start, s.end)):
        codes = code_set_for(st.format, mt940)
        if codes is None:
            problems.append(
                Problem(
                    st.file, st.where, f"a {st.format!r} statement; expected camt, MT940 or BAI2"
                )
            )
            continue
        known = by_label.get(normalise(st.account))
        if known is None:
            message = (
                f"unknown account {st.account!r}; expected an account of the case "
                "(its number or id)"
            )
            problems.append(Problem(st.file, st.where, message))
            continue
        expected = case.account(known).currency
        if st.currency != expected:
            message = f"account {known} is in {expected} in the case, not {st.currency}"
            problems.append(Problem(st.file, st.where, message))
            continue
        row = rows[known]
        seen = days.setdefault(row, {})
        added = st.day_closings()
        if added and added[-1][1] != st.closing:
            message = (
                f"its entries take the opening balance {st.opening} to {added[-1][1]} minor "
                f"units; expected its closing balance, {st.closing}"
            )
            problems.append(Problem(st.file, st.where, message))
            continue
        before = last_closing.get(row)
        follows = before is not None and before[0] == st.start - timedelta(days=1)
        if before is not None and follows and before[1] != st.opening:
            message = (
                f"opens at {st.opening} minor units; expected the previous statement's "
                f"closing balance, {before[1]}"
            )
            problems.append(Problem(st.file, st.where, message))
        last_closing[row] = (st.end, st.closing)
        starts.setdefault(row, []).append((st.start, st.opening, st.file, st.where))
        by_day: dict[date, tuple[int, int, list[tuple[int, int]]]] = {}
        plain: dict[date, list[int]] = {}
        fees: dict[date, list[int]] = {}
        for entry in st.entries:
            swept, posted, listed = by_day.get(entry.booked, (0, 0, []))
            if codes.is_sweep(entry.code, entry.reference):
                swept += entry.minor
            elif codes.is_interest(entry.code):
                posted += entry.minor
                listed = [*listed, ((entry.booked - go_live).days, entry.minor)]
            elif codes.is_fee(entry.code):
                fees.setdefault(entry.booked, []).append(entry.minor)
            else:
                plain.setdefault(entry.booked, []).append(entry.minor)
            by_day[entry.booked] = (swept, posted, listed)
        for day, closing in added:
            if day < go_live:
                continue
            swept, posted, listed = by_day.get(day, (0, 0, []))
            if day in seen:
                if seen[day][0] != closing:
                    message = (
                        f"overlapping statements disagree on {day.isoformat()}: "
                        f"{closing} minor units here, {seen[day][0]} in {place[(row, day)][1]}"
                    )
                    problems.append(Problem(st.file, st.where, message))
                continue  # agreeing overlaps are merged: nothing is counted twice
            seen[day] = (closing, swept, posted, listed)
            place[(row, day)] = (st.file, st.where)
            if day in plain:
                others[(row, day)] = tuple(plain[day])
            d = (day - go_live).days
            charged.setdefault(row, []).extend((d, m) for m in fees.get(day, ()))
    ends = [max(d) for d in days.values() if d]
    if not ends and not problems:
        message = f"no statement covers {go_live.isoformat()} (go-live) or later"
        problems.append(Problem(source, "actuals", message))
    if problems:
        raise ReviewError(problems)
    end = max(ends)
    span = (end - go_live).days + 1
    n = len(case.balances.accounts)
    booked = np.zeros((n, span), dtype=np.int64)
    moved = np.zeros((n, span), dtype=np.int64)
    interest = np.zeros((n, span), dtype=np.int64)
    entries: dict[int, list[tuple[int, int]]] = {}
    for row, name in enumerate(case.balances.accounts):
        seen = days.get(row, {})
        for d in range(span):
            day = go_live + timedelta(days=d)
            if day not in seen:
                carried = int(booked[row, d - 1]) if d > 0 else None
                balance, why = _uncovered(day, carried, starts.get(row, []))
                if balance is not None:  # a day without bookings: no statement was sent
                    booked[row, d] = balance
                    continue
                message = (
                    f"no statement of account {name} for {day.isoformat()}; expected "
                    f"every day from go-live ({go_live.isoformat()}) to {end.isoformat()}"
                    f"{why}"
                )
                problems.append(Problem(source, "actuals", message))
                break
            booked[row, d], moved[row, d], interest[row, d], listed = seen[day]
            if listed:
                entries.setdefault(row, []).extend(listed)
    if problems:
        raise ReviewError(problems)
    located = {(row, (day - go_live).days): at for (row, day), at in place.items()}
    other = {(row, (day - go_live).days): v for (row, day), v in others.items()}
    return Gathered(booked, moved, interest, entries, located, end, other, charged)


def _uncovered(
    day: date, carried: int | None, starts: Sequence[tuple[date, int, str, str]]
) -> tuple[int | None, str]:
    """The balance of a day no statement covers, when the account's next statement starts
    within MAX_GAP_DAYS and opens at the balance carried from the day before (or, before
    the account's first statement, at any balance): the bank sent nothing because nothing
    was booked (a BAI2 bank reports working days only; an MT940 or camt statement may start
    after a weekend). None, and why, otherwise."""
    following = [s for s in starts if s[0] > day]
    if not following:
        return None, " (no later statement of the account)"
    start, opening, file, where = min(following)
    if (start - day).days > MAX_GAP_DAYS:
        return None, f" (the next statement starts on {start.isoformat()})"
    if carried is not None and opening != carried:
        return None, (
            f" (the next statement, {file} {where}, opens at {opening} minor units, not at "
            f"{carried}, the balance before: a statement is missing)"
        )
    return (carried if carried is not None else opening), ""


def review(
    case: Case,
    structure_id: str | Sequence[str | Structure],
    actuals: Actuals,
    *,
    go_live: date,
    mt940: CodeSet | None = None,
) -> Review:
    """Review a structure after go-live from the group's bank statements (docs/review.md).
    `structure_id`: a structure of the case, `solution` (the design's), or several.
    ReviewError (or SimulationError for the structure) with every located problem."""
    structures = structures_of(case, structure_id)
    label = structure_id if isinstance(structure_id, str) else "+".join(s.id for s in structures)
    read = statements_of(actuals)
    if read.problems:
        raise ReviewError(read.problems)
    codes = mt940 if mt940 is not None else case_mt940(case)
    got = gather(case, read.statements, go_live, codes)
    charges = _charges(case, structures, got)
    # fees, like interest, are reported, not balances; the structure's are its own
    net = got.closing - np.cumsum(got.interest, axis=1) - np.cumsum(charges, axis=1)
    rebuilt_minor = net - np.cumsum(got.moved, axis=1)
    observed = np.ones(net.shape, dtype=np.bool_)
    accounts = case.balances.accounts
    rebuilt = BalanceHistory(go_live, accounts, rebuilt_minor, observed)
    actual = BalanceHistory(go_live, accounts, net, observed.copy())
    case_sq = attrs.evolve(case, balances=rebuilt)
    case_act = attrs.evolve(case, balances=actual)
    replay_sq, replay_act = Replay(case_sq), Replay(case_act)
    rules = rules_of(structures)
    index = replay_act.index
    found = recover(rules, index.row_of, got.moved)
    problems = [
        Problem(
            *got.place.get((row, d), (case.source or "case", "actuals")),
            _misfit(row, d, why, case, go_live),
        )
        for row, d, why in found.misfits
    ]
    where = case.source or "case"
    for k, rule in enumerate(rules):
        if found.transfers[k].any():
            continue
        p, h = index.row_of[rule.participant], index.row_of[rule.header]
        for d in range(rebuilt.days):
            mirrored = set(got.others.get((p, d), ())) & {-m for m in got.others.get((h, d), ())}
            if mirrored - {0}:
                day = (go_live + timedelta(days=d)).isoformat()
                message = (
                    f"account {rule.participant} on {day}: an entry of {min(mirrored)} minor "
                    f"units mirrors one of its header {rule.header} without a sweep code; "
                    "expected the structure's sweeps coded as sweeps"
                )
                problems.append(Problem(*got.place.get((p, d), (where, "actuals")), message))
                break
    # Sweeps the structure would have made on these flows, but no statement shows.
    _, designed = swept_matrix(case_sq, structures, replay_sq)
    for k, rule in enumerate(rules):
        if designed[k].any() and not found.transfers[k].any():
            message = (
                f"account {rule.participant}: no sweep entries from "
                f"{go_live.isoformat()} to {got.end.isoformat()}, though its rule to "
                f"{rule.header} would have swept on {int(np.count_nonzero(designed[k]))} "
                "days; expected entries with the format's sweep codes (docs/review.md, "
                '"Codes")'
            )
            problems.append(Problem(case.source or "case", "actuals", message))
    if problems:
        raise ReviewError(problems)
    projected = _simulate(case_sq, structures, replay_sq)
    promised = _promised(case, structures, rebuilt.days)
    side, fees, positions, by_entity = _realised(case_act, replay_act, structures, found.transfers)
    code = case.base_currency
    posted = _posted(side, got.entries, index, replay_act, case_act)
    tax = tax_result(code, positions)
    at_terms_fees = fees
    if charges.any():
        fees = _charged_fees(case_act, structures, got, index, at_terms_fees)

    def money(minor: int) -> Decimal:
        return from_minor(minor, code)

    base = projected.account_table.interest
    sq_net = base[0] - base[1] - base[2]
    proj_net = base[3] - base[4] - base[5]
    real_net = posted.credit - posted.debit - posted.penalty
    at_terms = side.credit - side.debit - side.penalty
    review_accounts = tuple(
        ReviewAccount(
            id=a,
            entity=index.entity_of[i],
            currency=index.currency_of[i],
            realised=money(int(real_net[i])),
            status_quo=money(int(sq_net[i])),
            projected=money(int(proj_net[i])),
            source="statements" if i in got.entries else "terms",
        )
        for i, a in enumerate(accounts)
    )
    entities = []
    borne = {t.id: t.total for t in tax.entities}
    for e_code, entity in enumerate(index.entities):
        mine = index.entity == e_code
        entities.append(
            ReviewEntity(
                entity,
                money(int(real_net[mine].sum())),
                money(int(sq_net[mine].sum())),
                money(by_entity.get(entity, 0)),
                money(0) + borne.get(entity, Decimal(0)),
            )
        )
    kpis = _kpis(case, structures, replay_sq, replay_act, projected, posted)
    return Review(
        structure=label,
        currency=code,
        start=go_live,
        end=got.end,
        days=rebuilt.days,
        credit=money(int(posted.credit.sum())),
        debit=money(int(posted.debit.sum() + posted.penalty.sum())),
        fees=fees,
        tax=tax,
        at_terms=money(int(at_terms.sum())),
        status_quo=projected.baseline.net,
        projected=projected,
        promised=promised,
        kpis=kpis,
        accounts=review_accounts,
        entities=tuple(entities),
        rebuilt=rebuilt,
        actual=actual,
        fees_from="statements" if charges.any() else "terms",
        fees_at_terms=at_terms_fees if charges.any() else None,
    )


def _charges(case: Case, structures: Sequence[Structure], got: Gathered) -> Int64Array:
    """Per account and day, the fee entries booked on the structures' accounts (own minor
    units); fee entries on other accounts are the group's own business."""
    mine = structure_accounts(structures)
    out = np.zeros_like(got.closing)
    for row, listed in got.charged.items():
        if case.balances.accounts[row] in mine:
            for d, minor in listed:
                out[row, d] += minor
    return out


def _charged_fees(
    case: Case, structures: Sequence[Structure], got: Gathered, index: Any, terms: FeeResult
) -> FeeResult:
    """The fees the statements charge on the structures' accounts (debits; a credit is a
    refund), each entry converted to base at the period's last day's rate and rounded half
    away from zero, as the engine converts each of a structure's prices (fees_of). Entries
    do not say which price they are: the case's set-up fee (up to the total) is taken as
    the one-off part, the rest as `per_month`."""
    code = case.base_currency
    end = case.balances.end
    mine = structure_accounts(structures)
    total = from_minor(0, code)
    for row, listed in got.charged.items():
        if case.balances.accounts[row] not in mine:
            continue
        currency = index.currency_of[row]
        for _, minor in listed:
            charged = from_minor(-minor, currency)
            total += round_money(charged * case.fx.rate(currency, end), code)
    setup = min(terms.setup, total) if total > 0 else from_minor(0, code)
    return FeeResult(
        per_sweep=from_minor(0, code),
        per_account_month=from_minor(0, code),
        setup=setup,
        sweeps=terms.sweeps,
        per_month=total - setup,
        contract_months=terms.contract_months,
    )


def _misfit(row: int, d: int, why: str, case: Case, go_live: date) -> str:
    account = case.balances.accounts[row]
    day = (go_live + timedelta(days=d)).isoformat()
    return f"account {account} on {day}: expected {why}"


def case_mt940(case: Case) -> CodeSet:
    """The MT940 codes the case states (`statement_codes:`) beside SWIFT's."""
    stated = case.statement_codes
    if stated is None:
        return MT940
    return mt940_codes(stated.mt940_sweeps, stated.mt940_references)


def _simulate(case: Case, structures: Sequence[Structure], replay: Replay) -> SimulationResult:
    if len(structures) == 1:
        return simulate_structure(case, structures[0], replay=replay)
    return simulate_solution(case, structures, replay=replay)


def _promised(case: Case, structures: Sequence[Structure], days: int) -> Decimal:
    """The design's benefit on the case's own history, pro rata for `days` before the
    set-up fee and less the whole set-up fee, rounded half away from zero once: the period
    reviewed starts at go-live and bears the set-up fee once, as the realised figure does,
    so the fee never shows as a variance."""
    result = _simulate(case, structures, Replay(case))
    code = case.base_currency
    setup = to_minor(result.fees.setup, code)
    before_setup = to_minor(result.benefit, code) + setup
    minor = round_half_away(before_setup * days, result.days) - setup
    return from_minor(minor, code)


def _realised(
    case: Case, replay: Replay, structures: Sequence[Structure], transfers: Int64Array
) -> tuple[Side, FeeResult, tuple[Any, ...], dict[str, int]]:
    """The structures' side on the actual balances at the case's terms: every account's own
    interest, pool members their allocation, the fees of the sweeps made, the intercompany
    positions of those sweeps and each entity's intercompany interest."""
    index = replay.index
    tops = np.zeros(0, dtype=np.int64)
    change: Change = unchanged(case, replay, tops)
    fees = no_fees(case.base_currency)
    months = int(replay.starts.size)
    count = 0
    offset = 0
    all_rules: list[SweepRule] = []
    for structure in structures:
        physical, pool = parts(structure)
        if physical is not None and physical.rules:
            mine = transfers[offset : offset + len(physical.rules)]
            offset += len(physical.rules)
            sweeps = int(np.count_nonzero(mine))
            count += sweeps
            own = fees_of(case, physical.fees, sweeps, len(physical.accounts), months)
            fees = plus(fees, own)
            all_rules += physical.rules
        if pool is not None:
            change = overlay(case, pool, replay, change)
    fees = plus(fees, change.fees)
    fees = attrs.evolve(fees, sweeps=count, contract_months=case.contract_months)
    flows: dict[tuple[str, str, str], Int64Array] = {}
    code_of = {e: i for i, e in enumerate(index.entities)}
    for k, rule in enumerate(all_rules):
        lender = index.entity_of[index.row_of[rule.participant]]
        borrower = index.entity_of[index.row_of[rule.header]]
        if lender == borrower:
            continue
        currency = index.currency_of[index.row_of[rule.participant]]
        first, second = sorted((lender, borrower), key=code_of.__getitem__)
        sign = 1 if lender == first else -1
        key = (first, second, currency)
        flows[key] = flows.get(key, np.zeros(transfers.shape[1], np.int64)) + sign * transfers[k]
    pairs = tuple(flows)
    stacked = (
        np.stack([flows[p] for p in pairs])
        if pairs
        else np.zeros((0, transfers.shape[1]), np.int64)
    )
    leading = PhysicalStructure("solution", "solution", tuple(all_rules)) if all_rules else None
    positions, by_entity = intercompany_positions(case, replay, pairs, stacked, leading)
    return change.side, fees, positions, by_entity


def _posted(
    side: Side,
    entries: dict[int, list[tuple[int, int]]],
    index: Any,
    replay: Replay,
    case: Case,
) -> Side:
    """`side` with each account whose statements post interest taking those entries instead,
    each converted to base at its booking day's rate (credits received, debits paid)."""
    out = side.copy()
    days = case.balances.days
    for row, listed in entries.items():
        inside = [(d, m) for d, m in listed if 0 <= d < days]
        currency = index.currency_of[row]
        amounts = np.array([[m for _, m in inside]], dtype=np.int64)
        when = np.array([d for d, _ in inside], dtype=np.int64)
        converted = (
            replay.fx.convert(amounts, [currency], when)[0] if inside else np.zeros(0, np.int64)
        )
        out.credit[row] = int(converted[converted > 0].sum())
        out.debit[row] = int(-converted[converted < 0].sum())
        out.penalty[row] = 0
    return out


def _tops(structures: Sequence[Structure], index: Any) -> Int64Array:
    """Rows whose credit is not idle: the top headers and the pools' interest headers."""
    found: set[int] = set()
    for structure in structures:
        physical, pool = parts(structure)
        if physical is not None and physical.rules:
            participants = {r.participant for r in physical.rules}
            found |= {
                index.row_of[r.header] for r in physical.rules if r.header not in participants
            }
        if pool is not None:
            found.add(index.row_of[pool.interest_header])
    return np.array(sorted(found), dtype=np.int64)


def _kpis(
    case: Case,
    structures: Sequence[Structure],
    replay_sq: Replay,
    replay_act: Replay,
    projected: SimulationResult,
    posted: Side,
) -> tuple[Kpi, ...]:
    """Idle cash, overdraft days and cost, days beyond a stated limit (payments at risk),
    the share of credit balances at the proposing bank: before (status quo rebuilt) and
    after (what the statements show)."""
    index = replay_act.index
    every = np.arange(len(index.ids), dtype=np.int64)
    # a committed facility's drawing account is borrowing, not an overdraft (model.Account)
    outside = np.array(
        [i for i, a in enumerate(index.ids) if case.account(a).facility is None], dtype=np.int64
    )
    tops = _tops(structures, index)
    code = case.base_currency

    def figures(replay: Replay) -> tuple[Any, Decimal | None]:
        matrix = replay.case.balances.minor
        liq, _ = liquidity(
            replay.fx,
            aggregates(matrix, outside, index, outside),
            aggregates(matrix, tops, index, tops),
        )
        share = None
        if case.proposing_bank is not None:
            at = np.array(
                [i for i, a in enumerate(index.ids) if case.at_proposing_bank(case.account(a))],
                dtype=np.int64,
            )
            none = np.zeros(0, dtype=np.int64)
            held, _ = liquidity(
                replay.fx, aggregates(matrix, at, index, at), aggregates(matrix, none, index, none)
            )
            whole, _ = liquidity(
                replay.fx,
                aggregates(matrix, every, index, every),
                aggregates(matrix, none, index, none),
            )
            total = whole.average_idle_credit
            share = round_ratio(held.average_idle_credit / total, 4) if total else Decimal(0)
        return liq, share

    before, share_before = figures(replay_sq)
    after, share_after = figures(replay_act)
    concentrated_before = _concentration(replay_sq, index, every, tops)
    concentrated_after = _concentration(replay_act, index, every, tops)
    cost_before = projected.baseline.debit + projected.baseline.penalty
    cost_after = from_minor(int(posted.debit.sum() + posted.penalty.sum()), code)
    return (
        Kpi("idle_cash", before.average_idle_credit, after.average_idle_credit),
        Kpi("overdraft_days", before.overdraft_days, after.overdraft_days),
        Kpi("overdraft_cost", cost_before, cost_after),
        Kpi("limit_breach_days", replay_sq.base_breach_days, replay_act.base_breach_days),
        Kpi("visibility", share_before, share_after),
        Kpi("concentration", concentrated_before, concentrated_after),
    )


def _concentration(replay: Replay, index: Any, every: Int64Array, tops: Int64Array) -> Decimal:
    """The share of the group's average credit balances held in the structure's top headers:
    cash the treasurer sees and uses in one place (4 places, half to even)."""
    none = np.zeros(0, dtype=np.int64)
    matrix = replay.case.balances.minor
    held, _ = liquidity(
        replay.fx, aggregates(matrix, tops, index, tops), aggregates(matrix, none, index, none)
    )
    whole, _ = liquidity(
        replay.fx, aggregates(matrix, every, index, every), aggregates(matrix, none, index, none)
    )
    total = whole.average_idle_credit
    return round_ratio(held.average_idle_credit / total, 4) if total else Decimal(0)
