"""Themes (a bank's profile: its name, colours, logo, address, validity of its proposals)
and the templates folder they live in. The case's proposing bank selects a shipped profile
(`theme_for_bank`); a theme without a name takes the bank's name from the case, so no
document prints a placeholder for the bank.

A theme is a small YAML file, read with bounds so a hostile one ends in located problems:
at most MAX_THEME_BYTES, nesting at most MAX_THEME_DEPTH deep (checked on the parser's events
before anything is built), no anchors or aliases, only the keys a theme has, and every colour
the templates and charts use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from cashmgmt.errors import Problem, ThemeError, shown
from cashmgmt.inputs.yamlfile import Bounds, read_yaml
from cashmgmt.model import same_bank
from cashmgmt.render.palette import DEFAULT_COLOURS

_PACKAGE = Path(__file__).resolve().parent.parent  # cashmgmt/
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
#: A shipped theme's name: letters, digits, `-` and `_` (never a path).
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_SUFFIXES = (".yaml", ".yml")

#: A theme file larger than this is refused before it is parsed: a theme is a name, four
#: colours and a logo's file name, a few hundred bytes.
MAX_THEME_BYTES = 64 * 1024
#: Deepest nesting of mappings and lists in a theme (a theme needs 2: `name: {en: …}`);
#: checked on the parser's events, so a file nested thousands deep is refused at once.
MAX_THEME_DEPTH = 10
#: A logo larger than this is refused: it is drawn a few centimetres wide on each page, and
#: every document embeds it (a bank's logo file is tens of kilobytes).
MAX_LOGO_BYTES = 2 * 2**20
#: Values in a theme: a name per language, four colours, a logo; a few dozen at most.
MAX_THEME_VALUES = 1000
THEME_FILE = Bounds("a theme file", MAX_THEME_BYTES, MAX_THEME_DEPTH, MAX_THEME_VALUES)
#: The keys of a theme file.
THEME_KEYS = (
    "name",
    "colours",
    "logo",
    "matches",
    "address",
    "website",
    "validity_days",
    "typefaces",
)

#: The families a profile may set its headings and wordmark in: those the Makefile installs
#: (fonts-noto-core, fonts-noto-cjk), so a document never falls back silently. A bank's own
#: corporate typeface is licensed and not shipped; its profile names the nearest of these.
TYPEFACES = {
    "latin": ("Noto Sans", "Noto Serif", "Noto Sans Display"),
    "cjk": ("Noto Sans CJK SC", "Noto Serif CJK SC"),
}
#: Days a proposal is valid from its date unless the theme says otherwise (an assumption:
#: indicative pricing in a bank's proposal is commonly held for about three months).
DEFAULT_VALIDITY_DAYS = 90
MAX_VALIDITY_DAYS = 366
#: Lines of a bank's address, and characters in each line, in a theme.
MAX_ADDRESS_LINES = 6
MAX_LINE_CHARS = 100
#: The colours a theme gives: the ones the templates and the charts use.
THEME_COLOURS = tuple(DEFAULT_COLOURS)


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the checkout's top level."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "themes").is_dir():
            return candidate
    raise FileNotFoundError("cashmgmt's templates are missing from this installation")


@attrs.frozen
class Theme:
    """A bank's profile for documents: its name ("" in a theme for any bank, which takes
    the case's), colours, an optional logo file, address, website and the days a proposal
    stays valid; `matches` are the names by which a case's `proposing_bank` selects it."""

    name: str
    colours: dict[str, str]
    logo: Path | None = None
    names: dict[str, str] = attrs.field(factory=dict)  # the bank's name per language
    #: The theme file it was read from (None when built in code): an input of the run.
    source: Path | None = attrs.field(default=None, eq=False)
    #: The names a case may give the bank (compared as `same_bank` does).
    matches: tuple[str, ...] = ()
    #: The bank's address, its lines per language ("" for every language).
    address: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    website: str | None = None
    validity_days: int = DEFAULT_VALIDITY_DAYS
    #: The headings' and wordmark's families: {"latin": ..., "cjk": ...} (TYPEFACES).
    typefaces: dict[str, str] = attrs.field(factory=dict)

    def heading_fonts(self, language: str) -> str:
        """The CSS font-family list for headings in a language: the profile's families
        first (CJK first for Chinese), then the body's."""
        latin = self.typefaces.get("latin", "Noto Sans")
        cjk = self.typefaces.get("cjk", "Noto Sans CJK SC")
        first = (cjk, latin) if language == "zh-CN" else (latin, cjk)
        return ", ".join(f'"{f}"' for f in dict.fromkeys((*first, "Noto Sans", "Noto Sans CJK SC")))

    def name_for(self, language: str) -> str:
        """The bank's name in a language (its default name if the theme gives none)."""
        return self.names.get(language, self.name)

    def address_for(self, language: str) -> tuple[str, ...]:
        """The bank's address lines in a language (else the address for every language,
        else the English one; () if the theme gives none)."""
        for key in (language, "", "en"):
            if key in self.address:
                return self.address[key]
        return ()

    def selected_by(self, bank: str) -> bool:
        """Whether a case naming `bank` as its proposing bank is this bank."""
        names = (*self.matches, *self.names.values(), *((self.name,) if self.name else ()))
        return any(same_bank(bank, name) for name in names)

    def for_bank(self, bank: str | None) -> Theme:
        """The theme for a case proposing through `bank`: a theme without a name (like the
        default one) takes the bank's name as the case writes it; a named theme is kept."""
        if self.name or not bank:
            return self
        return attrs.evolve(self, name=bank, names={})

    @property
    def files(self) -> tuple[Path, ...]:
        """The files the theme was read from (its YAML and its logo): outputs avoid them."""
        return tuple(p for p in (self.source, self.logo) if p is not None)


