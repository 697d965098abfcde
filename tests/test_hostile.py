"""The hostile-input suite of issue 11: every hostile file ends in one located message, in
bounded time and memory, and nothing is ever overwritten.

Each case below writes its own inputs (tests/hostile.py has the generators), runs the CLI in
a subprocess within 10 s and 500 MB (how these are enforced and measured: tests/hostile.py),
and asserts what the issue asks of that input:

- ``expect=2``: the input is wrong. Exit 2 with a located message: standard error names the
  file at fault, and holds no traceback, no "internal error" and no Python names or reprs.
- ``expect=0``: the input is valid and must be accepted.
- ``expect=(0, 2)``: the issue leaves the choice to the fix (a stated bound, or accepting
  the input); either way `check` and every later command agree, and nothing exits 1.

A case runs its commands in order and stops at the first that refuses; `check` proves most
points, a later command is added where the failure is in it. For every case, every file the
case set up (the case folder, tables in subfolders, the theme, the logo, files outside the
case folder) is hashed before and after: nothing may change, and nothing may appear but the
output the run was asked to write.

The cases run in parallel (two at a time) in a module fixture; each test then checks one
case's outcome. At the end the counts are printed (inputs tried, located refusals, valid
inputs accepted, worst time and worst memory), and written as JSON to the file named by
the HOSTILE_REPORT environment variable, if set.
"""

from __future__ import annotations

import json
import os
import re
import stat
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    MEMORY_LIMIT,
    TIME_LIMIT,
    Formula,
    Raw,
    Run,
    Sheet,
    account_ids,
    balance_rows,
    base_case,
    changes,
    csv_text,
    damage_crc,
    fx_rows,
    ole2_bytes,
    run_cli,
    snapshot,
    wide_rows,
    write_case,
    xlsx_bytes,
    xlsx_parts,
    yaml_text,
    zip_bytes,
)

# ----------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Setup:
    """What a case wrote and how to run it (paths relative to the case's own root folder)."""

    commands: Sequence[Sequence[str]]
    blame: Sequence[str]  # a refusal must name one of these (the file at fault)
    must_show: Sequence[str] = ()  # regular expressions a refusal must contain
    must_not_show: Sequence[str] = ()  # regular expressions no output may contain
    max_lines: int | None = None  # longest refusal, in lines
    verify: Callable[[Run], str | None] | None = None  # more, for an accepted run


@dataclass(frozen=True)
class Hostile:
    """One hostile input: its id, what the issue expects, and how to write and run it."""

    id: str
    expect: frozenset[int]
    issue: str  # the line of issue 11 it proves
    build: Callable[[Path], Setup]


class Unavailable(Exception):
    """The input cannot be made on this system (a device node without the privilege)."""


CASES: list[Hostile] = []


def hostile(
    case_id: str, expect: int | tuple[int, ...], issue: str
) -> Callable[[Callable[[Path], Setup]], Callable[[Path], Setup]]:
    """Register a case builder."""

    def register(build: Callable[[Path], Setup]) -> Callable[[Path], Setup]:
        codes = frozenset(expect if isinstance(expect, tuple) else (expect,))
        CASES.append(Hostile(case_id, codes, issue, build))
        return build

    return register


CASE_YAML = ("case/case.yaml",)
BALANCES_CSV = ("case/balances.csv",)
BALANCES_XLSX = ("case/balances.xlsx",)
CAPPED_LINES = 110  # 50 problems per file (limits.MAX_PROBLEMS), the count lines, a margin


def check(case: str = "case") -> list[list[str]]:
    """`check` alone."""
    return [["check", case]]


def check_then(*command: str, case: str = "case") -> list[list[str]]:
    """`check`, then a later command if check accepts (whatever check accepts, every later
    command accepts)."""
    return [["check", case], [command[0], case, *command[1:]]]


def propose(*extra: str, case: str = "case", out: str = "out.html") -> list[str]:
    """`propose CASE --html -o OUT EXTRA…`."""
    return ["propose", case, "--html", "-o", out, *extra]


