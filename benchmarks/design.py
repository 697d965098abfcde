"""Seconds to assess and design each example (issue 4's target: the largest under 2 s).

python benchmarks/design.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cashmgmt  # noqa: E402

NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]


def main() -> None:
    print(
        f"{'example':<20}{'accounts':>9}{'load s':>9}{'assess s':>10}{'design s':>10}"
        f"{'candidates':>12}  recommended (benefit per year)"
    )
    for name in NAMES:
        t0 = time.perf_counter()
        case = cashmgmt.load_case(ROOT / "examples" / name)
        t1 = time.perf_counter()
        assessment = cashmgmt.assess(case)
        t2 = time.perf_counter()
        design = cashmgmt.design(case, assessment)
        t3 = time.perf_counter()
        chosen = design.recommended
        benefit = design.candidate(chosen).benefit_annual if chosen else None
        shown = f"{chosen} ({benefit:,} {case.base_currency})" if chosen else "none"
        print(
            f"{name:<20}{len(case.accounts):>9}{t1 - t0:>9.2f}{t2 - t1:>10.2f}{t3 - t2:>10.2f}"
            f"{len(design.candidates):>12}  {shown}"
        )


if __name__ == "__main__":
    main()
