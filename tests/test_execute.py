"""Execute: the plan follows the design, its dates are business days of each task's countries
from the proposal date, every dependency holds, durations grow with the size of what is put
in place, and the go-live is a weekday outside the client's peaks (issue 13, "A plan that
could run"). Business days are checked against the `holidays` package directly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import holidays
import numpy as np
import pytest
from casekit import BASE_CASE, MONTH_BALANCES, write_case
from hypothesis import given, settings
from hypothesis import strategies as st

import cashmgmt
from cashmgmt.cycle.execute import OWNERS, WORKSTREAMS, Scope, scope_of, specs_for
from cashmgmt.cycle.schedule import Peaks, Step, peak_months, schedule
from cashmgmt.reference.durations import task_durations

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


if TYPE_CHECKING:
    Plans: TypeAlias = dict[str, tuple[cashmgmt.Case, cashmgmt.Design, cashmgmt.Plan]]


@cache
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def working(day: date, countries: tuple[str, ...]) -> bool:
    """The oracle: a working day in every country by the `holidays` package's own rule."""
    return all(_calendar(c, day.year).is_working_day(day) for c in countries)


@pytest.fixture(scope="module")
def plans() -> Plans:
    out = {}
    for name in NAMES:
        case = cashmgmt.load_case(EXAMPLES / name)
        design = cashmgmt.design(case, cashmgmt.assess(case))
        out[name] = (case, design, cashmgmt.plan(design, case=case))
    return out


def check_plan(plan: cashmgmt.Plan) -> None:
    """Every rule a plan keeps, whatever it plans."""
    ids = [t.id for t in plan.tasks]
    assert len(ids) == len(set(ids))
    seen: set[str] = set()
    for task in plan.tasks:
        assert set(task.depends) <= seen, f"{task.id} listed before what it depends on"
        seen.add(task.id)
        assert task.owner in OWNERS and task.workstream in WORKSTREAMS
        assert (task.end - task.start).days + 1 == task.days
        assert working(task.start, task.countries) and working(task.end, task.countries)
        assert task.working_days == sum(
            working(task.start + timedelta(days=d), task.countries) for d in range(task.days)
        )
        for dep in task.depends:
            assert plan.task(dep).end < task.start
        if not task.depends:
            assert task.start >= plan.start
    go_live = plan.task("go-live")
    assert go_live.start == plan.go_live == go_live.end == plan.end
    assert plan.go_live.weekday() < 5  # never a Saturday (nor a Sunday)
    assert all(t.end < plan.go_live for t in plan.tasks if t is not go_live)
    assert plan.peaks is None or plan.go_live not in plan.peaks


@pytest.mark.parametrize("name", NAMES)
def test_every_task_is_on_business_days_after_what_it_depends_on(name: str, plans: Plans) -> None:
    check_plan(plans[name][2])


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_follows_the_design(name: str, plans: Plans) -> None:
    case, design, plan = plans[name]
    chosen = design.chosen
    assert plan.structure == design.recommended
    if chosen is None:
        assert plan.documents == () and plan.approvals == ()
        assert "training" in {t.id for t in plan.tasks}
        return
    # the plan implements the whole solution (its disjoint structures, largest first)
    assert design.solution is not None
    members = [design.candidate(i) for i in design.solution.structures]
    assert plan.structures == design.solution.structures
    approvals = {c for m in members for c in m.approvals}
    assert approvals == set(plan.approvals)
    assert {f"approval-{c}" for c in approvals} <= {t.id for t in plan.tasks}
    assert "cash-pool-agreement" in plan.documents
    if chosen.result is not None and chosen.result.intercompany:
        assert "intercompany-loan-agreement" in plan.documents
        assert plan.task("transfer-pricing").owner == "client"
    for doc in plan.documents:
        assert plan.task(f"doc-{doc}").workstream == "legal"
    # the go-live is a working day of every country of the structure
    countries = {case.account(a).country for m in members for a in m.structure.accounts}
    assert set(plan.task("go-live").countries) == countries
    # a KYC task in each of them, and the limits approved after every KYC
    kyc = {t.id for t in plan.tasks if t.workstream == "kyc"}
    assert kyc == {f"kyc-{c}" for c in countries}
    assert set(plan.task("credit-approval").depends) == kyc


