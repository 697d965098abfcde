"""How long the command line and the library take to start, beside two references measured
in the same run: `python -c "import click"` for the CLI and `python -c "import numpy, attrs"`
for the library (issue 10's targets: within 3x and 2x of them).

    python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def seconds(command: list[str], runs: int) -> float:
    """The median wall time of `runs` runs of a command (one warm-up run first)."""
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    python = sys.executable
    cli = shutil.which("cashmgmt") or "cashmgmt"
    click_ref = seconds([python, "-c", "import click"], runs)
    numpy_ref = seconds([python, "-c", "import numpy, attrs"], runs)
    bare = seconds([python, "-c", "pass"], runs)
    rows = [
        ("python -c pass", bare, None, None),
        ("python -c 'import click'", click_ref, None, None),
        ("python -c 'import numpy, attrs'", numpy_ref, None, None),
        ("cashmgmt --version", seconds([cli, "--version"], runs), click_ref, 3.0),
        ("cashmgmt --help", seconds([cli, "--help"], runs), click_ref, 3.0),
        (
            "python -c 'import cashmgmt'",
            seconds([python, "-c", "import cashmgmt"], runs),
            numpy_ref,
            2.0,
        ),
    ]
    print(f"median of {runs} runs each")
    for label, value, reference, target in rows:
        line = f"{label:<34}{value:7.3f} s"
        if reference is not None and target is not None:
            ratio = value / reference
            verdict = "met" if ratio <= target else "MISSED"
            line += f"   {ratio:4.2f}x its reference (target <= {target:g}x: {verdict})"
        print(line)


if __name__ == "__main__":
    main()
