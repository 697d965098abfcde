"""Reading a YAML file within bounds, so any file ends in its data or one located problem.

Checked on the parser's events, before anything is built: the file's size, its nesting and
number of values, no anchors or aliases (an alias bomb of 2 KB grows to gigabytes, and no
input of ours needs them), characters YAML does not allow, and surrogate pairs written as
two escapes joined into one character. Case files and themes share it, each with its bounds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
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

from cashmgmt.errors import Problem


@attrs.frozen
class Bounds:
    """What one kind of YAML file may hold: `kind` names it in messages ("a case file")."""

    kind: str
    max_bytes: int
    max_depth: int
    max_nodes: int


def _yaml(bounds: Bounds) -> YAML:
    yaml = YAML(typ="safe", pure=True)  # YAML 1.2: `NO` and `on` stay strings
    yaml.allow_duplicate_keys = False
    yaml.Parser = type("Parser", (_BoundedParser,), {"bounds": bounds})
    yaml.Constructor = _Constructor
    return yaml


class _Refused(Exception):
    """A file refused while it is parsed: the message and where (a ruamel mark)."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedParser(Parser):
    """ruamel's parser, checking each event as the composer takes it, before anything is
    built from it: no anchors or aliases, at most `bounds.max_depth` levels and
    `bounds.max_nodes` values, and text escapes of surrogate pairs (`"\\ud83d\\udcb0"`)
    joined into one character."""

    bounds: Bounds

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
            if self.nodes > self.bounds.max_nodes:
                raise _Refused(
                    event.start_mark,
                    f"expected at most {self.bounds.max_nodes:,} values in {self.bounds.kind}; "
                    "this one has more",
                )
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > self.bounds.max_depth:
                raise _Refused(
                    event.start_mark,
                    f"expected at most {self.bounds.max_depth} levels of nesting; "
                    "this one goes deeper",
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


def read_yaml(file: Path, label: str, bounds: Bounds) -> tuple[object, list[Problem]]:
    """Parse a YAML file within `bounds`; whatever is wrong with it (its size, encoding,
    syntax, anchors, nesting) becomes one Problem with its line and column."""
    try:
        with file.open("rb") as stream:
            raw = stream.read(bounds.max_bytes + 1)
    except OSError as exc:
        return None, [Problem(label, "", f"cannot be read ({exc.strerror})")]
    if len(raw) > bounds.max_bytes:
        size = (
            f"{bounds.max_bytes // 2**20} MiB"
            if bounds.max_bytes >= 2**20
            else (f"{bounds.max_bytes // 2**10} KiB")
        )
        return None, [Problem(label, "", f"expected {bounds.kind} of at most {size}; it is larger")]
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
        return _yaml(bounds).load(text), []
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
