"""cashmgmt: design cash-management structures for corporate groups and propose them.

The public API: load a case, run the client management process on it (assess, design,
plan, celebrate; or all at once with `run_cycle`), simulate a structure, and render the
proposal, the letter and the internal RM brief. Importing it is cheap: each name loads its
module on first use, so numba, matplotlib and WeasyPrint load only when a simulation or a
document needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cashmgmt.cycle.assess import Assessment as Assessment
    from cashmgmt.cycle.assess import assess as assess
    from cashmgmt.cycle.celebrate import Success as Success
    from cashmgmt.cycle.celebrate import celebrate as celebrate
    from cashmgmt.cycle.design import Design as Design
    from cashmgmt.cycle.design import design as design
    from cashmgmt.cycle.execute import Plan as Plan
    from cashmgmt.cycle.execute import plan as plan
    from cashmgmt.cycle.pipeline import CycleResult as CycleResult
    from cashmgmt.cycle.pipeline import run_cycle as run_cycle
    from cashmgmt.cycle.review import Review as Review
    from cashmgmt.cycle.review import review as review
    from cashmgmt.documents import brief as brief
    from cashmgmt.documents import letter as letter
    from cashmgmt.documents import propose as propose
    from cashmgmt.documents import review_report as review_report
    from cashmgmt.engine.replay import Replay as Replay
    from cashmgmt.engine.results import SimulationResult as SimulationResult
    from cashmgmt.engine.simulate import simulate as simulate
    from cashmgmt.engine.simulate import simulate_solution as simulate_solution
    from cashmgmt.errors import (
        AssessmentError as AssessmentError,
    )
    from cashmgmt.errors import (
        CaseError as CaseError,
    )
    from cashmgmt.errors import (
        Error as Error,
    )
    from cashmgmt.errors import (
        OutputError as OutputError,
    )
    from cashmgmt.errors import (
        Problem as Problem,
    )
    from cashmgmt.errors import (
        ReviewError as ReviewError,
    )
    from cashmgmt.errors import (
        SimulationError as SimulationError,
    )
    from cashmgmt.errors import (
        StatementError as StatementError,
    )
    from cashmgmt.errors import (
        ThemeError as ThemeError,
    )
    from cashmgmt.inputs.casefile import load_case as load_case
    from cashmgmt.inputs.casefile import save_case as save_case
    from cashmgmt.inputs.statements.checks import Checked as Checked
    from cashmgmt.inputs.statements.checks import statements as statements
    from cashmgmt.model import (
        Account as Account,
    )
    from cashmgmt.model import (
        BalanceHistory as BalanceHistory,
    )
    from cashmgmt.model import (
        Case as Case,
    )
    from cashmgmt.model import (
        Client as Client,
    )
    from cashmgmt.model import (
        Entity as Entity,
    )
    from cashmgmt.model import (
        Fees as Fees,
    )
    from cashmgmt.model import (
        FxRates as FxRates,
    )
    from cashmgmt.model import (
        NotionalPool as NotionalPool,
    )
    from cashmgmt.model import (
        PhysicalStructure as PhysicalStructure,
    )
    from cashmgmt.model import (
        SweepRule as SweepRule,
    )
    from cashmgmt.model import (
        Terms as Terms,
    )
    from cashmgmt.model import (
        Tier as Tier,
    )
    from cashmgmt.money import Money as Money
    from cashmgmt.portfolio.run import Portfolio as Portfolio
    from cashmgmt.portfolio.run import portfolio as portfolio
    from cashmgmt.render.brief import Brief as Brief
    from cashmgmt.render.letter import Letter as Letter
    from cashmgmt.render.proposal import Proposal as Proposal
    from cashmgmt.render.review_report import ReviewReport as ReviewReport
    from cashmgmt.render.theme import Theme as Theme
    from cashmgmt.render.theme import load_theme as load_theme
    from cashmgmt.summary import CaseSummary as CaseSummary
    from cashmgmt.summary import summarize as summarize

    __version__: str

#: Where each public name lives; `__getattr__` imports the module when the name is first used.
_MODULES = {
    "cashmgmt.cycle.assess": ("Assessment", "assess"),
    "cashmgmt.cycle.celebrate": ("Success", "celebrate"),
    "cashmgmt.cycle.design": ("Design", "design"),
    "cashmgmt.cycle.execute": ("Plan", "plan"),
    "cashmgmt.cycle.pipeline": ("CycleResult", "run_cycle"),
    "cashmgmt.cycle.review": ("Review", "review"),
    "cashmgmt.documents": ("brief", "letter", "propose", "review_report"),
    "cashmgmt.engine.replay": ("Replay",),
    "cashmgmt.engine.results": ("SimulationResult",),
    "cashmgmt.engine.simulate": ("simulate", "simulate_solution"),
    "cashmgmt.inputs.casefile": ("load_case", "save_case"),
    "cashmgmt.inputs.statements.checks": ("Checked", "statements"),
    "cashmgmt.errors": (
        "AssessmentError",
        "CaseError",
        "Error",
        "OutputError",
        "Problem",
        "ReviewError",
        "SimulationError",
        "StatementError",
        "ThemeError",
    ),
    "cashmgmt.model": (
        "Account",
        "BalanceHistory",
        "Case",
        "Client",
        "Entity",
        "Fees",
        "FxRates",
        "NotionalPool",
        "PhysicalStructure",
        "SweepRule",
        "Terms",
        "Tier",
    ),
    "cashmgmt.money": ("Money",),
    "cashmgmt.portfolio.run": ("Portfolio", "portfolio"),
    "cashmgmt.render.brief": ("Brief",),
    "cashmgmt.render.letter": ("Letter",),
    "cashmgmt.render.proposal": ("Proposal",),
    "cashmgmt.render.review_report": ("ReviewReport",),
    "cashmgmt.render.theme": ("Theme", "load_theme"),
    "cashmgmt.summary": ("CaseSummary", "summarize"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (as attrs' `__init__` does)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("cashmgmt")
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cashmgmt' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
