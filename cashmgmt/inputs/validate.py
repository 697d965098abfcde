"""Rule checks that run when a case is loaded: ids, references, trees and currencies.

Each check takes what was read (items that could not be read are MISSING and skipped)
and returns Problems that name the key path in the case file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import networkx as nx

from cashmgmt.errors import Problem
from cashmgmt.inputs.limits import MAX_GAP_DAYS
from cashmgmt.model import Account, BalanceHistory, FxRates, NotionalPool, Structure


def _raw_ids(top: Mapping[str, Any], section: str) -> list[tuple[int, str]]:
    items = top.get(section)
    if not isinstance(items, list):
        return []
    return [
        (i, item["id"])
        for i, item in enumerate(items)
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    ]


def known_ids(top: Mapping[str, Any], section: str) -> set[str]:
    """Ids written in a section, including items that failed to read (no cascades)."""
    return {item_id for _, item_id in _raw_ids(top, section)}


def check_ids(label: str, top: Mapping[str, Any]) -> list[Problem]:
    """Ids are unique within entities, within accounts and within structures."""
    problems = []
    for section in ("entities", "accounts", "structures"):
        first: dict[str, int] = {}
        for i, item_id in _raw_ids(top, section):
            if item_id in first:
                problems.append(
                    Problem(
                        label,
                        f"{section}[{i}].id",
                        f"expected a unique id; {item_id!r} is also {section}[{first[item_id]}]",
                    )
                )
            else:
                first[item_id] = i
    return problems


def _raw_items(top: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
    items = top.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, Mapping)]


def _ref(value: object) -> str | None:
    return value if isinstance(value, str) else None


def check_entities(label: str, top: Mapping[str, Any]) -> list[Problem]:
    """Parents exist and the ownership graph has no cycle (read from the raw entries, so an
    entity with some other fault is still checked)."""
    problems = []
    known = known_ids(top, "entities")
    position = {item_id: i for i, item_id in _raw_ids(top, "entities")}
    graph = nx.DiGraph()
    for i, item in _raw_items(top, "entities"):
        parent, child = _ref(item.get("parent")), _ref(item.get("id"))
        if parent is None:
            continue
        if parent not in known:
            problems.append(
                Problem(
                    label,
                    f"entities[{i}].parent",
                    f"expected the id of an entity in the case, got {parent!r}",
                )
            )
        elif child is not None:
            graph.add_edge(parent, child)
    for cycle in nx.simple_cycles(graph):
        names = " -> ".join([*cycle, cycle[0]])
        first = min(cycle, key=lambda e: position[e])
        problems.append(
            Problem(
                label,
                f"entities[{position[first]}].parent",
                f"expected an ownership tree, found a cycle: {names}",
            )
        )
    return problems


def check_accounts(label: str, top: Mapping[str, Any], proposing_bank: str | None) -> list[Problem]:
    """Every account belongs to a known entity; the proposing bank holds some accounts."""
    problems = []
    entities = known_ids(top, "entities")
    banks: set[str] = set()
    for i, item in _raw_items(top, "accounts"):
        entity = _ref(item.get("entity"))
        if entity is not None and entity not in entities:
            problems.append(
                Problem(
                    label,
                    f"accounts[{i}].entity",
                    f"expected the id of an entity in the case, got {entity!r}",
                )
            )
        if isinstance(item.get("bank"), str):
            banks.add(item["bank"].strip())
    if proposing_bank is not None and banks and proposing_bank not in banks:
        problems.append(
            Problem(
                label,
                "proposing_bank",
                f"expected the bank of some account ({', '.join(sorted(banks))}), "
                f"got {proposing_bank!r}",
            )
        )
    return problems


def check_structures(
    label: str, top: Mapping[str, Any], currencies: Mapping[str, str]
) -> list[Problem]:
    """Structures name known accounts; physical ones join one currency in a forest."""
    problems: list[Problem] = []
    accounts = known_ids(top, "accounts")

    def add(where: str, message: str) -> None:
        problems.append(Problem(label, where, message))

    for s, structure in _raw_items(top, "structures"):
        where = f"structures[{s}]"
        if structure.get("kind") == "notional":
            _check_pool(structure, where, accounts, add)
        elif structure.get("kind") == "physical":
            _check_physical(structure, where, accounts, currencies, add)
    return problems


def _check_physical(
    structure: Mapping[str, Any],
    where: str,
    accounts: set[str],
    currencies: Mapping[str, str],
    add: Callable[[str, str], None],
) -> None:
    headers: dict[str, int] = {}
    graph = nx.DiGraph()
    rules = structure.get("rules")
    for r, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, Mapping):
            continue
        place = f"{where}.rules[{r}]"
        participant, header = _ref(rule.get("from")), _ref(rule.get("to"))
        for key, account in (("from", participant), ("to", header)):
            if account is not None and account not in accounts:
                add(f"{place}.{key}", f"expected an account id of the case, got {account!r}")
        if participant is None or header is None:
            continue
        if participant == header:
            add(place, f"expected two different accounts, got {participant!r} twice")
            continue
        if participant in headers:
            add(
                f"{place}.from",
                f"expected one header per participant; {participant!r} already sweeps "
                f"in rules[{headers[participant]}]",
            )
            continue
        headers[participant] = r
        graph.add_edge(participant, header)
        ours, theirs = currencies.get(participant), currencies.get(header)
        if ours and theirs and ours != theirs:
            add(
                place,
                "expected accounts of one currency in a physical sweep; "
                f"{participant} is {ours}, {header} is {theirs}",
            )
    for cycle in nx.simple_cycles(graph):
        names = " -> ".join([*cycle, cycle[0]])
        add(f"{where}.rules", f"expected a sweep forest, found a cycle: {names}")


def _check_pool(
    pool: Mapping[str, Any], where: str, accounts: set[str], add: Callable[[str, str], None]
) -> None:
    members = pool.get("accounts")
    seen: set[str] = set()
    for i, account in enumerate(members if isinstance(members, list) else []):
        if not isinstance(account, str):
            continue
        if account not in accounts:
            add(f"{where}.accounts[{i}]", f"expected an account id of the case, got {account!r}")
        if account in seen:
            add(f"{where}.accounts[{i}]", f"expected each account once, {account!r} repeats")
        seen.add(account)
    header = _ref(pool.get("header"))
    if header is not None and header not in seen:
        add(f"{where}.header", f"expected one of the pool's accounts, got {header!r}")
    shares = pool.get("shares")
    for account in shares if isinstance(shares, Mapping) else {}:
        if account not in seen:
            add(f"{where}.shares", f"expected shares of the pool's accounts, got {account!r}")


def check_fx_coverage(
    label: str,
    fx_name: str | None,
    fx: FxRates,
    history: BalanceHistory,
    accounts: Sequence[Account],
    structures: Sequence[Structure],
) -> list[Problem]:
    """Every currency other than the base has a rate from the first day, without long gaps."""
    needed: dict[str, str] = {}
    for account in accounts:
        needed.setdefault(account.currency, f"account {account.id}")
    for structure in structures:
        if isinstance(structure, NotionalPool):
            needed.setdefault(structure.currency, f"notional pool {structure.id}")
        for fee in (
            structure.fees.per_sweep,
            structure.fees.per_account_month,
            structure.fees.setup,
        ):
            if fee is not None:
                needed.setdefault(fee.currency, f"the fees of structure {structure.id}")
    problems = []
    for code, user in needed.items():
        if code == fx.base:
            continue
        points = fx.series.get(code, ())
        file = fx_name or label
        where = "" if fx_name else "fx_rates"
        if not points or points[0][0] > history.start:
            problems.append(
                Problem(
                    file,
                    where,
                    f"expected {code} rates (units of {fx.base} per {code}) from {history.start}, "
                    f"needed by {user}",
                )
            )
            continue
        days = [d for d, _ in points if history.start <= d <= history.end]
        stops = [history.start, *days, history.end + timedelta(days=1)]
        gaps = [(b - a).days for a, b in itertools.pairwise(stops)]
        if gaps and max(gaps) > MAX_GAP_DAYS:
            at = stops[gaps.index(max(gaps))]
            problems.append(
                Problem(
                    file,
                    where,
                    f"expected a {code} rate at least every {MAX_GAP_DAYS} days; "
                    f"none for {max(gaps) - 1} days after {at}",
                )
            )
    return problems
