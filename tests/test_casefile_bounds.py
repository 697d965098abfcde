"""The case file read in bounded time and memory, whatever it holds: its size, anchors and
aliases, nesting and number of values are bounded before anything is built; text and ids are
checked character by character; messages never show more than a short part of a value; the
problems of one file are capped; graph checks name one cycle per tangle, without recursion."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from casekit import dump_yaml
from click.testing import CliRunner
from ruamel.yaml import YAML
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, ScalarEvent

from cashmgmt import CaseError, load_case
from cashmgmt.cli import EXIT_BAD_INPUT, cli
from cashmgmt.errors import Invalid, Omitted, count_problems, shown
from cashmgmt.inputs import limits, validate
from cashmgmt.inputs.casefile import load
from cashmgmt.inputs.casefile.parsers import identifier, text

CaseDir = Callable[..., Path]


def problems_of(path: Path) -> list[str]:
    """The problem lines a broken case gives (fails if it loads)."""
    with pytest.raises(CaseError) as info:
        load_case(path)
    return [str(p) for p in info.value.problems]


def only_problem(path: Path) -> str:
    """The one problem line of a case file that cannot be read at all."""
    lines = problems_of(path)
    assert len(lines) == 1, lines
    return lines[0]


def with_line(case: dict[str, Any], old: str, new: str) -> str:
    """The case as YAML text with one line replaced (to write what dump_yaml cannot)."""
    yaml = dump_yaml(case)
    assert old in yaml
    return yaml.replace(old, new, 1)


# --- the YAML itself -------------------------------------------------------------------


def alias_bomb() -> str:
    """2 KB that expands to 10^9 strings if aliases were followed."""
    lines = ['a0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, 9):
        lines.append(f"a{k}: &l{k} [" + ",".join([f"*l{k - 1}"] * 10) + "]")
    return "\n".join([*lines, "client:", "  name: *l8", ""])


def test_an_alias_bomb_is_refused_at_its_first_anchor(case_dir: CaseDir) -> None:
    bomb = alias_bomb()
    assert len(bomb) < 2500
    started = time.perf_counter()
    line = only_problem(case_dir(case=bomb))
    assert time.perf_counter() - started < 2
    assert "line 1, column 5: expected no anchors or aliases" in line


@pytest.mark.parametrize(
    ("yaml", "place"),
    [
        ("case: &one 1\n", "line 1, column 7"),
        ("case: 1\nclient:\n  name: *one\n", "line 3, column 9"),
        ("case: 1\nclient: &c {name: x}\n", "line 2, column 9"),
    ],
)
def test_anchors_and_aliases_are_refused_with_their_place(
    case_dir: CaseDir, yaml: str, place: str
) -> None:
    line = only_problem(case_dir(case=yaml))
    assert f"case.yaml: {place}: expected no anchors or aliases" in line


def test_deep_nesting_is_refused_before_it_is_built(case_dir: CaseDir) -> None:
    depth = 5_000
    line = only_problem(case_dir(case="case: 1\nclient: " + "[" * depth + "]" * depth + "\n"))
    column = 8 + limits.MAX_YAML_DEPTH  # the top mapping is level 1, client's list level 2
    assert f"line 2, column {column}: expected at most {limits.MAX_YAML_DEPTH} levels" in line
    block = "case: 1\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(200)) + " " * 200 + "x: 1\n"
    assert "levels of nesting" in only_problem(case_dir(case=block))


def test_too_many_values_are_refused_as_they_are_read(
    case_dir: CaseDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "CASE_FILE", attrs.evolve(load.CASE_FILE, max_nodes=1000))
    line = only_problem(case_dir(case="case: 1\nclient: [" + "0, " * 2000 + "]\n"))
    assert "line 2, column" in line and "expected at most 1,000 values" in line


def test_a_case_file_over_the_size_bound_is_refused_before_it_is_parsed(
    case_dir: CaseDir,
) -> None:
    folder = case_dir()
    with (folder / "case.yaml").open("a", encoding="utf-8") as stream:
        stream.write("#" * limits.MAX_CASE_FILE_BYTES + "\n")
    started = time.perf_counter()
    line = only_problem(folder)
    assert time.perf_counter() - started < 2
    assert f"expected a case file of at most {limits.MAX_CASE_FILE_BYTES // 2**20} MiB" in line


@pytest.mark.parametrize(
    ("raw", "place", "words"),
    [
        (b"case: 1\nclient: \xff\xfe\n", "line 2, column 9", "byte 0xFF, which is not UTF-8"),
        ("case: 1\n名前: \xe9x\n".encode("gbk"), "line 2, column 1", "byte 0xC3"),
        (b"case: 1\nclient: a\x00b\n", "line 2, column 10", "control character \\x00"),
        (b"case: 1\n\x1b[31m: x\n", "line 2, column 1", "control character \\x1b"),
    ],
)
def test_bytes_that_are_not_yaml_text_are_located(
    case_dir: CaseDir, raw: bytes, place: str, words: str
) -> None:
    folder = case_dir()
    (folder / "case.yaml").write_bytes(raw)
    line = only_problem(folder)
    assert f"case.yaml: {place}: " in line and words in line, line
    assert "position" not in line and "Error" not in line


def test_syntax_errors_give_line_and_column_not_position(case_dir: CaseDir) -> None:
    line = only_problem(case_dir(case="case: 1\nclient:\n  name: [a\n  x: }\n"))
    assert "case.yaml: line 4, column 4: expected valid YAML" in line
    assert "position" not in line


@pytest.mark.parametrize(
    "value", ["1" * 5000, "2025-13-45"], ids=["an integer of 5,000 digits", "a bad date"]
)
def test_values_yaml_cannot_build_are_located(case_dir: CaseDir, value: str) -> None:
    line = only_problem(case_dir(case=f"case: 1\nclient: {value}\n"))
    assert "line 2, column 9: expected valid YAML" in line
    assert "ValueError" not in line and "sys." not in line


def test_a_case_file_linked_from_outside_its_folder_is_not_read(
    case_dir: CaseDir, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:SECRET-WORD:/root:/bin/bash\n", encoding="utf-8")
    folder = case_dir()
    (folder / "case.yaml").unlink()
    (folder / "case.yaml").symlink_to(secret)
    line = only_problem(folder)
    assert "expected a case file inside its case folder" in line
    assert "root" not in line.split(": ", 1)[1] and "SECRET" not in line
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == EXIT_BAD_INPUT and "SECRET" not in result.output


def test_a_case_file_linked_inside_its_folder_is_read(case_dir: CaseDir) -> None:
    folder = case_dir()
    (folder / "case.yaml").rename(folder / "v2.yaml")
    (folder / "case.yaml").symlink_to("v2.yaml")
    assert load_case(folder).client.name == "Test Group"


# --- messages show values briefly --------------------------------------------------------


def nested(depth: int) -> list[Any]:
    """A list nested `depth` deep (built without recursion)."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value, value]
    return value


