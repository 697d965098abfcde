"""The review report: what the structure really earned after go-live (cycle/review.py),
rendered to HTML and PDF for the client's CFO in the proposal's house style.

The context carries every figure the template shows, computed here or taken from the
`Review`: the template formats and translates, it does no arithmetic. Nothing for the bank
alone appears (no bank-side economics, no candidate codes): the structure is named as the
proposal names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from markupsafe import Markup

from cashmgmt.cycle.codes import BAI2, CAMT, CodeSet
from cashmgmt.cycle.design import Candidate
from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.cycle.review import Review, case_mt940
from cashmgmt.model import Case
from cashmgmt.money import annualise, from_minor, to_minor
from cashmgmt.render import charts
from cashmgmt.render.bankprofile import bank_view
from cashmgmt.render.content import minority_owned
from cashmgmt.render.environment import Gettext, environment, make_gettext
from cashmgmt.render.i18n import Formatter, check_language
from cashmgmt.render.labels import N_, candidate_labels, client_name
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.proposal import _entity_names, _page_footer, fmt_list
from cashmgmt.render.theme import Theme
from cashmgmt.render.typeset import finish

#: The variance's causes in the order the report adds them up from the promise, each with
#: its name and one plain sentence defining it (docs/review.md, "Variance").
VARIANCE_NAMES = {
    "volumes": N_("Volumes"),
    "structure": N_("Structure"),
    "rates": N_("Rates"),
}
VARIANCE_DEFINITIONS = {
    "volumes": N_(
        "Your balances after go-live differed from the history the proposal was simulated "
        "on: the structure, run as designed on your actual flows, earns this much more or "
        "less than promised."
    ),
    "structure": N_(
        "The structure ran otherwise than designed on the same flows: other transfers, "
        "missed or extra sweeps, and their fees and tax."
    ),
    "rates": N_(
        "The banks credited or charged interest at other rates than the terms the proposal "
        "assumed (nothing where the statements post no interest)."
    ),
}
#: The KPIs of the review by name (cycle/review.py `_kpis`), with how each is shown.
KPI_NAMES = {
    "idle_cash": N_("Average idle credit outside the header accounts"),
    "overdraft_days": N_("Days with an overdraft"),
    "overdraft_cost": N_("Overdraft interest paid"),
    "limit_breach_days": N_("Days beyond an overdraft limit"),
    "visibility": N_("Share of credit balances held with us"),
}
KPI_KINDS = {
    "idle_cash": "money",
    "overdraft_days": "count",
    "overdraft_cost": "money",
    "limit_breach_days": "count",
    "visibility": "share",
}
#: The entities the per-entity chart shows at most (the table lists every one).
ENTITIES_CHARTED = 15
#: Beyond this many entities, their table opens a page of its own (it no longer fits
#: under the variance chapter, and its heading would be left alone at a page foot).
ENTITIES_ON_A_SHARED_PAGE = 12


@attrs.frozen
class ReviewReport:
    """A review ready to render as the client's review report, in one language: the cycle
    (the case, the design the proposal recommended, its promise) and the review's result."""

    cycle: CycleResult
    review: Review
    language: str
    theme: Theme
    #: The report's date (default: the day after the period reviewed ends).
    on: date | None = None

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    @property
    def dated(self) -> date:
        """The date the report carries."""
        return self.on or date.fromordinal(self.review.end.toordinal() + 1)

    def html(self) -> str:
        """The report as one self-contained HTML document."""
        case = self.cycle.case
        template = environment(self.language, case.client.country).get_template("review.html")
        return finish(template.render(**self.context()), self.theme.logo)

    def pdf(self) -> bytes:
        """The report as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)

    def context(self) -> dict[str, Any]:
        """Everything the template shows, by the name it uses."""
        return _context(self)


@attrs.frozen
class EntityLine:
    """One entity's realised benefit over the period, all in, in the base currency."""

    id: str
    name: str
    minority: bool
    bank_interest: Decimal  # realised net interest - status quo net interest
    intercompany: Decimal  # received > 0
    tax: Decimal  # borne, as a negative amount
    all_in: Decimal
    projected: Decimal  # the projection's all-in change on the same balances


