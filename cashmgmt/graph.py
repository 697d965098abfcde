"""networkx views of a case: the ownership tree of entities and the sweep forest of accounts.

These are derived from the model on demand, never a second copy of the truth.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from cashmgmt.model import Case, Entity, PhysicalStructure, SweepRule


def ownership_graph(entities: Iterable[Entity]) -> nx.DiGraph:
    """Parent -> child edges weighted by `ownership`; every entity is a node."""
    graph = nx.DiGraph()
    items = list(entities)
    for entity in items:
        graph.add_node(entity.id, entity=entity)
    for entity in items:
        if entity.parent is not None:
            graph.add_edge(entity.parent, entity.id, ownership=entity.ownership)
    return graph


def sweep_graph(rules: Iterable[SweepRule]) -> nx.DiGraph:
    """Participant -> header edges, one per rule, with the rule on the edge."""
    graph = nx.DiGraph()
    for rule in rules:
        graph.add_edge(rule.participant, rule.header, rule=rule)
    return graph


def ownership_tree(case: Case) -> nx.DiGraph:
    """The case's ownership tree (a forest when the group has several top entities)."""
    return ownership_graph(case.entities)


def sweep_forest(structure: PhysicalStructure) -> nx.DiGraph:
    """The structure's sweep forest: money flows along edges towards the roots (headers)."""
    return sweep_graph(structure.rules)


def sweep_order(structure: PhysicalStructure) -> list[SweepRule]:
    """Rules leaf-to-root: every participant's rule runs before its header's own rule."""
    graph = sweep_forest(structure)
    order = {account: i for i, account in enumerate(nx.topological_sort(graph))}
    return sorted(structure.rules, key=lambda rule: order[rule.participant])


def top_header(structure: PhysicalStructure, account: str) -> str:
    """The root header an account's money ends up at."""
    graph = sweep_forest(structure)
    while graph.out_degree(account):
        account = next(iter(graph.successors(account)))
    return account
