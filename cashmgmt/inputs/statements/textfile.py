"""Reading a text statement (MT940, BAI2) in bounded time and memory, and collecting its
problems within a cap, as the case loader does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cashmgmt.errors import Omitted, Problem, StatementError
from cashmgmt.inputs.limits import MAX_PROBLEMS

#: A text statement larger than this is refused before it is read: a year of daily MT940
#: statements for 1,000 accounts with ten entries a day is some 300 MiB, so a bank's daily
#: file is far below it, and reading it stays under a few seconds.
MAX_STATEMENT_FILE_BYTES = 64 * 2**20

#: How much of a file `identify` looks at.
HEAD_BYTES = 4096


def head(path: Path) -> str:
    """The start of a file as text (Latin-1, which decodes any byte), for `identify`."""
    with path.open("rb") as stream:
        return stream.read(HEAD_BYTES).decode("latin-1")


def read_text(path: Path, format_name: str) -> str:
    """The whole file as text: UTF-8 (a byte-order mark dropped) or else Latin-1, which SWIFT
    and BAI2 files from older systems use. StatementError when it is larger than
    MAX_STATEMENT_FILE_BYTES."""
    limit = MAX_STATEMENT_FILE_BYTES
    message = f"expected a {format_name} statement of at most {limit // 2**20} MiB"
    size = path.stat().st_size
    if size > limit:
        raise StatementError([Problem(str(path), "", message)])
    with path.open("rb") as stream:
        data = stream.read(size + 1)  # one byte more: the file may have grown since stat
        if len(data) > size:
            data += stream.read(limit + 1 - len(data))
    if len(data) > limit:
        raise StatementError([Problem(str(path), "", message)])
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class Problems:
    """The problems of one file: the first MAX_PROBLEMS listed, the rest counted."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.listed: list[Problem] = []
        self.dropped = 0

    def add(self, where: str, message: str) -> None:
        self.extend([Problem(self.file, where, message)])

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if len(self.listed) < MAX_PROBLEMS:
                self.listed.append(problem)
            else:
                self.dropped += 1

    def __len__(self) -> int:
        return len(self.listed) + self.dropped

    def finish(self) -> tuple[Problem, ...]:
        if self.dropped:
            more = f"and {self.dropped} more problems like those above"
            return (*self.listed, Omitted(self.file, "", more, self.dropped))
        return tuple(self.listed)