def changed(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """The base case with one change applied."""
    case = base_case()
    change(case)
    return case


def write(root: Path, change: Callable[[dict[str, Any]], object] | None = None, **kw: Any) -> Path:
    """Write the case folder root/case, the base case with one change."""
    return write_case(root / "case", changed(change) if change else base_case(), **kw)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change setting one value, the path in dots and [i]: `accounts[0].terms.debit_rate`."""
    keys: list[str | int] = []
    for part in path.split("."):
        name, *indexes = part.replace("]", "").split("[")
        keys += [name, *(int(i) for i in indexes)]

    def change(case: dict[str, Any]) -> None:
        node: Any = case
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


# ------------------------------------------------------------------------- valid controls


@hostile("valid-base-case", 0, "control: the base case every other case breaks")
def _valid_base(root: Path) -> Setup:
    write(root)
    return Setup([["check", "case"], propose()], CASE_YAML)


@hostile("valid-xlsx-long-form", 0, "control: a workbook in long form")
def _valid_xlsx(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    (folder / "balances.xlsx").write_bytes(
        xlsx_bytes(Sheet("Balances", balance_rows(account_ids(case))))
    )
    return Setup(check(), BALANCES_XLSX)


# ------------------------------------------------------------- outputs overwriting inputs


def _subfolder_tables(root: Path, *, fx_outside: bool = False) -> Path:
    """The case with both tables in case/data/ (the FX table a link to ../../shared/)."""
    case = changed(lambda c: c.update(balances="data/balances.csv", fx_rates="data/fx.csv"))
    folder = write_case(root / "case", case)
    (folder / "data").mkdir()
    (folder / "balances.csv").rename(folder / "data" / "balances.csv")
    if fx_outside:
        (root / "shared").mkdir()
        (folder / "fx.csv").rename(root / "shared" / "fx.csv")
        (folder / "data" / "fx.csv").symlink_to(Path("..", "..", "shared", "fx.csv"))
    else:
        (folder / "fx.csv").rename(folder / "data" / "fx.csv")
    return folder


def _theme(root: Path, text: str | None = None) -> Path:
    """A bank's theme with a logo, in root/brand/ (outside the case folder)."""
    brand = root / "brand"
    brand.mkdir()
    (brand / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    theme = text or (
        "name: Hostile Bank\n"
        'colours: {primary: "#0B3D91", accent: "#C8102E", text: "#1F2937", muted: "#6B7280"}\n'
        "logo: logo.png\n"
    )
    (brand / "theme.yaml").write_text(theme, "utf-8")
    return brand / "theme.yaml"


OVERWRITE = "inputs overwritten: propose -o at a file the run reads"


@hostile("out-at-table-in-subfolder", 2, OVERWRITE)
def _out_table_sub(root: Path) -> Setup:
    _subfolder_tables(root)
    out = "case/data/balances.csv"
    return Setup([propose(out=out)], [out])


@hostile("out-at-fx-in-subfolder", 2, OVERWRITE)
def _out_fx_sub(root: Path) -> Setup:
    _subfolder_tables(root)
    out = "case/data/fx.csv"
    return Setup([propose(out=out)], [out])


@hostile("out-at-table-outside-case-folder", 2, OVERWRITE + " (a table linked from outside)")
def _out_outside(root: Path) -> Setup:
    _subfolder_tables(root, fx_outside=True)
    out = "shared/fx.csv"
    # Refused either at the output or already at load: a table outside the case folder is
    # itself refused at case.yaml's fx_rates (tables lie inside the case folder).
    return Setup([propose(out=out)], [out, "fx.csv", "case.yaml"])


@hostile("out-at-theme", 2, OVERWRITE + " (the theme YAML)")
def _out_theme(root: Path) -> Setup:
    write(root)
    _theme(root)
    out = "brand/theme.yaml"
    return Setup([propose("--theme", "brand/theme.yaml", out=out)], [out])


@hostile("out-at-logo", 2, OVERWRITE + " (the theme's logo)")
def _out_logo(root: Path) -> Setup:
    write(root)
    _theme(root)
    out = "brand/logo.png"
    return Setup([propose("--theme", "brand/theme.yaml", out=out)], [out])


@hostile("out-at-case-file", 2, OVERWRITE + " (case.yaml itself)")
def _out_case_file(root: Path) -> Setup:
    write(root)
    out = "case/case.yaml"
    return Setup([propose(out=out)], [out])


@hostile("out-at-table-case-given-by-file", 2, OVERWRITE + " (the case named by its YAML file)")
def _out_case_by_file(root: Path) -> Setup:
    write(root)
    out = "case/fx.csv"
    return Setup([propose(case="case/case.yaml", out=out)], [out])


@hostile("out-symlink-to-table-in-subfolder", 2, OVERWRITE + " (via a symlink)")
def _out_symlink_table(root: Path) -> Setup:
    _subfolder_tables(root)
    (root / "out.html").symlink_to(Path("case", "data", "balances.csv"))
    return Setup([propose()], ["out.html"])


@hostile("out-symlink-to-theme", 2, OVERWRITE + " (via a symlink to the theme)")
def _out_symlink_theme(root: Path) -> Setup:
    write(root)
    _theme(root)
    (root / "out.html").symlink_to(Path("brand", "theme.yaml"))
    return Setup([propose("--theme", "brand/theme.yaml")], ["out.html"])


@hostile("out-hard-link-to-table", 2, OVERWRITE + " (via a hard link)")
def _out_hardlink_table(root: Path) -> Setup:
    folder = write(root)
    os.link(folder / "balances.csv", root / "out.html")
    return Setup([propose()], ["out.html"])


@hostile("out-hard-link-to-logo", 2, OVERWRITE + " (via a hard link to the logo)")
def _out_hardlink_logo(root: Path) -> Setup:
    write(root)
    theme = _theme(root)
    os.link(theme.parent / "logo.png", root / "out.html")
    return Setup([propose("--theme", "brand/theme.yaml")], ["out.html"])


# ------------------------------------------------------------------ other output paths

OUTPUT = "crash: -o at a path that cannot be written"


@hostile("out-existing-directory", 2, OUTPUT + " (an existing folder)")
def _out_dir(root: Path) -> Setup:
    write(root)
    (root / "outdir").mkdir()
    return Setup([propose(out="outdir")], ["outdir"])


@hostile("out-case-folder", 2, OUTPUT + " (the case folder)")
def _out_case_folder(root: Path) -> Setup:
    write(root)
    return Setup([propose(out="case")], ["case"])


@hostile("out-under-a-file", 2, OUTPUT + " (a path under a file)")
def _out_under_file(root: Path) -> Setup:
    write(root)
    out = "case/balances.csv/out.html"
    return Setup([propose(out=out)], [out])


@hostile("out-empty-path", 2, OUTPUT + ' ("")')
def _out_empty(root: Path) -> Setup:
    write(root)
    return Setup([propose(out="")], ["-o", "--output", "output"])


@hostile("out-300-character-name", 2, OUTPUT + " (a 300-character name)")
def _out_long(root: Path) -> Setup:
    write(root)
    out = "x" * 300 + ".html"
    return Setup([propose(out=out)], [out[:40]])


@hostile("out-read-only-folder", 2, OUTPUT + " (a read-only folder)")
def _out_read_only(root: Path) -> Setup:
    write(root)
    (root / "locked").mkdir()
    (root / "locked").chmod(0o555)
    out = "locked/out.html"
    return Setup([propose(out=out)], [out])


@hostile("out-fifo", 2, "outputs: -o a FIFO replaces it with a regular file")
def _out_fifo(root: Path) -> Setup:
    write(root)
    os.mkfifo(root / "pipe.html")
    return Setup([propose(out="pipe.html")], ["pipe.html"])


@hostile("out-device", 2, "outputs: -o a device replaces it with a regular file")
def _out_device(root: Path) -> Setup:
    write(root)
    try:  # a null device of our own: a real /dev node must never be put at risk
        os.mknod(root / "null.html", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as exc:
        raise Unavailable(f"cannot make a device node here ({exc.strerror})") from None
    return Setup([propose(out="null.html")], ["null.html"])


# ------------------------------------------------------------------ hangs and blow-ups

BOMB = "hangs: a 2 KB YAML alias bomb"


BOMB_TARGETS: dict[str, str] = {
    "name": "client.name",
    "case": "case",
    "accounts": "accounts",
    "shares": "structures[1].shares",
}


def _alias_bomb(target: str) -> str:
    """The base case with nine anchors of ten aliases each (10**9 leaves, 2 KB), and one
    value (a key path) replaced by the last alias."""
    lines = ["lols:", '  - &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    case = base_case()
    case["structures"][1]["allocation"] = "percentage"
    _set(target, "__BOMB__")(case)
    return "\n".join(lines) + "\n" + yaml_text(case).replace("__BOMB__", "*l8")


for _name, _target in BOMB_TARGETS.items():

    def _bomb(root: Path, target: str = _target) -> Setup:
        write(root, yaml=_alias_bomb(target))
        return Setup(check(), CASE_YAML)

    hostile(f"yaml-alias-bomb-{_name}", 2, BOMB)(_bomb)


@hostile("ownership-cycles-12-entities", 2, "hangs: twelve entities each listing the others")
def _cycles(root: Path) -> Setup:
    ids = [f"E{i}" for i in range(12)]
    case = base_case()
    case["entities"] = [{"id": "HQ", "name": "HQ", "country": "GB"}] + [
        {"id": e, "name": f"Entity {e}", "country": "GB", "parent": p}
        for e in ids
        for p in ids
        if p != e
    ]
    case["entities"].append({"id": "DE", "name": "DE", "country": "DE", "parent": "HQ"})
    write_case(root / "case", case)
    return Setup(check(), CASE_YAML, max_lines=CAPPED_LINES)


@hostile("xlsx-dimension-bomb", 0, "hangs: an xlsx whose <dimension> says A1:XFD1048576")
def _dimension_bomb(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    sheet = Sheet(
        "Balances", wide_rows(account_ids(case)), dimension="A1:XFD1048576", far_corner="XFD1048576"
    )
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(sheet))
    return Setup(check(), BALANCES_XLSX)


WIDE_ACCOUNTS = 1700  # x 2,000 days x ~10 bytes a cell: a 30 MB wide CSV
WIDE_DAYS = 2000


@hostile("csv-wide-30mb", (0, 2), "blow-ups: a 31 MB wide CSV peaks at 1.6 GB")
def _wide_csv(root: Path) -> Setup:
    case = base_case()
    accounts = [f"A{i:04d}" for i in range(WIDE_ACCOUNTS)]
    case["accounts"] = [
        {"id": a, "entity": "HQ", "bank": "Test Bank", "country": "GB", "currency": "GBP"}
        for a in accounts
    ]
    del case["fx_rates"], case["structures"]
    folder = root / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(yaml_text(case), "utf-8")
    with (folder / "balances.csv").open("w", encoding="utf-8") as out:
        for row in wide_rows(accounts, WIDE_DAYS):
            out.write(",".join(row) + "\n")
    size = (folder / "balances.csv").stat().st_size
    assert 28e6 < size < 36e6, size
    return Setup(check(), BALANCES_CSV)


# ------------------------------------------------------------------ numbers out of range

AMOUNT = "crash: amounts of 29+ digits"
DIGITS_31 = "1" + "0" * 30
DIGITS_29 = "1" + "0" * 28


NUMBER_CASES: list[tuple[str, str, object, str]] = [
    ("amount-revenue-1e30", "client.annual_revenue", "1e30 GBP", AMOUNT),
    ("amount-revenue-31-digits", "client.annual_revenue", f"{DIGITS_31} GBP", AMOUNT),
    ("amount-target-29-digits", "structures[0].rules[0].target", f"{DIGITS_29} GBP", AMOUNT),
    ("amount-fee-setup-29-digits", "structures[0].fees.setup", f"{DIGITS_29} GBP", AMOUNT),
    ("amount-fee-per-sweep-1e30", "structures[0].fees.per_sweep", "1e30 GBP", AMOUNT),
    ("amount-fee-monthly-1e30", "structures[1].fees", {"per_account_month": "1e30 GBP"}, AMOUNT),
    (
        "amount-overdraft-limit-29-digits",
        "accounts[0].terms.overdraft_limit",
        f"{DIGITS_29} GBP",
        AMOUNT,
    ),
    (
        "amount-tier-bound-29-digits",
        "accounts[1].terms.credit_rate[1].from",
        int(DIGITS_29),
        AMOUNT,
    ),
    (
        "amount-pool-tier-bound-1e30",
        "structures[1].terms.credit_rate",
        [{"from": 0, "rate": "1%"}, {"from": 1e30, "rate": "2%"}],
        AMOUNT,
    ),
    ("rate-credit-1e9999999", "accounts[0].terms.credit_rate", "1e9999999%", "crash: 1e9999999%"),
    ("rate-ownership-1e9999999", "entities[1].ownership", "1e9999999%", "crash: 1e9999999%"),
    ("rate-intercompany-1e9999999", "intercompany_rate", "1e9999999%", "crash: 1e9999999%"),
    ("rate-tier-1e9999999", "accounts[1].terms.credit_rate[0].rate", "-1e9999999%", "crash"),
    ("sweep-days-superscript-two", "structures[0].sweep_days", "monthly:²", "crash: monthly:²"),
]

for _id, _path, _value, _issue in NUMBER_CASES:

    def _number(root: Path, path: str = _path, value: object = _value) -> Setup:
        write(root, _set(path, value))
        return Setup(check_then("cycle"), CASE_YAML)

    hostile(_id, 2, _issue)(_number)


@hostile("balance-1e1000000", 2, "crash: a balance cell 1E+1000000")
def _balance_exponent(root: Path) -> Setup:
    rows = balance_rows(account_ids(base_case()))
    rows[5][2] = "1E+1000000"
    write(root, balances=csv_text(rows))
    return Setup(check_then("cycle"), BALANCES_CSV)


@hostile("balance-nan-text", 2, "crash: NaN in a table")
def _balance_nan(root: Path) -> Setup:
    rows = balance_rows(account_ids(base_case()))
    rows[7][2] = "NaN"
    write(root, balances=csv_text(rows))
    return Setup(check_then("cycle"), BALANCES_CSV)


FX = "crash: FX rates check accepts and every later command crashes on"
for _rate in ("0.91999999999999992895", "1e12", "1e30", "1e-30", "0.000001"):

    def _fx(root: Path, rate: str = _rate) -> Setup:
        write(root, fx=csv_text(fx_rows({"EUR": rate})))
        return Setup([["check", "case"], propose()], ("case/fx.csv",))

    hostile(f"fx-rate-{_rate}", (0, 2), FX)(_fx)


# ------------------------------------------------------------------------ damaged workbooks

WORKBOOK = "crash: a damaged xlsx"


def _xlsx_case(root: Path, content: bytes) -> Setup:
    folder = write(root, lambda c: c.update(balances="balances.xlsx"))
    (folder / "balances.xlsx").write_bytes(content)
    return Setup(check(), BALANCES_XLSX)


def _good_parts() -> dict[str, str]:
    return xlsx_parts([Sheet("Balances", balance_rows(account_ids(base_case())))])


def _parts_without_sheets() -> dict[str, str]:
    parts = xlsx_parts([])
    return parts


def _truncated() -> dict[str, str]:
    parts = _good_parts()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    return parts


def _malformed() -> dict[str, str]:
    parts = _good_parts()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace('<row r="3">', '<row r="3"><c r="A3"<<v>', 1)
    return parts


def _missing_part() -> dict[str, str]:
    parts = _good_parts()
    del parts["xl/worksheets/sheet1.xml"]
    return parts


def _corrupt_styles() -> dict[str, str]:
    parts = _good_parts()
    parts["xl/styles.xml"] = "<styleSheet><cellXfs count='1'><xf numFmtId='x'/"
    return parts


def _cell_rows(value: object) -> list[list[object]]:
    rows: list[list[object]] = [list(r) for r in balance_rows(account_ids(base_case()))]
    rows[4][2] = value
    return rows


WORKBOOKS: dict[str, Callable[[], bytes]] = {
    "xlsx-no-worksheets": lambda: zip_bytes(_parts_without_sheets()),
    "xlsx-missing-sheet-part": lambda: zip_bytes(_missing_part()),
    "xlsx-truncated-sheet-xml": lambda: zip_bytes(_truncated()),
    "xlsx-malformed-sheet-xml": lambda: zip_bytes(_malformed()),
    "xlsx-corrupt-styles": lambda: zip_bytes(_corrupt_styles()),
    "xlsx-bad-crc": lambda: damage_crc(
        zip_bytes(_good_parts(), stored=True), "xl/worksheets/sheet1.xml"
    ),
    "xlsx-truncated-zip": lambda: zip_bytes(_good_parts())[:2000],
    "xlsx-inf-cell": lambda: xlsx_bytes(Sheet("Balances", _cell_rows(Raw("INF")))),
    "xlsx-nan-cell": lambda: xlsx_bytes(Sheet("Balances", _cell_rows(Raw("NaN")))),
    "xlsx-error-cell": lambda: xlsx_bytes(Sheet("Balances", _cell_rows(Raw("#DIV/0!", "e")))),
    "xlsx-huge-number-cell": lambda: xlsx_bytes(Sheet("Balances", _cell_rows(Raw("1E+308")))),
}

for _id, _make in WORKBOOKS.items():

    def _workbook(root: Path, make: Callable[[], bytes] = _make) -> Setup:
        return _xlsx_case(root, make())

    hostile(_id, 2, WORKBOOK)(_workbook)


# ---------------------------------------------------------------------------- text and ids


@hostile("name-escaped-surrogate-pair", 0, "crash: a name written as JSON surrogate escapes")
def _surrogate_pair(root: Path) -> Setup:
    text = yaml_text(base_case()).replace(
        "name: Hostile Test Group", 'name: "Hostile \\ud83d\\udcb0 Group"', 1
    )
    write(root, yaml=text)
    return Setup([["check", "case"], propose()], CASE_YAML, verify=_shows_moneybag)


def _shows_moneybag(run: Run) -> str | None:
    """The check summary shows the pair joined into one character, 💰."""
    if run.args[0] == "check" and "Hostile \U0001f4b0 Group" not in run.stdout:
        return "expected the name with the two escapes joined into one character, 💰"
    return None


@hostile("name-lone-surrogate", 2, "crash: a name holding a lone surrogate escape")
def _lone_surrogate(root: Path) -> Setup:
    text = yaml_text(base_case()).replace(
        "name: Hostile Test Group", 'name: "Hostile \\ud83d Group"', 1
    )
    write(root, yaml=text)
    return Setup([["check", "case"], propose()], CASE_YAML)


IDS = "messages: ids holding invisible or look-alike characters"


@hostile("id-zero-width-space", 2, IDS)
def _zero_width(root: Path) -> Setup:
    write(root, _set("entities[0].id", "HQ\u200b"))
    return Setup(check(), CASE_YAML, must_show=[r"(?i)u\+?200b"])


@hostile("id-bidi-override", 2, IDS)
def _bidi(root: Path) -> Setup:
    write(root, _set("accounts[2].id", "DE-\u202eRUE"))
    return Setup(check(), CASE_YAML, must_show=[r"(?i)u\+?202e"])


@hostile("id-cyrillic-look-alike", 2, IDS + " (reported as got 'HQ')")
def _cyrillic(root: Path) -> Setup:
    write(root, _set("entities[1].parent", "\u041dQ"))  # Cyrillic capital EN, then Q
    return Setup(check(), CASE_YAML, must_show=[r"(?i)u\+?041d"])


@hostile("id-control-character", 2, IDS)
def _control(root: Path) -> Setup:
    write(root, _set("accounts[0].id", "HQ-\u0007GBP"))
    return Setup(check(), CASE_YAML, must_show=[r"(?i)(u\+?0007|\\x07|\\a)"])


# ------------------------------------------------------------------------------- themes

THEME = "crash: a theme missing a colour or nested 10,000 deep"


@hostile("theme-missing-colour", 2, THEME)
def _theme_missing(root: Path) -> Setup:
    write(root)
    _theme(root, 'name: Hostile Bank\ncolours: {primary: "#0B3D91", accent: "#C8102E"}\n')
    return Setup([propose("--theme", "brand/theme.yaml")], ["brand/theme.yaml"])


@hostile("theme-nested-10000-deep", 2, THEME)
def _theme_nested(root: Path) -> Setup:
    write(root)
    _theme(root, "name: " + "[" * 10_000 + "x" + "]" * 10_000 + "\n")
    return Setup([propose("--theme", "brand/theme.yaml")], ["brand/theme.yaml"])


@hostile("theme-misspelt-key", 2, "wrong data accepted: unknown theme keys (a misspelt logo)")
def _theme_misspelt(root: Path) -> Setup:
    write(root)
    _theme(
        root,
        "name: Hostile Bank\n"
        'colours: {primary: "#0B3D91", accent: "#C8102E", text: "#1F2937", muted: "#6B7280"}\n'
        "logoo: logo.png\n",
    )
    return Setup([propose("--theme", "brand/theme.yaml")], ["brand/theme.yaml"])


@hostile("theme-name-traversal", 2, "wrong data accepted: --theme ../../x loads YAML from anywhere")
def _theme_traversal(root: Path) -> Setup:
    write(root)
    theme = _theme(root)
    # A theme *name* (no .yaml) that climbs out of the shipped themes folder to our file.
    name = "../" * 30 + str(theme.with_suffix("")).lstrip("/")
    return Setup([propose("--theme", name)], ["theme", name[-30:]])


# ------------------------------------------------------------------------- deep chains

CHAIN = "crash: a 2,000-level sweep chain or 1,500-level ownership chain (RecursionError)"


@hostile("sweep-chain-2000-levels", (0, 2), CHAIN)
def _sweep_chain(root: Path) -> Setup:
    case = base_case()
    ids = [f"C{i:04d}" for i in range(2000)]
    # Overdrafts on every account and interest only at the top: the chain pays for itself,
    # so the proposal recommends it and draws it.
    terms = {"credit_rate": "0%", "debit_rate": "20%"}
    case["accounts"] = [
        {"id": a, "entity": "HQ", "bank": "Test Bank", "country": "GB", "currency": "GBP"}
        | {"terms": {"credit_rate": "3%"} if a == ids[0] else terms}
        for a in ids
    ] + [case["accounts"][2]]
    case["structures"] = [
        {
            "id": "chain",
            "name": "A very deep sweep",
            "kind": "physical",
            "rules": [
                {"from": ids[i + 1], "to": ids[i], "rule": "zero-balance"}
                for i in range(len(ids) - 1)
            ],
        }
    ]
    weekly = wide_rows([*ids, "DE-EUR"], step=7)  # a year, in weekly rows: a smaller table
    write_case(root / "case", case, balances=csv_text(weekly))
    return Setup([["check", "case"], propose()], CASE_YAML)


@hostile("ownership-chain-1500-levels", (0, 2), CHAIN)
def _ownership_chain(root: Path) -> Setup:
    case = base_case()
    ids = [f"E{i:04d}" for i in range(1500)]
    case["entities"] = [{"id": ids[0], "name": "Top", "country": "GB"}] + [
        {"id": e, "name": f"Entity {e}", "country": "GB", "parent": ids[i]}
        for i, e in enumerate(ids[1:])
    ]
    for account in case["accounts"]:
        account["entity"] = ids[-1]
    write_case(root / "case", case)
    return Setup([["check", "case"], propose()], CASE_YAML)


# --------------------------------------------------------------------- unreadable inputs

UNREADABLE = "crash: tables without read permission"


for _name in ("balances.csv", "fx.csv", "case.yaml"):

    def _unreadable(root: Path, name: str = _name) -> Setup:
        folder = write(root)
        (folder / name).chmod(0)
        return Setup(check(), [f"case/{name}"])

    hostile(f"unreadable-{_name.replace('.', '-')}", 2, UNREADABLE)(_unreadable)


# ------------------------------------------------------------------- wrong data accepted


@hostile("xlsx-formula-without-cached-value", 2, "wrong data accepted: formulas without values")
def _formula_uncached(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    rows: list[list[object]] = [list(r) for r in wide_rows(account_ids(case))]
    for r in range(3, 300, 5):  # every fifth day computed from the day before: no long gaps
        rows[r][1] = Formula(f"B{r}+100")
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(Sheet("Balances", rows)))
    return Setup(check(), BALANCES_XLSX)


@hostile("xlsx-formula-with-cached-value", 0, "workbooks: cached values only (valid)")
def _formula_cached(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    rows: list[list[object]] = [list(r) for r in wide_rows(account_ids(case))]
    for r in range(2, 40):
        rows[r][1] = Formula(f"B{r}+100", cached=str(rows[r][1]))
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(Sheet("Balances", rows)))
    return Setup(check(), BALANCES_XLSX)


@hostile("base-currency-without-reference-rate", 2, "wrong data accepted: NGN priced 1:1 to USD")
def _ngn(root: Path) -> Setup:
    case = base_case()
    case["base_currency"] = "NGN"  # not in the reference USD rates
    case["client"]["annual_revenue"] = "60000000 USD"  # the segment needs no conversion
    case["client"]["country"] = "NG"
    for entity in case["entities"]:
        entity["country"] = "NG"
    case["accounts"] = case["accounts"][:2]
    for account in case["accounts"]:
        account["currency"], account["country"] = "NGN", "NG"
    case["accounts"][0]["terms"]["overdraft_limit"] = "10000 NGN"
    del case["fx_rates"]
    case["structures"] = []
    write_case(root / "case", case)
    return Setup(check_then("design"), CASE_YAML)


@hostile("one-day-history", 2, "wrong data accepted: a one-day history annualised x365")
def _one_day(root: Path) -> Setup:
    rows = balance_rows(account_ids(base_case()), count=1)
    write(root, balances=csv_text(rows), fx=csv_text(fx_rows(count=1)))
    return Setup(check_then("design"), [*BALANCES_CSV, *CASE_YAML])


@hostile("xlsx-hidden-first-sheet", (0, 2), "wrong data accepted: a hidden first sheet is read")
def _hidden_sheet(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    stale = balance_rows(account_ids(case), count=181)  # the first half-year only
    good = Sheet("Balances", balance_rows(account_ids(case)))
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(Sheet("Old", stale, hidden=True), good))
    return Setup(check(), BALANCES_XLSX, verify=_reads_visible_sheet)


def _reads_visible_sheet(run: Run) -> str | None:
    """Accepted only if the visible sheet was read (to 2025-12-31), never the hidden one
    (to 2025-06-30)."""
    if "2025-01-01 to 2025-12-31" not in run.stdout:
        return "expected the visible sheet (to 2025-12-31) to be read, not the hidden one"
    return None


PATHS = "wrong data accepted: absolute and ../ table paths"


@hostile("table-path-absolute", 2, PATHS)
def _absolute(root: Path) -> Setup:
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "balances.csv").write_text(
        csv_text(balance_rows(account_ids(base_case()))), "utf-8"
    )
    folder = write(root, _set("balances", str((root / "shared" / "balances.csv").resolve())))
    (folder / "balances.csv").unlink()
    return Setup(check(), CASE_YAML)


@hostile("table-path-parent", 2, PATHS)
def _parent(root: Path) -> Setup:
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "balances.csv").write_text(
        csv_text(balance_rows(account_ids(base_case()))), "utf-8"
    )
    folder = write(root, _set("balances", "../shared/balances.csv"))
    (folder / "balances.csv").unlink()
    return Setup(check(), CASE_YAML)


@hostile("fx-path-parent", 2, PATHS)
def _fx_parent(root: Path) -> Setup:
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "fx.csv").write_text(csv_text(fx_rows()), "utf-8")
    folder = write(root, _set("fx_rates", "../shared/fx.csv"))
    (folder / "fx.csv").unlink()
    return Setup(check(), CASE_YAML)


# ---------------------------------------------------------------------- valid but refused

VALID = "valid input refused"


@hostile("xlsx-empty-formatted-columns-wide", 0, VALID + ": empty formatted columns")
def _styled_wide(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    sheet = Sheet("Balances", wide_rows(account_ids(case)), styled_blank_columns=6)
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(sheet))
    return Setup(check(), BALANCES_XLSX)


@hostile("xlsx-empty-formatted-columns-long", 0, VALID + ": empty formatted columns")
def _styled_long(root: Path) -> Setup:
    case = changed(lambda c: c.update(balances="balances.xlsx"))
    folder = write_case(root / "case", case)
    sheet = Sheet("Balances", balance_rows(account_ids(case)), styled_blank_columns=6)
    (folder / "balances.xlsx").write_bytes(xlsx_bytes(sheet))
    return Setup(check(), BALANCES_XLSX)


def _trailing(rows: list[list[str]]) -> str:
    return "".join(",".join(r) + ",\n" for r in rows)


@hostile("csv-trailing-commas-long", 0, VALID + ": a CSV with trailing commas")
def _trailing_long(root: Path) -> Setup:
    write(root, balances=_trailing(balance_rows(account_ids(base_case()))))
    return Setup(check(), BALANCES_CSV)


@hostile("csv-trailing-commas-wide", 0, VALID + ": a CSV with trailing commas")
def _trailing_wide(root: Path) -> Setup:
    write(root, balances=_trailing(wide_rows(account_ids(base_case()))))
    return Setup(check(), BALANCES_CSV)


@hostile("csv-trailing-commas-fx", 0, VALID + ": a CSV with trailing commas")
def _trailing_fx(root: Path) -> Setup:
    write(root, fx=_trailing(fx_rows()))
    return Setup(check(), ("case/fx.csv",))


@hostile("debit-rate-150-percent", 0, VALID + ": debit_rate 150% (the docs allow up to 1000%)")
def _rate_150(root: Path) -> Setup:
    write(root, _set("accounts[0].terms.debit_rate", "150%"))
    return Setup(check_then("simulate"), CASE_YAML)


# ------------------------------------------------------------------------------ messages

MESSAGES = "messages an RM cannot act on"


@hostile("case-yaml-symlink-outside", 2, MESSAGES + ": case.yaml linked to /etc/passwd")
def _symlinked_case(root: Path) -> Setup:
    (root / "etc").mkdir()
    secret = "root:x:0:0:SECRET-MARKER-7391:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh\n"
    (root / "etc" / "passwd").write_text(secret, "utf-8")
    folder = write(root)
    (folder / "case.yaml").unlink()
    (folder / "case.yaml").symlink_to(root / "etc" / "passwd")
    return Setup(check(), ["case"], must_not_show=["SECRET-MARKER", "/bin/bash", "daemon"])


@hostile("csv-renamed-xlsx", 2, MESSAGES + ": a CSV renamed .xlsx")
def _csv_as_xlsx(root: Path) -> Setup:
    folder = write(root, lambda c: c.update(balances="balances.xlsx"))
    (folder / "balances.csv").rename(folder / "balances.xlsx")
    return Setup(check(), BALANCES_XLSX)


@hostile("xls-workbook", 2, MESSAGES + ": an .xls")
def _xls(root: Path) -> Setup:
    folder = write(root, lambda c: c.update(balances="balances.xls"))
    (folder / "balances.xls").write_bytes(ole2_bytes())
    return Setup(check(), ["balances.xls"])


@hostile("xls-renamed-xlsx", 2, MESSAGES + ": an .xls renamed .xlsx")
def _xls_as_xlsx(root: Path) -> Setup:
    folder = write(root, lambda c: c.update(balances="balances.xlsx"))
    (folder / "balances.xlsx").write_bytes(ole2_bytes())
    return Setup(check(), BALANCES_XLSX)


@hostile("xlsx-password-protected", 2, MESSAGES + ": a password-protected workbook")
def _encrypted(root: Path) -> Setup:
    folder = write(root, lambda c: c.update(balances="balances.xlsx"))
    streams = ("EncryptionInfo", "EncryptedPackage", "\u0006DataSpaces")
    (folder / "balances.xlsx").write_bytes(ole2_bytes(streams))
    return Setup(check(), BALANCES_XLSX)


LINE_COLUMN = r"line \d+, column \d+"
SYNTAX: dict[str, Callable[[str], str]] = {
    "yaml-control-character": lambda t: t.replace("industry: Testing", "industry: Test\x07ing"),
    "yaml-unclosed-bracket": lambda t: t.replace("needs:\n    - liquidity", "needs: [liquidity"),
    "yaml-tab-indent": lambda t: t.replace("  industry: Testing", "\tindustry: Testing"),
    "yaml-bad-escape": lambda t: t.replace("industry: Testing", 'industry: "Test\\qing"'),
    "yaml-nul-byte": lambda t: t.replace("industry: Testing", "industry: Test\x00ing"),
}

for _id, _edit in SYNTAX.items():

    def _syntax(root: Path, edit: Callable[[str], str] = _edit) -> Setup:
        text = yaml_text(base_case())
        broken = edit(text)
        assert broken != text
        write(root, yaml=broken)
        return Setup(check(), CASE_YAML, must_show=[LINE_COLUMN], must_not_show=[r"position \d"])

    hostile(_id, 2, MESSAGES + ": YAML errors must name line and column")(_syntax)


@hostile("yaml-date-as-text", 2, MESSAGES + ": got datetime.date(2025, 1, 1)")
def _date_text(root: Path) -> Setup:
    text = yaml_text(base_case()).replace("industry: Testing", "industry: 2025-01-01", 1)
    write(root, yaml=text)
    return Setup(check(), CASE_YAML, must_not_show=[r"datetime"])


@hostile("yaml-binary-as-text", 2, MESSAGES + ": got b'hello'")
def _binary_text(root: Path) -> Setup:
    text = yaml_text(base_case()).replace("industry: Testing", "industry: !!binary aGVsbG8=", 1)
    write(root, yaml=text)
    return Setup(check(), CASE_YAML)


@hostile("yaml-huge-value-in-message", 2, MESSAGES + ": no repr of a whole value")
def _huge_value(root: Path) -> Setup:
    write(root, _set("client.needs", ["x" * 1_000_000]))
    return Setup(check(), CASE_YAML, max_lines=CAPPED_LINES, must_not_show=["x{200}"])


@hostile("broken-entity-list-capped", 2, MESSAGES + ": one broken entity list, 16,112 lines")
def _broken_entities(root: Path) -> Setup:
    case = base_case()
    case["entities"] += [
        {"id": f"X{i}", "name": "", "country": "XX", "parent": f"NOPE{i}", "ownership": "300%"}
        for i in range(3000)
    ]
    write_case(root / "case", case)
    return Setup(check(), CASE_YAML, max_lines=CAPPED_LINES)


@hostile("balances-every-row-wrong-capped", 2, MESSAGES + ": problems capped per file")
def _broken_rows(root: Path) -> Setup:
    rows = balance_rows(account_ids(base_case()))
    broken = [rows[0]] + [[r[0][::-1], r[1], r[2] + "x"] for r in rows[1:]]
    write(root, balances=csv_text(broken))
    return Setup(check(), BALANCES_CSV, max_lines=CAPPED_LINES)


# ------------------------------------------------------------------------ the assertions

# Python showing through a message: a traceback, a bug report, type names, reprs.
PYTHONISMS = [
    r"Traceback",
    r"internal error",
    r"please report",
    r"\bdatetime\.",
    r"(?<![\w'])b'",
    r"\bDecimal\(",
    r"InvalidOperation",
    r"\b[A-Z][A-Za-z]*(Error|Exception)\b",
    r"BadZipFile",
    r"<class ",
    r"\bFile \"",
]


@dataclass
class Outcome:
    """What happened to one case: its runs and what went wrong (empty: as expected)."""

    case: Hostile
    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unavailable: str | None = None

    @property
    def status(self) -> int | None:
        return self.runs[-1].status if self.runs else None


def judge(case: Hostile, setup: Setup, runs: list[Run], changed_files: list[str]) -> list[str]:
    """Everything that is not as the issue asks."""
    failures = [f"input changed or left behind — {c}" for c in changed_files]
    for run in runs:
        if run.over_time:
            failures.append(f"over {TIME_LIMIT:.0f} s: `{' '.join(run.args[:2])}`")
        if run.peak_bytes > MEMORY_LIMIT:
            failures.append(f"over {MEMORY_LIMIT >> 20} MB: `{' '.join(run.args[:2])}`")
        text = run.stderr + run.stdout
        failures += [f"shows {p!r}" for p in PYTHONISMS if re.search(p, text)]
        failures += [f"shows {p!r}" for p in setup.must_not_show if re.search(p, text)]
    last = runs[-1]
    if last.status not in case.expect:
        wanted = " or ".join(str(c) for c in sorted(case.expect))
        failures.append(f"exit {last.status}, expected {wanted}")
    if last.status == 2:
        if not any(name in last.stderr for name in setup.blame):
            failures.append(f"the refusal names none of {list(setup.blame)}")
        failures += [
            f"the refusal lacks {p!r}" for p in setup.must_show if not re.search(p, last.stderr)
        ]
        lines = last.stderr.count("\n")
        if setup.max_lines is not None and lines > setup.max_lines:
            failures.append(f"{lines} lines of problems, expected at most {setup.max_lines}")
    elif last.status == 0 and setup.verify is not None:
        failures += [m for m in (setup.verify(run) for run in runs) if m]
    return failures


def run_case(case: Hostile, root: Path) -> Outcome:
    """Write the case's inputs, run its commands, judge the result."""
    outcome = Outcome(case)
    root.mkdir(parents=True)
    try:
        setup = case.build(root)
    except Unavailable as exc:
        outcome.unavailable = str(exc)
        return outcome
    except Exception:  # the generator itself failed: this case fails, the others still run
        outcome.failures = [f"the case could not be written:\n{traceback.format_exc()}"]
        return outcome
    before = snapshot(root)
    for command in setup.commands:
        run = run_cli(command, root)
        outcome.runs.append(run)
        if run.status != 0:
            break
    after = snapshot(root)
    allowed = [c[c.index("-o") + 1] for c in setup.commands if "-o" in c]  # a new file only
    outcome.failures = judge(case, setup, outcome.runs, changes(before, after, allowed))
    _unlock(root)
    return outcome


def _unlock(root: Path) -> None:
    """Give back read and write permission, so pytest can remove the folder."""
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if not path.is_symlink() and (path.is_dir() or path.is_file()):
                path.chmod(0o755 if path.is_dir() else 0o644)


CASE_IDS = [c.id for c in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "two hostile cases share an id"
BY_ID = {c.id: c for c in CASES}


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Outcome]]:
    """Run every selected case, two at a time, then print and record the counts."""
    selected = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec is not None:
            selected.append(callspec.params["case_id"])
    base = tmp_path_factory.mktemp("hostile")
    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {i: pool.submit(run_case, BY_ID[i], base / i) for i in selected}
        results = {i: f.result() for i, f in futures.items()}
    yield results
    report(request.config, results)


