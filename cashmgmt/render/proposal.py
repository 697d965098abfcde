"""The proposal: a cycle's results rendered to HTML and PDF through one template context.

The context gathers, for the template, everything it shows; the template only formats and
translates (it does no arithmetic). Sections appear because of the client's segment, needs and
design, not as a fixed mail merge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs
from markupsafe import Markup

from cashmgmt.cycle.design import Candidate, Design
from cashmgmt.cycle.design.candidates import HybridStructure, fees_in_base
from cashmgmt.cycle.execute import Plan
from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.engine.results import SimulationResult
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.reference.products import price, products
from cashmgmt.regions import country_name
from cashmgmt.render import charts, content, diagrams
from cashmgmt.render.bankprofile import bank_view
from cashmgmt.render.environment import Gettext, environment, make_gettext, make_ngettext
from cashmgmt.render.i18n import Formatter, check_language
from cashmgmt.render.labels import (
    AREA_NAMES,
    CHANNEL_NAMES,
    COVERAGE_NAMES,
    DOCUMENT_NAMES,
    KIND_NAMES,
    N_,
    OWNER_NAMES,
    RULE_NAMES,
    SEGMENT_NAMES,
    STATUS_NAMES,
    TOPIC_NAMES,
    WORKSTREAM_NAMES,
    candidate_labels,
    client_industry,
    client_name,
    task_label,
)
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.theme import Theme
from cashmgmt.render.typeset import finish


@attrs.frozen
class Proposal:
    """A cycle's results ready to render as the proposal, in one language."""

    cycle: CycleResult
    language: str
    theme: Theme

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    def html(self) -> str:
        """The proposal as one self-contained HTML document."""
        template = environment(self.language, self.cycle.case.client.country).get_template(
            "proposal.html"
        )
        return finish(template.render(**_context(self)), self.theme.logo)

    def pdf(self) -> bytes:
        """The proposal as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)


def _context(p: Proposal) -> dict[str, Any]:
    """Everything the proposal template shows, by the name it uses."""
    case, a, d, r = p.cycle.case, p.cycle.assessment, p.cycle.design, p.cycle.result
    lang = p.language
    gettext = make_gettext(lang)
    fmt = Formatter(lang, case.client.country)
    entity_names = _entity_names(case, lang)
    owner_names = {o: gettext(name) for o, name in OWNER_NAMES.items()}
    chosen = d.chosen
    members = d.members
    # each rule once, though several of the solution's structures raise it; group-wide first
    unique = {(f.country, f.topic, f.status, f.note): f for c in members for f in c.flags}
    flags = tuple(sorted(unique.values(), key=lambda f: f.country != "*"))
    labels = candidate_labels(d.candidates, case, gettext, lang)
    shown, total = alternatives(d, ALTERNATIVES_SHOWN)
    return {
        "lang": lang,
        "bank": p.theme,
        "bank_name": bank_view(p.theme, case, lang, p.cycle.on).name,
        "profile": bank_view(p.theme, case, lang, p.cycle.on),
        "colours": p.theme.colours,
        "heading_fonts": Markup(p.theme.heading_fonts(lang)),  # closed list (TYPEFACES)
        "on": p.cycle.on,
        "client": case.client,
        "client_name": client_name(case, lang),
        "industry": client_industry(case, lang),
        "case": case,
        "code": case.base_currency,
        "assessment": a,
        "segment": a.segment,
        "diag": a.diagnostics,
        "needs": a.needs,
        "score_bar_mm": {n.area: n.score // 4 for n in a.needs},  # a 100 score: a 25mm bar
        "design": d,
        "chosen": _candidate_view(chosen, case, gettext, labels) if chosen else None,
        "members": [_candidate_view(c, case, gettext, labels) for c in members],
        "recommendation_label": solution_label(members, labels, gettext),
        "approvals": sorted({country for c in members for country in c.approvals}),
        "candidates": [
            {
                **_candidate_view(c, case, gettext, labels),
                # approvals beyond the solution's: why a larger candidate was not chosen
                "extra_approvals": sorted(
                    set(c.approvals) - {a for m in members for a in m.approvals}
                )
                if _beats(c, d)
                else [],
            }
            for c in shown
        ],
        "candidates_note": gettext(
            "%(n)s of %(m)s candidates: the best by benefit per year, and every structure "
            "written in the case.",
            n=len(shown),
            m=total,
        ),
        "result": r,
        "entity_names": entity_names,
        **_solution_context(p, gettext, fmt),
        "bundle": _bundle_rows(case, d, lang),
        "channels": d.channels,
        "channel_labels": [gettext(CHANNEL_NAMES[c]) for c in d.channels],
        "flags": flags,
        "flag_notes": [f.note_in(lang) for f in flags],
        "disclaimer": gettext(CLIENT_DISCLAIMER),
        "plan": p.cycle.plan,
        "tasks": _task_rows(p.cycle.plan, gettext, lang, owner_names),
        "accounts": case.accounts,
        "account_groups": _account_groups(case, {x for c in members for x in c.structure.accounts}),
        "measure_names": MEASURE_NAMES,
        "outside_names": OUTSIDE_NAMES,
        "allocation_names": ALLOCATION_NAMES,
        "rule_names": RULE_NAMES,
        "sweep_day_names": {k: gettext(v) for k, v in SWEEP_DAY_NAMES.items()},
        "svg": _figures(p, gettext, entity_names, owner_names),
        "is_micro": a.segment == "micro",
        "one_company": len(case.entities) == 1,
        "multi_currency": len(a.diagnostics.currencies) > 1,
        "kinds": {c.id: c.structure.kind for c in d.candidates},
        "structure_rules": _rules(chosen) if chosen else [],
        "page_footer": _page_footer(gettext("Page %(page)s of %(pages)s")),
        "segment_names": SEGMENT_NAMES,
        "coverage_names": COVERAGE_NAMES,
        "area_names": AREA_NAMES,
        "channel_names": CHANNEL_NAMES,
        "topic_names": TOPIC_NAMES,
        "status_names": STATUS_NAMES,
        "fact_sentence": lambda key, area: _fact(key, p, gettext, fmt),
    }


#: What the client reads about the country rules (the rules' own disclaimer is written for
#: the coverage team and goes to the RM brief).
CLIENT_DISCLAIMER = N_(
    "Regulatory and tax notes are our indicative reading of the sources cited, as of this "
    "proposal's date; they are not legal or tax advice. We confirm each of them with you "
    "before the agreements are signed."
)
MEASURE_NAMES = {
    "net-interest": N_("Net interest over the period"),
    "peak-debit": N_("Peak debit"),
    "idle-credit": N_("Average idle credit outside the header"),
    "overdraft-days": N_("Days with an overdraft"),
    "limit-breach-days": N_("Days beyond an overdraft limit"),
}
OUTSIDE_NAMES = {
    "facility": N_(
        "Committed facilities (revolver, term loans): borrowing under their own agreements"
    ),
    "restricted": N_("Restricted accounts (escrow, collateral): may not be pooled"),
    "other-bank": N_("Accounts at other banks: not in our structure"),
    "left-out": N_("Accounts left out: no benefit after fees, or a rule"),
}
SWEEP_DAY_NAMES = {
    "daily": N_("every day"),
    "business": N_("every business day"),
    "monthly:first": N_("on the first of the month"),
    "monthly:last": N_("on the last day of the month"),
}
ALLOCATION_NAMES = {
    "header": N_("to the header account"),
    "even": N_("evenly among the members"),
    "percentage": N_("by agreed percentages"),
    "fair-share": N_("by each member's contribution"),
    "reverse-fair-share": N_("by reverse fair share"),
}


def _account_groups(case: Case, joined: set[str]) -> list[dict[str, Any]]:
    """The accounts per entity, for the appendix: how many, at which banks, in which
    currencies, and how many the structure joins."""
    out = []
    for e in case.entities:
        held = [a for a in case.accounts if a.entity == e.id]
        if held:
            out.append(
                {
                    "entity": e.id,
                    "accounts": len(held),
                    "banks": sorted({a.bank for a in held}),
                    "currencies": sorted({a.currency for a in held}),
                    "joined": sum(1 for a in held if a.id in joined),
                }
            )
    return out


#: The entities the per-entity chart shows at most (the largest all-in changes); the table
#: beside it lists every entity.
ENTITIES_CHARTED = 15
#: The needs the one-page summary repeats ("what we heard"), the strongest first.
NEEDS_HEARD = 3


def _solution_context(p: Proposal, gettext: Gettext, fmt: Formatter) -> dict[str, Any]:
    """The summary's four parts and the figures around the solution: every entity's all-in
    change, the measures it moves and those it does not (and the accounts outside it, by
    why), the rate scenarios, the indicative terms and what the client is asked to decide."""
    case, d, r = p.cycle.case, p.cycle.design, p.cycle.result
    lang = p.language
    heard = [
        (gettext(AREA_NAMES[n.area]), _fact(n.facts[0][0], p, gettext, fmt))
        for n in sorted(p.cycle.assessment.needs, key=lambda n: -n.score)
        if n.score > 0 and n.facts
    ][:NEEDS_HEARD]
    out: dict[str, Any] = {
        "heard": heard,
        "entity_rows": [],
        "minority_names": [],
        "moved": [],
        "kept": [],
        "outside": [],
        "scenarios": [],
        "term_sheets": [],
        "asks": [],
        "group_shape": _group_shape(p.cycle.assessment.diagnostics, gettext, lang),
        "kept_names": "",
        "sweep_terms": "",
        "allocations": "",
        "intercompany_rate": None,
    }
    if r is None:
        return out
    joined = {a for c in d.members for a in c.structure.accounts}
    rows = content.entity_rows(case, r, joined)
    moved, kept = content.measures(r)
    documents = sorted({doc for c in d.members for doc in c.documents})
    approvals = sorted({country for c in d.members for country in c.approvals})
    minority_in = [entity_names_of(case, lang)[e.id] for e in rows if e.minority and e.accounts]
    asks = [gettext("Agree to the recommended structure and the indicative terms in the annex.")]
    if approvals:
        asks.append(
            gettext(
                "Apply with us for the approval the rules require in %(countries)s.",
                countries=fmt_list((country_name(c, lang) for c in approvals), lang),
            )
        )
    if documents:
        asks.append(
            gettext(
                "Sign: %(doc)s",
                doc=fmt_list(
                    (gettext(DOCUMENT_NAMES[x]) if x in DOCUMENT_NAMES else x for x in documents),
                    lang,
                ),
            )
        )
    if minority_in:
        asks.append(
            gettext(
                "Agree the pooling with the other shareholders of: %(entities)s",
                entities=fmt_list(minority_in, lang),
            )
        )
    asks.append(
        gettext(
            "Name the people in your team for each step of the plan, from %(start)s.",
            start=fmt.day(p.cycle.plan.tasks[0].start) if p.cycle.plan.tasks else "",
        )
    )
    labels = labels_of(d, case, gettext, lang)
    sheets = [(labels[c.id], content.terms(case, c), c.result) for c in d.members]
    out.update(
        entity_rows=rows,
        minority_names=minority_in,
        moved=moved,
        kept=kept,
        outside=content.outside(case, joined),
        scenarios=content.sensitivity(case, d),
        term_sheets=sheets,
        asks=asks,
        sweep_terms=fmt_list(
            dict.fromkeys(
                gettext(RULE_NAMES[k])
                + " · "
                + gettext(SWEEP_DAY_NAMES.get(t.sweep_days or "", t.sweep_days or ""))
                for _, t, _ in sheets
                for k in t.rules
            ),
            lang,
        ),
        allocations=fmt_list(
            dict.fromkeys(
                gettext(ALLOCATION_NAMES[t.allocation]) for _, t, _ in sheets if t.allocation
            ),
            lang,
        ),
        kept_names=fmt_list(
            (
                gettext(MEASURE_NAMES[m.key]).lower()
                if lang == "en"
                else gettext(MEASURE_NAMES[m.key])
                for m in kept
            ),
            lang,
        ),
        intercompany_rate=case.intercompany_rate,
    )
    return out


def _group_shape(d: Any, gettext: Gettext, language: str) -> str:
    """How many companies, accounts and banks, and the currencies, in one sentence."""

    def counted(n: int, one: str, many: str) -> str:
        return gettext(one) if n == 1 else gettext(many, n=n)

    return gettext(
        "%(entities)s, %(accounts)s at %(banks)s, in %(currencies)s.",
        entities=counted(d.entities, "1 company", "%(n)s companies"),
        accounts=counted(d.accounts, "1 account", "%(n)s accounts"),
        banks=counted(d.banks, "1 bank", "%(n)s banks"),
        currencies=fmt_list(d.currencies, language),
    )


def entity_names_of(case: Case, language: str) -> dict[str, str]:
    """Each entity's name in the document's language (see _entity_names)."""
    return _entity_names(case, language)


def labels_of(d: Design, case: Case, gettext: Gettext, language: str) -> dict[str, str]:
    """Every candidate's distinct label in the document's language."""
    return candidate_labels(d.candidates, case, gettext, language)


def fmt_list(items: Iterable[str], language: str) -> str:
    """Items joined as a list in the language (、 in Chinese)."""
    return ("、" if language == "zh-CN" else ", ").join(items)


def solution_label(
    members: Sequence[Candidate], labels: Mapping[str, str], gettext: Gettext
) -> str:
    """What the recommendation is called: its one structure's name, or how many structures
    the solution combines (each is named beside it)."""
    if len(members) == 1:
        return labels[members[0].id]
    return gettext("%(n)s structures together", n=len(members))


def _entity_names(case: Case, language: str) -> dict[str, str]:
    """Each entity's name by id: its local name in Chinese documents, if it has one."""
    return {
        e.id: (e.local_name if language == "zh-CN" and e.local_name else e.name)
        for e in case.entities
    }


