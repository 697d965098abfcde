"""Loading a case: find its file, parse the YAML, read every section, check, read the tables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import Parser

from cashmgmt.errors import MISSING, CaseError, Invalid, Missing, Problem, ok
from cashmgmt.inputs import tables, validate
from cashmgmt.inputs.casefile.parsers import currency, rate, text
from cashmgmt.inputs.casefile.reader import Reader, every
from cashmgmt.inputs.casefile.sections import (
    read_account,
    read_client,
    read_entity,
    read_structure,
)
from cashmgmt.inputs.limits import MAX_CASE_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from cashmgmt.model import BalanceHistory, Case, Client, FxRates, Structure

T = TypeVar("T")

FORMAT_VERSION = 1
CASE_NAMES = ("case.yaml", "case.yml")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)  # YAML 1.2: `NO` and `on` stay strings
    yaml.allow_duplicate_keys = False
    yaml.Parser = _BoundedParser
    yaml.Constructor = _Constructor
    return yaml


def find_case_file(path: Path) -> Path:
    """The case YAML for a folder or file path (CaseError naming the path if none)."""
    if path.is_dir():
        for name in CASE_NAMES:
            if (path / name).is_file():
                return path / name
        raise CaseError([Problem(str(path), "", "expected a case folder holding case.yaml")])
    if path.is_file():
        return path
    raise CaseError(
        [Problem(str(path), "", "no such file or folder; expected a case folder or case.yaml")]
    )


class _Refused(Exception):
    """A case file refused while it is parsed: the message and where (a ruamel mark)."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedParser(Parser):
    """ruamel's parser, checking each event as the composer takes it, before anything is
    built from it: no anchors or aliases (an alias bomb of 2 KB grows to gigabytes, and a
    case file has no use for them), at most MAX_YAML_DEPTH levels and MAX_YAML_NODES values,
    and text escapes of surrogate pairs (`"\\ud83d\\udcb0"`) joined into one character."""

    def reset_parser(self) -> None:
        super().reset_parser()
        self.depth = 0
        self.nodes = 0

    def get_event(self) -> Any:
        event = super().get_event()
        if isinstance(event, AliasEvent) or (
            isinstance(event, NodeEvent) and event.anchor is not None
        ):
            raise _Refused(
                event.start_mark,
                "expected no anchors or aliases (&name, *name); write each value out in full",
            )
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            self.nodes += 1
            if self.nodes > MAX_YAML_NODES:
                raise _Refused(
                    event.start_mark,
                    f"expected at most {MAX_YAML_NODES:,} values in a case file; this one has more",
                )
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                raise _Refused(
                    event.start_mark,
                    f"expected at most {MAX_YAML_DEPTH} levels of nesting; this one goes deeper",
                )
        elif isinstance(event, CollectionEndEvent):
            self.depth -= 1
        elif isinstance(event, ScalarEvent) and _SURROGATE.search(event.value):
            event.value = _joined(event.value, event.start_mark)
        return event


_SURROGATE = re.compile("[\ud800-\udfff]")
#: A surrogate that is not part of a pair: a high one not followed by a low one, or the reverse.
_LONE_SURROGATE = re.compile(
    "[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)


def _joined(value: str, mark: Any) -> str:
    """Text with each surrogate pair (a character beyond U+FFFF written as two \\u escapes,
    as JSON does) joined into its character; a lone half is refused."""
    lone = _LONE_SURROGATE.search(value)
    if lone:
        half = lone.group().encode("unicode_escape").decode("ascii")
        raise _Refused(
            mark,
            f"expected text; found {half}, half of a character written as two escapes "
            "(a surrogate pair such as \\ud83d\\udcb0) without its other half",
        )
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


class _Constructor(SafeConstructor):
    """The safe constructor, with a value YAML cannot turn into a number or date (an integer
    of 5,000 digits, a date 2025-13-45) a located error rather than a bare ValueError."""

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, OverflowError):
            raise ConstructorError(
                problem="a value that reads as a number or date but is out of range",
                problem_mark=node.start_mark,
            ) from None


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _place(text: str, at: int) -> str:
    """`line 3, column 7` of the character at index `at` of `text`."""
    line = text.count("\n", 0, at) + 1
    line_start = text.rfind("\n", 0, at)
    return f"line {line}, column {at - line_start}"


