"""What a bank statement holds, whatever its format: one account's opening and closing
booked balances over a run of days and the entries booked between them.

Every reader (camt.053/camt.052, MT940, BAI2) turns its files into these records; the checks
(do the entries add up, does each statement continue the previous one) and the review phase
work on them alone, so they never look at a format again.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs

from cashmgmt.errors import Problem
from cashmgmt.money import MAX_MINOR, exponent, fits_minor, is_currency, to_minor


@attrs.frozen
class Entry:
    """One booked entry: `minor` in the statement's currency's minor units, credits positive
    and debits negative.

    `code` is the bank transaction code as the format writes it: ISO 20022 `Domain/Family/
    SubFamily` (`PMNT/RCDT/ESCT`, `CAMT/ACCB/ZABA`) or a proprietary code as `PRTRY:<code>`,
    a BAI2 type code (`275`), an MT940 transaction type (`NTRF`, `NSWP`). `reference` is the
    bank's or customer's reference as given; `where` locates the entry for problems.
    """

    minor: int
    booked: date
    value: date
    code: str = ""
    reference: str = ""
    where: str = ""


@attrs.frozen
class Statement:
    """One statement of one account, covering the calendar days `start` to `end`.

    `opening` is the booked balance at the start of `start` (the previous day's closing),
    `closing` the booked balance at the end of `end`, both in minor units. `closings` holds
    the day-end balances the statement states for days inside its run, where the format
    gives them (BAI2 per day, camt intermediate balances): the checks compare them with
    what the entries give.
    """

    file: str
    where: str  # the statement within the file: `statement 'STMT-0701' (line 12)`
    format: str  # `camt.053.001.08`, `MT940`, `BAI2`
    account: str  # IBAN or account number, as written
    currency: str
    start: date
    end: date
    opening: int
    closing: int
    entries: tuple[Entry, ...] = ()
    closings: tuple[tuple[date, int], ...] = ()

    def days(self) -> list[date]:
        """Every calendar day the statement covers."""
        return [self.start + timedelta(days=d) for d in range((self.end - self.start).days + 1)]

    def day_closings(self) -> list[tuple[date, int]]:
        """The closing booked balance of every day covered: the opening plus the entries
        booked up to that day."""
        moved: dict[date, int] = {}
        for entry in self.entries:
            moved[entry.booked] = moved.get(entry.booked, 0) + entry.minor
        out: list[tuple[date, int]] = []
        balance = self.opening
        for day in self.days():
            balance += moved.get(day, 0)
            out.append((day, balance))
        return out


def minor_amount(
    amount: Decimal, currency: str, file: str, where: str
) -> tuple[int | None, Problem | None]:
    """An amount as written in a statement, in minor units of `currency`; a problem, located
    at `where`, when the currency is unknown or the amount is finer than its minor unit."""
    if not is_currency(currency):
        return None, Problem(file, where, f"expected an ISO 4217 currency code, not {currency!r}")
    if not amount.is_finite():
        return None, Problem(file, where, "expected an amount, not an infinite or missing number")
    if abs(amount.scaleb(exponent(currency))) > MAX_MINOR:
        message = f"expected an amount of at most {MAX_MINOR} minor units of {currency}"
        return None, Problem(file, where, message)
    if not fits_minor(amount, currency):
        places = exponent(currency)
        message = (
            f"the amount {amount} is finer than {currency}'s minor unit "
            f"(expected at most {places} decimal places)"
        )
        return None, Problem(file, where, message)
    return to_minor(amount, currency), None
