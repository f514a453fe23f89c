"""The check's data: the synthetic demo's DICOM images and respond's SRs of its read.

``prepare_demo`` writes the phantom (arterial and portal-venous CT at baseline
and two follow-ups) and a demo database with the demo patient's read; the SRs
are written as a user writes them, by ``respond report --sr`` (one per time
point), and read back for the calipers OHIF must draw.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pydicom

from interop.expected import Caliper, ImagePlane, expected_calipers, image_planes

if TYPE_CHECKING:
    from collections.abc import Sequence


class DataError(RuntimeError):
    """The demo or its SRs could not be written."""


@dataclass(frozen=True, slots=True)
class Study:
    """One time point's study and respond's SR of it."""

    label: str
    study_uid: str
    sr_path: Path
    sr_sop_uid: str
    sr_series_uid: str
    sr_description: str
    calipers: tuple[Caliper, ...]

    def as_json(self) -> dict[str, object]:
        """Return what the browser script needs to know of the study."""
        return {
            "label": self.label,
            "studyUid": self.study_uid,
            "srSopUid": self.sr_sop_uid,
            "srSeriesUid": self.sr_series_uid,
            "srDescription": self.sr_description,
            "calipers": [caliper.as_json() for caliper in self.calipers],
        }


@dataclass(frozen=True, slots=True)
class Data:
    """The files to store and the studies to check."""

    images: tuple[Path, ...]
    reports: tuple[Path, ...]
    studies: tuple[Study, ...]


def write_reports(
    database: Path, patient_id: str, images: Path, out: Path
) -> list[Path]:
    """Write the patient's SRs with respond's CLI; return them in time point order.

    Raises
    ------
    DataError
        ``respond report`` failed or wrote no SR.
    """
    command = [
        sys.executable,
        "-m",
        "respond",
        "report",
        "--db",
        str(database),
        patient_id,
        "--sr",
        str(out),
        "--images",
        str(images),
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if result.returncode != 0:
        raise DataError(
            f"`respond report --sr` failed (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-1500:]}"
        )
    reports = sorted(out.glob("*.dcm"))
    if not reports:
        raise DataError(f"`respond report --sr` wrote no SR into {out}")
    return reports


def read_study(
    path: Path, labels: dict[str, str], planes: dict[str, ImagePlane]
) -> Study:
    """Return one SR's study, with the calipers it asks to be drawn."""
    sr = pydicom.dcmread(path)
    study_uid = str(sr.StudyInstanceUID)
    return Study(
        label=labels.get(study_uid, str(sr.get("SeriesDescription", path.stem))),
        study_uid=study_uid,
        sr_path=path,
        sr_sop_uid=str(sr.SOPInstanceUID),
        sr_series_uid=str(sr.SeriesInstanceUID),
        sr_description=str(sr.get("SeriesDescription", "")),
        calipers=tuple(expected_calipers(sr, planes)),
    )


def prepare(
    work: Path,
    reports: Sequence[Path] | None = None,
    image_folders: Sequence[Path] | None = None,
) -> Data:
    """Write the demo and its SRs under ``work``; read what must be drawn.

    ``reports``, when given, are checked instead of the SRs respond writes (a
    changed copy of them, say); they must reference the demo's images, or the
    images under ``image_folders`` (a real patient's studies; then the demo is
    not written and each study is labelled by its SR's series description).

    Raises
    ------
    DataError
        The demo or its SRs could not be written.
    """
    if image_folders:
        if not reports:
            raise DataError("images without the SRs of their read")
        return _given(reports, image_folders)
    from respond.demo import prepare_demo

    setup = prepare_demo(work / "demo", fresh=True)
    if not setup.timepoints:
        raise DataError(f"the demo in {work / 'demo'} was not rewritten")
    if reports is None:
        reports = write_reports(
            setup.database, setup.patient_id, setup.dicom_root, work / "sr"
        )
    missing = [str(path) for path in reports if not path.is_file()]
    if missing:
        raise DataError(f"no such SR file: {', '.join(missing)}")
    images = tuple(sorted(setup.dicom_root.rglob("*.dcm")))
    planes = image_planes(images)
    labels = {tp.study_uid: tp.label for tp in setup.timepoints}
    studies = tuple(read_study(path, labels, planes) for path in reports)
    return Data(images, tuple(reports), studies)


def _given(reports: Sequence[Path], image_folders: Sequence[Path]) -> Data:
    """Return the data of SRs of a read of the DICOM files under the folders."""
    missing = [str(p) for p in (*reports, *image_folders) if not p.exists()]
    if missing:
        raise DataError(f"no such file or folder: {', '.join(missing)}")
    images = tuple(
        sorted(
            path
            for folder in image_folders
            for path in folder.rglob("*")
            if path.is_file() and _is_dicom(path)
        )
    )
    if not images:
        raise DataError(f"no DICOM file under {', '.join(map(str, image_folders))}")
    planes = image_planes(images)
    studies = tuple(read_study(path, {}, planes) for path in reports)
    return Data(images, tuple(reports), studies)


def _is_dicom(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(132)[128:] == b"DICM"
