"""`respond patient / timepoint / removed / restore / images` on small DICOM studies.

Each study is written here with pydicom: 64 x 64 pixels, 10 slices, an arterial
and a portal-venous series. Another study of the same patient is a copy with new
UIDs and a later StudyDate; another patient's study also has another PatientID.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from respond.cli import run
from respond.criteria import LesionId, Role, TargetMeasurement
from respond.session import ReadSession
from respond.store import open_store

if TYPE_CHECKING:
    from collections.abc import Callable

PATIENT = "HCC-T001"
BASELINE = dt.date(2024, 1, 8)
LIVER_CT = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "dicom"
).resolve() / "ct_liver_hcc048_pv"
_SERIES = (
    ("arterial", "LIVER ARTERIAL", 2, "091025"),
    ("portal", "LIVER PORTAL VENOUS", 3, "091110"),
)


def write_study(
    folder: Path,
    *,
    patient_id: str = PATIENT,
    name: str = "Test^Patient",
    birth_date: str = "19600101",
    sex: str = "F",
    study_date: dt.date = BASELINE,
    slices: int = 10,
) -> str:
    """Write a small two-phase liver CT study; return its StudyInstanceUID."""
    study_uid = generate_uid()
    frame_uid = generate_uid()
    rng = np.random.default_rng(0)
    for sub, description, number, time in _SERIES:
        series_uid = generate_uid()
        target = folder / sub
        target.mkdir(parents=True, exist_ok=True)
        for k in range(slices):
            ds = Dataset()
            ds.SOPClassUID = CTImageStorage
            ds.SOPInstanceUID = generate_uid()
            ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
            ds.FrameOfReferenceUID = frame_uid
            ds.StudyDate = ds.SeriesDate = study_date.strftime("%Y%m%d")
            ds.StudyTime, ds.SeriesTime, ds.AcquisitionTime = "090000", time, time
            ds.Modality, ds.StudyDescription = "CT", "CT LIVER (test)"
            ds.SeriesDescription, ds.SeriesNumber = description, number
            ds.PatientID, ds.PatientName = patient_id, name
            ds.PatientBirthDate, ds.PatientSex = birth_date, sex
            ds.ContrastBolusAgent, ds.ContrastBolusRoute = "Iohexol", "IV"
            ds.ContrastBolusStartTime = "091000"
            ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
            ds.SliceThickness = "2.5"
            ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
            ds.ImagePositionPatient = ["-32", "-32", f"{2.5 * k:.1f}"]
            ds.InstanceNumber = k + 1
            ds.PixelSpacing = ["1", "1"]
            ds.Rows = ds.Columns = 64
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
            ds.PixelRepresentation = 1
            ds.RescaleIntercept, ds.RescaleSlope = "-1024", "1"
            pixels = rng.integers(900, 1200, (64, 64), dtype=np.int16)
            ds.PixelData = pixels.astype("<i2").tobytes()
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = CTImageStorage
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.file_meta = meta
            ds.save_as(target / f"IMG{k + 1:04d}.dcm", enforce_file_format=True)
    return str(study_uid)


def another_study(
    source: Path,
    target: Path,
    *,
    days: int = 56,
    patient_id: str | None = None,
    name: str | None = None,
) -> str:
    """Copy a study with new UIDs, dated ``days`` later; return its study UID."""
    study_uid = generate_uid()
    series_uids: dict[str, str] = {}
    for path in sorted(source.rglob("*.dcm")):
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        ds = pydicom.dcmread(copy)
        ds.StudyInstanceUID = study_uid
        old = str(ds.SeriesInstanceUID)
        ds.SeriesInstanceUID = series_uids.setdefault(old, generate_uid())
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        when = dt.datetime.strptime(ds.StudyDate, "%Y%m%d").date()
        ds.StudyDate = ds.SeriesDate = (when + dt.timedelta(days=days)).strftime(
            "%Y%m%d"
        )
        if patient_id is not None:
            ds.PatientID = patient_id
        if name is not None:
            ds.PatientName = name
        ds.save_as(copy, enforce_file_format=True)
    return str(study_uid)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def respond(db: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``respond`` in-process on the test database; stdout and stderr captured."""

    def _run(*args: str) -> Result:
        capsys.readouterr()
        code = run([*args, "--db", str(db), "--reader", "dr-test"])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    folder = tmp_path / "bl"
    write_study(folder)
    return folder


@pytest.fixture
def created(respond: Callable[..., Result], baseline: Path) -> Path:
    result = respond("patient", "new", str(baseline))
    assert result.code == 0, result.err
    return baseline


