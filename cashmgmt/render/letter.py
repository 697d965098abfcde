"""The thank-you letter: the figures the celebrate phase delivered, rendered to HTML and PDF."""

from __future__ import annotations

import attrs

from cashmgmt.cycle.pipeline import CycleResult
from cashmgmt.render.environment import environment, make_gettext
from cashmgmt.render.i18n import check_language
from cashmgmt.render.labels import candidate_label, client_name
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.theme import Theme
from cashmgmt.render.typeset import finish


@attrs.frozen
class Letter:
    """A cycle's results ready to render as the thank-you letter, in one language."""

    cycle: CycleResult
    language: str
    theme: Theme

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    def html(self) -> str:
        """The letter as one self-contained HTML document."""
        cycle, language = self.cycle, self.language
        template = environment(language).get_template("letter.html")
        html = template.render(
            lang=language,
            bank=self.theme,
            bank_name=self.theme.name_for(language),
            colours=self.theme.colours,
            on=cycle.on,
            client_name=client_name(cycle.case, language),
            code=cycle.case.base_currency,
            success=cycle.success,
            structure_label="; ".join(
                candidate_label(c, cycle.case, make_gettext(language), language)
                for c in cycle.design.members
            ),
        )
        return finish(html, self.theme.logo)

    def pdf(self) -> bytes:
        """The letter as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)
