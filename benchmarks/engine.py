"""Engine speed: account-days per second for a mixed structure on 10,000 accounts x 730 days
(a third of the accounts with three dated rate changes).

What is measured is the realistic case (`build`): CNY, USD and HKD subsidiaries sweeping
into HQ's header in their currency, header limits under which funding is cut on some days
(152 of 730; 66 accounts short on some day, 1,492 account-days), and a per-currency
notional pool over the top headers, simulated as the design phase's hybrid. The worst case
(the same group in one CNY tree with no limits: funding cut on every sweep day, 498 of 730;
4,126 accounts short) is timed too and printed on its own line.

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
from cashmgmt.cycle.design.candidates import HybridStructure  # noqa: E402
from cashmgmt.engine.physical import run_sweeps  # noqa: E402
from cashmgmt.engine.replay import Replay  # noqa: E402
from cashmgmt.engine.simulate import simulate_structure  # noqa: E402
from cashmgmt.model import (  # noqa: E402
    Account,
    BalanceHistory,
    Case,
    Client,
    Direction,
    Entity,
    Fees,
    FxRates,
    NotionalPool,
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


#: FX rates into CNY (units of CNY per unit) on the first day, and a year later.
FX = {
    "USD": ((date(2024, 1, 1), Decimal("7.10")), (date(2025, 1, 1), Decimal("7.30"))),
    "HKD": ((date(2024, 1, 1), Decimal("0.91")), (date(2025, 1, 1), Decimal("0.94"))),
}
#: Each sub-header's header_limit (the overdraft it is granted to fund its participants),
#: in its currency.
SUB_LIMIT = {"CNY": 5_000_000, "USD": 700_000, "HKD": 5_000_000}
#: The share of days on which a top header's floor binds, by construction (see `limits`).
BINDING_SHARE = 0.15


def currency_of(group: int, mixed: bool) -> str:
    """A group's currency: a tenth of the groups USD, a tenth HKD (their accounts in Hong
    Kong, sweeping into HQ's USD and HKD headers there), the rest CNY."""
    if mixed and group % 10 == 3:
        return "USD"
    if mixed and group % 10 == 7:
        return "HKD"
    return "CNY"


@functools.cache
def _terms_in(i: int, currency: str) -> Terms:
    terms = _terms(i)
    limit = terms.overdraft_limit
    if currency == "CNY" or limit is None:
        return terms
    return attrs.evolve(terms, overdraft_limit=Money(limit.amount, currency))


