"""Reads for the store tests: a rich one that uses every field, and small ones.

:func:`rich_read` has several lesions (nodes among them), every target status,
fragments, a merge, calipers of every kind with and without frames, non-targets
with cytology and notes, a nodal non-target's short axis, new findings
(equivocal and typical), clinical status with FHSI-8 items, adverse events, an
interrupted dose, dose level -2 with its form, second line, decisions, sign-off,
patient sex, settings off their defaults, and Decimals in several spellings
(``12.50``, ``1E+1``, ``0.0``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from respond.criteria import (
    Action,
    AdverseEvent,
    Caliper,
    CaliperKind,
    Clinical,
    Criterion,
    Cytology,
    Decision,
    DoseForm,
    Lesion,
    LesionExtent,
    LesionId,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    SecondLine,
    Settings,
    TargetMeasurement,
    TargetStatus,
    TimePoint,
    TimePointRecord,
)

D = Decimal
SERIES = "1.2.826.0.1.3680043.8.498.1"
BASE = dt.date(2026, 1, 5)

T1, T2, T3, T4, T5 = (LesionId(f"T{i}") for i in range(1, 6))
N1, N2, N3 = (LesionId(f"N{i}") for i in range(1, 4))


def caliper(
    kind: CaliperKind,
    length: float,
    *,
    frame: int | None = None,
    index: int = 0,
    z: float = -123.25,
) -> Caliper:
    """A caliper of ``length`` mm along x on one slice."""
    start = (10.125, -47.5, z)
    return Caliper(
        kind,
        start,
        (start[0] + length, start[1], z),
        SERIES,
        f"{SERIES}.{int(length * 10)}",
        frame,
        index,
    )


def lesions() -> tuple[Lesion, ...]:
    return (
        Lesion(T1, Role.TARGET, "liver", kind=LesionKind.HCC, typical_hcc=True),
        Lesion(T2, Role.TARGET, "liver", kind=LesionKind.HCC, site="segment VII"),
        Lesion(
            T3,
            Role.TARGET,
            "lymph node",
            is_node=True,
            kind=LesionKind.NODE,
            site="porta hepatis",
            note="hilar node",
        ),
        Lesion(T4, Role.TARGET, "lung", kind=LesionKind.OTHER, typical_hcc=False),
        Lesion(T5, Role.TARGET, "liver", kind=LesionKind.HCC),
        Lesion(N1, Role.NON_TARGET, "liver", kind=LesionKind.PORTAL_VEIN_THROMBUS),
        Lesion(N2, Role.NON_TARGET, "peritoneum", kind=LesionKind.ASCITES),
        Lesion(N3, Role.NON_TARGET, "lymph node", is_node=True, note="para-aortic"),
    )


def _baseline() -> TimePointRecord:
    targets = {
        T1: TargetMeasurement(long_axis_mm=D("42.0"), viable_mm=D("30.5")),
        T2: TargetMeasurement(long_axis_mm=D("25.3"), viable_mm=D("25.3")),
        T3: TargetMeasurement(long_axis_mm=D("24.1"), short_axis_mm=D("18.0")),
        T4: TargetMeasurement(long_axis_mm=D("12.50")),
        T5: TargetMeasurement(long_axis_mm=D("1E+1"), viable_mm=D("7")),
    }
    calipers = {
        T1: (
            caliper(CaliperKind.LONG_AXIS, 42.0),
            caliper(CaliperKind.VIABLE, 30.5, frame=3),
        ),
        T3: (
            caliper(CaliperKind.LONG_AXIS, 24.1, frame=0),
            caliper(CaliperKind.SHORT_AXIS, 18.0, frame=0),
        ),
        T4: (caliper(CaliperKind.LONG_AXIS, 12.5, z=0.1 + 0.2),),
    }
    return TimePointRecord(
        uid="tp-bl",
        timepoint=TimePoint(
            "BL",
            BASE,
            arterial_phase=True,
            slice_thickness_mm=D("2.50"),
            targets=targets,
            non_targets={
                N1: NonTargetObservation(NonTargetStatus.PRESENT),
                N2: NonTargetObservation(
                    NonTargetStatus.PRESENT, Cytology.NOT_DONE, "moderate"
                ),
                N3: NonTargetObservation(
                    NonTargetStatus.PRESENT, short_axis_mm=D("22.0")
                ),
            },
            clinical=Clinical(
                fhsi8_items=(4, 3, 3, 4, 2, 4, 3, 4),
                ecog=0,
                child_pugh="A5",
                dose_level=0,
                second_line=SecondLine(available=True, eligible=False),
            ),
        ),
        study_uid="1.2.3.100",
        series_uid=SERIES,
        calipers=calipers,
        signed_by="dr-a",
        signed_at="2026-01-06T09:15:00+00:00",
    )


def _follow_up_1() -> TimePointRecord:
    targets = {
        T1: TargetMeasurement(
            long_axis_mm=D("38.0"), viable_mm=D("20.0"), note="less enhancement"
        ),
        T2: TargetMeasurement(TargetStatus.TOO_SMALL),
        T3: TargetMeasurement(long_axis_mm=D("20.0"), short_axis_mm=D("12.0")),
        T4: TargetMeasurement(fragments_mm=(D("6.0"), D("4.5"))),
        T5: TargetMeasurement(long_axis_mm=D("0.0"), merged_into=T1),
    }
    calipers = {
        T1: (caliper(CaliperKind.LONG_AXIS, 38.0, frame=12),),
        T4: (
            caliper(CaliperKind.FRAGMENT, 6.0, index=0),
            caliper(CaliperKind.FRAGMENT, 4.5, index=1),
        ),
    }
    return TimePointRecord(
        uid="tp-fu1",
        timepoint=TimePoint(
            "FU1",
            BASE + dt.timedelta(days=56),
            arterial_phase=True,
            slice_thickness_mm=D("2.50"),
            targets=targets,
            non_targets={
                N1: NonTargetObservation(NonTargetStatus.PRESENT),
                N2: NonTargetObservation(
                    NonTargetStatus.ABSENT, Cytology.NEGATIVE, "resolved"
                ),
                N3: NonTargetObservation(NonTargetStatus.NOT_EVALUATED),
            },
            new_lesions=(
                NewLesion(
                    "X1",
                    organ="liver",
                    site="segment II",
                    kind=LesionKind.HCC,
                    long_axis_mm=D("8.0"),
                    equivocal=True,
                    note="too small to call",
                ),
            ),
            clinical=Clinical(
                fhsi8=27,
                ecog=1,
                child_pugh="A6",
                dose_level=None,
                is_interrupted=True,
                adverse_events=(
                    AdverseEvent("hand_foot_skin_reaction", 3, 1, 5),
                    AdverseEvent("hypertension", 2),
                ),
                second_line=SecondLine(available=True, eligible=True),
            ),
        ),
        study_uid="1.2.3.101",
        calipers=calipers,
        extents={
            T1: LesionExtent(D("21.37"), D("0.412")),
            T3: LesionExtent(D("3.10")),
        },
        new_lesion_uids={"X1": "2.25.1001"},
        signed_by="dr-a",
        signed_at="2026-03-03T10:00:00+00:00",
        decision=Decision(
            recommended_action=Action.INTERRUPT,
            recommended_dose=-1,
            accepted=True,
            action=Action.INTERRUPT,
            dose_level=-1,
            reason="",
            decided_by="dr-onc",
            decided_at="2026-03-03T11:00:00+00:00",
        ),
    )


def _follow_up_2() -> TimePointRecord:
    return TimePointRecord(
        uid="tp-fu2",
        timepoint=TimePoint(
            "FU2",
            BASE + dt.timedelta(days=112),
            targets={
                T1: TargetMeasurement(long_axis_mm=D("45.5"), viable_mm=D("33.0")),
                T2: TargetMeasurement(TargetStatus.ABSENT),
                T3: TargetMeasurement(TargetStatus.NOT_EVALUATED, note="not covered"),
                T4: TargetMeasurement(long_axis_mm=D("13.0")),
                T5: TargetMeasurement(long_axis_mm=D("0"), merged_into=T1),
            },
            non_targets={
                N1: NonTargetObservation(
                    NonTargetStatus.UNEQUIVOCAL_PROGRESSION, note="extends to PV trunk"
                ),
                N2: NonTargetObservation(NonTargetStatus.PRESENT, Cytology.POSITIVE),
            },
            new_lesions=(
                NewLesion(
                    "X1",
                    organ="liver",
                    site="segment II",
                    kind=LesionKind.HCC,
                    long_axis_mm=D("14.0"),
                    typical_hcc=True,
                ),
                NewLesion(
                    "X2",
                    organ="lymph node",
                    kind=LesionKind.NODE,
                    long_axis_mm=D("21.0"),
                    short_axis_mm=D("16.5"),
                ),
                NewLesion(
                    "X3", kind=LesionKind.PLEURAL_EFFUSION, cytology=Cytology.POSITIVE
                ),
            ),
            clinical=Clinical(
                fhsi8=18,
                ecog=2,
                child_pugh="B7",
                dose_level=-2,
                dose_form=DoseForm.ONCE_DAILY_200,
                second_line=None,
            ),
        ),
        calipers={T1: (caliper(CaliperKind.LONG_AXIS, 45.5),)},
        new_lesion_uids={"X1": "2.25.1001", "X2": "2.25.1002"},
        decision=Decision(
            recommended_action=Action.DISCONTINUE,
            recommended_dose=None,
            accepted=False,
            action=Action.SWITCH_SECOND_LINE,
            dose_level=None,
            reason="trial slot available",
            decided_by="dr-onc",
            decided_at="2026-04-28T16:30:00+00:00",
        ),
    )


def rich_read(patient_id: str = "P-RICH") -> PatientRead:
    """A read that uses every field the store keeps."""
    return PatientRead(
        patient=Patient(patient_id, "Testperson^Rich", dt.date(1951, 2, 28), "F"),
        lesions=lesions(),
        tracking_uids={les.id: f"2.25.{100 + i}" for i, les in enumerate(lesions())},
        timepoints=(_baseline(), _follow_up_1(), _follow_up_2()),
        settings=Settings(
            criteria=(Criterion.RECIST11, Criterion.MRECIST),
            primary_criterion=Criterion.RECIST11,
            confirmation_required=True,
            confirmation_min_days=30,
            sd_min_days=49,
            continuing_pr=False,
            mrecist_pd_min_increase_mm=D("5.0"),
            confirmation_max_ne_between=2,
        ),
        reader="dr-a",
    )


def rich_read_at(version: int, patient_id: str) -> PatientRead:
    """:func:`rich_read` as a database of schema ``version`` kept it.

    Version 1 had no patient sex (it migrates as unknown). Versions 1 and 2 had
    no non-target short axis, no dose form and no confirmation_max_ne_between
    (they migrate as unmeasured, not said and the default, 1). Versions 1 to 3
    had no click-to-measure extents (volume, enhancing fraction).
    """
    read = rich_read(patient_id)
    if version < 4:
        records = tuple(
            dataclasses.replace(record, extents={}) for record in read.timepoints
        )
        read = dataclasses.replace(read, timepoints=records)
    if version < 2:
        patient = dataclasses.replace(read.patient, sex=None)
        read = dataclasses.replace(read, patient=patient)
    if version < 3:
        read = _without_v3_fields(read)
    return read


def _without_v3_fields(read: PatientRead) -> PatientRead:
    records = []
    for record in read.timepoints:
        tp = record.timepoint
        timepoint = dataclasses.replace(
            tp,
            non_targets={
                lesion_id: dataclasses.replace(observation, short_axis_mm=None)
                for lesion_id, observation in tp.non_targets.items()
            },
            clinical=dataclasses.replace(tp.clinical, dose_form=None),
        )
        records.append(dataclasses.replace(record, timepoint=timepoint))
    settings = dataclasses.replace(read.settings, confirmation_max_ne_between=1)
    return dataclasses.replace(read, timepoints=tuple(records), settings=settings)


def small_read(patient_id: str = "P-SMALL") -> PatientRead:
    """One target, one time point, unsigned: the minimum an edit test needs."""
    baseline = TimePointRecord(
        uid="tp-1",
        timepoint=TimePoint(
            "BL", BASE, targets={T1: TargetMeasurement(long_axis_mm=D("20.0"))}
        ),
    )
    follow_up = TimePointRecord(
        uid="tp-2", timepoint=TimePoint("FU1", BASE + dt.timedelta(days=42))
    )
    return PatientRead(
        patient=Patient(patient_id),
        lesions=(
            Lesion(T1, Role.TARGET, "liver", kind=LesionKind.HCC),
            Lesion(N1, Role.NON_TARGET, "liver", kind=LesionKind.PORTAL_VEIN_THROMBUS),
        ),
        tracking_uids={T1: "2.25.1", N1: "2.25.2"},
        timepoints=(baseline, follow_up),
    )