#: Characters YAML 1.2 does not allow in a file (its printable set), NUL among them.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read_yaml(file: Path, label: str) -> tuple[object, list[Problem]]:
    """Parse a YAML file within the bounds of limits.py; whatever is wrong with it (its size,
    encoding, syntax, anchors, nesting) becomes one Problem with its line and column."""
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Problem(label, "", f"cannot be read ({exc.strerror})")]
    if len(raw) > MAX_CASE_FILE_BYTES:
        size = MAX_CASE_FILE_BYTES // 1024 // 1024
        return None, [
            Problem(label, "", f"expected a case file of at most {size} MiB; it is larger")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        byte = f"0x{raw[exc.start]:02X}"
        return None, [
            Problem(
                label,
                _place(good, len(good)),
                f"expected UTF-8 text; found the byte {byte}, which is not UTF-8 "
                "(save the file as UTF-8)",
            )
        ]
    bad = _NOT_YAML.search(text)
    if bad:
        char = bad.group().encode("unicode_escape").decode("ascii")
        return None, [
            Problem(
                label,
                _place(text, bad.start()),
                f"expected text; found the control character {char}",
            )
        ]
    try:
        return _yaml().load(text), []
    except _Refused as exc:
        return None, [Problem(label, _at(exc.mark), exc.message)]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _at(mark) if mark else ""
        what = _cut(str(exc.problem or exc.context or "valid YAML"))
        return None, [Problem(label, where, f"expected valid YAML ({what})")]
    except (YAMLError, ValueError, TypeError, RecursionError):
        return None, [Problem(label, "", "expected valid YAML")]


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


TOP_KEYS = (
    "case",
    "client",
    "base_currency",
    "proposing_bank",
    "entities",
    "accounts",
    "balances",
    "fx_rates",
    "intercompany_rate",
    "structures",
)


def load_case(path: str | Path) -> Case:
    """Load and check a case folder (or its YAML file); CaseError lists every problem."""
    file = find_case_file(Path(path))
    folder = file.parent
    label = str(file)
    if not file.resolve().is_relative_to(folder.resolve()):
        # a link to /etc/passwd would otherwise be parsed and echoed in the messages
        raise CaseError(
            [
                Problem(
                    label,
                    "",
                    "expected a case file inside its case folder; this one is a link to a "
                    "file elsewhere, which is not read",
                )
            ]
        )
    data, problems = read_yaml(file, label)
    if problems:
        raise CaseError(problems)
    r = Reader(label)
    top = r.mapping(data, "", TOP_KEYS)
    if not isinstance(data, Mapping):
        raise CaseError(r.finish())
    version = r.get(top, "case", "", _version)
    client: Client | Missing = MISSING
    if top.get("client") is None:
        r.problem("client", "missing; expected the client: name, industry, country, …")
    else:
        client = read_client(r, top["client"])
    base = r.get(top, "base_currency", "", currency)
    bank = r.get(top, "proposing_bank", "", text, default=None)
    entities = [
        read_entity(r, item, f"entities[{i}]")
        for i, item in enumerate(r.section(top, "entities", "entities"))
    ]
    accounts = [
        read_account(r, item, f"accounts[{i}]")
        for i, item in enumerate(r.section(top, "accounts", "accounts"))
    ]
    currencies = {a.id: a.currency for a in accounts if ok(a)}
    raw_structures = r.sequence(top.get("structures") or [], "structures")
    structures = [
        read_structure(r, item, f"structures[{i}]", currencies)
        for i, item in enumerate(raw_structures)
    ]
    ic_rate = r.get(top, "intercompany_rate", "", rate, default=None)
    balances_name = _inside(r, folder, "balances", r.get(top, "balances", "", _file_name))
    fx_name = _inside(r, folder, "fx_rates", r.get(top, "fx_rates", "", _file_name, default=None))
    if isinstance(top.get("entities"), list) and not entities:
        r.problem("entities", "expected at least one entity")
    if isinstance(top.get("accounts"), list) and not accounts:
        r.problem("accounts", "expected at least one account")
    good_accounts = [a for a in accounts if ok(a)]
    r.add(validate.check_ids(label, top))
    r.add(validate.check_entities(label, top))
    r.add(validate.check_accounts(label, top, bank if ok(bank) else None))
    r.add(validate.check_structures(label, top, currencies))
    problems = r.finish()

    history: BalanceHistory | Missing = MISSING
    fx: FxRates | Missing = MISSING
    read_from = [file]  # the case's input files, which outputs must never replace
    if ok(balances_name):
        read_from.append(folder / balances_name)
        unreadable = validate.known_ids(top, "accounts") - set(currencies)
        history, table_problems = tables.read_balances(
            folder / balances_name, good_accounts, unreadable
        )
        problems += table_problems
    if ok(base) and ok(fx_name):
        fx_path = folder / fx_name if fx_name is not None else None
        read_from += [fx_path] if fx_path is not None else []
        fx, fx_problems = tables.read_fx(fx_path, base)
        problems += fx_problems
        if ok(history) and ok(fx):
            problems += validate.check_fx_coverage(
                label,
                str(folder / fx_name) if fx_name else None,
                fx,
                history,
                good_accounts,
                [s for s in structures if s is not MISSING],
            )
    read_entities, read_accounts = every(entities), every(accounts)
    read_structures: tuple[Structure, ...] | Missing = every(structures)  # a union: name T
    if (
        problems
        or version is MISSING
        or client is MISSING
        or base is MISSING
        or bank is MISSING
        or ic_rate is MISSING
        or history is MISSING
        or fx is MISSING
        or read_entities is MISSING
        or read_accounts is MISSING
        or read_structures is MISSING
    ):
        raise CaseError(problems or [Problem(label, "", "expected a complete case")])
    return Case(
        client=client,
        base_currency=base,
        entities=read_entities,
        accounts=read_accounts,
        balances=history,
        fx=fx,
        structures=read_structures,
        intercompany_rate=ic_rate,
        proposing_bank=bank,
        source=label,
        inputs=tuple(str(p) for p in read_from),
    )


def _version(value: object) -> int:
    """The format version: 1."""
    if value != FORMAT_VERSION or isinstance(value, bool):
        raise Invalid(f"the format version {FORMAT_VERSION}", value)
    return FORMAT_VERSION


def _file_name(value: object) -> str:
    """A .csv or .xlsx file name relative to the case folder."""
    name = text(value)
    if not name.lower().endswith((".csv", ".xlsx")):
        raise Invalid("a .csv or .xlsx file name relative to the case folder", value)
    windows = PureWindowsPath(name)  # splits at / and \ alike, and knows drives
    if windows.anchor or name.startswith(("/", "\\")) or ".." in windows.parts:
        raise Invalid("a file name relative to the case folder, inside it (no /… or ..)", value)
    return name


def _inside(r: Reader, folder: Path, key: str, name: T | Missing) -> T | Missing:
    """The table name, if it leads to a place inside the case folder once symbolic links
    are followed (else MISSING and a problem at `key`: the docs promise tables in the
    folder, and nothing outside it is read)."""
    if not isinstance(name, str):
        return name
    try:
        inside = (folder / name).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        inside = False
    if not inside:
        r.problem(key, "expected a file inside the case folder; this name leads outside it")
        return MISSING
    return name