#: The alternatives the proposal's table shows at most, besides the case's own structures.
ALTERNATIVES_SHOWN = 12
#: The candidates the benefit chart shows at most, besides the case's own structures.
CHART_SHOWN = 10


def alternatives(
    d: Design,
    limit: int,
    among: Callable[[Candidate], bool] = lambda c: True,
    *,
    with_case: bool = True,
) -> tuple[list[Candidate], int]:
    """The candidates a document shows, in ranked order, and how many there are (of those
    `among` admits): every recommended one (the solution's) and, `with_case`, every
    structure written in the case, always, and the best-ranked others up to `limit` in
    all."""
    pool = [c for c in d.candidates if among(c)]
    recommended = {c.id for c in d.members}
    kept = {c.id for c in pool if (with_case and c.origin == "case") or c.id in recommended}
    others = [c.id for c in pool if c.id not in kept]
    kept.update(others[: max(0, limit - len(kept))])
    return [c for c in pool if c.id in kept], len(pool)


def _beats(c: Candidate, d: Design) -> bool:
    """Whether a candidate alone would gain more a year than the whole solution."""
    r = d.result
    return r is not None and c.benefit_annual is not None and c.benefit_annual > r.benefit_annual


def _candidate_view(
    c: Candidate, case: Case, gettext: Gettext, labels: dict[str, str]
) -> dict[str, Any]:
    """Words and figures for a candidate in the document's language."""
    s = c.structure
    accounts = [case.account(a) for a in s.accounts]
    return {
        "id": c.id,
        "label": labels[c.id],
        "kind": gettext(KIND_NAMES[s.kind]),
        "currencies": sorted({a.currency for a in accounts}),
        "countries": sorted({a.country for a in accounts}),
        "accounts": len(accounts),
        "feasible": c.feasible,
        "approvals": list(c.approvals),
        "benefit": c.benefit_annual,
        "fees": c.result.fees.total if c.result else None,
        "origin": c.origin,
    }


