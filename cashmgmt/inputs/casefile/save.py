"""Saving a case: the plain data of a version-1 case file, written as a new case folder."""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs
from ruamel.yaml import YAML

from cashmgmt.files import check_folder, write_output
from cashmgmt.inputs import tables
from cashmgmt.inputs.casefile.contacts import address_document, contact_document
from cashmgmt.inputs.casefile.load import FORMAT_VERSION
from cashmgmt.inputs.statements.history import read_history
from cashmgmt.model import (
    Case,
    Fees,
    IntercompanyChange,
    IntercompanyTerms,
    PhysicalStructure,
    Structure,
    Terms,
    Tier,
)
from cashmgmt.money import DEFAULT_CONTRACT_MONTHS, Money, format_rate


def _money(m: Money | None) -> str | None:
    return None if m is None else f"{format(m.amount, 'f')} {m.currency}"


def _number(d: Decimal) -> int | str:
    return int(d) if d == d.to_integral_value() else format(d, "f")


def _tiers(tiers: tuple[Tier, ...]) -> object:
    if len(tiers) == 1 and tiers[0].start == 0:
        return format_rate(tiers[0].rate)
    return [{"from": _number(t.start), "rate": format_rate(t.rate)} for t in tiers]


def _terms(terms: Terms) -> dict[str, object]:
    out: dict[str, object] = {"day_count": terms.day_count}
    if terms.credit:
        out["credit_rate"] = _tiers(terms.credit)
    if terms.debit:
        out["debit_rate"] = _tiers(terms.debit)
    if terms.tiering != "marginal":
        out["tiering"] = terms.tiering
    if terms.overdraft_limit is not None:
        out["overdraft_limit"] = _money(terms.overdraft_limit)
    if terms.penalty_rate is not None:
        out["penalty_rate"] = format_rate(terms.penalty_rate)
    if terms.changes:
        out["changes"] = _changes(terms)
    return out


def _changes(terms: Terms) -> list[dict[str, object]]:
    """Each dated change as the keys that differ from the terms in force before it."""
    out: list[dict[str, object]] = []
    previous = terms.first
    for change in terms.changes:
        now = change.terms
        stated: dict[str, object] = {"from": change.start.isoformat()}
        if now.credit != previous.credit:
            stated["credit_rate"] = _tiers(now.credit)
        if now.debit != previous.debit:
            stated["debit_rate"] = _tiers(now.debit)
        if now.tiering != previous.tiering:
            stated["tiering"] = now.tiering
        if now.overdraft_limit != previous.overdraft_limit and now.overdraft_limit is not None:
            stated["overdraft_limit"] = _money(now.overdraft_limit)
        if now.penalty_rate != previous.penalty_rate and now.penalty_rate is not None:
            stated["penalty_rate"] = format_rate(now.penalty_rate)
        if len(stated) == 1:  # a change that restates the terms in force: keep it
            stated["tiering"] = now.tiering
        out.append(stated)
        previous = now
    return out


def _drop_none(d: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in d.items() if v is not None}


def _fees(fees: Fees) -> dict[str, object] | None:
    out = _drop_none(
        {
            "per_sweep": _money(fees.per_sweep),
            "per_account_month": _money(fees.per_account_month),
            "setup": _money(fees.setup),
            "per_month": _money(fees.per_month),
        }
    )
    return out or None


def _structure(s: Structure) -> dict[str, object]:
    if isinstance(s, PhysicalStructure):
        rules = [
            _drop_none(
                {
                    "from": rule.participant,
                    "to": rule.header,
                    "rule": rule.kind,
                    "target": _money(rule.target),
                    "minimum": _money(rule.minimum),
                    "low": _money(rule.low),
                    "high": _money(rule.high),
                    "direction": None if rule.direction == "two-way" else rule.direction,
                }
            )
            for rule in s.rules
        ]
        return _drop_none(
            {
                "id": s.id,
                "name": s.name,
                "local_name": s.local_name,
                "kind": "physical",
                "sweep_days": s.sweep_days,
                "rules": rules,
                "fees": _fees(s.fees),
                "header_limit": {k: _money(v) for k, v in s.header_limit.items()} or None,
            }
        )
    shares = None if s.shares is None else {k: format_rate(v) for k, v in s.shares.items()}
    return _drop_none(
        {
            "id": s.id,
            "name": s.name,
            "local_name": s.local_name,
            "kind": "notional",
            "currency": s.currency,
            "accounts": list(s.accounts),
            "terms": _terms(s.terms),
            "allocation": s.allocation,
            "header": s.header,
            "shares": shares,
            "fees": _fees(s.fees),
            "currency_terms": None
            if s.currency_terms is None
            else {c: _terms(t) for c, t in s.currency_terms.items()},
            "offset_rate": None if s.offset_rate is None else format_rate(s.offset_rate),
            "haircut": None if s.haircut is None else format_rate(s.haircut),
        }
    )


