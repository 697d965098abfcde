"""What the group's banks would send after go-live: daily statements made by running a
structure on a continuation of the group's balance history (docs/review.md, "Simulated
statements").

Each account's day holds its own flow (the day's change in the status-quo history), the
sweep entries the structure made (one per transfer, on the participant and on the header),
and, on each posting day, the interest the case's terms post on the swept balance, each
coded as the format's banks code it (`cycle.codes`). The statements' booked balances are
the swept balances plus the interest posted since go-live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import attrs
import numpy as np
import numpy.typing as npt

from cashmgmt.cycle.codes import CodeSet
from cashmgmt.engine.accounts import AccountIndex
from cashmgmt.engine.capacity import floors_of
from cashmgmt.engine.interest import Postings, post_with_totals
from cashmgmt.engine.joint import parts
from cashmgmt.engine.physical import run_sweeps
from cashmgmt.engine.replay import Replay
from cashmgmt.engine.simulate import Overlay
from cashmgmt.errors import Problem, SimulationError
from cashmgmt.inputs.statements.records import Entry, Statement
from cashmgmt.model import BalanceHistory, Case, Fees, NotionalPool, PhysicalStructure, SweepRule
from cashmgmt.money import Money, round_money, to_minor

Int64Array = npt.NDArray[np.int64]

#: A structure a review is about: physical, notional, or a hybrid of both.
Structure = PhysicalStructure | NotionalPool | Overlay

#: `--structure solution`: the design's solution (its disjoint structures together).
SOLUTION = "solution"


def structures_of(case: Case, which: str | Sequence[str | Structure]) -> tuple[Structure, ...]:
    """The structures a review is about: a structure id of the case, `solution` (the design's
    solution, every structure it recommends together), or several ids or structures.
    SimulationError naming what is not known."""
    if isinstance(which, str):
        if which == SOLUTION and SOLUTION not in {s.id for s in case.structures}:
            return recommended(case)
        which = [which]
    found: list[Structure] = []
    problems = []
    known = {s.id: s for s in case.structures}
    for item in which:
        if not isinstance(item, str):
            found.append(item)
        elif item in known:
            found.append(known[item])
        else:
            wanted = ", ".join([*known, SOLUTION])
            message = f"no structure {item!r}; expected one of: {wanted}"
            problems.append(Problem(case.source or "case", "structures", message))
    if problems:
        raise SimulationError(problems)
    return tuple(found)


def recommended(case: Case) -> tuple[Structure, ...]:
    """The design's solution for the case (its recommended structures together)."""
    from cashmgmt.cycle.assess import assess
    from cashmgmt.cycle.design import design

    replay = Replay(case)
    made = design(case, assess(case, replay=replay), replay=replay)
    if not made.members:
        problem = Problem(case.source or "case", "structures", "the design recommends none")
        raise SimulationError([problem])
    return tuple(c.structure for c in made.members)


def rules_of(structures: Sequence[Structure]) -> tuple[SweepRule, ...]:
    """Every sweep rule of the structures, in order."""
    out: list[SweepRule] = []
    for structure in structures:
        physical, _ = parts(structure)
        if physical is not None:
            out += physical.rules
    return tuple(out)


def pooled_of(structures: Sequence[Structure]) -> frozenset[str]:
    """The accounts of the structures' notional pools."""
    out: set[str] = set()
    for structure in structures:
        _, pool = parts(structure)
        if pool is not None:
            out |= set(pool.accounts)
    return frozenset(out)


def structure_accounts(structures: Sequence[Structure]) -> frozenset[str]:
    """Every account of the structures: their rules' participants and headers and their
    pools' members (the accounts whose fee entries are the structure's fees)."""
    out: set[str] = set(pooled_of(structures))
    for rule in rules_of(structures):
        out |= {rule.participant, rule.header}
    return frozenset(out)


def fee_items(
    structures: Sequence[Structure], transfers: Int64Array, months: int
) -> list[tuple[Structure, Money, int, str]]:
    """Each structure's fees over the period as the engine counts them (engine.fees.fees_of):
    (structure, price, count, reference) for the sweeps its rules made, its accounts × the
    posting months, its set-up and the months; a pool's per-sweep price is not charged."""
    out: list[tuple[Structure, Money, int, str]] = []
    offset = 0
    for structure in structures:
        physical, pool = parts(structure)
        if physical is not None and physical.rules:
            mine = transfers[offset : offset + len(physical.rules)]
            offset += len(physical.rules)
            out += _items(
                structure,
                physical.fees,
                int(np.count_nonzero(mine)),
                len(physical.accounts),
                months,
            )
        if pool is not None:
            out += _items(
                structure, attrs.evolve(pool.fees, per_sweep=None), 0, len(pool.accounts), months
            )
    return out


