"""The run's journal: one JSON line per finished case, appended and synced to disk as each
case comes back, so a run that is stopped (a signal, a crash, a lost machine) resumes where
it was. A torn last line (the stop came mid-write) is ignored and its case run again."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs

from cashmgmt.errors import Problem
from cashmgmt.portfolio.rows import CaseRow

JOURNAL = "cases.jsonl"
#: A journal line longer than this is not one of ours (a row is a few KiB at most).
MAX_LINE_BYTES = 1024 * 1024


def encode(row: CaseRow) -> dict[str, Any]:
    """Every field of a row as JSON (Decimals as strings, tuples as lists, problems as
    mappings), field by field, so fields added to CaseRow later are kept too."""
    out: dict[str, Any] = {}
    for field in attrs.fields(CaseRow):
        value = getattr(row, field.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = [
                {"file": v.file, "where": v.where, "message": v.message}
                if isinstance(v, Problem)
                else v
                for v in value
            ]
        out[field.name] = value
    return out


def decode(data: dict[str, Any]) -> CaseRow:
    """A row from `encode`'s form; each field takes its default's type (a field the line
    lacks keeps its default). ValueError if the line is not a row."""
    values: dict[str, Any] = {}
    for field in attrs.fields(CaseRow):
        if field.name not in data:
            if field.default is attrs.NOTHING:
                raise ValueError(f"a journal row lacks {field.name}")
            continue
        value = data[field.name]
        default = field.default
        if field.name == "problems":
            value = tuple(Problem(p["file"], p["where"], p["message"]) for p in value)
        elif isinstance(default, Decimal):
            value = Decimal(value)
        elif isinstance(default, tuple):
            value = tuple(value)
        values[field.name] = value
    return CaseRow(**values)


def read_journal(folder: Path) -> dict[str, CaseRow]:
    """The rows a journal holds, by case name (a later line for the same case wins); lines
    that cannot be read are skipped (those cases run again)."""
    path = folder / JOURNAL
    rows: dict[str, CaseRow] = {}
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return rows
    with stream:
        for line in stream:
            if len(line) > MAX_LINE_BYTES or not line.endswith(b"\n"):
                continue
            try:
                row = decode(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue
            rows[row.case] = row
    return rows


class Journal:
    """Appends rows to the journal, each line flushed and synced before the next."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / JOURNAL
        self._repair(path)
        self._stream: IO[bytes] = path.open("ab")

    @staticmethod
    def _repair(path: Path) -> None:
        """Cut a torn last line (no newline: the write was stopped), so appends stay lines."""
        try:
            with path.open("rb+") as stream:
                size = stream.seek(0, os.SEEK_END)
                if size == 0:
                    return
                stream.seek(size - 1)
                if stream.read(1) == b"\n":
                    return
                keep = 0
                for start in range(max(0, size - MAX_LINE_BYTES), size, 1 << 16):
                    stream.seek(start)
                    chunk = stream.read(min(1 << 16, size - start))
                    at = chunk.rfind(b"\n")
                    if at >= 0:
                        keep = start + at + 1
                stream.truncate(keep)
        except FileNotFoundError:
            return

    def write(self, row: CaseRow) -> None:
        line = json.dumps(encode(row), ensure_ascii=False, separators=(",", ":"))
        self._stream.write(line.encode("utf-8") + b"\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rows_in(folder: Path) -> Iterator[CaseRow]:
    """The journal's rows in case order."""
    rows = read_journal(folder)
    for name in sorted(rows):
        yield rows[name]
