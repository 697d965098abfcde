"""cashmgmt: design cash-management structures for corporate groups and propose them.

The public API: load a case folder into the model, check it, and save it back.
"""

from __future__ import annotations

from cashmgmt.cycle.assess import Assessment, assess
from cashmgmt.cycle.celebrate import Success, celebrate
from cashmgmt.cycle.design import Design, design
from cashmgmt.cycle.execute import Plan, plan
from cashmgmt.documents import propose
from cashmgmt.engine.results import SimulationResult
from cashmgmt.engine.simulate import simulate
from cashmgmt.errors import AssessmentError, CaseError, Error, Problem, SimulationError, ThemeError
from cashmgmt.inputs.casefile import load_case, save_case
from cashmgmt.model import (
    Account,
    BalanceHistory,
    Case,
    Client,
    Entity,
    Fees,
    FxRates,
    NotionalPool,
    PhysicalStructure,
    SweepRule,
    Terms,
    Tier,
)
from cashmgmt.money import Money
from cashmgmt.render.proposal import Proposal

__version__ = "0.1.0"

__all__ = [
    "Account",
    "Assessment",
    "AssessmentError",
    "BalanceHistory",
    "Case",
    "CaseError",
    "Client",
    "Design",
    "Entity",
    "Error",
    "Fees",
    "FxRates",
    "Money",
    "NotionalPool",
    "PhysicalStructure",
    "Plan",
    "Problem",
    "Proposal",
    "SimulationError",
    "SimulationResult",
    "Success",
    "SweepRule",
    "Terms",
    "ThemeError",
    "Tier",
    "__version__",
    "assess",
    "celebrate",
    "design",
    "load_case",
    "plan",
    "propose",
    "save_case",
    "simulate",
]
