"""What the commands print without --json: short aligned text for a person at a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cashmgmt.errors import plural
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment
    from cashmgmt.cycle.celebrate import Success
    from cashmgmt.cycle.design import Design
    from cashmgmt.cycle.execute import Plan
    from cashmgmt.cycle.pipeline import CycleResult
    from cashmgmt.cycle.review import Review
    from cashmgmt.engine.results import SimulationResult
    from cashmgmt.inputs.statements.checks import Checked
    from cashmgmt.model import Case
    from cashmgmt.summary import CaseSummary


def summary(s: CaseSummary) -> None:
    """`check`: what the case holds, a line per fact."""
    name = f"{s.client} ({s.local_name})" if s.local_name else s.client
    rows = [
        (
            "entities",
            f"{s.entities} in {plural(len(s.countries), 'country')} ({', '.join(s.countries)})",
        ),
        ("accounts", f"{s.accounts} at {plural(len(s.banks), 'bank')}"),
        ("currencies", ", ".join(f"{code} {n}" for code, n in s.currencies)),
        ("base", s.base_currency),
        ("banks", "; ".join(f"{bank} {n}" for bank, n in s.banks)),
        ("balances", f"{s.start} to {s.end} ({s.days} days)"),
        ("language", s.language),
    ]
    rows += [
        ("structure", f"{st.id}: {st.kind}, {st.accounts} accounts, {st.name}")
        for st in s.structures
    ]
    click.echo(f"{name}: case OK")
    for label, value in rows:
        click.echo(f"  {label:<11}{value}")


def simulation(r: SimulationResult) -> None:
    """`simulate`: the status quo beside the structure."""
    c = r.currency

    def row(label: str, before: object, after: object) -> None:
        def cell(v: object) -> str:
            return "" if v == "" else (f"{v:,} {c}" if not isinstance(v, int) else str(v))

        click.echo(f"  {label:<24}{cell(before):>22}{cell(after):>22}")

    click.echo(f"{r.name} ({r.structure_id}, {r.kind}): {r.start} to {r.end}, {r.days} days")
    click.echo(f"  {'':<24}{'status quo':>22}{'with structure':>22}")
    row("interest received", r.baseline.credit, r.structure.credit)
    row("interest paid", -r.baseline.debit, -r.structure.debit)
    row("penalty interest paid", -r.baseline.penalty, -r.structure.penalty)
    row("net interest", r.baseline.net, r.structure.net)
    row("peak debit", r.baseline_liquidity.peak_debit, r.structure_liquidity.peak_debit)
    row(
        "average idle credit",
        r.baseline_liquidity.average_idle_credit,
        r.structure_liquidity.average_idle_credit,
    )
    row(
        "days with an overdraft",
        r.baseline_liquidity.overdraft_days,
        r.structure_liquidity.overdraft_days,
    )
    row(f"fees ({r.fees.sweeps} sweeps)", "", -r.fees.total)
    if r.tax.entities:
        row("intercompany tax", "", -r.tax.total)
    row("benefit for the period", "", r.benefit)
    if r.days >= MIN_HISTORY_DAYS:
        row("benefit per year", "", r.benefit_annual)
    else:  # a year is not 365 copies of a few days: design refuses to rank on it
        click.echo(
            f"  benefit per year: not shown, {r.days} days are fewer than {MIN_HISTORY_DAYS}"
        )
    if r.fees.setup:
        click.echo(f"  set-up fee spread over {r.fees.contract_months} months in the yearly figure")
    for shift in r.sensitivity:
        click.echo(
            f"  benefit per year, rates {shift.shift_bp:+d} bp: {shift.benefit_annual:,} {c}"
        )
    if r.bank is not None:
        b = r.bank
        click.echo(f"  at {b.bank}, per year (for the RM, not for the client):")
        click.echo(f"    interest earned less paid: {b.interest_change:,} {c}")
        click.echo(f"    fee income:                {b.fee_income:,} {c}")
        click.echo(f"    value of funding (FTP):    {b.funding_value:,} {c}")
        click.echo(f"    total:                     {b.total:,} {c}")
    if r.intercompany:
        click.echo("  intercompany positions at the end:")
        for p in r.intercompany:
            click.echo(
                f"    {p.lender} lends {p.borrower} {p.closing_position_local:,} {p.currency} "
                f"(peak {p.peak_local:,}), interest {p.interest:,} {c}"
            )


def assessment(result: Assessment) -> None:
    """`assess`: segment, coverage, diagnostics and needs."""
    c, d = result.coverage, result.diagnostics
    click.echo(
        f"{result.client}: {c.segment} client (revenue {c.revenue_usd:,} USD at "
        f"{c.usd_rate} per USD, {c.rate_source})"
    )
    click.echo(f"  coverage   {c.team}; {c.channel}")
    click.echo(
        f"  group      {plural(d.entities, 'entity')}, {plural(d.accounts, 'account')}, "
        f"{plural(d.banks, 'bank')}, {', '.join(d.currencies)}, {', '.join(d.countries)}"
    )
    code = d.currency
    for label, value in (
        ("average credit", d.average_credit),
        ("idle outside top", d.average_idle_credit),
        ("average debit", d.average_debit),
        ("peak debit", d.peak_debit),
        ("debit interest/yr", d.debit_interest_per_year),
        ("netting gap/yr", d.netting_gap_per_year),
        ("  multi-bank", d.netting_gap_multi_bank_per_year),
        ("  multi-currency", d.netting_gap_multi_currency_per_year),
        ("restricted cash", d.restricted_cash.average_credit),
        ("facilities drawn", d.facilities.average_drawn),
        ("facility int./yr", d.facilities.interest_per_year),
        ("trapped abroad", d.average_trapped_credit),
    ):
        click.echo(f"  {label:<18}{value:>22,} {code}")
    click.echo(
        "  (netting gap: what a pool per currency at each bank could close; "
        "across banks / currencies: a sweep per currency, a multi-currency pool)"
    )
    if d.share_at_bank is not None:
        click.echo(
            f"  at {d.proposing_bank}: {d.share_at_bank:.1%} of balances; "
            f"{plural(d.accounts_elsewhere, 'account')} elsewhere"
        )
    click.echo("  needs:")
    for need in result.needs:
        click.echo(f"    {need.area:<22}{need.score:>4}  {need.reason}")


def design(result: Design, loaded: Case) -> None:
    """`design`: the candidates, the recommendation and the bundle."""
    code = loaded.base_currency
    click.echo(
        f"{len(result.candidates)} candidates for {loaded.client.name} (benefit per year, {code}):"
    )
    together = result.solution.structures if result.solution is not None else ()
    for c in result.candidates:
        mark = "*" if c.id == result.recommended else "+" if c.id in together else " "
        figure = f"{c.benefit_annual:>16,}" if c.benefit_annual is not None else f"{'-':>16}"
        state = "" if c.feasible else "  INFEASIBLE"
        approvals = f"  approval: {', '.join(c.approvals)}" if c.approvals else ""
        click.echo(f" {mark} {c.id:<28}{c.structure.kind:<10}{figure}{state}{approvals}")
        if not c.feasible:
            for reason in c.reasons:
                click.echo(f"      {reason}")
    if result.solution is not None and together:
        click.echo(
            f"solution: {', '.join(together)} "
            f"({result.solution.benefit_annual:,} {code} a year together)"
        )
    click.echo(f"recommended: {result.recommended or 'none'}")
    for reason in result.reasons:
        click.echo(f"  {reason}")
    click.echo("bundle: " + ", ".join(b.product for b in result.bundle))
    click.echo("channels: " + ", ".join(result.channels))


def plan(p: Plan) -> None:
    """`plan`: the tasks in order, with their owners and dates."""
    click.echo(f"plan for {p.structure or 'no structure'}: {p.start} to {p.end}")
    click.echo(f"  go-live: {p.go_live}")
    if p.documents:
        click.echo("  documents: " + ", ".join(p.documents))
    if p.approvals:
        click.echo("  approvals: " + ", ".join(p.approvals))
    for t in p.tasks:
        click.echo(f"  {t.start} to {t.end}  {t.id:<36}{t.workstream:<18}{t.owner:<7}{t.team}")


def success(s: Success | None, code: str) -> None:
    """`celebrate`: the expected (simulated) figures of the recommended structure."""
    if s is None:
        click.echo("no structure was recommended: nothing to celebrate yet")
        return
    click.echo(f"{s.structure}: benefit per year {s.benefit_annual:,} {code}")
    click.echo(f"  interest gained over {s.days} days  {s.interest_gain:,} {code}")
    click.echo(f"  fees                          {s.fees:,} {code}")
    click.echo(
        f"  days with an overdraft        {s.overdraft_days_before} -> {s.overdraft_days_after}"
    )
    click.echo(f"  peak debit                    {s.peak_debit_before:,} -> {s.peak_debit_after:,}")


def cycle(r: CycleResult) -> None:
    """`cycle`: each phase's text in turn."""
    assessment(r.assessment)
    design(r.design, r.case)
    plan(r.plan)
    success(r.success, r.case.base_currency)