def _audit(db: Path, patient_id: str = PATIENT) -> list[tuple[str, str]]:
    with open_store(db) as store:
        return [(e.entity, e.action) for e in store.audit(patient_id)]


def _labels(db: Path, patient_id: str = PATIENT) -> list[tuple[str, dt.date]]:
    with open_store(db) as store:
        return [(tp.label, tp.date) for tp in store.load(patient_id).timepoints]


# -- patient new -------------------------------------------------------------------
def test_patient_new_stores_the_patient_its_baseline_and_the_index(
    respond: Callable[..., Result], baseline: Path, db: Path
) -> None:
    result = respond("patient", "new", str(baseline))
    assert result.code == 0, result.err
    assert f"created patient {PATIENT}: Test, Patient, born 1960-01-01" in result.out
    assert "baseline BL  2024-01-08" in result.out
    assert "LIVER ARTERIAL (arterial" in result.out  # mRECIST: the arterial series
    with open_store(db) as store:
        read = store.load(PATIENT)
        assert read.patient.name == "Test, Patient"
        assert read.patient.birth_date == dt.date(1960, 1, 1)
        (record,) = read.timepoints
        assert (record.label, record.date) == ("BL", BASELINE)
        assert record.timepoint.arterial_phase
        roots = store.indexed_roots()
    assert ("patient", "create") in _audit(db)
    assert [(root, files) for root, _at, files in roots] == [(str(baseline), 20)]
    listing = respond("images")
    assert listing.code == 0
    assert str(baseline) in listing.out
    assert "20 files" in listing.out


