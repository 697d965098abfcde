"""Client-only content (issue 14): nothing written for the coverage team reaches the client's
proposal (it goes to the internal RM brief), every entity is accounted for all in (bank
interest, intercompany interest, tax), and the summary shows the design's figures and only
measures the structure moves."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_documents import ON, pdf_text, squash

import cashmgmt
from cashmgmt.engine.results import EntityResult, Interest
from cashmgmt.model import Entity
from cashmgmt.reference.products import products
from cashmgmt.render import content
from cashmgmt.render.environment import make_gettext
from cashmgmt.render.i18n import Formatter
from cashmgmt.render.labels import COVERAGE_NAMES, SEGMENT_NAMES, candidate_labels

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "case.yaml").exists())
LANGUAGES = ("en", "zh-CN")

#: Words written for the bank's own people: never in a client's proposal.
INTERNAL_PHRASES = (
    "coverage team",
    "Indicative summary for the coverage team",
    "confirms every rule before a proposal",
    "客户覆盖团队",
    "Stated by your relationship manager",
    "由客户经理提出",
    "2-3 : 1 : 1",
    "10 : 1 : 1",
    "25-30 : 1 : 1",
    "1 : 1 : 1",
    "funds-transfer",
    "资金转移价格",
    "Fee income",
    "Bank-side",
    "Internal RM brief",
)


@pytest.fixture(scope="module")
def proposals() -> dict[tuple[str, str], tuple[cashmgmt.Proposal, str]]:
    """Every example's proposal in both languages, with the text of its PDF."""
    out = {}
    for name in NAMES:
        case = cashmgmt.load_case(EXAMPLES / name)
        first = cashmgmt.propose(case, language="en", on=ON)
        for language in LANGUAGES:
            proposal = cashmgmt.Proposal(first.cycle, language, first.theme)
            out[name, language] = (proposal, pdf_text(proposal.pdf()))
    return out


def internal_words(proposal: cashmgmt.Proposal) -> list[str]:
    """The phrases, and this case's internal words: its segment and coverage model in the
    document's language, every candidate's code, the bank-side figures."""
    gettext = make_gettext(proposal.language)
    cycle = proposal.cycle
    segment = cycle.assessment.segment
    label = gettext(SEGMENT_NAMES[segment])
    # a catalog product's own copy may say whom it is for ("the standard for small
    # businesses"): that is the product's description, not the bank's segment label
    copy = " ".join(p.description.get(proposal.language) for p in products())
    words = [*INTERNAL_PHRASES, gettext(COVERAGE_NAMES[segment])]
    words += [] if label in copy else [label]
    words += [f"({c.id})" for c in cycle.design.candidates]
    words += [c.id for c in cycle.design.candidates if c.origin != "case" and "-" in c.id]
    bank = cycle.result.bank if cycle.result is not None else None
    if bank is not None:
        fmt = Formatter(proposal.language)
        code = cycle.case.base_currency
        words += [fmt.money(x, code) for x in (bank.interest_change, bank.total) if x]
    return words


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_no_internal_phrase_in_the_client_pdf(proposals: Any, name: str, language: str) -> None:
    proposal, text = proposals[name, language]
    flat = squash(text)
    for word in internal_words(proposal):
        assert squash(word) not in flat, (name, language, word)


def test_the_brief_carries_what_the_proposal_leaves_out() -> None:
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    brief = cashmgmt.brief(case, language="en", on=ON)
    cycle = brief.cycle
    text = squash(pdf_text(brief.pdf()))
    result = cycle.result
    assert result is not None and result.bank is not None and cycle.design.solution is not None
    fmt = Formatter("en")
    assert squash(SEGMENT_NAMES[cycle.assessment.segment]) in text
    assert squash(COVERAGE_NAMES[cycle.assessment.segment]) in text
    for amount in (result.bank.interest_change, result.bank.fee_income, result.bank.total):
        assert squash(fmt.money(amount, "CNY")) in text
    for approval in cycle.design.solution.approvals:
        assert squash(fmt.money(approval.worth, "CNY")) in text
    assert all(c.id in text for c in cycle.design.members)
    assert "coveragete" in text.lower()  # the rules' note for the coverage team is here


def test_an_entity_that_lends_is_shown_all_in() -> None:
    """Huaxia's defect, constructed: the header gains 5.4 m of bank interest but pays 16.5 m
    of intercompany interest, so all in it is 11.1 m worse off; a company with no account
    still has its row; the 80%-owned one is marked; the rows add up to the group."""

    def interest(net: str) -> Interest:
        return Interest(Decimal(net), Decimal(0), Decimal(0))

    entities = (
        EntityResult("HQ", interest("0"), interest("5400000"), Decimal("-16500000")),
        EntityResult(
            "SUB", interest("0"), interest("-1000000"), Decimal("16500000"), Decimal("990000")
        ),
    )
    case = SimpleNamespace(
        entities=(
            Entity("HQ", "HQ", "CN"),
            Entity("SUB", "Sub", "CN", "HQ", Decimal("0.8")),
            Entity("HOLD", "Holding", "HK", "HQ", Decimal(1)),
        ),
        accounts=(SimpleNamespace(id="A", entity="HQ"), SimpleNamespace(id="B", entity="SUB")),
    )
    rows = content.entity_rows(case, SimpleNamespace(entities=entities), {"A", "B"})  # type: ignore[arg-type]
    by = {r.id: r for r in rows}
    assert [r.id for r in rows] == ["HQ", "SUB", "HOLD"]
    assert by["HQ"].bank_interest == Decimal("5400000")
    assert by["HQ"].all_in == Decimal("-11100000")
    assert by["SUB"].all_in == Decimal("15500000") - Decimal("990000")
    assert by["HOLD"].all_in == 0 and by["HOLD"].accounts == 0
    assert [r.id for r in rows if r.minority] == ["SUB"]
    assert sum(r.intercompany for r in rows) == 0


