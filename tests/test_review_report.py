"""The review report and the letter after a review (issue 15, documents): built from a
review of statements that an example's recommended structure would produce on the last
quarter of its own history (cycle/actuals.simulated_statements), in both languages. The
PDF states the realised benefit as the review computes it, names the proposing bank and
every entity, and carries nothing internal; the HTML fetches nothing; the letter states the
realised figure only when a review is given."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_bank_profile import BANKS, PLACEHOLDERS
from test_client_content import internal_words
from test_documents import pdf_text, squash
from test_review import START, hand_case, hand_statements
from test_screen_html import References

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.actuals import simulated_statements
from cashmgmt.cycle.codes import CAMT
from cashmgmt.inputs.statements.camt_write import write_camt053
from cashmgmt.model import BalanceHistory
from cashmgmt.render.i18n import Formatter
from cashmgmt.render.review_report import entity_lines, realised_per_year

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LANGUAGES = ("en", "zh-CN")
NAMES = ("bluestem-outdoor", "huaxia-liquor")
#: The days reviewed: the last quarter of each example's history, as if after go-live.
DAYS = 92


def last_days(history: BalanceHistory, days: int) -> BalanceHistory:
    """The last `days` of a history, as a history of its own."""
    k = history.days - days
    return BalanceHistory(
        history.start + timedelta(days=k),
        history.accounts,
        history.minor[:, k:].copy(),
        history.observed[:, k:].copy(),
    )


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, str], tuple[cashmgmt.ReviewReport, str, str, str]]:
    """Each example's review report in each language: the report, the text of its PDF, its
    HTML and the text of the letter given the review."""
    out = {}
    for name in NAMES:
        case = cashmgmt.load_case(EXAMPLES / name)
        after = last_days(case.balances, DAYS)
        made = simulated_statements(case, "solution", after, codes=CAMT)
        first = cashmgmt.review_report(case, "solution", made, go_live=after.start)
        for language in LANGUAGES:
            report = cashmgmt.ReviewReport(first.cycle, first.review, language, first.theme)
            letter = cashmgmt.Letter(first.cycle, language, first.theme, review=first.review)
            out[name, language] = (
                report,
                pdf_text(report.pdf()),
                report.html(),
                pdf_text(letter.pdf()),
            )
    return out


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_report_states_the_realised_benefit(reports: Any, name: str, language: str) -> None:
    report, text, _, _ = reports[name, language]
    review = report.review
    code = review.currency
    fmt = Formatter(language, report.cycle.case.client.country)
    flat = squash(text)
    # the review is of the structure the proposal recommended, on the period given
    assert review.days == DAYS and review.structure == "solution"
    # the headline rounded for reading, the tables exact: both are Review.benefit
    assert report.context()["review"].benefit == review.benefit
    assert squash(fmt.rounded(review.benefit, code)) in flat
    assert squash(fmt.money(review.benefit, code)) in flat
    assert squash(fmt.money(review.promised, code)) in flat
    assert squash(fmt.money(review.projected.benefit, code)) in flat
    assert squash(fmt.money(realised_per_year(review), code)) in flat
    design = report.cycle.design.result
    assert design is not None
    assert squash(fmt.money(design.benefit_annual, code)) in flat  # the promise per year
    for v in review.variance:
        assert squash(fmt.money(v.amount, code)) in flat, v.cause
    for k in review.kpis:
        if k.name in ("idle_cash", "overdraft_cost"):
            assert isinstance(k.before, Decimal) and isinstance(k.after, Decimal)
            assert squash(fmt.money(k.before, code)) in flat, k.name
            assert squash(fmt.money(k.after, code)) in flat, k.name


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_report_names_the_bank_and_every_entity_and_nothing_internal(
    reports: Any, name: str, language: str
) -> None:
    report, text, _, letter = reports[name, language]
    flat = squash(text)
    _, bank_names = BANKS[name]
    for document in (flat, squash(letter)):
        assert squash(bank_names[language]) in document
        for placeholder in PLACEHOLDERS:
            assert squash(placeholder) not in document, placeholder
    proposal = cashmgmt.Proposal(report.cycle, language, report.theme)
    for word in internal_words(proposal):
        assert squash(word) not in flat, word
    case = report.cycle.case
    lines = entity_lines(case, report.review, language)
    assert [e.id for e in lines] == [e.id for e in case.entities]
    for e in lines:
        assert squash(e.name) in flat, e.id
    # minority-owned entities are marked, as in the proposal
    assert {e.id for e in lines if e.minority} == {
        e.id for e in case.entities if e.ownership is not None and e.ownership < 1
    }


@pytest.mark.parametrize("name", NAMES)
def test_the_entities_add_up_to_the_realised_benefit(reports: Any, name: str) -> None:
    """Every entity's all-in benefit, less the group's fees, is the realised benefit: the
    entities' bank interest adds up to realised less status quo net interest, their
    intercompany interest to nothing, their tax to the review's."""
    report = reports[name, "en"][0]
    review = report.review
    lines = entity_lines(report.cycle.case, review, "en")
    assert sum(e.all_in for e in lines) - review.fees.total == review.benefit
    assert sum(e.bank_interest for e in lines) == review.net_interest - review.status_quo
    assert sum(e.intercompany for e in lines) == 0
    assert -sum(e.tax for e in lines) == review.tax.total