def _bundle_rows(case: Case, d: Design, language: str) -> list[dict[str, Any]]:
    """The bundle's products with their catalog name and description in the language
    (English where the catalog has none in it)."""
    catalog = {prod.id: prod for prod in products()}
    rows = []
    for item in d.bundle:
        product = catalog[item.product]
        rows.append(
            {
                "item": item,
                "name": product.name.get(language),
                "description": product.description.get(language),
                # in the client's currency, at the rate the design priced its structures at
                "fees": fees_in_base(case, d.assessment, price(item.product, d.assessment.segment)),
            }
        )
    return rows


def _task_rows(
    plan: Plan, gettext: Gettext, language: str, owner_names: dict[str, str]
) -> list[dict[str, Any]]:
    """The plan's steps with their label and owner in the document's language."""
    return [
        {
            "task": t,
            "label": task_label(t, gettext, language),
            "owner": owner_names[t.owner],
            "workstream": gettext(WORKSTREAM_NAMES[t.workstream]),
        }
        for t in plan.tasks
    ]


def _figures(
    p: Proposal, gettext: Gettext, entity_names: dict[str, str], owner_names: dict[str, str]
) -> dict[str, Markup]:
    """The SVG figures the proposal inlines, by name: the diagrams, the simulation's charts
    (when a structure was recommended) and the plan's timeline."""
    svg = _diagrams(p, gettext)
    if p.cycle.result is not None:
        svg.update(_result_charts(p, p.cycle.result, gettext, entity_names))
    tasks = [
        (task_label(t, gettext, p.language), t.start, t.end, t.owner) for t in p.cycle.plan.tasks
    ]
    svg["timeline"] = Markup(
        charts.timeline_chart(
            tasks,
            title=gettext("Implementation timeline"),
            owners=owner_names,
            colours=p.theme.colours,
        )
    )
    return svg