def test_shown_never_builds_the_whole_value() -> None:
    huge: list[object] = [nested(100_000), {str(i): [i] * 1000 for i in range(10_000)}]
    started = time.perf_counter()
    for value in [*huge, "x" * 10**7, 7**50_000, Decimal("1e999999")]:
        assert len(shown(value)) <= 60
    assert time.perf_counter() - started < 0.5
    assert shown(huge[0]) == "a list of 2 items"
    assert shown({"HQ-CNY": "60%", "NOR-USD": "30%"}) == "a mapping with keys HQ-CNY, NOR-USD"
    assert shown({f"key{i}": i for i in range(100)}).endswith(", …")
    assert shown("x" * 100, 10) == "'xxxxxxx…'"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2025, 1, 1), "2025-01-01"),
        (datetime(2025, 1, 1, 9, 30), "2025-01-01T09:30:00"),
        (b"hello", "binary data of 5 bytes"),
        (None, "an empty value"),
        (True, "true"),
        ([], "an empty list"),
        ({1, 2}, "a set of 2 items"),
        (object(), "a value that is not text, a number, a date, a list or a mapping"),
        ("a\u200bb\n", "'a\\u200bb\\n'"),
        ("НQ", "'НQ'"),
    ],
)
def test_shown_speaks_without_python_names(value: object, text: str) -> None:
    assert shown(value) == text


def test_shown_escaped_tells_look_alikes_apart() -> None:
    assert shown("\u041dQ", escaped=True) == "'\\u041dQ'"
    assert shown("💰", escaped=True) == "'\\U0001f4b0'"
    assert len(shown("\u041d" * 100, escaped=True)) <= 60


def test_a_date_or_binary_in_the_case_is_described_plainly(case_dir: CaseDir) -> None:
    lines = problems_of(case_dir(case="case: 2025-01-01\nclient: !!binary aGVsbG8=\n"))
    assert any("case: expected the format version 1, got 2025-01-01" in s for s in lines)
    assert any("client: expected a mapping of keys to values, got binary data" in s for s in lines)
    assert not any("datetime" in s or "b'" in s for s in lines), lines


