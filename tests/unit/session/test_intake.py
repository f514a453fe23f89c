"""Studies become patients and time points: refusals, confirmations, warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from tests.unit.session.memory_store import MemoryStore

from respond.criteria import Criterion, Patient, PatientRead, Settings
from respond.criteria.imaging import SeriesFacts, StudyFacts
from respond.session import ConfirmationNeededError, ReadSession, StudyRefusedError
from respond.session.intake import (
    check_study,
    choose_series,
    create_patient,
    display_name,
    parse_dicom_date,
    patient_from_study,
    relabelled,
)

ARTERIAL = SeriesFacts("1.2.3.1", 3, "ART LIVER", "CT", "late_arterial", True, 120, 2.5)
VENOUS = SeriesFacts("1.2.3.2", 4, "PV LIVER", "CT", "portal_venous", False, 150, 2.5)


def study(uid: str, date: str, **changes: object) -> StudyFacts:
    facts = StudyFacts(
        patient_id="HCC-7",
        patient_name="DOE^JANE^M",
        birth_date="19500102",
        sex="F",
        study_uid=uid,
        date=date,
        description="CT ABDOMEN",
        series=(
            dataclasses.replace(ARTERIAL, series_uid=f"{uid}.1"),
            dataclasses.replace(VENOUS, series_uid=f"{uid}.2"),
        ),
    )
    return dataclasses.replace(facts, **changes)  # type: ignore[arg-type]


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def session(store: MemoryStore) -> ReadSession:
    create_patient(store, study("1.9.1", "20260105"), who="dr-a")
    store.calls.clear()
    return ReadSession(store, "HCC-7", reader="dr-a")


def test_dates_and_names_from_headers() -> None:
    assert parse_dicom_date("20260105") == dt.date(2026, 1, 5)
    assert parse_dicom_date("2026-01-05") is None
    assert parse_dicom_date("20261305") is None
    assert parse_dicom_date("") is None
    assert display_name("DOE^JANE^M") == "DOE, JANE M"
    assert display_name("DOE^JANE^^DR") == "DR DOE, JANE"
    assert display_name("Yamada^Tarou=山田^太郎") == "Yamada, Tarou"
    assert display_name("^^") is None


def test_a_new_patient_takes_the_headers_and_the_arterial_series() -> None:
    read = patient_from_study(study("1.9.1", "20260105"))
    assert read.patient.id == "HCC-7"
    assert read.patient.name == "DOE, JANE M"
    assert read.patient.birth_date == dt.date(1950, 1, 2)
    (baseline,) = read.timepoints
    assert baseline.label == "BL"
    assert baseline.date == dt.date(2026, 1, 5)
    assert baseline.study_uid == "1.9.1"
    assert baseline.series_uid == "1.9.1.1"  # arterial: mRECIST is primary
    assert baseline.timepoint.arterial_phase


def test_recist_primary_reads_on_the_largest_series() -> None:
    facts = study("1.9.1", "20260105")
    assert choose_series(facts, Criterion.RECIST11).series_uid == "1.9.1.2"  # type: ignore[union-attr]
    assert choose_series(facts, series_uid="1.9.1.2").series_uid == "1.9.1.2"  # type: ignore[union-attr]
    assert choose_series(facts, series_uid="nope") is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"patient_id": " "}, "no PatientID"),
        ({"date": ""}, "no usable StudyDate"),
        ({"series": ()}, "has no image series"),
    ],
)
def test_a_study_that_cannot_start_a_patient_says_why(
    changes: dict[str, object], words: str
) -> None:
    with pytest.raises(StudyRefusedError, match=words):
        patient_from_study(
            dataclasses.replace(study("1.9.1", "20260105"), **changes)  # type: ignore[arg-type]
        )


def test_the_same_patient_is_not_created_twice(store: MemoryStore) -> None:
    create_patient(store, study("1.9.1", "20260105"), who="dr-a")
    with pytest.raises(StudyRefusedError, match="HCC-7 already exists; open it"):
        create_patient(store, study("1.9.2", "20260302"), who="dr-a")


def test_a_follow_up_is_added_after_the_baseline(
    session: ReadSession, store: MemoryStore
) -> None:
    uid = session.add_study(study("1.9.2", "20260302"))
    record = session.timepoint(uid)
    assert (record.label, record.date) == ("FU1", dt.date(2026, 3, 2))
    assert record.study_uid == "1.9.2"
    assert store.names() == ["put_timepoints"]


def test_another_patients_study_needs_a_confirmation_naming_both_ids(
    session: ReadSession, store: MemoryStore
) -> None:
    other = study("1.9.2", "20260302", patient_id="XYZ-1")
    with pytest.raises(ConfirmationNeededError) as caught:
        session.add_study(other)
    assert "'XYZ-1'" in str(caught.value)
    assert "'HCC-7'" in str(caught.value)
    assert len(session.read.timepoints) == 1
    assert store.calls == []
    session.add_study(other, confirm_id_mismatch=True)
    assert len(session.read.timepoints) == 2
    # The confirmation is audited in the transaction that adds the time point.
    (put,) = [c for c in store.calls if c[0] == "put_timepoints"]
    ((key, what, details),) = put[-1]["confirmations"]
    assert key == session.read.timepoints[1].uid
    assert what == "patient id mismatch accepted"
    assert details["study_patient_id"] == "XYZ-1"


def test_name_and_birth_date_differences_are_warnings(session: ReadSession) -> None:
    check = session.check_study(
        study("1.9.2", "20260302", patient_name="DOE^JOAN", birth_date="19500103")
    )
    assert not check.refusal
    assert not check.confirmations
    assert len(check.warnings) == 2
    assert "DOE, JOAN" in check.warnings[0]
    assert "1950-01-03" in check.warnings[1]


def test_the_same_study_or_date_is_refused(session: ReadSession) -> None:
    with pytest.raises(StudyRefusedError, match="already time point BL"):
        session.add_study(study("1.9.1", "20260105"))
    with pytest.raises(StudyRefusedError, match="one time point per date"):
        session.add_study(study("1.9.9", "20260105"))


def test_an_earlier_study_becomes_the_baseline_only_when_confirmed(
    session: ReadSession, store: MemoryStore
) -> None:
    session.add_study(study("1.9.2", "20260302"))
    store.calls.clear()
    earlier = study("1.9.0", "20251201")
    with pytest.raises(ConfirmationNeededError, match="new baseline"):
        session.add_study(earlier)
    uid = session.add_study(earlier, confirm_new_baseline=True)
    labels = [(tp.label, tp.date.isoformat()) for tp in session.read.timepoints]
    assert labels == [
        ("BL", "2025-12-01"),
        ("FU1", "2026-01-05"),
        ("FU2", "2026-03-02"),
    ]
    assert session.read.timepoints[0].uid == uid
    put = next(c for c in store.calls if c[0] == "put_timepoints")
    assert len(put[2]) == 3  # the new one and the two relabelled, one transaction
    assert [what for _, what, _ in put[-1]["confirmations"]] == ["new baseline"]


def test_a_new_baseline_is_refused_while_a_time_point_is_signed(
    session: ReadSession,
) -> None:
    session.sign(session.read.timepoints[0].uid)
    with pytest.raises(StudyRefusedError, match="signed time point"):
        session.add_study(study("1.9.0", "20251201"), confirm_new_baseline=True)


def test_a_study_before_a_signed_follow_up_is_refused(session: ReadSession) -> None:
    session.add_study(study("1.9.3", "20260601"))
    session.sign(session.read.timepoints[1].uid)
    with pytest.raises(StudyRefusedError, match="before signed time point"):
        session.add_study(study("1.9.2", "20260302"))
    session.add_study(study("1.9.4", "20260901"))  # after it: fine
    assert [tp.label for tp in session.read.timepoints] == ["BL", "FU1", "FU2"]


def test_a_study_between_follow_ups_relabels_respond_labels_only(
    store: MemoryStore,
) -> None:
    read = patient_from_study(study("1.9.1", "20260105"))
    store.create_patient(read, who="t")
    session = ReadSession(store, "HCC-7", reader="dr-a")
    session.add_study(study("1.9.3", "20260601"), label="Week 20")
    session.add_study(study("1.9.4", "20260901"))
    session.add_study(study("1.9.2", "20260302"))
    labels = [tp.label for tp in session.read.timepoints]
    assert labels == ["BL", "FU1", "Week 20", "FU3"]


def test_relabelling_follows_dates() -> None:
    read = patient_from_study(study("1.9.1", "20260105"))
    (base,) = read.timepoints
    later = dataclasses.replace(
        base,
        uid="x",
        timepoint=dataclasses.replace(base.timepoint, label="FU1"),
    )
    earlier = dataclasses.replace(
        base,
        uid="y",
        timepoint=dataclasses.replace(
            base.timepoint, label="FU0", date=dt.date(2025, 1, 1)
        ),
    )
    changed = {r.uid: r.label for r in relabelled((base, later, earlier))}
    assert changed == {"y": "BL", base.uid: "FU1", "x": "FU2"}


def test_check_without_a_date_asks_for_one() -> None:
    read = PatientRead(Patient("HCC-7"), settings=Settings())
    check = check_study(read, study("1.9.1", ""))
    assert "give the imaging date" in check.refusal
    dated = check_study(read, study("1.9.1", ""), date=dt.date(2026, 1, 5))
    assert dated.date == dt.date(2026, 1, 5)
    assert not dated.refusal
