"""Rule checks that run when a case is loaded: ids, references, trees and currencies.

Each check takes what was read (items that could not be read are MISSING and skipped)
and returns Problems that name the key path in the case file.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import networkx as nx

from cashmgmt.errors import Invalid, Problem, shown
from cashmgmt.inputs.casefile.parsers import identifier
from cashmgmt.inputs.limits import MAX_GAP_DAYS
from cashmgmt.model import (
    FACILITIES,
    Account,
    BalanceHistory,
    FxRates,
    NotionalPool,
    Structure,
    bank_key,
)


def _raw_ids(top: Mapping[str, Any], section: str) -> list[tuple[int, str]]:
    items = top.get(section)
    if not isinstance(items, list):
        return []
    return [
        (i, _nfc(item["id"]))
        for i, item in enumerate(items)
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    ]


def _nfc(text: str) -> str:
    """An id as `identifier` reads it (NFC), so that é typed two ways is one id."""
    return unicodedata.normalize("NFC", text)


def _id(value: object) -> str:
    """An id for a message: quoted, cut, non-ASCII characters as escapes ('\\u041dQ', not a
    Cyrillic 'НQ' that looks like 'HQ')."""
    return shown(value, escaped=True)


def _name(value: str) -> str:
    """An id inside a sentence (a cycle): as written if plain ASCII, else as `_id` shows it."""
    return value if value.isascii() and value.isprintable() and len(value) <= 40 else _id(value)


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
                        f"expected a unique id; {_id(item_id)} is also {section}[{first[item_id]}]",
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
    """A reference to an id, as `identifier` reads it; None if it is not a valid id (that
    fault is reported where the value is read, once)."""
    try:
        return identifier(value)
    except Invalid:
        return None


def _cycles(graph: nx.DiGraph, order: Callable[[str], int]) -> list[list[str]]:
    """One cycle per strongly connected component that holds one (a self-loop is a cycle of
    one), in `order` of their first nodes. Listing every cycle is exponential (12 entities
    each naming the others as parent have millions); one per component names each tangle
    once, and every walk here is iterative, so a chain 10,000 deep is fine."""
    found = []
    for component in nx.strongly_connected_components(graph):
        start = min(component, key=order) if len(component) > 1 else next(iter(component))
        if len(component) > 1 or graph.has_edge(start, start):
            found.append(_cycle_through(graph, start, component))
    return sorted(found, key=lambda cycle: order(cycle[0]))


def _cycle_through(graph: nx.DiGraph, start: str, component: set[str]) -> list[str]:
    """A shortest cycle from `start` back to it inside its component (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for following in graph.successors(node):
            if following == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if following in component and following not in came_from:
                came_from[following] = node
                queue.append(following)
    raise AssertionError("a strongly connected component always has a cycle")


def _cycle_text(cycle: Sequence[str]) -> str:
    """`A -> B -> A`; a long cycle shows its first steps and how many it has."""
    names = [_name(node) for node in cycle[:8]]
    if len(cycle) > 8:
        names.append(f"… ({len(cycle)} in all)")
    return " -> ".join([*names, _name(cycle[0])])


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
                    f"expected the id of an entity in the case, got {_id(parent)}",
                )
            )
        elif child is not None:
            graph.add_edge(parent, child)
    for cycle in _cycles(graph, position.__getitem__):
        problems.append(
            Problem(
                label,
                f"entities[{position[cycle[0]]}].parent",
                f"expected an ownership tree, found a cycle: {_cycle_text(cycle)}",
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
                    f"expected the id of an entity in the case, got {_id(entity)}",
                )
            )
        if isinstance(item.get("bank"), str):
            banks.add(item["bank"].strip())
    keys = {bank_key(b) for b in banks}
    if proposing_bank is not None and banks and bank_key(proposing_bank) not in keys:
        problems.append(
            Problem(
                label,
                "proposing_bank",
                f"expected the bank of some account ({', '.join(sorted(banks))}), "
                f"got {shown(proposing_bank)}",
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
                add(f"{place}.{key}", f"expected an account id of the case, got {_id(account)}")
        if participant is None or header is None:
            continue
        if participant == header:
            add(place, f"expected two different accounts, got {_id(participant)} twice")
            continue
        if participant in headers:
            add(
                f"{place}.from",
                f"expected one header per participant; {_id(participant)} already sweeps "
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
                f"{_name(participant)} is {ours}, {_name(header)} is {theirs}",
            )
    for cycle in _cycles(graph, headers.__getitem__):
        add(f"{where}.rules", f"expected a sweep forest, found a cycle: {_cycle_text(cycle)}")


def _check_pool(
    pool: Mapping[str, Any], where: str, accounts: set[str], add: Callable[[str, str], None]
) -> None:
    members = pool.get("accounts")
    seen: set[str] = set()
    for i, member in enumerate(members if isinstance(members, list) else []):
        account = _ref(member)
        if account is None:
            continue
        if account not in accounts:
            add(f"{where}.accounts[{i}]", f"expected an account id of the case, got {_id(account)}")
        if account in seen:
            add(f"{where}.accounts[{i}]", f"expected each account once, {_id(account)} repeats")
        seen.add(account)
    header = _ref(pool.get("header"))
    if header is not None and header not in seen:
        add(f"{where}.header", f"expected one of the pool's accounts, got {_id(header)}")
    shares = pool.get("shares")
    for key in shares if isinstance(shares, Mapping) else {}:
        account = _ref(key)
        if account is not None and account not in seen:
            add(f"{where}.shares", f"expected shares of the pool's accounts, got {_id(account)}")


def check_poolable(label: str, top: Mapping[str, Any]) -> list[Problem]:
    """No structure sweeps or pools a restricted account or a facility's account (read from
    the raw entries, so a structure is checked even where other keys are wrong): restricted
    money may not be moved or netted, and a facility's drawings are borrowing under its own
    agreement, not a balance (docs/case-format.md, "Restricted accounts and facilities")."""
    why: dict[str, str] = {}
    for _, item in _raw_items(top, "accounts"):
        account = _ref(item.get("id"))
        if account is None:
            continue
        if item.get("restricted") is True:
            why[account] = (
                "is restricted (money set aside: escrow, IPO proceeds, collateral), "
                "which is never swept or pooled"
            )
        elif item.get("facility") in FACILITIES:
            why[account] = (
                f"is the account of a {item['facility']} facility, whose drawings are "
                "borrowing under the facility, never swept or pooled"
            )
    problems = []
    for s, structure in _raw_items(top, "structures") if why else []:
        where = f"structures[{s}]"
        places: list[tuple[str, object]] = []
        if structure.get("kind") == "physical" and isinstance(structure.get("rules"), list):
            for r, rule in enumerate(structure["rules"]):
                if isinstance(rule, Mapping):
                    places += [(f"{where}.rules[{r}].{k}", rule.get(k)) for k in ("from", "to")]
        elif structure.get("kind") == "notional" and isinstance(structure.get("accounts"), list):
            places += [(f"{where}.accounts[{i}]", a) for i, a in enumerate(structure["accounts"])]
        for place, value in places:
            account = _ref(value)
            if account in why:
                problems.append(
                    Problem(
                        label,
                        place,
                        f"expected an account that may be pooled; {_name(account)} {why[account]}",
                    )
                )
    return problems


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
