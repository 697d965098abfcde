"""Hypothesis: malformed cases only ever give the problem list (exit 2), valid models
survive a save and a load unchanged."""

from __future__ import annotations

import copy
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from casekit import BASE_BALANCES, BASE_CASE, BASE_FX, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cashmgmt
from cashmgmt import CaseError, load_case, save_case
from cashmgmt.cli import cli
from cashmgmt.model import (
    Account,
    Allocation,
    BalanceHistory,
    Case,
    Client,
    Entity,
    Fees,
    FxRates,
    NotionalPool,
    PhysicalStructure,
    RuleKind,
    Structure,
    SweepRule,
    Terms,
    Tier,
)
from cashmgmt.money import Money, currency_codes

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------ malformed input

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["XYZ", "NO", "1e999", "-5%", "ACT/999", "", "  ", "2025-02-30"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(node: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside the document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


ALL_PATHS = paths(BASE_CASE)


def apply(doc: Any, path: tuple[Any, ...], action: str, value: object) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if action == "delete":
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@st.composite
def malformed_case(draw: st.DrawFn) -> tuple[object, str, str]:
    """A case document with 1 to 3 random edits, and possibly damaged tables."""
    doc: Any = copy.deepcopy(BASE_CASE)
    for _ in range(draw(st.integers(1, 3))):
        here = paths(doc)
        if not here:
            break
        path = draw(st.sampled_from(here))
        action = draw(st.sampled_from(["delete", "replace", "replace"]))
        doc = apply(doc, path, action, draw(junk))
    if draw(st.booleans()):
        doc = draw(junk)  # sometimes the whole file is junk
    balances, fx = BASE_BALANCES, BASE_FX
    if draw(st.booleans()):
        lines = balances.splitlines()
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=8))
        lines[i] = ",".join(cells)
        balances = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        fx = draw(st.text(max_size=40))
    return doc, balances, fx


@SETTINGS
@given(malformed_case())
def test_malformed_cases_give_problems_never_a_crash(sample: tuple[object, str, str]) -> None:
    doc, balances, fx = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case=doc, balances=balances, fx=fx)
        try:
            case = load_case(folder)
        except CaseError as exc:
            assert exc.problems
            assert all(
                p.file
                and p.message.startswith(
                    ("expected", "missing", "unknown", "no such", "cannot", "and ")
                )
                for p in exc.problems
            ), exc.problems
            expect_exit = 2
        else:
            assert isinstance(case, cashmgmt.Case)  # the edit happened to keep it valid
            expect_exit = 0
        result = CliRunner().invoke(cli, ["check", str(folder)])
        assert result.exit_code == expect_exit, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


# Faults that must be refused, with the place they must name.
ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ-0123456789", min_size=1, max_size=10)


@st.composite
def invalid_case(draw: st.DrawFn) -> tuple[dict[str, Any], str, str]:
    doc: dict[str, Any] = copy.deepcopy(BASE_CASE)
    kind = draw(st.sampled_from(["currency", "country", "reference", "cycle", "missing", "type"]))
    if kind == "currency":
        code = draw(st.text(min_size=1, max_size=4).filter(lambda c: c not in currency_codes()))
        i = draw(st.integers(0, 2))
        doc["accounts"][i]["currency"] = code
        return doc, "", f"accounts[{i}].currency"
    if kind == "country":
        code = draw(
            st.text(min_size=1, max_size=3).filter(lambda c: not cashmgmt.regions.is_country(c))
        )
        i = draw(st.integers(0, 2))
        doc["entities"][i]["country"] = code
        return doc, "", f"entities[{i}].country"
    if kind == "reference":
        ghost = draw(
            ids.filter(lambda x: x not in {"HQ", "EAST", "NOR", "HQ-CNY", "EAST-CNY", "NOR-USD"})
        )
        where = draw(st.sampled_from(["parent", "entity", "rule", "pool"]))
        if where == "parent":
            doc["entities"][1]["parent"] = ghost
            return doc, "", "entities[1].parent"
        if where == "entity":
            doc["accounts"][2]["entity"] = ghost
            return doc, "", "accounts[2].entity"
        if where == "rule":
            doc["structures"][0]["rules"][0]["to"] = ghost
            return doc, "", "structures[0].rules[0].to"
        doc["structures"][1]["accounts"].append(ghost)
        return doc, "", "structures[1].accounts[2]"
    if kind == "cycle":
        doc["entities"][0]["parent"] = draw(st.sampled_from(["EAST", "NOR", "HQ"]))
        return doc, "", "entities["
    if kind == "missing":
        section, key = draw(
            st.sampled_from(
                [
                    ("client", "name"),
                    ("client", "industry"),
                    ("client", "country"),
                    ("", "base_currency"),
                    ("", "entities"),
                    ("", "accounts"),
                    ("", "case"),
                    ("", "balances"),
                ]
            )
        )
        (doc[section] if section else doc).pop(key)
        return doc, "", f"{section}.{key}" if section else key
    value = draw(junk.filter(lambda v: not isinstance(v, str)))
    doc["accounts"][0]["bank"] = value
    return doc, "", "accounts[0].bank"


