"""Execute: the plan follows the design and its schedule respects every dependency."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pytest

import cashmgmt

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


if TYPE_CHECKING:
    Plans: TypeAlias = dict[str, tuple[cashmgmt.Design, cashmgmt.Plan]]


@pytest.fixture(scope="module")
def plans() -> Plans:
    out = {}
    for name in NAMES:
        case = cashmgmt.load_case(EXAMPLES / name)
        design = cashmgmt.design(case, cashmgmt.assess(case))
        out[name] = (design, cashmgmt.plan(design))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_task_starts_after_what_it_depends_on(name: str, plans: Plans) -> None:
    _, plan = plans[name]
    ids = [t.id for t in plan.tasks]
    assert len(ids) == len(set(ids))
    for task in plan.tasks:
        assert (task.end - task.start).days + 1 == task.days
        for dep in task.depends:
            assert plan.task(dep).end < task.start
        if not task.depends:
            assert task.start == plan.start
    go_live = plan.task("go-live")
    assert go_live.end == plan.end and all(
        t.end <= go_live.start or t is go_live for t in plan.tasks
    )
    assert {t.owner for t in plan.tasks} <= set(cashmgmt.cycle.execute.OWNERS)


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_follows_the_design(name: str, plans: Plans) -> None:
    design, plan = plans[name]
    chosen = design.chosen
    assert plan.structure == design.recommended
    if chosen is None:
        assert plan.documents == () and plan.approvals == ()
        assert "training" in {t.id for t in plan.tasks}
        return
    assert set(chosen.approvals) == set(plan.approvals)
    assert {f"approval-{c}" for c in chosen.approvals} <= {t.id for t in plan.tasks}
    assert "cash-pool-agreement" in plan.documents
    if chosen.result is not None and chosen.result.intercompany:
        assert "intercompany-loan-agreement" in plan.documents
    for doc in plan.documents:
        assert plan.task(f"doc-{doc}").workstream == "documentation"
    if "host-to-host" in design.channels:
        assert plan.task("connect-host-to-host").days == 45


def test_plans_are_reproducible_and_start_on_a_monday(plans: Plans) -> None:
    design, plan = plans["aurora-industrial"]
    assert cashmgmt.plan(design) == plan
    assert plan.start.weekday() == 0
    assert plan.start > design.history_end
    later = cashmgmt.plan(design, start=plan.start + timedelta(days=7))
    assert later.end == plan.end + timedelta(days=7)
    assert cashmgmt.plan(design, start=date(2026, 1, 5)).start == date(2026, 1, 5)
