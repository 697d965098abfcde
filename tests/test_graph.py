"""The networkx views: ownership tree and sweep forest, derived from the model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from cashmgmt import load_case
from cashmgmt.graph import ownership_tree, sweep_forest, sweep_order, top_header
from cashmgmt.model import PhysicalStructure, SweepRule


def test_ownership_tree_from_case(case_dir: Callable[..., Path]) -> None:
    case = load_case(case_dir())
    tree = ownership_tree(case)
    assert sorted(tree.edges) == [("HQ", "EAST"), ("HQ", "NOR")]
    assert str(tree.edges["HQ", "NOR"]["ownership"]) == "0.6"
    assert [n for n in tree if tree.in_degree(n) == 0] == ["HQ"]


@st.composite
def forests(draw: st.DrawFn) -> PhysicalStructure:
    """A random sweep forest up to 4 levels, its rules in a random order."""
    n = draw(st.integers(2, 25))
    rules = []
    for child in range(1, n):
        if draw(st.integers(0, 4)) == 0:
            continue  # a root of its own
        parent = draw(st.integers(0, child - 1))
        rules.append(SweepRule(f"A{child}", f"A{parent}", "zero-balance"))
    rules = draw(st.permutations(rules))
    if not rules:
        rules = [SweepRule("A1", "A0", "zero-balance")]
    return PhysicalStructure("s", "s", tuple(rules))


@given(forests())
def test_sweeps_run_leaf_to_root(structure: PhysicalStructure) -> None:
    order = [rule.participant for rule in sweep_order(structure)]
    position = {account: i for i, account in enumerate(order)}
    for rule in structure.rules:
        if rule.header in position:  # the header sweeps further up: after its participants
            assert position[rule.participant] < position[rule.header]
    assert sorted(order) == sorted(r.participant for r in structure.rules)


@given(forests())
def test_every_account_reaches_a_root_header(structure: PhysicalStructure) -> None:
    graph = sweep_forest(structure)
    for account in graph:
        root = top_header(structure, account)
        assert graph.out_degree(root) == 0
        assert root == account or root in nx.descendants(graph, account)
