"""Running a book: every case loaded, assessed and designed, on this machine's cores by
default (a process pool, one worker per core) or on a Dask distributed cluster, with the
same rows either way; results journalled as they come, so a stopped run resumes; lost
workers retried; a progress line on a terminal (docs/portfolio.md, "Running a book")."""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

import attrs

from cashmgmt.errors import Problem
from cashmgmt.files import check_folder, write_atomic
from cashmgmt.portfolio.book import BookCase, case_key, read_book
from cashmgmt.portfolio.case import library_version, prepare_worker
from cashmgmt.portfolio.case import run_case as run_case
from cashmgmt.portfolio.journal import Journal, read_journal
from cashmgmt.portfolio.progress import Progress
from cashmgmt.portfolio.report import BookSummary, Capacity, summarise
from cashmgmt.portfolio.rows import CaseRow

#: A case whose worker was lost (killed, out of memory) is tried this many times in all.
ATTEMPTS = 3
#: A pool worker is replaced after this many cases, so memory it kept cannot grow unbounded.
TASKS_PER_WORKER = 200
#: Cases in flight per worker: enough to keep every worker busy, few enough that a lost
#: pool redoes little.
IN_FLIGHT_PER_WORKER = 4
RESULT = "portfolio.json"

ProgressOption = bool | None


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@attrs.frozen
class RunInfo:
    """How a run went: workers, wall-clock seconds, cases run now and resumed."""

    workers: int
    seconds: float
    ran: int
    resumed: int

    def to_dict(self, cases: int) -> dict[str, Any]:
        """The JSON contract's `run`: cases per second over the cases this run did."""
        rate = self.ran / self.seconds if self.seconds > 0 else 0.0
        return {
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "cases_per_second": round(rate, 3),
            "cases": cases,
            "ran": self.ran,
            "resumed": self.resumed,
        }


def run_book(
    book: str | Path,
    *,
    out: str | Path,
    executor: Executor | Literal["serial", "processes"] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressOption = None,
    memory_limit: int | None = None,
    on_row: Callable[[CaseRow], None] | None = None,
    info: list[RunInfo] | None = None,
) -> tuple[CaseRow, ...]:
    """Run every case of `book` (a folder of case folders, or a manifest listing them) and
    return one row per case, sorted by case name. Rows are journalled in the folder `out` as
    they come; a case already journalled with the same key (its files and the library
    version unchanged) is not run again.

    Where: `executor="serial"` runs in this process; a `concurrent.futures.Executor` is used
    as given; `scheduler="tcp://HOST:PORT"` runs on that Dask cluster (`cashmgmt[dask]`);
    otherwise a process pool of `workers` (default: one per core). `progress`: draw a
    progress line on standard error (None: only when it is a terminal). `memory_limit`:
    bytes of address space per pool worker. `on_row` sees each new row; `info` receives a
    RunInfo."""
    started = time.monotonic()
    folder = check_folder(out)
    cases = read_book(book, skip=[folder])
    version = library_version()
    done = _resumed(cases, read_journal(folder), version)
    todo = [c for c in cases if c.name not in done]
    bar = (
        Progress.on_terminal(len(cases), len(done))
        if progress is None
        else Progress(len(cases), len(done), sys.stderr if progress else None)
    )
    rows = dict(done)
    used = 1
    with Journal(folder) as journal:

        def record(row: CaseRow) -> None:
            journal.write(row)
            rows[row.case] = row
            bar.advance(row.status != "ok")
            if on_row is not None:
                on_row(row)

        try:
            if not todo:
                pass
            elif executor == "serial":  # as a worker would: kernels on one thread from now
                for case in todo:
                    record(run_case(case.name, str(case.path), version))
            elif scheduler is not None:
                used = _on_dask(scheduler, todo, version, record)
            elif isinstance(executor, Executor):
                used = int(workers or getattr(executor, "_max_workers", 1) or 1)
                _run_on(lambda: executor, used, todo, version, record, owned=False)
            else:
                used = workers or default_workers()
                _run_on(lambda: _pool(used, memory_limit), used, todo, version, record, owned=True)
        finally:
            bar.close()
    if info is not None:
        info.append(RunInfo(used, time.monotonic() - started, len(todo), len(done)))
    return tuple(rows[c.name] for c in cases if c.name in rows)


def _resumed(
    cases: Iterable[BookCase], journal: dict[str, CaseRow], version: str
) -> dict[str, CaseRow]:
    """The journal's rows for cases of the book whose files and library are unchanged (but
    not those whose worker was lost: they are tried again)."""
    out = {}
    for case in cases:
        row = journal.get(case.name)
        if row is not None and not _was_lost(row) and row.key == case_key(case.path, version):
            out[case.name] = row
    return out


