"""Design (设计): candidate structures checked against the rules and each country's regulation,
simulated against the status quo, ranked; a recommendation with its reasons; a product bundle.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from cashmgmt.cycle.design.bundle import BundleItem, bundle
from cashmgmt.cycle.design.candidates import Candidate, CandidateStructure, generate
from cashmgmt.cycle.design.feasibility import check
from cashmgmt.cycle.design.recommend import rank, recommend
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.simulate import simulate_structure
from cashmgmt.errors import AssessmentError, Problem
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.model import Case
from cashmgmt.reference.rules import disclaimer

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment

__all__ = ["Candidate", "Design", "design"]


@attrs.frozen
class Design:
    """The design phase's result."""

    candidates: tuple[Candidate, ...]  # feasible by benefit, best first; then the others
    recommended: str | None
    reasons: tuple[str, ...]
    bundle: tuple[BundleItem, ...]
    channels: tuple[str, ...]
    assessment: Assessment = attrs.field(eq=False, repr=False)
    history_end: date = attrs.field(eq=False, repr=False)

    @property
    def chosen(self) -> Candidate | None:
        """The recommended candidate, if any."""
        return None if self.recommended is None else self.candidate(self.recommended)

    def candidate(self, candidate_id: str) -> Candidate:
        """A candidate by id."""
        return next(c for c in self.candidates if c.id == candidate_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt design --json`."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "recommended": self.recommended,
            "reasons": list(self.reasons),
            "bundle": [b.to_dict() for b in self.bundle],
            "channels": list(self.channels),
            "disclaimer": disclaimer(),
        }


def check_history(case: Case) -> None:
    """A located problem unless the history is long enough to rank candidates by a yearly
    benefit (MIN_HISTORY_DAYS): a year is not 365 copies of one day."""
    days = case.balances.days
    if days < MIN_HISTORY_DAYS:
        expected = f"at least {MIN_HISTORY_DAYS} days of balances to annualise a benefit"
        found = (
            f"{days} day{'' if days == 1 else 's'} ({case.balances.start} to {case.balances.end})"
        )
        problem = Problem(case.source or "case", "balances", f"expected {expected}; got {found}")
        raise AssessmentError([problem])


def design(case: Case, assessment: Assessment, *, replay: Replay | None = None) -> Design:
    """Candidates from the case and the group's shape, checked, simulated and ranked
    (`replay`: the case's engine parts, when the caller already holds them)."""
    check_history(case)
    held = replay_for(case, replay)
    pool: list[tuple[CandidateStructure, str, str]] = [
        (s, "case", "written in the case") for s in case.structures
    ]
    pool += [(s, "generated", d) for s, d in generate(case, assessment)]
    candidates = []
    for structure, origin, description in pool:
        feasible, reasons, flags = check(case, structure)
        if origin == "generated" and not feasible:
            continue  # a generated structure that breaks a rule is dropped
        result = simulate_structure(case, structure, replay=held) if feasible else None
        candidates.append(
            Candidate(
                structure, origin, description, feasible, tuple(reasons), tuple(flags), result
            )
        )
    ranked = rank(candidates)
    recommended, reasons = recommend(ranked)
    chosen = next((c for c in ranked if c.id == recommended), None)
    items, channels = bundle(case, assessment, chosen)
    return Design(
        tuple(ranked),
        recommended,
        tuple(reasons),
        tuple(items),
        tuple(channels),
        assessment,
        case.balances.end,
    )
