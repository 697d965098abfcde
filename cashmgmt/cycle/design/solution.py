"""The solution: a set of candidates with no account in common, chosen to maximise the
group's benefit per year after fees and tax (docs/assess-and-design.md, "Solution").

The choice is a weighted set packing, solved exactly as a 0-1 integer programme by HiGHS
(through scipy.optimize.milp, with a zero optimality gap): maximise Σ benefit_i·x_i subject
to Σ x_i ≤ 1 over the candidates holding each account, x_i ∈ {0, 1}. Weights are the
candidates' simulated benefits per year in integer minor units of the base currency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from cashmgmt.cycle.design.candidates import Candidate
from cashmgmt.cycle.design.recommend import APPROVAL_TOLERANCE
from cashmgmt.engine.results import SimulationResult
from cashmgmt.money import from_minor, to_minor

#: How the solution is found, as the output states it.
METHOD = "integer programming (weighted set packing; HiGHS via scipy.optimize.milp, gap 0)"


def pack(weights: Sequence[int], sets: Sequence[Iterable[str]]) -> list[int]:
    """The indices of pairwise disjoint `sets` of the largest total weight (integers; only
    positive weights are ever worth taking), in index order. Exact: a 0-1 integer programme
    solved by HiGHS with a zero relative and absolute gap."""
    chosen = [i for i, w in enumerate(weights) if w > 0]
    if not chosen:
        return []
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    items: dict[str, int] = {}
    rows, cols = [], []
    for col, i in enumerate(chosen):
        for item in dict.fromkeys(sets[i]):
            rows.append(items.setdefault(item, len(items)))
            cols.append(col)
    n = len(chosen)
    matrix = coo_array(
        (np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(max(len(items), 1), n)
    )
    found = milp(
        c=-np.array([float(weights[i]) for i in chosen]),
        constraints=LinearConstraint(matrix, -np.inf, 1),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if found.status != 0 or found.x is None:  # pragma: no cover - HiGHS solves these
        raise RuntimeError(f"the set-packing solver failed: {found.message}")
    return [i for i, x in zip(chosen, found.x.tolist(), strict=True) if x > 0.5]


@attrs.frozen
class ApprovalWorth:
    """What one country's approval adds: the best solution with it less the best without."""

    country: str
    worth: Decimal  # per year, base currency
    kept: bool  # False: left out, it earned too little (APPROVAL_TOLERANCE)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's approval entry."""
        return {"country": self.country, "worth": format(self.worth, "f"), "kept": self.kept}


@attrs.frozen
class Solution:
    """The structures recommended together, and their joint simulation."""

    structures: tuple[str, ...]  # candidate ids, largest benefit first
    candidates_benefit: Decimal  # Σ of the candidates' own benefits per year
    result: SimulationResult | None  # the structures simulated together (None: none)
    reasons: tuple[str, ...]
    approvals: tuple[ApprovalWorth, ...]
    considered: int  # candidates the optimiser chose among
    currency: str

    @property
    def benefit_annual(self) -> Decimal:
        """The joint simulation's benefit per year (0 with no structure)."""
        return self.result.benefit_annual if self.result is not None else Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's `solution`."""
        r = self.result
        return {
            "structures": list(self.structures),
            "benefit": {
                "annual": format(self.benefit_annual, "f"),
                "total": None if r is None else format(r.benefit, "f"),
                "candidates_annual": format(self.candidates_benefit, "f"),
            },
            "fees": None if r is None else format(r.fees.total, "f"),
            "tax": None if r is None else format(r.tax.total, "f"),
            "bank": None if r is None or r.bank is None else r.bank.to_dict(),
            "shortfall_days": 0 if r is None else shortfall_days(r),
            "approvals": [a.to_dict() for a in self.approvals],
            "currency": self.currency,
            "method": METHOD,
            "considered": self.considered,
            "reasons": list(self.reasons),
        }


def shortfall_days(result: SimulationResult) -> int:
    """Account-days on which a rule asked for funding its header could not give."""
    short = result.account_table.shortfall
    return 0 if short is None else int(short[0].sum())


def eligible(candidate: Candidate, unpoolable: frozenset[str]) -> str | None:
    """Why a candidate may not enter the solution (None: it may)."""
    if not candidate.feasible or candidate.result is None:
        return "infeasible"
    if any(f.status == "not-permitted" for f in candidate.flags):
        return "a rule that forbids it"
    if unpoolable & set(candidate.structure.accounts):
        return "restricted accounts"
    if shortfall_days(candidate.result) > 0:
        return "shortfall days"
    if candidate.result.benefit_annual <= 0:
        return "no benefit after fees and tax"
    return None


def _money(x: Decimal, code: str) -> str:
    return f"{x:,} {code}"