def case_document(case: Case, balances: str = "balances.csv") -> dict[str, object]:
    """The case as the plain data of a version-1 case file."""
    c = case.client
    client = _drop_none(
        {
            "name": c.name,
            "local_name": c.local_name,
            "industry": c.industry,
            "local_industry": c.local_industry,
            "country": c.country,
            "annual_revenue": _money(c.annual_revenue),
            "language": c.language,
            "needs": list(c.needs) or None,
            "address": address_document(c.address),
            "local_address": address_document(c.local_address),
        }
    )
    entities = [
        _drop_none(
            {
                "id": e.id,
                "name": e.name,
                "local_name": e.local_name,
                "country": e.country,
                "parent": e.parent,
                "ownership": None if e.ownership is None else format_rate(e.ownership),
            }
        )
        for e in case.entities
    ]
    accounts = [
        _drop_none(
            {
                "id": a.id,
                "entity": a.entity,
                "bank": a.bank,
                "country": a.country,
                "currency": a.currency,
                "number": a.number,
                "terms": _terms(a.terms),
                "restricted": True if a.restricted else None,
                "facility": a.facility,
            }
        )
        for a in case.accounts
    ]
    return _drop_none(
        {
            "case": FORMAT_VERSION,
            "client": client,
            "base_currency": case.base_currency,
            "proposing_bank": case.proposing_bank,
            "entities": entities,
            "accounts": accounts,
            "balances": balances,
            "fx_rates": "fx.csv" if case.fx.series else None,
            "intercompany_rate": None
            if case.intercompany_rate is None
            else format_rate(case.intercompany_rate),
            "structures": [_structure(s) for s in case.structures] or None,
            "contract_months": None
            if case.contract_months == DEFAULT_CONTRACT_MONTHS
            else case.contract_months,
            "funds_transfer_price": None
            if case.funds_transfer_price is None
            else {c: format_rate(v) for c, v in case.funds_transfer_price.items()},
            "intercompany": _intercompany(case.intercompany),
            "relationship_manager": contact_document(case.relationship_manager),
            "product_specialist": contact_document(case.product_specialist),
            "statement_codes": _statement_codes(case),
        }
    )


def _intercompany(terms: IntercompanyTerms | None) -> dict[str, object] | None:
    """`intercompany:` as read (spreads of 0 and unstated day counts are not written)."""
    if terms is None:
        return None
    return _drop_none(
        {
            "rates": {c: format_rate(v) for c, v in terms.rates.items()} or None,
            "lending_spread": format_rate(terms.lending_spread) if terms.lending_spread else None,
            "borrowing_spread": format_rate(terms.borrowing_spread)
            if terms.borrowing_spread
            else None,
            "day_count": dict(terms.day_counts) or None,
            "changes": [_intercompany_change(step) for step in _steps(terms)] or None,
        }
    )


def _steps(terms: IntercompanyTerms) -> list[tuple[IntercompanyTerms, IntercompanyChange]]:
    """Each change with the terms in force before it."""
    before = [attrs.evolve(terms, changes=()), *(c.terms for c in terms.changes)]
    return list(zip(before, terms.changes, strict=False))


def _intercompany_change(step: tuple[IntercompanyTerms, IntercompanyChange]) -> dict[str, object]:
    """One dated change as the keys that differ from the terms in force before it (a change
    that restates the same terms keeps one key, so that it reads back)."""
    before, change = step
    after = change.terms
    rates = {c: format_rate(v) for c, v in after.rates.items() if before.rates.get(c) != v}
    if not rates and (after.lending_spread, after.borrowing_spread) == (
        before.lending_spread,
        before.borrowing_spread,
    ):
        rates = {c: format_rate(v) for c, v in after.rates.items()}
        if not rates:
            return {
                "from": change.start.isoformat(),
                "lending_spread": format_rate(after.lending_spread),
            }
    return _drop_none(
        {
            "from": change.start.isoformat(),
            "rates": rates or None,
            "lending_spread": format_rate(after.lending_spread)
            if after.lending_spread != before.lending_spread
            else None,
            "borrowing_spread": format_rate(after.borrowing_spread)
            if after.borrowing_spread != before.borrowing_spread
            else None,
        }
    )


def save_case(case: Case, folder: str | Path) -> Path:
    """Write `case` as a new case folder (case.yaml, balances.csv, fx.csv; the folder of
    statements instead of balances.csv when `balances:` named one); never overwrites:
    FileExistsError for a folder that is not empty, OutputError (located) for a folder that
    is or holds the case's own input files, a file, or a folder that cannot be written."""
    target = check_folder(folder, case.inputs)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: folder is not empty; cashmgmt never overwrites a case")
    statements = _statements_back(case)
    buffer = io.StringIO()
    _yaml_dump(case_document(case, statements[0] if statements else "balances.csv"), buffer)
    write_output(target / "case.yaml", buffer.getvalue().encode("utf-8"), case.inputs)
    if statements:
        for source, name in statements[1]:
            write_output(target / name, source.read_bytes(), case.inputs)
    else:
        balances = tables.balances_csv(case).encode("utf-8")
        write_output(target / "balances.csv", balances, case.inputs)
    if case.fx.series:
        write_output(target / "fx.csv", tables.fx_csv(case.fx).encode("utf-8"), case.inputs)
    return target / "case.yaml"


def _statements_back(case: Case) -> tuple[str, list[tuple[Path, Path]]] | None:
    """`balances:` as it was given when it named a folder of statements: the folder's name
    and its files (each with its name in the new case folder), if they still give the case's
    balance history; None (write balances.csv) when the history came from a table, or was
    changed since it was read."""
    if case.balances_from is None or not case.source:
        return None
    folder = Path(case.source).parent / case.balances_from
    try:
        history, problems, files = read_history(folder, case.accounts)
    except OSError:
        return None
    if problems or history != case.balances:
        return None
    named = Path(case.balances_from)
    return case.balances_from, [(f, named / f.relative_to(folder)) for f in files]


def _yaml_dump(data: object, stream: io.StringIO) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.representer.ignore_aliases = lambda _data: True  # a case file has no anchors
    yaml.dump(data, stream)


def _statement_codes(case: Case) -> dict[str, object] | None:
    """`statement_codes:` as read (None: not stated)."""
    codes = case.statement_codes
    if codes is None:
        return None
    mt940: dict[str, object] = {}
    if codes.mt940_sweeps:
        mt940["sweeps"] = list(codes.mt940_sweeps)
    if codes.mt940_references:
        mt940["references"] = list(codes.mt940_references)
    return {"mt940": mt940}
