"""Execute (执行): the implementation plan of the design — KYC, credit approval of limits,
legal documentation, transfer pricing, regulatory filings, accounts, connectivity,
ERP/accounting, testing and go-live — each task owned by the client, the bank or both, with
business-day dates from the proposal date (docs/assess-and-design.md, "The implementation
plan")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from cashmgmt.cycle.design import Candidate, Design
from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.cycle.schedule import Peaks, Step, peaks_for, schedule
from cashmgmt.engine.fx import daily_fx
from cashmgmt.graph import sweep_forest
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.reference.durations import Duration, TaskDurations, task_durations

#: Who does a task: the client, the bank, or both together.
OWNERS = ("client", "bank", "both")
#: The plan's workstreams, in the order the plan lists them.
WORKSTREAMS = (
    "project",
    "kyc",
    "credit",
    "legal",
    "transfer-pricing",
    "regulatory",
    "accounts",
    "connectivity",
    "erp",
    "testing",
    "go-live",
)
#: Documents the rules require that are not signed documents: the approval is its own task,
#: account opening is the accounts workstream.
NOT_DOCUMENTS = frozenset({"regulatory-filing", "central-bank-approval", "account-opening"})
#: The order documents are listed in (others after, by name).
DOCUMENT_ORDER = (
    "board-resolution",
    "cash-pool-agreement",
    "cross-guarantee",
    "intercompany-loan-agreement",
    "tax-opinion",
)


@attrs.frozen
class Task:
    """One step of the plan. `key` and `params` name it for translation; `days` is the
    calendar span from `start` to `end`, `working_days` the business days it takes."""

    id: str
    workstream: str
    key: str
    params: tuple[tuple[str, str], ...]
    owner: str  # client, bank or both
    days: int
    depends: tuple[str, ...]
    start: date
    end: date
    team: str = ""
    countries: tuple[str, ...] = ()  # its start and end are working days in all of them
    working_days: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "id": self.id,
            "workstream": self.workstream,
            "key": self.key,
            "params": dict(self.params),
            "owner": self.owner,
            "team": self.team,
            "days": self.days,
            "working_days": self.working_days,
            "countries": list(self.countries),
            "depends": list(self.depends),
            "depends_on": list(self.depends),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@attrs.frozen
class Plan:
    """The implementation plan of the recommended design (or of the standard package)."""

    structure: str | None
    start: date
    tasks: tuple[Task, ...]
    documents: tuple[str, ...]
    approvals: tuple[str, ...]
    structures: tuple[str, ...] = ()  # the structures it implements
    peaks: Peaks | None = None  # the client's busy days the go-live avoids

    @property
    def end(self) -> date:
        """The day the last task ends (the go-live)."""
        return max(t.end for t in self.tasks)

    @property
    def go_live(self) -> date:
        """The go-live day: a working day of every country of the structure, outside the
        client's peaks."""
        return self.task("go-live").start

    @property
    def workstreams(self) -> tuple[str, ...]:
        """Workstreams in the order they first appear."""
        return tuple(dict.fromkeys(t.workstream for t in self.tasks))

    def task(self, task_id: str) -> Task:
        """A task by id."""
        return next(t for t in self.tasks if t.id == task_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "structure": self.structure,
            "structures": list(self.structures),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "go_live": self.go_live.isoformat(),
            "documents": list(self.documents),
            "approvals": list(self.approvals),
            "workstreams": list(self.workstreams),
            "peaks": self.peaks.to_dict() if self.peaks is not None else None,
            "tasks": [t.to_dict() for t in self.tasks],
        }


def implemented(design: Design) -> tuple[Candidate, ...]:
    """The structures the plan implements: the solution's disjoint structures, largest first
    (the recommended candidate alone for a design made without a solution)."""
    return design.members


