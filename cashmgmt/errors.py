"""Problems found in input are data: each names the file, the place and what was expected."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final, TypeGuard, TypeVar

import attrs

T = TypeVar("T")


def shown(value: object, limit: int = 60) -> str:
    """A short, printable rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Invalid(ValueError):
    """Raised by a parser: `expected` says what was wanted, `got` what was found."""

    _NOTHING = object()

    def __init__(self, expected: str, got: object = _NOTHING) -> None:
        self.expected = expected
        self.message = f"expected {expected}"
        if got is not Invalid._NOTHING:
            self.message += f", got {shown(got)}"
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
    """`1 problem`, `2 problems`; `1 country`, `3 countries`."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


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
