"""The command line: one command per public function, with the same names and defaults.

Importing it loads click and nothing heavy: each command imports what it needs when it runs,
so `cashmgmt --help` and `--version` answer at once.
"""

from __future__ import annotations

from cashmgmt.cli.commands import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_USAGE, cli, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_USAGE", "cli", "main"]