@attrs.frozen
class Scope:
    """What the plan has to put in place, counted: the sizes its durations grow with."""

    home: str  # the group treasury's country: the client's own tasks
    hub: str  # where the bank books the structure: its top header's country
    entities: Mapping[str, tuple[str, ...]]  # account country -> entities joining there
    new_entities: frozenset[str]  # entities with no account at the bank yet (full KYC)
    accounts: int
    countries: tuple[str, ...]  # of the structure's accounts
    banks: int  # banks holding its accounts, the bank itself included
    approvals: Mapping[str, tuple[str, ...]]  # country -> topics needing approval
    documents: tuple[str, ...]
    kinds: tuple[str, ...]  # physical and/or notional
    intercompany: bool  # money moves or nets between different entities
    to_open: int  # headers to open at the bank
    to_move: int  # participants held at other banks
    channels: tuple[str, ...]

    @property
    def entity_count(self) -> int:
        """Entities joining, all countries."""
        return len({e for group in self.entities.values() for e in group})


def _parts(candidate: Candidate) -> tuple[list[PhysicalStructure], list[NotionalPool]]:
    s = candidate.structure
    if isinstance(s, HybridStructure):
        return [s.physical], [s.pool]
    if isinstance(s, PhysicalStructure):
        return [s], []
    return [], [s]


def _tops(physical: PhysicalStructure) -> list[str]:
    """A sweep structure's top headers, in rule order."""
    forest = sweep_forest(physical)
    return [a for a in physical.accounts if a in forest and forest.out_degree(a) == 0]


def _headers(physical: list[PhysicalStructure], pools: list[NotionalPool]) -> list[str]:
    out = [r.header for p in physical for r in p.rules]
    out += [p.header for p in pools if p.header is not None]
    return list(dict.fromkeys(out))


def _documents(candidates: tuple[Candidate, ...], case: Case) -> tuple[str, ...]:
    """Documents to sign: the rules' list, plus what every pool needs (a cash pool
    agreement; intercompany loan agreements where sweeps cross entities; cross guarantees
    for a notional pool of several entities)."""
    if not candidates:
        return ()
    docs = {"cash-pool-agreement"}
    for c in candidates:
        docs |= set(c.documents)
        if c.result is not None and c.result.intercompany:
            docs.add("intercompany-loan-agreement")
        for pool in _parts(c)[1]:
            if len({case.account(a).entity for a in pool.accounts}) > 1:
                docs.add("cross-guarantee")
    docs -= NOT_DOCUMENTS
    known = [d for d in DOCUMENT_ORDER if d in docs]
    return (*known, *sorted(docs - set(known)))


def scope_of(case: Case, design: Design) -> Scope:
    """What the plan for `design` puts in place, from the case."""
    candidates = implemented(design)
    home = case.client.country
    ids = list(dict.fromkeys(a for c in candidates for a in c.structure.accounts))
    accounts = [case.account(a) for a in ids]
    physical = [p for c in candidates for p in _parts(c)[0]]
    pools = [p for c in candidates for p in _parts(c)[1]]
    top = [a for p in physical for a in _tops(p)] + [p.header or p.accounts[0] for p in pools]
    hub = case.account(top[0]).country if top else home
    bank = case.proposing_bank
    elsewhere = {a.id for a in accounts if bank is not None and not case.at_proposing_bank(a)}
    headers = set(_headers(physical, pools))
    clients = {a.entity for a in case.accounts if bank is None or case.at_proposing_bank(a)}
    by_country: dict[str, list[str]] = {}
    for a in accounts:
        by_country.setdefault(a.country, [])
        if a.entity not in by_country[a.country]:
            by_country[a.country].append(a.entity)
    approvals: dict[str, list[str]] = {}
    for c in candidates:
        for f in c.flags:
            if f.status == "needs-approval" and f.topic not in approvals.get(f.country, []):
                approvals.setdefault(f.country, []).append(f.topic)
    return Scope(
        home=home,
        hub=hub,
        entities={k: tuple(v) for k, v in sorted(by_country.items())},
        new_entities=frozenset({a.entity for a in accounts} - clients),
        accounts=len(accounts),
        countries=tuple(sorted(by_country)),
        banks=len({a.bank for a in accounts} | ({bank} if bank else set())),
        approvals={k: tuple(v) for k, v in sorted(approvals.items())},
        documents=_documents(candidates, case),
        kinds=tuple(sorted({c.structure.kind for c in candidates})),
        intercompany=len({a.entity for a in accounts}) > 1,
        to_open=len(elsewhere & headers),
        to_move=len(elsewhere - headers),
        channels=tuple(
            c
            for c in ("host-to-host", "cash-management-platform", "online-banking")
            if c in design.channels
        ),
    )