def _diagrams(p: Proposal, gettext: Gettext) -> dict[str, Markup]:
    """The group's ownership diagram, and a diagram of each structure recommended
    ("structure_0", "structure_1" … in the order of `Design.members`; "structure" is the
    chosen one's), drawn by entity in the document's language."""
    case, colours = p.cycle.case, p.theme.colours
    ngettext = make_ngettext(p.language)

    def accounts_text(n: int) -> str:
        return ngettext("%(n)s account", "%(n)s accounts", n)

    svg = {
        "ownership": Markup(
            diagrams.ownership_diagram(
                case,
                language=p.language,
                colours=colours,
                subtitle=lambda e, n: f"{e.country} · {accounts_text(n)}",
                share=lambda pct: gettext("%(share)s owned", share=pct),
            )
        )
    }
    roles = {"header": gettext("header"), "sub-header": gettext("sub-header")}

    def subtitle(box: diagrams.StructureBox) -> str:
        parts = [roles.get(box.role, ""), "/".join(box.countries)]
        return " · ".join(x for x in [*parts, _accounts(gettext, len(box.accounts))] if x)

    pool_kind = gettext("Notional pool")
    for i, member in enumerate(p.cycle.design.members):
        svg[f"structure_{i}"] = Markup(
            diagrams.structure_diagram(
                case,
                member.structure,
                language=p.language,
                colours=colours,
                subtitle=subtitle,
                pool_label=lambda pool: (pool_kind, pool.currency),
                kind_labels={k: gettext(v) for k, v in RULE_NAMES.items()},
            )
        )
        if member is p.cycle.design.chosen:
            svg["structure"] = svg[f"structure_{i}"]
    return svg


