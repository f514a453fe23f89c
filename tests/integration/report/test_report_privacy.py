"""`respond report --deidentify`: no planted identifier reaches any output.

Synthetic identifiers (a name, an MRN, a hospital, the birth date, the study
dates, the original UIDs) are planted in every free-text field a reader can
fill and in the DICOM headers of the images the calipers were drawn on. The PDF
(as text, and its bytes), the three CSV files, every element of every SR and every
file name are then searched for them. The files are written under umask 022
and must be readable by the user only.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import pydicom
import pytest
from pydicom.dataset import Dataset
from tests.integration.report.conftest import which

from respond.criteria.categories import Action, LesionKind, NonTargetStatus, Role
from respond.criteria.model import (
    Lesion,
    LesionId,
    NonTargetObservation,
    Patient,
)
from respond.criteria.record import Decision, PatientRead
from respond.report.deid import deidentify
from respond.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from respond.demo import DemoSetup

NAME = "Testperson"
MRN = "MRN-99887766"
HOSPITAL = "Saint Example Hospital"
BIRTH = dt.date(2001, 8, 12)
ACCESSION = "ACC-55443322"
SALT = "privacy-test"
IDENTIFIERS = (
    NAME, MRN, "99887766", HOSPITAL, "Saint Example", "Hilde", ACCESSION,
    "55443322", BIRTH.isoformat(), BIRTH.strftime("%Y%m%d"), "12.08.2001",
)  # fmt: skip


def _dates(day: dt.date) -> set[str]:
    return {day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%d.%m.%Y")}


def _renamed(read: PatientRead, ids: Mapping[str, str]) -> PatientRead:
    """The read with lesion and finding ids renamed everywhere."""

    def new(old: str) -> LesionId:
        return LesionId(ids.get(old, old))

    timepoints = []
    for tp in read.timepoints:
        point = tp.timepoint
        point = replace(
            point,
            targets={
                new(k): replace(
                    v,
                    lesion_id=new(k),
                    merged_into=None if v.merged_into is None else new(v.merged_into),
                )
                for k, v in point.targets.items()
            },
            non_targets={new(k): v for k, v in point.non_targets.items()},
            new_lesions=tuple(replace(n, id=new(n.id)) for n in point.new_lesions),
        )
        timepoints.append(
            replace(
                tp,
                timepoint=point,
                calipers={new(k): v for k, v in tp.calipers.items()},
                new_lesion_uids={new(k): v for k, v in tp.new_lesion_uids.items()},
            )
        )
    return replace(
        read,
        lesions=tuple(replace(les, id=new(les.id)) for les in read.lesions),
        tracking_uids={new(k): v for k, v in read.tracking_uids.items()},
        timepoints=tuple(timepoints),
    )


def planted_read(read: PatientRead) -> PatientRead:
    """The demo read with an identifier in every field a reader can type."""
    where = f"{NAME} {MRN} {HOSPITAL} {BIRTH.isoformat()}"
    read = _renamed(
        read, {"T1": f"T1-{NAME}", "T2": f"T2-{MRN}", "X1": f"X1-{HOSPITAL}"}
    )
    lesions = tuple(
        replace(
            lesion,
            organ=f"liver {NAME} {MRN}",
            site=f"segment VI near {HOSPITAL}, seen {BIRTH:%d.%m.%Y}",
            note=f"{where} lesion note",
        )
        for lesion in read.lesions
    )
    vein = LesionId(f"N1 {NAME}")
    lesions += (
        Lesion(
            vein,
            Role.NON_TARGET,
            f"portal vein of {NAME}",
            kind=LesionKind.PORTAL_VEIN_THROMBUS,
            site=f"porta hepatis, {HOSPITAL}",
            note=f"{where} thrombus",
        ),
    )
    labels = [f"BL {NAME} {BIRTH.isoformat()}", f"FU1 {MRN}", f"FU2 {HOSPITAL}"]
    timepoints = []
    for number, tp in enumerate(read.timepoints):
        point = tp.timepoint
        point = replace(
            point,
            label=labels[number],
            targets={
                k: replace(v, note=f"{where} measurement note")
                for k, v in point.targets.items()
            },
            non_targets={
                vein: NonTargetObservation(
                    NonTargetStatus.PRESENT, note=f"{where} justification"
                )
            },
            new_lesions=tuple(
                replace(
                    n,
                    organ=f"liver {HOSPITAL}",
                    site=f"{NAME} {MRN}",
                    note=f"{where} new lesion note",
                )
                for n in point.new_lesions
            ),
        )
        decision = None
        if number == len(read.timepoints) - 1:
            decision = Decision(
                recommended_action=Action.CONTINUE,
                recommended_dose=0,
                accepted=False,
                action=Action.CONTINUE,
                dose_level=-1,
                reason=f"{where} decision reason",
                decided_by=f"Dr {NAME} of {HOSPITAL}",
                decided_at=f"{tp.date.isoformat()}T10:15:00",
            )
        timepoints.append(
            replace(
                tp,
                timepoint=point,
                signed_by=f"{NAME} signer {MRN}",
                signed_at=f"{tp.date.isoformat()}T09:00:00+02:00",
                decision=decision,
            )
        )
    return replace(
        read,
        patient=Patient(MRN, f"{NAME}^Hilde", BIRTH, "F"),
        lesions=lesions,
        timepoints=tuple(timepoints),
        reader=f"Dr {NAME} ({HOSPITAL})",
    )


def _plant_headers(folder: Path) -> set[str]:
    """Write identifiers into every image header; return the images' UIDs."""
    uids: set[str] = set()
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        try:
            ds = pydicom.dcmread(path)
        except pydicom.errors.InvalidDicomError:
            continue
        ds.PatientName = f"{NAME}^Hilde"
        ds.PatientID = MRN
        ds.PatientBirthDate = BIRTH.strftime("%Y%m%d")
        ds.OtherPatientIDs = MRN
        ds.PatientAddress = f"1 {NAME} Street"
        ds.InstitutionName = HOSPITAL
        ds.InstitutionAddress = f"{HOSPITAL}, Example Town"
        ds.ReferringPhysicianName = f"{NAME}^Referrer"
        ds.PerformingPhysicianName = f"{NAME}^Performer"
        ds.OperatorsName = f"{NAME}^Operator"
        ds.StationName = f"{NAME}-CT"
        ds.AccessionNumber = ACCESSION
        ds.StudyID = MRN[-8:]
        ds.StudyDescription = f"{NAME} {HOSPITAL} study"
        ds.SeriesDescription = f"{ds.get('SeriesDescription', '')} {NAME}"
        uids |= {ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID}
        ds.save_as(path)
    return uids


