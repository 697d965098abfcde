"""Shared helpers: write small case folders from plain data, and run the CLI."""

from __future__ import annotations

import copy
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

BASE_CASE: dict[str, Any] = {
    "case": 1,
    "client": {
        "name": "Test Group",
        "local_name": "测试集团",
        "industry": "Beverages",
        "country": "CN",
        "annual_revenue": "8600000000 CNY",
        "language": "zh-CN",
        "needs": ["visibility", "idle-cash"],
    },
    "base_currency": "CNY",
    "proposing_bank": "CCB",
    "entities": [
        {"id": "HQ", "name": "HQ Co", "country": "CN"},
        {"id": "EAST", "name": "East Co", "country": "CN", "parent": "HQ", "ownership": "100%"},
        {"id": "NOR", "name": "Nord AS", "country": "NO", "parent": "HQ", "ownership": "60%"},
    ],
    "accounts": [
        {
            "id": "HQ-CNY",
            "entity": "HQ",
            "bank": "CCB",
            "country": "CN",
            "currency": "CNY",
            "number": "31050161393600000123",
            "terms": {
                "day_count": "ACT/360",
                "credit_rate": "0.35%",
                "debit_rate": "4.35%",
                "overdraft_limit": "0 CNY",
                "penalty_rate": "8%",
            },
        },
        {
            "id": "EAST-CNY",
            "entity": "EAST",
            "bank": "ICBC",
            "country": "CN",
            "currency": "CNY",
            "terms": {
                "credit_rate": [{"from": 0, "rate": "0.2%"}, {"from": 1000000, "rate": "0.8%"}],
                "tiering": "whole",
            },
        },
        {"id": "NOR-USD", "entity": "NOR", "bank": "CCB", "country": "NO", "currency": "USD"},
    ],
    "balances": "balances.csv",
    "fx_rates": "fx.csv",
    "intercompany_rate": "3.1%",
    "structures": [
        {
            "id": "zba",
            "name": "Zero balance",
            "kind": "physical",
            "sweep_days": "business",
            "rules": [{"from": "EAST-CNY", "to": "HQ-CNY", "rule": "zero-balance"}],
            "fees": {"per_sweep": "5 CNY", "per_account_month": "100 CNY", "setup": "20000 CNY"},
        },
        {
            "id": "pool",
            "name": "Notional",
            "kind": "notional",
            "currency": "USD",
            "accounts": ["HQ-CNY", "NOR-USD"],
            "terms": {"day_count": "ACT/360", "credit_rate": "1.5%", "debit_rate": "5.2%"},
            "allocation": "fair-share",
        },
    ],
}

BASE_BALANCES = """date,account,balance
2025-01-01,HQ-CNY,1000.00
2025-01-01,EAST-CNY,-50.5
2025-01-01,NOR-USD,20
2025-01-03,HQ-CNY,1200.00
2025-01-06,EAST-CNY,-70.00
2025-01-06,NOR-USD,25
2025-01-06,HQ-CNY,900
"""

#: The base history carried on to four weeks, long enough for the cycle to annualise
#: (MIN_HISTORY_DAYS): the same balances, given again on 2025-01-17 and 2025-01-28.
MONTH_BALANCES = BASE_BALANCES + "".join(
    f"{day},{account},{value}\n"
    for day in ("2025-01-17", "2025-01-28")
    for account, value in (("HQ-CNY", "900"), ("EAST-CNY", "-70.00"), ("NOR-USD", "25"))
)

BASE_FX = """date,currency,rate
2025-01-01,USD,7.20
2025-01-03,USD,7.21
2025-01-17,USD,7.21
"""


def dump_yaml(data: object) -> str:
    """Plain data as YAML 1.2 text."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.representer.ignore_aliases = lambda _data: True  # case files refuse anchors
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def write_case(
    folder: Path,
    case: object | None = None,
    balances: str = BASE_BALANCES,
    fx: str | None = BASE_FX,
) -> Path:
    """Write a case folder (case.yaml, balances.csv, fx.csv) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = copy.deepcopy(BASE_CASE) if case is None else case
    text = data if isinstance(data, str) else dump_yaml(data)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    (folder / "balances.csv").write_text(balances, encoding="utf-8")
    if fx is not None:
        (folder / "fx.csv").write_text(fx, encoding="utf-8")
    return folder


def one_group(
    accounts: list[dict[str, Any]],
    series: dict[str, list[str]],
    start: date,
    structures: list[dict[str, Any]] | None = None,
    base: str = "CNY",
) -> tuple[dict[str, Any], str]:
    """A one-entity case with the given accounts and a daily balance series for each."""
    doc: dict[str, Any] = {
        "case": 1,
        "client": {
            "name": "Example",
            "industry": "Test",
            "country": "CN",
            "annual_revenue": f"1000000 {base}",
        },
        "base_currency": base,
        "entities": [{"id": "E", "name": "Example Co", "country": "CN"}],
        "accounts": [{"entity": "E", "bank": "Bank", "country": "CN", **a} for a in accounts],
        "balances": "balances.csv",
        "structures": structures or [],
    }
    rows = ["date,account,balance"]
    days = len(next(iter(series.values())))
    for d in range(days):
        for account, values in series.items():
            rows.append(f"{(start + timedelta(days=d)).isoformat()},{account},{values[d]}")
    return doc, "\n".join(rows) + "\n"