def _accounts(gettext: Gettext, n: int) -> str:
    """ "1 account", "3 accounts" in the document's language."""
    return gettext("1 account") if n == 1 else gettext("%(n)s accounts", n=n)


def _result_charts(
    p: Proposal, r: SimulationResult, gettext: Gettext, entity_names: dict[str, str]
) -> dict[str, Markup]:
    """The simulation's charts: the group's daily balance, the benefit of each feasible
    candidate, and net interest per entity (for entities the structure changes)."""
    case, d, colours = p.cycle.case, p.cycle.design, p.theme.colours
    code = case.base_currency
    fmt = Formatter(p.language, case.client.country)

    def number(v: float) -> str:
        return fmt.number(round(v))  # axis ticks: round numbers; bar values come exact

    svg = {}
    # the solution and the best-ranked others (the case's own structures only if they rank:
    # the table lists them all)
    top, total = alternatives(d, CHART_SHOWN, lambda c: c.feasible, with_case=False)
    labels = candidate_labels(d.candidates, case, gettext, p.language)
    svg["benefit"] = Markup(
        charts.benefit_chart(
            [labels[c.id] for c in top],
            [c.benefit_annual or 0 for c in top],
            title=gettext(
                "Benefit per year by candidate: %(n)s of %(m)s feasible", n=len(top), m=total
            ),
            x_label=code,
            highlight=[labels[c.id] for c in d.members],
            format_number=number,
            colours=colours,
            # the bars' values rounded for reading from the exact amounts, never truncated
            value_labels=[fmt.rounded(c.benefit_annual or Decimal(0), code) for c in top],
        )
    )
    joined = {a for c in d.members for a in c.structure.accounts}
    rows = [e for e in content.entity_rows(case, r, joined) if e.bank_interest or e.all_in]
    rows = sorted(rows, key=lambda e: -abs(e.all_in))[:ENTITIES_CHARTED]
    if rows:
        svg["entities"] = Markup(
            charts.entity_chart(
                [entity_names[e.id] for e in rows],
                [e.bank_interest for e in rows],
                [e.all_in for e in rows],
                title=gettext(
                    "Change per entity over the period: %(n)s of %(m)s entities",
                    n=len(rows),
                    m=len(case.entities),
                ),
                before_label=gettext("Interest with the banks"),
                after_label=gettext("All-in: with intercompany interest and tax"),
                x_label=code,
                format_number=number,
                colours=colours,
            )
        )
    return svg


