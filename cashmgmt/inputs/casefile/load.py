"""Loading a case: find its file, parse the YAML, read every section, check, read the tables."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path, PureWindowsPath
from typing import TypeVar

from cashmgmt.errors import MISSING, CaseError, Invalid, Missing, Problem, ok, shown
from cashmgmt.inputs import tables, validate
from cashmgmt.inputs.casefile.contacts import read_contact
from cashmgmt.inputs.casefile.parsers import currency, rate, text
from cashmgmt.inputs.casefile.reader import Reader, every, join, key_text
from cashmgmt.inputs.casefile.sections import (
    read_account,
    read_client,
    read_entity,
    read_intercompany,
    read_structure,
)
from cashmgmt.inputs.limits import MAX_CASE_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from cashmgmt.inputs.statements.history import read_history
from cashmgmt.inputs.yamlfile import Bounds, read_yaml
from cashmgmt.model import BalanceHistory, Case, Client, FxRates, StatementCodes, Structure
from cashmgmt.money import DEFAULT_CONTRACT_MONTHS, MAX_CONTRACT_MONTHS

T = TypeVar("T")

#: What a case file may hold (limits.py says why).
CASE_FILE = Bounds("a case file", MAX_CASE_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES)
FORMAT_VERSION = 1
CASE_NAMES = ("case.yaml", "case.yml")


def find_case_file(path: Path) -> Path:
    """The case YAML for a folder or file path (CaseError naming the path if none)."""
    if path.is_dir():
        for name in CASE_NAMES:
            if (path / name).is_file():
                return path / name
        raise CaseError([Problem(str(path), "", "expected a case folder holding case.yaml")])
    if path.is_file():
        return path
    raise CaseError(
        [Problem(str(path), "", "no such file or folder; expected a case folder or case.yaml")]
    )


TOP_KEYS = (
    "case",
    "client",
    "base_currency",
    "proposing_bank",
    "entities",
    "accounts",
    "balances",
    "fx_rates",
    "intercompany_rate",
    "structures",
    "contract_months",
    "funds_transfer_price",
    "intercompany",
    "relationship_manager",
    "product_specialist",
    "statement_codes",
)


def load_case(path: str | Path) -> Case:
    """Load and check a case folder (or its YAML file); CaseError lists every problem."""
    file = find_case_file(Path(path))
    folder = file.parent
    label = str(file)
    if not file.resolve().is_relative_to(folder.resolve()):
        # a link to /etc/passwd would otherwise be parsed and echoed in the messages
        raise CaseError(
            [
                Problem(
                    label,
                    "",
                    "expected a case file inside its case folder; this one is a link to a "
                    "file elsewhere, which is not read",
                )
            ]
        )
    data, problems = read_yaml(file, label, CASE_FILE)
    if problems:
        raise CaseError(problems)
    r = Reader(label)
    top = r.mapping(data, "", TOP_KEYS)
    if not isinstance(data, Mapping):
        raise CaseError(r.finish())
    version = r.get(top, "case", "", _version)
    client: Client | Missing = MISSING
    if top.get("client") is None:
        r.problem("client", "missing; expected the client: name, industry, country, …")
    else:
        client = read_client(r, top["client"])
    base = r.get(top, "base_currency", "", currency)
    bank = r.get(top, "proposing_bank", "", text, default=None)
    entities = [
        read_entity(r, item, f"entities[{i}]")
        for i, item in enumerate(r.section(top, "entities", "entities"))
    ]
    accounts = [
        read_account(r, item, f"accounts[{i}]")
        for i, item in enumerate(r.section(top, "accounts", "accounts"))
    ]
    currencies = {a.id: a.currency for a in accounts if ok(a)}
    raw_structures = r.sequence(top.get("structures") or [], "structures")
    structures = [
        read_structure(r, item, f"structures[{i}]", currencies)
        for i, item in enumerate(raw_structures)
    ]
    ic_rate = r.get(top, "intercompany_rate", "", rate, default=None)
    months = r.get(top, "contract_months", "", contract_months, default=DEFAULT_CONTRACT_MONTHS)
    ftp = _transfer_prices(r, top.get("funds_transfer_price"))
    ic_terms = (
        None
        if top.get("intercompany") is None
        else read_intercompany(r, top["intercompany"], ic_rate)
    )
    manager = read_contact(r, top.get("relationship_manager"), "relationship_manager")
    specialist = read_contact(r, top.get("product_specialist"), "product_specialist")
    codes = _statement_codes(r, top.get("statement_codes"))
    balances_name = _table_or_folder(
        r, folder, _inside(r, folder, "balances", r.get(top, "balances", "", _balances_name))
    )
    fx_name = _inside(r, folder, "fx_rates", r.get(top, "fx_rates", "", _file_name, default=None))
    if isinstance(top.get("entities"), list) and not entities:
        r.problem("entities", "expected at least one entity")
    if isinstance(top.get("accounts"), list) and not accounts:
        r.problem("accounts", "expected at least one account")
    good_accounts = [a for a in accounts if ok(a)]
    r.add(validate.check_ids(label, top))
    r.add(validate.check_entities(label, top))
    r.add(validate.check_accounts(label, top, bank if ok(bank) else None))
    r.add(validate.check_structures(label, top, currencies))
    r.add(validate.check_poolable(label, top))
    problems = r.finish()

    history: BalanceHistory | Missing = MISSING
    fx: FxRates | Missing = MISSING
    read_from = [file]  # the case's input files, which outputs must never replace
    balances_from: str | None = None  # the folder of statements `balances:` names
    if ok(balances_name) and (folder / balances_name).is_dir():
        balances_from = balances_name
        history, table_problems, statement_files = read_history(
            folder / balances_name, good_accounts
        )
        read_from += statement_files
        problems += table_problems
    elif ok(balances_name):
        read_from.append(folder / balances_name)
        unreadable = validate.known_ids(top, "accounts") - set(currencies)
        history, table_problems = tables.read_balances(
            folder / balances_name, good_accounts, unreadable
        )
        problems += table_problems
    if ok(base) and ok(fx_name):
        fx_path = folder / fx_name if fx_name is not None else None
        read_from += [fx_path] if fx_path is not None else []
        fx, fx_problems = tables.read_fx(fx_path, base)
        problems += fx_problems
        if ok(history) and ok(fx):
            problems += validate.check_fx_coverage(
                label,
                str(folder / fx_name) if fx_name else None,
                fx,
                history,
                good_accounts,
                [s for s in structures if s is not MISSING],
            )
    read_entities, read_accounts = every(entities), every(accounts)
    read_structures: tuple[Structure, ...] | Missing = every(structures)  # a union: name T
    if (
        problems
        or version is MISSING
        or client is MISSING
        or base is MISSING
        or bank is MISSING
        or ic_rate is MISSING
        or months is MISSING
        or ftp is MISSING
        or ic_terms is MISSING
        or history is MISSING
        or fx is MISSING
        or read_entities is MISSING
        or read_accounts is MISSING
        or read_structures is MISSING
        or manager is MISSING
        or specialist is MISSING
        or codes is MISSING
    ):
        raise CaseError(problems or [Problem(label, "", "expected a complete case")])
    return Case(
        client=client,
        base_currency=base,
        entities=read_entities,
        accounts=read_accounts,
        balances=history,
        fx=fx,
        structures=read_structures,
        intercompany_rate=ic_rate,
        proposing_bank=bank,
        source=label,
        inputs=tuple(str(p) for p in read_from),
        contract_months=months,
        funds_transfer_price=ftp,
        intercompany=ic_terms,
        relationship_manager=manager,
        product_specialist=specialist,
        statement_codes=codes,
        balances_from=balances_from,
    )


def contract_months(value: object) -> int:
    """Whole months from 1 to 120 over which set-up fees are spread, like 36."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"whole months from 1 to {MAX_CONTRACT_MONTHS}, like 36", value)
    if not 1 <= value <= MAX_CONTRACT_MONTHS:
        raise Invalid(f"whole months from 1 to {MAX_CONTRACT_MONTHS}", value)
    return value


