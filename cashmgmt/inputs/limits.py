"""Bounds on what an input may hold, so any file is read in bounded time and memory.

Each bound is generous for a real client group (thousands of accounts, years of days) and
small enough that a hostile file ends in one located problem instead of a hang. The docs
(case-format.md) quote these names; a test checks that they agree.
"""

from __future__ import annotations

#: A case file (case.yaml) larger than this is refused before it is parsed. The largest
#: example (152 accounts) is under 60 KiB; the pure-Python YAML reader takes seconds per MiB.
MAX_CASE_FILE_BYTES = 4 * 1024 * 1024
#: Values (texts, numbers, lists and mappings, keys included) in a case file: each costs the
#: pure-Python YAML reader 40-100 µs, so this keeps the worst file to a few seconds. The
#: largest example has 4,762 for 152 accounts: room for some 1,500 accounts written alike.
MAX_YAML_NODES = 50_000
#: Levels of nesting in a case file (the examples need 6: the file, accounts, an account,
#: its terms, a list of tiers, a tier); deeper files are refused before they are built.
MAX_YAML_DEPTH = 32
#: Problems listed one by one per file; the rest are counted ("… and N more like these").
MAX_PROBLEMS = 50
#: A balance or FX table (CSV or .xlsx) larger than this is refused before it is read.
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: Longest run of calendar days an account may go without a figure (weekends, holidays
#: such as Golden Week carry the last balance forward).
MAX_GAP_DAYS = 14
