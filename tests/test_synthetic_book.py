"""The synthetic book generator (cashmgmt.portfolio.synthetic): deterministic, the stated share
broken on purpose (each fault a located problem), every other case loads, and the mix is a
bank's (mostly mid and small-mid clients, a median near 30 accounts over two years)."""

from __future__ import annotations

import statistics
from decimal import Decimal
from pathlib import Path

import pytest

from cashmgmt import load_case
from cashmgmt.cycle.assess import segment_of
from cashmgmt.errors import CaseError
from cashmgmt.portfolio.synthetic import BROKEN_KINDS, SEGMENT_WEIGHTS, main, write_book
from cashmgmt.reference.rates import reference_usd_rates


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = write_book(tmp_path / "a", 12, seed="s", broken_share="0.25")
    second = write_book(tmp_path / "b", 12, seed="s", broken_share="0.25")
    write_book(tmp_path / "c", 12, seed="t", broken_share="0.25")
    assert first.cases == second.cases and first.broken == second.broken
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_a_case_does_not_depend_on_the_book_size(tmp_path: Path) -> None:
    """Case i is the same in every book of the seed that holds it."""
    small = write_book(tmp_path / "small", 4, seed=7, broken_share=0)
    large = write_book(tmp_path / "large", 9, seed=7, broken_share=0)
    assert large.cases[:4] == small.cases
    for name in small.cases:
        assert files(tmp_path / "small" / name) == files(tmp_path / "large" / name)


def test_the_stated_share_is_broken_and_located(tmp_path: Path) -> None:
    """20 cases at 20%: exactly 4 broken, one of each kind; each broken case fails to load
    with located problems naming its fault, and every other case loads."""
    book = write_book(tmp_path, 20, seed="share", broken_share=Decimal("0.2"))
    assert len(book.cases) == 20 and len(set(book.cases)) == 20
    assert sorted(book.broken.values()) == sorted(BROKEN_KINDS)
    expected = {
        "bad-yaml": ("case.yaml", "expected valid YAML"),
        "unknown-currency": ("case.yaml", "expected an ISO 4217 currency code"),
        "missing-balances": ("balances.csv", "no such file"),
        "unknown-account": ("balances.csv", "expected an account id of the case"),
    }
    for name in book.cases:
        if name not in book.broken:
            case = load_case(tmp_path / name)
            assert case.accounts and case.balances.end.isoformat() == "2025-12-31"
            continue
        with pytest.raises(CaseError) as caught:
            load_case(tmp_path / name)
        problems = caught.value.problems
        assert problems, name
        file_name, words = expected[book.broken[name]]
        assert any(
            str(tmp_path / name) in p.file and file_name in p.file and words in str(p)
            for p in problems
        ), (name, [str(p) for p in problems])
        for p in problems:  # located: a file, and a place or a message that says what
            assert p.file and (p.where or p.message)


@pytest.mark.parametrize(("n", "share", "broken"), [(0, "0.5", 0), (10, "0", 0), (7, "1", 7)])
def test_share_edges(tmp_path: Path, n: int, share: str, broken: int) -> None:
    assert len(write_book(tmp_path, n, seed=1, broken_share=share).broken) == broken


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        write_book(tmp_path, 3, seed=1, broken_share="1.5")
    with pytest.raises(ValueError, match="negative"):
        write_book(tmp_path, -1, seed=1)


def test_the_mix_is_a_banks_book(tmp_path: Path) -> None:
    """Over 200 cases (read from the files, not the generator): every segment appears, mid
    and small-mid clients are most of the book, the median case holds 24-36 accounts, and
    most cases hold two years of history."""
    book = write_book(tmp_path, 200, seed="mix", broken_share=0)
    rates = reference_usd_rates()
    segments: dict[str, int] = {}
    accounts, rows = [], []
    for name in book.cases:
        text = (tmp_path / name / "case.yaml").read_text(encoding="utf-8")
        revenue = next(line for line in text.splitlines() if "annual_revenue:" in line)
        amount, code = revenue.split(":")[1].split()
        rate = rates.rate(code)
        assert rate is not None
        segment = segment_of(Decimal(amount) / rate)
        segments[segment] = segments.get(segment, 0) + 1
        accounts.append(text.count(", entity: "))
        rows.append(len((tmp_path / name / "balances.csv").read_text().splitlines()) - 1)
    assert set(segments) == set(SEGMENT_WEIGHTS)
    assert segments["mid"] + segments["small-mid"] >= 0.7 * len(book.cases)
    assert 24 <= statistics.median(accounts) <= 36
    assert statistics.median(rows) > 500  # working days in two years (about 520)


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "book"), "--cases", "3", "--seed", "x"]) == 0
    assert "3 cases" in capsys.readouterr().out
    assert len([p for p in (tmp_path / "book").iterdir() if p.is_dir()]) == 3