def test_the_workstreams_a_large_group_needs(plans: Plans) -> None:
    """Aurora (a multi-entity notional pool across ten countries, with approvals) gets every
    workstream the issue lists; the bank's legal team does none of the client's own tasks."""
    _, _, plan = plans["aurora-industrial"]
    assert set(WORKSTREAMS) <= set(plan.workstreams)
    for doc in ("board-resolution", "tax-opinion"):
        if doc in plan.documents:
            task = plan.task(f"doc-{doc}")
            assert task.owner == "client" and task.team.startswith("client-"), doc
    assert all(not t.team.startswith("bank-") for t in plan.tasks if t.owner == "client")


def test_a_larger_structure_takes_longer(plans: Plans) -> None:
    """The old plan went live 66 days after kick-off whatever the size: Aurora (81 accounts,
    10 countries, cross guarantees) now takes longer than Larkspur's one-country sweep."""
    spans = {
        n: (p.go_live - p.task("kickoff").start).days
        for n, (_, _, p) in plans.items()
        if n in NAMES
    }
    assert spans["aurora-industrial"] > spans["larkspur-bakery"]
    assert len(set(spans.values())) > 1


def test_the_proposal_date_moves_the_plan(plans: Plans) -> None:
    """The plan starts from the proposal date (not a month after the history), and a later
    proposal never goes live earlier."""
    case, design, plan = plans["aurora-industrial"]
    assert plan.start == case.balances.end + timedelta(days=1)
    assert cashmgmt.plan(design, case=case) == plan
    for start in (date(2026, 3, 2), date(2026, 3, 9), date(2026, 7, 4)):
        moved = cashmgmt.plan(design, start, case=case)
        assert moved.start == start
        assert moved.task("kickoff").start == min(
            d for d in (start + timedelta(days=k) for k in range(10)) if working(d, ("NL",))
        )
        check_plan(moved)
        later = cashmgmt.plan(design, start + timedelta(days=28), case=case)
        assert later.go_live > moved.go_live
    cycled = cashmgmt.run_cycle(case, on=date(2026, 5, 4))
    assert cycled.plan.start == date(2026, 5, 4)


# --- constructed cases ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[cashmgmt.Case, cashmgmt.Design]:
    """casekit's group: CCB proposes; EAST-CNY is held at ICBC."""
    folder = write_case(tmp_path_factory.mktemp("plan"), BASE_CASE, MONTH_BALANCES)
    case = cashmgmt.load_case(folder)
    return case, cashmgmt.design(case, cashmgmt.assess(case))


def test_only_the_accounts_the_structure_needs_are_moved(
    small: tuple[cashmgmt.Case, cashmgmt.Design],
) -> None:
    """The old plan had the client "move" every account held at another bank. A structure
    of accounts at the bank moves none, however many the group holds elsewhere; a structure
    with a participant at another bank moves that one."""
    case, design = small
    assert design.assessment.diagnostics.accounts_elsewhere == 1
    # HQ-CNY and NOR-USD, both at CCB
    pool = attrs.evolve(design, recommended="pool", solution=None)
    assert scope_of(case, pool).to_move == 0
    assert "move-accounts" not in {t.id for t in cashmgmt.plan(pool, case=case).tasks}
    # EAST-CNY at ICBC swept to HQ-CNY at CCB
    zba = attrs.evolve(design, recommended="zba", solution=None)
    scope = scope_of(case, zba)
    assert (scope.to_move, scope.to_open) == (1, 0)
    planned = cashmgmt.plan(zba, case=case)
    assert planned.task("move-accounts").params == (("count", "1"),)
    check_plan(planned)


def test_entities_new_to_the_bank_go_through_full_kyc(
    small: tuple[cashmgmt.Case, cashmgmt.Design],
) -> None:
    """EAST holds no account at CCB: joining a structure, it is onboarded (six weeks on
    average, GLEIF), where HQ, already a client, has its KYC refreshed."""
    case, design = small
    zba = cashmgmt.plan(attrs.evolve(design, recommended="zba", solution=None), case=case)
    assert zba.task("kyc-CN").key == "kyc-onboarding"
    assert zba.task("kyc-CN").working_days >= 30
    pool = cashmgmt.plan(attrs.evolve(design, recommended="pool", solution=None), case=case)
    assert {pool.task(f"kyc-{c}").key for c in ("CN", "NO")} == {"kyc-refresh"}


