"""The audit trail's JSON decodes back to the very domain values it was made from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import (
    T1,
    caliper,
    lesions,
    rich_read,
    rich_read_at,
    small_read,
)
from tests.integration.store.store_writer import crash_read

from respond.criteria import (
    Caliper,
    CaliperKind,
    Clinical,
    Decision,
    Lesion,
    NewLesion,
    Patient,
    PatientRead,
    Settings,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
)
from respond.store._audit import jsonable, to_json
from respond.store._decode import DecodeError, from_jsonable
from respond.store._restore import LesionAt, RemovedLesion

if TYPE_CHECKING:
    from collections.abc import Iterator


def _round_trip(value: object) -> object:
    return from_jsonable(type(value), json.loads(to_json(value) or "null"))


def _reads() -> list[PatientRead]:
    return [
        rich_read(),
        rich_read_at(1, "P-V1"),
        small_read(),
        crash_read(),
        PatientRead(Patient("P-EMPTY")),
    ]


def _parts(read: PatientRead) -> Iterator[object]:
    """Every value inside a read that an audit entry holds on its own."""
    yield read.patient
    yield read.settings
    yield from read.lesions
    for record in read.timepoints:
        yield record
        yield record.timepoint
        yield record.clinical
        yield from record.timepoint.targets.values()
        yield from record.timepoint.non_targets.values()
        yield from record.timepoint.new_lesions
        yield from record.clinical.adverse_events
        if record.clinical.second_line is not None:
            yield record.clinical.second_line
        if record.decision is not None:
            yield record.decision
        for found in record.calipers.values():
            yield from found


@pytest.mark.parametrize("read", _reads(), ids=lambda r: r.patient.id)
def test_every_read_shape_round_trips(read: PatientRead) -> None:
    assert _round_trip(read) == read
    for part in _parts(read):
        assert _round_trip(part) == part, part


def test_decimals_keep_their_digits() -> None:
    back = from_jsonable(PatientRead, json.loads(to_json(rich_read()) or ""))
    lengths = [
        str(m.long_axis_mm)
        for m in back.timepoints[0].timepoint.targets.values()
        if m.long_axis_mm is not None
    ]
    assert lengths == ["42.0", "25.3", "24.1", "12.50", "1E+1"]
    fragments = back.timepoints[1].timepoint.targets[lesions()[3].id].fragments_mm
    assert fragments == (Decimal("6.0"), Decimal("4.5"))
    assert [str(f) for f in fragments] == ["6.0", "4.5"]


def test_a_float_end_point_comes_back_bit_for_bit() -> None:
    line = caliper(CaliperKind.LONG_AXIS, 12.5, z=0.1 + 0.2)
    back = from_jsonable(Caliper, json.loads(to_json(line) or ""))
    assert back.start_mm[2] == 0.1 + 0.2
    assert isinstance(back.start_mm, tuple)


def test_the_removed_lesion_record_round_trips() -> None:
    removed = RemovedLesion(
        lesions()[0],
        "2.25.100",
        3,
        {
            "tp-1": LesionAt(
                TargetMeasurement(long_axis_mm=Decimal("20.0")),
                (caliper(CaliperKind.LONG_AXIS, 20.0, frame=2),),
            ),
            "tp-2": LesionAt(),
        },
    )
    assert _round_trip(removed) == removed


def test_fields_left_out_take_their_defaults() -> None:
    # Entries written before a field existed (patient sex) decode with its default.
    assert from_jsonable(Patient, {"id": "P1", "name": None}) == Patient("P1")
    assert from_jsonable(TimePoint, {"label": "BL", "date": "2026-01-05"}) == (
        TimePoint("BL", dt.date(2026, 1, 5))
    )


def test_a_target_measurement_keeps_only_compared_fields() -> None:
    measurement = TargetMeasurement(long_axis_mm=Decimal("3"), lesion_id="T7")
    assert "lesion_id" not in jsonable(measurement)  # type: ignore[operator]
    assert _round_trip(measurement) == measurement


@pytest.mark.parametrize(
    ("cls", "data", "where"),
    [
        (Patient, {"id": 7}, "id: expected a string"),
        (Patient, {"name": "x"}, "id: Patient.id is missing"),
        (Patient, {"id": "P", "age": 3}, "Patient has no field 'age'"),
        (Patient, {"id": "P", "birth_date": "1951-02-30"}, "birth_date: '1951-02-30'"),
        (Patient, {"id": "P", "sex": "X"}, "not a valid Patient: patient P: sex"),
        (Lesion, {"id": "T1", "role": "boss"}, "role: 'boss' is not a Role"),
        (TargetMeasurement, {"long_axis_mm": 4.5}, "long_axis_mm: expected a decimal"),
        (TargetMeasurement, {"long_axis_mm": "big"}, "'big' is not a decimal number"),
        (TargetMeasurement, {"long_axis_mm": "-1"}, "must be a finite length"),
        (Caliper, {"kind": "long_axis", "start_mm": [1, 2]}, "start_mm: expected 3"),
        (Clinical, {"is_interrupted": 1}, "is_interrupted: expected true or false"),
        (Clinical, {"ecog": True}, "ecog: expected an integer"),
        (Clinical, {"fhsi8_items": "1234"}, "fhsi8_items: expected an array"),
        (Settings, {"criteria": []}, "not a valid Settings"),
        (Decision, [], "expected an object (Decision)"),
        (
            TimePointRecord,
            {
                "uid": "u",
                "timepoint": {"label": "BL", "date": "2026-01-05"},
                "calipers": {"T1": [{"kind": "ruler"}]},
            },
            "calipers.T1[0].kind: 'ruler' is not a CaliperKind",
        ),
        (NewLesion, {"id": "X1", "long_axis_mm": None, "is_node": None}, "is_node"),
    ],
)
def test_json_that_does_not_fit_is_refused_with_its_place(
    cls: type, data: object, where: str
) -> None:
    with pytest.raises(DecodeError) as info:
        from_jsonable(cls, data)
    assert where in str(info.value)


def test_a_read_with_a_changed_record_still_round_trips() -> None:
    read = small_read()
    record = dataclasses.replace(
        read.timepoints[1],
        calipers={T1: (caliper(CaliperKind.LONG_AXIS, 18.0),)},
        timepoint=dataclasses.replace(
            read.timepoints[1].timepoint,
            targets={T1: TargetMeasurement(long_axis_mm=Decimal("18.0"))},
        ),
    )
    read = dataclasses.replace(read, timepoints=(read.timepoints[0], record))
    assert _round_trip(read) == read