def _pool(workers: int, memory_limit: int | None) -> ProcessPoolExecutor:
    """Worker processes started fresh (spawn: no copy of this process's threads), each
    prepared once (one kernel thread, kernels warmed) and replaced after TASKS_PER_WORKER
    cases."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=prepare_worker,
        initargs=(1, memory_limit),
        max_tasks_per_child=TASKS_PER_WORKER,
    )


def _lost(exc: BaseException) -> bool:
    """Whether a task failed because its worker was lost (not because of the case)."""
    name = type(exc).__name__
    return isinstance(exc, BrokenProcessPool) or name in {
        "KilledWorker",
        "CancelledError",
        "CommClosedError",
    }


LOST = "the worker running this case stopped"


def _was_lost(row: CaseRow) -> bool:
    """Whether a row says its worker was lost (tried again when the run resumes: the loss
    may have been the machine's, not the case's)."""
    return any(p.message.startswith(LOST) for p in row.problems)


def lost_row(case: BookCase, key: str, exc: BaseException) -> CaseRow:
    """The row of a case whose worker was lost ATTEMPTS times."""
    message = f"{LOST} {ATTEMPTS} times (killed, or out of memory): {type(exc).__name__}"
    return CaseRow(case.name, "problems", key=key, problems=(Problem(str(case.path), "", message),))


def _run_on(
    make: Callable[[], Executor],
    workers: int,
    todo: list[BookCase],
    version: str,
    record: Callable[[CaseRow], None],
    *,
    owned: bool,
) -> None:
    """Run the cases on an executor, a bounded number in flight; a lost worker's cases go
    back in the queue (ATTEMPTS in all); a broken pool we own is replaced."""
    pending = deque(todo)
    attempts: dict[str, int] = {}
    executor = make()
    try:
        in_flight: dict[Future[CaseRow], BookCase] = {}
        while pending or in_flight:
            while pending and len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
                case = pending.popleft()
                try:
                    future = executor.submit(run_case, case.name, str(case.path), version)
                except BrokenProcessPool:
                    pending.appendleft(case)
                    break
                in_flight[future] = case
            if not in_flight:  # the pool broke before anything was in flight
                executor = _replace(executor, make, owned)
                continue
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in sorted(finished, key=lambda f: in_flight[f].name):
                case = in_flight.pop(future)
                exc = CancelledError() if future.cancelled() else future.exception()
                if exc is None:
                    record(future.result())
                elif _lost(exc):
                    broken = broken or isinstance(exc, BrokenProcessPool)
                    attempts[case.name] = attempts.get(case.name, 0) + 1
                    if attempts[case.name] >= ATTEMPTS:
                        record(lost_row(case, case_key(case.path, version), exc))
                    else:
                        pending.appendleft(case)
                else:
                    problem = Problem(
                        str(case.path), "", f"the case could not be run: {type(exc).__name__}"
                    )
                    key = case_key(case.path, version)
                    record(CaseRow(case.name, "problems", key=key, problems=(problem,)))
            if broken and owned:
                executor = _replace(executor, make, owned)
    finally:
        if owned:
            executor.shutdown(wait=True, cancel_futures=True)


def _replace(executor: Executor, make: Callable[[], Executor], owned: bool) -> Executor:
    if not owned:
        raise RuntimeError("the executor given to the run is broken")
    executor.shutdown(wait=False, cancel_futures=True)
    return make()


def _on_dask(
    scheduler: str, todo: list[BookCase], version: str, record: Callable[[CaseRow], None]
) -> int:
    """Run on an existing Dask distributed cluster through its futures (a ClientExecutor):
    the scheduler retries tasks of lost workers itself, then ours retry again."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the extra is not installed
        from cashmgmt.errors import Error

        message = "expected Dask distributed to reach a scheduler: pip install 'cashmgmt[dask]'"
        raise Error([Problem(scheduler, "", message)]) from None
    with Client(scheduler, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        workers = max(1, sum(int(w.get("nthreads", 1)) for w in _workers(client)))
        client.run(prepare_worker)
        executor = client.get_executor(pure=False)
        _run_on(lambda: executor, workers, todo, version, record, owned=False)
    return workers


def _workers(client: Any) -> list[dict[str, Any]]:
    info = client.scheduler_info()
    return list(info.get("workers", {}).values())


def portfolio(
    book: str | Path,
    *,
    out: str | Path,
    executor: Executor | Literal["serial", "processes"] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressOption = None,
    memory_limit: int | None = None,
) -> Portfolio:
    """Run a book (run_book) and write its JSON result `portfolio.json` in `out`,
    atomically: the rows, the totals, the coverage plan and how the run went."""
    info: list[RunInfo] = []
    rows = run_book(
        book,
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        memory_limit=memory_limit,
        info=info,
    )
    result = Portfolio(rows, info[0])
    import json

    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    write_atomic(Path(out) / RESULT, text.encode("utf-8"))
    return result


@attrs.frozen
class Portfolio:
    """A book's run: its rows in case order and how the run went."""

    rows: tuple[CaseRow, ...]
    run: RunInfo

    def summary(self, capacity: Capacity | None = None) -> BookSummary:
        """The department's view: ranked opportunities, totals, the coverage plan (at the
        stated capacity assumptions, report.Capacity's defaults unless given)."""
        return summarise(self.rows, capacity=capacity or Capacity())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt portfolio --json` (issue 16): `cases[]`,
        `totals`, `coverage[]` (with the ranked `opportunities[]` and the `capacity`
        assumed), `run`."""
        return {
            "cases": [row.to_dict() for row in self.rows],
            **self.summary().to_dict(),
            "run": self.run.to_dict(len(self.rows)),
        }
