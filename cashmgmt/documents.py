"""Documents from a case: run the cycle, then hand its results to the renderer."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from cashmgmt.cycle.pipeline import CycleResult, run_cycle
from cashmgmt.cycle.review import Actuals, Review, review
from cashmgmt.model import Case
from cashmgmt.render.brief import Brief
from cashmgmt.render.i18n import check_language
from cashmgmt.render.letter import Letter
from cashmgmt.render.proposal import Proposal
from cashmgmt.render.review_report import ReviewReport
from cashmgmt.render.theme import Theme, load_theme, theme_for_bank


def case_theme(case: Case, theme: str | Path | Theme | None = None) -> Theme:
    """The bank profile of a case's documents: the theme given (a shipped name, a YAML file
    or a loaded Theme), else the shipped profile of the case's proposing bank; a theme
    without a name takes the proposing bank's name from the case."""
    if theme is None:
        return theme_for_bank(case.proposing_bank)
    bank = theme if isinstance(theme, Theme) else load_theme(theme)
    return bank.for_bank(case.proposing_bank)


def _ready(
    case: Case, language: str | None, theme: str | Path | Theme | None, on: date | None
) -> tuple[CycleResult, str, Theme]:
    """The cycle's results, the language and the theme (loaded unless given loaded); the
    language and the theme are checked first, so a wrong one fails before the cycle runs."""
    chosen = language or case.client.language
    check_language(chosen)
    return run_cycle(case, on=on), chosen, case_theme(case, theme)


def propose(
    case: Case,
    language: str | None = None,
    theme: str | Path | Theme | None = None,
    on: date | None = None,
) -> Proposal:
    """Run the cycle on a case and make it ready to render in `language` (default: the
    client's) with a theme (a shipped name, a theme YAML file or a loaded Theme; default: the
    shipped profile of the case's proposing bank), as of `on` (default: the day after the
    balance history ends)."""
    return Proposal(*_ready(case, language, theme, on))


def letter(
    case: Case,
    language: str | None = None,
    theme: str | Path | Theme | None = None,
    on: date | None = None,
    review: Review | None = None,
) -> Letter:
    """Run the cycle on a case and make its thank-you letter ready to render, with the same
    arguments and defaults as `propose`. With a `review` (cashmgmt.review) the letter states
    the benefit realised over the period reviewed, and is dated (unless `on` says otherwise)
    the day after that period, as the review report is; without one it promises no
    result."""
    if review is not None and on is None:
        on = review.end + timedelta(days=1)
    return Letter(*_ready(case, language, theme, on), review=review)


def review_report(
    case: Case,
    structure_id: str,
    actuals: Actuals,
    *,
    go_live: date,
    language: str | None = None,
    on: date | None = None,
    theme: str | Path | Theme | None = None,
) -> ReviewReport:
    """Review a structure after go-live from the group's bank statements (cashmgmt.review)
    and make the client's review report ready to render, in `language` (default: the
    client's) with a theme as `propose` takes it, dated `on` (default: the day after the
    period reviewed ends)."""
    chosen = language or case.client.language
    check_language(chosen)
    bank = case_theme(case, theme)
    reviewed = review(case, structure_id, actuals, go_live=go_live)
    return ReviewReport(run_cycle(case, on=on), reviewed, chosen, bank, on)


def brief(
    case: Case,
    language: str | None = None,
    theme: str | Path | Theme | None = None,
    on: date | None = None,
) -> Brief:
    """Run the cycle on a case and make the internal RM brief ready to render (the segment,
    coverage model, bank-side economics, approvals' worth and internal notes the client's
    proposal leaves out), with the same arguments and defaults as `propose`."""
    return Brief(*_ready(case, language, theme, on))