def test_a_huge_key_is_cut_in_the_key_path(case_dir: CaseDir) -> None:
    lines = problems_of(case_dir(case="case: 1\n" + "k" * 100_000 + ": 1\n"))
    assert max(len(s) for s in lines) < 500


# --- ids and names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "escape"),
    [
        ("\u200b", "\\u200b"),
        ("\u200d", "\\u200d"),
        ("\u2060", "\\u2060"),
        ("\ufeff", "\\ufeff"),
        ("\u202e", "\\u202e"),
        ("\u2066", "\\u2066"),
        ("\x07", "\\x07"),
        ("\ud800", "\\ud800"),
    ],
)
def test_ids_with_invisible_characters_are_refused(char: str, escape: str) -> None:
    with pytest.raises(Invalid) as info:
        identifier(f"H{char}Q")
    assert f"found {escape} at character 2" in info.value.message


def test_ids_are_normalised_to_nfc(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    decomposed = unicodedata.normalize("NFD", "CAFÉ")
    assert identifier(decomposed) == "CAFÉ"
    base_case["entities"][0]["id"] = decomposed
    base_case["entities"][1]["parent"] = "CAFÉ"
    base_case["entities"][2]["parent"] = "CAFÉ"
    base_case["accounts"][0]["entity"] = "CAFÉ"
    case = load_case(case_dir(case=base_case))
    assert case.entities[0].id == "CAFÉ" and case.entities[1].parent == "CAFÉ"


def test_a_zero_width_id_is_located_and_shown_escaped(
    case_dir: CaseDir, base_case: dict[str, Any]
) -> None:
    yaml = with_line(base_case, "  id: HQ\n", '  id: "H\\u200bQ"\n')
    lines = problems_of(case_dir(case=yaml))
    assert any(
        "entities[0].id: expected an id of visible characters; found \\u200b at character 2" in line
        for line in lines
    ), lines


def test_a_look_alike_reference_is_shown_with_escapes(
    case_dir: CaseDir, base_case: dict[str, Any]
) -> None:
    base_case["entities"][1]["parent"] = "\u041dQ"  # Cyrillic En, then Latin Q
    (line,) = problems_of(case_dir(case=base_case))
    assert line.endswith(
        "case.yaml: entities[1].parent: expected the id of an entity in the case, got '\\u041dQ'"
    )


def test_names_keep_any_printable_unicode_and_join_escaped_pairs(
    case_dir: CaseDir, base_case: dict[str, Any]
) -> None:
    yaml = with_line(
        base_case, "name: Test Group\n", 'name: "\\ud83d\\udcb0 Bäckerei 👨\u200d👩"\n'
    )
    folder = case_dir(case=yaml)
    assert load_case(folder).client.name == "💰 Bäckerei 👨\u200d👩"
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == 0 and "💰" in result.output, result.output


@pytest.mark.parametrize(
    ("escaped", "half"),
    [("\\ud83d Group", "\\ud83d"), ("💰\\udcb0", "\\udcb0"), ("\\udcb0\\ud83d", "\\udcb0")],
)
def test_a_lone_surrogate_is_a_located_problem(
    case_dir: CaseDir, base_case: dict[str, Any], escaped: str, half: str
) -> None:
    yaml = with_line(base_case, "name: Test Group\n", f'name: "{escaped}"\n')
    folder = case_dir(case=yaml)
    line = only_problem(folder)
    assert ": line 40, column 9: " in line and f"found {half}, half of a character" in line
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == EXIT_BAD_INPUT


def test_control_characters_in_names_are_refused() -> None:
    with pytest.raises(Invalid) as info:
        text("Acme\x1b[31m")
    assert "found \\x1b at character 5" in info.value.message


# --- problems capped -----------------------------------------------------------------------


def test_problems_of_the_case_file_are_capped(case_dir: CaseDir, base_case: dict[str, Any]) -> None:
    base_case["entities"] = [{"id": 5, "name": [], "country": "XX"} for _ in range(400)]
    with pytest.raises(CaseError) as info:
        load_case(case_dir(case=base_case))
    problems = info.value.problems
    case_file = [p for p in problems if p.file.endswith("case.yaml")]
    assert len(case_file) == limits.MAX_PROBLEMS + 1
    last = case_file[-1]
    assert isinstance(last, Omitted) and last.count >= 3 * 400 - limits.MAX_PROBLEMS
    assert f"and {last.count} more problems like those above" in str(last)
    assert str(info.value).startswith(f"{count_problems(problems)} problems")


# --- graph checks --------------------------------------------------------------------------


def entity(eid: str, parent: str | None = None) -> dict[str, Any]:
    return {"id": eid, "name": eid, "country": "CN", **({"parent": parent} if parent else {})}


def test_a_tangle_of_parents_is_one_cycle_not_millions() -> None:
    tangle = [entity(f"E{i}", f"E{j}") for i in range(12) for j in range(12) if i != j]
    started = time.perf_counter()
    problems = validate.check_entities("case.yaml", {"entities": tangle})
    assert time.perf_counter() - started < 1
    assert len(problems) == 1
    assert "expected an ownership tree, found a cycle: E0 -> E1 -> E0" in str(problems[0])


def test_each_tangle_and_self_parent_is_reported_once() -> None:
    entities = [
        entity("A", "B"),
        entity("B", "A"),
        entity("C", "C"),
        entity("D", "E"),
        entity("E", "F"),
        entity("F", "D"),
        entity("G", "A"),
    ]
    lines = [str(p) for p in validate.check_entities("case.yaml", {"entities": entities})]
    assert lines == [
        "case.yaml: entities[0].parent: expected an ownership tree, found a cycle: A -> B -> A",
        "case.yaml: entities[2].parent: expected an ownership tree, found a cycle: C -> C",
        "case.yaml: entities[3].parent: expected an ownership tree, found a cycle: "
        "D -> F -> E -> D",
    ]


def test_a_chain_10000_deep_is_walked_without_recursion() -> None:
    depth = 10_000
    chain = [entity("E0")] + [entity(f"E{i}", f"E{i - 1}") for i in range(1, depth)]
    assert validate.check_entities("case.yaml", {"entities": chain}) == []
    chain[0] = entity("E0", f"E{depth - 1}")  # close the loop: one cycle of 10,000
    (problem,) = validate.check_entities("case.yaml", {"entities": chain})
    assert problem.where == "entities[0].parent"
    assert "(10000 in all) -> E0" in problem.message and len(problem.message) < 200


def test_sweep_cycles_one_per_tangle_and_deep_chains() -> None:
    depth = 10_000
    accounts = [{"id": f"A{i}"} for i in range(depth)]
    rules = [{"from": f"A{i}", "to": f"A{i + 1}"} for i in range(depth - 1)]
    rules.append({"from": f"A{depth - 1}", "to": "A0"})
    top = {
        "accounts": accounts,
        "structures": [{"id": "s", "kind": "physical", "rules": rules}],
    }
    started = time.perf_counter()
    problems = validate.check_structures("case.yaml", top, {})
    assert time.perf_counter() - started < 2
    assert [p.where for p in problems] == ["structures[0].rules"]
    assert "expected a sweep forest, found a cycle: A0 -> A1" in problems[0].message
    rules.pop()
    assert validate.check_structures("case.yaml", top, {}) == []


# --- the bounds as documented ------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "case-format.md"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_docs_state_the_case_file_bounds() -> None:
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert f"**{limits.MAX_CASE_FILE_BYTES // 2**20} MiB** (`MAX_CASE_FILE_BYTES`)" in docs
    assert f"**{limits.MAX_YAML_NODES:,} values** (`MAX_YAML_NODES`" in docs
    assert f"**{limits.MAX_YAML_DEPTH} levels** deep (`MAX_YAML_DEPTH`)" in docs
    assert f"reports its first {limits.MAX_PROBLEMS} (`MAX_PROBLEMS`)" in docs


@pytest.mark.parametrize("name", ["aurora-industrial", "huaxia-liquor"])
def test_the_examples_are_well_within_the_bounds(name: str) -> None:
    raw = (EXAMPLES / name / "case.yaml").read_bytes()
    assert len(raw) * 20 < limits.MAX_CASE_FILE_BYTES
    values = depth = deepest = 0
    for event in YAML(typ="safe", pure=True).parse(raw.decode("utf-8")):
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            values += 1
        if isinstance(event, CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    # Dated rate changes (issue 12) made the examples larger: aurora 7,619 values, 8 deep.
    assert values * 6 < limits.MAX_YAML_NODES and deepest * 4 <= limits.MAX_YAML_DEPTH
