"""check_values: the case file's value rules applied to the engine's objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from tests.conftest import EXAMPLE_CASE

from respond.casefile import CaseFormatError, check_values, load_case, read_case_file
from respond.criteria import (
    AdverseEvent,
    Caliper,
    CaliperKind,
    Case,
    Clinical,
    Decision,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    Settings,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
)
from respond.criteria.categories import Action


def example_case() -> Case:
    return load_case(read_case_file(EXAMPLE_CASE))


def example_read() -> PatientRead:
    case = example_case()
    return PatientRead(
        patient=case.patient,
        lesions=case.lesions,
        tracking_uids={lesion.id: f"2.25.{i}" for i, lesion in enumerate(case.lesions)},
        timepoints=tuple(
            TimePointRecord(uid=f"tp{i}", timepoint=tp)
            for i, tp in enumerate(case.timepoints)
        ),
        settings=case.settings,
        reader=case.reader,
    )


def refused(value: object) -> list[str]:
    with pytest.raises(CaseFormatError) as caught:
        check_values(value)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_case_and_read_pass() -> None:
    check_values(example_case())
    check_values(example_read())


def test_an_incomplete_read_passes() -> None:
    check_values(PatientRead(Patient("HCC-0002")))
    lesion = Lesion(LesionId("T1"), Role.TARGET)
    check_values(PatientRead(Patient("HCC-0002"), lesions=(lesion,)))


def test_a_length_the_engine_cannot_compute_is_refused_in_a_read() -> None:
    read = example_read()
    record = read.timepoints[1]
    tp = record.timepoint
    t1 = dataclasses.replace(tp.targets[LesionId("T1")], long_axis_mm=Decimal("1e1000"))
    bad = dataclasses.replace(
        read,
        timepoints=(
            read.timepoints[0],
            dataclasses.replace(
                record,
                timepoint=dataclasses.replace(tp, targets={**tp.targets, "T1": t1}),
            ),
        ),
    )
    assert refused(bad) == [
        (
            "timepoints[1].targets.T1.long_axis_mm: the number 1E+1000 is out of "
            "range: respond reads numbers between 1e-25 and 1e+25 in size (each "
            "field's range is in docs/case-format.md)"
        )
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            TargetMeasurement(long_axis_mm=Decimal("1000.1")),
            "long_axis_mm: must be <= 1000, got 1000.1",
        ),
        (
            TargetMeasurement(viable_mm=Decimal("4.99999999999999999999999999")),
            "viable_mm: the number 4.99999999999999999999999999 has 27 significant",
        ),
        (
            NonTargetObservation(NonTargetStatus.PRESENT, note="n" * 4001),
            "note: must be at most 4000 characters long, got 4001 characters",
        ),
        (
            NewLesion("N/1", long_axis_mm=Decimal(12)),
            'id: must not contain "/" or "\\" (ids name files), got "N/1"',
        ),
        (
            Lesion(LesionId(".T1"), Role.TARGET),
            'id: must not start with ".", got ".T1"',
        ),
        (
            Lesion(LesionId("T1"), Role.TARGET, organ="liver\ud800"),
            "organ: holds a lone surrogate (\\ud800)",
        ),
        (Patient("P" * 65), "id: must be at most 64 characters long, got 65"),
        (Settings(sd_min_days=10**5000), "sd_min_days: the number is out of range"),
        (
            Settings(sd_min_days=36_501),
            "sd_min_days: must be an integer from 0 to 36500",
        ),
        (
            Settings(mrecist_pd_min_increase_mm=Decimal("NaN")),
            "mrecist_pd_min_increase_mm: must be a number, got NaN",
        ),
        (
            Clinical(adverse_events=(AdverseEvent("fatigue", 7),)),
            "adverse_events[0].grade: must be an integer from 1 to 5, got 7",
        ),
        (
            TimePoint("L" * 65, dt.date(2026, 1, 5)),
            "label: must be at most 64 characters long, got 65 characters",
        ),
    ],
)
def test_a_part_out_of_range_is_refused(value: object, expected: str) -> None:
    found = refused(value)
    assert any(text.startswith(expected) for text in found), found


def test_a_time_point_record_checks_its_decision_and_calipers() -> None:
    tp = example_case().timepoints[1]
    decision = Decision(
        recommended_action=Action.CONTINUE,
        recommended_dose=0,
        accepted=False,
        action=Action.CONTINUE,
        dose_level=-1,
        reason="r" * 4001,
        decided_by="dr",
        decided_at="2026-03-02T10:00:00Z",
    )
    caliper = Caliper(
        CaliperKind.LONG_AXIS, (0.0, 0.0, 0.0), (float("inf"), 0.0, 0.0), "1.2", "1.3"
    )
    record = TimePointRecord(
        uid="tp1",
        timepoint=tp,
        calipers={LesionId("T1"): (caliper,)},
        decision=decision,
        signed_by="x\ud800",
    )
    found = refused(record)
    assert found == [
        (
            "signed_by: holds a lone surrogate (\\ud800), which is not a character; "
            "write the text as UTF-8 characters"
        )
    ]
    record = dataclasses.replace(record, signed_by="dr")
    found = refused(record)
    assert "calipers.T1[0].end_mm[0]: must be a number, got Infinity" in found
    assert (
        "decision.reason: must be at most 4000 characters long, got 4001 characters"
        in found
    )


def test_a_read_checks_its_records_with_their_paths() -> None:
    read = example_read()
    record = dataclasses.replace(read.timepoints[1], uid="u" * 65)
    found = refused(dataclasses.replace(read, timepoints=(read.timepoints[0], record)))
    assert found == [
        "timepoints[1].uid: must be at most 64 characters long, got 65 characters"
    ]


def test_anything_else_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="check_values"):
        check_values("T1")  # type: ignore[arg-type]
