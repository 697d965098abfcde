"""Case files, version 1: load a case folder into the model, or save one.

Loading collects every problem (file, place, what was expected) before it gives up, so
the RM fixes a case in one pass; see docs/case-format.md for the contract.
"""

from cashmgmt.inputs.casefile.load import load_case
from cashmgmt.inputs.casefile.save import case_document, save_case

__all__ = ["case_document", "load_case", "save_case"]
