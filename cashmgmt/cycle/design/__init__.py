"""Design (设计): candidate structures checked against the rules and each country's regulation,
simulated against the status quo, ranked; a recommendation with its reasons; a product bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from cashmgmt.cycle.design.bundle import BundleItem, bundle
from cashmgmt.cycle.design.candidates import Candidate, CandidateStructure, Flag, generate
from cashmgmt.cycle.design.carveout import carve_out
from cashmgmt.cycle.design.feasibility import check
from cashmgmt.cycle.design.recommend import rank
from cashmgmt.cycle.design.solution import Solution, choose, shortfall_days
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.results import SimulationResult
from cashmgmt.engine.simulate import simulate_solution, simulate_structure
from cashmgmt.errors import AssessmentError, Problem
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.model import Case, PhysicalStructure
from cashmgmt.reference.rules import disclaimer

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment

__all__ = ["Candidate", "Design", "Solution", "design"]


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
    #: The disjoint structures recommended together (`recommended` is the largest of them).
    solution: Solution | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def chosen(self) -> Candidate | None:
        """The recommended candidate, if any."""
        return None if self.recommended is None else self.candidate(self.recommended)

    @property
    def members(self) -> tuple[Candidate, ...]:
        """The solution's structures, largest first (the recommended candidate alone for a
        design made without a solution)."""
        if self.solution is not None:
            return tuple(self.candidate(i) for i in self.solution.structures)
        return () if self.chosen is None else (self.chosen,)

    @property
    def result(self) -> SimulationResult | None:
        """The recommendation's simulation: the solution's structures simulated together, or
        the recommended candidate's own (None when nothing was recommended)."""
        if self.solution is not None and self.solution.result is not None:
            return self.solution.result
        chosen = self.chosen
        return chosen.result if chosen is not None else None

    def candidate(self, candidate_id: str) -> Candidate:
        """A candidate by id."""
        return next(c for c in self.candidates if c.id == candidate_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt design --json`."""
        return {
            "candidates": [{**c.to_dict(), **_more(c)} for c in self.candidates],
            "recommended": self.recommended,
            "reasons": list(self.reasons),
            "bundle": [b.to_dict() for b in self.bundle],
            "channels": list(self.channels),
            "disclaimer": disclaimer(),
            "solution": None if self.solution is None else self.solution.to_dict(),
        }


def _more(c: Candidate) -> dict[str, Any]:
    """A candidate's JSON entry beyond Candidate.to_dict: its accounts, shortfall days and
    the rules that need approval (country, topic, what each requires)."""
    return {
        "accounts": list(c.structure.accounts),
        "shortfall_days": None if c.result is None else shortfall_days(c.result),
        "approval_rules": [
            {
                "country": f.country,
                "topic": f.topic,
                "requires": list(f.requires),
                "note": f.note,
                "source": f.source,
            }
            for f in c.flags
            if f.status == "needs-approval"
        ],
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
    for structure, origin, description in pool:  # carve-outs join the pool as they come
        feasible, reasons, flags = check(case, structure)
        if not feasible and origin != "carve-out" and not _structural(reasons, flags):
            pool += _carved(case, assessment, structure, pool)
        if origin in {"generated", "carve-out"} and not feasible:
            continue  # a generated structure that breaks a rule is dropped
        result = simulate_structure(case, structure, replay=held) if feasible else None
        candidates.append(
            Candidate(
                structure, origin, description, feasible, tuple(reasons), tuple(flags), result
            )
        )
    ranked = rank(candidates)

    def together(chosen: Sequence[Candidate]) -> SimulationResult:
        return simulate_solution(case, [c.structure for c in chosen], replay=held)

    solution = choose(ranked, case.base_currency, held.unpoolable, together)
    recommended = solution.structures[0] if solution.structures else None
    members = [c for i in solution.structures for c in ranked if c.id == i]
    items, channels = bundle(case, assessment, members)
    return Design(
        tuple(ranked),
        recommended,
        solution.reasons,
        tuple(items),
        tuple(channels),
        assessment,
        case.balances.end,
        solution,
    )


def _structural(reasons: Sequence[str], flags: Sequence[Flag]) -> bool:
    """Whether a check's reasons include a structural fault (not a country rule)."""
    return bool(set(reasons) - {f.reason() for f in flags})


def _carved(
    case: Case,
    assessment: Assessment,
    structure: CandidateStructure,
    pool: Sequence[tuple[CandidateStructure, str, str]],
) -> list[tuple[CandidateStructure, str, str]]:
    """The carve-out of a structure a country rule forbids, and the sweeps serving the
    accounts carved out, less any the pool already holds (by id, or a sweep with the same
    rules: a generated zba-<cur>-<country> often serves them already)."""
    sweeps = {frozenset(s.rules): s.id for s, _, _ in pool if isinstance(s, PhysicalStructure)}
    carved = carve_out(case, assessment, structure, sweeps)
    if carved is None:
        return []
    taken = {s.id for s, _, _ in pool}
    out: list[tuple[CandidateStructure, str, str]] = [
        (carved.structure, "carve-out", carved.description),
        *((s, "carve-out", d) for s, d in carved.companions),
    ]
    return [item for item in out if item[0].id not in taken]