def test_the_realised_benefit_per_year_is_annualised_as_the_proposal_does(
    tmp_path: Path,
) -> None:
    """The hand-worked review of tests/test_review.py: 0.35 over 3 days, no fees, so
    0.35 x 365 / 3 = 42.583… = 42.58 a year (half away from zero, once)."""
    case = hand_case(tmp_path)
    review = cashmgmt.review(case, "zba", hand_statements(), go_live=START)
    assert review.benefit == Decimal("0.35") and review.fees.setup == 0
    assert realised_per_year(review) == Decimal("42.58")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_html_is_self_contained(reports: Any, name: str, language: str) -> None:
    _, _, html, _ = reports[name, language]
    refs = References()
    refs.feed(html)
    assert refs.links == 0
    assert [u for u in refs.urls if not u.startswith(("#", "data:"))] == []
    assert "@page" in html and 'name="viewport"' in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_letter_states_the_realised_benefit_only_with_a_review(
    reports: Any, name: str, language: str
) -> None:
    report, _, _, with_review = reports[name, language]
    review = report.review
    code = review.currency
    fmt = Formatter(language, report.cycle.case.client.country)
    realised = squash(fmt.rounded(review.benefit, code))
    assert realised in squash(with_review)
    # never a simulated figure as delivered: not the proposal's benefit per year
    design = report.cycle.design.result
    assert design is not None
    assert squash(fmt.rounded(design.benefit_annual, code)) not in squash(with_review)
    without = pdf_text(cashmgmt.Letter(report.cycle, language, report.theme).pdf())
    assert realised not in squash(without)
    assert squash(fmt.rounded(design.benefit_annual, code)) not in squash(without)


def test_the_cli_writes_the_report_and_the_letter(tmp_path: Path) -> None:
    """`review-report` and `letter --actuals` from camt.053 files; the statements are
    inputs never written over; bad statements are located problems, exit 2."""
    folder = EXAMPLES / "bluestem-outdoor"
    case = cashmgmt.load_case(folder)
    after = last_days(case.balances, 31)
    made = simulated_statements(case, "solution", after, codes=CAMT)
    camt = tmp_path / "statements.xml"
    camt.write_bytes(write_camt053(made, message_id="REVIEW-1", created=datetime(2026, 1, 1)))
    runner = CliRunner()
    common = ["--actuals", str(camt), "--go-live", after.start.isoformat()]
    out = tmp_path / "review.html"
    args = ["review-report", str(folder), "--structure", "solution", *common]
    result = runner.invoke(cli, [*args, "-o", str(out), "--html", "--lang", "zh-CN"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    review = cashmgmt.review(case, "solution", str(camt), go_live=after.start)
    assert Formatter("zh-CN", "US").money(review.benefit, review.currency) in html
    assert "现金管理成效回顾报告" in html
    letter = tmp_path / "letter.html"
    result = runner.invoke(cli, ["letter", str(folder), *common, "-o", str(letter), "--html"])
    assert result.exit_code == 0, result.output
    rounded = Formatter("en", "US").rounded(review.benefit, review.currency)
    assert rounded in letter.read_text(encoding="utf-8")
    # the statement file is an input: never an output
    before = camt.read_bytes()
    result = runner.invoke(cli, [*args, "-o", str(camt)])
    assert result.exit_code == 2 and camt.read_bytes() == before
    # a go-live no statement covers: located problems, exit 2
    late = ["--go-live", (after.end + timedelta(days=5)).isoformat()]
    bad = ["review-report", str(folder), "--structure", "solution", "--actuals", str(camt)]
    result = runner.invoke(cli, [*bad, *late, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2, result.output
    assert "no statement covers" in result.output
    usage = runner.invoke(cli, ["letter", str(folder), "--actuals", str(camt), "-o", "-"])
    assert usage.exit_code == 64


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_report_has_no_untranslated_text(reports: Any, name: str) -> None:
    """No English sentence of the catalog is left in the Chinese report or its letter."""
    from babel.messages.pofile import read_po

    from cashmgmt.render.theme import templates_dir

    _, _, html, letter = reports[name, "zh-CN"]
    with (templates_dir() / "locale/zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    visible = re.sub(r"<[^>]+>", " ", html)
    for message in catalog:
        text = str(message.id)
        if message.id and len(text.split()) >= 3 and "%" not in text:
            assert text not in visible and squash(text) not in squash(letter), text


def test_a_letter_after_a_review_is_dated_after_the_period_reviewed() -> None:
    """It reports what the statements up to the period's end show, so it cannot be dated
    earlier (it was dated the day after the history, before go-live's results existed)."""
    folder = EXAMPLES / "huaxia-liquor"
    case = cashmgmt.load_case(folder)
    actuals = folder / "statements" / "after-go-live"
    review = cashmgmt.review(case, "solution", actuals, go_live=date(2026, 1, 1))
    letter = cashmgmt.letter(case, review=review)
    assert letter.cycle.on == review.end + timedelta(days=1) == date(2026, 4, 1)
    assert cashmgmt.letter(case, review=review, on=date(2026, 5, 4)).cycle.on == date(2026, 5, 4)
