"""Carve-outs: a structure that touches a country whose rule forbids it is rebuilt without
that country's accounts, and the accounts carved out are served another way (a zero-balance
sweep per currency in their own country, where that is permitted), as a bank would do
rather than drop the structure (docs/assess-and-design.md, "Carve-outs")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from cashmgmt.cycle.design.candidates import (
    CandidateStructure,
    HybridStructure,
    _fees,
    yearly_rate,
)
from cashmgmt.cycle.design.feasibility import blocked_accounts
from cashmgmt.model import Account, Case, NotionalPool, PhysicalStructure, SweepRule

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment


def forbidden_accounts(case: Case, structure: PhysicalStructure | NotionalPool) -> frozenset[str]:
    """The structure's accounts that a not-permitted rule concerns (feasibility.blocked_accounts:
    a country rule, the minority policy's exclusion, a failed entry test), read by status
    only, so any rule the data gains is honoured."""
    return frozenset(blocked_accounts(case, structure))


@attrs.frozen
class CarveOut:
    """A structure rebuilt without the accounts its rules forbid, and how those are served."""

    structure: CandidateStructure
    description: str
    carved: tuple[str, ...]  # the accounts taken out
    companions: tuple[tuple[PhysicalStructure, str], ...]  # zero-balance sweeps for them


def _mean(case: Case) -> dict[str, int]:
    means = case.balances.minor.mean(axis=1)
    return {a: int(means[i]) for i, a in enumerate(case.balances.accounts)}


def _best_header(members: Sequence[Account], mean: Mapping[str, int]) -> Account:
    """The account whose own terms do best on the members' average net balance; among
    equals the largest (as the generated pools choose, without the ownership depth)."""
    net = sum(mean[a.id] for a in members)
    return min(members, key=lambda a: (-yearly_rate(a.terms, net, a.currency), -mean[a.id], a.id))


def _carve_physical(
    case: Case, structure: PhysicalStructure, blocked: frozenset[str], mean: Mapping[str, int]
) -> PhysicalStructure | None:
    """The sweeps without the blocked accounts: a participant whose header is blocked sweeps
    to the nearest header above it that is not; where none is, the orphans of one top
    sweep into the best of them."""
    up = {r.participant: r.header for r in structure.rules}
    kept: list[SweepRule] = []
    orphans: dict[str, list[SweepRule]] = {}
    for rule in structure.rules:
        if rule.participant in blocked:
            continue
        head: str | None = rule.header
        while head is not None and head in blocked:
            head = up.get(head)
        if head is None:
            top = rule.header
            while top in up:
                top = up[top]
            orphans.setdefault(top, []).append(rule)
        else:
            kept.append(attrs.evolve(rule, header=head))
    for rules in orphans.values():
        if len(rules) < 2:
            continue
        head_account = _best_header([case.account(r.participant) for r in rules], mean)
        kept += [
            attrs.evolve(r, header=head_account.id)
            for r in rules
            if r.participant != head_account.id
        ]
    if not kept:
        return None
    limits = {a: m for a, m in structure.header_limit.items() if a not in blocked}
    return attrs.evolve(structure, rules=tuple(kept), header_limit=limits)


def _carve_pool(
    case: Case, pool: NotionalPool, blocked: frozenset[str], mean: Mapping[str, int]
) -> NotionalPool | None:
    """The pool without the blocked members (None below two); a blocked header gives way to
    the best remaining member in the pool's currency."""
    members = tuple(a for a in pool.accounts if a not in blocked)
    if len(members) < 2:
        return None
    header = pool.header
    if header is not None and header in blocked:
        same = [case.account(a) for a in members if case.account(a).currency == pool.currency]
        header = _best_header(same or [case.account(a) for a in members], mean).id
    shares = None if pool.shares is None else {a: pool.shares[a] for a in members}
    return attrs.evolve(pool, accounts=members, header=header, shares=shares)


def _countries(case: Case, accounts: Sequence[str]) -> str:
    return ", ".join(sorted({case.account(a).country for a in accounts}))


