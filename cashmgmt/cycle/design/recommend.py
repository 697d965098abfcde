"""Ranking the candidates and recommending one, with the reasons in English."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from cashmgmt.cycle.design.candidates import Candidate

#: A candidate needing approval gives way to a simpler one within this share of its benefit.
APPROVAL_TOLERANCE = Decimal("0.9")


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Feasible candidates first, by benefit per year (best first), then the simpler; then the
    infeasible ones."""
    return sorted(
        candidates,
        key=lambda c: (not c.feasible, -(c.benefit_annual or Decimal(0)), c.complexity, c.id),
    )


def recommend(candidates: Sequence[Candidate]) -> tuple[str | None, list[str]]:
    """The recommended candidate's id (None for the standard package) and why, from the
    candidates in ranked order."""
    ranked = [c for c in candidates if c.feasible and c.result is not None]
    if not ranked:
        return None, ["no feasible structure"]
    best = ranked[0]
    assert best.benefit_annual is not None
    if best.benefit_annual <= 0:
        return None, [
            f"no structure pays for its fees (best: {best.id}, "
            f"{best.benefit_annual} {best.result.currency if best.result else ''} "
            "a year); the standard package serves the client better"
        ]
    if best.approvals:
        for other in ranked[1:]:
            b = other.benefit_annual
            if (
                not other.approvals
                and b is not None
                and b >= best.benefit_annual * (APPROVAL_TOLERANCE)
            ):
                return other.id, [
                    f"{other.id} earns {b} a year, within 10% of {best.id} ({best.benefit_annual}),"
                    f" and needs no approval, while {best.id} needs approval in "
                    + ", ".join(best.approvals)
                ]
    reasons = [
        f"highest benefit of the feasible structures: {best.benefit_annual} "
        f"{best.result.currency if best.result else ''} a year"
    ]
    if best.approvals:
        reasons.append("needs approval in " + ", ".join(best.approvals))
    return best.id, reasons
