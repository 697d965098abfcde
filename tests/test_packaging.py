"""`pip install .` gives a working package: templates ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cashmgmt.errors import ThemeError
from cashmgmt.render.theme import load_theme, templates_dir

ROOT = Path(__file__).resolve().parent.parent


def test_default_theme_loads() -> None:
    theme = load_theme()
    assert theme.colours["primary"].startswith("#")
    assert (templates_dir() / "themes" / "default.yaml").is_file()


def test_a_theme_logo_outside_its_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "secret.png").write_bytes(b"x")
    theme = tmp_path / "t" / "bank.yaml"
    theme.write_text(
        "name: B\ncolours: {primary: '#000000', "
        "accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\nlogo: ../secret.png\n"
    )
    with pytest.raises(ThemeError) as info:
        load_theme(theme)
    assert info.value.problems[0].where == "logo"


def test_wheel_ships_templates_and_runs_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("cashmgmt-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cashmgmt/templates/themes/default.yaml" in names
    data = "cashmgmt/reference/data/"
    shipped = {
        "country_rules.yaml",
        "products.yaml",
        "usd_rates.yaml",
        "task_durations.yaml",
        "multicurrency_pool.yaml",
    }
    assert {data + name for name in shipped} <= set(names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import cashmgmt, cashmgmt.render.theme as r; "
        "print(cashmgmt.__file__); print(r.templates_dir()); "
        "print(r.theme_for_bank('hsbc uk').address_for('en')[0]); "
        "from cashmgmt.reference.load import DATA; print(DATA); "
        "from cashmgmt.reference.rules import country_rules; print(len(country_rules()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))  # the installed copy, not the checkout
    assert out[1] == str(target / "cashmgmt" / "templates")
    assert out[2] == "1 Centenary Square"  # the shipped profiles are in the wheel
    assert out[3] == str(target / "cashmgmt" / "reference" / "data") and int(out[4]) > 0


def test_theme_names_per_language(tmp_path: Path) -> None:
    theme = tmp_path / "bank.yaml"
    theme.write_text(
        "name: {en: Huaxia Bank, zh-CN: 华夏银行}\ncolours: {primary: '#112233', "
        "accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\n",
        encoding="utf-8",
    )
    loaded = load_theme(theme)
    assert loaded.name == "Huaxia Bank"
    assert loaded.name_for("zh-CN") == "华夏银行" and loaded.name_for("fr") == "Huaxia Bank"
    assert load_theme().name_for("zh-CN") == ""  # the default theme names no bank
    theme.write_text(
        "name: [1, 2]\ncolours: {primary: '#112233', "
        "accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ThemeError) as info:
        load_theme(theme)
    assert info.value.problems[0].where == "name"
    theme.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ThemeError):
        load_theme(theme)
