"""Portfolio runs: the assessment and design of a bank's whole book of corporate clients,
ranked by opportunity, with the coverage plan the book needs (issue 16)."""

import sys
import types
from typing import Any


class _Callable(types.ModuleType):
    """`cashmgmt.portfolio(book, ...)` runs a book although `cashmgmt.portfolio` is also this
    package (importing a submodule sets the package as the attribute of `cashmgmt`): calling
    the package calls cashmgmt.portfolio.run.portfolio."""

    def __call__(self, book: Any, **options: Any) -> Any:
        from cashmgmt.portfolio.run import portfolio

        return portfolio(book, **options)


sys.modules[__name__].__class__ = _Callable