@attrs.frozen
class Spec:
    """A task before it has dates."""

    id: str
    kind: Duration
    key: str
    params: tuple[tuple[str, str], ...]
    working_days: int
    depends: tuple[str, ...]
    countries: tuple[str, ...]
    owner: str
    team: str

    @property
    def step(self) -> Step:
        """What the scheduler needs."""
        return Step(self.id, self.working_days, self.depends, self.countries, self.key == "go-live")


def specs_for(scope: Scope, table: TaskDurations, structure: bool) -> list[Spec]:
    """The plan's tasks in order, each after the tasks it depends on (`structure`: False for
    the standard package, which sets up channels and trains users only)."""
    out: list[Spec] = []

    def add(
        task_id: str,
        kind: Duration,
        depends: tuple[str, ...],
        countries: tuple[str, ...],
        size: Mapping[str, int] | None = None,
        key: str | None = None,
        days: int | None = None,
        owner: str | None = None,
        team: str | None = None,
        **params: str,
    ) -> str:
        length = days if days is not None else kind.business_days(size or {})
        out.append(
            Spec(
                task_id,
                kind,
                key or kind.key,
                tuple(sorted(params.items())),
                length,
                depends,
                countries,
                owner or kind.owner,
                team or kind.team,
            )
        )
        return task_id

    home, hub = (scope.home,), (scope.hub,)
    entities = scope.entity_count
    size = {
        "entities": entities,
        "accounts": scope.accounts,
        "countries": len(scope.countries),
        "banks": scope.banks,
        "approvals": len(scope.approvals),
    }
    kickoff = add("kickoff", table.task("kickoff"), (), home)
    kyc: list[str] = []
    if structure:
        for country, group in scope.entities.items():
            new = [e for e in group if e in scope.new_entities]
            kind = table.task("kyc-onboarding" if new else "kyc-refresh")
            kyc.append(
                add(
                    f"kyc-{country}",
                    kind,
                    (kickoff,),
                    (country,),
                    {"entities": len(new or group)},
                    country=country,
                    entities=str(len(group)),
                )
            )
        limits = "pool" if scope.kinds == ("notional",) else "intraday"
        if len(scope.kinds) > 1:
            limits = "pool-and-intraday"
        credit = add(
            "credit-approval",
            table.task("credit-approval"),
            tuple(kyc),
            hub,
            size,
            key="approve-limits",
            limits=limits,
        )
    board = "doc-board-resolution" if "board-resolution" in scope.documents else None
    pricing = None
    if structure and scope.intercompany:
        pricing = add("transfer-pricing", table.task("transfer-pricing"), (kickoff,), home, size)
    for doc in scope.documents:
        kind = table.task(doc) if doc in _KNOWN_DOCUMENTS else table.task("document")
        after = (kickoff,)
        if doc == "intercompany-loan-agreement" and pricing is not None:
            after = (pricing,)  # the agreement states the transfer price
        elif doc in ("cash-pool-agreement", "cross-guarantee") and board is not None:
            after = (board,)  # each board authorises signing
        client_side = kind.owner == "client"
        add(
            f"doc-{doc}",
            kind,
            after,
            home if client_side else hub,
            size,
            key="sign-document",
            document=doc,
        )
    regulatory = []
    for country, topics in scope.approvals.items():
        filings = [f for t in topics if (f := table.filing(country, t)) is not None]
        generic = table.task("regulatory-filing")
        after = (board,) if board is not None else (kickoff,)
        if filings:
            f = max(filings, key=lambda f: f.days)
            regulatory.append(
                add(
                    f"approval-{country}",
                    generic,
                    after,
                    (country,),
                    key="file-with-regulator",
                    days=f.days,
                    owner=f.owner,
                    team=f.team,
                    country=country,
                    filing=f.filing,
                )
            )
        else:
            regulatory.append(
                add(
                    f"approval-{country}",
                    generic,
                    after,
                    (country,),
                    key="obtain-approval",
                    country=country,
                )
            )
    accounts: list[str] = []
    if scope.to_open:
        accounts.append(
            add(
                "open-accounts",
                table.task("open-accounts"),
                tuple(kyc) or (kickoff,),
                hub,
                {"accounts": scope.to_open},
                key="open-header-accounts",
                count=str(scope.to_open),
            )
        )
    if scope.to_move:
        accounts.append(
            add(
                "move-accounts",
                table.task("move-accounts"),
                tuple(kyc) or (kickoff,),
                hub,
                {"accounts": scope.to_move},
                count=str(scope.to_move),
            )
        )
    channels = [
        add(
            f"connect-{channel}",
            table.channel(channel),
            (kickoff,),
            hub,
            size,
            key="set-up-channel",
            channel=channel,
        )
        for channel in scope.channels
    ]
    if not structure:
        training = add(
            "training",
            table.task("training"),
            tuple(channels) or (kickoff,),
            hub,
            key="user-training",
        )
        add("go-live", table.task("go-live"), (training,), hub)
        return _in_order(out)
    ids = {s.id for s in out}
    agreement = tuple(a for a in ("doc-cash-pool-agreement",) if a in ids)
    set_up = add(
        "set-up-structure",
        table.task("set-up-structure"),
        (credit, *agreement, *accounts),
        hub,
        size,
    )
    erp_after = tuple(x for x in (pricing, "connect-host-to-host") if x in ids)
    erp = add("erp-set-up", table.task("erp-set-up"), erp_after or (kickoff,), home, size)
    test = add(
        "user-acceptance-test",
        table.task("user-acceptance-test"),
        (set_up, erp, *channels),
        hub,
        size,
    )
    parallel = add("parallel-run", table.task("parallel-run"), (test,), hub)
    used = {d for s in out for d in s.depends}
    ends = tuple(s.id for s in out if s.id not in used and s.id != parallel)
    add(
        "go-live",
        table.task("go-live"),
        tuple(dict.fromkeys((parallel, *ends, *regulatory))),
        scope.countries or hub,
    )
    return _in_order(out)