def scope(**changes: Any) -> Scope:
    base = Scope(
        home="CN",
        hub="HK",
        entities={"CN": ("A",), "HK": ("B",)},
        new_entities=frozenset(),
        accounts=2,
        countries=("CN", "HK"),
        banks=1,
        approvals={},
        documents=("cash-pool-agreement",),
        kinds=("physical",),
        intercompany=True,
        to_open=0,
        to_move=0,
        channels=("online-banking",),
    )
    return attrs.evolve(base, **changes)


def go_live(s: Scope, start: date = date(2026, 3, 2), peaks: Peaks | None = None) -> date:
    specs = specs_for(s, task_durations(), True)
    return schedule([x.step for x in specs], start, peaks)["go-live"][0]


def test_a_chinese_cross_border_pool_is_filed_with_safe() -> None:
    """A cross-border sweep touching China is filed with SAFE through the cooperating bank
    (both parties), before the go-live."""
    specs = {
        s.id: s
        for s in specs_for(scope(approvals={"CN": ("cross-border-sweep",)}), task_durations(), True)
    }
    filing = specs["approval-CN"]
    assert (filing.key, filing.owner, filing.kind.workstream) == (
        "file-with-regulator",
        "both",
        "regulatory",
    )
    assert dict(filing.params)["filing"] == "cn-cross-border-pool"
    assert "approval-CN" in specs["go-live"].depends


def test_no_saturday_go_live() -> None:
    """Everything done on a Friday: the go-live is the Monday after, not the Saturday (a
    Hong Kong Saturday is a working day to the `holidays` package, a bank's go-live not)."""
    steps = [Step("work", 5, (), ("HK",)), Step("go-live", 1, ("work",), ("HK",), True)]
    dates = schedule(steps, date(2026, 3, 9))
    assert dates["work"][1] == date(2026, 3, 13)  # Monday 9 to Friday 13
    assert dates["go-live"][0] == date(2026, 3, 16)


def test_peaks_from_the_history() -> None:
    """The peak month is the month of the year with the largest net outflow of the group,
    when material (1.25 times the average month); a flat history has none; transfers
    between the group's own accounts do not count (the total does not fall)."""
    start = date(2025, 1, 1)
    days = 365
    flat = np.full(days, 1_000_000, dtype=np.int64)
    assert peak_months(flat, start, Decimal("1.25")) == ()
    steady = np.arange(days, 0, -1, dtype=np.int64) * 1000  # 1,000 a day out, every day
    assert peak_months(steady, start, Decimal("1.25")) == ()
    busy = steady.copy()
    march = (date(2025, 3, 10) - start).days
    busy[march:] -= 500_000  # one large payment in March
    assert peak_months(busy, start, Decimal("1.25")) == (3,)
    rule = Peaks((3,), 5, 3)
    assert date(2026, 3, 10) in rule and date(2026, 6, 27) in rule and date(2026, 7, 3) in rule
    assert date(2026, 6, 25) not in rule and date(2026, 7, 4) not in rule


def test_the_go_live_avoids_the_clients_peaks() -> None:
    """Ready at a quarter end: the go-live waits for the first weekday after the window."""
    steps = [Step("work", 1, (), ("US",)), Step("go-live", 1, ("work",), ("US",), True)]
    dates = schedule(steps, date(2026, 3, 27), Peaks((), 5, 3))
    assert dates["go-live"][0] == date(2026, 4, 6)
    dates = schedule(steps, date(2026, 3, 27), Peaks((4,), 5, 3))
    assert dates["go-live"][0] == date(2026, 5, 1)


FACTORS = ("entities", "accounts", "countries", "banks", "approvals")


