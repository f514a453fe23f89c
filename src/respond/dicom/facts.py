"""What a scan found, as the plain records the session and the store take.

:func:`study_facts` gives a study's headers as
:class:`~respond.criteria.imaging.StudyFacts` (the session checks them before a
study becomes a time point); :func:`indexed_images` gives a scan's image files
as :class:`~respond.criteria.imaging.IndexedImage` rows for the image index.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from respond.criteria.imaging import IndexedImage, SeriesFacts, StudyFacts
from respond.dicom.model import ScanResult
from respond.dicom.phase import is_arterial

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.dicom.model import PatientEntry, StudyEntry

__all__ = ["find_study", "indexed_images", "merge_scans", "study_facts"]


def study_facts(patient: PatientEntry, study: StudyEntry) -> StudyFacts:
    """Return a study's headers as the session checks them."""
    return StudyFacts(
        patient_id=patient.id,
        patient_name=patient.name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        study_uid=study.uid,
        date=study.date,
        description=study.description,
        series=tuple(
            SeriesFacts(
                series_uid=s.series_uid,
                number=s.series_number,
                description=s.description,
                modality=s.modality,
                phase=s.phase.phase.value,
                arterial=is_arterial(s.phase.phase) and not s.is_localizer,
                images=s.image_count,
                slice_thickness_mm=s.slice_thickness,
            )
            for s in study.series
            if not s.is_localizer
        ),
    )


def find_study(
    result: ScanResult, study_uid: str
) -> tuple[PatientEntry, StudyEntry] | None:
    """Return the patient and study with this StudyInstanceUID, if scanned."""
    for patient in result.patients:
        for study in patient.studies:
            if study.uid == study_uid:
                return patient, study
    return None


def indexed_images(result: ScanResult) -> list[IndexedImage]:
    """Return one index row per image file the scan found (multi-frame: once)."""
    rows: dict[str, IndexedImage] = {}
    for patient in result.patients:
        for study in patient.studies:
            for series in study.series:
                for frame in series.frames:
                    path = os.fspath(frame.path.absolute())
                    if path in rows:
                        continue
                    stamp = frame.file_stamp
                    rows[path] = IndexedImage(
                        path=path,
                        patient_id=patient.id,
                        study_uid=study.uid,
                        series_uid=series.series_uid,
                        sop_instance_uid=frame.sop_instance_uid,
                        size=stamp[1] if stamp else 0,
                        mtime_ns=stamp[2] if stamp else 0,
                    )
    return list(rows.values())


def merge_scans(results: Sequence[ScanResult], root: Path | None = None) -> ScanResult:
    """Return one scan of several (patients by ID, studies by UID; later wins).

    The image browser shows a patient's studies found through the image index
    together with any folder the reader opened.
    """
    patients: dict[str, PatientEntry] = {}
    studies: dict[str, dict[str, StudyEntry]] = {}
    for result in results:
        for patient in result.patients:
            patients[patient.id] = patient
            for study in patient.studies:
                studies.setdefault(patient.id, {})[study.uid] = study
    merged = tuple(
        dataclasses.replace(
            patients[pid],
            studies=tuple(
                sorted(studies[pid].values(), key=lambda s: (s.date, s.time, s.uid))
            ),
        )
        for pid in sorted(patients)
    )
    first = results[0].root if results else Path()
    return ScanResult(
        root=root if root is not None else first,
        patients=merged,
        non_image=tuple(n for r in results for n in r.non_image),
        unreadable=tuple(u for r in results for u in r.unreadable),
        findings=tuple(f for r in results for f in r.findings),
        files_seen=sum(r.files_seen for r in results),
        dicomdirs=tuple(d for r in results for d in r.dicomdirs),
    )
