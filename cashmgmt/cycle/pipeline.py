"""The client management process as one pipeline: assess → design → execute → celebrate.

`run_cycle` runs the phases in order and returns their outputs as one immutable result;
it renders nothing, so a portfolio run or another tool gets a design without loading
templates, charts or PDF libraries.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs

from cashmgmt.cycle.assess import Assessment, assess
from cashmgmt.cycle.celebrate import Success, celebrate
from cashmgmt.cycle.design import Design, design
from cashmgmt.cycle.execute import Plan, plan
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.results import SimulationResult
from cashmgmt.model import Case


def default_date(case: Case) -> date:
    """The date a run is as of when none is given: the day after the balance history ends,
    so the same case gives the same documents on any day (never today's date)."""
    return case.balances.end + timedelta(days=1)


@attrs.frozen
class CycleResult:
    """Every phase's output for one case, as of `on`."""

    case: Case
    on: date
    assessment: Assessment
    design: Design
    plan: Plan
    success: Success | None

    @property
    def result(self) -> SimulationResult | None:
        """The recommendation's simulation: the solution's structures simulated together
        (None when nothing was recommended)."""
        return self.design.result

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt cycle --json`: each phase's own JSON form."""
        return {
            "on": self.on.isoformat(),
            "assessment": self.assessment.to_dict(),
            "design": self.design.to_dict(),
            "plan": self.plan.to_dict(),
            "success": self.success.to_dict() if self.success is not None else None,
        }


def run_cycle(case: Case, *, on: date | None = None, replay: Replay | None = None) -> CycleResult:
    """Assess, design, plan and celebrate a case; `on` defaults to `default_date(case)`.
    Assess and design share one `replay` (the status quo, worked out once), the caller's if
    it holds one."""
    replay = replay_for(case, replay)
    assessment = assess(case, replay=replay)
    chosen_design = design(case, assessment, replay=replay)
    on = on or default_date(case)
    return CycleResult(
        case=case,
        on=on,
        assessment=assessment,
        design=chosen_design,
        plan=plan(chosen_design, on, case=case),
        success=celebrate(chosen_design),
    )
