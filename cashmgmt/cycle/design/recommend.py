"""Ranking the candidates, and the approval policy the solution applies (solution.py
recommends: a set of disjoint candidates, not one)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cashmgmt.cycle.design.candidates import Candidate

#: Approvals are left out, least valuable first, only while the best solution without them
#: all still earns this share of the best solution with every approval (solution.choose):
#: together they give up at most a tenth.
APPROVAL_TOLERANCE = Decimal("0.9")


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Feasible candidates first, by benefit per year (best first), then the simpler; then the
    infeasible ones."""
    return sorted(
        candidates,
        key=lambda c: (not c.feasible, -(c.benefit_annual or Decimal(0)), c.complexity, c.id),
    )
