"""Bank statements: readers that identify a statement file and extract its closing balances.

Modelled on beangulp's importer protocol: each reader says whether it `identify`s a file
and `extract`s what the file holds. Problems are data, located like the case loader's:
`read_statements` never raises for bad content. Readers for camt.053, MT940 and BAI2 go
into `READERS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

import attrs

from cashmgmt.errors import Problem, StatementError
from cashmgmt.inputs.statements.bai2 import BAI2Reader
from cashmgmt.inputs.statements.mt940 import MT940Reader
from cashmgmt.inputs.statements.records import Entry, Statement, minor_amount

__all__ = [
    "READERS",
    "Entry",
    "Statement",
    "StatementBalance",
    "StatementReader",
    "Statements",
    "minor_amount",
    "read_statements",
]


@attrs.frozen
class StatementBalance:
    """The closing balance of one account on one day, in minor units of its currency."""

    account: str
    day: date
    currency: str
    minor: int


@attrs.frozen
class Statements:
    """What statements yielded: closing balances, the statements themselves (balances and
    entries, records.Statement) and the problems found reading them."""

    balances: tuple[StatementBalance, ...] = ()
    problems: tuple[Problem, ...] = ()
    statements: tuple[Statement, ...] = ()


class StatementReader(Protocol):
    """Reads the statements of one format."""

    @property
    def name(self) -> str:
        """The format, for messages: `camt.053`."""
        ...

    def identify(self, path: Path) -> bool:
        """Whether `path` is a statement in this reader's format (a quick look)."""
        ...

    def extract(self, path: Path) -> Statements:
        """The balances in `path` and the problems found (located: file, place, what was
        expected); StatementError if the file cannot be read at all."""
        ...


# The readers import Statements from this module, so they come after it.
from cashmgmt.inputs.statements.camt import CamtReader  # noqa: E402

#: The known statement readers, tried in order.
READERS: tuple[StatementReader, ...] = (CamtReader(), MT940Reader(), BAI2Reader())


def read_statements(
    paths: Iterable[str | Path], readers: Sequence[StatementReader] = READERS
) -> Statements:
    """Extract each file with the first reader that identifies it. A file that is not there,
    that no reader identifies or that its reader cannot read at all is a problem."""
    balances: list[StatementBalance] = []
    problems: list[Problem] = []
    statements: list[Statement] = []
    known = ", ".join(reader.name for reader in readers) or "none yet"
    for path in map(Path, paths):
        if not path.is_file():
            problems.append(Problem(str(path), "", "no such file; expected a bank statement"))
            continue
        reader = next((reader for reader in readers if reader.identify(path)), None)
        if reader is None:
            message = f"expected a bank statement in a known format ({known})"
            problems.append(Problem(str(path), "", message))
            continue
        try:
            found = reader.extract(path)
        except StatementError as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(Problem(str(path), "", f"cannot be read ({exc.strerror})"))
            continue
        balances += found.balances
        problems += found.problems
        statements += found.statements
    return Statements(tuple(balances), tuple(problems), tuple(statements))
