"""One case of a book, run where a worker runs it: loaded, assessed and designed (no
documents), turned into a CaseRow; whatever goes wrong becomes a row with located problems.

Also what a worker does once before its first case (`prepare_worker`): one kernel thread,
and the compiled kernels loaded (or compiled into numba's shared cache) on a tiny case."""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from cashmgmt.errors import Error, Problem
from cashmgmt.portfolio.book import case_key
from cashmgmt.portfolio.rows import CaseRow

#: Readiness of a client to start, as the ranking reads it.
READY = "ready"
NEEDS_APPROVALS = "needs approvals"
NOTHING_TO_PROPOSE = "nothing to propose"

_PREPARED: list[int] = []  # the pid this process was prepared in (a fork is prepared anew)


def library_version() -> str:
    """The installed cashmgmt's version (part of every case's key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cashmgmt")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "unknown"


def prepare_worker(threads: int = 1, memory_limit: int | None = None) -> None:
    """Once per process: kernels on `threads` threads (numba's own pool too), the address
    space limited to `memory_limit` bytes if given (a case past it fails alone, as a row),
    and the compiled kernels warmed on a tiny case."""
    if _PREPARED and _PREPARED[0] == os.getpid():
        return
    os.environ.setdefault("NUMBA_NUM_THREADS", str(threads))
    from cashmgmt.engine import kernels

    kernels.use_threads(threads)
    if memory_limit is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    with contextlib.suppress(Exception):  # best effort: else the first case compiles
        warm()
    _PREPARED[:] = [os.getpid()]


#: The tiny case `warm` runs: three accounts in one country, 60 days.
_WARM_CASE = """case: 1
client: {name: Warm-up, industry: Test, country: GB, annual_revenue: 60000000 GBP}
base_currency: GBP
proposing_bank: Bank A
entities:
  - {id: A, name: A Ltd, country: GB}
  - {id: B, name: B Ltd, country: GB, parent: A, ownership: 100%}
accounts:
  - {id: A1, entity: A, bank: Bank A, country: GB, currency: GBP,
     terms: {credit_rate: 1%, debit_rate: 9%, overdraft_limit: 50000 GBP}}
  - {id: B1, entity: B, bank: Bank A, country: GB, currency: GBP,
     terms: {credit_rate: [{from: 0, rate: 0.5%}, {from: 10000, rate: 1%}], debit_rate: 12%}}
  - {id: B2, entity: B, bank: Bank B, country: GB, currency: GBP}
balances: balances.csv
"""


def warm() -> None:
    """Run a tiny case through load, assess and design, so the compiled kernels are loaded
    from numba's cache (compiled and cached on the first run of a new install) before the
    first real case is timed."""
    from cashmgmt.cycle.assess import assess
    from cashmgmt.cycle.design import design
    from cashmgmt.engine.replay import Replay
    from cashmgmt.inputs.casefile import load_case

    with tempfile.TemporaryDirectory(prefix="cashmgmt-warm-") as folder:
        root = Path(folder)
        (root / "case.yaml").write_text(_WARM_CASE, encoding="utf-8")
        lines = ["date,account,balance"]
        for day in range(60):
            on = (date(2025, 1, 1) + timedelta(days=day)).isoformat()
            lines += [
                f"{on},A1,{(day * 7919) % 40000 - 20000}.00",
                f"{on},B1,{(day * 104729) % 30000}.00",
                f"{on},B2,{5000 - (day * 31) % 9000}.00",
            ]
        (root / "balances.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        case = load_case(root)
        replay = Replay(case)
        design(case, assess(case, replay=replay), replay=replay)


def run_case(name: str, path: str, version: str) -> CaseRow:
    """Load, assess and design one case into its row; bad input and unexpected faults alike
    come back as a row with status `problems` (located; no traceback)."""
    from cashmgmt.cycle.assess import assess
    from cashmgmt.cycle.design import design
    from cashmgmt.engine.replay import Replay
    from cashmgmt.inputs.casefile import load_case

    prepare_worker()
    key = case_key(Path(path), version)
    phase = "loading"
    started = time.perf_counter()
    seconds = [0.0, 0.0, 0.0]
    try:
        case = load_case(path)
        seconds[0] = time.perf_counter() - started
        phase = "assessing"
        replay = Replay(case)
        assessment = assess(case, replay=replay)
        seconds[1] = time.perf_counter() - started - seconds[0]
        phase = "designing"
        chosen = design(case, assessment, replay=replay)
        seconds[2] = time.perf_counter() - started - seconds[0] - seconds[1]
        from cashmgmt.portfolio.figures import case_row

        row = case_row(name, key, case, assessment, chosen)
    except Error as exc:
        return CaseRow(name, "problems", key=key, problems=exc.problems)
    except MemoryError:
        message = f"ran out of memory while {phase} the case"
        return CaseRow(name, "problems", key=key, problems=(Problem(path, "", message),))
    except Exception as exc:
        return CaseRow(name, "problems", key=key, problems=(unexpected(path, phase, exc),))
    return _timed(row, seconds)


def unexpected(path: str, phase: str, exc: BaseException) -> Problem:
    """An unexpected fault as a located problem: the case, the phase, the fault in one line
    (a bug in cashmgmt: the run goes on, and the row says so)."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:199] + "…"
    message = f"internal error while {phase} the case: {type(exc).__name__}: {text}"
    return Problem(path, "", message + " (please report it)")


def _timed(row: CaseRow, seconds: list[float]) -> CaseRow:
    import attrs

    return attrs.evolve(
        row, seconds_load=seconds[0], seconds_assess=seconds[1], seconds_design=seconds[2]
    )


def peak_memory() -> int:
    """This process's peak resident set size in bytes (ru_maxrss: KiB on Linux, bytes on
    macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
