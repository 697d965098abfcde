"""The proposal and the letter: a cycle's results rendered to HTML and PDF.

The view model gathers, for the templates, everything they show; templates only format and
translate (they do no arithmetic). Sections appear because of the client's segment, needs and
design, not as a fixed mail merge.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cashmgmt.cycle.assess import Assessment
from cashmgmt.cycle.design import Candidate, Design
from cashmgmt.cycle.design.candidates import HybridStructure
from cashmgmt.cycle.execute import Plan
from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.engine.results import SimulationResult
from cashmgmt.model import Case, NotionalPool, PhysicalStructure
from cashmgmt.money import exponent
from cashmgmt.reference.products import products
from cashmgmt.reference.rules import disclaimer
from cashmgmt.regions import country_name
from cashmgmt.render import charts, diagrams
from cashmgmt.render.i18n import LANGUAGES, Formatter, translations
from cashmgmt.render.pdf import write_pdf
from cashmgmt.resources import Theme, templates_dir


def environment(language: str) -> Environment:
    """The jinja2 environment for one language: autoescaping, gettext, locale filters."""
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    fmt = Formatter(language)
    env.filters.update(
        money=fmt.money,
        number=fmt.number,
        percent=fmt.percent,
        rate=fmt.rate,
        date=fmt.day,
        month=fmt.month,
        country=lambda code: country_name(code, language),
    )
    return env


@attrs.frozen
class Proposal:
    """A cycle's results ready to render as the proposal and the letter, in one language."""

    cycle: CycleResult
    language: str
    theme: Theme

    def __attrs_post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(
                f"no templates for language {self.language!r}; expected one of "
                + ", ".join(LANGUAGES)
            )

    @property
    def case(self) -> Case:
        """The case the cycle ran on."""
        return self.cycle.case

    @property
    def assessment(self) -> Assessment:
        """The assess phase's result."""
        return self.cycle.assessment

    @property
    def design(self) -> Design:
        """The design phase's result."""
        return self.cycle.design

    @property
    def plan(self) -> Plan:
        """The implementation plan."""
        return self.cycle.plan

    @property
    def result(self) -> SimulationResult | None:
        """The recommended structure's simulation."""
        return self.cycle.result

    @property
    def on(self) -> date:
        """The date the documents carry."""
        return self.cycle.on

    def html(self) -> str:
        """The proposal as one self-contained HTML document."""
        env = environment(self.language)
        return env.get_template("proposal.html").render(**_context(self, env))

    def pdf(self) -> bytes:
        """The proposal as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)

    def letter_html(self) -> str:
        """The thank-you letter with the delivered figures (the celebrate phase)."""
        env = environment(self.language)
        gettext = make_gettext(self.language)
        chosen = self.design.chosen
        label = _candidate_view(chosen, self.case, gettext)["label"] if chosen else ""
        return env.get_template("letter.html").render(
            lang=self.language,
            bank=self.theme,
            bank_name=self.theme.name_for(self.language),
            colours=self.theme.colours,
            on=self.on,
            client_name=_name(self.case, self.language),
            code=self.case.base_currency,
            success=self.cycle.success,
            structure_label=label,
        )

    def letter_pdf(self) -> bytes:
        """The thank-you letter as PDF bytes."""
        return write_pdf(self.letter_html(), self.theme.logo)


def _name(case: Case, language: str) -> str:
    client = case.client
    return client.local_name if language == "zh-CN" and client.local_name else client.name


def _candidate_view(c: Candidate, case: Case, gettext: Any) -> dict[str, Any]:
    """Words for a candidate in the document's language, from its shape (generated names are
    English; the case's own names are the RM's)."""
    s = c.structure
    accounts = [case.account(a) for a in s.accounts]
    currencies = sorted({a.currency for a in accounts})
    countries = sorted({a.country for a in accounts})
    kinds = {
        "physical": gettext("Physical cash concentration"),
        "notional": gettext("Notional pool"),
        "hybrid": gettext("Country pools with a notional overlay"),
    }
    label = s.name if c.origin == "case" else kinds[s.kind]
    return {
        "id": c.id,
        "label": label,
        "kind": kinds[s.kind],
        "currencies": currencies,
        "countries": countries,
        "accounts": len(accounts),
        "feasible": c.feasible,
        "approvals": list(c.approvals),
        "benefit": c.benefit_annual,
        "fees": c.result.fees.total if c.result else None,
        "origin": c.origin,
    }


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


SEGMENT_NAMES = {
    "large": N_("Large corporate"),
    "mid": N_("Mid-sized corporate"),
    "small-mid": N_("Small and mid-sized business"),
    "micro": N_("Micro business"),
}
COVERAGE_NAMES = {
    "large": N_(
        "A dedicated face-to-face team: relationship manager, cash-management and "
        "credit product providers (1 : 1 : 1)"
    ),
    "mid": N_("A face-to-face relationship manager shared 2-3 : 1 : 1 with the product providers"),
    "small-mid": N_(
        "A relationship manager face-to-face (10 : 1 : 1) or by telephone (25-30 : 1 : 1)"
    ),
    "micro": N_("Online banking and branches"),
}
AREA_NAMES = {
    "account-management": N_("Account management"),
    "receivables-payables": N_("Receivables and payables"),
    "liquidity": N_("Liquidity management"),
    "investment-financing": N_("Investment and financing"),
    "risk": N_("Risk management"),
    "information-reporting": N_("Information reporting"),
}
CHANNEL_NAMES = {
    "counter": N_("Branch counter"),
    "online-banking": N_("Online banking"),
    "host-to-host": N_("Host-to-host connectivity"),
    "cash-management-platform": N_("Cash-management platform"),
    "mobile": N_("Mobile banking"),
}
TOPIC_NAMES = {
    "physical-pooling": N_("Physical pooling"),
    "cross-border-sweep": N_("Cross-border sweeping"),
    "notional-pooling": N_("Notional pooling"),
    "cross-border-notional": N_("Cross-border notional pooling"),
    "multi-currency-notional": N_("Multi-currency notional pooling"),
    "intercompany-loans": N_("Intercompany loans"),
    "cross-guarantees": N_("Cross guarantees"),
}
RULE_NAMES = {
    "zero-balance": N_("zero balance"),
    "target": N_("target"),
    "threshold": N_("threshold"),
    "range": N_("range"),
}
STATUS_NAMES = {
    "permitted": N_("permitted"),
    "needs-approval": N_("needs approval"),
    "not-permitted": N_("not permitted"),
}


def make_gettext(language: str) -> Any:
    """gettext for Python-side words: `gettext("%(n)s accounts", n=3)`."""
    catalog = translations(language)

    def gettext(message: str, **params: object) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    return gettext


def _fact(key: str, p: Proposal, gettext: Any, fmt: Formatter) -> str:
    """A need's evidence as a sentence in the document's language."""
    d = p.assessment.diagnostics
    code = d.currency
    countries = ", ".join(country_name(c, p.language) for c in d.countries)
    sentences = {
        "netting_gap_per_year": lambda: gettext(
            "The group pays about %(x)s a year in debit interest while holding credit elsewhere.",
            x=fmt.money(d.netting_gap_per_year, code),
        ),
        "average_idle_credit": lambda: gettext(
            "%(x)s sits on average outside the largest account.",
            x=fmt.money(d.average_idle_credit, code),
        ),
        "overdraft_days": lambda: gettext(
            "Some account was overdrawn on %(n)s of %(days)s days.", n=d.overdraft_days, days=d.days
        ),
        "accounts": lambda: gettext("%(n)s accounts to run.", n=d.accounts),
        "banks": lambda: gettext("Accounts at %(n)s banks.", n=d.banks),
        "share_at_bank": lambda: gettext(
            "%(share)s of balances are at %(bank)s.",
            share=fmt.percent(d.share_at_bank or Decimal(0)),
            bank=d.proposing_bank or p.theme.name_for(p.language),
        ),
        "countries": lambda: gettext("Entities in %(countries)s.", countries=countries),
        "entities": lambda: gettext("%(n)s entities collecting and paying.", n=d.entities),
        "segment": lambda: gettext(
            "The payment volumes of a %(segment)s client.",
            segment=gettext(SEGMENT_NAMES[p.assessment.segment]),
        ),
        "debit_interest_per_year": lambda: gettext(
            "%(x)s a year of debit interest could be refinanced more cheaply.",
            x=fmt.money(d.debit_interest_per_year, code),
        ),
        "currencies": lambda: gettext("Balances in %(list)s.", list=", ".join(d.currencies)),
        "average_trapped_credit": lambda: gettext(
            "%(x)s of credit sits where rules restrict moving cash abroad.",
            x=fmt.money(d.average_trapped_credit, code),
        ),
    }
    return str(sentences[key]())


def _context(p: Proposal, env: Environment) -> dict[str, Any]:
    case, a, d, r = p.case, p.assessment, p.design, p.result
    gettext = make_gettext(p.language)
    fmt = Formatter(p.language)
    code = case.base_currency
    colours = p.theme.colours
    lang = p.language
    entity_names = {
        e.id: (e.local_name if lang == "zh-CN" and e.local_name else e.name) for e in case.entities
    }
    chosen = d.chosen
    catalog = {prod.id: prod for prod in products()}
    svg: dict[str, Markup] = {}
    svg["ownership"] = Markup(
        diagrams.ownership_diagram(
            case,
            language=lang,
            colours=colours,
            subtitle=lambda e, n: f"{e.country} · {gettext('%(n)s accounts', n=n)}",
        )
    )
    if chosen is not None:
        pool_kind = gettext("Notional pool")
        svg["structure"] = Markup(
            diagrams.structure_diagram(
                case,
                chosen.structure,
                colours=colours,
                more=lambda n: gettext("+%(n)s accounts", n=n),
                pool_label=lambda pool: (pool_kind, pool.currency),
                kind_labels={k: gettext(v) for k, v in RULE_NAMES.items()},
            )
        )
    if r is not None:
        history = case.balances
        svg["balances"] = Markup(
            charts.balance_chart(
                history.dates(),
                r.baseline_daily.tolist(),
                r.structure_daily.tolist(),
                exponent(code),
                title=gettext("Group balance per day"),
                baseline_label=gettext("Status quo"),
                structure_label=gettext("With the structure"),
                y_label=code,
                format_number=lambda v: fmt.number(int(v)),
                colours=colours,
            )
        )
        top = [c for c in d.candidates if c.feasible][:10]
        svg["benefit"] = Markup(
            charts.benefit_chart(
                [_candidate_view(c, case, gettext)["label"] + f" ({c.id})" for c in top],
                [c.benefit_annual or 0 for c in top],
                title=gettext("Benefit per year by candidate"),
                x_label=code,
                highlight=(_candidate_view(chosen, case, gettext)["label"] + f" ({chosen.id})")
                if chosen
                else None,
                format_number=lambda v: fmt.number(int(v)),
                colours=colours,
            )
        )
        entities = [e for e in r.entities if e.benefit != 0][:12]
        if entities:
            svg["entities"] = Markup(
                charts.entity_chart(
                    [entity_names[e.id] for e in entities],
                    [e.baseline.net for e in entities],
                    [e.structure.net for e in entities],
                    title=gettext("Net interest per entity"),
                    before_label=gettext("Status quo"),
                    after_label=gettext("With the structure"),
                    x_label=code,
                    format_number=lambda v: fmt.number(int(v)),
                    colours=colours,
                )
            )
    owner_names = {o: gettext(_OWNER[o]) for o in _OWNER}
    svg["timeline"] = Markup(
        charts.timeline_chart(
            [(_task_label(t, gettext, lang), t.start, t.end, t.owner) for t in p.plan.tasks],
            title=gettext("Implementation timeline"),
            owners=owner_names,
            colours=colours,
        )
    )
    flags = chosen.flags if chosen is not None else ()
    return {
        "lang": lang,
        "bank": p.theme,
        "bank_name": p.theme.name_for(lang),
        "colours": colours,
        "on": p.on,
        "client": case.client,
        "client_name": _name(case, lang),
        "case": case,
        "code": code,
        "assessment": a,
        "segment": a.segment,
        "diag": a.diagnostics,
        "needs": a.needs,
        "design": d,
        "chosen": _candidate_view(chosen, case, gettext) if chosen else None,
        "candidates": [_candidate_view(c, case, gettext) for c in d.candidates[:12]],
        "result": r,
        "entity_names": entity_names,
        "entities": [e for e in r.entities if e.baseline.net or e.structure.net] if r else [],
        "bundle": [
            {
                "item": b,
                "name": catalog[b.product].name.get(lang),
                "description": catalog[b.product].description.get(lang),
            }
            for b in d.bundle
        ],
        "channels": d.channels,
        "flags": flags,
        "flag_notes": [f.note_in(lang) for f in flags],
        "disclaimer": disclaimer(lang),
        "plan": p.plan,
        "tasks": [
            {"task": t, "label": _task_label(t, gettext, lang), "owner": owner_names[t.owner]}
            for t in p.plan.tasks
        ],
        "accounts": case.accounts,
        "svg": svg,
        "is_micro": a.segment == "micro",
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


_OWNER = {
    "rm": N_("Relationship manager"),
    "product-provider": N_("Cash-management product provider"),
    "bank-legal": N_("Bank legal team"),
    "bank-operations": N_("Bank operations"),
    "client-treasury": N_("Client treasury"),
}


def _task_label(task: Any, gettext: Any, lang: str) -> str:
    params = dict(task.params)
    if task.key == "sign-document":
        return str(gettext("Sign: %(doc)s", doc=gettext(_DOCUMENTS[params["document"]])))
    if task.key == "obtain-approval":
        return str(
            gettext("Approval in %(country)s", country=country_name(params["country"], lang))
        )
    if task.key == "set-up-channel":
        return str(gettext("Set up %(channel)s", channel=gettext(_CHANNELS[params["channel"]])))
    if task.key in ("open-header-accounts", "move-accounts"):
        return str(gettext(_TASKS[task.key], n=params["count"]))
    return str(gettext(_TASKS[task.key]))


_TASKS = {
    "kickoff": N_("Kick-off and data confirmation"),
    "open-header-accounts": N_("Open %(n)s header accounts"),
    "move-accounts": N_("Review %(n)s accounts at other banks"),
    "parallel-run": N_("Parallel run and testing"),
    "user-training": N_("User training"),
    "go-live": N_("Go-live"),
}
_DOCUMENTS = {
    "cash-pool-agreement": N_("Cash pool agreement"),
    "intercompany-loan-agreement": N_("Intercompany loan agreements"),
    "cross-guarantee": N_("Cross guarantees"),
    "regulatory-filing": N_("Regulatory filing"),
    "central-bank-approval": N_("Central bank approval"),
    "board-resolution": N_("Board resolutions"),
    "tax-opinion": N_("Tax opinion"),
    "account-opening": N_("Account opening documents"),
}
_CHANNELS = CHANNEL_NAMES


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
