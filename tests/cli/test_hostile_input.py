"""Hostile case files through the real `respond assess` and `respond import-case`.

Whatever the file holds, both commands exit 2 with a message that names the problem:
never 70 (an internal error), never a traceback, never a hang. Every class of input
found by fuzzing has a case here; each runs in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.conftest import EXAMPLE_CASE

if TYPE_CHECKING:
    from collections.abc import Callable

SECONDS = 10
"""Each run must end well within this; a hang is killed at 3 times it."""

COMMANDS = ("assess", "import-case")


def respond(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "respond", *args],
        capture_output=True,
        input=stdin,
        timeout=3 * SECONDS,
        check=False,
        env={**os.environ, "RESPOND_READER": "tester"},
    )
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"respond {args[0]} took {elapsed:.1f} s"
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "backslashreplace"),
        result.stderr.decode("utf-8", "backslashreplace"),
    )


def run_on(
    command: str, path: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    if command == "assess":
        return respond("assess", str(path), "--json")
    return respond("import-case", str(path), "--db", str(tmp_path / "reads.sqlite3"))


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def example_text() -> str:
    return json.dumps(json.loads(EXAMPLE_CASE.read_text(encoding="utf-8")), indent=1)


def replaced(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


# --- the text of a case file ----------------------------------------------------

FOLLOW_UP_T1 = '"long_axis_mm": 50.0'

CASES = [
    # 1. nesting
    pytest.param(
        lambda t: "[" * 990 + "]" * 990,
        ["nested 990 levels deep", "at most 64 levels"],
        id="nested-990",
    ),
    pytest.param(
        lambda t: "[" * 100_000,
        ["nested 100000 levels deep", "at most 64 levels"],
        id="nested-100000-unclosed",
    ),
    pytest.param(
        lambda t: '{"a": ' * 70 + "1" + "}" * 70,
        ["nested 70 levels deep", "at most 64 levels"],
        id="nested-objects",
    ),
    # 2. numbers
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": 1e1000'),
        ["timepoints[1].targets.T1.long_axis_mm", "1e1000 is out of range"],
        id="exponent-1e1000",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": 1E-99999999999999999999'),
        ["timepoints[1].targets.T1.long_axis_mm", "is out of range"],
        id="exponent-huge-negative",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": -1e400'),
        ["timepoints[1].targets.T1.long_axis_mm", "-1e400 is out of range"],
        id="exponent-minus-1e400",
    ),
    pytest.param(
        replaced('"sd_min_days": 42', '"sd_min_days": 1E999999999'),
        ["settings.sd_min_days", "1E999999999 is out of range"],
        id="sd-min-days-1E999999999",
    ),
    pytest.param(
        replaced('"sd_min_days": 42', f'"sd_min_days": {2**63}'),
        ["settings.sd_min_days", "must be an integer from 0 to 36500"],
        id="integer-2-to-the-63",
    ),
    pytest.param(
        replaced('"sd_min_days": 42', '"sd_min_days": 1' + "0" * 4000),
        ["settings.sd_min_days", "4001 significant digits", "at most 25"],
        id="integer-4001-digits",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": NaN'),
        ["timepoints[1].targets.T1.long_axis_mm", "NaN is not a JSON number"],
        id="nan",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": -Infinity'),
        ["timepoints[1].targets.T1.long_axis_mm", "-Infinity is not a JSON number"],
        id="infinity",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": 5000'),
        ["timepoints[1].targets.T1.long_axis_mm: must be <= 1000, got 5000"],
        id="length-beyond-1000-mm",
    ),
    pytest.param(
        replaced(FOLLOW_UP_T1, '"long_axis_mm": 4.99999999999999999999999999999'),
        ["timepoints[1].targets.T1.long_axis_mm", "30 significant digits"],
        id="too-many-digits",
    ),
    # 3. text
    pytest.param(
        replaced('"Synthetic Example"', '"\\ud800"'),
        ["patient.name", "lone surrogate"],
        id="surrogate-in-name",
    ),
    pytest.param(
        replaced('"segment VIII"', '"seg\\udfff"'),
        ["lesions[0].site", "lone surrogate"],
        id="surrogate-in-site",
    ),
    pytest.param(
        replaced('"label": "FU1"', '"label": "FU\\ud83d"'),
        ["timepoints[1].label", "lone surrogate"],
        id="surrogate-in-label",
    ),
    pytest.param(
        replaced('"id": "X1"', '"id": "X\\udc00"'),
        ["timepoints[1].new_lesions[0].id", "lone surrogate"],
        id="surrogate-in-id",
    ),
    pytest.param(
        replaced('"label": "FU1"', '"label": "' + "F" * 65 + '"'),
        ["timepoints[1].label: must be at most 64 characters long"],
        id="label-too-long",
    ),
    pytest.param(
        replaced('"organ": "liver"', '"organ": "liver", "note": "' + "n" * 4001 + '"'),
        ["lesions[0].note: must be at most 4000 characters long"],
        id="note-too-long",
    ),
    pytest.param(
        replaced('"id": "HCC-0001"', '"id": "' + "P" * 300 + '"'),
        ["patient.id: must be at most 64 characters long, got 300"],
        id="id-300-characters",
    ),
    pytest.param(
        replaced('"id": "HCC-0001"', '"id": "P\\\\Q\\\\R"'),
        ["patient.id", 'must not contain "/" or "\\"'],
        id="id-with-backslashes",
    ),
    pytest.param(
        replaced('"id": "HCC-0001"', '"id": "../HCC"'),
        ["patient.id", 'must not start with "."'],
        id="id-starting-with-dot",
    ),
    pytest.param(
        replaced('"id": "HCC-0001"', '"id": "HCC\\u001b[2J"'),
        ["patient.id", "printable characters only", "U+001B"],
        id="id-with-control-character",
    ),
    # 4. keys given twice
    pytest.param(
        replaced(
            '"T1": {\n     "long_axis_mm": 50.0',
            '"T1": {"long_axis_mm": 80.0}, "T1": {\n     "long_axis_mm": 50.0',
        ),
        ['timepoints[1].targets.T1: the key "T1" is given 2 times'],
        id="duplicate-target",
    ),
    pytest.param(
        replaced(
            '"format": "respond-case/1"', '"format": "respond-case/1", "format": 1'
        ),
        ['format: the key "format" is given 2 times'],
        id="duplicate-top-level-key",
    ),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_hostile_text_is_refused_with_exit_2(
    tmp_path: Path,
    command: str,
    edit: Callable[[str], str],
    expected: list[str],
) -> None:
    path = tmp_path / "case.json"
    path.write_text(edit(example_text()), encoding="utf-8")
    assert_refused(run_on(command, path, tmp_path), *expected)


def test_a_number_written_exactly_is_assessed(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    text = example_text().replace(
        FOLLOW_UP_T1, '"long_axis_mm": 4.9999999999999999999999'
    )
    path.write_text(text, encoding="utf-8")
    result = respond("assess", str(path), "--json")
    assert result.returncode == 0, result.stderr


def test_both_commands_report_the_same_problems(tmp_path: Path) -> None:
    text = example_text()
    for old, new in [
        ('"Synthetic Example"', '"\\ud800"'),
        ('"label": "FU1"', '"label": "FU\\ud800"'),
        (FOLLOW_UP_T1, '"long_axis_mm": 1e1000'),
    ]:
        text = text.replace(old, new, 1)
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    problems = {}
    for command in COMMANDS:
        result = run_on(command, path, tmp_path)
        assert_refused(result, "3 problems")
        problems[command] = [
            line for line in result.stderr.splitlines() if line.startswith("  ")
        ]
    assert problems["assess"] == problems["import-case"]
    assert len(problems["assess"]) == 3


# --- 5. what is read: only regular files, of bounded size -------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    assert_refused(run_on(command, fifo, tmp_path), "named pipe (FIFO)", "regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_link_to_dev_zero_is_refused_without_reading(
    tmp_path: Path, command: str
) -> None:
    link = tmp_path / "case.json"
    link.symlink_to("/dev/zero")
    assert_refused(run_on(command, link, tmp_path), "character device", "regular file")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_is_refused(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "case.json"
    folder.mkdir()
    assert_refused(run_on(command, folder, tmp_path), "is a folder")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_proc_file_is_refused(tmp_path: Path, command: str) -> None:
    assert_refused(
        run_on(command, Path("/proc/self/status"), tmp_path), "special files"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, command: str) -> None:
    big = tmp_path / "case.json"
    with big.open("wb") as stream:
        stream.truncate(10_000_001)  # sparse: no 10 MB are written
    assert_refused(run_on(command, big, tmp_path), "10 MB limit", "10000001 bytes")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_file_is_refused(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "case.json"
    empty.write_bytes(b"")
    assert_refused(run_on(command, empty, tmp_path), "is empty")


def test_standard_input_over_the_size_limit_is_refused() -> None:
    result = respond("assess", "-", stdin=b" " * 10_000_001)
    assert_refused(result, "<stdin>", "10 MB limit")


def test_too_many_values_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text("[" + "[]," * 60_000 + "[]]", encoding="utf-8")
    assert_refused(run_on("assess", path, tmp_path), "at most 50,000")


# --- export-case writes the decimal text exactly --------------------------------


def test_export_case_writes_the_stored_digits(tmp_path: Path) -> None:
    exact = "4.9999999999999999999999"
    path = tmp_path / "case.json"
    path.write_text(
        example_text().replace(FOLLOW_UP_T1, f'"long_axis_mm": {exact}'),
        encoding="utf-8",
    )
    db = tmp_path / "reads.sqlite3"
    imported = respond("import-case", str(path), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    written = tmp_path / "exported.json"
    exported = respond("export-case", "HCC-0001", "--db", str(db), "-o", str(written))
    assert exported.returncode == 0, exported.stderr
    text = written.read_text(encoding="utf-8")
    assert f'"long_axis_mm": {exact}' in text
    doc = json.loads(text, parse_float=Decimal)
    assert doc["timepoints"][1]["targets"]["T1"]["long_axis_mm"] == Decimal(exact)
    assert str(doc["timepoints"][1]["targets"]["T1"]["long_axis_mm"]) == exact
    again = respond("import-case", str(written), "--db", str(tmp_path / "b.sqlite3"))
    assert again.returncode == 0, again.stderr


def test_an_unprintable_reader_name_is_refused_on_import(tmp_path: Path) -> None:
    db = tmp_path / "reads.sqlite3"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "respond",
            "import-case",
            str(EXAMPLE_CASE),
            "--db",
            str(db),
            "--reader",
            "dr\x1bx",
        ],
        capture_output=True,
        text=True,
        timeout=3 * SECONDS,
        check=False,
    )
    assert_refused(result, "reader name", "printable characters only")
