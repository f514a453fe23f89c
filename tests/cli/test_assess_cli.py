"""`respond assess` through a real subprocess: output contract, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from tests.conftest import EXAMPLE_CASE

if TYPE_CHECKING:
    from pathlib import Path


def respond(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


def write_case(tmp_path: Path, doc: object, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def example_doc() -> dict:
    return json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))


def test_json_output_follows_the_assessment_contract() -> None:
    result = respond("assess", str(EXAMPLE_CASE), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "respond-assessment/1"
    assert doc["patient"] == {"id": "HCC-0001"}
    baseline, fu1 = doc["timepoints"]
    assert baseline["RECIST1.1"]["overall"] is None
    assert baseline["RECIST1.1"]["sum_mm"] == 70.0
    recist, mrecist = fu1["RECIST1.1"], fu1["mRECIST"]
    assert (recist["target"], recist["non_target"], recist["overall"]) == (
        "SD",
        "NON-CR/NON-PD",
        "PD",
    )
    assert recist["sum_mm"] == 55.0
    assert recist["baseline_sum_mm"] == 70.0
    assert recist["nadir_mm"] == 70.0
    assert recist["change_from_baseline_pct"] == -21.4
    assert (mrecist["target"], mrecist["overall"]) == ("PR", "PD")
    assert (mrecist["sum_mm"], mrecist["baseline_sum_mm"]) == (25.0, 63.0)
    assert doc["best_overall"] == {"RECIST1.1": "PD", "mRECIST": "PD"}
    assert doc["progression"]["mRECIST"] == {"date": "2026-03-02", "label": "FU1"}
    rec = doc["recommendation"]
    assert rec["action"] == "discontinue"
    assert rec["dose_level"] is None
    names = [rule["rule"] for rule in rec["rules"]]
    assert "radiologic and symptomatic progression" in names
    assert "no second-line option" in names
    assert any("necrosis without shrinkage" in note for note in rec["notes"])


def test_json_output_validates_against_the_shipped_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = (
        EXAMPLE_CASE.parents[1] / "schema" / "respond-assessment-1.schema.json"
    )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    result = respond("assess", str(EXAMPLE_CASE), "--json")
    jsonschema.Draft202012Validator(schema).validate(json.loads(result.stdout))


def test_table_output_shows_categories_reasons_and_recommendation() -> None:
    result = respond("assess", str(EXAMPLE_CASE))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "RECIST1.1" in out
    assert "mRECIST" in out
    assert "NON-CR/NON-PD" in out
    assert "-21.4 %" in out
    assert "recommendation: discontinue" in out
    assert "[RECIST1.1 4.3.5]" in out  # the reason cites the rule


def test_case_from_stdin() -> None:
    result = respond("assess", "-", "--json", stdin=EXAMPLE_CASE.read_text())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["patient"]["id"] == "HCC-0001"


def test_help_lists_the_commands() -> None:
    result = respond("--help")
    assert result.returncode == 0
    for command in ("assess", "series", "patients", "import-case", "export-case"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["timepoints"][1]["targets"]["T1"].update(long_axis_mm=-4),
            "timepoints[1].targets.T1.long_axis_mm: must be >= 0, got -4",
            id="negative-length",
        ),
        pytest.param(
            lambda d: d["timepoints"][0].update(targetz={}),
            "timepoints[0].targetz: unknown key",
            id="unknown-key",
        ),
        pytest.param(
            lambda d: d["timepoints"][1].pop("date"),
            'timepoints[1]: required key "date" is missing',
            id="missing-key",
        ),
        pytest.param(
            lambda d: d["timepoints"][1]["targets"]["T1"].update(long_axis_mm="12"),
            "timepoints[1].targets.T1.long_axis_mm: must be a number",
            id="wrong-type",
        ),
        pytest.param(
            lambda d: d["timepoints"][1]["non_targets"].update(N1="gone"),
            "timepoints[1].non_targets.N1",
            id="bad-enum",
        ),
        pytest.param(
            lambda d: d["timepoints"][1].update(date="2025-12-01"),
            "timepoints[1].date",
            id="dates-out-of-order",
        ),
        pytest.param(
            lambda d: d["timepoints"][1]["targets"].update(N1={"long_axis_mm": 3}),
            "timepoints[1].targets.N1",
            id="non-target-measured-as-target",
        ),
        pytest.param(
            lambda d: d.update(format="respond-case/2"),
            'format: must be "respond-case/1"',
            id="wrong-format",
        ),
    ],
)
def test_bad_case_names_the_path_and_exits_2(tmp_path, mutate, expected) -> None:
    doc = example_doc()
    mutate(doc)
    result = respond("assess", str(write_case(tmp_path, doc)))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"{not json", "not valid JSON at line 1, column 2", id="not-json"),
        pytest.param(b"\xff\xfe\x00garbage", "not UTF-8", id="binary"),
        pytest.param(b"[1, 2]", "(root)", id="not-an-object"),
        pytest.param(b'{"x": NaN}', "NaN is not a JSON number", id="nan"),
    ],
)
def test_unreadable_case_file_exits_2(tmp_path, content, expected) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(content)
    result = respond("assess", str(path))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_folder_exit_2(tmp_path) -> None:
    missing = respond("assess", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    folder = respond("assess", str(tmp_path))
    assert folder.returncode == 2
    assert "is a folder" in folder.stderr


def test_every_problem_is_reported_at_once(tmp_path) -> None:
    doc = example_doc()
    doc["timepoints"][1]["targets"]["T1"]["long_axis_mm"] = -1
    doc["lesions"][0]["colour"] = "red"
    result = respond("assess", str(write_case(tmp_path, doc)))
    assert result.returncode == 2
    assert "2 problems" in result.stderr
    assert "lesions[0].colour" in result.stderr
    assert "timepoints[1].targets.T1.long_axis_mm" in result.stderr