@pytest.mark.parametrize("name", NAMES)
def test_every_entity_all_in_adds_up_to_the_solution(name: str) -> None:
    case = cashmgmt.load_case(EXAMPLES / name)
    design = cashmgmt.run_cycle(case, on=ON).design
    result = design.result
    if result is None:
        pytest.skip("no structure recommended")
    joined = {a for c in design.members for a in c.structure.accounts}
    rows = content.entity_rows(case, result, joined)
    assert [r.id for r in rows] == [e.id for e in case.entities]  # every entity, once
    assert sum(r.intercompany for r in rows) == 0  # lent within the group: nets to nothing
    assert sum(r.tax for r in rows) == result.tax.total
    assert sum(r.bank_interest for r in rows) == result.structure.net - result.baseline.net
    assert sum(r.all_in for r in rows) - result.fees.total == result.benefit
    assert sum(r.accounts for r in rows) == len(joined)


def _summary(text: str) -> str:
    """The summary page's text: from its heading to the next chapter's."""
    flat = squash(text)
    for start, end in (("Whatweheard", "Currentstate"), ("我们了解到", "现状分析")):
        if start in flat:
            return flat[flat.index(start) : flat.index(end, flat.index(start))]
    raise AssertionError("no summary")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_summary_shows_the_design_result_and_only_what_moves(
    proposals: Any, name: str, language: str
) -> None:
    proposal, text = proposals[name, language]
    result = proposal.cycle.design.result
    if result is None:
        pytest.skip("no structure recommended")
    assert proposal.cycle.result is result
    fmt = Formatter(language)
    code = proposal.cycle.case.base_currency
    summary = _summary(text)
    # the headline per year is rounded for reading (money.round_for_reading, issue 14)
    assert squash(fmt.rounded(result.benefit_annual, code)) in summary
    assert squash(fmt.money(result.benefit, code)) in summary
    assert squash(fmt.money(result.fees.total, code)) in summary
    moved, _ = content.measures(result)
    for m in moved:
        assert m.before != m.after
        shown = [
            fmt.money(Decimal(x), code) if m.money else fmt.number(x) for x in (m.before, m.after)
        ]
        assert squash(shown[0] + shown[1]) in summary, (m.key, shown)
    overdraft = result.baseline_liquidity.overdraft_days
    if overdraft == result.structure_liquidity.overdraft_days and overdraft > 9:
        # an unchanged count is never shown as a before → after pair
        assert f"{fmt.number(overdraft)}{fmt.number(overdraft)}" not in summary


def test_candidate_labels_are_distinct_without_codes() -> None:
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    design = cashmgmt.run_cycle(case, on=ON).design
    for language in LANGUAGES:
        labels = candidate_labels(design.candidates, case, make_gettext(language), language)
        assert len(set(labels.values())) == len(labels)
        for c in design.candidates:
            assert not re.search(rf"\({re.escape(c.id)}\)", " ".join(labels.values()))


def test_a_hybrids_term_sheet_prices_the_overlay_as_the_engine_charges_it() -> None:
    """A hybrid pays its sweeps' fees and its notional overlay's (engine.pooling adds them);
    the term sheet lists both, so its set-up fees add up to the simulation's set-up fee."""
    case = cashmgmt.load_case(EXAMPLES / "aurora-industrial")
    design = cashmgmt.run_cycle(case, on=ON).design
    hybrids = [c for c in design.candidates if c.structure.kind == "hybrid" and c.result]
    assert hybrids
    for c in hybrids:
        t = content.terms(case, c)
        assert t.overlay_fees is not None and t.overlay_fees.setup is not None
        assert t.fees.setup is not None and c.result is not None
        assert {t.fees.setup.currency, t.overlay_fees.setup.currency} == {case.base_currency}
        assert t.fees.setup.amount + t.overlay_fees.setup.amount == c.result.fees.setup


def test_the_pricing_annex_is_in_the_clients_currency() -> None:
    """A British bakery is quoted in pounds, not the catalog's dollars: each list price at
    the shipped reference rate (GBP per USD, read from the data file: the case has no FX
    table and states its revenue in pounds), rounded to the penny."""
    from cashmgmt.money import round_money
    from cashmgmt.reference.products import price
    from cashmgmt.render.proposal import _bundle_rows

    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    cycle = cashmgmt.run_cycle(case, on=ON)
    d = cycle.design
    from ruamel.yaml import YAML

    data = Path(cashmgmt.__file__).parent / "reference" / "data" / "usd_rates.yaml"
    per_usd = Decimal(str(YAML(typ="safe").load(data.read_text(encoding="utf-8"))["rates"]["GBP"]))
    rows = _bundle_rows(case, d, "en")
    assert rows
    for row in rows:
        listed = price(row["item"].product, d.assessment.segment)
        for name in ("setup", "monthly", "per_account_month", "per_transaction"):
            usd, shown = getattr(listed, name), getattr(row["fees"], name)
            assert (usd is None) == (shown is None)
            if usd is not None and shown is not None:
                assert shown.currency == "GBP"
                assert shown.amount == round_money(usd.amount * per_usd, "GBP")
