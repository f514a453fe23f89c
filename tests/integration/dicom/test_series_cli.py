"""`respond series` through a real subprocess: listings, JSON, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pydicom
import pytest
from tests.integration.dicom.conftest import FILESET, LIVER, copy_files

if TYPE_CHECKING:
    from pathlib import Path


def respond(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("respond: ")
    assert "Traceback" not in result.stderr


def test_listing_the_liver_folder(shared_dicom: Path) -> None:
    result = respond("series", shared_dicom / LIVER)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith(f"{LIVER}: 89 files\n")
    assert "patient Patient_01" in out
    assert "study 20010812 CT C/A/P LIVER PR" in out
    (line,) = [row for row in out.splitlines() if "Recon 3: LIVER 2 PHASE" in row]
    assert "#6 CT" in line
    assert "89 images 512x512" in line
    assert "axial" in line
    assert "0.703125 x 0.703125 / 2.50 mm" in line
    assert line.endswith("ready")
    assert "not_arterial_phase" in out
    assert "could not be read" not in out


def test_listing_the_whole_shared_folder(shared_dicom: Path) -> None:
    result = respond("series", shared_dicom)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "not images (listed, not loaded):" in out
    for kind, name in [
        ("SEG", "liver_1frame.dcm"),
        ("SR", "test-SR.dcm"),
        ("RTSTRUCT", "rtstruct.dcm"),
        ("RTPLAN", "ExplVR_LitEndNoMeta.dcm"),
    ]:
        assert any(
            row.strip().startswith(f"{kind}: ") and name in row
            for row in out.splitlines()
        ), kind
    unreadable = out.split("could not be read:\n", 1)[1]
    assert "MANIFEST.md: not a DICOM file" in unreadable
    assert "README.txt: not a DICOM file" in unreadable
    for warning in ("gantry_tilt", "uneven_spacing", "no_pixel_data", "localizer"):
        assert f"] {warning}: " in out
    assert "duplicate_instance" in out
    assert "not_loadable" in out


def test_json_listing_follows_the_series_format(shared_dicom: Path) -> None:
    result = respond("series", shared_dicom, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "respond-series/1"
    assert doc["root"] == shared_dicom.name
    series = [s for p in doc["patients"] for st in p["studies"] for s in st["series"]]
    (liver,) = [
        s for s in series if s["description"] == "Recon 3: LIVER 2 PHASE (C/A/P)"
    ]
    assert liver["images"] == 89
    assert liver["pixel_spacing_mm"] == [0.703125, 0.703125]
    assert liver["spacing_mm"] == pytest.approx(2.5)
    assert liver["orientation"] == "axial"
    assert liver["readiness"] == "ready"
    assert liver["transfer_syntaxes"] == ["Explicit VR Little Endian"]
    assert {w["code"] for w in liver["warnings"]} == {"not_arterial_phase"}
    assert liver["phase"]["contrast"] is True
    kinds = sorted(item["kind"] for item in doc["non_image"])
    assert kinds == ["RTPLAN", "RTSTRUCT", "SEG", "SR"]
    unreadable = {item["path"]: item["reason"] for item in doc["unreadable"]}
    assert set(unreadable) == {
        "MANIFEST.md",
        "edge_cases_pydicom/dicomdir_fileset/README.txt",
        "edge_cases_pydicom/dicomdir_fileset/TINY_ALPHA/README",
    }
    assert all(reason for reason in unreadable.values())
    assert str(shared_dicom) not in result.stdout
    tilted = [s for s in series if s["images"] == 28]
    assert {"gantry_tilt", "uneven_spacing"} <= {
        w["code"] for w in tilted[0]["warnings"]
    }


def test_json_listing_of_one_folder(shared_dicom: Path) -> None:
    result = respond("series", shared_dicom / LIVER, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "respond-series/1"
    assert doc["files_seen"] == 89
    assert doc["non_image"] == []
    assert doc["unreadable"] == []
    assert doc["findings"] == []


def test_listing_through_a_dicomdir_and_an_unusable_one(shared_dicom: Path) -> None:
    fileset = shared_dicom / FILESET
    result = respond("series", fileset / "DICOMDIR")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("DICOMDIR: 31 files\n")
    assert "dicomdir_unusable" not in result.stdout
    fallback = respond("series", fileset / "DICOMDIR-empty.dcm")
    assert fallback.returncode == 0, fallback.stderr
    assert "[warning] dicomdir_unusable: DICOMDIR DICOMDIR-empty.dcm" in fallback.stdout
    assert "README.txt: not a DICOM file" in fallback.stdout


def test_missing_path_exits_2_with_a_message(tmp_path: Path) -> None:
    result = respond("series", tmp_path / "not-here")
    assert_clean_failure(result)
    assert "no such file or folder" in result.stderr


def test_folder_of_text_files_exits_2_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("report to follow\n", encoding="utf-8")
    (tmp_path / "README").write_text("nothing here\n", encoding="utf-8")
    result = respond("series", tmp_path, "--json")
    assert_clean_failure(result)
    assert "holds no DICOM" in result.stderr
    assert "2 files" in result.stderr


def test_folder_with_one_bad_orientation_is_still_listed(
    shared_dicom: Path, tmp_path: Path
) -> None:
    files = copy_files(sorted((shared_dicom / LIVER).iterdir())[:5], tmp_path)
    ds = pydicom.dcmread(files[2])
    ds.ImageOrientationPatient = [2, 0, 0, 0, 1, 0]
    ds.save_as(files[2])
    result = respond("series", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "bad_geometry" in result.stdout
