"""The Reader: walks the YAML tree of one file, turning each Invalid into a located Problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from cashmgmt.errors import MISSING, Invalid, Missing, Omitted, Problem, ok, shown
from cashmgmt.inputs.limits import MAX_PROBLEMS

T = TypeVar("T")


class Reader:
    """Walks the YAML tree of one file and records problems with their key paths."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.shared: dict[object, object] = {}
        self._dropped = 0

    def share(self, value: T) -> T:
        """One object per distinct value (accounts with equal terms share them, so the engine
        turns each distinct terms into arrays once)."""
        return cast(T, self.shared.setdefault(value, value))

    def problem(self, where: str, message: str) -> None:
        """Record one problem at a key path (the first MAX_PROBLEMS; the rest are counted)."""
        self.add([Problem(self.file, where, message)])

    def add(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere (the checks of validate.py), within the same cap."""
        for problem in problems:
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(problem)
            else:
                self._dropped += 1

    def finish(self) -> list[Problem]:
        """The problems, with a last line counting those left out: one broken list of a
        thousand entities is fixed the same way whether the RM sees 50 lines or 16,000."""
        if self._dropped:
            more = f"and {self._dropped} more problems like those above"
            return [*self.problems, Omitted(self.file, "", more, self._dropped)]
        return list(self.problems)

    def mapping(self, value: object, where: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        """`value` as a mapping with only the known `keys` (else {} and a problem)."""
        if not isinstance(value, Mapping):
            self.problem(where, Invalid("a mapping of keys to values", value).message)
            return {}
        for key in value:
            if key not in keys:
                self.problem(
                    join(where, key_text(key)), "unknown key; expected one of " + ", ".join(keys)
                )
        return value

    def sequence(self, value: object, where: str) -> list[Any]:
        """`value` as a list (else [] and a problem)."""
        if not isinstance(value, list):
            self.problem(where, Invalid("a list", value).message)
            return []
        return value

    def value(self, value: object, place: str, parse: Callable[[Any], T | Missing]) -> T | Missing:
        """Parse one value found at `place` (MISSING and a problem if it is wrong)."""
        try:
            return parse(value)
        except Invalid as exc:
            self.problem(place, exc.message)
            return MISSING

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        parse: Callable[[Any], T | Missing],
        *,
        default: T | Missing = MISSING,
    ) -> T | Missing:
        """Parse `data[key]`; a missing key takes `default` or is a problem (MISSING)."""
        place = join(where, key)
        if key not in data or data[key] is None:
            if default is MISSING:
                self.problem(place, "missing; expected " + _what(parse))
            return default
        return self.value(data[key], place, parse)

    def section(self, data: Mapping[str, Any], key: str, what: str, where: str = "") -> list[Any]:
        """A required list (else [] and a problem)."""
        place = join(where, key)
        if data.get(key) is None:
            self.problem(place, f"missing; expected a list of {what}")
            return []
        return self.sequence(data[key], place)


def join(where: str, key: str) -> str:
    """The key path of `key` inside `where`: `accounts[2].terms`."""
    return f"{where}.{key}" if where else key


def key_text(key: object) -> str:
    """A key as a key path shows it: as written if it is short printable text, else shown
    (quoted and cut, or described: a key may be a huge text or a list)."""
    if isinstance(key, str) and key.isprintable() and len(key) <= 40:
        return key
    return shown(key, 40, escaped=True)


def every(items: Iterable[T | Missing]) -> tuple[T, ...] | Missing:
    """All the items, if every one of them was read; else MISSING."""
    given = tuple(items)
    read = tuple(item for item in given if ok(item))
    return read if len(read) == len(given) else MISSING


def _what(parse: Callable[[Any], object]) -> str:
    doc = (parse.__doc__ or "a value").strip().split("\n")[0].rstrip(".")
    return doc[0].lower() + doc[1:]
