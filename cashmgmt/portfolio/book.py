"""A book: the cases a portfolio run covers, found in a folder of case folders or listed in a
manifest file; and each case's key (a hash of its files and the library version), by which
an interrupted run knows what it has done already."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from cashmgmt.errors import Error, Problem, shown
from cashmgmt.inputs.yamlfile import Bounds, read_yaml

#: A book holds at most this many cases (a bank's book in the source is 185,200 new clients a
#: year; five times that still lists in a few seconds).
MAX_BOOK_CASES = 1_000_000
#: A manifest file larger than this is refused before it is read (a million paths of 60
#: characters fit).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: A YAML manifest is read by the pure-Python reader, which takes seconds per MiB: a list of
#: paths as YAML is kept to 100,000 cases (a text manifest has no such bound beyond its size).
MAX_YAML_MANIFEST_CASES = 100_000
#: A case's key hashes at most this many files and bytes of its folder (its case file and
#: tables are bounded by the loader; other files are not read past these).
MAX_KEY_FILES = 64
MAX_KEY_BYTES = 1024 * 1024 * 1024

MANIFEST_SUFFIXES = (".txt", ".list", ".yaml", ".yml")
CASE_FILES = ("case.yaml", "case.yml")


class BookError(Error):
    """A book cannot be read: no such folder, a manifest with bad lines, too many cases."""


@attrs.frozen
class BookCase:
    """One case of a book: its name in the results (the folder's name, or the path as the
    manifest writes it) and where it is."""

    name: str
    path: Path


def read_book(book: str | Path, *, skip: Iterable[str | Path] = ()) -> tuple[BookCase, ...]:
    """The cases of a book, sorted by name: a folder's subfolders (hidden ones and `skip`,
    e.g. the run's output folder, left out), or the entries of a manifest (a text file with
    one path a line, `#` comments and blank lines ignored, or a YAML list of paths), each
    relative to the manifest's folder. BookError names every bad entry."""
    path = Path(book)
    label = str(book) or '""'
    if path.is_dir():
        if any((path / name).is_file() for name in CASE_FILES):
            raise BookError(
                [Problem(label, "", "expected a folder of case folders; this is one case")]
            )
        return _folder(path, {_identity(Path(s)) for s in skip})
    if path.is_file():
        return _manifest(path, label)
    raise BookError(
        [
            Problem(
                label,
                "",
                "no such folder or file; expected a folder of case folders or a "
                "manifest listing them",
            )
        ]
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _folder(path: Path, skip: set[tuple[int, int] | None]) -> tuple[BookCase, ...]:
    cases = []
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        raise BookError([Problem(str(path), "", f"cannot be read ({exc.strerror})")]) from None
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        if _identity(Path(entry.path)) in skip:
            continue
        cases.append(BookCase(entry.name, Path(entry.path)))
        if len(cases) > MAX_BOOK_CASES:
            raise BookError(
                [Problem(str(path), "", f"expected at most {MAX_BOOK_CASES:,} case folders")]
            )
    return tuple(cases)


def _manifest(path: Path, label: str) -> tuple[BookCase, ...]:
    if path.suffix.lower() not in MANIFEST_SUFFIXES:
        expected = "a manifest (.txt, .list, .yaml or .yml) or a folder of case folders"
        raise BookError([Problem(label, "", f"expected {expected}")])
    if path.suffix.lower() in (".yaml", ".yml"):
        entries = _yaml_entries(path, label)
    else:
        entries = _text_entries(path, label)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    cases = []
    for where, entry in entries:
        if not entry:
            problems.append(Problem(label, where, "expected a path to a case folder"))
            continue
        target = path.parent / entry
        name = Path(entry).as_posix()
        if name in seen:
            problems.append(Problem(label, where, f"{shown(entry)} is listed twice"))
            continue
        seen[name] = where
        cases.append(BookCase(name, target))
        if len(problems) >= 50:
            break
    if len(cases) > MAX_BOOK_CASES:
        problems.append(Problem(label, "", f"expected at most {MAX_BOOK_CASES:,} cases"))
    if problems:
        raise BookError(problems)
    return tuple(sorted(cases, key=lambda c: c.name))


def _text_entries(path: Path, label: str) -> list[tuple[str, str]]:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise BookError([Problem(label, "", f"cannot be read ({exc.strerror})")]) from None
    if len(raw) > MAX_MANIFEST_BYTES:
        size = MAX_MANIFEST_BYTES // 2**20
        raise BookError([Problem(label, "", f"expected a manifest of at most {size} MiB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start + 1}"
        raise BookError([Problem(label, where, "expected UTF-8 text")]) from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if entry and not entry.startswith("#"):
            out.append((f"line {number}", entry))
        if len(out) > MAX_BOOK_CASES:
            break
    return out


def _yaml_entries(path: Path, label: str) -> list[tuple[str, str]]:
    bounds = Bounds("a manifest", MAX_MANIFEST_BYTES, 4, MAX_YAML_MANIFEST_CASES + 2)
    data, problems = read_yaml(path, label, bounds)
    if problems:
        raise BookError(problems)
    if not isinstance(data, list):
        raise BookError([Problem(label, "", f"expected a list of paths, got {shown(data)}")])
    out = []
    bad = []
    for i, entry in enumerate(data, 1):
        if isinstance(entry, str):
            out.append((f"entry {i}", entry.strip()))
        else:
            bad.append(Problem(label, f"entry {i}", f"expected a path, got {shown(entry)}"))
    if bad:
        raise BookError(bad[:50])
    return out


def case_key(path: Path, version: str) -> str:
    """A hash of a case's files (every regular file of its folder, or of the case file's
    folder, by name and content, within MAX_KEY_FILES and MAX_KEY_BYTES) and the library
    version: a case whose files or library changed is run again."""
    digest = hashlib.sha256(f"cashmgmt {version}\0".encode())
    folder = path if path.is_dir() else path.parent
    try:
        files = sorted((e for e in os.scandir(folder) if e.is_file()), key=lambda e: e.name)
    except OSError:
        files = []
    budget = MAX_KEY_BYTES
    for entry in files[:MAX_KEY_FILES]:
        digest.update(entry.name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(entry.path, "rb") as stream:
                while budget > 0 and (chunk := stream.read(min(1 << 20, budget))):
                    digest.update(chunk)
                    budget -= len(chunk)
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()