def _values(ds: Dataset) -> Iterator[str]:
    """Every element's value, nested sequences and file meta included."""
    for element in ds.iterall():
        if element.VR == "SQ":
            continue
        value = element.value
        if isinstance(value, bytes):
            yield value.decode("latin-1")
        elif isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
            yield from (str(v) for v in value)
        else:
            yield str(value)


def _found(text: str, secrets: set[str]) -> set[str]:
    folded = " ".join(text.split()).lower()
    return {s for s in secrets if s.lower() in folded}


@pytest.fixture
def planted(
    demo: DemoSetup, demo_read: PatientRead, tmp_path: Path
) -> tuple[Path, Path, PatientRead, set[str]]:
    images = tmp_path / "images"
    shutil.copytree(demo.dicom_root, images)
    image_uids = _plant_headers(images)
    read = planted_read(demo_read)
    db = tmp_path / "reads.sqlite3"
    with open_store(db) as store:
        store.create_patient(read, who=f"{NAME} importer")
    secrets = set(IDENTIFIERS) | image_uids
    secrets |= set(read.tracking_uids.values())
    for tp in read.timepoints:
        secrets |= _dates(tp.date) | {tp.uid, tp.study_uid, tp.series_uid}
        secrets |= set(tp.new_lesion_uids.values())
        secrets |= {c.sop_instance_uid for d in tp.calipers.values() for c in d}
    secrets.discard("")
    # a shifted date could fall on another original date by chance: not a leak,
    # but the search could not tell; this salt's shift is checked to avoid it
    anonymous, _ = deidentify(read, salt=SALT)
    shifted = set().union(*(_dates(tp.date) for tp in anonymous.timepoints))
    assert not shifted & secrets, "choose another SALT for this test"
    return db, images, read, secrets


