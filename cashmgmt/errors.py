"""Problems found in input are data: each names the file, the place and what was expected."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, time
from decimal import Decimal
from typing import Final, TypeGuard, TypeVar

import attrs

T = TypeVar("T")


def shown(value: object, limit: int = 60, *, escaped: bool = False) -> str:
    """A bad value as an error message shows it: at most `limit` characters, built without a
    repr of the whole value (a value may be huge or deeply nested). Text is quoted and cut,
    with invisible characters as escapes (`\\u200b`), and with `escaped` every non-ASCII one
    too (so an id 'НQ' in Cyrillic is not mistaken for 'HQ'); numbers as written; dates in
    ISO 8601; lists and mappings described by their size and first keys; no Python names."""
    if isinstance(value, str):
        return _quoted(value, limit, escaped)
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 3 * limit:  # str() of a huge int is slow, or refused
            return _cut(f"a number of about {int(value.bit_length() * 0.30103)} digits", limit)
        return _cut(str(value), limit)
    if isinstance(value, (float, Decimal)):
        return _cut(str(value), limit)
    if isinstance(value, (date, time)):
        return _cut(value.isoformat(), limit)
    if isinstance(value, (bytes, bytearray)):
        return _cut(f"binary data of {plural(len(value), 'byte')}", limit)
    if isinstance(value, Mapping):
        return _cut(_described_mapping(value, limit), limit)
    if isinstance(value, (list, tuple)):
        return _cut(f"a list of {plural(len(value), 'item')}" if value else "an empty list", limit)
    if isinstance(value, (set, frozenset)):
        return _cut(f"a set of {plural(len(value), 'item')}" if value else "an empty set", limit)
    return "a value that is not text, a number, a date, a list or a mapping"


def _described_mapping(value: Mapping[object, object], limit: int) -> str:
    """`a mapping with keys a, b, …`, naming keys only while they fit in `limit`."""
    if not value:
        return "an empty mapping"
    text = "a mapping with key" + ("s " if len(value) > 1 else " ")
    names: list[str] = []
    for key in value:
        name = key if isinstance(key, str) and key.isprintable() else shown(key, 20)
        name = _cut(name, 20)
        if len(text) + len(", ".join([*names, name])) + 3 > limit:
            return text + ", ".join([*names, "…"])
        names.append(name)
    return text + ", ".join(names)


def _quoted(text: str, limit: int, escaped: bool) -> str:
    """'text' within `limit` characters: cut (with …) before quoting, escapes counted."""
    pieces: list[str] = []
    used = 2  # the quotes
    for i, char in enumerate(text):
        piece = _escape(char) if escaped and not char.isascii() else char
        if not piece.isprintable():
            piece = _escape(char)
        last = i == len(text) - 1
        if used + len(piece) + (0 if last else 1) > limit:
            pieces.append("…")
            break
        pieces.append(piece)
        used += len(piece)
    return "'" + "".join(pieces) + "'"


def _escape(char: str) -> str:
    """A character as an escape: \\n, \\x00, \\u200b, \\U0001f4b0."""
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Invalid(ValueError):
    """Raised by a parser: `expected` says what was wanted, `got` what was found (shown
    short; `escaped` shows non-ASCII characters as escapes, for ids)."""

    _NOTHING = object()

    def __init__(self, expected: str, got: object = _NOTHING, *, escaped: bool = False) -> None:
        self.expected = expected
        self.message = f"expected {expected}"
        if got is not Invalid._NOTHING:
            self.message += f", got {shown(got, escaped=escaped)}"
        super().__init__(self.message)


@attrs.frozen
class Problem:
    """One thing wrong with the input: which file, where in it, and what was expected."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{self.file}: {place}{self.message}"


@attrs.frozen
class Omitted(Problem):
    """Stands for `count` further problems of a file that were not listed one by one."""

    count: int = 0


def count_problems(problems: Iterable[Problem]) -> int:
    """How many problems there are, counting those an Omitted line stands for."""
    return sum(p.count if isinstance(p, Omitted) else 1 for p in problems)


def plural(count: int, word: str) -> str:
    """`1 problem`, `2 problems`; `1 country`, `3 countries`; `2 days`."""
    if count == 1:
        return f"1 {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{count} {word[:-1]}ies"  # entry, country
    return f"{count} {word}s"  # day, problem


class Error(ValueError):
    """Every error cashmgmt raises for bad input: `problems` lists everything found wrong,
    each naming its file and place. A `ValueError`, as schwifty's errors are."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        head = plural(count_problems(self.problems), "problem")
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class CaseError(Error):
    """A case folder could not be loaded: the case file's problems first, then each table's."""


class ThemeError(Error):
    """A theme (the bank's branding for documents) could not be read."""


class OutputError(Error):
    """An output cannot be written where asked: a folder, a device or a pipe, one of the
    run's input files, a path under a file, a name too long, a folder not writable."""


class SimulationError(Error):
    """A case loaded but cannot be simulated exactly (e.g. a balance beyond the exact range)."""


class AssessmentError(Error):
    """A case loaded but cannot be assessed (e.g. a revenue with no rate to USD)."""


class StatementError(Error):
    """A bank statement cannot be read at all (unreadable file, not the reader's format)."""


class ReviewError(Error):
    """Bank statements do not fit the case or the structure under review: unknown accounts,
    other currencies, missing days, sweeps the structure cannot have made (docs/review.md)."""


class Missing(enum.Enum):
    """The type of MISSING: a value that was absent or could not be read (a problem is
    already recorded). A one-member enum, so that `x is MISSING` narrows `T | Missing` to T."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


#: Stands in for a value that could not be read, so that reading can go on and find more.
MISSING: Final = Missing.MISSING


def ok(value: T | Missing) -> TypeGuard[T]:
    """Whether `value` was read (is not MISSING); narrows `T | Missing` to T where true.
    mypy cannot solve T for a union (`A | B | Missing`): there, test `value is not MISSING`."""
    return value is not MISSING
