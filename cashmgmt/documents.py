"""Documents from a case: run the cycle, then hand its results to the renderer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cashmgmt.cycle.pipeline import run_cycle
from cashmgmt.model import Case
from cashmgmt.render.letter import Letter
from cashmgmt.render.proposal import Proposal
from cashmgmt.render.theme import load_theme


def propose(
    case: Case,
    language: str | None = None,
    theme: str | Path = "default",
    on: date | None = None,
) -> Proposal:
    """Run the cycle on a case and make it ready to render in `language` (default: the
    client's) with a theme (a shipped name or a theme YAML file), as of `on` (default: the
    day after the balance history ends)."""
    return Proposal(run_cycle(case, on=on), language or case.client.language, load_theme(theme))


def letter(
    case: Case,
    language: str | None = None,
    theme: str | Path = "default",
    on: date | None = None,
) -> Letter:
    """Run the cycle on a case and make its thank-you letter ready to render, with the same
    arguments and defaults as `propose`."""
    return Letter(run_cycle(case, on=on), language or case.client.language, load_theme(theme))
