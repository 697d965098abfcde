"""A generated book of a few hundred cases (issue 16's proof): run serially, on the local
process pool and on a local Dask cluster (scheduler and two workers started here on
127.0.0.1), it gives the same rows; the cases broken on purpose come back as located
problems and leave the others exactly as a book without them gives them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_portfolio_run import plain

from cashmgmt.portfolio.rows import CaseRow
from cashmgmt.portfolio.run import run_book
from cashmgmt.portfolio.synthetic import Book, write_book

CASES = 240


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    return write_book(tmp_path_factory.mktemp("generated") / "book", CASES, seed="issue-16")


@pytest.fixture(scope="module")
def serial(book: Book, tmp_path_factory: pytest.TempPathFactory) -> tuple[CaseRow, ...]:
    return run_book(book.folder, out=tmp_path_factory.mktemp("serial"), executor="serial")


def test_every_case_is_a_row_and_the_broken_ones_are_located_problems(
    book: Book, serial: tuple[CaseRow, ...]
) -> None:
    assert [r.case for r in serial] == sorted(book.cases) and len(serial) == CASES
    bad = {r.case for r in serial if r.status == "problems"}
    assert bad == set(book.broken)
    for row in serial:
        if row.status == "problems":
            assert row.problems and all(p.file and p.message for p in row.problems)
    assert sum(r.status == "ok" and bool(r.solution) for r in serial) > CASES // 2


def test_the_local_pool_and_a_dask_cluster_give_the_same_rows(
    book: Book, serial: tuple[CaseRow, ...], tmp_path: Path
) -> None:
    pooled = run_book(book.folder, out=tmp_path / "pool", workers=2)
    assert plain(pooled) == plain(serial)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        on_dask = run_book(book.folder, out=tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert plain(on_dask) == plain(serial)


def test_broken_cases_do_not_touch_the_others(
    book: Book, serial: tuple[CaseRow, ...], tmp_path: Path
) -> None:
    clean = tmp_path / "clean"
    for name in book.cases:
        if name not in book.broken:
            shutil.copytree(book.folder / name, clean / name)
    rows = run_book(clean, out=tmp_path / "out", executor="serial")
    expected: list[dict[str, Any]] = [r for r in plain(serial) if r["status"] == "ok"]
    assert plain(rows) == expected