def _transfer_prices(r: Reader, data: object) -> dict[str, Decimal] | Missing | None:
    """`funds_transfer_price:`, a mapping of ISO 4217 codes to yearly rates (None if absent);
    MISSING, with a problem at each faulty entry, if any entry is wrong."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        r.problem(
            "funds_transfer_price",
            Invalid("a mapping of currencies to rates, like {EUR: 3%}", data).message,
        )
        return MISSING
    out: dict[str, Decimal] = {}
    good = True
    for key, value in data.items():
        place = join("funds_transfer_price", key_text(key))
        code = r.value(key, place, currency)
        found = r.value(value, place, rate)
        if code is MISSING or found is MISSING:
            good = False
            continue
        out[code] = found
    return out if good else MISSING


def _statement_codes(r: Reader, data: object) -> StatementCodes | Missing | None:
    """`statement_codes: {mt940: {sweeps: [...], references: [...]}}` (None if absent):
    MT940 transaction type codes and references that mark the structure's sweeps."""
    if data is None:
        return None
    top = r.mapping(data, "statement_codes", ("mt940",))
    mt = r.mapping(top.get("mt940") or {}, "statement_codes.mt940", ("sweeps", "references"))
    good = isinstance(data, Mapping) and isinstance(top.get("mt940") or {}, Mapping)
    found: dict[str, tuple[str, ...]] = {}
    for key, parse in (("sweeps", _type_code), ("references", text)):
        place = join("statement_codes.mt940", key)
        items = r.sequence(mt.get(key) or [], place)
        if mt.get(key) is not None and not isinstance(mt.get(key), list):
            good = False
        values = [r.value(v, f"{place}[{i}]", parse) for i, v in enumerate(items)]
        good = good and all(v is not MISSING for v in values)
        found[key] = tuple(v for v in values if isinstance(v, str))
    if not good:
        return MISSING
    return StatementCodes(found["sweeps"], found["references"])


