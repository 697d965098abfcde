"""Statement files as a group's banks send them, from daily statements (docs/review.md,
"Statement files").

`cycle.actuals.simulated_statements` gives one statement per account and calendar day. A bank
sends fewer: a camt.053 for the month, an MT940 on each working day covering the days since
the last one (its `:60F:` dated the previous statement's closing day), a BAI2 report for each
working day only. `join` and `runs` turn the daily statements into those, `for_mt940` fits
their references into MT940's 16 characters, and `write_statements` writes them in a format.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime

import attrs

from cashmgmt.inputs.statements.bai2 import write_bai2
from cashmgmt.inputs.statements.camt_write import write_camt053
from cashmgmt.inputs.statements.mt940 import write_mt940
from cashmgmt.inputs.statements.records import Statement

#: The formats `write_statements` writes, with the file name extension used for each.
EXTENSIONS = {"camt": "xml", "MT940": "sta", "BAI2": "bai2"}


def join(statements: Sequence[Statement]) -> Statement:
    """Consecutive statements of one account as one: the first's opening and start, the
    last's closing and end, every entry in order. ValueError when they are not consecutive
    (a day missing or repeated, an opening that is not the previous closing) or not of one
    account and currency."""
    if not statements:
        raise ValueError("expected at least one statement to join")
    first = statements[0]
    for before, after in itertools.pairwise(statements):
        if (after.account, after.currency) != (first.account, first.currency):
            raise ValueError(f"{after.where}: another account or currency than {first.where}")
        if (after.start - before.end).days != 1 or after.opening != before.closing:
            raise ValueError(f"{after.where}: does not continue {before.where}")
    last = statements[-1]
    where = f"statement {first.account} {first.start.isoformat()}..{last.end.isoformat()}"
    return attrs.evolve(
        first,
        where=where,
        end=last.end,
        closing=last.closing,
        entries=tuple(e for s in statements for e in s.entries),
        closings=(),
    )


def runs(
    statements: Sequence[Statement], closes: Callable[[Statement], bool]
) -> tuple[Statement, ...]:
    """Each account's consecutive statements (in the order given) joined into runs, a run
    ending with each statement `closes` accepts and with the account's last one."""
    by_account: dict[tuple[str, str], list[Statement]] = {}
    for statement in statements:
        by_account.setdefault((statement.account, statement.currency), []).append(statement)
    out: list[Statement] = []
    for mine in by_account.values():
        pending: list[Statement] = []
        for statement in mine:
            pending.append(statement)
            if closes(statement):
                out.append(join(pending))
                pending = []
        if pending:
            out.append(join(pending))
    return tuple(out)


def reported(
    statements: Sequence[Statement], reports: Callable[[Statement], bool]
) -> tuple[Statement, ...]:
    """The statements a bank that reports only on some days sends (BAI2: one report per
    working day): those `reports` accepts and every one with entries. ValueError when a
    statement left out is not an empty one (its closing differs from its opening)."""
    out = []
    for statement in statements:
        if statement.entries or reports(statement):
            out.append(statement)
        elif statement.closing != statement.opening:
            raise ValueError(f"{statement.where}: moves without entries; it must be reported")
    return tuple(out)


#: MT940 references (field 61 subfield 8, 16x) for the references simulated statements write.
_MT940_REFERENCES = (
    ("OWN FLOW", ""),
    ("SWEEP TO ", "SWEEP HEADER"),
    ("SWEEP FROM ", "SWEEP MEMBER"),
    ("OVERDRAFT INTEREST", "OD INTEREST"),
)


def mt940_reference(reference: str) -> str:
    """A reference that MT940 can carry (at most 16 characters, no `//`): simulated
    statements' own references shortened (`SWEEP TO 6222 0001`, the entry with the header,
    → `SWEEP HEADER`; `SWEEP FROM …` → `SWEEP MEMBER`; `OWN FLOW` → none), any other cut
    to 16 characters."""
    for prefix, short in _MT940_REFERENCES:
        if reference.startswith(prefix):
            return short
    return reference.replace("//", "/")[:16].strip()


def for_mt940(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements with every reference fitted to MT940 (`mt940_reference`)."""
    return tuple(
        attrs.evolve(
            s,
            entries=tuple(
                attrs.evolve(e, reference=mt940_reference(e.reference)) for e in s.entries
            ),
        )
        for s in statements
    )


def write_statements(
    statements: Sequence[Statement],
    format: str,
    *,
    created: datetime,
    name: str,
    sender: str = "BANK",
) -> bytes:
    """One file of `statements` in `format` (`camt`: camt.053.001.08, `MT940`, `BAI2`),
    as bytes; `name` becomes the camt message id and the BAI2 file id (at most 35
    characters), `sender` the BAI2 sender. ValueError for a format not in EXTENSIONS."""
    if format == "camt":
        return write_camt053(statements, message_id=name, created=created)
    if format == "MT940":
        return write_mt940(for_mt940(statements)).encode("ascii")
    if format == "BAI2":
        text = write_bai2(
            statements, sender=sender, receiver="CLIENT", created=created, file_id=name
        )
        return text.encode("ascii")
    raise ValueError(f"expected a format of {', '.join(EXTENSIONS)}, not {format!r}")


def month_end(day: date) -> bool:
    """Whether `day` is the last day of its month."""
    return day.month != date.fromordinal(day.toordinal() + 1).month
