"""Themes (a bank's name, colours and logo) and the templates folder they live in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from cashmgmt.errors import Problem, ThemeError

_PACKAGE = Path(__file__).resolve().parent.parent  # cashmgmt/
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the checkout's top level."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "themes").is_dir():
            return candidate
    raise FileNotFoundError("cashmgmt's templates are missing from this installation")


@attrs.frozen
class Theme:
    """A bank's branding for documents: its name, colours and an optional logo file."""

    name: str
    colours: dict[str, str]
    logo: Path | None = None
    names: dict[str, str] = attrs.field(factory=dict)  # the bank's name per language

    def name_for(self, language: str) -> str:
        """The bank's name in a language (its default name if the theme gives none)."""
        return self.names.get(language, self.name)


def load_theme(name_or_path: str | Path = "default") -> Theme:
    """A shipped theme by name, or a theme YAML file; ThemeError names what is wrong."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = templates_dir() / "themes" / f"{name_or_path}.yaml"
    label = str(path)
    if not path.is_file():
        raise ThemeError([Problem(label, "", "no such theme; expected a theme YAML file")])
    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ThemeError([Problem(label, "", f"expected a theme in YAML ({exc})")]) from None
    problems = []
    data = data if isinstance(data, dict) else {}
    raw_name = data.get("name")
    names: dict[str, str] = {}
    if (
        isinstance(raw_name, dict)
        and raw_name
        and all(isinstance(k, str) and isinstance(v, str) for k, v in raw_name.items())
    ):
        names = dict(raw_name)
        data["name"] = names.get("en") or next(iter(names.values()))
    elif not isinstance(raw_name, str):
        problems.append(
            Problem(
                label,
                "name",
                "expected the bank's name as text, or a "
                "mapping of language to name like {en: ..., zh-CN: ...}",
            )
        )
    colours = data.get("colours")
    if not isinstance(colours, dict) or not all(
        isinstance(v, str) and _COLOUR.fullmatch(v) for v in colours.values()
    ):
        problems.append(Problem(label, "colours", "expected colours like primary: '#0B3D91'"))
    logo = data.get("logo")
    logo_path = None
    if logo is not None:
        logo_path = (path.parent / str(logo)).resolve()
        if path.parent.resolve() not in logo_path.parents or not logo_path.is_file():
            problems.append(
                Problem(label, "logo", "expected an image file in the theme's own folder")
            )
    if problems:
        raise ThemeError(problems)
    return Theme(data["name"], cast(dict[str, str], colours), logo_path, names)