def reviewed_candidates(cycle: CycleResult, review: Review) -> list[Candidate]:
    """The design's candidates the review is about: the solution's structures for
    `solution`, else the case's structures by id (in the review's order)."""
    d = cycle.design
    if review.structure == "solution" and "solution" not in {s.id for s in cycle.case.structures}:
        return list(d.members)
    by_id = {c.id: c for c in d.candidates}
    return [by_id[i] for i in review.structure.split("+") if i in by_id]


def promised_per_year(cycle: CycleResult, review: Review) -> Decimal | None:
    """What the proposal promised per year for the structures reviewed: the design's
    solution's benefit per year, or the one structure's; None when the design has none."""
    chosen = reviewed_candidates(cycle, review)
    members = {c.id for c in cycle.design.members}
    if chosen and {c.id for c in chosen} == members and cycle.design.result is not None:
        return cycle.design.result.benefit_annual
    if len(chosen) == 1 and chosen[0].benefit_annual is not None:
        return chosen[0].benefit_annual
    return None


def realised_per_year(review: Review) -> Decimal:
    """The realised benefit per year, annualised as the proposal's benefit per year is
    (money.annualise: the set-up fee spread over the contract)."""
    code = review.currency
    minor = annualise(
        to_minor(review.benefit, code),
        to_minor(review.fees.setup, code),
        review.days,
        review.fees.contract_months,
    )
    return from_minor(minor, code)


def entity_lines(case: Case, review: Review, language: str) -> list[EntityLine]:
    """Every entity of the case, in its order (one without accounts shows zeros): its
    realised change in bank interest, intercompany interest, tax and all-in benefit, beside
    the projection's all-in on the same balances. With the fees they add up to the
    realised benefit."""
    names = _entity_names(case, language)
    found = {e.id: e for e in review.entities}
    projected = {e.id: e for e in review.projected.entities}
    zero = from_minor(0, review.currency)
    out = []
    for entity in case.entities:
        e = found.get(entity.id)
        bank = zero if e is None else e.realised - e.status_quo
        intercompany = zero if e is None else e.intercompany_interest
        tax = zero if e is None else -e.tax
        p = projected.get(entity.id)
        planned = (
            zero
            if p is None
            else p.structure.net - p.baseline.net + p.intercompany_interest - p.tax
        )
        out.append(
            EntityLine(
                entity.id,
                names[entity.id],
                minority_owned(entity),
                bank,
                intercompany,
                tax,
                bank + intercompany + tax,
                planned,
            )
        )
    return out


def _codes(case: Case) -> list[tuple[str, str, str]]:
    """The bank transaction codes that mark a sweep and posted interest, per format."""

    def joined(codes: Sequence[str]) -> str:
        return ", ".join(dict.fromkeys(codes))

    def row(name: str, c: CodeSet) -> tuple[str, str, str]:
        sweeps = [*c.zero_balance, *c.sweep, *c.top, *c.extra]
        refs = [f"{r}…" for r in c.references]
        return name, joined([*sweeps, *refs]), joined(c.interest)

    return [
        row("ISO 20022 camt.053 / camt.052", CAMT),
        row("BAI2", BAI2),
        row("SWIFT MT940", case_mt940(case)),
    ]