_KNOWN_DOCUMENTS = frozenset(DOCUMENT_ORDER)


def _in_order(specs: list[Spec]) -> list[Spec]:
    """The specs with each after every spec it depends on (stable otherwise)."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(s.id for s in specs)
    graph.add_edges_from((d, s.id) for s in specs for d in s.depends)
    rank = {s.id: i for i, s in enumerate(specs)}
    order = list(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
    by_id = {s.id: s for s in specs}
    return [by_id[i] for i in order]


def group_total(case: Case) -> npt.NDArray[np.int64]:
    """The group's total balance per day in base minor units (each day at its own rate)."""
    history = case.balances
    currencies = [case.account(a).currency for a in history.accounts]
    days = np.arange(history.days, dtype=np.int64)
    converted = daily_fx(case).convert(history.minor, currencies, days)
    total: npt.NDArray[np.int64] = converted.sum(axis=0)
    return total


def plan(design: Design, start: date | None = None, *, case: Case) -> Plan:
    """Schedule the implementation of `design` for `case` from `start`, the proposal date
    (default: the day after the history ends, the pipeline's default `on`): each task starts
    on the first working day of its countries after the tasks it depends on end, and runs
    for its working days; the go-live is a working day of every country of the structure,
    outside the client's peak periods."""
    if start is None:
        start = case.balances.end + timedelta(days=1)
    table = task_durations()
    candidates = implemented(design)
    scope = scope_of(case, design)
    specs = specs_for(scope, table, bool(candidates))
    peaks = peaks_for(group_total(case), case.balances.start, table.peaks)
    dates = schedule([s.step for s in specs], start, peaks)
    tasks = tuple(
        Task(
            s.id,
            s.kind.workstream,
            s.key,
            s.params,
            s.owner,
            (dates[s.id][1] - dates[s.id][0]).days + 1,
            s.depends,
            dates[s.id][0],
            dates[s.id][1],
            s.team,
            s.countries,
            s.working_days,
        )
        for s in specs
    )
    return Plan(
        design.recommended,
        start,
        tasks,
        scope.documents,
        tuple(sorted(scope.approvals)),
        tuple(c.id for c in candidates),
        peaks,
    )
