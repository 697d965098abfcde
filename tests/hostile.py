"""Hostile inputs for test_hostile.py: generators, and a CLI runner with time and memory bounds.

Every input is written by these functions into a fresh folder (nothing binary is committed):
a small valid case that each hostile case then breaks in one place, workbooks assembled
from their XML parts (so a part can be left out, cut short or damaged), and the CLI run in a
subprocess under the bounds issue 11 promises.

How the bounds are enforced and measured (the choice, measured on this project):

- **Time**: 10 s per run. A run is over time when it is over on both clocks, wall-clock and
  CPU (all its threads): over on the wall clock alone means the machine was busy with other
  work (the suite runs two cases at a time, often beside other test runs); over on CPU alone
  means it used several cores. A run that blocks without using CPU (on a FIFO) is killed, with
  its process group, at three times the limit on the wall clock, and one that spins is
  stopped by ``RLIMIT_CPU`` at the same multiple; both are failures.
- **Memory**: 500 MB, as peak resident memory (``ru_maxrss``, read for that very child with
  ``os.wait4``), asserted after each run; the worst is reported. The kernel also enforces it,
  as ``RLIMIT_DATA`` (heap and private anonymous memory) set to 500 MB before the CLI starts,
  so a blow-up (a YAML alias bomb) ends in a MemoryError instead of eating the machine.
  ``RLIMIT_AS`` was measured and rejected: address space counts reservations that are never
  touched. A normal ``propose --html`` of aurora-industrial peaks at about 250 MB resident but
  fails under a 500 MB ``RLIMIT_AS`` (OpenBLAS cannot reserve its per-thread buffers), while
  it passes under a 500 MB ``RLIMIT_DATA``. For the same reason BLAS runs single-threaded
  (``OPENBLAS_NUM_THREADS=1``): its buffers grow with the host's cores, not with the input.
- **Permissions**: when the tests run as root, the CLI runs without the two capabilities that
  let root read and write anything (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, dropped
  from the bounding set before exec), so an unreadable table or a read-only folder behaves
  as it does for an RM.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 10.0  # seconds per CLI run, wall-clock and CPU (see above)
HARD_STOP = 3 * TIME_LIMIT  # a run still going is killed: it has failed in any case
MEMORY_LIMIT = 500 * 1024 * 1024  # bytes: peak resident memory, and RLIMIT_DATA

CLI = 'import sys; sys.argv[0] = "cashmgmt"; from cashmgmt.cli import main; main()'

# Runs in the child: bounds its memory and CPU time, drops root's file-permission override,
# then runs the CLI as its own child and writes that child's exit status, peak resident
# memory and CPU time to a report file. The CLI is forked from this small process rather
# than from pytest: Linux counts the memory a process had before exec in its peak, and a
# child forked from pytest would start with pytest's.
WRAPPER = """
import ctypes, os, resource, sys
limit, seconds, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
if os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[4], *sys.argv[5:]])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(f"{status} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
"""


@dataclass(frozen=True)
class Run:
    """One CLI run: its arguments, exit status, output and what it cost."""

    args: tuple[str, ...]
    status: int
    stdout: str
    stderr: str
    seconds: float  # wall-clock
    cpu_seconds: float
    peak_bytes: int  # peak resident memory
    timed_out: bool

    @property
    def over_time(self) -> bool:
        """Over TIME_LIMIT on both clocks (or stopped)."""
        return self.timed_out or min(self.seconds, self.cpu_seconds) > TIME_LIMIT

    def describe(self) -> str:
        """The run in a few lines, for an assertion message."""
        err = self.stderr if len(self.stderr) < 3000 else self.stderr[:3000] + " …"
        out = self.stdout if len(self.stdout) < 600 else self.stdout[:600] + " …"
        return (
            f"cashmgmt {' '.join(self.args)}\n  exit {self.status}"
            f"{' (stopped at the time limit)' if self.timed_out else ''}, "
            f"{self.seconds:.1f} s ({self.cpu_seconds:.1f} s CPU), "
            f"{self.peak_bytes / 2**20:.0f} MB\n"
            f"  stderr: {err}\n  stdout: {out}"
        )


def child_environment() -> dict[str, str]:
    """The environment of a CLI run: this checkout first on the path, no debug traceback."""
    env = {k: v for k, v in os.environ.items() if k != "CASHMGMT_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    env["OPENBLAS_NUM_THREADS"] = "1"  # BLAS buffers grow with the host's cores (see above)
    env["PYTHONHASHSEED"] = "0"
    return env


def run_cli(args: Sequence[str], cwd: Path, program: str = CLI, limit: float = HARD_STOP) -> Run:
    """Run `cashmgmt ARGS` (or another Python program) in a subprocess, bounded in memory
    and stopped after `limit` seconds (wall-clock or CPU)."""
    out_path, err_path, report = cwd / ".run-stdout", cwd / ".run-stderr", cwd / ".run-report"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.monotonic()
        bounds = [str(MEMORY_LIMIT), str(int(limit)), str(report)]
        wrapper = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, *bounds, program, *args],
            cwd=cwd,
            env=child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            wrapper.wait(timeout=limit)
            stopped = False
        except subprocess.TimeoutExpired:
            os.killpg(wrapper.pid, signal.SIGKILL)  # the wrapper and the CLI
            wrapper.wait()
            stopped = True
        seconds = time.monotonic() - start
    stdout = out_path.read_bytes().decode("utf-8", "replace")
    stderr = err_path.read_bytes().decode("utf-8", "replace")
    status, peak_kb, cpu = -int(signal.SIGKILL), 0, seconds
    if report.exists():
        raw_status, raw_peak, raw_cpu = report.read_text().split()
        status = os.waitstatus_to_exitcode(int(raw_status))
        peak_kb, cpu = int(raw_peak), float(raw_cpu)
        report.unlink()
    for path in (out_path, err_path):
        path.unlink()
    return Run(
        args=tuple(args),
        status=status,
        stdout=stdout,
        stderr=stderr,
        seconds=seconds,
        cpu_seconds=cpu,
        peak_bytes=peak_kb * 1024,  # Linux reports kilobytes
        timed_out=stopped or status in (-signal.SIGXCPU, -signal.SIGKILL),
    )


# ------------------------------------------------------------------------------- snapshots


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under root: its kind and, for a file, a hash of its bytes (or its inode
    and size when it cannot be read); for a link, its target. FIFOs are never opened."""
    entries: dict[str, tuple[str, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            info = path.lstat()
            key = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                entries[key] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entries[key] = ("folder", "")
            elif stat.S_ISREG(info.st_mode):
                entries[key] = ("file", _digest(path, info))
            else:
                entries[key] = ("special", f"{stat.S_IFMT(info.st_mode):o}")
    return entries


def _digest(path: Path, info: os.stat_result) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return f"unreadable inode {info.st_ino} size {info.st_size} mtime {info.st_mtime_ns}"


def changes(
    before: Mapping[str, tuple[str, str]],
    after: Mapping[str, tuple[str, str]],
    allowed: Iterable[str] = (),
) -> list[str]:
    """What a run changed under the folder: changed or removed entries, and new ones other
    than the output it was asked to write (a temp file left behind counts)."""
    allowed = set(allowed)
    found = [f"changed: {k}" for k in before if k in after and before[k] != after[k]]
    found += [f"removed: {k}" for k in before if k not in after]
    found += [f"new: {k}" for k in after if k not in before and k not in allowed]
    return found


# ------------------------------------------------------------------------------ case files


def yaml_text(data: object) -> str:
    """YAML for plain data (block style, keys in the order given)."""
    yaml = YAML()  # round-trip: keys stay in the order written
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


FIRST_DAY = date(2025, 1, 1)
DAYS = 365  # a year of history: enough for any minimum history the fix may ask for
EUR_RATE = "0.8512"  # GBP per EUR


def base_case() -> dict[str, Any]:
    """A small valid case: two entities, three accounts (GBP and EUR), a sweep and a pool."""
    terms = {"day_count": "ACT/365", "credit_rate": "1%", "debit_rate": "8%"}
    return {
        "case": 1,
        "client": {
            "name": "Hostile Test Group",
            "industry": "Testing",
            "country": "GB",
            "annual_revenue": "60000000 GBP",
            "language": "en",
            "needs": ["liquidity"],
        },
        "base_currency": "GBP",
        "proposing_bank": "Test Bank",
        "entities": [
            {"id": "HQ", "name": "Hostile Holdings Ltd", "country": "GB"},
            {"id": "DE", "name": "Hostile GmbH", "country": "DE", "parent": "HQ"},
        ],
        "accounts": [
            {
                "id": "HQ-GBP",
                "entity": "HQ",
                "bank": "Test Bank",
                "country": "GB",
                "currency": "GBP",
                "number": "40-47-84 61728394",
                "terms": {**terms, "overdraft_limit": "10000 GBP", "penalty_rate": "12%"},
            },
            {
                "id": "OPS-GBP",
                "entity": "HQ",
                "bank": "Test Bank",
                "country": "GB",
                "currency": "GBP",
                "terms": {
                    "credit_rate": [{"from": 0, "rate": "0.5%"}, {"from": 50000, "rate": "1.5%"}]
                },
            },
            {
                "id": "DE-EUR",
                "entity": "DE",
                "bank": "Test Bank",
                "country": "DE",
                "currency": "EUR",
                "terms": dict(terms),
            },
        ],
        "balances": "balances.csv",
        "fx_rates": "fx.csv",
        "intercompany_rate": "3%",
        "structures": [
            {
                "id": "sweep",
                "name": "Weekly sweep into the header",
                "kind": "physical",
                "sweep_days": "weekly:FRI",
                "rules": [
                    {"from": "OPS-GBP", "to": "HQ-GBP", "rule": "target", "target": "5000 GBP"}
                ],
                "fees": {"per_account_month": "5 GBP", "setup": "1000 GBP"},
            },
            {
                "id": "pool",
                "name": "GBP and EUR notional pool",
                "kind": "notional",
                "currency": "GBP",
                "accounts": ["HQ-GBP", "DE-EUR"],
                "terms": {"credit_rate": "1.2%", "debit_rate": "6%"},
            },
        ],
    }


def days(count: int = DAYS, first: date = FIRST_DAY) -> list[date]:
    """Consecutive calendar days."""
    return [first + timedelta(days=i) for i in range(count)]


def balance(account: int, day: int) -> str:
    """A deterministic balance with cents, sometimes negative."""
    cents = ((account * 7919 + day * 104729) % 9_000_000) - 1_500_000
    return f"{cents // 100}.{cents % 100:02d}"


def balance_rows(accounts: Sequence[str], count: int = DAYS) -> list[list[str]]:
    """The long-form balance table (header first)."""
    rows = [["date", "account", "balance"]]
    for d, day in enumerate(days(count)):
        rows += [[day.isoformat(), a, balance(i, d)] for i, a in enumerate(accounts)]
    return rows


def wide_rows(accounts: Sequence[str], count: int = DAYS, step: int = 1) -> list[list[str]]:
    """The wide-form balance table (header first); one row every `step` days (the days in
    between carry the balances forward, as the format allows for gaps of up to 14 days)."""
    rows = [["date", *accounts]]
    for d, day in list(enumerate(days(count)))[::step]:
        rows.append([day.isoformat(), *(balance(i, d) for i in range(len(accounts)))])
    return rows


def fx_rows(rates: Mapping[str, str] | None = None, count: int = DAYS) -> list[list[str]]:
    """The FX table: the same rate every day per currency (default EUR only)."""
    rates = rates or {"EUR": EUR_RATE}
    rows = [["date", "currency", "rate"]]
    for day in days(count):
        rows += [[day.isoformat(), code, rate] for code, rate in rates.items()]
    return rows


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text with \\n line ends."""
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows(rows)
    return stream.getvalue()


def account_ids(case: Mapping[str, Any]) -> list[str]:
    """The ids of a case document's accounts."""
    return [a["id"] for a in case["accounts"]]


def write_case(
    folder: Path,
    case: Mapping[str, Any] | None = None,
    *,
    yaml: str | None = None,
    balances: str | bytes | None = None,
    fx: str | bytes | None = None,
) -> Path:
    """Write a case folder: case.yaml (from data or raw text), balances.csv and fx.csv
    (generated from the case's accounts unless given). Returns the folder."""
    document = base_case() if case is None else case
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(yaml if yaml is not None else yaml_text(document), "utf-8")
    tables = {
        "balances.csv": balances
        if balances is not None
        else csv_text(balance_rows(account_ids(document))),
        "fx.csv": fx if fx is not None else csv_text(fx_rows()),
    }
    for name, content in tables.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


# ------------------------------------------------------------------------------ workbooks


@dataclass(frozen=True)
class Formula:
    """A formula cell; `cached` is its stored value (None: a formula never calculated)."""

    text: str
    cached: str | None = None


@dataclass(frozen=True)
class Raw:
    """A cell written as it stands: `<v>` text and an optional type (INF, NaN …)."""

    value: str
    kind: str | None = None


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a name, rows of cells, and the odd things a workbook may carry."""

    name: str
    rows: Sequence[Sequence[object]]
    hidden: bool = False
    dimension: str | None = None  # the <dimension ref>, as written by the sheet
    styled_blank_columns: int = 0  # formatted but empty cells after the data, every row
    far_corner: str | None = None  # one formatted empty cell far away, as XFD1048576


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(value.cached)}</v>"
        return f'<c r="{ref}"><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, Raw):
        kind = f' t="{value.kind}"' if value.kind else ""
        return f'<c r="{ref}"{kind}><v>{escape(value.value)}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(sheet: Sheet) -> str:
    """The worksheet part."""
    width = max((len(r) for r in sheet.rows), default=1)
    rows = []
    for r, cells in enumerate(sheet.rows, start=1):
        xml = "".join(_cell(f"{column_name(c)}{r}", v) for c, v in enumerate(cells))
        xml += "".join(
            f'<c r="{column_name(width + k)}{r}" s="1"/>' for k in range(sheet.styled_blank_columns)
        )
        rows.append(f'<row r="{r}">{xml}</row>')
    if sheet.far_corner:
        number = "".join(c for c in sheet.far_corner if c.isdigit())
        rows.append(f'<row r="{number}"><c r="{sheet.far_corner}" s="1"/></row>')
    last = column_name(width + sheet.styled_blank_columns - 1)
    ref = sheet.dimension or f"A1:{last}{max(len(sheet.rows), 1)}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{ref}"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
    )


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def xlsx_parts(sheets: Sequence[Sheet]) -> dict[str, str]:
    """The parts of a workbook holding these sheets, by name in the package."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(sheets) + 1)
    )
    hidden = ' state="hidden"'
    entries = "".join(
        f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"{hidden if s.hidden else ""}/>'
        for i, s in enumerate(sheets, start=1)
    )
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{kinds}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    styles_id = len(sheets) + 1
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{kinds}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{entries}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{links}<Relationship Id="rId{styles_id}" Type="{kinds}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": STYLES,
    }
    for i, sheet in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(sheet)
    return parts


def zip_bytes(parts: Mapping[str, str | bytes], stored: bool = False) -> bytes:
    """A zip package of these parts (deflated, or stored so a byte can be damaged)."""
    stream = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(stream, "w", method) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return stream.getvalue()


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """A workbook holding these sheets."""
    return zip_bytes(xlsx_parts(sheets))


def damage_crc(package: bytes, part: str) -> bytes:
    """The package with one byte of a stored part's data changed: its CRC no longer matches."""
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        info = z.getinfo(part)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle] = ord("7") if data[middle] != ord("7") else ord("8")
    return bytes(data)


# An OLE2 compound file header (an .xls, or an encrypted .xlsx, starts with these bytes).
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def ole2_bytes(streams: Sequence[str] = ("Workbook",)) -> bytes:
    """Bytes that look like an OLE2 compound file (an .xls or a password-protected workbook):
    the signature, a plausible header, and the stream names in UTF-16 as they appear in the
    directory. Not a readable compound file: nothing should need to read one."""
    header = bytearray(512)
    header[:8] = OLE2_MAGIC
    header[24:26] = (0x3E).to_bytes(2, "little")  # minor version
    header[26:28] = (0x03).to_bytes(2, "little")  # major version 3
    header[28:30] = (0xFFFE).to_bytes(2, "little")  # little-endian byte order
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in ["Root Entry", *streams]
    )
    return bytes(header) + directory.ljust(512 * 3, b"\0")
