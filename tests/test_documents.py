"""Documents: every figure comes from the results, Chinese renders with a CJK font, client text
cannot inject markup, rendering is reproducible and fetches nothing from outside."""

from __future__ import annotations

import copy
import io
import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from casekit import BASE_CASE, MONTH_BALANCES, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from test_engine_reference import random_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.inputs.limits import MIN_HISTORY_DAYS
from cashmgmt.render.i18n import Formatter
from cashmgmt.render.pdf import SafeFetcher
from cashmgmt.render.theme import templates_dir

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CJK = re.compile(r"[\u4e00-\u9fff]")
ON = date(2026, 1, 5)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"])  # a dictionary, by the PDF spec
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def huaxia_zh() -> tuple[cashmgmt.Proposal, str, bytes]:
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    proposal = cashmgmt.propose(case, on=ON)
    return proposal, proposal.html(), proposal.pdf()


def test_chinese_pdf_figures_come_from_the_results(huaxia_zh: Any) -> None:
    proposal, _, pdf = huaxia_zh
    assert proposal.language == "zh-CN"
    text = squash(pdf_text(pdf))
    fmt = Formatter("zh-CN")
    result = proposal.cycle.result
    # the recommendation's figures: the solution's structures simulated together
    assert result is not None and result is proposal.cycle.design.result
    assert squash(fmt.money(result.benefit_annual, "CNY")) in text
    assert squash(fmt.money(result.benefit, "CNY")) in text
    # every entity all in (issue 14): its bank interest change, intercompany interest, tax
    for entity in result.entities:
        bank = entity.structure.net - entity.baseline.net
        all_in = bank + entity.intercompany_interest - entity.tax
        for amount in (bank, entity.intercompany_interest, all_in):
            assert squash(fmt.money(amount, "CNY")) in text, entity.id
    assert "现金管理方案建议书" in text and "方案摘要" in text


def test_chinese_pdf_embeds_a_cjk_font(huaxia_zh: Any) -> None:
    _, _, pdf = huaxia_zh
    assert any("Noto-Sans-CJK-SC" in name for name in fonts(pdf)), fonts(pdf)


def test_chinese_document_has_no_untranslated_template_text(huaxia_zh: Any) -> None:
    from babel.messages.pofile import read_po

    _, html, _ = huaxia_zh
    path = templates_dir() / "locale/zh_CN/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    visible = re.sub(r"<[^>]+>", " ", html)
    for message in catalog:
        if message.id and len(str(message.id).split()) >= 3 and "%" not in str(message.id):
            assert str(message.id) not in visible, message.id
        if message.id:
            assert message.string, f"untranslated: {message.id}"


def test_english_pdf_has_no_chinese() -> None:
    case = cashmgmt.load_case(EXAMPLES / "bluestem-outdoor")
    proposal = cashmgmt.propose(case, on=ON)
    assert proposal.language == "en"
    text = pdf_text(proposal.pdf())
    assert not CJK.search(text)
    fmt = Formatter("en")
    assert proposal.cycle.result is not None
    assert fmt.money(proposal.cycle.result.benefit_annual, "USD") in text


def test_english_proposal_to_a_chinese_group_has_no_chinese() -> None:
    """Huaxia's case names its banks and companies in Chinese; the English proposal names
    them in English (issue 14: "Chinese inside the English Huaxia document")."""
    case = cashmgmt.load_case(EXAMPLES / "huaxia-liquor")
    text = pdf_text(cashmgmt.propose(case, language="en", on=ON).pdf())
    assert not CJK.search(text), CJK.findall(text)[:10]
    assert "Industrial and Commercial Bank of China" in text


def test_bank_names_follow_the_reader() -> None:
    from cashmgmt.reference.banks import bank_name

    assert bank_name("中国工商银行", "en") == "Industrial and Commercial Bank of China"
    assert bank_name("Deutsche Bank", "zh-CN") == "德意志银行"
    assert bank_name(" citibank ", "en") == "Citibank"
    assert bank_name("Banca Sella", "zh-CN") == "Banca Sella"  # unknown: as the case gives it


def test_same_inputs_same_html() -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    first = cashmgmt.propose(case, on=ON).html()
    again = cashmgmt.propose(cashmgmt.load_case(EXAMPLES / "larkspur-bakery"), on=ON).html()
    assert first == again


def test_client_text_cannot_inject_markup(case_dir: Callable[..., Path]) -> None:
    doc = copy.deepcopy(BASE_CASE)
    evil = '<img src="http://127.0.0.1:1/x">'
    doc["client"]["name"] = evil
    doc["client"].pop("local_name")
    doc["client"]["language"] = "en"
    doc["entities"][0]["name"] = evil
    case = cashmgmt.load_case(case_dir(case=doc, balances=MONTH_BALANCES))
    proposal = cashmgmt.propose(case, on=ON)
    html = proposal.html()
    assert '<img src="http://127.0.0.1:1/x">' not in html
    assert "&lt;img src=&#34;http://127.0.0.1:1/x&#34;&gt;" in html
    fetcher = SafeFetcher([templates_dir()])
    from cashmgmt.render.pdf import write_pdf

    pdf = write_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []  # nothing outside was even asked for
    assert '<img src="http://127.0.0.1:1/x">' in pdf_text(pdf)


