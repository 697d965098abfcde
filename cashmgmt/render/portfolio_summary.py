"""A book's summary for the bank's cash-management department as HTML and PDF
(templates/portfolio.html), in English or Simplified Chinese: the book at a glance, charts
(value by segment, the coverage plan, the largest opportunities), the ranked opportunities,
totals by segment, country and product, the coverage plan with its assumptions, and the
cases that could not be run. An internal document: bank-side value is shown. Self-contained
HTML (the stylesheet inline, the charts as inline SVG) like the proposal's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
from markupsafe import Markup
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from cashmgmt.portfolio.report import BookSummary
from cashmgmt.render import charts
from cashmgmt.render.charts import _figure, _style, _svg, _title, wrap_label
from cashmgmt.render.environment import environment, make_gettext
from cashmgmt.render.i18n import Formatter, check_language
from cashmgmt.render.palette import theme_colours, tint
from cashmgmt.render.pdf import write_pdf
from cashmgmt.render.portfolio_labels import (
    assumptions,
    country_label,
    product_label,
    segment_label,
    team_label,
)
from cashmgmt.render.theme import Theme, load_theme
from cashmgmt.render.typeset import finish

#: Opportunities listed in the document (the workbook lists them all) and charted.
LISTED = 25
CHARTED = 10
#: Problems listed (the workbook lists them all).
PROBLEMS_LISTED = 20


@attrs.frozen
class PortfolioSummary:
    """A book's summary ready to render in one language, as of `on` (the run's date)."""

    summary: BookSummary
    language: str = "en"
    theme: Theme = attrs.field(factory=load_theme)
    on: date | None = None

    def __attrs_post_init__(self) -> None:
        check_language(self.language)

    def html(self) -> str:
        """The summary as one self-contained HTML document."""
        template = environment(self.language).get_template("portfolio.html")
        return finish(template.render(**self.context()), self.theme.logo)

    def pdf(self) -> bytes:
        """The summary as PDF bytes."""
        return write_pdf(self.html(), self.theme.logo)

    def context(self) -> dict[str, Any]:
        """Everything the template shows, by the name it uses."""
        s, lang = self.summary, self.language
        _ = make_gettext(lang)
        fmt = Formatter(lang)
        coverage_total = {
            "clients": sum(c.clients for c in s.coverage),
            "rms": sum(c.relationship_managers for c in s.coverage),
            "cash": sum(c.cash_specialists for c in s.coverage),
            "credit": sum(c.credit_specialists for c in s.coverage),
        }
        return {
            "lang": lang,
            "bank_name": self.theme.name_for(lang),
            "colours": self.theme.colours,
            "on": self.on,
            "s": s,
            "assessed": s.book.clients,
            "failed": len(s.problems),
            "listed": s.opportunities[:LISTED],
            "segments": [(segment_label(t.key, lang), t) for t in s.by_segment],
            "countries": [(country_label(t.key, lang), t) for t in s.by_country],
            "products": [(product_label(t.key, lang), t) for t in s.by_product],
            "segment_of": lambda code: segment_label(code, lang),
            "country_of": lambda code: country_label(code, lang),
            "product_of": lambda code: product_label(code, lang),
            "coverage": [
                (
                    segment_label(c.segment, lang),
                    c,
                    [(team_label(t.team, lang), t) for t in c.teams],
                )
                for c in s.coverage
            ],
            "coverage_total": coverage_total,
            "assumptions": assumptions(s, lang),
            "problems": s.problems[:PROBLEMS_LISTED],
            "figures": self._figures(_, fmt),
        }

    def _figures(self, _: Any, fmt: Formatter) -> dict[str, Markup]:
        s, lang, colours = self.summary, self.language, self.theme.colours

        def usd(v: float) -> str:
            return fmt.rounded(Decimal(int(v)), "USD") if v else "0"

        figures: dict[str, Markup] = {}
        if s.by_segment:
            figures["segments"] = Markup(
                charts.entity_chart(
                    [segment_label(t.key, lang) for t in s.by_segment],
                    [t.client_benefit_usd for t in s.by_segment],
                    [t.bank_value_usd for t in s.by_segment],
                    title=_("Value per year by segment (USD)"),
                    before_label=_("Client benefit"),
                    after_label=_("Bank-side value"),
                    x_label="USD",
                    format_number=usd,
                    colours=colours,
                )
            )
        top = s.opportunities[:CHARTED]
        if top:
            figures["top"] = Markup(
                charts.benefit_chart(
                    [o.client for o in top],
                    [o.bank_value_usd for o in top],
                    title=_(
                        "The %(n)s largest opportunities: bank-side value per year", n=len(top)
                    ),
                    x_label="USD",
                    highlight=None,
                    format_number=usd,
                    colours=colours,
                )
            )
        staffed = [c for c in s.coverage if c.teams]
        if staffed:
            figures["coverage"] = Markup(
                staff_chart(
                    [segment_label(c.segment, lang) for c in staffed],
                    [
                        (_("Relationship managers"), [c.relationship_managers for c in staffed]),
                        (_("Cash-management specialists"), [c.cash_specialists for c in staffed]),
                        (_("Credit specialists"), [c.credit_specialists for c in staffed]),
                    ],
                    title=_("Coverage plan: people per segment"),
                    x_label=_("People"),
                    format_number=lambda v: fmt.number(int(v)),
                    colours=colours,
                )
            )
        return figures


def staff_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    x_label: str,
    format_number: Any,
    colours: Mapping[str, str] | None = None,
) -> str:
    """Head counts per category as grouped horizontal bars, one colour per series (primary,
    a tint of it, the muted colour), each bar labelled with its count; as charts.py's charts:
    deterministic SVG with text kept as text."""
    theme = theme_colours(colours)
    palette = [theme["primary"], tint(theme["primary"], 0.45), theme["muted"]]
    n, k = len(categories), len(series)
    height = 0.8 / max(k, 1)
    with _style(theme):
        fig = _figure(max(5.0, 2.4 + 0.9 * n))
        ax = fig.add_subplot()
        y = np.arange(n, dtype=np.float64)
        for j, (_label, values) in enumerate(series):
            offset = (j - (k - 1) / 2) * height
            bars = ax.barh(y + offset, [float(v) for v in values], height=height * 0.92,
                           color=palette[j % len(palette)])  # fmt: skip
            ax.bar_label(bars, labels=[format_number(v) for v in values], padding=2,
                         fontsize=7, color=theme["text"])  # fmt: skip
        ax.set_yticks(y, [wrap_label(c) for c in categories])
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x")
        ax.set_xlabel(x_label)
        ax.margins(x=0.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _title(fig, title)
        handles = [Patch(color=palette[j % len(palette)]) for j in range(k)]
        fig.legend(handles, [label for label, _ in series], loc="outside lower center",
                   ncols=k, handlelength=1.2)  # fmt: skip
        return _svg(fig)


__all__ = ["PortfolioSummary", "staff_chart"]
