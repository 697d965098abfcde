"""The RM brief: what the bank needs to know about a proposal and the client never reads
(the segment and coverage model, the bank's own economics, what each approval is worth,
candidate codes and internal notes), rendered to HTML and PDF like the proposal."""

from __future__ import annotations

from typing import Any

import attrs
from markupsafe import Markup

from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.reference.rules import disclaimer
from cashmgmt.render import content
from cashmgmt.render.environment import environment, make_gettext
from cashmgmt.render.i18n import Formatter, check_language
from cashmgmt.render.labels import (
    AREA_NAMES,
    COVERAGE_NAMES,
    SEGMENT_NAMES,
    candidate_labels,
    client_name,
)
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.proposal import OUTSIDE_NAMES, _entity_names, _fact
from cashmgmt.render.theme import Theme


@attrs.frozen
class Brief:
    """A cycle's results ready to render as the internal RM brief, in one language."""

    cycle: CycleResult
    language: str
    theme: Theme

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    def html(self) -> str:
        """The brief as one HTML document."""
        template = environment(self.language).get_template("brief.html")
        return template.render(**self.context())

    def pdf(self) -> bytes:
        """The brief as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)

    def context(self) -> dict[str, Any]:
        """Everything the brief shows, by the name the template uses."""
        cycle, lang = self.cycle, self.language
        case, a, d, r = cycle.case, cycle.assessment, cycle.design, cycle.result
        gettext = make_gettext(lang)
        labels = candidate_labels(d.candidates, case, gettext, lang)
        joined = {x for c in d.members for x in c.structure.accounts}
        rows = content.entity_rows(case, r, joined) if r is not None else []
        fmt = Formatter(lang, case.client.country)
        return {
            "lang": lang,
            "bank": self.theme,
            "bank_name": self.theme.name_for(lang),
            "colours": self.theme.colours,
            "heading_fonts": Markup(self.theme.heading_fonts(lang)),  # closed list (TYPEFACES)
            "on": cycle.on,
            "client": case.client,
            "client_name": client_name(case, lang),
            "code": case.base_currency,
            "segment": gettext(SEGMENT_NAMES[a.segment]),
            "coverage": gettext(COVERAGE_NAMES[a.segment]),
            "coverage_ratio": a.coverage,
            # each need's evidence in the brief's language (the same sentences as the proposal)
            "needs": [
                (
                    gettext(AREA_NAMES[n.area]),
                    n,
                    [_fact(key, self, gettext, fmt) for key, _ in n.facts],
                )
                for n in a.needs
            ],
            "members": [(c.id, labels[c.id], c.benefit_annual) for c in d.members],
            "result": r,
            "bank_result": None if r is None else r.bank,
            "solution": d.solution,
            "entity_names": _entity_names(case, lang),
            "worse_off": [e for e in rows if e.all_in < 0],
            "minority": [e for e in rows if e.minority],
            "outside": content.outside(case, joined) if r is not None else [],
            "outside_names": OUTSIDE_NAMES,
            "rules_note": disclaimer(lang),
        }