def build(accounts: int, days: int, seed: int = 7, realistic: bool = True) -> Case:
    """A synthetic group: top headers, ~1% sub-headers, the rest participants.

    The worst case (`realistic=False`): one CNY top header with no overdraft limit over a
    group that is net negative every day, so that its floor (0) binds on every day: 4,126
    accounts are short on some day, 498 days have a shortfall.

    The realistic case: a tenth of the subsidiaries hold USD accounts and a tenth HKD ones,
    each sweeping into HQ's header in its currency; each top header is granted a
    header_limit that covers its debit on 85% of the days (`limits`), each sub-header one of
    SUB_LIMIT; and the three top headers form a per-currency notional pool (see `pool`), run
    as a hybrid on top of the sweeps. On 10,000 accounts x 730 days (seed 7) floors bind on
    some days only: the benchmark prints how many days and accounts are short.
    """
    rng = np.random.default_rng(seed)
    groups = max(accounts // 100, 1)
    entities = [Entity("HQ", "Holding", "CN")] + [
        Entity(f"E{g}", f"Subsidiary {g}", "CN", "HQ", Decimal(1)) for g in range(groups)
    ]
    ids = [f"A{i:05d}" for i in range(accounts)]
    # Account i is in group i % groups (sub-header i - 1 for 1 <= i <= groups).
    group = (
        [0]
        + [i - 1 for i in range(1, groups + 1)]
        + [i % groups for i in range(groups + 1, accounts)]
    )
    currency = ["CNY"] + [currency_of(q, realistic) for q in group[1:]]
    tops = {"CNY": ids[0]}
    present = {currency_of(q, realistic) for q in range(groups)}
    tops |= {c: f"T{c}" for c in ("USD", "HKD") if c in present}
    account_objs = tuple(
        Account(
            a,
            "HQ" if i == 0 else f"E{i % groups}",
            "Bank",
            "CN" if currency[i] == "CNY" else "HK",
            currency[i],
            None,
            _terms_in(i % 30, currency[i]),
        )
        for i, a in enumerate(ids)
    ) + tuple(
        Account(a, "HQ", "Bank", "HK", c, None, _terms_in(0, c))
        for c, a in tops.items()
        if c != "CNY"
    )
    level = rng.normal(0, 2_000_000, size=(accounts, 1))
    noise = rng.normal(0, 300_000, size=(accounts, days)).cumsum(axis=1) / 10
    scale = np.array([1 / float(FX[c][0][1]) if c != "CNY" else 1.0 for c in currency])[:, None]
    minor = np.round((level + noise) * scale * 100).astype(np.int64)
    extra = len(tops) - 1
    minor = np.vstack([minor, np.zeros((extra, days), dtype=np.int64)])
    all_ids = (*ids, *(a for c, a in tops.items() if c != "CNY"))
    history = BalanceHistory(date(2024, 1, 1), all_ids, minor, np.ones_like(minor, bool))
    rules = []
    headers = ids[1 : groups + 1]
    for q, h in enumerate(headers):
        rules.append(SweepRule(h, tops[currency_of(q, realistic)], "zero-balance"))
    # One object per distinct amount and currency, as the case loader shares them.
    amount = {
        (v, c): Money(Decimal(v), c)
        for v in (10000, 20000, 50000, 90000)
        for c in FX.keys() | {"CNY"}
    }
    for i in range(groups + 1, accounts):
        kind = KINDS[i % 4]
        c = currency[i]
        target = amount[50000, c] if kind != "zero-balance" else None
        more: dict[str, Money] = {}
        if kind == "threshold":
            more = {"minimum": amount[20000, c]}
        if kind == "range":
            more = {"low": amount[10000, c], "high": amount[90000, c]}
        rules.append(
            SweepRule(
                ids[i],
                headers[i % groups],
                kind,
                target=target,
                direction=DIRECTIONS[(i // 4) % 4],
                **more,
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
    case = Case(
        client,
        "CNY",
        tuple(entities),
        account_objs,
        history,
        FxRates("CNY", FX if realistic else {}),
        (structure,),
        Decimal("0.031"),
    )
    if not realistic:
        return case
    granted = limits(case, structure, tops, {h: currency[1 + q] for q, h in enumerate(headers)})
    return attrs.evolve(case, structures=(attrs.evolve(structure, header_limit=granted),))


def limits(
    case: Case, structure: PhysicalStructure, tops: dict[str, str], subs: dict[str, str]
) -> dict[str, Money]:
    """The header limits a bank would grant: each top header enough overdraft to cover its
    debit after the sweeps (had it no floor) on all but BINDING_SHARE of the days, rounded
    up to a million; each sub-header SUB_LIMIT."""
    index = Replay(case).index
    history = case.balances
    ample = {top: Money(Decimal(10**12), c) for c, top in tops.items()}
    unlimited = attrs.evolve(structure, header_limit=ample)
    swept = run_sweeps(unlimited, history.minor, index, history.start)
    granted = {h: Money(Decimal(SUB_LIMIT[c]), c) for h, c in subs.items()}
    for c, top in tops.items():
        k = swept.accounts.index(top)
        debit = np.maximum(-swept.closing[k], 0) / 100
        size = float(np.quantile(debit, 1 - BINDING_SHARE))
        granted[top] = Money(Decimal(int(-(-size // 1e6)) * 1_000_000), c)
    return granted


def pool(case: Case) -> HybridStructure:
    """The sweeps, with the three top headers in a per-currency notional pool on top: each
    currency nets at its own terms, credit in one covers debit in another at the offset rate
    less an 8% haircut (docs/simulation.md, "Multi-currency pools, per currency")."""
    physical = case.structures[0]
    assert isinstance(physical, PhysicalStructure)
    flat = functools.partial(Terms, "ACT/360")

    def rates(credit: str, debit: str) -> Terms:
        return flat((Tier(Decimal(0), Decimal(credit)),), (Tier(Decimal(0), Decimal(debit)),))

    own = {"USD": rates("0.035", "0.065"), "HKD": rates("0.025", "0.060")}
    tops = [a for a in ("TUSD", "THKD") if a in case.balances.accounts]
    notional = NotionalPool(
        "fx-pool",
        "Per-currency pool",
        "CNY",
        ("A00000", *tops),
        rates("0.008", "0.039"),
        header="A00000",
        currency_terms={a[1:]: own[a[1:]] for a in tops},
        offset_rate=Decimal("0.032"),
        haircut=Decimal("0.08"),
    )
    return HybridStructure("hybrid", "Sweeps and a per-currency pool", physical, notional)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def best_of(runs: int, fn: Callable[[], object]) -> float:
    return min(timed(fn) for _ in range(runs))


@attrs.frozen
class Timing:
    cold: float  # best of the runs, with the baseline
    warm: float  # best of the runs, structure only
    copy: float  # best of the copies timed in turn with the cold runs
    ratios: list[float]  # copy / engine, run by run, sorted

    def line(self, label: str, account_days: int) -> str:
        r = self.ratios
        return (
            f"{label}: with baseline {self.cold:.3f} s "
            f"({account_days / self.cold / 1e6:.1f} M account-days/s), structure only "
            f"{self.warm:.3f} s, copy {self.copy:.4f} s; engine / copy {self.copy / self.cold:.3f} "
            f"(run by run: median {r[len(r) // 2]:.3f}, middle half {r[len(r) // 4]:.3f}-"
            f"{r[3 * len(r) // 4]:.3f}, all {r[0]:.3f}-{r[-1]:.3f}; target >= 0.1)"
        )


def measure(case: Case, call: Callable[[Replay | None], object], runs: int) -> Timing:
    """The engine with nothing cached and with the case's Replay held, and the copy."""

    def copy() -> None:
        case.balances.minor.copy()

    pairs = [(timed(lambda: call(None)), timed(copy)) for _ in range(runs)]
    replay = Replay(case)
    call(replay)
    warm = best_of(runs, lambda: call(replay))
    return Timing(
        min(c for c, _ in pairs),
        warm,
        min(c for _, c in pairs),
        sorted(c / e for e, c in pairs),
    )


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
    hybrid = pool(case)
    worst = build(n, d, realistic=False)
    print(f"built {n:,} accounts x {d} days, twice, in {time.perf_counter() - t:.1f} s")

    def cold() -> None:
        simulate_structure(case, hybrid)  # a Replay of its own: nothing cached

    def run_case(replay: Replay | None) -> None:
        simulate_structure(case, hybrid, replay=replay)

    def run_worst(replay: Replay | None) -> None:
        simulate(worst, "mixed", replay=replay)

    first_s = timed(cold)
    # Engine and copy in turn, so that both see the machine in the same state.
    realistic = measure(case, run_case, args.runs)
    worst_case = measure(worst, run_worst, args.runs)
    cold_s, warm_s, copy_s, paired = (
        realistic.cold,
        realistic.warm,
        realistic.copy,
        realistic.ratios,
    )

    tracemalloc.start()
    cold()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    matrix_mb = case.balances.minor.nbytes / 2**20

    from reference import reference_simulate

    small = build(40, 60, realistic=False)
    ref_s = best_of(1, lambda: reference_simulate(small, "mixed"))
    eng_small = best_of(3, lambda: simulate(small, "mixed"))
    ref_rate = 40 * 60 / ref_s

    for label, c in (("realistic", case), ("worst case", worst)):
        structure = c.structures[0]
        assert isinstance(structure, PhysicalStructure)
        index = Replay(c).index
        swept = run_sweeps(structure, c.balances.minor, index, c.balances.start)
        print(
            f"{label}: funding cut on {int(swept.short_on.sum())} of {d} days; "
            f"{int((swept.shortfall_days > 0).sum()):,} accounts short on some day, "
            f"{int(swept.shortfall_days.sum()):,} account-days short; "
            f"{len(structure.header_limit)} header limits"
        )
    print("measured: the realistic case's sweeps, floors, rate changes and per-currency pool")
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
    print(worst_case.line("worst case (no limits, floors bind every day)", account_days))
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