def report(config: pytest.Config, results: dict[str, Outcome]) -> None:
    """Print the counts and write them to $HOSTILE_REPORT."""
    tried = [o for o in results.values() if o.unavailable is None]
    runs = [(o.case.id, r) for o in tried for r in o.runs]
    slowest = max(runs, key=lambda p: min(p[1].seconds, p[1].cpu_seconds), default=None)
    largest = max(runs, key=lambda p: p[1].peak_bytes, default=None)
    summary: dict[str, Any] = {
        "inputs_tried": len(tried),
        "cli_runs": len(runs),
        "located_refusals": sum(1 for o in tried if o.status == 2 and not o.failures),
        "valid_inputs_accepted": sum(1 for o in tried if o.status == 0 and not o.failures),
        "as_expected": sum(1 for o in tried if not o.failures),
        "failing": sorted(o.case.id for o in tried if o.failures),
        "unavailable": {o.case.id: o.unavailable for o in results.values() if o.unavailable},
        "worst_seconds": round(min(slowest[1].seconds, slowest[1].cpu_seconds), 2)
        if slowest
        else None,
        "worst_wall_seconds": round(max(r.seconds for _, r in runs), 2) if runs else None,
        "worst_cpu_seconds": round(max(r.cpu_seconds for _, r in runs), 2) if runs else None,
        "worst_seconds_case": slowest[0] if slowest else None,
        "worst_memory_mb": round(largest[1].peak_bytes / 2**20, 1) if largest else None,
        "worst_memory_case": largest[0] if largest else None,
        "cases": {
            o.case.id: {
                "exit": o.status,
                "seconds": round(sum(r.seconds for r in o.runs), 2),
                "cpu_seconds": round(sum(r.cpu_seconds for r in o.runs), 2),
                "peak_mb": round(max((r.peak_bytes for r in o.runs), default=0) / 2**20),
                "failures": o.failures,
                "stderr": o.runs[-1].stderr.splitlines()[:4] if o.runs else [],
            }
            for o in tried
        },
    }
    path = os.environ.get("HOSTILE_REPORT")
    if path:
        Path(path).write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    line = (
        f"hostile inputs: {summary['inputs_tried']} tried ({summary['cli_runs']} CLI runs), "
        f"{summary['located_refusals']} located refusals, "
        f"{summary['valid_inputs_accepted']} valid inputs accepted, "
        f"{len(summary['failing'])} not as issue 11 asks; "
        f"worst time {summary['worst_seconds']} s ({summary['worst_seconds_case']}), "
        f"worst memory {summary['worst_memory_mb']} MB ({summary['worst_memory_case']})"
    )
    config.pluginmanager.register(_Summary(line), "hostile-summary")


