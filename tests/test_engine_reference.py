"""The engine agrees with the independent reference loop (tests/reference.py) to the minor
unit, on hypothesis-generated cases: random trees up to 3 levels, every rule kind and
direction, tiers, overdraft limits, both day counts, dated rate changes, notional pools."""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from casekit import write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_simulate, reference_structure

import cashmgmt

COUNTRIES = ["CN", "HK", "DE", "GB"]
SCHEDULES = [
    "daily",
    "business",
    "weekly:FRI",
    "weekly:MON",
    "monthly:last",
    "monthly:first",
    "monthly:15",
    "monthly:31",
]


def pct(draw: st.DrawFn, low: int, high: int) -> str:
    return f"{Decimal(draw(st.integers(low, high))) / 100}%"


def credit_rate(draw: st.DrawFn) -> object:
    if draw(st.booleans()):
        return pct(draw, -50, 500)
    starts = sorted(set(draw(st.lists(st.integers(1, 3000), min_size=1, max_size=3))))
    return [{"from": 0, "rate": pct(draw, 0, 300)}] + [
        {"from": s, "rate": pct(draw, 0, 600)} for s in starts
    ]


def debit_rate(draw: st.DrawFn) -> object:
    if draw(st.booleans()):
        return pct(draw, 100, 900)
    starts = sorted(set(draw(st.lists(st.integers(1, 3000), min_size=1, max_size=2))))
    return [{"from": 0, "rate": pct(draw, 100, 900)}] + [
        {"from": s, "rate": pct(draw, 100, 1500)} for s in starts
    ]


@st.composite
def terms(draw: st.DrawFn, cur: str, first: date | None = None, days: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.integers(0, 3)):  # unstated, the day count is the currency's convention
        out["day_count"] = draw(st.sampled_from(["ACT/360", "ACT/365"]))
    if draw(st.booleans()):
        out["credit_rate"] = credit_rate(draw)
    if draw(st.booleans()):
        out["debit_rate"] = debit_rate(draw)
    if draw(st.booleans()):
        out["tiering"] = "whole"
    if draw(st.booleans()):
        out["overdraft_limit"] = f"{draw(st.integers(0, 2000))} {cur}"
        if draw(st.booleans()):
            out["penalty_rate"] = pct(draw, 500, 2000)
    if first is not None and draw(st.booleans()):
        # Dated changes: up to three, a few days before the history to after it, each
        # stating some keys (docs/simulation.md, "Rate changes").
        offsets = sorted(set(draw(st.lists(st.integers(-5, days + 5), min_size=1, max_size=3))))
        changes = []
        for offset in offsets:
            change: dict[str, Any] = {"from": (first + timedelta(days=offset)).isoformat()}
            if draw(st.booleans()):
                change["credit_rate"] = credit_rate(draw)
            if draw(st.booleans()):
                change["debit_rate"] = debit_rate(draw)
            if draw(st.booleans()):
                change["tiering"] = draw(st.sampled_from(["whole", "marginal"]))
            if draw(st.booleans()) or len(change) == 1:
                change["overdraft_limit"] = f"{draw(st.integers(0, 2000))} {cur}"
                if draw(st.booleans()):
                    change["penalty_rate"] = pct(draw, 500, 2000)
            changes.append(change)
        out["changes"] = changes
    return out