def _export(
    db: Path, images: Path, out: Path, *, deidentify: bool
) -> subprocess.CompletedProcess[str]:
    mask = os.umask(0o022)
    try:
        return subprocess.run(
            [sys.executable, "-m", "respond", "report", MRN, "--db", str(db),
             *(["--deidentify", "--salt", SALT] if deidentify else []),
             "--images", str(images), "--pdf", str(out / "report.pdf"),
             "--csv", str(out / "table.csv"), "--sr", str(out / "sr" / "nested"),
             "--study-id", "TRIAL-1"],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
    finally:
        os.umask(mask)


def _leaks(out: Path, secrets: set[str]) -> dict[str, set[str]]:
    """What each output holds of the secrets, by output."""
    found: dict[str, set[str]] = {}
    for path in out.rglob("*"):
        found.setdefault("file names", set()).update(
            _found(str(path.relative_to(out)), secrets)
        )
    for table in sorted(out.glob("*.csv")):
        found[table.name] = _found(table.read_text(encoding="utf-8"), secrets)
    pdf = out / "report.pdf"
    text = subprocess.run(
        [which("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found["PDF text"] = _found(text, secrets)
    found["PDF bytes"] = _found(pdf.read_bytes().decode("latin-1"), secrets)
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        found["PDF information"] = _found(info, secrets)
    for path in sorted((out / "sr" / "nested").glob("*.dcm")):
        ds = pydicom.dcmread(path)
        values = [*_values(ds), *_values(ds.file_meta)]
        found[f"SR {path.name}"] = {s for v in values for s in _found(v, secrets)}
        found[f"SR bytes {path.name}"] = _found(
            path.read_bytes().decode("latin-1"), secrets
        )
    return found


def test_the_search_finds_the_identifiers_in_identified_outputs(
    planted: tuple[Path, Path, PatientRead, set[str]], tmp_path: Path
) -> None:
    """The search below is not blind: without --deidentify it finds them all."""
    db, images, _, secrets = planted
    out = tmp_path / "out"
    out.mkdir()
    result = _export(db, images, out, deidentify=False)
    assert result.returncode == 0, result.stderr
    found = _leaks(out, secrets)
    assert {NAME, MRN} <= found["file names"]
    for output in ("table-tu.csv", "table-tr.csv", "PDF text"):
        assert {NAME, MRN, HOSPITAL} <= found[output], output
    # RS has no lesion ids and no baseline: the subject and a follow-up label
    assert {MRN, HOSPITAL} <= found["table-rs.csv"]
    srs = [key for key in found if key.startswith("SR ") and "bytes" not in key]
    assert srs
    for key in srs:
        assert {NAME, MRN, HOSPITAL, "Hilde", BIRTH.strftime("%Y%m%d")} <= found[key]
        assert found[key] & {s for s in secrets if s.startswith("1.")}  # UIDs


def test_deidentified_outputs_hold_no_planted_identifier(
    planted: tuple[Path, Path, PatientRead, set[str]], tmp_path: Path
) -> None:
    db, images, read, secrets = planted
    out = tmp_path / "out"
    out.mkdir()
    result = _export(db, images, out, deidentify=True)
    assert result.returncode == 0, result.stderr
    assert "key images are not shown" not in result.stdout

    leaks = {output: found for output, found in _leaks(out, secrets).items() if found}
    assert not leaks

    sr_folder = out / "sr" / "nested"
    srs = sorted(sr_folder.glob("*.dcm"))
    assert len(srs) == len(read.timepoints)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 4 + len(srs)  # no temporary file left behind
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            # folders respond made are private; "out" is the test's own (umask)
            assert mode == (0o755 if path == out else 0o700), path
        else:
            assert mode == 0o600, path

    # what is left is controlled: pseudonym, labels, organs, sites, readers
    rows = list(csv.DictReader((out / "table-tr.csv").open(encoding="utf-8")))
    pseudonym = rows[0]["USUBJID"]
    assert pseudonym.startswith("ANON-")
    measured = [r for r in rows if r["TRLNKID"] == "T1" and r["TRTESTCD"] == "LDIAM"]
    assert [r["VISIT"] for r in measured] == ["BL", "FU1", "FU2"]
    assert {r["TREVALID"][:7] for r in rows} == {"READER-"}
    tu = list(csv.DictReader((out / "table-tu.csv").open(encoding="utf-8")))
    assert {r["USUBJID"] for r in tu} == {pseudonym}
    targets = [r for r in tu if r["TUORRES"] == "TARGET"]
    assert {r["TULOC"] for r in targets} == {"OTHER"}
    assert {r["TULOCDTL"] for r in targets} == {"segment VI"}
    vein = [r for r in tu if r["TUORRES"] == "NON-TARGET"]
    assert {(r["TULNKID"], r["TULOC"], r["TULOCDTL"]) for r in vein} == {
        ("N1", "OTHER", "porta hepatis")
    }
    assert {r["TUEVALID"][:7] for r in tu} == {"READER-"}
    text = subprocess.run(
        [which("pdftotext"), str(out / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert pseudonym in text
    assert "(free text removed)" in " ".join(text.split())  # the decision's reason

    # one patient's outputs still refer to each other: the CSV's tracking UIDs
    # and the SRs' are the same, and so are their studies in every SR
    tracking = {r["TUREFID"] for r in tu if r["TUREFID"]}
    seen: set[str] = set()
    for path in srs:
        ds = pydicom.dcmread(path)
        assert ds.PatientID == pseudonym
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.StudyInstanceUID.startswith("2.25.")
        seen |= {str(e.value) for e in ds.iterall() if e.keyword == "UID"}
    assert tracking
    assert tracking <= seen
