"""A case's row from its assessment and design: segment, solution, products, the benefit in
the case's currency and in USD, the bank's side per year in USD, approvals and readiness."""

from __future__ import annotations

from decimal import Decimal

from cashmgmt.cycle.assess import Assessment
from cashmgmt.cycle.design import Design
from cashmgmt.cycle.materiality import case_per_usd
from cashmgmt.errors import AssessmentError, Problem
from cashmgmt.model import Case
from cashmgmt.money import round_money
from cashmgmt.portfolio.rows import CaseRow
from cashmgmt.reference.rates import reference_usd_rates


def usd_rate(case: Case) -> Decimal:
    """Units of the case's base currency per USD at the stated reference rates (the shipped
    table, the same for every case of a book, so a book adds up); a currency the table lacks
    takes the case's own FX table's rate on the history's last day. AssessmentError if
    neither can say."""
    code = case.base_currency
    rate = reference_usd_rates().rate(code) if code != "USD" else Decimal(1)
    if rate is None:
        rate = case_per_usd(case)
    if rate is None or rate <= 0:
        table = reference_usd_rates()
        message = (
            f"expected a USD rate for {code}: the reference rate table of {table.date} has "
            "none; add a USD rate to the case's FX table (fx_rates)"
        )
        raise AssessmentError([Problem(case.source or "case", "base_currency", message)])
    return rate


def in_usd(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount of the case's currency in USD at `rate` (units per USD), to the cent, half
    away from zero."""
    return round_money(amount / rate, "USD")


def readiness(design: Design, approvals: tuple[str, ...]) -> str:
    """ready (a solution that needs no approval), needs approvals, or nothing to propose."""
    if not design.members:
        return "nothing to propose"
    return "needs approvals" if approvals else "ready"


def case_row(name: str, key: str, case: Case, assessment: Assessment, design: Design) -> CaseRow:
    """The row of a case that ran: figures per year, exact Decimals."""
    rate = usd_rate(case)
    result = design.result
    benefit = result.benefit_annual if result is not None else Decimal(0)
    bank = result.bank.total if result is not None and result.bank is not None else Decimal(0)
    approvals = tuple(sorted({c for m in design.members for c in m.approvals}))
    return CaseRow(
        case=name,
        status="ok",
        key=key,
        client=case.client.name,
        segment=assessment.segment,
        country=case.client.country,
        currency=case.base_currency,
        accounts=len(case.accounts),
        solution=tuple(m.structure.name for m in design.members),
        products=tuple(item.product for item in design.bundle),
        solution_benefit_annual=benefit,
        solution_benefit_annual_usd=in_usd(benefit, rate),
        bank_value_annual_usd=in_usd(bank, rate),
        usd_rate=rate,
        approvals=approvals,
        readiness=readiness(design, approvals),
    )