@st.composite
def random_case(
    draw: st.DrawFn, per_currency: bool = False
) -> tuple[dict[str, Any], str, str, str]:
    """A random case with one structure `s`; `per_currency`: a notional pool over two or three
    currencies in per-currency mode, usually with an offset rate and a haircut."""
    n_entities = draw(st.integers(1, 4))
    # entity countries reach every withholding case: domestic, treaty (CN to HK), the EU
    # directive (IT to DE), statutory (GB to CN? treaty; IT to HK: statutory) and VAT (CN)
    homes = ["CN", "CN", "HK", "GB", "IT", "DE", "US"]
    entities = [{"id": "E0", "name": "Top", "country": draw(st.sampled_from(homes))}]
    for i in range(1, n_entities):
        entities.append(
            {
                "id": f"E{i}",
                "name": f"Sub {i}",
                "country": draw(st.sampled_from(homes)),
                "parent": f"E{draw(st.integers(0, i - 1))}",
            }
        )
    base = draw(st.sampled_from(["CNY", "USD"]))
    currencies = draw(
        st.sampled_from([["CNY"], ["CNY", "USD"], ["CNY", "JPY"], ["GBP", "CNY"], ["HKD"]])
    )
    n = draw(st.integers(2, 7))
    if per_currency:
        currencies = draw(st.sampled_from([["CNY", "USD"], ["USD", "JPY"], ["CNY", "USD", "JPY"]]))
        n = draw(st.integers(4, 7))
    days = draw(st.integers(20, 70))
    start = draw(st.sampled_from(["2024-01-25", "2025-01-20", "2025-09-26", "2024-12-30"]))
    first = date.fromisoformat(start)
    accounts = []
    for i in range(n):
        cur = currencies[0] if i < 3 else draw(st.sampled_from(currencies))
        if per_currency and i >= 3 and i - 2 < len(currencies):
            cur = currencies[i - 2]
        accounts.append(
            {
                "id": f"A{i}",
                "entity": f"E{draw(st.integers(0, n_entities - 1))}",
                "bank": "Bank",
                "country": draw(st.sampled_from(COUNTRIES)),
                "currency": cur,
                "terms": draw(terms(cur, first, days)),
            }
        )
    rows = ["date,account,balance"]
    for d in range(days):
        day = (first + timedelta(days=d)).isoformat()
        for a in accounts:
            if d % 7 == 0 or d == days - 1 or draw(st.integers(0, 3)) > 0:
                scale = 0 if a["currency"] == "JPY" else 2
                value = Decimal(draw(st.integers(-300000, 400000))).scaleb(-scale)
                rows.append(f"{day},{a['id']},{value}")
    fx_rows = ["date,currency,rate"]
    for code in sorted({"CNY", "USD", *currencies} - {base}):
        for d in [0, *range(1, days, draw(st.integers(1, 9)))]:
            level = {"USD": 7.2, "JPY": 0.048, "CNY": 1.0, "GBP": 9.1, "HKD": 0.92}[code]
            level /= 7.2 if base == "USD" else 1
            rate = Decimal(str(round(level * (1 + draw(st.integers(-50, 50)) / 1000), 6)))
            fx_rows.append(f"{(first + timedelta(days=d)).isoformat()},{code},{rate}")
    kind = (
        "notional" if per_currency else draw(st.sampled_from(["physical", "physical", "notional"]))
    )
    if kind == "physical":
        same = [a["id"] for a in accounts if a["currency"] == currencies[0]]
        rules = []
        depth = {same[0]: 0}
        for k, acc in enumerate(same[1:], start=1):
            candidates = [x for x in same[:k] if depth[x] < 2]
            header = draw(st.sampled_from(candidates))
            depth[acc] = depth[header] + 1
            rule: dict[str, Any] = {
                "from": acc,
                "to": header,
                "rule": draw(st.sampled_from(["zero-balance", "target", "threshold", "range"])),
                "direction": draw(st.sampled_from(["two-way", "up", "down"])),
            }
            c = currencies[0]
            if rule["rule"] in ("target", "threshold", "range"):
                t = draw(st.integers(-500, 2000))
                rule["target"] = f"{t} {c}"
                if rule["rule"] == "threshold":
                    rule["minimum"] = f"{draw(st.integers(1, 1500))} {c}"
                if rule["rule"] == "range":
                    rule["low"] = f"{t - draw(st.integers(0, 1500))} {c}"
                    rule["high"] = f"{t + draw(st.integers(0, 1500))} {c}"
            rules.append(rule)
        structure: dict[str, Any] = {
            "id": "s",
            "name": "S",
            "kind": "physical",
            "sweep_days": draw(st.sampled_from(SCHEDULES)),
            "rules": rules,
            "fees": {
                "per_sweep": "1.5 CNY",
                "per_account_month": "10 USD",
                "setup": "100 CNY",
                "per_month": "20 CNY",
            },
        }
        # Funding floors bind: headers with and without overdraft limits, some with a
        # header_limit of their own (zero included) on random, often negative, histories.
        headers = sorted({r["to"] for r in rules})
        limited = draw(st.booleans())
        if headers and limited:
            named = draw(st.lists(st.sampled_from(headers), min_size=1, unique=True))
            structure["header_limit"] = {
                h: f"{draw(st.integers(0, 3000))} {currencies[0]}" for h in named
            }
    else:
        members = [a["id"] for a in accounts if draw(st.booleans())] or ["A0", "A1"]
        if len(members) < 2:
            members = ["A0", "A1"]
        if per_currency:
            members = [a["id"] for a in accounts]
        allocation = draw(
            st.sampled_from(["header", "even", "percentage", "fair-share", "reverse-fair-share"])
        )
        pool_cur = draw(st.sampled_from(sorted(set(currencies))))
        structure = {
            "id": "s",
            "name": "S",
            "kind": "notional",
            "currency": pool_cur,
            "accounts": members,
            "terms": draw(terms(pool_cur, first, days)),
            "allocation": allocation,
            "fees": {"per_account_month": "3 CNY", "setup": "50 CNY"},
        }
        if allocation == "percentage":
            structure["shares"] = {m: "0%" for m in members}
            structure["shares"][members[0]] = "70%"
            structure["shares"][members[-1]] = "30%" if members[-1] != members[0] else "100%"
        if draw(st.booleans()):
            structure["header"] = draw(st.sampled_from(members))
        held = {str(a["currency"]) for a in accounts if a["id"] in members}
        others = sorted(held - {pool_cur})
        if others and (per_currency or draw(st.booleans())):  # per-currency mode
            structure["currency_terms"] = {c: draw(terms(c, first, days)) for c in others}
            if per_currency or draw(st.booleans()):
                structure["offset_rate"] = pct(draw, -50, 600)
                if draw(st.booleans()):
                    structure["haircut"] = pct(draw, 0, 9999)
    doc = {
        "case": 1,
        "client": {"name": "G", "industry": "X", "country": "CN", "annual_revenue": "1000000 CNY"},
        "base_currency": base,
        "entities": entities,
        "accounts": accounts,
        "balances": "balances.csv",
        "fx_rates": "fx.csv",
        "intercompany_rate": pct(draw, 0, 800),
        "structures": [structure],
        "contract_months": draw(st.integers(1, 120)),
    }
    if draw(st.booleans()):
        ic: dict[str, Any] = {}
        if draw(st.booleans()):
            ic["rates"] = {currencies[0]: pct(draw, -50, 900)}
        if draw(st.booleans()):
            ic["lending_spread"] = pct(draw, 0, 100)
        if draw(st.booleans()):
            ic["borrowing_spread"] = pct(draw, 0, 150)
        if draw(st.booleans()):
            ic["day_count"] = {currencies[0]: draw(st.sampled_from(["ACT/360", "ACT/365"]))}
        if draw(st.booleans()):  # dated changes, from just before to just after the history
            offsets = sorted(set(draw(st.lists(st.integers(-3, days + 3), min_size=1, max_size=3))))
            changes = []
            for offset in offsets:
                change: dict[str, Any] = {"from": (first + timedelta(days=offset)).isoformat()}
                if draw(st.booleans()):
                    change["rates"] = {draw(st.sampled_from(currencies)): pct(draw, -50, 900)}
                if draw(st.booleans()) or len(change) == 1:
                    change["lending_spread"] = pct(draw, 0, 100)
                if draw(st.booleans()):
                    change["borrowing_spread"] = pct(draw, 0, 150)
                changes.append(change)
            ic["changes"] = changes
        doc["intercompany"] = ic or {"lending_spread": "0.1%"}
    return doc, "\n".join(rows) + "\n", "\n".join(fx_rows) + "\n", base


