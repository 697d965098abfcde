"""Case files, version 1: load a case folder into the model, or save one."""

from cashmgmt.inputs.casefile.sections import load_case, save_case

__all__ = ["load_case", "save_case"]
