"""The house rules that no single feature test sees: layers, cheap import, one error family."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cashmgmt

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numba", "weasyprint", "matplotlib")


def loaded_after(statement: str) -> set[str]:
    """Top-level modules present in sys.modules after running `statement` in a fresh Python."""
    listing = "print(' '.join({m.split('.')[0] for m in sys.modules}))"
    code = f"{statement}\nimport sys\n{listing}"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(out.stdout.split())


def test_import_cashmgmt_loads_nothing_heavy() -> None:
    assert not loaded_after("import cashmgmt") & {*HEAVY, "numpy"}


def test_the_command_line_loads_only_click_to_answer_help() -> None:
    assert not loaded_after("import cashmgmt.cli") & {*HEAVY, "numpy", "attrs"}


def test_a_public_name_loads_only_its_own_layers() -> None:
    after = loaded_after("import cashmgmt; cashmgmt.run_cycle")
    assert "numpy" in after  # the phases need the engine's arrays ...
    assert not after & {"weasyprint", "matplotlib", "jinja2"}  # ... but nothing of the renderer


def test_every_public_name_resolves() -> None:
    for name in cashmgmt.__all__:
        assert getattr(cashmgmt, name) is not None, name
    with pytest.raises(AttributeError):
        _ = cashmgmt.no_such_name


def test_every_error_is_a_cashmgmt_error_and_a_value_error() -> None:
    errors = [getattr(cashmgmt, n) for n in cashmgmt.__all__ if n.endswith("Error")]
    assert len(errors) >= 5
    for error in errors:
        assert issubclass(error, cashmgmt.Error) and issubclass(error, ValueError), error
        problem = cashmgmt.Problem("case.yaml", "accounts[0]", "expected an id")
        assert error([problem]).problems == (problem,)


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(command), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


def test_layers_contract_holds_and_a_wrong_way_import_breaks_it(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copytree(
        ROOT / "cashmgmt", tree / "cashmgmt", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tree)
    kept = lint_imports(tree)
    assert kept.returncode == 0, kept.stdout
    engine = tree / "cashmgmt" / "engine" / "results.py"
    engine.write_text(engine.read_text() + "\nimport cashmgmt.render  # the engine reaching up\n")
    broken = lint_imports(tree)
    assert broken.returncode != 0 and "cashmgmt.engine is not allowed to import" in broken.stdout