class _Document(Protocol):
    """What a need's evidence is written from: the proposal, or the RM brief."""

    @property
    def cycle(self) -> CycleResult: ...
    @property
    def language(self) -> str: ...
    @property
    def theme(self) -> Theme: ...


def _fact(key: str, p: _Document, gettext: Gettext, fmt: Formatter) -> str:
    """A need's evidence as a sentence in the document's language."""
    d = p.cycle.assessment.diagnostics
    code = d.currency
    ngettext = make_ngettext(p.language)
    countries = fmt.join(country_name(c, p.language) for c in d.countries)
    sentences = {
        "netting_gap_per_year": lambda: gettext(
            "A pool per currency at each bank could close about %(x)s a year of debit interest "
            "paid while holding credit in the same currency at the same bank.",
            x=fmt.money(d.netting_gap_per_year, code),
        ),
        "netting_gap_multi_bank_per_year": lambda: gettext(
            "A sweep per currency across banks could close about %(x)s a year of debit interest.",
            x=fmt.money(d.netting_gap_multi_bank_per_year, code),
        ),
        "average_idle_credit": lambda: gettext(
            "%(x)s sits on average outside the largest account.",
            x=fmt.money(d.average_idle_credit, code),
        ),
        "overdraft_days": lambda: gettext(
            "Some account outside committed facilities was overdrawn on %(n)s of %(days)s days.",
            n=d.overdraft_days,
            days=d.days,
        ),
        "accounts": lambda: ngettext("%(n)s account to run.", "%(n)s accounts to run.", d.accounts),
        "banks": lambda: ngettext("Accounts at %(n)s bank.", "Accounts at %(n)s banks.", d.banks),
        "share_at_bank": lambda: gettext(
            "%(share)s of balances are at %(bank)s.",
            share=fmt.percent(d.share_at_bank or Decimal(0)),
            bank=p.theme.for_bank(d.proposing_bank).name_for(p.language),
        ),
        "countries": lambda: gettext("Entities in %(countries)s.", countries=countries),
        "entities": lambda: gettext("%(n)s entities collecting and paying.", n=d.entities),
        "segment": lambda: gettext("Payment volumes that grow with the group."),
        "debit_interest_per_year": lambda: gettext(
            "%(x)s a year of debit interest could be refinanced more cheaply.",
            x=fmt.money(d.debit_interest_per_year, code),
        ),
        "currencies": lambda: gettext("Balances in %(list)s.", list=fmt.join(d.currencies)),
        "average_trapped_credit": lambda: gettext(
            "%(x)s of credit sits where rules restrict moving cash abroad.",
            x=fmt.money(d.average_trapped_credit, code),
        ),
    }
    return str(sentences[key]())


def _page_footer(pattern: str) -> Markup:
    """A translated "Page %(page)s of %(pages)s" as CSS `content` with page counters."""
    parts = []
    for piece in re.split(r"(%\(pages?\)s)", pattern):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "").replace('"', "") + '"')
    return Markup(" ".join(parts))


def _rules(chosen: Candidate) -> list[Any]:
    s = chosen.structure
    if isinstance(s, HybridStructure):
        return list(s.physical.rules)
    if isinstance(s, PhysicalStructure):
        return list(s.rules)
    assert isinstance(s, NotionalPool)
    return []