def compare(case: cashmgmt.Case, structure: str = "s") -> None:
    """The engine's results for `structure` against the reference loop's, to the minor unit."""
    agree(case, cashmgmt.simulate(case, structure), reference_simulate(case, structure))


def agree(case: cashmgmt.Case, got: cashmgmt.SimulationResult, want: dict[str, Any]) -> None:
    """An engine result and the reference loop's, figure by figure, to the minor unit."""
    assert got.days == want["days"]
    for side in ("baseline", "structure"):
        for account, figures in want[side]["accounts"].items():
            mine = getattr(got.account(account), side)
            assert (mine.credit, mine.debit, mine.penalty) == (
                figures["credit"],
                figures["debit"],
                figures["penalty"],
            ), (side, account)
    assert got.baseline.net == want["baseline"]["net_interest"]
    for side in ("baseline", "structure"):
        mine_liquidity = attrs.asdict(getattr(got, f"{side}_liquidity"))
        assert mine_liquidity == want[side]["liquidity"], side
    assert got.structure.net == want["structure"]["net_interest"]
    assert got.fees.total == want["fees"]
    assert got.fees.sweeps == want["sweeps"]
    assert got.benefit == want["benefit"]
    assert got.benefit_annual == want["annual"]
    for account, series in want["structure"]["closing"].items():
        cur = case.account(account).currency
        assert got.account(account).closing_balance == cashmgmt.money.from_minor(series[-1], cur)
        days, peak = want["shortfall"][account]
        mine_account = got.account(account)
        assert mine_account.shortfall_days == days, account
        assert mine_account.peak_shortfall == cashmgmt.money.from_minor(peak, cur), account
    mine_ic = [
        (i.lender, i.borrower, i.currency, i.closing_position_local, i.peak_local, i.interest)
        for i in got.intercompany
    ]
    want_ic = [
        (i["lender"], i["borrower"], i["currency"], i["closing_position"], i["peak"], i["interest"])
        for i in want["intercompany"]
    ]
    assert mine_ic == want_ic
    mine_tax = [(i.withholding, i.vat) for i in got.intercompany]
    assert mine_tax == [(i["withholding"], i["vat"]) for i in want["intercompany"]]
    assert got.tax.total == want["tax"]["total"]
    assert {e.id: (e.withholding, e.vat) for e in got.tax.entities} == want["tax"]["entities"]
    for entity in got.entities:
        assert entity.tax == sum(want["tax"]["entities"].get(entity.id, ()), Decimal(0))


