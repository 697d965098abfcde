"""The thank-you letter for the mandate, rendered to HTML and PDF: on the bank's letterhead,
to the client's address, signed by the relationship manager the case names. Until the review
phase measures the structure on actual balances, it promises no results: it prints no figure
from the simulation. Given a review (cashmgmt.review), it states the benefit realised over
the period reviewed, from the bank statements, never a simulated one."""

from __future__ import annotations

import attrs
from markupsafe import Markup

from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.cycle.review import Review
from cashmgmt.render.bankprofile import bank_view
from cashmgmt.render.environment import environment, make_gettext
from cashmgmt.render.i18n import check_language
from cashmgmt.render.labels import candidate_label, client_address, client_name
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.theme import Theme
from cashmgmt.render.typeset import finish


@attrs.frozen
class Letter:
    """A cycle's results ready to render as the thank-you letter, in one language."""

    cycle: CycleResult
    language: str
    theme: Theme
    #: The review after go-live: the letter then states its realised benefit.
    review: Review | None = None

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    def html(self) -> str:
        """The letter as one self-contained HTML document."""
        cycle, language = self.cycle, self.language
        template = environment(language, cycle.case.client.country).get_template("letter.html")
        profile = bank_view(self.theme, cycle.case, language, cycle.on)
        html = template.render(
            lang=language,
            bank=self.theme,
            bank_name=profile.name,
            profile=profile,
            colours=self.theme.colours,
            heading_fonts=Markup(self.theme.heading_fonts(language)),  # closed list (TYPEFACES)
            on=cycle.on,
            client=cycle.case.client,
            client_address=client_address(cycle.case, language),
            client_name=client_name(cycle.case, language),
            success=cycle.success,
            is_micro=cycle.assessment.segment == "micro",  # a one-company business
            one_company=len(cycle.case.entities) == 1,
            go_live=cycle.plan.go_live,
            review=self.review,
            realised_gain=self.review is not None and self.review.benefit > 0,
            structure_label=("；" if language == "zh-CN" else "; ").join(
                candidate_label(c, cycle.case, make_gettext(language), language)
                for c in cycle.design.members
            ),
        )
        return finish(html, self.theme.logo)

    def pdf(self) -> bytes:
        """The letter as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)