def _type_code(value: object) -> str:
    """An MT940 transaction type code: N, S or F and three letters or digits (NCMZ), or
    the three alone (CMZ)."""
    if not isinstance(value, str):
        raise Invalid("an MT940 transaction type code, like NCMZ or CMZ", value)
    code = value.strip().upper()
    ok_three = len(code) == 3 and code.isalnum() and code.isascii()
    ok_four = len(code) == 4 and code[0] in "NSF" and code[1:].isalnum() and code.isascii()
    if not (ok_three or ok_four):
        raise Invalid("an MT940 transaction type code, like NCMZ or CMZ", value)
    return code


def _version(value: object) -> int:
    """The format version: 1."""
    if value != FORMAT_VERSION or isinstance(value, bool):
        raise Invalid(f"the format version {FORMAT_VERSION}", value)
    return FORMAT_VERSION


def _file_name(value: object) -> str:
    """A .csv or .xlsx file name relative to the case folder."""
    name = text(value)
    if not name.lower().endswith((".csv", ".xlsx")):
        raise Invalid("a .csv or .xlsx file name relative to the case folder", value)
    _relative(name, value)
    return name


def _relative(name: str, value: object) -> None:
    """Refuse a name that leads out of the case folder by its spelling (`/…`, `C:`, `..`)."""
    windows = PureWindowsPath(name)  # splits at / and \ alike, and knows drives
    if windows.anchor or name.startswith(("/", "\\")) or ".." in windows.parts:
        raise Invalid("a file name relative to the case folder, inside it (no /… or ..)", value)


def _balances_name(value: object) -> str:
    """`balances:`: a .csv or .xlsx file name, or the name of a folder of bank statements,
    relative to the case folder (which of the two is known once the folder is looked at)."""
    name = text(value)
    if name.lower().endswith((".csv", ".xlsx")):
        return _file_name(value)
    _relative(name, value)
    return name


def _table_or_folder(r: Reader, folder: Path, name: str | Missing) -> str | Missing:
    """A `balances:` name that is neither a table nor a folder is a problem at the key."""
    if not isinstance(name, str) or name.lower().endswith((".csv", ".xlsx")):
        return name
    if not (folder / name).is_dir():
        r.problem(
            "balances",
            f"expected a .csv or .xlsx file name, or a folder of bank statements, relative "
            f"to the case folder; there is no folder {shown(name)}",
        )
        return MISSING
    return name


def _inside(r: Reader, folder: Path, key: str, name: T | Missing) -> T | Missing:
    """The table name, if it leads to a place inside the case folder once symbolic links
    are followed (else MISSING and a problem at `key`: the docs promise tables in the
    folder, and nothing outside it is read)."""
    if not isinstance(name, str):
        return name
    try:
        inside = (folder / name).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        inside = False
    if not inside:
        r.problem(key, "expected a file inside the case folder; this name leads outside it")
        return MISSING
    return name
