"""A theme is read within bounds, and every way it can be wrong is a ThemeError with located
problems: names that are not shipped themes, unknown keys, missing or unknown colours, a file
too big, nesting too deep, anchors, YAML errors (with line and column)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cashmgmt.cli import EXIT_BAD_INPUT, cli
from cashmgmt.errors import Problem, ThemeError
from cashmgmt.render.palette import DEFAULT_COLOURS
from cashmgmt.render.theme import (
    MAX_LOGO_BYTES,
    MAX_THEME_BYTES,
    MAX_THEME_DEPTH,
    THEME_COLOURS,
    THEME_KEYS,
    load_theme,
    templates_dir,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COLOURS = "colours: {primary: '#0B3D91', accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\n"


def problems(theme: str | Path) -> list[Problem]:
    """The problems load_theme finds (it must find some)."""
    with pytest.raises(ThemeError) as info:
        load_theme(theme)
    assert info.value.problems
    return list(info.value.problems)


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_theme_loads_and_knows_its_files(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    theme = load_theme(write(tmp_path, "name: B\n" + COLOURS + "logo: logo.png\n"))
    assert theme.name == "B" and theme.colours == dict(DEFAULT_COLOURS)
    assert theme.files == ((tmp_path / "bank.yaml").resolve(), (tmp_path / "logo.png").resolve())
    assert load_theme("default").source == (templates_dir() / "themes" / "default.yaml").resolve()
    assert set(THEME_COLOURS) == set(DEFAULT_COLOURS)


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd", "themes/default", "..", "nope", "default.txt", "", "a b"]
)
def test_a_name_must_be_a_shipped_theme(name: str) -> None:
    (problem,) = problems(name)
    shipped = "ccb, citibank, default, hsbc-uk, jpmorgan-chase"
    assert problem.message.startswith(f"expected a shipped theme ({shipped})")
    assert ".yaml or .yml" in problem.message


def test_a_yaml_path_must_be_a_file(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path / "missing.yaml")
    assert problem.file == str(tmp_path / "missing.yaml") and "there is none" in problem.message


def test_unknown_keys_and_colours_are_refused(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "name: B\n" + COLOURS + "lgo: logo.png\n"))
    assert [(p.where, p.message) for p in found] == [
        ("", f"expected only the keys {', '.join(THEME_KEYS)}, got 'lgo'")
    ]
    text = "name: B\ncolours: {primary: '#0B3D91', accent: '#C8102E', text: '#1F2937', mute: 1}\n"
    found = problems(write(tmp_path, text))
    assert [p.where for p in found] == ["colours", "colours.muted"]
    assert "got 'mute'" in found[0].message and found[1].message.startswith("missing")


def test_every_colour_the_templates_use_is_required(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "name: B\ncolours: {primary: '#000000'}\n"))
    assert [p.where for p in found] == ["colours.accent", "colours.text", "colours.muted"]
    found = problems(write(tmp_path, "name: B\n" + COLOURS.replace("'#1F2937'", "red")))
    assert [(p.where, p.message) for p in found] == [
        ("colours.text", "expected a colour as '#RRGGBB' in quotes")
    ]


def test_a_theme_missing_a_colour_exits_2_from_propose(tmp_path: Path) -> None:
    theme = write(tmp_path, "name: B\ncolours: {primary: '#000000'}\n")
    result = CliRunner().invoke(
        cli,
        [
            "propose",
            str(EXAMPLES / "larkspur-bakery"),
            "-o",
            str(tmp_path / "p.html"),
            "--html",
            "--theme",
            str(theme),
        ],
    )
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "colours.accent: missing" in result.output
    assert not (tmp_path / "p.html").exists()


def test_a_theme_file_too_big_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "name: B\n" + COLOURS + "#" * MAX_THEME_BYTES + "\n")
    (problem,) = problems(path)
    size = f"{MAX_THEME_BYTES // 1024} KiB"
    assert problem.message == f"expected a theme file of at most {size}; it is larger"


def test_deep_nesting_is_refused_at_once_with_its_place(tmp_path: Path) -> None:
    path = write(tmp_path, "name: " + "[" * 10_000 + "]" * 10_000 + "\n" + COLOURS)
    started = time.monotonic()
    (problem,) = problems(path)
    assert time.monotonic() - started < 5
    assert problem.where == f"line 1, column {6 + MAX_THEME_DEPTH}"
    depth = f"expected at most {MAX_THEME_DEPTH} levels of nesting; this one goes deeper"
    assert problem.message == depth
    deep = "".join("  " * i + "a:\n" for i in range(MAX_THEME_DEPTH + 2))
    (problem,) = problems(write(tmp_path, deep))
    assert problem.where.startswith(f"line {MAX_THEME_DEPTH + 1},")


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "name: &n B\n" + COLOURS + "logo: *n\n"))
    assert problem.where == "line 1, column 7" and "no anchors or aliases" in problem.message


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("name: [unclosed\n", "line 2, column 1", "expected valid YAML"),
        ("name: B\nname: C\n" + COLOURS, "line 2, column 1", "duplicate key"),
        ("- a list\n", "", "expected a theme: name, colours and logo"),
        ("name: B\n" + COLOURS + "logo: [1]\n", "logo", "expected an image file"),
    ],
)
def test_yaml_errors_are_located(tmp_path: Path, text: str, where: str, says: str) -> None:
    (problem,) = problems(write(tmp_path, text))
    assert problem.where == where and says in problem.message


def test_a_theme_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(b"name: \xff\n")
    (problem,) = problems(path)
    assert problem.where == "line 1, column 7"
    assert problem.message.startswith("expected UTF-8 text; found the byte 0xFF")


def test_the_docs_state_the_theme_bounds_the_code_uses() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "case-format.md").read_text("utf-8")
    assert f"`MAX_THEME_BYTES` ({MAX_THEME_BYTES // 1024} KiB)" in docs
    assert f"`MAX_THEME_DEPTH` ({MAX_THEME_DEPTH})" in docs
    assert f"`{', '.join(sorted(THEME_COLOURS))}`" not in docs  # colours are listed in the example
    for colour in THEME_COLOURS:
        assert f'  {colour}: "#' in docs


def test_a_logo_over_the_bound_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + b"\0" * MAX_LOGO_BYTES)
    (problem,) = problems(write(tmp_path, "name: B\n" + COLOURS + "logo: logo.png\n"))
    assert problem.where == "logo"
    assert problem.message == f"expected a logo of at most {MAX_LOGO_BYTES // 2**20} MiB"


def test_typefaces_come_from_the_installed_families(tmp_path: Path) -> None:
    """A profile sets its headings in one of the families the Makefile installs; any other
    family, or another script, is a located problem (a document never falls back silently)."""
    good = tmp_path / "good.yaml"
    good.write_text(
        "name: B\n" + COLOURS + "typefaces: {latin: Noto Serif, cjk: Noto Serif CJK SC}\n"
    )
    theme = load_theme(good)
    assert theme.heading_fonts("en").startswith('"Noto Serif", "Noto Serif CJK SC"')
    assert theme.heading_fonts("zh-CN").startswith('"Noto Serif CJK SC", "Noto Serif"')
    assert load_theme("default").heading_fonts("en") == '"Noto Sans", "Noto Sans CJK SC"'
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: B\n" + COLOURS + "typefaces: {latin: Comic Sans MS, greek: Noto Sans}\n")
    wheres = [p.where for p in problems(bad)]
    assert wheres == ["typefaces.latin", "typefaces.greek"], wheres
    worse = tmp_path / "worse.yaml"
    worse.write_text("name: B\n" + COLOURS + "typefaces: Noto Serif\n")
    assert [p.where for p in problems(worse)] == ["typefaces"]