def carve_out(
    case: Case,
    assessment: Assessment,
    structure: CandidateStructure,
    existing: Mapping[frozenset[SweepRule], str] | None = None,
) -> CarveOut | None:
    """`structure` without the accounts a country rule forbids it (None when it has none,
    or nothing worth a structure is left), with a zero-balance sweep per currency and
    country for the accounts carved out where two or more remain together; a sweep with the
    same rules as one of `existing` (rules -> id) is named by that id, not built again."""
    mean = _mean(case)
    rebuilt: CandidateStructure | None
    if isinstance(structure, HybridStructure):
        blocked_sweeps = forbidden_accounts(case, structure.physical)
        blocked_pool = forbidden_accounts(case, structure.pool)
        carved = tuple(sorted(blocked_sweeps | blocked_pool))
        if not carved:
            return None
        physical = _carve_physical(case, structure.physical, blocked_sweeps, mean)
        pool = _carve_pool(case, structure.pool, blocked_pool, mean)
        # headers left out of the overlay still head their own country's sweeps
        served = [a for a in carved if a not in (physical.accounts if physical else ())]
        if physical is not None and pool is not None:
            rebuilt = HybridStructure(
                f"{structure.id}-carve-out",
                f"{structure.name}, without {_countries(case, carved)}",
                physical,
                pool,
            )
        else:
            rebuilt = physical or pool
    else:
        blocked = forbidden_accounts(case, structure)
        carved = tuple(sorted(blocked))
        if not carved:
            return None
        if isinstance(structure, PhysicalStructure):
            rebuilt = _carve_physical(case, structure, blocked, mean)
        else:
            rebuilt = _carve_pool(case, structure, blocked, mean)
        served = list(carved)
    if rebuilt is None:
        return None
    where = _countries(case, carved)
    rebuilt = attrs.evolve(
        rebuilt, id=f"{structure.id}-carve-out", name=f"{structure.name}, without {where}"
    )
    known = existing or {}
    companions = _companions(case, assessment, structure, served, mean)
    serving = (
        "served by " + ", ".join(known.get(frozenset(c.rules), c.id) for c, _ in companions)
        if companions
        else "left as they are"
    )
    companions = [(c, d) for c, d in companions if frozenset(c.rules) not in known]
    kept = len(carved) - len(served)
    if kept:  # a hybrid's country headers leave the overlay, still heading their sweeps
        heading = f"{kept} still heading {'its' if kept == 1 else 'their'} country's sweeps"
        serving = f"{heading}; the others {serving}" if served else heading
    description = (
        f"{structure.id} without the accounts its rules forbid in {where} "
        f"({len(carved)} carved out, {serving})"
    )
    return CarveOut(rebuilt, description, carved, tuple(companions))


def _companions(
    case: Case,
    assessment: Assessment,
    structure: CandidateStructure,
    carved: Sequence[str],
    mean: Mapping[str, int],
) -> list[tuple[PhysicalStructure, str]]:
    """A zero-balance sweep per currency and country among the carved-out accounts (two or
    more): the way a bank serves accounts it may not put in the overlay."""
    groups: dict[tuple[str, str], list[Account]] = {}
    for account_id in carved:
        a = case.account(account_id)
        groups.setdefault((a.currency, a.country), []).append(a)
    fees = (
        structure.fees
        if isinstance(structure, PhysicalStructure)
        else _fees(case, assessment, "zero-balance")
    )
    out = []
    for (cur, country), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        head = _best_header(members, mean)
        rules = tuple(SweepRule(a.id, head.id, "zero-balance") for a in members if a.id != head.id)
        out.append(
            (
                PhysicalStructure(
                    f"{structure.id}-carve-out-zba-{cur.lower()}-{country.lower()}",
                    f"{cur} zero-balance pool, {country} (carved out of {structure.id})",
                    rules,
                    "business",
                    fees,
                ),
                f"the {cur} accounts in {country} carved out of {structure.id}, swept to zero "
                f"each business day into {head.id}",
            )
        )
    return out
