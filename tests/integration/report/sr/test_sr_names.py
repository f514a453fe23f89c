"""SR files: safe, unique names; the exact Patient ID in the file and back."""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    sr_demo_fixture,
)

from respond.cli import EXIT_OK, run
from respond.criteria import Patient
from respond.report.sr import SRExportError, import_sr, write_sr
from respond.report.sr.writer import sr_file_name
from respond.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.report.sr.srbuild import Demo

SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*_SR\.dcm")


@pytest.mark.parametrize(
    "patient_id",
    [
        "MRN-1",
        ".hidden",
        "..",
        "../../etc/passwd",
        "P\\Q\\R",
        "-rf",
        "Müller Straße 5",
        "\x1b[31mred",
        "x" * 300,
        "lone \ud800",
        "",
    ],
)
def test_names_are_safe_and_bounded(patient_id: str) -> None:
    name = sr_file_name(patient_id, 0, "BL 2001-08-12 / ../x")
    assert SAFE.fullmatch(name), name
    assert len(name) <= 64 + 1 + 8 + 1 + 2 + 1 + 32 + len("_SR.dcm")


def test_ids_that_look_alike_when_made_safe_get_different_names() -> None:
    alike = ["P/Q", "P\\Q", "P Q", "P_Q", "P?Q", ".P_Q"]
    names = {sr_file_name(patient_id, 0, "BL") for patient_id in alike}
    assert len(names) == len(alike)
    assert sr_file_name("P/Q", 0, "BL") == sr_file_name("P/Q", 0, "BL")
    assert sr_file_name("P/Q", 0, "BL").startswith("P_Q_")


def test_alike_ids_written_to_one_folder_keep_both(
    sr_demo: Demo, tmp_path: Path
) -> None:
    first = write_sr(
        replace(sr_demo.read, patient=Patient("P/Q")), sr_demo.images, tmp_path
    )
    second = write_sr(
        replace(sr_demo.read, patient=Patient("P_Q")), sr_demo.images, tmp_path
    )
    assert not set(first) & set(second)
    assert len(list(tmp_path.iterdir())) == len(first) + len(second)
    assert {str(dcmread(p).PatientID) for p in first} == {"P/Q"}


def test_a_hidden_looking_id_makes_visible_files_inside_the_folder(
    sr_demo: Demo, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    for patient_id in (".hidden", "../escape"):
        read = replace(sr_demo.read, patient=Patient(patient_id))
        for path in write_sr(read, sr_demo.images, folder):
            assert path.parent == folder
            assert not path.name.startswith(".")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_backslash_id_comes_back_unchanged(sr_demo: Demo, tmp_path: Path) -> None:
    read = replace(sr_demo.read, patient=Patient("P\\Q\\R", "Doe^Jane"))
    paths = write_sr(read, sr_demo.images, tmp_path)
    ds = dcmread(paths[0])
    # pydicom splits the value at each backslash (the value separator) ...
    assert list(ds.PatientID) == ["P", "Q", "R"]
    assert b"P\\Q\\R" in paths[0].read_bytes()
    # ... and import joins the parts: the id comes back exactly
    (back,) = import_sr(paths)
    assert back.patient.id == "P\\Q\\R"


def test_a_long_id_is_refused_when_identified_and_pseudonymised_otherwise(
    sr_demo: Demo, tmp_path: Path
) -> None:
    long_id = "L" * 300
    read = replace(sr_demo.read, patient=Patient(long_id))
    with pytest.raises(SRExportError, match="at most 64") as caught:
        write_sr(read, sr_demo.images, tmp_path / "a")
    assert "writable" not in str(caught.value)
    assert not (tmp_path / "a").exists()
    paths = write_sr(read, sr_demo.images, tmp_path / "b", deidentified=True)
    assert all(str(dcmread(p).PatientID).startswith("ANON-") for p in paths)
    assert all(long_id[:10] not in p.name for p in paths)


def test_the_longest_id_is_written_whole_from_the_command(
    sr_demo: Demo, tmp_path: Path
) -> None:
    """64 characters: the most an id may have, and DICOM's Patient ID holds."""
    db = tmp_path / "reads.sqlite3"
    long_id = "L" * 60 + " :*?"
    with open_store(db) as store:
        store.create_patient(
            replace(sr_demo.read, patient=Patient(long_id)), who="test"
        )
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["report", long_id, "--sr", str(tmp_path / "sr"), "--db", str(db),
         "--images", str(sr_demo.dicom_root)],
        out, err,
    )  # fmt: skip
    assert code == EXIT_OK, err.getvalue()
    paths = sorted((tmp_path / "sr").iterdir())
    assert len(paths) == len(sr_demo.read.timepoints)
    for path in paths:
        assert SAFE.fullmatch(path.name)
        assert str(dcmread(path).PatientID) == long_id
    (back,) = import_sr(paths)
    assert back.patient.id == long_id


def test_files_and_the_folder_made_are_private(sr_demo: Demo, tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        paths = write_sr(sr_demo.read, sr_demo.images, tmp_path / "new" / "sr")
    finally:
        os.umask(mask)
    for folder in (tmp_path / "new", tmp_path / "new" / "sr"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "new" / "sr").iterdir()) == sorted(
        p.name for p in paths
    )


def test_a_one_component_name_is_written_without_a_warning(
    sr_demo: Demo, tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    """Scanners write names such as "Patient_01"; the SR keeps it, silently."""
    import shutil

    from respond.report.images import ImageIndex

    images = tmp_path / "images"
    shutil.copytree(sr_demo.dicom_root, images)
    for path in images.rglob("*.dcm"):
        image = dcmread(path)
        image.PatientName = "Patient_01"
        image.save_as(path)
    patient = replace(sr_demo.read.patient, name="Patient_01")
    read = replace(sr_demo.read, patient=patient)
    files = write_sr(read, ImageIndex.from_folders([images]), tmp_path / "sr")
    assert str(dcmread(files[0]).PatientName) == "Patient_01"
    assert not [w for w in recwarn if "person name" in str(w.message)]