@SETTINGS
@given(invalid_case())
def test_invalid_cases_are_never_accepted(sample: tuple[dict[str, Any], str, str]) -> None:
    doc, _, place = sample
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", case=doc)
        try:
            load_case(folder)
        except CaseError as exc:
            assert any(place in p.where for p in exc.problems), (place, exc.problems)
        else:
            raise AssertionError(f"accepted a case with a fault at {place}")


@SETTINGS
@given(st.integers(0, 6), st.integers(0, 2), st.text(max_size=6))
def test_broken_balance_rows_are_refused(row: int, column: int, cell: str) -> None:
    lines = BASE_BALANCES.splitlines()
    row = 1 + row % (len(lines) - 1)
    cells = lines[row].split(",")
    original = cells[column]
    try:  # keep only edits that cannot be valid
        if column == 0:
            date.fromisoformat(cell)
            assume(False)
        elif column == 2:
            Decimal(cell)
            assume(False)
    except ArithmeticError:
        pass
    except ValueError:
        pass
    assume(cell.strip() != original and cell not in ("HQ-CNY", "EAST-CNY", "NOR-USD"))
    cells[column] = cell
    lines[row] = ",".join(cells)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", balances="\n".join(lines) + "\n")
        try:
            load_case(folder)
        except CaseError as exc:
            assert any("balances.csv" in p.file for p in exc.problems), exc.problems
        else:
            raise AssertionError(f"accepted balances row {row} with cell {cell!r}")


# ------------------------------------------------------------------- valid round trip

CURRENCIES = ["CNY", "USD", "JPY", "KWD", "EUR"]
names = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
rates = st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.2"), places=5)
start_day = date(2024, 12, 30)


def money_in(currency: str, low: int = 0, high: int = 10**9) -> st.SearchStrategy[Money]:
    places = cashmgmt.money.exponent(currency)
    return (
        st.integers(low, high)
        .map(lambda m: Money(cashmgmt.money.from_minor(m, currency), currency))
        .filter(lambda _: places >= 0)
    )


@st.composite
def tiers(draw: st.DrawFn) -> tuple[Tier, ...]:
    starts = sorted(set(draw(st.lists(st.integers(1, 10**8), max_size=3))))
    return tuple(Tier(Decimal(s), draw(rates)) for s in [0, *starts])


@st.composite
def terms(draw: st.DrawFn, currency: str) -> Terms:
    limit = draw(st.none() | money_in(currency))
    return Terms(
        day_count=draw(st.sampled_from(["ACT/360", "ACT/365"])),
        credit=draw(st.just(()) | tiers()),
        debit=draw(st.just(()) | tiers()),
        tiering=draw(st.sampled_from(["marginal", "whole"])),
        overdraft_limit=limit,
        penalty_rate=None if limit is None else draw(st.none() | rates),
    )