def choose(
    candidates: Sequence[Candidate],
    code: str,
    unpoolable: frozenset[str],
    simulate: Callable[[Sequence[Candidate]], SimulationResult],
) -> Solution:
    """The best set of disjoint eligible candidates, approvals kept only where they pay (the
    least valuable left out, one by one, while the best solution without them all still earns
    APPROVAL_TOLERANCE of the best with every approval), simulated jointly by `simulate`."""
    excluded: dict[str, int] = {}
    pool: dict[tuple[frozenset[str], tuple[str, ...]], Candidate] = {}
    for c in candidates:  # in ranked order: of equal accounts and approvals, the better
        why = eligible(c, unpoolable)
        if why is not None:
            excluded[why] = excluded.get(why, 0) + 1
            continue
        key = (frozenset(c.structure.accounts), c.approvals)
        if key not in pool:
            pool[key] = c
    options = list(pool.values())
    weight = [to_minor(c.benefit_annual or Decimal(0), code) for c in options]

    def best(allowed: Sequence[bool]) -> tuple[list[int], int]:
        picked = pack(
            [w if ok else 0 for w, ok in zip(weight, allowed, strict=True)],
            [c.structure.accounts for c in options],
        )
        return picked, sum(weight[i] for i in picked)

    allowed = [True] * len(options)
    picked, value = best(allowed)
    floor = value * APPROVAL_TOLERANCE  # what leaving approvals out may bring it down to
    worths: dict[str, ApprovalWorth] = {}
    while True:
        countries = sorted({k for i in picked for k in options[i].approvals} - set(worths))
        if not countries:
            break
        trials = []
        for country in countries:
            without = [
                ok and country not in c.approvals for ok, c in zip(allowed, options, strict=True)
            ]
            other, other_value = best(without)
            trials.append((value - other_value, country, without, other, other_value))
        worth, country, without, other, other_value = min(trials)
        if other_value >= floor:  # pays too little: left out, the give-ups within tolerance
            worths[country] = ApprovalWorth(country, from_minor(worth, code), False)
            allowed, picked, value = without, other, other_value
            continue
        for worth, country, *_ in trials:
            worths[country] = ApprovalWorth(country, from_minor(worth, code), True)
        break
    chosen = sorted((options[i] for i in picked), key=lambda c: -(c.benefit_annual or 0))
    total = from_minor(value, code)
    result = simulate(chosen) if chosen else None
    reasons = _reasons(candidates, options, chosen, total, result, worths, excluded, code)
    return Solution(
        tuple(c.id for c in chosen),
        total,
        result,
        tuple(reasons),
        tuple(sorted(worths.values(), key=lambda a: (not a.kept, a.country))),
        len(options),
        code,
    )


def _reasons(
    candidates: Sequence[Candidate],
    options: Sequence[Candidate],
    chosen: Sequence[Candidate],
    total: Decimal,
    result: SimulationResult | None,
    worths: dict[str, ApprovalWorth],
    excluded: dict[str, int],
    code: str,
) -> list[str]:
    out: list[str] = []
    if not chosen:
        simulated = [c for c in candidates if c.result is not None]
        if not simulated:
            return ["no feasible structure"]
        top = max(simulated, key=lambda c: c.benefit_annual or Decimal(0))
        if (top.benefit_annual or Decimal(0)) > 0:  # some pay, none may be chosen
            why = ", ".join(
                f"{n} with {w}" for w, n in sorted(excluded.items()) if w != "infeasible"
            )
            return [
                f"no structure that pays may be recommended ({why}); the standard package "
                "serves the client better"
            ]
        return [
            f"no structure pays for its fees (best: {top.id}, "
            f"{top.benefit_annual} {code} a year); the standard package serves the client better"
        ]
    ids = ", ".join(c.id for c in chosen)
    out.append(
        f"{len(chosen)} structure{'s' if len(chosen) > 1 else ''} with no account in common "
        f"({ids}), the largest benefit per year after fees and tax of any such set among "
        f"{len(options)} eligible candidates, found by {METHOD}"
    )
    assert result is not None
    joint = result.benefit_annual
    if joint == total:
        out.append(
            f"simulated together: {_money(joint, code)} a year, the sum of their own figures"
        )
    else:
        out.append(
            f"simulated together: {_money(joint, code)} a year against "
            f"{_money(total, code)} for the sum of their own figures "
            f"({_money(joint - total, code)}): " + _why_different(chosen, result)
        )
    single = max(options, key=lambda c: c.benefit_annual or Decimal(0))
    if len(chosen) > 1 or single.id != chosen[0].id:
        alone = single.benefit_annual or Decimal(0)
        needs = f", needing approval in {', '.join(single.approvals)}" if single.approvals else ""
        out.append(
            f"the best single structure, {single.id}, earns {_money(alone, code)} a year{needs}"
        )
    for a in sorted(worths.values(), key=lambda a: a.country):
        if a.kept:
            out.append(
                f"approval in {a.country} is worth {_money(a.worth, code)} a year "
                "(the best solution with it less the best without it)"
            )
        else:
            out.append(
                f"approval in {a.country} left out: it would add only {_money(a.worth, code)} "
                f"a year; the approvals left out give up no more than "
                f"{1 - APPROVAL_TOLERANCE:.0%} of the best solution with every approval together"
            )
    if not any(a.kept for a in worths.values()):
        out.append("needs no approval")
    for why, count in sorted(excluded.items()):
        if why != "infeasible":
            out.append(
                f"left out of the choice: {count} candidate{'s' if count > 1 else ''} with {why}"
            )
    return out


def _why_different(chosen: Sequence[Candidate], result: SimulationResult) -> str:
    """Why the joint figure differs from the sum of the separate ones."""
    seen: dict[tuple[str, str, str], int] = {}
    for c in chosen:
        assert c.result is not None
        for p in c.result.intercompany:
            low, high = sorted((p.lender, p.borrower))
            seen[low, high, p.currency] = seen.get((low, high, p.currency), 0) + 1
    shared = [k for k, n in seen.items() if n > 1]
    if shared:
        pairs = "; ".join(f"{a}/{b} in {cur}" for a, b, cur in sorted(shared))
        return (
            "the structures sweep between the same entities in the same currency "
            f"({pairs}), whose flows make one intercompany position, with its interest and "
            "tax posted once"
        )
    return "each structure's annual figure is rounded to the minor unit on its own"
