"""The demo: a synthetic longitudinal HCC phantom, read and ready to explore.

``respond --demo`` writes the phantom (arterial and portal-venous CT at baseline
and two follow-ups) as real DICOM into the user cache folder, and a demo patient
into a demo database beside it (never into the reader's own database). The read
is measured from the phantom's known geometry: the tumour necroses without
shrinking, so RECIST 1.1 says SD where mRECIST says PR, and a new typical nodule
appears at the second follow-up. Everything is labelled SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from respond.criteria import (
    Caliper,
    CaliperKind,
    Clinical,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    Patient,
    PatientRead,
    Role,
    SecondLine,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
    length_mm,
)
from respond.dicom import PhantomTimePoint, scan, write_phantom
from respond.dicom.phantom import PATIENT_ID
from respond.session import new_tracking_uid, new_uid
from respond.store import open_store

if TYPE_CHECKING:
    from respond.dicom import SeriesCandidate

__all__ = ["DemoSetup", "demo_folder", "prepare_demo"]

DEMO_PATIENT_NAME = "SYNTHETIC DEMO (not a patient)"
_CLINICAL = (
    Clinical(
        fhsi8=28,
        ecog=0,
        child_pugh="A5",
        dose_level=0,
        second_line=SecondLine(available=True, eligible=True),
    ),
    Clinical(
        fhsi8=27,
        ecog=0,
        child_pugh="A5",
        dose_level=0,
        second_line=SecondLine(available=True, eligible=True),
    ),
    Clinical(
        fhsi8=26,
        ecog=1,
        child_pugh="A6",
        dose_level=0,
        second_line=SecondLine(available=True, eligible=True),
    ),
)


@dataclass(frozen=True, slots=True)
class DemoSetup:
    """Where the demo lives."""

    dicom_root: Path
    database: Path
    patient_id: str
    timepoints: tuple[PhantomTimePoint, ...]


def demo_folder() -> Path:
    """Return the demo's folder in the platform's user cache."""
    return Path(platformdirs.user_cache_dir("respond", appauthor=False)) / "demo"


def _frame_at(series: SeriesCandidate, z: float) -> tuple[str, int | None]:
    frame = min(series.frames, key=lambda f: abs((f.position or (0, 0, 1e9))[2] - z))
    return frame.sop_instance_uid, frame.frame


def _caliper(
    kind: CaliperKind,
    centre: tuple[float, float, float],
    diameter: float,
    series: SeriesCandidate,
) -> Caliper:
    x, y, z = centre
    radius = diameter / 2
    sop, frame = _frame_at(series, z)
    return Caliper(
        kind, (x - radius, y, z), (x + radius, y, z), series.series_uid, sop, frame
    )


def _read(
    setup_timepoints: list[PhantomTimePoint], arterial: dict[str, SeriesCandidate]
) -> PatientRead:
    lesions = (
        Lesion(
            LesionId("T1"),
            Role.TARGET,
            "liver",
            kind=LesionKind.HCC,
            typical_hcc=True,
            site="segment VI",
            note="synthetic",
        ),
        Lesion(
            LesionId("T2"),
            Role.TARGET,
            "liver",
            kind=LesionKind.HCC,
            typical_hcc=True,
            site="segment V",
            note="synthetic",
        ),
    )
    records = []
    for index, tp in enumerate(setup_timepoints):
        series = arterial[tp.label]
        targets, calipers = {}, {}
        for lesion in lesions:
            truth = tp.lesion(lesion.id)
            drawn = (
                _caliper(
                    CaliperKind.LONG_AXIS, truth.centre_mm, truth.diameter_mm, series
                ),
                _caliper(
                    CaliperKind.VIABLE,
                    truth.viable_centre_mm,
                    truth.viable_diameter_mm,
                    series,
                ),
            )
            targets[lesion.id] = TargetMeasurement(
                long_axis_mm=length_mm(drawn[0].start_mm, drawn[0].end_mm),
                viable_mm=length_mm(drawn[1].start_mm, drawn[1].end_mm),
                lesion_id=lesion.id,
            )
            calipers[lesion.id] = drawn
        new = tuple(
            NewLesion(
                "X1",
                organ="liver",
                long_axis_mm=Decimal(str(les.diameter_mm)),
                typical_hcc=True,
                note="synthetic: arterial hyperenhancement, washout",
            )
            for les in tp.lesions
            if les.is_new
        )
        records.append(
            TimePointRecord(
                uid=new_uid(),
                timepoint=TimePoint(
                    label=tp.label,
                    date=tp.study_date,
                    arterial_phase=True,
                    slice_thickness_mm=Decimal("2.5"),
                    targets=targets,
                    new_lesions=new,
                    clinical=_CLINICAL[min(index, 2)],
                ),
                study_uid=tp.study_uid,
                series_uid=tp.arterial_series_uid,
                calipers=calipers,
                new_lesion_uids={n.id: new_tracking_uid() for n in new},
            )
        )
    return PatientRead(
        patient=Patient(PATIENT_ID, DEMO_PATIENT_NAME),
        lesions=lesions,
        tracking_uids={les.id: new_tracking_uid() for les in lesions},
        timepoints=tuple(records),
        reader="demo",
    )


def _damaged(database: Path) -> bool:
    """Whether the demo database holds more than the demo read (3 time points)."""
    with open_store(database) as store:
        summaries = store.list_patients()
    if not summaries:
        return False
    return [s.patient_id for s in summaries] != [PATIENT_ID] or len(
        summaries[0].timepoints
    ) != len(_CLINICAL)


def prepare_demo(folder: Path | None = None, *, fresh: bool = False) -> DemoSetup:
    """Write the phantom and the demo read (once; again with ``fresh``).

    Parameters
    ----------
    folder
        Where to put it (default: :func:`demo_folder`).
    fresh
        Rewrite everything even if it is there.

    Returns
    -------
    DemoSetup
        The DICOM folder, the demo database and the patient id.
    """
    root = folder or demo_folder()
    dicom_root = root / "dicom"
    database = root / "demo.sqlite3"
    if fresh and database.exists():
        database.unlink()
        for extra in root.glob("demo.sqlite3-*"):
            extra.unlink()
    marker = root / "phantom.complete"
    if not fresh and database.exists() and _damaged(database):
        fresh = True  # an older respond let a real study into the demo: rebuild
        database.unlink()
        for extra in root.glob("demo.sqlite3-*"):
            extra.unlink()
    with open_store(database) as store:
        stored = any(s.patient_id == PATIENT_ID for s in store.list_patients())
        if stored and marker.exists() and not fresh:
            # Written before: start at once (rewriting 288 files costs ~1 s).
            return DemoSetup(dicom_root, database, PATIENT_ID, ())
        timepoints = write_phantom(dicom_root, seed=0)
        marker.write_text("seed 0\n", encoding="utf-8")
        if not stored:
            arterial = {}
            for tp in timepoints:
                (series,) = scan(tp.arterial_folder).series
                arterial[tp.label] = series
            store.create_patient(_read(timepoints, arterial), who="demo")
    return DemoSetup(dicom_root, database, PATIENT_ID, tuple(timepoints))
