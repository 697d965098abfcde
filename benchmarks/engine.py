"""Engine speed: account-days per second for a mixed structure on 10,000 accounts x 730 days
(a third of the accounts with three dated rate changes).

Prints the engine's rate with the status-quo baseline (nothing cached: the case's terms
turned into arrays, its interest and totals, then the structure's) and without it (the
design phase holds one Replay per case, so the baseline is computed once), the reference
loop's rate (tests/reference.py, on a small slice: it is a plain Python loop), a plain copy
of the balance matrix measured in the same run, the peak memory, and the first call in the
process, which loads the compiled kernels (or compiles them, on a fresh checkout). Each
timing is the best of --runs. Targets (issue 3, 2-core machine): >= 40 million
account-days/s, at least a tenth of the copy's rate, peak memory under 1 GiB.

    python benchmarks/engine.py [--accounts 10000] [--days 730] [--runs 10]
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from cashmgmt import simulate  # noqa: E402
from cashmgmt.engine.replay import Replay  # noqa: E402
from cashmgmt.model import (  # noqa: E402
    Account,
    BalanceHistory,
    Case,
    Client,
    Direction,
    Entity,
    Fees,
    FxRates,
    PhysicalStructure,
    RuleKind,
    SweepRule,
    Terms,
    TermsChange,
    Tier,
)
from cashmgmt.money import Money  # noqa: E402

KINDS: tuple[RuleKind, ...] = ("zero-balance", "target", "threshold", "range")
DIRECTIONS: tuple[Direction, ...] = ("two-way", "two-way", "up", "down")


def terms_for(i: int) -> Terms:
    """Flat, tiered (marginal and whole) and limited terms, in turn, a third of them with
    dated rate changes; accounts with equal terms share one Terms object, as the case loader
    makes them."""
    return _terms(i % 30)


#: Credit rates cut 25 bp on three of the ECB's 2024-25 decision dates (deposit facility).
CUTS = (date(2024, 6, 12), date(2024, 9, 18), date(2025, 2, 5))


@functools.cache
def _terms(i: int) -> Terms:
    terms = _first_terms(i)
    if i % 3 != 1:
        return terms
    changes = []
    now = terms
    for day in CUTS:
        cut = tuple(Tier(t.start, max(t.rate - Decimal("0.0025"), Decimal(0))) for t in now.credit)
        now = attrs.evolve(now, credit=cut)
        changes.append(TermsChange(day, now))
    return attrs.evolve(terms, changes=tuple(changes))


def _first_terms(i: int) -> Terms:
    flat = Terms(
        credit=(Tier(Decimal(0), Decimal("0.0035")),), debit=(Tier(Decimal(0), Decimal("0.0435")),)
    )
    if i % 3 == 0:
        return flat
    tiers = (
        Tier(Decimal(0), Decimal("0.002")),
        Tier(Decimal(100000), Decimal("0.008")),
        Tier(Decimal(1000000), Decimal("0.012")),
    )
    return Terms(
        day_count="ACT/365" if i % 2 else "ACT/360",
        credit=tiers,
        debit=(Tier(Decimal(0), Decimal("0.0435")), Tier(Decimal(500000), Decimal("0.05"))),
        tiering="whole" if i % 3 == 2 else "marginal",
        overdraft_limit=Money(Decimal(200000), "CNY") if i % 5 == 0 else None,
        penalty_rate=Decimal("0.08") if i % 5 == 0 else None,
    )


def build(accounts: int, days: int, seed: int = 7) -> Case:
    """A synthetic group: one top header, ~1% sub-headers, the rest participants."""
    rng = np.random.default_rng(seed)
    groups = max(accounts // 100, 1)
    entities = [Entity("HQ", "Holding", "CN")] + [
        Entity(f"E{g}", f"Subsidiary {g}", "CN", "HQ", Decimal(1)) for g in range(groups)
    ]
    ids = [f"A{i:05d}" for i in range(accounts)]
    account_objs = tuple(
        Account(a, "HQ" if i == 0 else f"E{i % groups}", "Bank", "CN", "CNY", None, terms_for(i))
        for i, a in enumerate(ids)
    )
    level = rng.normal(0, 2_000_000, size=(accounts, 1))
    noise = rng.normal(0, 300_000, size=(accounts, days)).cumsum(axis=1) / 10
    minor = np.round((level + noise) * 100).astype(np.int64)
    history = BalanceHistory(date(2024, 1, 1), tuple(ids), minor, np.ones_like(minor, bool))
    rules = []
    headers = ids[1 : groups + 1]
    for h in headers:
        rules.append(SweepRule(h, ids[0], "zero-balance"))
    # One object per distinct amount, as the case loader shares them.
    amount = {v: Money(Decimal(v), "CNY") for v in (10000, 20000, 50000, 90000)}
    for i in range(groups + 1, accounts):
        kind = KINDS[i % 4]
        target = amount[50000] if kind != "zero-balance" else None
        extra: dict[str, Money] = {}
        if kind == "threshold":
            extra = {"minimum": amount[20000]}
        if kind == "range":
            extra = {"low": amount[10000], "high": amount[90000]}
        rules.append(
            SweepRule(
                ids[i],
                headers[i % groups],
                kind,
                target=target,
                direction=DIRECTIONS[(i // 4) % 4],
                **extra,
            )
        )
    structure = PhysicalStructure(
        "mixed",
        "Mixed",
        tuple(rules),
        "business",
        Fees(Money(Decimal(5), "CNY"), Money(Decimal(100), "CNY"), Money(Decimal(20000), "CNY")),
    )
    client = Client("Bench Group", "Test", "CN", Money(Decimal(10**10), "CNY"))
    return Case(
        client,
        "CNY",
        tuple(entities),
        account_objs,
        history,
        FxRates("CNY", {}),
        (structure,),
        Decimal("0.031"),
    )


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def best_of(runs: int, fn: Callable[[], object]) -> float:
    return min(timed(fn) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    n, d = args.accounts, args.days
    account_days = n * d
    t = time.perf_counter()
    case = build(n, d)
    print(f"built {n:,} accounts x {d} days in {time.perf_counter() - t:.1f} s")

    def cold() -> None:
        simulate(case, "mixed")  # a Replay of its own: nothing cached

    def copy() -> None:
        case.balances.minor.copy()

    first_s = timed(cold)
    # Engine and copy in turn, so that both see the machine in the same state.
    pairs = [(timed(cold), timed(copy)) for _ in range(args.runs)]
    cold_s = min(c for c, _ in pairs)
    copy_s = min(c for _, c in pairs)
    paired = sorted(c / e for e, c in pairs)
    replay = Replay(case)
    simulate(case, "mixed", replay=replay)
    warm_s = best_of(args.runs, lambda: simulate(case, "mixed", replay=replay))

    tracemalloc.start()
    cold()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    matrix_mb = case.balances.minor.nbytes / 2**20

    from reference import reference_simulate

    small = build(40, 60)
    ref_s = best_of(1, lambda: reference_simulate(small, "mixed"))
    eng_small = best_of(3, lambda: simulate(small, "mixed"))
    ref_rate = 40 * 60 / ref_s

    rate = account_days / cold_s
    print(f"engine, with baseline:    {cold_s:7.3f} s  {rate / 1e6:8.1f} M account-days/s")
    print(
        f"engine, structure only:   {warm_s:7.3f} s  {account_days / warm_s / 1e6:8.1f} "
        "M account-days/s"
    )
    print(
        f"plain copy of the matrix: {copy_s:7.3f} s  {account_days / copy_s / 1e6:8.1f} "
        f"M account-days/s ({matrix_mb:.0f} MiB)"
    )
    print(
        f"reference loop (40 x 60): {ref_s:7.3f} s  {ref_rate / 1e3:8.1f} k account-days/s "
        f"(engine on the same: {eng_small * 1e3:.1f} ms)"
    )
    print(
        f"engine / copy:            {rate / (account_days / copy_s):7.3f}  (target >= 0.1; "
        f"run by run: median {paired[len(paired) // 2]:.3f}, middle half "
        f"{paired[len(paired) // 4]:.3f}-{paired[3 * len(paired) // 4]:.3f}, "
        f"all {paired[0]:.3f}-{paired[-1]:.3f})"
    )
    print(f"engine / reference loop:  {rate / ref_rate:7.0f}x")
    print(
        f"peak traced memory:       {peak / 2**20:7.0f} MiB  (one cold run, besides the "
        f"{matrix_mb:.0f} MiB matrix each thread reuses)"
    )
    print(f"first call in the process: {first_s:6.2f} s  (loads or compiles the kernels)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident set size:    {rss:7.0f} MiB  (target < 1024: the whole process)")


if __name__ == "__main__":
    main()
