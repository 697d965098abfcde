"""The bank transaction codes that mark sweeps and interest in each statement format.

A bank books every transfer its liquidity system makes with a code of its own family, so
the review can tell the structure's sweeps from the group's own payments and reverse them
(docs/review.md, "Codes"). Sources, read 2026-11-30:

- ISO 20022 Bank Transaction Codes (External Code Sets, `ExternalBankTransactionDomain1Code`,
  `...Family1Code`, `...SubFamily1Code`, iso20022.org "External Code Sets"): domain CAMT
  (Cash Management), family ACCB (Account Balancing), sub-families ZABA (Zero Balancing),
  SWEP (Sweeping), TOPG (Topping); ACMT/MCOP/INTR and ACMT/MDOP/INTR (Account Management,
  Miscellaneous Credit / Debit Operations, Interests); PMNT/RCDT/ESCT and PMNT/ICDT/ESCT
  (received / issued SEPA credit transfer; N26's PSD2 documentation lists both,
  n26/psd2-tpp-docs doc/assets/openapi/additional_api_spec.md).
- BAI2 type codes (BAI "Cash Management Balance Reporting Specifications" version 2, 2005;
  the table in kudoo-cloud/banking src/bai/src/typeCode.ts): 275 ZBA Credit, 575 ZBA Debit,
  354 Interest Credit, 654 Interest Debit, 195 Incoming Money Transfer, 495 Outgoing Money
  Transfer.
- SWIFT MT940 field 61 transaction type identification codes (SWIFT MT Category 9 Message
  Reference Guide, field 61 subfield 6; the list as the python `mt-940` package ships it):
  CMZ Cash management item - Zero balancing, CMS - Sweeping, CMT - Topping, INT Interest,
  TRF Transfer; a code is written after `N` (or `S`/`F`), so NCMZ.

Fee entries (the bank's charges for the structure, docs/review.md "Fees"), read 2026-11-30:

- ISO 20022 External Code Sets, Bank Transaction Codes: family MDOP (Miscellaneous Debit
  Operations) sub-families CHRG (Charges) and FEES (Fees), in domain ACMT (Account
  Management) and PMNT (Payments); N26's PSD2 documentation books its own fees as
  PMNT-MDOP-FEES (n26/psd2-tpp-docs), and the German DK mapping pairs ACMT-MDOP-CHRG with
  MT940 NCHG.
- BAI2 type codes (BAI2 specification, 2005; as the python `bai2` package tables them,
  bai2/constants.py): 661 Account Analysis Fee, 698 Miscellaneous Fees.
- SWIFT MT940 field 61 subfield 6: CHG Charges and other expenses (NCHG).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

SWEEP_KINDS = ("zero-balance", "sweep", "top")


@attrs.frozen
class CodeSet:
    """How one format codes what the review reads: per kind of sweep the (credit, debit)
    codes an account's entry carries, interest (credit, debit), the group's own receipts
    and payments, and references that mark a sweep whatever its code (MT940)."""

    format: str
    zero_balance: tuple[str, str]
    sweep: tuple[str, str]
    top: tuple[str, str]
    interest: tuple[str, str]
    receipt: str
    payment: str
    references: tuple[str, ...] = ()
    #: More codes that mark a sweep (a case's own MT940 codes).
    extra: tuple[str, ...] = ()
    #: Codes that mark the bank's fees and charges; the first is the one `simulated_statements`
    #: writes.
    fees: tuple[str, ...] = ()

    def sweep_code(self, kind: str, minor: int) -> str:
        """The code of a sweep entry of `kind` (SWEEP_KINDS) crediting (`minor` > 0) or
        debiting the account."""
        pair = {"zero-balance": self.zero_balance, "sweep": self.sweep, "top": self.top}[kind]
        return pair[0] if minor > 0 else pair[1]

    @property
    def sweep_codes(self) -> frozenset[str]:
        """Every code that marks a sweep."""
        return frozenset(
            c.strip().upper() for c in (*self.zero_balance, *self.sweep, *self.top, *self.extra)
        )

    @property
    def interest_codes(self) -> frozenset[str]:
        """Every code that marks posted interest."""
        return frozenset(self.interest)

    def is_sweep(self, code: str, reference: str) -> bool:
        """Whether an entry with this code and reference is one of the structure's sweeps."""
        return _matches(code, self.sweep_codes) or any(
            reference.upper().startswith(r.upper()) for r in self.references if r
        )

    def is_interest(self, code: str) -> bool:
        """Whether an entry with this code is posted interest."""
        return _matches(code, self.interest_codes)

    def is_fee(self, code: str) -> bool:
        """Whether an entry with this code is a fee or charge the bank booked."""
        return _matches(code, frozenset(self.fees))


def _matches(code: str, codes: frozenset[str]) -> bool:
    """`code` is one of `codes`; an MT940 type code matches with any first letter (N, S, F)
    when `codes` gives it as three letters (CMZ)."""
    found = code.strip().upper()
    return found in codes or (len(found) == 4 and found[1:] in codes)


#: ISO 20022 camt.053 / camt.052 (the reader writes `Domain/Family/SubFamily`).
CAMT = CodeSet(
    format="camt.053.001.08",
    zero_balance=("CAMT/ACCB/ZABA", "CAMT/ACCB/ZABA"),
    sweep=("CAMT/ACCB/SWEP", "CAMT/ACCB/SWEP"),
    top=("CAMT/ACCB/TOPG", "CAMT/ACCB/TOPG"),
    interest=("ACMT/MCOP/INTR", "ACMT/MDOP/INTR"),
    receipt="PMNT/RCDT/ESCT",
    payment="PMNT/ICDT/ESCT",
    fees=("ACMT/MDOP/CHRG", "ACMT/MDOP/FEES", "PMNT/MDOP/FEES"),
)

#: BAI2 (type codes; BAI2 has one ZBA pair for every kind of sweep).
BAI2 = CodeSet(
    format="BAI2",
    zero_balance=("275", "575"),
    sweep=("275", "575"),
    top=("275", "575"),
    interest=("354", "654"),
    receipt="195",
    payment="495",
    fees=("698", "661"),
)

#: SWIFT MT940, as a bank codes it by default; a case's `statement_codes: mt940:` replaces
#: the sweep codes and adds references (docs/case-format.md).
MT940 = CodeSet(
    format="MT940",
    zero_balance=("NCMZ", "NCMZ"),
    sweep=("NCMS", "NCMS"),
    top=("NCMT", "NCMT"),
    interest=("NINT", "NINT"),
    receipt="NTRF",
    payment="NTRF",
    fees=("NCHG", "CHG"),
)

#: The code sets by name: the formats `simulated_statements` writes and the review reads.
CODE_SETS: dict[str, CodeSet] = {"camt": CAMT, "BAI2": BAI2, "MT940": MT940}


def mt940_codes(sweeps: Sequence[str] = (), references: Sequence[str] = ()) -> CodeSet:
    """MT940's code set with the sweep codes and references a case states (none: SWIFT's
    CMZ, CMS and CMT); a stated code marks a sweep beside SWIFT's own."""
    return attrs.evolve(MT940, extra=tuple(sweeps), references=tuple(references))


def code_set_for(format: str, mt940: CodeSet = MT940) -> CodeSet | None:
    """The code set of a statement's `format` (`camt.053.001.08`, `MT940`, `BAI2`); None for
    a format the review does not know."""
    name = format.strip().lower()
    if name.startswith("camt"):
        return CAMT
    if name.startswith("bai"):
        return BAI2
    if name.startswith("mt94"):
        return mt940
    return None
