"""Deep structures draw without recursion: a sweep chain thousands of levels deep, or an
ownership chain as deep, ends in a document (or located problems), never an internal error."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from casekit import one_group, write_case
from click.testing import CliRunner

from cashmgmt.cli import EXIT_BAD_INPUT, cli
from cashmgmt.render.layout import tree_svg


def chain_case(folder: Path, kind: str, depth: int) -> Path:
    """A one-currency case of `depth` accounts: a sweep chain A1 → A0 … (kind "sweep"; A0
    earns interest, so the chain is recommended and drawn), or one entity per account,
    each owned by the one before (kind "ownership")."""
    accounts: list[dict[str, Any]] = [{"id": f"A{i}", "currency": "CNY"} for i in range(depth)]
    accounts[0]["terms"] = {"credit_rate": "3%"}
    series = {f"A{i}": ["1000000", "2000000", "1500000"] for i in range(depth)}
    structures: list[dict[str, Any]] = []
    if kind == "sweep":
        rules = [
            {"from": f"A{i + 1}", "to": f"A{i}", "rule": "zero-balance"} for i in range(depth - 1)
        ]
        structures = [
            {
                "id": "chain",
                "name": "Chain",
                "kind": "physical",
                "sweep_days": "daily",
                "rules": rules,
            }
        ]
    doc, balances = one_group(accounts, series, date(2025, 1, 1), structures)
    if kind == "ownership":
        doc["entities"] = [
            {"id": f"E{i}", "name": f"Co {i}", "country": "CN"}
            | ({"parent": f"E{i - 1}", "ownership": "100%"} if i else {})
            for i in range(depth)
        ]
        for i, account in enumerate(doc["accounts"]):
            account["entity"] = f"E{i}"
    return write_case(folder, doc, balances, None)


@pytest.mark.parametrize(("kind", "depth"), [("sweep", 2000), ("ownership", 1500)])
def test_a_deep_chain_gives_a_proposal_not_an_internal_error(
    tmp_path: Path, kind: str, depth: int
) -> None:
    case = chain_case(tmp_path / "case", kind, depth)
    out = tmp_path / "p.html"
    result = CliRunner().invoke(cli, ["propose", str(case), "-o", str(out), "--html"])
    assert result.exit_code in (0, EXIT_BAD_INPUT), result.output
    if result.exit_code == 0:
        page = out.read_text(encoding="utf-8")
        last = f"A{depth - 1}" if kind == "sweep" else f"Co {depth - 1}"
        assert last in page  # the deepest box is drawn


def test_tree_svg_lays_out_a_chain_deeper_than_the_recursion_limit() -> None:
    depth = 5000
    nodes = {f"n{i:05}": (f"Node {i}", "") for i in range(depth)}
    edges = [(f"n{i:05}", f"n{i + 1:05}") for i in range(depth - 1)]
    svg = tree_svg(nodes, edges)
    assert svg.count("<rect") == depth and "Node 4999" in svg