def shipped_themes() -> tuple[str, ...]:
    """The names of the themes shipped with cashmgmt."""
    return tuple(sorted(p.stem for p in (templates_dir() / "themes").glob("*.yaml")))


def shipped_theme_files() -> tuple[Path, ...]:
    """The shipped theme files: a document run may read any of them to find the proposing
    bank's profile, so each is an input that no output may replace."""
    return tuple(templates_dir() / "themes" / f"{name}.yaml" for name in shipped_themes())


def theme_for_bank(bank: str | None) -> Theme:
    """The shipped profile of the case's proposing bank (the first, by file name, whose name
    or `matches` is the bank), else the default theme carrying the bank's name as written."""
    if bank:
        for name in shipped_themes():
            theme = load_theme(name)
            if name != "default" and theme.selected_by(bank):
                return theme
    return load_theme("default").for_bank(bank)


def theme_file(name_or_path: str | Path) -> Path:
    """The theme YAML a name or path stands for: a shipped theme's name (letters, digits,
    `-`, `_`) or a path to a .yaml/.yml file; ThemeError for anything else."""
    text = str(name_or_path)
    if Path(text).suffix.lower() in _SUFFIXES:
        path = Path(text)
        if not path.is_file():
            raise ThemeError([Problem(text, "", "expected a theme YAML file; there is none")])
        return path
    shipped = shipped_themes()
    if _NAME.fullmatch(text) and text in shipped:
        return templates_dir() / "themes" / f"{text}.yaml"
    expected = (
        f"expected a shipped theme ({', '.join(shipped)}) or a theme file ending .yaml or .yml"
    )
    label = text if len(text) <= 60 else text[:59] + "…"
    raise ThemeError([Problem(label or '""', "", expected)])


def load_theme(name_or_path: str | Path = "default") -> Theme:
    """A shipped theme by name, or a theme YAML file; ThemeError names what is wrong."""
    path = theme_file(name_or_path)
    label = str(path)
    data = _read(path, label)
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ThemeError([Problem(label, "", "expected a theme: name, colours and logo")])
    for key in data:
        if key not in THEME_KEYS:
            problems.append(
                Problem(
                    label, "", f"expected only the keys {', '.join(THEME_KEYS)}, got {shown(key)}"
                )
            )
    raw_name = data.get("name")
    names: dict[str, str] = {}
    name = ""
    if (
        isinstance(raw_name, Mapping)
        and raw_name
        and all(isinstance(k, str) and isinstance(v, str) for k, v in raw_name.items())
    ):
        names = dict(raw_name)
        name = names.get("en") or next(iter(names.values()))
    elif isinstance(raw_name, str) and raw_name.strip():
        name = raw_name.strip()
    elif raw_name is None and "name" in data:
        pass  # `name:` left empty: a theme for any bank, which takes the case's bank's name
    else:
        problems.append(
            Problem(
                label,
                "name",
                "expected the bank's name as text, or a "
                "mapping of language to name like {en: ..., zh-CN: ...}",
            )
        )
    colours = _colours(data.get("colours"), label, problems)
    logo = data.get("logo")
    logo_path = None
    if logo is not None:
        logo_path = (path.parent / str(logo)).resolve() if isinstance(logo, str) else None
        if (
            logo_path is None
            or path.parent.resolve() not in logo_path.parents
            or not logo_path.is_file()
        ):
            problems.append(
                Problem(label, "logo", "expected an image file in the theme's own folder")
            )
        elif logo_path.stat().st_size > MAX_LOGO_BYTES:
            limit = f"{MAX_LOGO_BYTES // 2**20} MiB"
            problems.append(Problem(label, "logo", f"expected a logo of at most {limit}"))
    matches = _texts(data.get("matches"), label, "matches", problems)
    address = _address(data.get("address"), label, problems)
    website = data.get("website")
    if website is not None and not (
        isinstance(website, str) and 0 < len(website) <= MAX_LINE_CHARS and website.isprintable()
    ):
        problems.append(Problem(label, "website", "expected the bank's website as one line"))
    validity = data.get("validity_days", DEFAULT_VALIDITY_DAYS)
    if (
        isinstance(validity, bool)
        or not isinstance(validity, int)
        or not 1 <= validity <= MAX_VALIDITY_DAYS
    ):
        expected = f"expected whole days from 1 to {MAX_VALIDITY_DAYS}, like 90"
        problems.append(Problem(label, "validity_days", expected))
        validity = DEFAULT_VALIDITY_DAYS
    typefaces = _typefaces(data.get("typefaces"), label, problems)
    if problems:
        raise ThemeError(problems)
    return Theme(
        name,
        colours,
        logo_path,
        names,
        source=path.resolve(),
        matches=matches,
        address=address,
        website=website if isinstance(website, str) else None,
        validity_days=validity,
        typefaces=typefaces,
    )