def _items(
    structure: Structure, fees: Fees, sweeps: int, accounts: int, months: int
) -> list[tuple[Structure, Money, int, str]]:
    listed = (
        (fees.per_sweep, sweeps, "SWEEP FEES"),
        (fees.per_account_month, accounts * months, "ACCOUNT FEES"),
        (fees.setup, 1, "SET-UP FEE"),
        (fees.per_month, months, "MONTHLY FEE"),
    )
    return [(structure, fee, n, ref) for fee, n, ref in listed if fee is not None and n]


def fee_account(case: Case, structure: Structure, currency: str) -> str:
    """The account a structure's fee in `currency` is charged to: its first top header (a
    pool's interest header) holding `currency`, else its first account holding it, else its
    first top header."""
    physical, pool = parts(structure)
    tops: list[str] = []
    others: list[str] = []
    if physical is not None:
        participants = {r.participant for r in physical.rules}
        tops += [r.header for r in physical.rules if r.header not in participants]
        others += [a for r in physical.rules for a in (r.header, r.participant)]
    if pool is not None:
        tops.append(pool.interest_header)
        others += list(pool.accounts)
    for account in (*tops, *others):
        if case.account(account).currency == currency:
            return account
    return (tops or others)[0]


def moved_by_sweeps(history: Int64Array, swept: Int64Array) -> Int64Array:
    """Per account and day, what the sweeps moved: the swept balance's change less the
    history's (day 0: the swept balance less the history's, the day opening at the
    history's balance)."""
    moved = swept - history
    moved[:, 1:] -= moved[:, :-1].copy()
    return moved


@attrs.frozen
class Recovered:
    """Each rule's transfer per day (to its header; negative: funding), found from what the
    sweeps moved on every account, and the accounts whose sweep entries do not fit the
    structure: (history row, day index, what was expected)."""

    transfers: Int64Array  # (rules × days)
    misfits: tuple[tuple[int, int, str], ...]


def recover(rules: Sequence[SweepRule], row_of: Mapping[str, int], moved: Int64Array) -> Recovered:
    """Rule by rule, leaves first: a participant's transfer is what its own participants
    sent it less what the sweeps moved on its account. A top header must have received
    exactly what its participants sent, and an account in no rule must move nothing."""
    n, days = len(rules), moved.shape[1]
    transfers = np.zeros((n, days), dtype=np.int64)
    into: dict[str, list[int]] = {}
    for k, rule in enumerate(rules):
        into.setdefault(rule.header, []).append(k)
    rule_of = {rule.participant: k for k, rule in enumerate(rules)}
    done: dict[int, bool] = {}
    received = np.zeros((len(row_of), days), dtype=np.int64)

    order: list[int] = []
    for k in range(n):  # leaves first, without recursion
        stack = [(k, False)]
        while stack:
            item, ready = stack.pop()
            if done.get(item):
                continue
            if ready:
                done[item] = True
                order.append(item)
                continue
            stack.append((item, True))
            for child in into.get(rules[item].participant, ()):
                if not done.get(child):
                    stack.append((child, False))
    for k in order:
        rule = rules[k]
        p = row_of[rule.participant]
        transfers[k] = received[p] - moved[p]
        received[row_of[rule.header]] += transfers[k]
    misfits: list[tuple[int, int, str]] = []
    accounts = {a for r in rules for a in (r.participant, r.header)}
    for account, row in row_of.items():
        if account in rule_of:
            continue
        wrong = np.flatnonzero(moved[row] != received[row])
        if wrong.size:
            d = int(wrong[0])
            expected = (
                f"sweep entries adding up to {int(received[row, d])} minor units (what its "
                f"participants swept to it), not {int(moved[row, d])}"
                if account in accounts
                else f"no sweep entries (it is in no sweep rule), not {int(moved[row, d])}"
            )
            misfits.append((row, d, expected))
    return Recovered(transfers, tuple(misfits))


def swept_matrix(
    case: Case, structures: Sequence[Structure], replay: Replay
) -> tuple[Int64Array, Int64Array]:
    """Every account's daily balance under the structures (the history's where none sweeps
    it), and each rule's transfers per day."""
    history = case.balances
    matrix = history.minor.copy()
    for structure in structures:
        physical, _ = parts(structure)
        if physical is not None and physical.rules:
            out = run_sweeps(physical, history.minor, replay.index, history.start)
            matrix[out.rows] = out.closing
    rules = rules_of(structures)
    moved = moved_by_sweeps(history.minor, matrix)
    return matrix, recover(rules, replay.index.row_of, moved).transfers


