"""Seconds to assess and design each example, then the largest example's (Aurora's) full
design part by part, optimiser included (issue 13's target: under 2 s), beside the status
quo's simulation measured in the same run, with the solution's figures.

python benchmarks/design.py
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cashmgmt  # noqa: E402
from cashmgmt.cycle.design.solution import eligible, pack  # noqa: E402
from cashmgmt.engine.replay import Replay  # noqa: E402
from cashmgmt.money import to_minor  # noqa: E402

NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]
LARGEST = "aurora-industrial"
TARGET_SECONDS = 2.0


def main() -> None:
    print(
        f"{'example':<20}{'accounts':>9}{'load s':>9}{'assess s':>10}{'design s':>10}"
        f"{'candidates':>12}  solution (benefit per year, simulated together)"
    )
    for name in NAMES:
        t0 = time.perf_counter()
        case = cashmgmt.load_case(ROOT / "examples" / name)
        t1 = time.perf_counter()
        assessment = cashmgmt.assess(case)
        t2 = time.perf_counter()
        design = cashmgmt.design(case, assessment)
        t3 = time.perf_counter()
        s = design.solution
        shown = (
            f"{', '.join(s.structures)} ({s.benefit_annual:,} {case.base_currency})"
            if s is not None and s.structures
            else "none"
        )
        print(
            f"{name:<20}{len(case.accounts):>9}{t1 - t0:>9.2f}{t2 - t1:>10.2f}{t3 - t2:>10.2f}"
            f"{len(design.candidates):>12}  {shown}"
        )
    largest()


def largest() -> None:
    """Aurora's full design from a fresh replay, timed beside the status quo's simulation;
    the optimiser's share timed apart by solving the same packing again."""
    case = cashmgmt.load_case(ROOT / "examples" / LARGEST)
    replay = Replay(case)
    t0 = time.perf_counter()
    _ = replay.baseline  # the status quo: the reference measured in the same run
    t1 = time.perf_counter()
    assessment = cashmgmt.assess(case, replay=replay)
    t2 = time.perf_counter()
    design = cashmgmt.design(case, assessment, replay=replay)
    t3 = time.perf_counter()
    solution = design.solution
    assert solution is not None and solution.result is not None
    code = case.base_currency
    unpoolable = frozenset(a.id for a in case.accounts if not a.poolable)
    options = [c for c in design.candidates if eligible(c, unpoolable) is None]
    weights = [to_minor(c.benefit_annual or Decimal(0), code) for c in options]
    t4 = time.perf_counter()
    pack(weights, [c.structure.accounts for c in options])
    t5 = time.perf_counter()
    cashmgmt.simulate_solution(
        case, [design.candidate(i).structure for i in solution.structures], replay=replay
    )
    t6 = time.perf_counter()
    r = solution.result
    total = t3 - t1
    print()
    print(f"{LARGEST}: {len(case.accounts)} accounts, {case.balances.days} days")
    print(f"  status quo simulated (reference)  {t1 - t0:8.3f} s")
    print(f"  assess                            {t2 - t1:8.3f} s")
    print(f"  design (all of it)                {t3 - t2:8.3f} s")
    print(f"    of which one packing solve      {t5 - t4:8.3f} s  ({len(options)} eligible)")
    print(f"    of which the joint simulation   {t6 - t5:8.3f} s")
    verdict = "within" if total < TARGET_SECONDS else "OVER"
    print(f"  assess + design                   {total:8.3f} s  ({verdict} {TARGET_SECONDS} s)")
    print(f"  solution: {', '.join(solution.structures)}")
    print(f"    benefit per year   {r.benefit_annual:>16,} {code} (together)")
    print(f"    sum of their own   {solution.candidates_benefit:>16,} {code}")
    print(f"    fees (period)      {r.fees.total:>16,} {code}")
    print(f"    tax (period)       {r.tax.total:>16,} {code}")
    if r.bank is not None:
        print(f"    bank side per year {r.bank.total:>16,} {code} ({r.bank.bank})")
    best = max(
        (c for c in design.candidates if c.result is not None),
        key=lambda c: c.benefit_annual or 0,
    )
    print(f"  best single candidate: {best.id} ({best.benefit_annual:,} {code} per year)")


if __name__ == "__main__":
    main()
