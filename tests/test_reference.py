"""The shipped reference data loads into typed, immutable objects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from cashmgmt.model import AREAS
from cashmgmt.money import Money
from cashmgmt.reference.durations import task_durations
from cashmgmt.reference.pools import multicurrency_pool_terms
from cashmgmt.reference.products import products
from cashmgmt.reference.rates import reference_usd_rates
from cashmgmt.reference.rules import country_rules, disclaimer, trapping_countries


def test_usd_rates_are_dated_exact_decimals() -> None:
    table = reference_usd_rates()
    assert table.date == date(2025, 12, 31) and table.source
    assert table.rate("USD") == 1
    assert str(table.rate("CNY")) == "7.10" and table.rate("KWD") == Decimal("0.307")
    assert table.rate("XXX") is None


def test_products_carry_fees_as_money() -> None:
    catalog = products()
    assert len({p.id for p in catalog}) == len(catalog)
    assert all(p.area in AREAS for p in catalog)
    pool = next(p for p in catalog if p.id == "zero-balance-sweep")
    assert pool.fees.setup == Money(Decimal(5000), "USD") and pool.structure_kind == "physical"
    assert pool.fees.as_text() == {
        "setup": "5000",
        "monthly": "300",
        "per_account_month": "50",
        "per_transaction": "0",
    }
    assert pool.name.get("fr") == pool.name.get("en") != pool.name.get("zh-CN")


def test_country_rules_and_disclaimer() -> None:
    rules = country_rules()
    assert rules is country_rules()  # read once
    assert all(r.source.cite().endswith(r.source.url) for r in rules)
    assert disclaimer("fr") == disclaimer("en") != disclaimer("zh-CN")
    assert all(status != "permitted" for status in trapping_countries().values())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rules[0].status = "permitted"  # type: ignore[misc]


def test_task_durations() -> None:
    days = task_durations()
    assert days.task("kickoff").business_days({}) == 5
    assert days.channel("host-to-host").business_days({"banks": 2}) == 50
    # every source a task names is listed with a title and an address
    named = {t.source for t in (*days.tasks, *days.channels)} | {f.source for f in days.filings}
    listed = {k for k, _, _ in days.sources}
    assert named - {"assumption"} <= listed
    assert all(url.startswith("http") for _, _, url in days.sources)
    assert days.cite("assumption") == "assumption" and "swift.com" in days.cite("swift")
    assert {t.owner for t in (*days.tasks, *days.channels)} <= {"client", "bank", "both"}
    # the client's own tasks are never the bank's
    for own in ("board-resolution", "tax-opinion", "transfer-pricing", "erp-set-up"):
        assert days.task(own).owner == "client", own
    cn = days.filing("CN", "cross-border-sweep")
    assert cn is not None and cn.filing == "cn-cross-border-pool"


def test_multicurrency_pool_terms_are_sourced() -> None:
    shipped = multicurrency_pool_terms()
    assert shipped.date == date(2026, 11, 30)
    assert shipped.haircut == Decimal("0.08") and shipped.offset_margin == 0
    assert shipped.offset_rate((Decimal("0.01"), Decimal("0.02"))) == Decimal("0.02")
    assert shipped.offset_rate(()) == 0
    assert len(shipped.sources) == 4
    assert all(title and url.startswith("https://") for title, url in shipped.sources)