@st.composite
def valid_case(draw: st.DrawFn) -> Case:
    base = draw(st.sampled_from(CURRENCIES))
    n_entities = draw(st.integers(1, 4))
    entities = []
    for i in range(n_entities):
        parent = None if i == 0 else f"E{draw(st.integers(0, i - 1))}"
        share = None if parent is None else Decimal(draw(st.integers(0, 100))) / 100
        entities.append(
            Entity(
                f"E{i}",
                draw(names),
                draw(st.sampled_from(["CN", "NO", "DE", "US", "HK"])),
                parent,
                share,
                draw(st.none() | names),
            )
        )
    accounts = []
    for i in range(draw(st.integers(1, 5))):
        cur = draw(st.sampled_from(CURRENCIES))
        accounts.append(
            Account(
                f"A{i}",
                f"E{draw(st.integers(0, n_entities - 1))}",
                draw(names),
                draw(st.sampled_from(["CN", "NO", "GB"])),
                cur,
                draw(st.none() | st.from_regex(r"[0-9]{4,20}", fullmatch=True)),
                draw(terms(cur)),
            )
        )
    days = draw(st.integers(1, 40))
    n = len(accounts)
    minor = np.zeros((n, days), dtype=np.int64)
    observed = np.zeros((n, days), dtype=bool)
    for i in range(n):
        last = 0
        for d in range(days):
            if d == 0 or d - last >= 14 or draw(st.booleans()):
                observed[i, d] = True
                last = d
                minor[i, d] = draw(st.integers(-(10**11), 10**11))
            else:
                minor[i, d] = minor[i, d - 1]
    observed[0, days - 1] = True
    history = BalanceHistory(start_day, tuple(a.id for a in accounts), minor, observed)
    fx_series = {}
    for code in sorted({a.currency for a in accounts} - {base}):
        fx_series[code] = tuple(
            (start_day + timedelta(days=d), Decimal(draw(st.integers(1, 10**7))) / 10**4)
            for d in range(0, days, 7)
        )
    structures: list[Structure] = []
    by_currency: dict[str, list[str]] = {}
    for a in accounts:
        by_currency.setdefault(a.currency, []).append(a.id)
    for cur, members in by_currency.items():
        if len(members) < 2:
            continue
        rules = []
        for k, participant in enumerate(members[1:], start=1):
            header = members[draw(st.integers(0, k - 1))]
            kind: RuleKind = draw(st.sampled_from(["zero-balance", "target", "threshold", "range"]))
            amounts: dict[str, Money | None] = {}
            if kind in ("target", "threshold", "range"):
                amounts["target"] = draw(money_in(cur, 0, 10**6))
            if kind == "threshold":
                amounts["minimum"] = draw(money_in(cur, 1, 10**6))
            if kind == "range":
                t = amounts["target"]
                assert t is not None
                amounts["low"] = Money(t.amount - 1, cur)
                amounts["high"] = Money(t.amount + 1, cur)
            rules.append(
                SweepRule(
                    participant,
                    header,
                    kind,
                    direction=draw(st.sampled_from(["two-way", "up", "down"])),
                    **amounts,
                )
            )
        fees = Fees(draw(st.none() | money_in(cur)), None, draw(st.none() | money_in(cur)))
        structures.append(
            PhysicalStructure(
                f"P-{cur}",
                draw(names),
                tuple(rules),
                draw(st.sampled_from(["daily", "business", "weekly:FRI", "monthly:last"])),
                fees,
            )
        )
    if n >= 2:
        pool_cur = base
        pool_members = tuple(a.id for a in accounts)
        allocation: Allocation = draw(
            st.sampled_from(["header", "even", "percentage", "fair-share", "reverse-fair-share"])
        )
        shares = None
        if allocation == "percentage":
            shares = {m: Decimal(0) for m in pool_members}
            shares[pool_members[0]] = Decimal(1)
        structures.append(
            NotionalPool(
                "NP",
                draw(names),
                pool_cur,
                pool_members,
                draw(terms(pool_cur)),
                allocation,
                draw(st.none() | st.sampled_from(pool_members)),
                shares,
            )
        )
    client = Client(
        draw(names),
        draw(names),
        draw(st.sampled_from(["CN", "DE", "NO"])),
        draw(money_in(base)),
        draw(st.sampled_from(["en", "zh-CN"])),
        tuple(draw(st.lists(st.sampled_from(list(cashmgmt.model.NEED_AREAS)), max_size=3))),
        draw(st.none() | names),
    )
    return Case(
        client,
        base,
        tuple(entities),
        tuple(accounts),
        history,
        FxRates(base, fx_series),
        tuple(structures),
        draw(st.none() | rates),
        draw(st.none() | st.just(accounts[0].bank)),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_case())
def test_a_saved_case_loads_back_equal(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = save_case(case, Path(tmp) / "saved")
        assert load_case(path) == case
