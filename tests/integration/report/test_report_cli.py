"""`respond report` through a subprocess: PDF, CSV, de-identification, bad input."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_CASE
from tests.integration.report.conftest import which

from respond.demo import DemoSetup


def respond(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


@pytest.fixture
def db(demo: DemoSetup, tmp_path: Path) -> Path:
    """A copy of the demo database plus the example case (two patients)."""
    path = tmp_path / "reads.sqlite3"
    shutil.copyfile(demo.database, path)
    result = respond("import-case", str(EXAMPLE_CASE), "--db", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_pdf_and_csv_of_one_patient(demo: DemoSetup, db: Path, tmp_path: Path) -> None:
    pdf, table = tmp_path / "demo.pdf", tmp_path / "demo.csv"
    result = respond(
        "report", demo.patient_id, "--db", str(db), "--pdf", str(pdf),
        "--csv", str(table), "--images", str(demo.dicom_root), "--study-id", "S1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"wrote {pdf}" in result.stdout
    assert "key images are not shown" not in result.stdout
    text = subprocess.run(
        [which("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert demo.patient_id in text
    assert not table.exists()  # the three tables are named by their domain
    tables = {
        domain: list(
            csv.DictReader((tmp_path / f"demo-{domain}.csv").open(encoding="utf-8"))
        )
        for domain in ("tu", "tr", "rs")
    }
    for domain, rows in tables.items():
        assert {row["USUBJID"] for row in rows} == {demo.patient_id}
        assert {row["STUDYID"] for row in rows} == {"S1"}
        assert {row["DOMAIN"] for row in rows} == {domain.upper()}
        path = tmp_path / f"demo-{domain}.csv"
        assert f"wrote {path} ({len(rows)} {domain.upper()} rows)" in result.stdout
    # two criteria at two follow-ups: an overall response each
    overall = [r for r in tables["rs"] if r["RSTESTCD"] == "OVRLRESP"]
    assert len(overall) == 4


def test_all_patients_csv(db: Path, tmp_path: Path) -> None:
    result = respond(
        "report", "--all", "--db", str(db), "--csv", str(tmp_path / "all.csv")
    )
    assert result.returncode == 0, result.stderr
    for domain in ("tu", "tr", "rs"):
        path = tmp_path / f"all-{domain}.csv"
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert {row["USUBJID"] for row in rows} == {"DEMO-0001", "HCC-0001"}


def test_deidentified_csv_has_no_identity(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "anon.csv"
    result = respond(
        "report", "HCC-0001", "--db", str(db), "--csv", str(out), "--deidentify",
        env={"RESPOND_DEID_SALT": "trial-7"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = "".join(
        (tmp_path / f"anon-{domain}.csv").read_text(encoding="utf-8")
        for domain in ("tu", "tr", "rs")
    )
    assert "HCC-0001" not in written
    assert "ANON-" in written
    original = respond("export-case", "HCC-0001", "--db", str(db)).stdout
    case = json.loads(original)
    for tp in case["timepoints"]:
        assert tp["date"] not in written
    again = tmp_path / "again.csv"
    respond(
        "report", "HCC-0001", "--db", str(db), "--csv", str(again), "--deidentify",
        "--salt", "trial-7",
    )  # fmt: skip
    for domain in ("tu", "tr", "rs"):
        assert (tmp_path / f"again-{domain}.csv").read_bytes() == (
            tmp_path / f"anon-{domain}.csv"
        ).read_bytes()


def test_pdf_without_images_says_so(demo: DemoSetup, db: Path, tmp_path: Path) -> None:
    result = respond(
        "report", demo.patient_id, "--db", str(db), "--pdf", str(tmp_path / "r.pdf")
    )
    assert result.returncode == 0, result.stderr
    assert "6 of 6 key images are not shown" in result.stdout


def test_the_images_are_found_through_the_database_index(
    demo: DemoSetup, db: Path, tmp_path: Path
) -> None:
    """A read made in the app needs no --images: the database knows its folders."""
    from respond.dicom import scan
    from respond.dicom.facts import indexed_images
    from respond.store import open_store

    with open_store(db) as store:
        folder = demo.dicom_root.absolute()
        store.index_images(str(folder), indexed_images(scan(folder)))
    pdf, table = tmp_path / "r.pdf", tmp_path / "t.csv"
    result = respond(
        "report", demo.patient_id, "--db", str(db), "--pdf", str(pdf),
        "--csv", str(table), "--sr", str(tmp_path / "sr"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "key images are not shown" not in result.stdout
    assert len(list((tmp_path / "sr").glob("*.dcm"))) == 3
    with (tmp_path / "t-tu.csv").open(encoding="utf-8", newline="") as stream:
        assert {row["TUMETHOD"] for row in csv.DictReader(stream)} == {"CT SCAN"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["HCC-0001"], "say what to write"),
        (["--csv", "x.csv"], "give the PATIENT_ID"),
        (["HCC-0001", "--all", "--csv", "x.csv"], "not both"),
        (["--all", "--pdf", "x.pdf"], "CSV only"),
        (["NOPE", "--csv", "x.csv"], "no patient 'NOPE'"),
        (["HCC-0001", "--pdf", "missing-folder/x.pdf"], "does not exist"),
        (["HCC-0001", "--csv", "missing-folder/x.csv"], "cannot write"),
        (
            ["HCC-0001", "--csv", "x.csv", "--images", "no-such-folder"],
            "no-such-folder",
        ),
    ],
)
def test_bad_requests_exit_2_with_a_message(
    db: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = respond("report", *args, "--db", str(db))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_all_patients_skips_one_without_a_baseline(db: Path, tmp_path: Path) -> None:
    from respond.criteria.model import Patient
    from respond.criteria.record import PatientRead
    from respond.store import open_store

    with open_store(db) as store:
        store.create_patient(PatientRead(Patient("NEW-1")), who="test")
    result = respond(
        "report", "--all", "--db", str(db), "--csv", str(tmp_path / "a.csv")
    )
    assert result.returncode == 0, result.stderr
    assert "skipped NEW-1" in result.stdout
    rows = list(csv.DictReader((tmp_path / "a-rs.csv").open(encoding="utf-8")))
    assert {row["USUBJID"] for row in rows} == {"DEMO-0001", "HCC-0001"}


def test_without_a_salt_the_salt_file_beside_the_database_keeps_exports_stable(
    db: Path, tmp_path: Path
) -> None:
    import stat

    env = {k: v for k, v in os.environ.items() if k != "RESPOND_DEID_SALT"}

    def export(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "respond", "report", "HCC-0001", "--db", str(db),
             "--csv", str(tmp_path / name), "--deidentify"],
            capture_output=True, text=True, timeout=120, check=False,
            env={**env, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip

    first = export("a.csv")
    assert first.returncode == 0, first.stderr
    salt = db.with_name(db.name + ".deid-salt")
    assert f"made the de-identification salt {salt}" in first.stdout
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600
    second = export("b.csv")
    assert second.returncode == 0, second.stderr
    assert "note:" not in second.stdout
    for domain in ("tu", "tr", "rs"):
        assert (tmp_path / f"a-{domain}.csv").read_bytes() == (
            tmp_path / f"b-{domain}.csv"
        ).read_bytes()

    salt.write_text("not a salt\n", encoding="ascii")
    damaged = export("c.csv")
    assert damaged.returncode == 2
    assert "does not hold a de-identification salt" in damaged.stderr
    assert not list(tmp_path.glob("c*.csv"))


def test_a_salt_that_cannot_be_kept_is_random_and_said_so(
    db: Path, tmp_path: Path
) -> None:
    # a folder where the salt file would go: it can be neither read nor made
    # (like a read-only folder, which root could write all the same)
    db.with_name(db.name + ".deid-salt").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "RESPOND_DEID_SALT"}
    result = subprocess.run(
        [sys.executable, "-m", "respond", "report", "HCC-0001", "--db", str(db),
         "--csv", str(tmp_path / "x.csv"), "--deidentify"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "random for this export" in result.stdout
