"""The department's summary of a book (cashmgmt.portfolio.report): the coverage plan against
figures worked out by hand, exact totals, the ranking and the JSON keys."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashmgmt.errors import Problem
from cashmgmt.portfolio.report import (
    Capacity,
    coverage_plan,
    heads,
    rank,
    summarise,
    telephone_clients,
)
from cashmgmt.portfolio.rows import CaseRow


def row(
    case: str,
    segment: str = "mid",
    *,
    country: str = "DE",
    benefit: str = "0",
    bank: str = "0",
    products: tuple[str, ...] = (),
    solution: tuple[str, ...] = ("pool",),
) -> CaseRow:
    return CaseRow(
        case=case,
        status="ok",
        client=case.title(),
        segment=segment,
        country=country,
        currency="EUR",
        solution=solution,
        products=products,
        solution_benefit_annual=Decimal(benefit) * Decimal("0.85"),
        solution_benefit_annual_usd=Decimal(benefit),
        bank_value_annual_usd=Decimal(bank),
    )


def broken(case: str) -> CaseRow:
    return CaseRow(case, "problems", problems=(Problem(f"{case}/case.yaml", "client", "bad"),))


#: A small book: 4 large, 23 mid, 45 small-mid and 9 micro clients, and 2 broken cases.
BOOK = [
    *(row(f"large-{i}", "large") for i in range(4)),
    *(row(f"mid-{i}", "mid") for i in range(23)),
    *(row(f"sm-{i}", "small-mid") for i in range(45)),
    *(row(f"micro-{i}", "micro") for i in range(9)),
    broken("x-1"),
    broken("x-2"),
]


def plan(capacity: Capacity | None = None) -> dict[str, tuple[int, int, int, int]]:
    return {
        line.segment: (
            line.clients,
            line.relationship_managers,
            line.cash_specialists,
            line.credit_specialists,
        )
        for line in coverage_plan(BOOK, capacity or Capacity())
    }


def test_coverage_plan_by_hand_with_the_defaults() -> None:
    """Defaults: clients per RM large 3, mid 10, small-mid face-to-face 30, telephone 100;
    RMs per specialist (the source's ratios, lower end) large 1, mid 2, face-to-face 10,
    telephone 25; half the small-mid clients by telephone. Heads round up.

    large:     RMs ⌈4/3⌉ = 2; cash ⌈2/1⌉ = 2; credit 2
    mid:       RMs ⌈23/10⌉ = 3; cash ⌈3/2⌉ = 2; credit 2
    small-mid: telephone 45 × 0.5 = 22.5 → 23 (half away from zero), face-to-face 22;
               face-to-face RMs ⌈22/30⌉ = 1, cash ⌈1/10⌉ = 1, credit 1;
               telephone RMs ⌈23/100⌉ = 1, cash ⌈1/25⌉ = 1, credit 1; together 2, 2, 2
    micro:     9 clients, no one
    broken cases are not clients of the plan.
    """
    assert plan() == {
        "large": (4, 2, 2, 2),
        "mid": (23, 3, 2, 2),
        "small-mid": (45, 2, 2, 2),
        "micro": (9, 0, 0, 0),
    }
    teams = {t.team: t for line in coverage_plan(BOOK) for t in line.teams}
    assert (teams["small-mid telephone"].clients, teams["small-mid face-to-face"].clients) == (
        23,
        22,
    )
    totals = summarise(BOOK).to_dict()["coverage_totals"]
    assert totals == {
        "clients": 81,
        "relationship_managers": 7,
        "cash_specialists": 6,
        "credit_specialists": 6,
    }


def test_coverage_plan_by_hand_with_other_capacity() -> None:
    """A dedicated RM per large client, 2.5 mid clients per RM, 3 mid RMs per cash
    specialist (credit keeps 2), 80% of small-mid clients by telephone.

    large:     RMs ⌈4/1⌉ = 4; cash 4; credit 4
    mid:       RMs ⌈23/2.5⌉ = ⌈9.2⌉ = 10; cash ⌈10/3⌉ = 4; credit ⌈10/2⌉ = 5
    small-mid: telephone 45 × 0.8 = 36, face-to-face 9; RMs ⌈9/30⌉ = 1 and ⌈36/100⌉ = 1;
               each 1 cash and 1 credit specialist; together 2, 2, 2
    """
    capacity = Capacity(
        clients_per_rm={"large": 1, "mid": Decimal("2.5")},
        rms_per_cash_specialist={"mid": 3},
        telephone_share=Decimal("0.8"),
    )
    assert plan(capacity) == {
        "large": (4, 4, 4, 4),
        "mid": (23, 10, 4, 5),
        "small-mid": (45, 2, 2, 2),
        "micro": (9, 0, 0, 0),
    }
    assert capacity.clients_per_rm["small-mid telephone"] == 100  # the default kept


def test_head_count_rounds_up() -> None:
    assert heads(10, 3) == 4
    assert heads(9, 3) == 3
    assert heads(0, 3) == 0
    assert heads(1, 100) == 1
    assert heads(5, Decimal("2.5")) == 2
    assert heads(Decimal("5.01"), Decimal("2.5")) == 3
    with pytest.raises(ValueError):
        heads(1, 0)
    with pytest.raises(ValueError):
        heads(-1, 3)
    assert telephone_clients(45, Decimal("0.5")) == 23
    assert telephone_clients(44, Decimal("0.5")) == 22
    assert telephone_clients(3, Decimal(0)) == 0


def test_capacity_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="above zero"):
        Capacity(clients_per_rm={"mid": 0})
    with pytest.raises(ValueError, match="unknown team"):
        Capacity(clients_per_rm={"huge": 3})
    with pytest.raises(ValueError, match="between 0 and 1"):
        Capacity(telephone_share=Decimal("1.2"))


amounts = st.decimals(min_value=-(10**9), max_value=10**10, places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["large", "mid", "small-mid", "micro"]),
            st.sampled_from(["CN", "US", "DE"]),
            amounts,
            amounts,
            st.sets(st.sampled_from(["sweep", "pool", "portal"])),
        ),
        max_size=30,
    )
)
def test_totals_add_up_exactly(
    data: list[tuple[str, str, Decimal, Decimal, set[str]]],
) -> None:
    rows = [
        row(f"c{i}", s, country=c, benefit=str(b), bank=str(v), products=tuple(sorted(p)))
        for i, (s, c, b, v, p) in enumerate(data)
    ]
    summary = summarise([*rows, broken("zz")])
    benefit = sum((r.solution_benefit_annual_usd for r in rows), Decimal(0))
    bank = sum((r.bank_value_annual_usd for r in rows), Decimal(0))
    assert (summary.book.client_benefit_usd, summary.book.bank_value_usd) == (benefit, bank)
    assert summary.book.clients == len(rows) and summary.cases == len(rows) + 1
    for totals in (summary.by_segment, summary.by_country):
        assert sum((t.client_benefit_usd for t in totals), Decimal(0)) == benefit
        assert sum((t.bank_value_usd for t in totals), Decimal(0)) == bank
        assert sum(t.clients for t in totals) == len(rows)
    for t in summary.by_product:  # overlapping: each is the sum of the rows that take it
        taking = [r for r in rows if t.key in r.products]
        assert t.client_benefit_usd == sum(
            (r.solution_benefit_annual_usd for r in taking), Decimal(0)
        )
        assert t.clients == len(taking)
    assert [c for c, _ in summary.problems] == ["zz"]


def test_ranking() -> None:
    """By client benefit (the default), then bank value, then the case's name; or by bank
    value first; cases without a solution and broken cases are not opportunities."""
    rows = [
        row("b", bank="100", benefit="5"),
        row("a", bank="100", benefit="5"),
        row("c", bank="100", benefit="9"),
        row("d", bank="300", benefit="1"),
        row("e", bank="-5", benefit="50"),
        row("f", bank="999", benefit="999", solution=()),
        broken("g"),
    ]
    assert [o.case for o in rank(rows, "bank_value")] == ["d", "c", "a", "b", "e"]
    assert [o.rank for o in rank(rows)] == [1, 2, 3, 4, 5]
    by_client = [o.case for o in rank(rows)]
    assert by_client == ["e", "c", "a", "b", "d"]
    assert summarise(rows).opportunities[0].case == "e"
    assert summarise(rows, rank_by="bank_value").opportunities[0].case == "d"
    with pytest.raises(ValueError):
        summarise(rows, rank_by="size")  # type: ignore[arg-type]


def test_json_keys() -> None:
    data = summarise(BOOK).to_dict()
    assert set(data["totals"]) >= {"segment", "country"}
    assert [t["segment"] for t in data["totals"]["segment"]] == [
        "large",
        "mid",
        "small-mid",
        "micro",
    ]
    assert data["totals"]["country"][0]["country"] == "DE"
    assert isinstance(data["totals"]["book"]["bank_value_annual_usd"], str)
    for line in data["coverage"]:
        assert set(line) >= {
            "segment",
            "clients",
            "relationship_managers",
            "cash_specialists",
            "credit_specialists",
        }
    assert data["capacity"]["telephone_share"] == "0.5"


def outputs_book() -> list[CaseRow]:
    """A book of 50 rows: every segment, four countries, products, approvals, a broken
    case with two problems."""
    segments = ["large", "mid", "mid", "small-mid", "small-mid", "micro"]
    rows = [
        row(
            f"case-{i:02d}",
            segments[i % len(segments)],
            country=["CN", "US", "DE", "GB"][i % 4],
            benefit=f"{(i * 7919) % 100000}.{i:02d}",
            bank=f"{(i * 104729) % 90000}.5",
            products=("zero-balance-sweep", "bulk-payments")[: 1 + i % 2],
            solution=() if i % 6 == 5 else ("Zero-balance sweep to HQ",),
        )
        for i in range(49)
    ]
    problems = (
        Problem("bad/case.yaml", "accounts[3].currency", "expected an ISO 4217 code"),
        Problem("bad/balances.csv", "row 1", "expected an account id of the case"),
    )
    return [*rows, CaseRow("bad", "problems", problems=problems)]


def test_workbook_holds_the_views_and_the_figures(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from cashmgmt.render.portfolio_workbook import write_workbook

    summary = summarise(outputs_book())
    path = write_workbook(summary, tmp_path / "out" / "book.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [
        "Opportunities",
        "By segment",
        "By country",
        "By product",
        "Coverage plan",
        "Problems",
        "Assumptions",
    ]
    top = summary.opportunities[0]
    sheet = book["Opportunities"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
    assert sheet.max_row == 1 + len(summary.opportunities)
    assert [c.value for c in sheet[2]][:3] == [1, top.client, top.case]
    assert Decimal(str(sheet["K2"].value)) == top.bank_value_usd
    assert sheet["K2"].number_format.startswith("#,##0.00")
    assert sheet["A1"].font.bold
    segment = book["By segment"]
    last = [c.value for c in segment[segment.max_row]]
    assert last[0] == "Book" and last[1] == 49
    assert Decimal(str(last[3])) == summary.book.client_benefit_usd
    coverage = book["Coverage plan"]
    totals = [c.value for c in coverage[coverage.max_row]][2:6]
    plan_totals = summary.to_dict()["coverage_totals"]
    assert totals == [
        plan_totals["clients"],
        plan_totals["relationship_managers"],
        plan_totals["cash_specialists"],
        plan_totals["credit_specialists"],
    ]
    assert book["Problems"].max_row == 3
    # exact figures in the file: the Decimal's own digits, not a float's
    with zipfile.ZipFile(path) as archive:
        first_sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert f"<v>{top.client_benefit_usd}</v>" in first_sheet


def test_workbook_in_chinese_and_the_same_bytes() -> None:
    from openpyxl import load_workbook

    from cashmgmt.render.portfolio_workbook import workbook_bytes

    summary = summarise(outputs_book())
    data = workbook_bytes(summary, "zh-CN")
    assert data == workbook_bytes(summary, "zh-CN")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "业务机会" and book["业务机会"]["D2"].value in {
        "大型企业",
        "中型企业",
        "中小企业",
    }


def test_workbook_never_over_an_input(tmp_path: Path) -> None:
    from cashmgmt.errors import OutputError
    from cashmgmt.render.portfolio_workbook import write_workbook

    source = tmp_path / "book.xlsx"
    source.write_bytes(b"input")
    with pytest.raises(OutputError):
        write_workbook(summarise(outputs_book()), source, inputs=[source])
    assert source.read_bytes() == b"input"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_summary_html_is_self_contained(language: str) -> None:
    from cashmgmt.render.portfolio_summary import PortfolioSummary

    summary = summarise(outputs_book())
    html = PortfolioSummary(summary, language).html()
    assert "<link" not in html and "@import" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", html)
    assert not re.search(r"url\((?!['\"]?(?:data:|#))", html)
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert "https://" not in html
    assert html.count("<svg") == 3  # value by segment, the largest opportunities, coverage
    title = "客户组合汇总" if language == "zh-CN" else "Portfolio summary"
    assert title in html
    assert summary.opportunities[0].client in html
    assert "bad" in html  # the broken case is listed