def test_the_fetcher_refuses_the_network_and_other_files(tmp_path: Path) -> None:
    fetcher = SafeFetcher([templates_dir()])
    for url in (
        "http://127.0.0.1:1/x",
        "https://example.com/a.css",
        "file:///etc/passwd",
        (tmp_path / "x.css").as_uri(),
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
    style = (templates_dir() / "style.css").as_uri()
    assert b"@page" in fetcher.fetch(style).read()


def test_cli_propose_writes_and_never_overwrites_inputs(tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    result = CliRunner().invoke(
        cli,
        [
            "propose",
            str(EXAMPLES / "larkspur-bakery"),
            "-o",
            str(out),
            "--html",
            "--date",
            "2026-01-05",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    target = EXAMPLES / "larkspur-bakery" / "case.yaml"
    before = target.read_bytes()
    result = CliRunner().invoke(
        cli, ["propose", str(EXAMPLES / "larkspur-bakery"), "-o", str(target), "--html"]
    )
    assert result.exit_code == 2 and "input files" in result.output
    assert target.read_bytes() == before
    theme = tmp_path / "bank.yaml"
    theme.write_text(
        "name: B\ncolours: {primary: '#000000', "
        "accent: '#C8102E', text: '#1F2937', muted: '#6B7280'}\nlogo: /etc/passwd\n"
    )
    result = CliRunner().invoke(
        cli,
        [
            "propose",
            str(EXAMPLES / "larkspur-bakery"),
            "-o",
            str(tmp_path / "x.pdf"),
            "--theme",
            str(theme),
        ],
    )
    assert result.exit_code == 2 and "logo" in result.output


def test_micro_client_document_is_short_and_standard() -> None:
    """Larkspur (micro) is priced at the catalog's savings sweep (USD 5 a month, issue 12):
    its business-day zero-balance sweep now pays, so the short document proposes it with the
    standard online-banking package; still no risks section."""
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    html = cashmgmt.propose(case, on=ON).html()
    assert "Standard online-banking package" in html and "Automatic savings sweep" in html
    assert 'id="structure"' in html and 'id="risks"' not in html


def test_thank_you_letter_thanks_for_the_mandate_without_figures(huaxia_zh: Any) -> None:
    """Issue 14: until the review phase measures the structure on actual balances, the letter
    thanks for the mandate and promises no result: the success summary (celebrate) still
    holds the simulated figures, but none is printed (tests/test_bank_profile.py checks
    every example in both languages)."""
    proposal, _, _ = huaxia_zh
    success = cashmgmt.celebrate(proposal.cycle.design)
    assert success is not None and success.structure == proposal.cycle.design.recommended
    assert proposal.cycle.result is not None
    assert success.benefit_annual == proposal.cycle.result.benefit_annual
    letter = cashmgmt.Letter(proposal.cycle, proposal.language, proposal.theme)
    text = squash(pdf_text(letter.pdf()))
    fmt = Formatter("zh-CN")
    # the letter thanks for the mandate and prints no simulated figure, rounded or not
    assert squash(fmt.rounded(success.benefit_annual, "CNY")) not in text
    for amount in (
        success.interest_gain,
        success.fees,
        success.peak_debit_before,
        success.peak_debit_after,
    ):
        assert squash(fmt.money(amount, "CNY")) not in text
    assert "感谢贵公司将现金管理业务委托我行" in text and "并非实际结果" in text


def test_micro_letter_thanks_for_the_package() -> None:
    """With catalog prices (issue 12) Larkspur's zero-balance sweep is recommended, so the
    letter thanks for choosing it (and, issue 14, shows none of its simulated figures)."""
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    letter = cashmgmt.letter(case, on=ON)
    success = letter.cycle.success
    assert success is not None and success == cashmgmt.celebrate(letter.cycle.design)
    assert success.structure == "zba-gbp-gb"
    html = letter.html()
    assert "choosing the structure we proposed: GBP zero-balance pool" in html
    assert Formatter("en").money(success.benefit_annual, "GBP") not in html


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_case(), st.sampled_from(["en", "zh-CN"]))
def test_any_valid_group_gets_a_proposal(sample: Any, language: str) -> None:
    """The whole cycle (assess, design, plan) and the HTML never fail on a valid case."""
    doc, balances, fx, _ = sample
    doc["proposing_bank"] = "Bank"
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", case=doc, balances=balances, fx=fx))
    if case.balances.days < MIN_HISTORY_DAYS:  # too short to annualise: refused, located
        with pytest.raises(cashmgmt.AssessmentError) as refused:
            cashmgmt.propose(case, language=language, on=ON)
        assert refused.value.problems[0].where == "balances"
        return
    proposal = cashmgmt.propose(case, language=language, on=ON)
    html = proposal.html()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    if proposal.cycle.result is not None:
        fmt = Formatter(language)
        assert fmt.money(proposal.cycle.result.benefit_annual, case.base_currency) in html
    cashmgmt.Letter(proposal.cycle, language, proposal.theme).html()
