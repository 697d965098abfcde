"""The bank's profile and the letter (issue 14): every example's proposal and letter, in both
languages, name the proposing bank and never a placeholder; the letter is a letter (letterhead,
addressee, salutation, named signer) that prints no figure of the simulation; the case's
people and the client's address are read with located problems and saved back; a bank
without a shipped profile keeps the case's name, and a case naming nobody invents nobody."""

from __future__ import annotations

import copy
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from casekit import BASE_CASE, MONTH_BALANCES, write_case
from pypdf import PdfReader
from test_documents import pdf_text, squash

import cashmgmt
from cashmgmt import CaseError
from cashmgmt.documents import case_theme
from cashmgmt.model import Case
from cashmgmt.render.i18n import Formatter
from cashmgmt.render.theme import (
    DEFAULT_VALIDITY_DAYS,
    load_theme,
    shipped_themes,
    templates_dir,
    theme_for_bank,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ON = date(2026, 11, 30)
#: What a document must never print as the bank's name.
PLACEHOLDERS = ("Your Bank", "您的银行", "Your relationship manager", "您的客户经理")
#: The proposing bank of each example and the name its documents print, per language.
BANKS = {
    "huaxia-liquor": ("ccb", {"en": "China Construction Bank", "zh-CN": "中国建设银行"}),
    "aurora-industrial": ("citibank", {"en": "Citibank", "zh-CN": "花旗银行"}),
    "bluestem-outdoor": ("jpmorgan-chase", {"en": "JPMorgan Chase Bank", "zh-CN": "摩根大通银行"}),
    "larkspur-bakery": ("hsbc-uk", {"en": "HSBC UK", "zh-CN": "汇丰英国"}),
}
LANGUAGES = ("en", "zh-CN")


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, str], tuple[cashmgmt.Proposal, list[str], str]]:
    """Each example in each language: the proposal and the text of its PDF and its letter's."""
    found = {}
    for example in BANKS:
        case = cashmgmt.load_case(EXAMPLES / example)
        first = cashmgmt.propose(case, on=ON)
        for language in LANGUAGES:
            proposal = cashmgmt.Proposal(first.cycle, language, first.theme)
            letter = cashmgmt.Letter(first.cycle, language, first.theme)
            pages = page_texts(proposal.pdf())
            found[example, language] = (proposal, pages, pdf_text(letter.pdf()))
    return found