def _context(r: ReviewReport) -> dict[str, Any]:
    cycle, review, lang = r.cycle, r.review, r.language
    case = cycle.case
    code = review.currency
    gettext = make_gettext(lang)
    fmt = Formatter(lang, case.client.country)
    profile = bank_view(r.theme, case, lang, r.dated)
    chosen = reviewed_candidates(cycle, review)
    labels = candidate_labels(cycle.design.candidates, case, gettext, lang)
    names = [labels[c.id] for c in chosen] or [review.structure]
    promised_annual = promised_per_year(cycle, review)
    realised_annual = realised_per_year(review)
    projected = review.projected
    entities = entity_lines(case, review, lang)
    fees_total = review.fees.total
    variance = {v.cause: v.amount for v in review.variance}
    kpis = [
        {"name": gettext(KPI_NAMES[k.name]), "kind": KPI_KINDS[k.name], "kpi": k}
        for k in review.kpis
        if k.name in KPI_NAMES
    ]
    from_statements = sum(1 for a in review.accounts if a.source == "statements")
    return {
        "lang": lang,
        "bank": r.theme,
        "bank_name": profile.name,
        "profile": profile,
        "colours": r.theme.colours,
        "heading_fonts": Markup(r.theme.heading_fonts(lang)),  # closed list (TYPEFACES)
        "on": r.dated,
        "client": case.client,
        "client_name": client_name(case, lang),
        "code": code,
        "one_company": len(case.entities) == 1,
        "fees_from": review.fees_from,
        "review": review,
        "structure_label": fmt_list(names, lang),
        "structures": names,
        "go_live": review.start,
        "realised_annual": realised_annual,
        "promised_annual": promised_annual,
        "projected_annual": projected.benefit_annual,
        "gap": review.benefit - review.promised,
        "positive": review.benefit >= 0,
        "setup": review.fees.setup,
        "results": {
            "status_quo": review.status_quo,
            "projected_net": projected.structure.net,
            "realised_net": review.net_interest,
            "projected_fees": -projected.fees.total,
            "realised_fees": -fees_total,
            "projected_tax": -projected.tax.total,
            "realised_tax": -review.tax.total,
            "projected_sweeps": projected.fees.sweeps,
            "realised_sweeps": review.fees.sweeps,
            "projected_benefit": projected.benefit,
            "realised_benefit": review.benefit,
            "projected_change": projected.structure.net - review.status_quo,
            "realised_change": review.net_interest - review.status_quo,
        },
        "has_tax": bool(review.tax.total or projected.tax.total),
        "variance": [
            {
                "name": gettext(VARIANCE_NAMES[cause]),
                "definition": gettext(VARIANCE_DEFINITIONS[cause]),
                "amount": variance[cause],
            }
            for cause in VARIANCE_NAMES
        ],
        "kpis": kpis,
        "entities": entities,
        "entities_new_page": len(entities) > ENTITIES_ON_A_SHARED_PAGE,
        "entity_totals": {
            "bank_interest": sum((e.bank_interest for e in entities), Decimal(0)),
            "intercompany": sum((e.intercompany for e in entities), Decimal(0)),
            "tax": sum((e.tax for e in entities), Decimal(0)),
            "fees": -fees_total,
        },
        "accounts_from_statements": from_statements,
        "accounts_from_terms": len(review.accounts) - from_statements,
        "codes": _codes(case),
        "svg": _charts(r, gettext, fmt, entities),
        "page_footer": _page_footer(gettext("Page %(page)s of %(pages)s")),
    }


def _charts(
    r: ReviewReport,
    gettext: Gettext,
    fmt: Formatter,
    entities: list[EntityLine],
) -> dict[str, Markup]:
    """The bridge from the promised to the realised benefit over the period (bars: the
    promise, each cause, the realised benefit), and, for a group, each entity's realised
    all-in benefit beside the projection's."""
    review, colours = r.review, r.theme.colours
    code = review.currency

    def number(v: float) -> str:
        return fmt.number(round(v))  # axis ticks: round numbers; bar values come exact

    variance = {v.cause: v.amount for v in review.variance}
    realised_label = gettext("Realised")
    bars = [
        (gettext("Promised in the proposal"), review.promised),
        *((gettext(VARIANCE_NAMES[c]), variance[c]) for c in VARIANCE_NAMES),
        (realised_label, review.benefit),
    ]
    svg = {
        "bridge": Markup(
            charts.benefit_chart(
                [label for label, _ in bars],
                [value for _, value in bars],
                title=gettext("From the promised to the realised benefit over the period"),
                x_label=code,
                highlight=[realised_label],
                format_number=number,
                colours=colours,
                value_labels=[fmt.rounded(value, code) for _, value in bars],
            )
        )
    }
    shown = [e for e in entities if e.all_in or e.projected]
    shown = sorted(shown, key=lambda e: -abs(e.all_in))[:ENTITIES_CHARTED]
    if len(entities) > 1 and shown:
        svg["entities"] = Markup(
            charts.entity_chart(
                [e.name for e in shown],
                [e.projected for e in shown],
                [e.all_in for e in shown],
                title=gettext(
                    "Benefit per entity over the period, all in: %(n)s of %(m)s entities",
                    n=len(shown),
                    m=len(entities),
                ),
                before_label=gettext("Projected on your actual balances"),
                after_label=realised_label,
                x_label=code,
                format_number=number,
                colours=colours,
            )
        )
    return svg