def test_patient_new_json_names_patient_and_baseline(
    respond: Callable[..., Result], baseline: Path
) -> None:
    result = respond("patient", "new", str(baseline), "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["patient"]["id"] == PATIENT
    assert doc["patient"]["birth_date"] == "1960-01-01"
    assert doc["baseline"]["label"] == "BL"
    assert doc["baseline"]["date"] == "2024-01-08"
    assert doc["baseline"]["series_description"] == "LIVER ARTERIAL"
    assert doc["indexed"]["images"] == 20


def test_patient_new_with_the_portal_series_asked_for(
    respond: Callable[..., Result], baseline: Path, db: Path
) -> None:
    portal = pydicom.dcmread(next((baseline / "portal").glob("*.dcm")))
    uid = str(portal.SeriesInstanceUID)
    result = respond("patient", "new", str(baseline), "--series", uid)
    assert result.code == 0, result.err
    with open_store(db) as store:
        assert store.load(PATIENT).timepoints[0].series_uid == uid


def test_a_folder_with_two_studies_needs_study(
    respond: Callable[..., Result], tmp_path: Path, baseline: Path, db: Path
) -> None:
    first = pydicom.dcmread(next(baseline.rglob("*.dcm"))).StudyInstanceUID
    second = another_study(baseline, tmp_path / "bl" / "later")
    result = respond("patient", "new", str(baseline))
    assert result.code == 2
    assert "holds 2 studies; choose one with --study UID" in result.err
    assert first in result.err
    assert second in result.err
    assert "2024-01-08" in result.err
    assert "2024-03-04" in result.err
    assert PATIENT in result.err
    assert "Traceback" not in result.err
    chosen = respond("patient", "new", str(baseline), "--study", second)
    assert chosen.code == 0, chosen.err
    assert _labels(db) == [("BL", dt.date(2024, 3, 4))]


def test_the_same_patient_twice_is_refused(
    respond: Callable[..., Result], created: Path
) -> None:
    again = respond("patient", "new", str(created))
    assert again.code == 2
    assert f"patient {PATIENT} already exists" in again.err
    assert "respond timepoint add" in again.err


def test_a_nonexistent_folder_is_named(
    respond: Callable[..., Result], created: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    for command in (
        ["patient", "new", str(missing)],
        ["timepoint", "add", PATIENT, str(missing)],
    ):
        result = respond(*command)
        assert result.code == 2
        assert result.err.startswith("respond: ")
        assert str(missing) in result.err
        assert "Traceback" not in result.err


def test_a_folder_without_dicom_exits_2(
    respond: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("no images here")
    result = respond("patient", "new", str(folder))
    assert result.code == 2
    assert str(folder) in result.err


def test_a_bad_date_option_is_named(
    respond: Callable[..., Result], baseline: Path
) -> None:
    result = respond("patient", "new", str(baseline), "--date", "2024-13-01")
    assert result.code == 2
    assert "--date 2024-13-01" in result.err


# -- timepoint add -----------------------------------------------------------------
def test_timepoint_add_of_a_follow_up(
    respond: Callable[..., Result], created: Path, tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "fu1"
    another_study(created, folder)
    result = respond("timepoint", "add", PATIENT, str(folder))
    assert result.code == 0, result.err
    assert "added time point FU1 (2024-03-04)" in result.out
    assert "relabelled" not in result.out
    assert result.err == ""
    assert _labels(db) == [("BL", BASELINE), ("FU1", dt.date(2024, 3, 4))]
    assert ("timepoint", "create") in _audit(db)
    with open_store(db) as store:
        assert len(store.indexed_roots()) == 2


def test_the_same_study_twice_is_refused(
    respond: Callable[..., Result], created: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "fu1"
    another_study(created, folder)
    assert respond("timepoint", "add", PATIENT, str(folder)).code == 0
    again = respond("timepoint", "add", PATIENT, str(folder))
    assert again.code == 2
    assert "already time point FU1" in again.err
    baseline_again = respond("timepoint", "add", PATIENT, str(created))
    assert baseline_again.code == 2
    assert "already time point BL" in baseline_again.err


def test_another_patients_study_needs_accept_id_mismatch(
    respond: Callable[..., Result], created: Path, tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "other"
    another_study(created, folder, patient_id="OTHER-9")
    refused = respond("timepoint", "add", PATIENT, str(folder))
    assert refused.code == 2
    assert "OTHER-9" in refused.err
    assert PATIENT in refused.err
    assert "--accept-id-mismatch" in refused.err
    assert "same person" in refused.err
    assert _labels(db) == [("BL", BASELINE)]
    accepted = respond("timepoint", "add", PATIENT, str(folder), "--accept-id-mismatch")
    assert accepted.code == 0, accepted.err
    assert _labels(db)[-1] == ("FU1", dt.date(2024, 3, 4))
    assert any(entity == "confirmation" for entity, _ in _audit(db))


def test_a_name_difference_is_a_warning(
    respond: Callable[..., Result], created: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "fu1"
    another_study(created, folder, name="Other^Name")
    result = respond("timepoint", "add", PATIENT, str(folder))
    assert result.code == 0, result.err
    assert result.err.startswith("warning: ")
    assert "Other, Name" in result.err


def test_an_earlier_study_needs_new_baseline(
    respond: Callable[..., Result], created: Path, tmp_path: Path, db: Path
) -> None:
    follow_up = tmp_path / "fu1"
    another_study(created, follow_up)
    assert respond("timepoint", "add", PATIENT, str(follow_up)).code == 0
    earlier = tmp_path / "earlier"
    another_study(created, earlier, days=-28)
    refused = respond("timepoint", "add", PATIENT, str(earlier))
    assert refused.code == 2
    assert "before the baseline" in refused.err
    assert "--new-baseline" in refused.err
    accepted = respond("timepoint", "add", PATIENT, str(earlier), "--new-baseline")
    assert accepted.code == 0, accepted.err
    assert "added time point BL (2023-12-11)" in accepted.out
    assert "relabelled: BL -> FU1 (2024-01-08), FU1 -> FU2 (2024-03-04)" in (
        accepted.out
    )
    assert _labels(db) == [
        ("BL", dt.date(2023, 12, 11)),
        ("FU1", BASELINE),
        ("FU2", dt.date(2024, 3, 4)),
    ]
    assert any(entity == "confirmation" for entity, _ in _audit(db))


def test_timepoint_add_to_an_unknown_patient(
    respond: Callable[..., Result], baseline: Path
) -> None:
    result = respond("timepoint", "add", "NOPE", str(baseline))
    assert result.code == 2
    assert "NOPE" in result.err


# -- timepoint remove, removed, restore --------------------------------------------
def _measure(db: Path, label: str) -> None:
    """Add target T1, measured 40 mm at BL and at ``label``."""
    with open_store(db) as store:
        session = ReadSession(store, PATIENT, reader="dr-test")
        session.add_lesion(Role.TARGET, "liver")
        for tp in session.read.timepoints:
            if tp.label in ("BL", label):
                session.set_measurement(
                    tp.uid,
                    "T1",
                    TargetMeasurement(long_axis_mm=Decimal(40), viable_mm=Decimal(30)),
                )


def test_timepoint_remove_then_restore_brings_its_measurements_back(
    respond: Callable[..., Result], created: Path, tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "fu1"
    another_study(created, folder)
    assert respond("timepoint", "add", PATIENT, str(folder)).code == 0
    _measure(db, "FU1")
    removed = respond("timepoint", "remove", PATIENT, "FU1")
    assert removed.code == 0, removed.err
    assert "removed time point FU1 (2024-03-04)" in removed.out
    assert "respond restore " in removed.out
    assert _labels(db) == [("BL", BASELINE)]
    assert ("timepoint", "delete") in _audit(db)

    listing = respond("removed", PATIENT)
    assert listing.code == 0, listing.err
    assert "time point FU1 (2024-03-04)" in listing.out
    doc = json.loads(respond("removed", "--json").out)
    (row,) = doc["removed"]
    assert (row["what"], row["label"], row["date"]) == (
        "time point",
        "FU1",
        "2024-03-04",
    )
    assert row["who"] == "dr-test"

    restored = respond("restore", str(row["audit_id"]))
    assert restored.code == 0, restored.err
    assert "restored" in restored.out
    assert _labels(db) == [("BL", BASELINE), ("FU1", dt.date(2024, 3, 4))]
    with open_store(db) as store:
        follow_up = store.load(PATIENT).timepoints[1]
        measurement = follow_up.timepoint.targets[LesionId("T1")]
        assert measurement.long_axis_mm == Decimal(40)
    assert json.loads(respond("removed", "--json").out)["removed"] == []
    again = respond("restore", str(row["audit_id"]))
    assert again.code == 2
    assert "Traceback" not in again.err


def test_timepoint_remove_of_an_unknown_label_lists_the_labels(
    respond: Callable[..., Result], created: Path
) -> None:
    result = respond("timepoint", "remove", PATIENT, "FU7")
    assert result.code == 2
    assert "no time point 'FU7'" in result.err
    assert "BL" in result.err


def test_a_signed_time_point_is_not_removed(
    respond: Callable[..., Result], created: Path, db: Path
) -> None:
    with open_store(db) as store:
        session = ReadSession(store, PATIENT, reader="dr-test")
        session.add_lesion(Role.TARGET, "liver")
        uid = session.read.timepoints[0].uid
        session.set_measurement(uid, "T1", TargetMeasurement(long_axis_mm=Decimal(40)))
        session.sign(uid)
    result = respond("timepoint", "remove", PATIENT, "BL")
    assert result.code == 2
    assert "signed" in result.err
    assert "unlock it first" in result.err
    patient = respond("patient", "remove", PATIENT, "--yes")
    assert patient.code == 2
    assert "signed time point(s) BL" in patient.err
    assert _labels(db) == [("BL", BASELINE)]


# -- patient remove ----------------------------------------------------------------
def test_patient_remove_needs_yes_then_restore_brings_it_back(
    respond: Callable[..., Result], created: Path, db: Path
) -> None:
    refused = respond("patient", "remove", PATIENT)
    assert refused.code == 2
    assert (
        f"add --yes to remove patient {PATIENT} and its 1 time point; it can be "
        "restored with respond restore"
    ) in refused.err
    assert _labels(db) == [("BL", BASELINE)]
    removed = respond("patient", "remove", PATIENT, "--yes")
    assert removed.code == 0, removed.err
    assert f"removed patient {PATIENT}" in removed.out
    with open_store(db) as store:
        assert store.list_patients() == []
    assert ("patient", "delete") in _audit(db)
    doc = json.loads(respond("removed", "--json").out)
    (row,) = doc["removed"]
    assert (row["what"], row["patient_id"]) == ("patient", PATIENT)
    restored = respond("restore", str(row["audit_id"]))
    assert restored.code == 0, restored.err
    assert _labels(db) == [("BL", BASELINE)]


def test_removing_an_unknown_patient(respond: Callable[..., Result]) -> None:
    result = respond("patient", "remove", "NOPE", "--yes")
    assert result.code == 2
    assert "NOPE" in result.err


def test_nothing_removed_and_nothing_indexed_yet(
    respond: Callable[..., Result],
) -> None:
    assert "nothing removed" in respond("removed").out
    assert "no image folders indexed yet" in respond("images").out
    assert json.loads(respond("images", "--json").out) == {"images": []}


# -- the shared liver CT -----------------------------------------------------------
def test_patient_new_on_the_shared_liver_ct(
    respond: Callable[..., Result], db: Path
) -> None:
    if not LIVER_CT.is_dir():
        pytest.skip(
            f"shared liver CT not found at ../shared/data/dicom/{LIVER_CT.name}"
        )
    result = respond("patient", "new", str(LIVER_CT))
    assert result.code == 0, result.err
    assert "created patient Patient_01" in result.out
    with open_store(db) as store:
        read = store.load("Patient_01")
    assert [(tp.label, tp.date) for tp in read.timepoints] == [
        ("BL", dt.date(2001, 8, 12))
    ]