@given(
    st.sampled_from([t.key for t in task_durations().tasks] + ["host-to-host"]),
    st.dictionaries(st.sampled_from(FACTORS), st.integers(0, 200)),
    st.sampled_from(FACTORS),
    st.integers(1, 50),
)
def test_durations_never_shrink_with_size(
    key: str, size: dict[str, int], factor: str, more: int
) -> None:
    table = task_durations()
    kind = table.channel(key) if key == "host-to-host" else table.task(key)
    bigger = {**size, factor: size.get(factor, 1) + more}
    assert kind.business_days(bigger) >= kind.business_days(size) >= kind.days >= 1


COUNTRIES = ("CN", "HK", "GB", "DE", "US", "SG")
DOCS = (
    "board-resolution",
    "cash-pool-agreement",
    "cross-guarantee",
    "intercompany-loan-agreement",
    "tax-opinion",
)
CHANNELS = ("host-to-host", "cash-management-platform", "online-banking")


@st.composite
def grown_scopes(draw: st.DrawFn) -> tuple[Scope, Scope, date]:
    """A scope and a larger one: more entities, accounts, countries, banks, approvals,
    documents, channels; never fewer."""
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True))
    extra = draw(st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True))
    entities = {c: tuple(f"{c}{i}" for i in range(draw(st.integers(1, 4)))) for c in countries}
    grown = dict(entities)
    for c in extra:
        grown[c] = (*grown.get(c, ()), *(f"{c}x{i}" for i in range(draw(st.integers(1, 3)))))
    everyone = sorted(e for group in entities.values() for e in group)
    new = frozenset(draw(st.lists(st.sampled_from(everyone), unique=True)))
    approvals = {c: ("cross-border-sweep",) for c in countries if draw(st.booleans())}
    docs = draw(st.lists(st.sampled_from(DOCS), unique=True))
    channels = draw(st.lists(st.sampled_from(CHANNELS), unique=True))
    accounts, more = draw(st.integers(1, 40)), draw(st.integers(0, 40))
    small = scope(
        home=countries[0],
        hub=countries[-1],
        entities=dict(sorted(entities.items())),
        new_entities=new,
        accounts=accounts,
        countries=tuple(sorted(entities)),
        banks=draw(st.integers(1, 3)),
        approvals=approvals,
        documents=tuple(d for d in DOCS if d in docs),
        intercompany=draw(st.booleans()),
        to_open=draw(st.integers(0, 2)),
        to_move=draw(st.integers(0, 5)),
        channels=tuple(c for c in CHANNELS if c in channels),
    )
    big = attrs.evolve(
        small,
        entities=dict(sorted(grown.items())),
        new_entities=new | frozenset(draw(st.lists(st.sampled_from(everyone), unique=True))),
        accounts=accounts + more,
        countries=tuple(sorted(grown)),
        banks=small.banks + draw(st.integers(0, 2)),
        approvals={**approvals, **{c: ("cross-border-sweep",) for c in extra}},
        documents=tuple(d for d in DOCS if d in docs or draw(st.booleans())),
        intercompany=small.intercompany or draw(st.booleans()),
        to_open=small.to_open + draw(st.integers(0, 2)),
        to_move=small.to_move + draw(st.integers(0, 5)),
        channels=tuple(c for c in CHANNELS if c in channels or draw(st.booleans())),
    )
    start = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    return small, big, start


@settings(max_examples=60, deadline=None)
@given(grown_scopes())
def test_a_larger_scope_never_goes_live_earlier(case: tuple[Scope, Scope, date]) -> None:
    """Durations grow with countries, entities, accounts, banks and approvals, and every
    task of the larger plan starts and ends on working days of its countries, after what it
    depends on, with the go-live on a weekday outside the peaks."""
    small, big, start = case
    peaks = Peaks((11,), 5, 3)
    assert go_live(big, start, peaks) >= go_live(small, start, peaks)
    specs = specs_for(big, task_durations(), True)
    dates = schedule([s.step for s in specs], start, peaks)
    for s in specs:
        first, last = dates[s.id]
        assert first >= start and working(first, s.countries) and working(last, s.countries)
        assert all(dates[d][1] < first for d in s.depends)
    live = dates["go-live"][0]
    assert live.weekday() < 5 and live not in peaks and working(live, big.countries)
