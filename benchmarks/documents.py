"""Seconds per proposal for each example (both languages) and the share spent in WeasyPrint.

Target (issues 5 and 14): every example's proposal, in either language, in under 6 seconds
in-process, set in Noto Sans and Noto Sans CJK SC (the CFF-based CJK family with a real bold;
WeasyPrint subsets it with HarfBuzz). The share of each proposal's time spent inside
WeasyPrint is printed beside it.

    python benchmarks/documents.py
"""

from __future__ import annotations

import io
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

import cashmgmt  # noqa: E402
from cashmgmt.render.pdf import write_pdf  # noqa: E402

NAMES = ["huaxia-liquor", "aurora-industrial", "bluestem-outdoor", "larkspur-bakery"]
ON = date(2026, 11, 30)
TARGET_S = 6.0


def main() -> None:
    print(
        f"{'example':<20}{'lang':<7}{'accounts':>9}{'cycle s':>9}{'html s':>8}"
        f"{'pdf s':>8}{'total s':>9}{'in WeasyPrint':>15}{'pages':>7}"
    )
    totals: list[float] = []
    for name in NAMES:
        case = cashmgmt.load_case(ROOT / "examples" / name)
        for language in ("en", "zh-CN"):
            t0 = time.perf_counter()
            proposal = cashmgmt.propose(case, language=language, on=ON)
            t1 = time.perf_counter()
            html = proposal.html()
            t2 = time.perf_counter()
            pdf = write_pdf(html, proposal.theme.logo)
            t3 = time.perf_counter()
            total = t3 - t0
            totals.append(total)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(
                f"{name:<20}{language:<7}{len(case.accounts):>9}{t1 - t0:>9.2f}"
                f"{t2 - t1:>8.2f}{t3 - t2:>8.2f}{total:>9.2f}{(t3 - t2) / total:>15.0%}"
                f"{pages:>7}"
            )
    slowest = max(totals)
    verdict = "met" if slowest < TARGET_S else "MISSED"
    print(
        f"slowest {slowest:.2f} s, mean {sum(totals) / len(totals):.2f} s per proposal: "
        f"target < {TARGET_S:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
