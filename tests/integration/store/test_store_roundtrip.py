"""A read stored and loaded back is equal, Decimal for Decimal, in a stable order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.store.readbuild import T1, T4, T5, rich_read, small_read

from respond.casefile import CaseFormatError
from respond.criteria import (
    LesionId,
    NewLesion,
    Patient,
    PatientRead,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
    assess,
)
from respond.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from respond.store import SqliteStore


def test_rich_read_round_trips_equal(store: SqliteStore) -> None:
    read = rich_read()
    store.create_patient(read, who="importer")
    assert store.load(read.patient.id) == read


def test_round_trip_survives_closing_and_reopening(db_path: Path) -> None:
    read = rich_read()
    with open_store(db_path) as first:
        first.create_patient(read, who="importer")
    with open_store(db_path) as second:
        assert second.load(read.patient.id) == read


def test_loaded_read_assesses_the_same(store: SqliteStore) -> None:
    read = rich_read()
    store.create_patient(read, who="importer")
    assert assess(store.load(read.patient.id).to_case()) == assess(read.to_case())


def _target(record: TimePointRecord, lesion_id: LesionId) -> TargetMeasurement:
    measurement = record.target(lesion_id)
    assert measurement is not None, f"{lesion_id} not measured at {record.label}"
    return measurement


def test_decimals_come_back_with_the_same_digits(store: SqliteStore) -> None:
    store.create_patient(rich_read(), who="importer")
    baseline, fu1, _ = store.load("P-RICH").timepoints
    assert str(_target(baseline, T4).long_axis_mm) == "12.50"
    assert str(_target(baseline, T5).long_axis_mm) == "1E+1"
    assert str(baseline.timepoint.slice_thickness_mm) == "2.50"
    assert [str(f) for f in _target(fu1, T4).fragments_mm] == ["6.0", "4.5"]


def test_lengths_are_stored_as_text_never_real(store: SqliteStore) -> None:
    store.create_patient(rich_read(), who="importer")
    conn = sqlite3.connect(store.path)
    try:
        types = {
            row[0]
            for column in ("long_axis_mm", "short_axis_mm", "viable_mm")
            for row in conn.execute(f"SELECT DISTINCT typeof({column}) FROM target")
        }
    finally:
        conn.close()
    assert types == {"text", "null"}


def test_caliper_end_points_keep_every_bit(store: SqliteStore) -> None:
    store.create_patient(rich_read(), who="importer")
    baseline = store.load("P-RICH").timepoints[0]
    (caliper,) = baseline.calipers[T4]
    assert caliper.start_mm[2] == 0.1 + 0.2
    assert caliper.end_mm[0] == 10.125 + 12.5


def test_time_points_come_back_in_date_order(store: SqliteStore) -> None:
    read = rich_read()
    shuffled = dataclasses.replace(read, timepoints=read.timepoints[::-1])
    store.create_patient(shuffled, who="importer")
    assert [tp.label for tp in store.load("P-RICH").timepoints] == ["BL", "FU1", "FU2"]


def test_new_findings_keep_insertion_order(small: SqliteStore) -> None:
    for finding_id in ("X9", "X1", "X5"):
        small.put_new_lesion(
            "P-SMALL", "tp-2", NewLesion(finding_id, organ="liver"), "", who="dr"
        )
    small.put_new_lesion("P-SMALL", "tp-2", NewLesion("X1", organ="lung"), "", who="dr")
    findings = small.load("P-SMALL").timepoints[1].timepoint.new_lesions
    assert [(f.id, f.organ) for f in findings] == [
        ("X9", "liver"),
        ("X1", "lung"),
        ("X5", "liver"),
    ]


def test_lesions_keep_their_order(store: SqliteStore) -> None:
    read = rich_read()
    store.create_patient(read, who="importer")
    assert [les.id for les in store.load("P-RICH").lesions] == [
        les.id for les in read.lesions
    ]


def test_a_patient_with_nothing_recorded_round_trips(store: SqliteStore) -> None:
    read = PatientRead(Patient("P-EMPTY"))
    store.create_patient(read, who="importer")
    assert store.load("P-EMPTY") == read


def test_a_time_point_without_clinical_data_round_trips(store: SqliteStore) -> None:
    record = TimePointRecord("u", TimePoint("BL", dt.date(2026, 1, 1)))
    read = PatientRead(Patient("P-TP"), timepoints=(record,))
    store.create_patient(read, who="importer")
    assert store.load("P-TP") == read


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    length=st.decimals(
        min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False
    )
)
def test_any_length_round_trips_exactly(small: SqliteStore, length: Decimal) -> None:
    measurement = TargetMeasurement(long_axis_mm=length, fragments_mm=(length,))
    small.put_target("P-SMALL", "tp-2", LesionId(T1), measurement, (), who="dr")
    stored = small.load("P-SMALL").timepoints[1].target(T1)
    assert stored is not None
    assert str(stored.long_axis_mm) == str(length)
    assert str(stored.fragments_mm[0]) == str(length)


@pytest.mark.parametrize("length", ["1000.1", "1e1000", "1E-99999"])
def test_a_length_a_case_file_could_not_hold_is_never_stored(
    small: SqliteStore, length: str
) -> None:
    before = small.load("P-SMALL")
    measurement = TargetMeasurement(long_axis_mm=Decimal(length))
    with pytest.raises(CaseFormatError, match="long_axis_mm"):
        small.put_target("P-SMALL", "tp-2", LesionId(T1), measurement, (), who="dr")
    assert small.load("P-SMALL") == before


def test_small_read_round_trips(small: SqliteStore) -> None:
    read = small.load("P-SMALL")
    assert read == small_read()
    assert _target(read.timepoints[0], T1).long_axis_mm == Decimal("20.0")
