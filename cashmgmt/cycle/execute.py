"""Execute (执行): the implementation plan derived from the design — workstreams, documents,
approvals, accounts, connectivity, testing and go-live, with owners, durations and dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs

from cashmgmt.cycle.design import Design
from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.model import NotionalPool, PhysicalStructure
from cashmgmt.reference.durations import task_durations

#: Owners of tasks: the bank's coverage team and the client.
OWNERS = ("rm", "product-provider", "bank-legal", "bank-operations", "client-treasury")


@attrs.frozen
class Task:
    """One step of the plan. `key` and `params` name it for translation."""

    id: str
    workstream: str  # documentation, regulatory, accounts, connectivity, testing, go-live
    key: str
    params: tuple[tuple[str, str], ...]
    owner: str
    days: int
    depends: tuple[str, ...]
    start: date
    end: date

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "id": self.id,
            "workstream": self.workstream,
            "key": self.key,
            "params": dict(self.params),
            "owner": self.owner,
            "days": self.days,
            "depends": list(self.depends),
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

    @property
    def end(self) -> date:
        """Go-live: the day the last task ends."""
        return max(t.end for t in self.tasks)

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
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "documents": list(self.documents),
            "approvals": list(self.approvals),
            "workstreams": list(self.workstreams),
            "tasks": [t.to_dict() for t in self.tasks],
        }


def _documents(design: Design) -> list[str]:
    """Documents the recommended structure needs: the country rules' list, plus what every
    pool needs (a cash pool agreement; intercompany loan agreements where sweeps cross
    entities; cross guarantees for a notional pool of several entities)."""
    chosen = design.chosen
    if chosen is None:
        return []
    docs = set(chosen.documents) | {"cash-pool-agreement"}
    if chosen.result is not None and chosen.result.intercompany:
        docs.add("intercompany-loan-agreement")
    s = chosen.structure
    pools = (
        [s.pool] if isinstance(s, HybridStructure) else [s] if isinstance(s, NotionalPool) else []
    )
    if pools:
        docs.add("cross-guarantee")
    return sorted(docs - {"regulatory-filing", "central-bank-approval", "account-opening"})


def plan(design: Design, start: date | None = None) -> Plan:
    """Schedule the implementation: each task starts the day after the tasks it depends on
    end. `start` defaults to the first Monday a month after the history's last day (plans are
    reproducible: no dependence on today's date)."""
    if start is None:
        first = design.history_end + timedelta(days=30)
        start = first + timedelta(days=(7 - first.weekday()) % 7)
    specs: list[tuple[str, str, str, dict[str, str], str, int, tuple[str, ...]]] = []

    def add(
        task_id: str,
        workstream: str,
        key: str,
        owner: str,
        days: int,
        depends: tuple[str, ...],
        **params: str,
    ) -> str:
        specs.append((task_id, workstream, key, params, owner, days, depends))
        return task_id

    durations = task_durations()
    chosen = design.chosen
    kickoff = add("kickoff", "documentation", "kickoff", "rm", durations.kickoff, ())
    ready: list[str] = []
    documents = _documents(design)
    for doc in documents:
        ready.append(
            add(
                f"doc-{doc}",
                "documentation",
                "sign-document",
                "bank-legal",
                durations.document,
                (kickoff,),
                document=doc,
            )
        )
    approvals = chosen.approvals if chosen is not None else ()
    for country in approvals:
        ready.append(
            add(
                f"approval-{country}",
                "regulatory",
                "obtain-approval",
                "client-treasury",
                durations.approval,
                (kickoff,),
                country=country,
            )
        )
    if chosen is not None and chosen.origin == "generated":
        s = chosen.structure
        parts = (
            [s.physical]
            if isinstance(s, HybridStructure)
            else [s]
            if isinstance(s, PhysicalStructure)
            else []
        )
        headers = sorted({r.header for p in parts for r in p.rules})
        if headers:
            ready.append(
                add(
                    "open-accounts",
                    "accounts",
                    "open-header-accounts",
                    "bank-operations",
                    durations.open_accounts,
                    (kickoff,),
                    count=str(len(headers)),
                )
            )
    elsewhere = design.assessment.diagnostics.accounts_elsewhere
    if elsewhere and chosen is not None:
        ready.append(
            add(
                "move-accounts",
                "accounts",
                "move-accounts",
                "client-treasury",
                durations.move_accounts,
                (kickoff,),
                count=str(elsewhere),
            )
        )
    for channel in ("host-to-host", "cash-management-platform", "online-banking"):
        if channel in design.channels:
            ready.append(
                add(
                    f"connect-{channel}",
                    "connectivity",
                    "set-up-channel",
                    "bank-operations",
                    durations.channel(channel),
                    (kickoff,),
                    channel=channel,
                )
            )
    if chosen is not None:
        test = add(
            "parallel-run",
            "testing",
            "parallel-run",
            "product-provider",
            durations.parallel_run,
            tuple(ready) or (kickoff,),
        )
    else:
        test = add(
            "training",
            "testing",
            "user-training",
            "product-provider",
            durations.training,
            tuple(ready) or (kickoff,),
        )
    add("go-live", "go-live", "go-live", "rm", durations.go_live, (test,))
    ends: dict[str, date] = {}
    tasks = []
    for task_id, workstream, key, params, owner, days, depends in specs:
        begin = max((ends[d] + timedelta(days=1) for d in depends), default=start)
        end = begin + timedelta(days=days - 1)
        ends[task_id] = end
        tasks.append(
            Task(
                task_id,
                workstream,
                key,
                tuple(sorted(params.items())),
                owner,
                days,
                depends,
                begin,
                end,
            )
        )
    return Plan(design.recommended, start, tuple(tasks), tuple(documents), tuple(approvals))
