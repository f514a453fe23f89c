"""`respond patients / import-case / export-case / assess --db` through a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_CASE


def respond(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "reads.sqlite3"
    result = respond(
        "import-case", str(EXAMPLE_CASE), "--db", str(path), "--reader", "dr-a"
    )
    assert result.returncode == 0, result.stderr
    assert "imported patient HCC-0001" in result.stdout
    return path


def test_export_import_round_trip_is_exact(db: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert (
        respond("export-case", "HCC-0001", "--db", str(db), "-o", str(first)).returncode
        == 0
    )
    other = tmp_path / "other.sqlite3"
    assert respond("import-case", str(first), "--db", str(other)).returncode == 0
    second = tmp_path / "second.json"
    assert (
        respond(
            "export-case", "HCC-0001", "--db", str(other), "-o", str(second)
        ).returncode
        == 0
    )
    assert first.read_text() == second.read_text()
    # and the exported case says what the original file says
    original = respond("assess", str(EXAMPLE_CASE), "--json").stdout
    exported = respond("assess", str(first), "--json").stdout
    assert original == exported


def test_assess_stored_patient_equals_assessing_the_file(db: Path) -> None:
    stored = respond("assess", "--db", str(db), "HCC-0001", "--json")
    assert stored.returncode == 0, stored.stderr
    from_file = respond("assess", str(EXAMPLE_CASE), "--json")
    assert json.loads(stored.stdout) == json.loads(from_file.stdout)


def test_patients_lists_time_points_and_responses(db: Path) -> None:
    result = respond("patients", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "HCC-0001" in result.stdout
    assert "FU1" in result.stdout
    assert "mRECIST PD" in result.stdout
    listing = json.loads(respond("patients", "--db", str(db), "--json").stdout)
    (patient,) = listing["patients"]
    assert patient["timepoints"][1]["RECIST1.1"] == "PD"


def test_respond_db_environment_variable_chooses_the_database(db: Path) -> None:
    result = respond("patients", env={"RESPOND_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "HCC-0001" in result.stdout


def test_importing_twice_is_refused_unless_replace(db: Path) -> None:
    again = respond("import-case", str(EXAMPLE_CASE), "--db", str(db))
    assert again.returncode == 2
    assert "already in the database" in again.stderr
    replaced = respond("import-case", str(EXAMPLE_CASE), "--db", str(db), "--replace")
    assert replaced.returncode == 0, replaced.stderr


def test_unknown_patient_and_bad_database_exit_2_and_leave_the_file(
    tmp_path: Path, db: Path
) -> None:
    missing = respond("assess", "--db", str(db), "NOPE")
    assert missing.returncode == 2
    assert "NOPE" in missing.stderr
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    for command in (
        ["patients"],
        ["import-case", str(EXAMPLE_CASE)],
        ["export-case", "X"],
    ):
        result = respond(*command, "--db", str(bad))
        assert result.returncode == 2
        assert "untouched" in result.stderr
        assert "Traceback" not in result.stderr
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest


def test_empty_database_says_how_to_start(tmp_path: Path) -> None:
    result = respond("patients", "--db", str(tmp_path / "new.sqlite3"))
    assert result.returncode == 0
    assert "no patients yet" in result.stdout