def page_texts(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("example", list(BANKS))
def test_every_document_names_the_proposing_bank_and_no_placeholder(
    documents: dict[tuple[str, str], tuple[cashmgmt.Proposal, list[str], str]],
    example: str,
    language: str,
) -> None:
    proposal, pages, letter = documents[example, language]
    profile, names = BANKS[example]
    name = squash(names[language])
    assert proposal.theme.source == templates_dir() / "themes" / f"{profile}.yaml"
    for document in ("".join(pages), letter):
        for placeholder in PLACEHOLDERS:
            assert squash(placeholder) not in squash(document), placeholder
        assert name in squash(document)
    # the cover names it as its wordmark, in "prepared by" and in the confidentiality line;
    # every later page carries it in its running header; the contacts page signs for it
    assert squash(pages[0]).count(name) >= 3
    assert all(name in squash(page) for page in pages[1:])
    signing = "代表" if language == "zh-CN" else "For and on behalf of "
    assert squash(signing + names[language]) in squash("".join(pages))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("example", list(BANKS))
def test_the_letter_is_a_letter_and_promises_no_figure(
    documents: dict[tuple[str, str], tuple[cashmgmt.Proposal, list[str], str]],
    example: str,
    language: str,
) -> None:
    proposal, _, letter = documents[example, language]
    case = proposal.cycle.case
    flat = squash(letter)
    zh = language == "zh-CN"
    client = case.client.local_name if zh and case.client.local_name else case.client.name
    address = case.client.local_address if zh and case.client.local_address else case.client.address
    # letterhead: the bank's address; addressee: the client's name and address
    theme = proposal.theme
    assert theme.address_for(language) and squash(theme.address_for(language)[0]) in flat
    assert address and all(squash(line) in flat for line in address)
    assert squash(client) in flat
    salutation = f"尊敬的{client}：" if zh else "Dear Sir or Madam,"
    assert squash(salutation) in flat
    # the signer: the relationship manager the case names, with a title
    manager = case.relationship_manager
    assert manager is not None and manager.title is not None
    name = manager.local_name if zh and manager.local_name else manager.name
    title = manager.local_title if zh and manager.local_title else manager.title
    assert squash(name) in flat and squash(title) in flat
    # no figure of the simulation, however written, and nothing "implemented"
    success = proposal.cycle.success
    assert success is not None
    fmt = Formatter(language)
    code = case.base_currency
    amounts = [
        success.benefit_annual,
        success.interest_gain,
        success.fees,
        success.tax,
        success.peak_debit_before,
        success.peak_debit_after,
        success.idle_credit_before,
        success.idle_credit_after,
    ]
    for amount in amounts:
        if amount:
            assert squash(fmt.money(amount, code)) not in flat, amount
            if abs(amount) >= 1000:  # rounded too (a short number may be in a telephone number)
                rounded = fmt.number(abs(amount).quantize(Decimal(1)))
                assert squash(rounded) not in flat, amount
    assert "implemented" not in letter and "designed" not in letter
    assert not re.search(r"\b(731|days with an overdraft)\b", letter, re.IGNORECASE)


def test_each_shipped_profile_is_selected_by_its_names_and_cites_its_sources() -> None:
    for name in shipped_themes():
        theme = load_theme(name)
        source = (templates_dir() / "themes" / f"{name}.yaml").read_text("utf-8")
        if name == "default":
            assert theme.name == "" and not theme.matches
            continue
        assert "Sources (read 2026-11-30)" in source and "http" in source, name
        assert theme.address_for("en") and theme.address_for("zh-CN"), name
        assert theme.names.keys() == {"en", "zh-CN"} and theme.logo is None, name
        for alias in (*theme.matches, *theme.names.values()):
            assert theme_for_bank(alias) == theme, alias
            assert theme_for_bank(f"  {alias.upper()} ") == theme, alias  # as same_bank compares
    assert theme_for_bank("HSBC").name == "HSBC"  # no guessing of branches: HSBC is not HSBC UK


def _case_at(tmp_path: Path, bank: str) -> Case:
    """The small case with the proposing bank (and its accounts) renamed `bank`."""
    doc = copy.deepcopy(BASE_CASE)
    doc["proposing_bank"] = bank
    for account in doc["accounts"]:
        if account.get("bank") == BASE_CASE["proposing_bank"]:
            account["bank"] = bank
    return cashmgmt.load_case(write_case(tmp_path / "case", case=doc, balances=MONTH_BALANCES))


def test_a_bank_without_a_profile_keeps_its_name_and_nobody_is_invented(tmp_path: Path) -> None:
    case = _case_at(tmp_path, "Bank of Nowhere")
    assert case.relationship_manager is None and case.product_specialist is None
    for language in LANGUAGES:
        proposal = cashmgmt.propose(case, language=language, on=ON)
        assert proposal.theme.name == "Bank of Nowhere"
        for html in (proposal.html(), cashmgmt.letter(case, language, on=ON).html()):
            visible = re.sub(r"<[^>]+>", " ", html)
            assert "Bank of Nowhere" in visible
            assert not any(p in visible for p in PLACEHOLDERS)
            assert 'class="signature-line"' not in html  # no line for a person not named
        assert 'class="contacts"' not in proposal.html()


def test_a_case_naming_no_bank_prints_no_bank_name(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE_CASE)
    doc.pop("proposing_bank")
    case = cashmgmt.load_case(write_case(tmp_path / "case", case=doc, balances=MONTH_BALANCES))
    assert case.proposing_bank is None
    html = cashmgmt.propose(case, language="en", on=ON).html()
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not any(p in visible for p in PLACEHOLDERS)
    assert "Prepared on" in visible and "without our consent" in visible
    assert 'class="bank-name' not in html  # nothing in the running header


def test_validity_runs_from_the_proposal_date(tmp_path: Path) -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    fmt = Formatter("en")
    html = cashmgmt.propose(case, language="en", on=ON).html()
    until = ON + timedelta(days=DEFAULT_VALIDITY_DAYS)
    assert until == date(2027, 2, 28)
    assert f"Valid for 90 days, until {fmt.day(until)}" in html
    text = (templates_dir() / "themes" / "hsbc-uk.yaml").read_text("utf-8")
    theme = tmp_path / "bank.yaml"
    theme.write_text(text.replace("validity_days: 90", "validity_days: 30"), "utf-8")
    html = cashmgmt.propose(case, language="en", theme=theme, on=ON).html()
    assert f"Valid for 30 days, until {fmt.day(ON + timedelta(days=30))}" in html
    theme.write_text(text.replace("validity_days: 90", "validity_days: 0"), "utf-8")
    with pytest.raises(cashmgmt.Error) as info:
        load_theme(theme)
    assert [p.where for p in info.value.problems] == ["validity_days"]


def test_a_named_theme_wins_over_the_case_and_a_nameless_one_takes_the_case_bank() -> None:
    case = cashmgmt.load_case(EXAMPLES / "larkspur-bakery")
    assert case_theme(case).name == "HSBC UK"
    assert case_theme(case, "citibank").name == "Citibank"  # the RM's choice of theme
    assert case_theme(case, "default").name == "HSBC UK"  # the default theme names no bank


PEOPLE = {
    "relationship_manager": {
        "name": "Li Na",
        "local_name": "李娜",
        "title": "Relationship Manager",
        "local_title": "客户经理",
        "email": "li.na@bank.example",
        "phone": "+86 10 5555 0100",
    },
    "product_specialist": {"name": "Chen Gang", "email": "chen.gang@bank.example"},
}


def test_people_and_the_client_address_are_read_saved_and_printed(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE_CASE)
    doc.update(copy.deepcopy(PEOPLE))
    doc["client"]["address"] = ["1 Test Road", "Chengdu 610000"]
    doc["client"]["local_address"] = "成都市测试路1号"
    case = cashmgmt.load_case(write_case(tmp_path / "case", case=doc, balances=MONTH_BALANCES))
    manager, specialist = case.relationship_manager, case.product_specialist
    assert manager is not None and specialist is not None
    assert (manager.local_name, manager.phone, specialist.title) == (
        "李娜",
        "+86 10 5555 0100",
        None,
    )
    assert case.client.address == ("1 Test Road", "Chengdu 610000")
    assert case.client.local_address == ("成都市测试路1号",)
    saved = cashmgmt.load_case(cashmgmt.save_case(case, tmp_path / "copy"))
    assert saved == case
    zh = cashmgmt.letter(case, "zh-CN", on=ON).html()
    assert "李娜" in zh and "客户经理" in zh and "成都市测试路1号" in zh and "1 Test Road" not in zh
    en = cashmgmt.propose(case, language="en", on=ON).html()
    # no title given: the specialist is printed under the role's own name
    assert "Chen Gang" in en and "Product specialist" in en and "li.na@bank.example" in en


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("relationship_manager.email", "not-an-address", "an e-mail address"),
        ("relationship_manager.phone", 4420794600, "a telephone number in quotes"),
        ("relationship_manager.phone", "call me", "a telephone number"),
        ("relationship_manager.name", "x" * 101, "at most 100 characters"),
        ("relationship_manager.nickname", "Bob", "unknown key"),
        ("product_specialist", "Chen Gang", "a mapping"),
        ("client.address", ["line"] * 7, "at most 6 address lines"),
        ("client.address", [], "an address"),
        ("client.address", ["ok", "x" * 101], "at most 100 characters"),
    ],
)
def test_faults_in_people_and_addresses_are_located(
    tmp_path: Path, where: str, value: object, expected: str
) -> None:
    doc = copy.deepcopy(BASE_CASE)
    doc.update(copy.deepcopy(PEOPLE))
    section, key = where.split(".") if "." in where else (where, "")
    if key:
        doc[section][key] = value
    else:
        doc[section] = value
    with pytest.raises(CaseError) as info:
        cashmgmt.load_case(write_case(tmp_path / "case", case=doc, balances=MONTH_BALANCES))
    lines = [str(p) for p in info.value.problems]
    assert any(where in line and expected in line for line in lines), lines


def test_a_person_without_a_name_is_refused(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE_CASE)
    doc["relationship_manager"] = {"email": "a@b.example"}
    with pytest.raises(CaseError) as info:
        cashmgmt.load_case(write_case(tmp_path / "case", case=doc, balances=MONTH_BALANCES))
    assert any("relationship_manager.name" in str(p) for p in info.value.problems)