class _Summary:
    """Prints the counts in pytest's closing summary (teardown output would be captured)."""

    def __init__(self, line: str) -> None:
        self.line = line

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "issue 11: hostile inputs")
        terminalreporter.write_line(self.line)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_hostile_input(case_id: str, outcomes: dict[str, Outcome]) -> None:
    """One hostile input: a located exit 2 or, where valid, exit 0; within 10 s and 500 MB;
    no input file changed."""
    outcome = outcomes[case_id]
    if outcome.unavailable is not None:
        pytest.skip(outcome.unavailable)
    if outcome.failures:
        runs = "\n".join(r.describe() for r in outcome.runs)
        pytest.fail(
            f"{case_id} ({outcome.case.issue}):\n  - "
            + "\n  - ".join(outcome.failures)
            + f"\n{runs}",
            pytrace=False,
        )


def test_every_issue_item_has_a_case() -> None:
    """The suite covers each heading of the issue's "What breaks today" list."""
    issues = " ".join(c.issue for c in CASES)
    for heading in (
        "inputs overwritten",
        "hangs",
        "blow-ups",
        "crash",
        "wrong data accepted",
        "valid input refused",
        "messages",
        "outputs",
    ):
        assert heading in issues, heading
    assert len(CASES) >= 90, len(CASES)


def test_runner_measures_a_run(tmp_path: Path) -> None:
    """The runner itself: a normal check is quick and small, and a run past the time limit
    is killed and reported (so a hang can never stall the suite)."""
    write_case(tmp_path / "case")
    run = run_cli(["check", "case"], tmp_path)
    assert run.status == 0, run.describe()
    assert 0 < run.peak_bytes < MEMORY_LIMIT
    assert not run.timed_out
    hang = run_cli([], tmp_path, program="import time; time.sleep(60)", limit=1.0)
    assert hang.timed_out and hang.over_time and hang.status != 0 and hang.seconds < 5
    spin = run_cli([], tmp_path, program="while True: pass", limit=1.0)
    assert spin.timed_out and spin.status != 0 and spin.seconds < 5
    blowup = run_cli([], tmp_path, program="x = bytearray(2 * 10**9)")
    assert blowup.status != 0 and "MemoryError" in blowup.stderr
