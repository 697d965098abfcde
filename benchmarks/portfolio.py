"""Portfolio run speed (issue 16): cases per second on 1 and 2 workers over a generated book,
the per-case split (load, assess, design), peak memory per worker, and the projected time for
a 200,000-client book on this machine and per added core.

    python benchmarks/portfolio.py [--cases 2000] [--seed 16] [--keep FOLDER]

Targets: the 2-worker run at least 1.7x the 1-worker run; 200,000 clients within 8 hours on
this 2-core machine. The book comes from cashmgmt.portfolio.synthetic.write_book.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from cashmgmt.portfolio import synthetic
from cashmgmt.portfolio.case import peak_memory, prepare_worker
from cashmgmt.portfolio.rows import CaseRow
from cashmgmt.portfolio.run import run_book

CLIENTS = 200_000
HOURS_TARGET = 8.0
SPEED_UP_TARGET = 1.7


def make_book(folder: Path, n: int, seed: int) -> str:
    """A generated book (cashmgmt.portfolio.synthetic: a bank's mix, median about 30
    accounts x 2 years, 5% broken on purpose)."""
    synthetic.write_book(folder, n, seed=seed)
    return f"cashmgmt.portfolio.synthetic.write_book(n={n}, seed={seed})"


def _peak_after(pause: float) -> tuple[int, int, float]:
    """This worker's pid, peak RSS and CPU seconds so far (after a pause, so that each of
    a batch of these lands on a different worker)."""
    time.sleep(pause)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid(), peak_memory(), usage.ru_utime + usage.ru_stime


def timed_run(book: Path, workers: int) -> tuple[float, tuple[CaseRow, ...], dict[int, int], float]:
    """Seconds for the whole book on `workers` pool workers started and warmed beforehand
    (their start-up is a fixed cost, printed apart), the rows, each worker's peak RSS, and
    the CPU seconds the workers spent on the book."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=prepare_worker,
        initargs=(1, None),
    )
    with pool, tempfile.TemporaryDirectory(prefix="cashmgmt-bench-out-") as out:
        started = time.perf_counter()
        before = {pid: cpu for pid, _, cpu in pool.map(_peak_after, [0.5] * workers)}
        print(f"  {workers} worker(s) started and warmed in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        rows = run_book(book, out=out, executor=pool, workers=workers, progress=False)
        seconds = time.perf_counter() - started
        after = list(pool.map(_peak_after, [0.5] * (workers * 2)))
    peaks = {pid: peak for pid, peak, _ in after}
    cpu = {pid: used for pid, _, used in after}
    return seconds, rows, peaks, sum(cpu[p] - before.get(p, 0.0) for p in cpu)


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    mean, median = 1000 * statistics.fmean(values), 1000 * statistics.median(values)
    return f"mean {mean:6.1f} ms, median {median:6.1f}, p90 {1000 * p90:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", type=Path, default=None, help="write the book here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="cashmgmt-bench-book-"))
    try:
        started = time.perf_counter()
        source = make_book(root / "book", args.cases, args.seed)
        print(
            f"book: {args.cases:,} cases from {source}, written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        rates: dict[int, float] = {}
        cpu_per_case: dict[int, float] = {}
        for workers in (1, 2):
            load = os.getloadavg()[0]
            seconds, rows, peaks, cpu = timed_run(root / "book", workers)
            cpu_per_case[workers] = cpu / len(rows)
            rates[workers] = len(rows) / seconds
            ok = [r for r in rows if r.status == "ok"]
            print(
                f"{workers} worker(s): {len(rows):,} cases ({len(rows) - len(ok):,} with "
                f"problems) in {seconds:.1f} s: {rates[workers]:.2f} cases/s"
            )
            print(
                f"  load average before: {load:.1f} on {os.cpu_count()} cores; worker CPU "
                f"{1000 * cpu_per_case[workers]:.0f} ms a case"
            )
            print(
                "  peak RSS per worker: "
                + ", ".join(f"{peak / 2**20:.0f} MiB" for peak in sorted(peaks.values()))
            )
            if workers == 1:
                accounts = sorted(r.accounts for r in ok)
                print(
                    f"  accounts per case: median {statistics.median(accounts):.0f}, "
                    f"min {accounts[0]}, max {accounts[-1]}"
                )
                for part in ("load", "assess", "design"):
                    values = [getattr(r, f"seconds_{part}") for r in ok]
                    print(f"  {part:<7} {_ms(values)}")
        speed_up = rates[2] / rates[1]
        verdict = "met" if speed_up >= SPEED_UP_TARGET else "NOT met"
        print(f"2 workers / 1 worker: {speed_up:.2f}x (target {SPEED_UP_TARGET}x: {verdict})")
        hours = CLIENTS / rates[2] / 3600
        verdict = "met" if hours <= HOURS_TARGET else "NOT met"
        print(
            f"{CLIENTS:,} clients on this machine (2 workers): {hours:.1f} h "
            f"(target {HOURS_TARGET:.0f} h: {verdict})"
        )
        free = CLIENTS * cpu_per_case[2] / 2 / 3600
        print(
            f"  on 2 free cores at the CPU time measured ({1000 * cpu_per_case[2]:.0f} ms a "
            f"case): {free:.1f} h"
        )
        added = rates[2] - rates[1]
        print(f"each added core (as the second one added {added:.2f} cases/s):")
        for cores in (1, 2, 4, 8, 16):
            rate = rates[1] + (cores - 1) * added
            print(f"  {cores:>2} cores: {CLIENTS / rate / 3600:5.1f} h")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