@settings(
    max_examples=int(os.environ.get("CASHMGMT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(random_case())
def test_engine_matches_reference(sample: tuple[dict[str, Any], str, str, str]) -> None:
    doc, balances, fx, _ = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case=doc, balances=balances, fx=fx)
        compare(cashmgmt.load_case(folder))


@settings(
    max_examples=int(os.environ.get("CASHMGMT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(random_case(per_currency=True))
def test_per_currency_pool_matches_reference(sample: tuple[dict[str, Any], str, str, str]) -> None:
    """Multi-currency pools in per-currency mode (docs/simulation.md, "Multi-currency pools,
    per currency"): every allocation, tiers, limits, offsets and haircuts, two or three
    currencies, against the reference loop to the minor unit."""
    doc, balances, fx, _ = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case=doc, balances=balances, fx=fx)
        compare(cashmgmt.load_case(folder))


@st.composite
def hybrid_case(draw: st.DrawFn) -> tuple[dict[str, Any], str, str, str, dict[str, Any]]:
    """A random case whose structure is physical, and a notional overlay over its top headers
    and some accounts outside it: the pool's currency, allocation, terms (some account's) and,
    over several currencies, per-currency terms with an offset rate and a haircut."""
    doc, balances, fx, base = draw(random_case())
    structure = doc["structures"][0]
    if structure["kind"] != "physical":
        structure = draw(
            random_case().filter(lambda s: s[0]["structures"][0]["kind"] == "physical")
        )
        doc, balances, fx, base = structure
        structure = doc["structures"][0]
    rules = structure["rules"]
    tops = sorted({r["to"] for r in rules} - {r["from"] for r in rules})
    inside = {r["to"] for r in rules} | {r["from"] for r in rules}
    others = [a["id"] for a in doc["accounts"] if a["id"] not in inside]
    members = tops + draw(st.lists(st.sampled_from(others), unique=True)) if others else tops
    overlay = {
        "members": members,
        "allocation": draw(st.sampled_from(["header", "even", "fair-share", "reverse-fair-share"])),
        "terms_of": draw(st.sampled_from(members)),
        "per_currency": draw(st.booleans()),
        "offset_rate": draw(st.sampled_from(["0.01", "0.025", "-0.001"])),
        "haircut": draw(st.sampled_from(["0", "0.08", "0.5"])),
    }
    return doc, balances, fx, base, overlay


@settings(
    max_examples=int(os.environ.get("CASHMGMT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(hybrid_case())
def test_hybrid_matches_reference(
    sample: tuple[dict[str, Any], str, str, str, dict[str, Any]],
) -> None:
    """The design phase's hybrid (sweeps, then a notional pool on the swept balances), in
    the base-currency mode and per currency, against the reference loop to the minor unit."""
    from cashmgmt.cycle.design.candidates import HybridStructure
    from cashmgmt.engine.simulate import simulate_structure
    from cashmgmt.model import Fees, NotionalPool, PhysicalStructure
    from cashmgmt.money import Money

    doc, balances, fx, base, spec = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case=doc, balances=balances, fx=fx)
        case = cashmgmt.load_case(folder)
    physical = case.structure("s")
    assert isinstance(physical, PhysicalStructure)
    members = tuple(spec["members"])
    held = {case.account(a).currency: case.account(a).terms for a in members}
    pool = NotionalPool(
        "pool",
        "Pool",
        base,
        members,
        case.account(spec["terms_of"]).terms,
        spec["allocation"],
        None,
        None,
        Fees(per_account_month=Money(Decimal(3), base), setup=Money(Decimal(40), base)),
    )
    several = {c for c in held if c != base}
    if spec["per_currency"] and several:
        pool = attrs.evolve(
            pool,
            currency_terms={c: held[c] for c in several},
            offset_rate=Decimal(spec["offset_rate"]),
            haircut=Decimal(spec["haircut"]),
        )
    got = simulate_structure(case, HybridStructure("h", "H", physical, pool))
    agree(case, got, reference_structure(case, physical, pool))