def postings_on(replay: Replay, matrix: Int64Array) -> Postings:
    """The interest the case's terms post on `matrix` (every account × day), in each
    account's own minor units, per posting period."""
    index = replay.index
    postings, _, _ = post_with_totals(
        np.ascontiguousarray(matrix),
        replay.table,
        replay.starts,
        index.currency,
        len(index.currencies),
        floors_of(replay.limits),
    )
    return postings


def account_label(case: Case, account: str) -> str:
    """What a statement names an account by: its number, else its id."""
    number = case.account(account).number
    return number if number else account


def simulated_statements(
    case: Case,
    structures: str | Sequence[str | Structure],
    history: BalanceHistory,
    *,
    codes: CodeSet,
    interest: bool = True,
    fees: bool = False,
) -> tuple[Statement, ...]:
    """Daily statements of every account of the case over `history` (a continuation of the
    group's balances: the status quo after go-live) with the structures running, coded by
    `codes`. With `interest`, each posting day carries the interest the case's terms post on
    the swept balance (credit, debit and penalty apart), except on notional pool members,
    whose pool interest the review computes. With `fees`, the last day carries the
    structures' fees at the case's prices as fee entries (docs/review.md, "Fees")."""
    chosen = structures_of(case, structures)
    run = attrs.evolve(case, balances=history)
    replay = Replay(run)
    index: AccountIndex = replay.index
    matrix, transfers = swept_matrix(run, chosen, replay)
    rules = rules_of(chosen)
    days = history.days
    posted = postings_on(replay, matrix) if interest else None
    pooled = pooled_of(chosen)
    # entries per account row and day: (minor, code, reference)
    per: dict[tuple[int, int], list[tuple[int, str, str]]] = {}
    flows = history.minor.copy()
    flows[:, 1:] -= history.minor[:, :-1]
    flows[:, 0] = 0  # day 0 opens at the history's balance
    for row, d in zip(*np.nonzero(flows), strict=True):
        amount = int(flows[row, d])
        code = codes.receipt if amount > 0 else codes.payment
        per.setdefault((int(row), int(d)), []).append((amount, code, "OWN FLOW"))
    for k, rule in enumerate(rules):
        kind = "zero-balance" if rule.kind == "zero-balance" else None
        p, h = index.row_of[rule.participant], index.row_of[rule.header]
        for d in np.flatnonzero(transfers[k]).tolist():
            s = int(transfers[k, d])
            sort = kind or ("sweep" if s > 0 else "top")
            per.setdefault((p, d), []).append(
                (-s, codes.sweep_code(sort, -s), f"SWEEP TO {account_label(case, rule.header)}")
            )
            per.setdefault((h, d), []).append(
                (
                    s,
                    codes.sweep_code(sort, s),
                    f"SWEEP FROM {account_label(case, rule.participant)}",
                )
            )
    if posted is not None:
        for period, day in enumerate(replay.posting_days.tolist()):
            for row, account in enumerate(history.accounts):
                if account in pooled:
                    continue
                for amount, ref in (
                    (int(posted.credit[row, period]), "CREDIT INTEREST"),
                    (-int(posted.debit[row, period]), "DEBIT INTEREST"),
                    (-int(posted.penalty[row, period]), "OVERDRAFT INTEREST"),
                ):
                    if amount:
                        code = codes.interest[0] if amount > 0 else codes.interest[1]
                        per.setdefault((row, day), []).append((amount, code, ref))
    if fees and days:
        end = history.start + timedelta(days=days - 1)
        months = int(replay.starts.size)
        for structure, price, count, ref in fee_items(chosen, transfers, months):
            account = fee_account(run, structure, price.currency)
            held = run.account(account).currency
            charge = price.amount * count
            if held != price.currency:  # the bank converts at the last day's rate
                charge *= run.fx.rate(price.currency, end) / run.fx.rate(held, end)
            minor = -to_minor(round_money(charge, held), held)
            if minor:
                per.setdefault((index.row_of[account], days - 1), []).append(
                    (minor, codes.fees[0], ref)
                )
    out: list[Statement] = []
    for row, account in enumerate(history.accounts):
        label = account_label(case, account)
        currency = index.currencies[int(index.currency[row])]
        balance = int(history.minor[row, 0])
        for d in range(days):
            day = history.start + timedelta(days=d)
            found = per.get((row, d), [])
            entries = tuple(
                Entry(m, day, day, code, ref, f"entry {i + 1}")
                for i, (m, code, ref) in enumerate(found)
            )
            closing = balance + sum(m for m, _, _ in found)
            out.append(
                Statement(
                    file=f"simulated.{codes.format}",
                    where=f"statement {label} {day.isoformat()}",
                    format=codes.format,
                    account=label,
                    currency=currency,
                    start=day,
                    end=day,
                    opening=balance,
                    closing=closing,
                    entries=entries,
                )
            )
            balance = closing
    return tuple(out)
