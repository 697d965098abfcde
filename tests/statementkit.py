"""Shared helpers for statement tests: build `Statement` records by hand, and a fake reader
of a JSON format (`.stmt` files) that writes and reads them, so checks and history are
tested without any real format's reader."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from cashmgmt.errors import Problem
from cashmgmt.inputs.statements import Statements
from cashmgmt.inputs.statements.records import Entry, Statement

IBAN = "NL83CITI0193535965"  # a valid IBAN (schwifty agrees)


def day(n: int) -> date:
    """Day n of January 2025 (n may exceed 31: it counts on)."""
    return date(2025, 1, 1) + timedelta(days=n - 1)


def entry(minor: int, booked: date, value: date | None = None, code: str = "") -> Entry:
    return Entry(minor, booked, value or booked, code)


def stmt(
    start: date,
    end: date,
    opening: int,
    entries: Sequence[Entry] = (),
    closing: int | None = None,
    *,
    account: str = IBAN,
    currency: str = "EUR",
    file: str = "a.stmt",
    where: str = "statement 1",
    closings: Sequence[tuple[date, int]] = (),
) -> Statement:
    """A statement; its closing, unless given, is what the entries give."""
    total = opening + sum(e.minor for e in entries) if closing is None else closing
    return Statement(
        file,
        where,
        "fake",
        account,
        currency,
        start,
        end,
        opening,
        total,
        tuple(entries),
        tuple(closings),
    )


def of(*statements: Statement, problems: Iterable[Problem] = ()) -> Statements:
    return Statements((), tuple(problems), statements)


def _record(s: Statement) -> dict[str, object]:
    return {
        "account": s.account,
        "currency": s.currency,
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "opening": s.opening,
        "closing": s.closing,
        "entries": [
            [e.minor, e.booked.isoformat(), e.value.isoformat(), e.code] for e in s.entries
        ],
    }


def write_statements(path: Path, statements: Sequence[Statement]) -> Path:
    """Write statements as one `.stmt` file (JSON) the fake reader reads back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([_record(s) for s in statements]), encoding="utf-8")
    return path


class FakeReader:
    """A fake format: `.stmt` files holding a JSON list of statements."""

    name = "fake-json"

    def identify(self, path: Path) -> bool:
        return path.suffix == ".stmt"

    def extract(self, path: Path) -> Statements:
        out = []
        for n, r in enumerate(json.loads(path.read_text(encoding="utf-8")), 1):
            entries = tuple(
                Entry(m, date.fromisoformat(b), date.fromisoformat(v), c, "", "")
                for m, b, v, c in r["entries"]
            )
            out.append(
                Statement(
                    str(path),
                    f"statement {n}",
                    self.name,
                    r["account"],
                    r["currency"],
                    date.fromisoformat(r["start"]),
                    date.fromisoformat(r["end"]),
                    r["opening"],
                    r["closing"],
                    entries,
                )
            )
        return Statements((), (), tuple(out))
