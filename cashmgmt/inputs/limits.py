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
#: largest example has 7,619 for 152 accounts with their rate changes: room for some 1,000
#: accounts written alike.
MAX_YAML_NODES = 50_000
#: Levels of nesting in a case file (the examples need 8: the file, accounts, an account,
#: its terms, its changes, a change, a list of tiers, a tier); deeper files are refused
#: before they are built.
MAX_YAML_DEPTH = 32
#: Problems listed one by one per file; the rest are counted ("… and N more like these").
MAX_PROBLEMS = 50
#: A balance or FX table (CSV or .xlsx) larger than this is refused before it is read.
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: Longest run of calendar days an account may go without a figure (weekends, holidays
#: such as Golden Week carry the last balance forward).
MAX_GAP_DAYS = 14
#: Rows of a balance or FX table (the header included): 5,000 accounts for 2.7 years in the
#: long form; larger groups fit the wide form, one row a day. (Excel stops at 1,048,576.)
MAX_TABLE_ROWS = 5_000_000
#: Columns of a table: Excel's own limit (column XFD), room for a wide form of 16,383 accounts.
MAX_TABLE_COLUMNS = 16_384
#: Longest line of a CSV table, in characters: a full-width row at 256 characters a cell. A
#: longer line is not a table's row (a file without line breaks, or not CSV at all).
MAX_TABLE_LINE_CHARS = 4 * 1024 * 1024

#: Dated changes of one set of terms (a rate change every month for eight years fits); each
#: distinct date inside the history costs the engine one more posting pass.
MAX_RATE_CHANGES = 100

#: The shortest balance history the cycle annualises: four weeks hold every weekday four
#: times and span a month-end posting, so a year's figure is not 365 copies of one day.
MIN_HISTORY_DAYS = 28

#: Bank statements (inputs/statements): files read from one folder, and their total size. A
#: year of daily statements from twenty banks is 7,300 files; each reader bounds its own file.
MAX_STATEMENT_FILES = 10_000
MAX_STATEMENT_FOLDER_BYTES = 2 * 1024 * 1024 * 1024
#: Calendar days one statement may cover (a year: annual statements of a savings account);
#: a statement claiming more is refused before its days are listed.
MAX_STATEMENT_DAYS = 366
#: Calendar days an entry's value date may lie from its booking date (back- or forward-
#: valued): a quarter; further is a misread date, not a bank's value dating.
MAX_VALUE_DATE_DAYS = 92
