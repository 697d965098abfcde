"""The reference docs cannot go stale: every public name and every CLI command and option is
documented (as sqlite-utils' tests/test_docs.py keeps its docs complete)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

import cashmgmt
from cashmgmt.cli import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"
API = (DOCS / "api.md").read_text(encoding="utf-8")
CLI = (DOCS / "cli.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", [n for n in cashmgmt.__all__ if n != "__version__"])
def test_public_name_is_documented(name: str) -> None:
    assert re.search(rf"`(cashmgmt\.)?{re.escape(name)}[`(]", API), f"docs/api.md lacks `{name}`"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_documented(command: str) -> None:
    assert re.search(rf"^## `cashmgmt {command}`", CLI, re.M), f"docs/cli.md lacks {command}"


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, opt)
        for name in COMMANDS
        for param in cli.commands[name].params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--")
    ],
)
def test_option_is_documented(command: str, option: str) -> None:
    section = CLI.split(f"## `cashmgmt {command}`", 1)[1].split("\n## ", 1)[0]
    assert f"`{option}" in section, f"docs/cli.md: {command} lacks {option}"


def test_every_command_mirrors_a_documented_function() -> None:
    for command in COMMANDS:
        section = CLI.split(f"## `cashmgmt {command}`", 1)[1].split("\n## ", 1)[0]
        names = re.findall(r"`cashmgmt\.(\w+)\(", section)
        assert names and all(n in cashmgmt.__all__ for n in names), (command, names)
