"""The input limits of a case file: reading, parsing and the first checks."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLE_CASE

from respond.casefile import (
    MAX_CASE_BYTES,
    CaseFormatError,
    CaseReadError,
    ExactNumber,
    case_document,
    case_json,
    load_case,
    name_problem,
    parse_case_text,
    read_case_file,
    read_case_stream,
    validate_case,
)
from respond.casefile._limits import number_problem, text_shape


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))


def example_text() -> str:
    return EXAMPLE_CASE.read_text(encoding="utf-8")


def problems(doc: object) -> list[str]:
    with pytest.raises(CaseFormatError) as caught:
        validate_case(doc)
    return [str(problem) for problem in caught.value.problems]


def parsed_problems(text: str) -> list[str]:
    return problems(parse_case_text(text))


# --- 1. nesting -----------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 990, 100_000])
def test_deep_nesting_is_refused_before_parsing(depth: int) -> None:
    started = time.monotonic()
    with pytest.raises(CaseReadError, match=f"nested {depth} levels deep.*at most 64"):
        parse_case_text("[" * depth + "]" * depth)
    assert time.monotonic() - started < 2


def test_64_levels_are_read() -> None:
    doc = parse_case_text("[" * 64 + "]" * 64)
    assert isinstance(doc, list)


def test_an_unclosed_bracket_counts_as_open() -> None:
    with pytest.raises(CaseReadError, match="at most 64 levels"):
        parse_case_text('{"a": ' + "[" * 100_000)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"note": "[" * 1000 + '\\"{' * 100, "x": [["\\\\"]]})
    assert text_shape(text)[0] == 3
    assert parse_case_text(text) == json.loads(text)


def test_a_document_nested_too_deeply_in_memory_is_refused() -> None:
    doc: Any = example()
    node = doc["lesions"][0]
    for _ in range(70):
        node["note"] = {}
        node = node["note"]
    found = problems(doc)
    assert any("nested more than 64 levels deep" in text for text in found)


# --- 2. numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "4.9999999999999999999999",
        "0.0000000000000000000000001",
        "1e24",
        "0",
        "-0",
        "0.0",
        "52.0",
        "1E+0000005",
        "9" * 25,
    ],
)
def test_numbers_within_the_limits_are_read(text: str) -> None:
    assert number_problem(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e1000", "out of range"),
        ("-1e400", "out of range"),
        ("1E-99999999999999999999", "out of range"),
        ("1E999999999", "out of range"),
        ("1e25", "out of range"),
        ("1e-26", "out of range"),
        ("0e-30", "out of range"),
        ("9" * 26, "26 significant digits; respond reads at most 25"),
        ("1" + "0" * 4000, "4001 significant digits"),
        ("1.00000000000000000000000000", "27 significant digits"),
    ],
)
def test_numbers_beyond_the_limits_are_named(text: str, expected: str) -> None:
    problem = number_problem(text)
    assert problem is not None
    assert expected in problem


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("1e1000", "the number 1e1000 is out of range"),
        ("1E-99999999999999999999", "is out of range"),
        ("-1e400", "the number -1e400 is out of range"),
        ("NaN", "NaN is not a JSON number"),
        ("Infinity", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
        ("1" + "0" * 4000, "4001 significant digits"),
    ],
)
def test_a_refused_number_is_named_with_its_path(literal: str, expected: str) -> None:
    text = example_text().replace('"long_axis_mm": 50.0', f'"long_axis_mm": {literal}')
    found = parsed_problems(text)
    assert len(found) == 1
    assert found[0].startswith("timepoints[1].targets.T1.long_axis_mm: ")
    assert expected in found[0]


def test_sd_min_days_1e999999999_is_refused_at_once() -> None:
    text = example_text().replace('"sd_min_days": 42', '"sd_min_days": 1E999999999')
    started = time.monotonic()
    found = parsed_problems(text)
    assert time.monotonic() - started < 2
    assert found[0].startswith("settings.sd_min_days: the number 1E999999999")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("settings", "sd_min_days"), 2**63, "must be an integer from 0 to 36500"),
        (("settings", "confirmation_min_days"), 36_501, "from 0 to 36500"),
        (("settings", "mrecist_pd_min_increase_mm"), 1001, "must be <= 1000"),
        (("timepoints", 0, "slice_thickness_mm"), 101, "must be <= 100"),
        (("timepoints", 1, "targets", "T1", "long_axis_mm"), 1000.5, "<= 1000"),
        (("timepoints", 1, "targets", "T1", "viable_mm"), Decimal("1E+24"), "<= 1000"),
        (("timepoints", 1, "new_lesions", 0, "long_axis_mm"), 2000, "<= 1000"),
        (
            ("timepoints", 1, "clinical", "adverse_events", 0, "occurrence"),
            101,
            "1 to 100",
        ),
        (
            (
                "timepoints",
                1,
                "clinical",
                "adverse_events",
                0,
                "days_without_improvement",
            ),
            10**18,
            "from 0 to 36500",
        ),
    ],
)
def test_every_number_has_a_finite_range(
    path: tuple[str | int, ...], value: object, expected: str
) -> None:
    doc: Any = example()
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    found = problems(doc)
    assert len(found) == 1
    assert expected in found[0]


def test_every_number_in_the_schema_has_a_maximum() -> None:
    schema = json.loads(
        (EXAMPLE_CASE.parents[1] / "schema" / "respond-case-1.schema.json").read_text()
    )

    def walk(node: object, where: str) -> list[str]:
        missing = []
        if isinstance(node, dict):
            if node.get("type") in ("number", "integer") and "maximum" not in node:
                missing.append(where)
            for key, value in node.items():
                missing += walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                missing += walk(value, f"{where}/{index}")
        return missing

    assert walk(schema, "") == []


def test_a_decimal_in_memory_beyond_the_limits_is_refused() -> None:
    doc = example()
    doc["timepoints"][1]["targets"]["T1"]["long_axis_mm"] = Decimal("1E-99999")
    found = problems(doc)
    assert "is out of range" in found[0]


# --- 3. text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('"Synthetic Example"', '"Syn\\ud800"', "patient.name"),
        ('"Example Reader"', '"\\udfff"', "reader"),
        ('"segment VIII"', '"\\ud800 VIII"', "lesions[0].site"),
        ('"label": "FU1"', '"label": "FU\\ud800"', "timepoints[1].label"),
        ('"id": "X1"', '"id": "X\\ud800"', "timepoints[1].new_lesions[0].id"),
        ('"id": "HCC-0001"', '"id": "\\ud800"', "patient.id"),
    ],
)
def test_a_lone_surrogate_is_refused_with_its_path(
    old: str, new: str, path: str
) -> None:
    text = example_text().replace(old, new, 1)
    code = new.split("\\u")[1][:4]
    found = parsed_problems(text)
    assert found == [
        (
            f"{path}: holds a lone surrogate (\\u{code}), which is not a character; "
            "write the text as UTF-8 characters"
        )
    ]


def test_a_lone_surrogate_in_a_key_is_refused() -> None:
    doc = example()
    doc["timepoints"][1]["non_targets"]["N\ud800"] = "present"
    found = problems(doc)
    assert found[0].startswith('timepoints[1].non_targets["N\\ud800"]: the key holds')


@pytest.mark.parametrize(
    ("where", "length", "limit"),
    [
        (("timepoints", 1, "label"), 65, 64),
        (("patient", "name"), 201, 200),
        (("reader",), 201, 200),
        (("lesions", 0, "organ"), 201, 200),
        (("lesions", 0, "site"), 201, 200),
        (("lesions", 0, "note"), 4001, 4000),
        (("timepoints", 1, "new_lesions", 0, "note"), 4001, 4000),
        (("patient", "id"), 65, 64),
        (("lesions", 0, "id"), 300, 64),
    ],
)
def test_text_has_a_length_limit(
    where: tuple[str | int, ...], length: int, limit: int
) -> None:
    doc: Any = example()
    node = doc
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = "x" * length
    found = problems(doc)
    assert any(
        f"must be at most {limit} characters long, got {length} characters" in text
        for text in found
    ), found


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("P/Q", 'must not contain "/" or "\\" (ids name files)'),
        ("P\\Q\\R", 'must not contain "/" or "\\" (ids name files)'),
        (".hidden", 'must not start with "."'),
        ("..", 'must not start with "."'),
        ("P\tQ", "must hold printable characters only, found U+0009"),
        ("P\x1b[2J", "must hold printable characters only, found U+001B"),
        ("P\u202eQ", "must hold printable characters only, found U+202E"),
        ("", "must not be empty"),
    ],
)
def test_an_id_names_the_rule_it_breaks(value: str, rule: str) -> None:
    for place in ("patient", "lesion", "new_lesion"):
        doc = example()
        if place == "patient":
            doc["patient"]["id"] = value
            path = "patient.id"
        elif place == "lesion":
            doc["lesions"][3]["id"] = value
            path = "lesions[3].id"
        else:
            doc["timepoints"][1]["new_lesions"][0]["id"] = value
            path = "timepoints[1].new_lesions[0].id"
        found = problems(doc)
        assert any(text.startswith(f"{path}: {rule}") for text in found), found


def test_a_key_of_targets_follows_the_rules_of_an_id() -> None:
    doc = example()
    doc["timepoints"][1]["targets"]["../T9"] = {"long_axis_mm": 3}
    assert problems(doc) == [
        'timepoints[1].targets["../T9"]: must not start with ".", got "../T9"'
    ]


def test_ordinary_ids_are_accepted() -> None:
    doc = example()
    doc["patient"]["id"] = "HCC 0001 (Müller)"
    doc["lesions"][0]["id"] = "T-1.a"
    doc["timepoints"][0]["targets"]["T-1.a"] = doc["timepoints"][0]["targets"].pop("T1")
    doc["timepoints"][1]["targets"]["T-1.a"] = doc["timepoints"][1]["targets"].pop("T1")
    validate_case(doc)


def test_a_path_never_carries_a_control_character() -> None:
    doc = example()
    doc["lesions"][0]["bad\x1bkey"] = 1
    found = problems(doc)
    assert found[0].startswith('lesions[0]["bad\\u001bkey"]: unknown key')


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dr A. Reader", None),
        ("dr\x1b[2J", "U+001B"),
        ("\udcff", "U+DCFF"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_name_problem(name: str, expected: str | None) -> None:
    problem = name_problem(name)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert expected in problem


# --- 4. keys given twice ----------------------------------------------------------


def test_a_key_given_twice_is_refused_naming_it() -> None:
    text = example_text().replace(
        '"T1": {"long_axis_mm": 50.0',
        '"T1": {"long_axis_mm": 80.0}, "T1": {"long_axis_mm": 50.0',
    )
    assert '"T1": {"long_axis_mm": 80.0}' in text
    assert parsed_problems(text) == [
        (
            'timepoints[1].targets.T1: the key "T1" is given 2 times in this object; '
            "give it once (otherwise one value silently replaces the other)"
        )
    ]


def test_a_key_given_three_times_at_the_top() -> None:
    text = example_text().replace(
        '"reader": "Example Reader"',
        '"reader": "A", "reader": "B", "reader": "Example Reader"',
    )
    assert parsed_problems(text) == [
        (
            'reader: the key "reader" is given 3 times in this object; '
            "give it once (otherwise one value silently replaces the other)"
        )
    ]


# --- 5. files -----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    with pytest.raises(CaseReadError, match=r"named pipe \(FIFO\), not a regular file"):
        read_case_file(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "case.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(CaseReadError, match="is a character device"):
        read_case_file(link)


def test_a_link_to_a_case_file_is_read(tmp_path: Path) -> None:
    link = tmp_path / "case.json"
    link.symlink_to(EXAMPLE_CASE)
    assert read_case_file(link) == parse_case_text(example_text())


def test_a_file_over_the_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "case.json"
    with big.open("wb") as stream:
        stream.truncate(MAX_CASE_BYTES + 1)
    with pytest.raises(CaseReadError, match="larger than the 10 MB limit"):
        read_case_file(big)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "case.json"
    empty.write_bytes(b"")
    with pytest.raises(CaseReadError, match="is empty"):
        read_case_file(empty)


def test_a_stream_is_read_up_to_the_limit() -> None:
    assert read_case_stream(io.BytesIO(example_text().encode())) == parse_case_text(
        example_text()
    )
    assert read_case_stream(io.StringIO(example_text())) == parse_case_text(
        example_text()
    )
    with pytest.raises(CaseReadError, match="10 MB limit"):
        read_case_stream(io.BytesIO(b" " * (MAX_CASE_BYTES + 1)))
    with pytest.raises(CaseReadError, match="not UTF-8"):
        read_case_stream(io.BytesIO(b'{"a": "\xff"}'))


def test_too_many_values_are_refused_before_parsing() -> None:
    with pytest.raises(CaseReadError, match="respond reads at most 50,000"):
        parse_case_text("[" + "0," * 50_000 + "0]")


# --- export: the decimal text exactly ----------------------------------------------


def test_case_json_writes_the_digits_recorded() -> None:
    exact = "4.9999999999999999999999"
    text = example_text().replace('"long_axis_mm": 50.0', f'"long_axis_mm": {exact}')
    case = load_case(parse_case_text(text))
    written = case_json(case)
    assert f'"long_axis_mm": {exact}' in written
    back = json.loads(written, parse_float=Decimal)
    value = back["timepoints"][1]["targets"]["T1"]["long_axis_mm"]
    assert str(value) == exact
    assert load_case(parse_case_text(written)) == case
    assert written.endswith("}\n")


def test_case_json_lays_out_like_json_dumps() -> None:
    case = load_case(parse_case_text(example_text()))
    expected = json.dumps(case_document(case), indent=2, ensure_ascii=False) + "\n"
    assert case_json(case) == expected


def test_exact_numbers_still_work_with_json_dumps() -> None:
    number = ExactNumber(Decimal("4.9999999999999999999999"))
    assert number == 5.0
    assert json.dumps({"x": number}) == '{"x": 5.0}'
    assert pickle.loads(pickle.dumps(number)).exact == number.exact
    assert copy.deepcopy(number).exact == number.exact


def test_export_of_a_huge_stored_integer_does_not_hang() -> None:
    from respond.casefile._case_writer import _num

    started = time.monotonic()
    value = _num(Decimal("1E+999999999"))
    assert time.monotonic() - started < 1
    assert isinstance(value, ExactNumber)