def review(r: Review) -> None:
    """`review`: realised against the status quo, the projection and the promise."""
    c = r.currency
    click.echo(f"Review of {r.structure}: {r.start} to {r.end}, {r.days} days")
    for label, value in (
        ("realised net interest", r.net_interest),
        ("status quo net interest", r.status_quo),
        (f"fees (from the {r.fees_from})", -r.fees.total),
        ("intercompany tax", -r.tax.total),
        ("realised benefit", r.benefit),
        ("projected benefit", r.projected.benefit),
        ("promised benefit", r.promised),
    ):
        click.echo(f"  {label:<26}{f'{value:,} {c}':>24}")
    click.echo("  variance (realised - promised)")
    for v in r.variance:
        click.echo(f"    {v.cause:<24}{f'{v.amount:,} {c}':>24}")
    click.echo(f"  {'':<26}{'before':>18}{'after':>18}")
    for k in r.kpis:
        before = "" if k.before is None else f"{k.before:,}"
        after = "" if k.after is None else f"{k.after:,}"
        click.echo(f"  {k.name:<26}{before:>18}{after:>18}")


def statements(c: Checked) -> None:
    """`statements`: a line per account read, its days and its last closing balance."""
    from cashmgmt.money import from_minor

    if not c.accounts:
        click.echo("no statements read")
    for a in c.accounts:
        first, last = a.days[0], a.days[-1]
        closing = f"{from_minor(last.minor, a.currency):,} {a.currency}"
        matched = f"  case account {a.case_account}" if a.case_account else ""
        click.echo(
            f"{a.account:<34} {a.currency}  {first.day} to {last.day}  "
            f"{plural(len(a.days), 'day'):>9}  {plural(len(a.entries), 'entry'):>11}  "
            f"closing {closing}{matched}"
        )