def _typefaces(value: object, label: str, problems: list[Problem]) -> dict[str, str]:
    """`typefaces: {latin: Noto Serif, cjk: Noto Serif CJK SC}`, each from TYPEFACES."""
    if value is None:
        return {}
    choices = "; ".join(f"{k}: {', '.join(v)}" for k, v in TYPEFACES.items())
    expected = f"expected a mapping of script to an installed family ({choices})"
    if not isinstance(value, Mapping):
        problems.append(Problem(label, "typefaces", expected))
        return {}
    out: dict[str, str] = {}
    for key, family in value.items():
        if key not in TYPEFACES or family not in TYPEFACES[key]:
            where = key if isinstance(key, str) and key.isidentifier() else shown(key, 20)
            problems.append(Problem(label, f"typefaces.{where}", expected))
        else:
            out[key] = family
    return out


def _line(value: object) -> bool:
    """Whether a value is one printed line: non-empty printable text of bounded length."""
    return (
        isinstance(value, str)
        and 0 < len(value.strip()) <= MAX_LINE_CHARS
        and (value.isprintable())
    )


def _texts(raw: object, label: str, where: str, problems: list[Problem]) -> tuple[str, ...]:
    """A list of one-line texts (names a case may give the bank)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(_line(v) for v in raw) or len(raw) > 50:
        problems.append(Problem(label, where, "expected a list of names, each one line"))
        return ()
    return tuple(str(v).strip() for v in raw)


def _address(raw: object, label: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """The bank's address: a list of lines for every language, or a mapping of language to
    its list of lines like {en: [...], zh-CN: [...]}."""
    if raw is None:
        return {}
    given = raw if isinstance(raw, Mapping) else {"": raw}
    found: dict[str, tuple[str, ...]] = {}
    for language, lines in given.items():
        if (
            not isinstance(language, str)
            or not isinstance(lines, list)
            or not 0 < len(lines) <= MAX_ADDRESS_LINES
            or not all(_line(v) for v in lines)
        ):
            expected = (
                f"expected the address as a list of 1 to {MAX_ADDRESS_LINES} lines, or a "
                "mapping of language to its lines like {en: [...], zh-CN: [...]}"
            )
            problems.append(Problem(label, "address", expected))
            return {}
        found[language] = tuple(str(v).strip() for v in lines)
    return found


def _colours(raw: object, label: str, problems: list[Problem]) -> dict[str, str]:
    """The theme's colours: each of THEME_COLOURS as #RRGGBB, and no others."""
    example = "expected colours like primary: '#0B3D91'"
    if not isinstance(raw, Mapping):
        problems.append(Problem(label, "colours", f"{example} ({', '.join(THEME_COLOURS)})"))
        return {}
    colours: dict[str, str] = {}
    for key, value in raw.items():
        if key not in THEME_COLOURS:
            expected = f"expected only the colours {', '.join(THEME_COLOURS)}"
            problems.append(Problem(label, "colours", f"{expected}, got {shown(key)}"))
        elif not isinstance(value, str) or not _COLOUR.fullmatch(value):
            where = f"colours.{key}"
            problems.append(Problem(label, where, "expected a colour as '#RRGGBB' in quotes"))
        else:
            colours[key] = value
    for key in THEME_COLOURS:
        if key not in raw:
            problems.append(Problem(label, f"colours.{key}", "missing; expected a '#RRGGBB'"))
    return colours


def _read(path: Path, label: str) -> object:
    """The theme file's YAML data, read within THEME_FILE's bounds (the reader case files
    use); ThemeError with the line and column of whatever is wrong."""
    data, problems = read_yaml(path, label, THEME_FILE)
    if problems:
        raise ThemeError(problems)
    return data
