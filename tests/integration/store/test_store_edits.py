"""Every store method: what it writes, what it refuses; a refusal saves nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import (
    BASE,
    N1,
    T1,
    caliper,
    rich_read,
    small_read,
)

from respond.criteria import (
    Action,
    AdverseEvent,
    CaliperKind,
    Clinical,
    Criterion,
    Cytology,
    Decision,
    Lesion,
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
from respond.store import (
    DatabaseWriteError,
    InvalidReadError,
    LesionNotFoundError,
    NewLesionNotFoundError,
    PatientExistsError,
    PatientNotFoundError,
    SignedTimePointError,
    TimePointNotFoundError,
    UnreadableReadError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from respond.store import SqliteStore

P = "P-SMALL"
T2, N2 = LesionId("T2"), LesionId("N2")


# -- patients ------------------------------------------------------------------
def test_list_patients_by_id_with_time_points_by_date(store: SqliteStore) -> None:
    store.create_patient(small_read("P-2"), who="importer")
    store.create_patient(rich_read("P-1"), who="importer")
    summaries = store.list_patients()
    assert [s.patient_id for s in summaries] == ["P-1", "P-2"]
    assert summaries[0].name == "Testperson^Rich"
    assert summaries[0].timepoints == (
        ("BL", "2026-01-05"),
        ("FU1", "2026-03-02"),
        ("FU2", "2026-04-27"),
    )
    assert summaries[1].timepoints == (("BL", "2026-01-05"), ("FU1", "2026-02-16"))


def test_an_edit_moves_updated_at(small: SqliteStore) -> None:
    (before,) = small.list_patients()
    small.put_clinical(P, "tp-1", Clinical(ecog=1), who="dr")
    (after,) = small.list_patients()
    assert after.updated_at > before.updated_at


def test_create_patient_refuses_an_existing_id(small: SqliteStore) -> None:
    with pytest.raises(PatientExistsError, match="P-SMALL is already"):
        small.create_patient(small_read(), who="importer")
    assert len(small.audit(P)) == 1


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda r: dataclasses.replace(r, lesions=r.lesions + r.lesions[:1]),
            "lesion T1 is listed twice",
        ),
        (
            lambda r: dataclasses.replace(r, timepoints=r.timepoints * 2),
            "uid tp-1 is used twice",
        ),
        (
            lambda r: dataclasses.replace(
                r, tracking_uids={**r.tracking_uids, LesionId("T9"): "2.25.9"}
            ),
            "T9, which is not a lesion",
        ),
    ],
)
def test_create_patient_refuses_a_read_it_cannot_store(
    store: SqliteStore, change: Callable[[PatientRead], PatientRead], match: str
) -> None:
    read = change(small_read())
    with pytest.raises(InvalidReadError, match=match):
        store.create_patient(read, who="importer")
    assert store.list_patients() == []


def test_create_patient_refuses_a_measurement_of_an_unknown_lesion(
    store: SqliteStore,
) -> None:
    read = small_read()
    orphan = dataclasses.replace(
        read, lesions=read.lesions[1:], tracking_uids={N1: "2.25.2"}
    )
    with pytest.raises(LesionNotFoundError, match="no baseline lesion 'T1'"):
        store.create_patient(orphan, who="importer")
    assert store.list_patients() == []


def test_delete_patient_removes_every_row(small: SqliteStore) -> None:
    small.delete_patient(P, who="dr")
    assert small.list_patients() == []
    with pytest.raises(PatientNotFoundError, match="no patient 'P-SMALL'"):
        small.load(P)


def test_delete_patient_refuses_while_a_time_point_is_signed(
    small: SqliteStore,
) -> None:
    small.sign(P, "tp-2", who="dr", at="2026-02-20T10:00:00+00:00")
    with pytest.raises(SignedTimePointError, match="time point FU1 is signed"):
        small.delete_patient(P, who="dr")
    assert small.load(P).patient.id == P


def test_unknown_patient_is_named(store: SqliteStore) -> None:
    with pytest.raises(PatientNotFoundError) as info:
        store.put_clinical("P-NONE", "tp-1", Clinical(), who="dr")
    assert info.value.patient_id == "P-NONE"
    with pytest.raises(PatientNotFoundError):
        store.delete_patient("P-NONE", who="dr")
    with pytest.raises(PatientNotFoundError):
        store.put_settings("P-NONE", Settings(), None, who="dr")


def test_put_settings_replaces_settings_and_reader(small: SqliteStore) -> None:
    settings = Settings(
        criteria=(Criterion.RECIST11,),
        primary_criterion=Criterion.RECIST11,
        mrecist_pd_min_increase_mm=Decimal("5.00"),
    )
    small.put_settings(P, settings, "dr-b", who="dr-b")
    read = small.load(P)
    assert read.settings == settings
    assert str(read.settings.mrecist_pd_min_increase_mm) == "5.00"
    assert read.reader == "dr-b"


def test_an_edit_without_a_reader_is_refused(small: SqliteStore) -> None:
    with pytest.raises(ValueError, match="who must name the reader"):
        small.put_clinical(P, "tp-1", Clinical(), who=" ")


# -- lesions -------------------------------------------------------------------
def test_put_lesion_inserts_at_its_position(small: SqliteStore) -> None:
    small.put_lesion(P, Lesion(T2, Role.TARGET, "lung"), "2.25.3", 1, who="dr")
    small.put_lesion(P, Lesion(N2, Role.NON_TARGET, "bone"), "2.25.4", 99, who="dr")
    read = small.load(P)
    assert [les.id for les in read.lesions] == [T1, T2, N1, N2]
    assert read.tracking_uids[T2] == "2.25.3"


def test_put_lesion_updates_in_place_and_keeps_measurements(
    small: SqliteStore,
) -> None:
    changed = Lesion(T1, Role.TARGET, "liver", kind=LesionKind.HCC, note="segment 4")
    small.put_lesion(P, changed, "2.25.1", 0, who="dr")
    read = small.load(P)
    assert read.lesions[0] == changed
    assert read.timepoints[0].target(T1) is not None


def test_put_lesion_moves_a_lesion(small: SqliteStore) -> None:
    small.put_lesion(P, small_read().lesions[0], "2.25.1", 1, who="dr")
    assert [les.id for les in small.load(P).lesions] == [N1, T1]


def test_an_empty_tracking_uid_means_none(small: SqliteStore) -> None:
    small.put_lesion(P, Lesion(T2, Role.TARGET, "lung"), "", 2, who="dr")
    assert T2 not in small.load(P).tracking_uids


def test_delete_lesion_removes_it_everywhere(small: SqliteStore) -> None:
    small.put_target(
        P,
        "tp-2",
        T1,
        TargetMeasurement(long_axis_mm=Decimal("18.0")),
        [caliper(CaliperKind.LONG_AXIS, 18.0)],
        who="dr",
    )
    small.delete_lesion(P, T1, who="dr")
    read = small.load(P)
    assert [les.id for les in read.lesions] == [N1]
    assert T1 not in read.tracking_uids
    assert all(not tp.timepoint.targets and not tp.calipers for tp in read.timepoints)
    small.put_lesion(P, Lesion(T2, Role.TARGET, "lung"), "", 5, who="dr")
    assert [les.id for les in small.load(P).lesions] == [N1, T2]


def test_delete_lesion_refuses_when_a_signed_time_point_records_it(
    small: SqliteStore,
) -> None:
    small.sign(P, "tp-1", who="dr", at="2026-01-06T10:00:00+00:00")
    with pytest.raises(SignedTimePointError, match="time point BL is signed by dr"):
        small.delete_lesion(P, T1, who="dr")
    small.delete_lesion(P, N1, who="dr")
    assert [les.id for les in small.load(P).lesions] == [T1]


def test_put_lesion_refuses_a_lesion_a_signed_time_point_records(
    small: SqliteStore,
) -> None:
    small.sign(P, "tp-1", who="dr", at="2026-01-06T10:00:00+00:00")
    before = small.load(P)
    target = before.lesion(T1)
    assert target is not None
    with pytest.raises(SignedTimePointError, match="time point BL is signed by dr"):
        small.put_lesion(
            P, dataclasses.replace(target, role=Role.NON_TARGET), "", 0, who="dr"
        )
    assert small.load(P) == before
    # a lesion the signed time point does not record stays editable
    node = before.lesion(N1)
    assert node is not None
    small.put_lesion(
        P, dataclasses.replace(node, site="porta hepatis"), "", 1, who="dr"
    )
    changed = small.load(P).lesion(N1)
    assert changed is not None
    assert changed.site == "porta hepatis"


def test_create_patient_replace_is_one_transaction(
    small: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = small.load(P)
    with pytest.raises(PatientExistsError):
        small.create_patient(small_read(), who="importer")
    newer = dataclasses.replace(small_read(), reader="dr-new")
    from respond.store import _write

    def crash(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patched:
        patched.setattr(_write, "write_timepoint", crash)
        with pytest.raises(sqlite3.OperationalError):
            small.create_patient(newer, who="importer", replace=True)
    assert small.load(P) == before  # the failed replace lost nothing
    small.create_patient(newer, who="importer", replace=True)
    assert small.load(P).reader == "dr-new"
    actions = [(e.entity, e.action) for e in small.audit(P)][-2:]
    assert actions == [("patient", "delete"), ("patient", "create")]
    small.sign(P, "tp-1", who="dr", at="2026-01-06T10:00:00+00:00")
    with pytest.raises(SignedTimePointError):
        small.create_patient(small_read(), who="importer", replace=True)
    assert small.load(P).reader == "dr-new"


def test_delete_lesion_names_an_unknown_lesion(small: SqliteStore) -> None:
    with pytest.raises(LesionNotFoundError, match="no baseline lesion 'T7'"):
        small.delete_lesion(P, LesionId("T7"), who="dr")


# -- time points -----------------------------------------------------------------
def test_put_timepoint_adds_one(small: SqliteStore) -> None:
    record = TimePointRecord(
        "tp-3",
        TimePoint(
            "FU2",
            BASE + dt.timedelta(days=84),
            targets={T1: TargetMeasurement(TargetStatus.ABSENT)},
        ),
        study_uid="1.2.3",
    )
    small.put_timepoint(P, record, who="dr")
    assert small.load(P).timepoints[-1] == record


def test_put_timepoint_replaces_the_whole_time_point(small: SqliteStore) -> None:
    small.put_new_lesion(P, "tp-2", NewLesion("X1"), "2.25.9", who="dr")
    replaced = TimePointRecord(
        "tp-2",
        TimePoint(
            "FU1b",
            BASE + dt.timedelta(days=43),
            arterial_phase=True,
            non_targets={N1: NonTargetObservation(NonTargetStatus.ABSENT)},
        ),
        series_uid="1.2.4",
    )
    small.put_timepoint(P, replaced, who="dr")
    assert small.load(P).timepoints[1] == replaced


def test_put_timepoint_refuses_dangling_references(small: SqliteStore) -> None:
    record = TimePointRecord(
        "tp-3",
        TimePoint("FU2", BASE + dt.timedelta(days=84)),
        new_lesion_uids={"X4": "2.25.4"},
    )
    with pytest.raises(NewLesionNotFoundError, match="no new finding 'X4'"):
        small.put_timepoint(P, record, who="dr")
    unknown_lesion = TimePointRecord(
        "tp-3",
        TimePoint(
            "FU2",
            BASE + dt.timedelta(days=84),
            targets={LesionId("T8"): TargetMeasurement(TargetStatus.ABSENT)},
        ),
    )
    with pytest.raises(LesionNotFoundError, match="measured at time point FU2"):
        small.put_timepoint(P, unknown_lesion, who="dr")
    assert len(small.load(P).timepoints) == 2


def test_delete_timepoint(small: SqliteStore) -> None:
    small.delete_timepoint(P, "tp-2", who="dr")
    assert [tp.uid for tp in small.load(P).timepoints] == ["tp-1"]
    with pytest.raises(TimePointNotFoundError, match="no time point 'tp-2'"):
        small.delete_timepoint(P, "tp-2", who="dr")


# -- measurements ------------------------------------------------------------------
def test_put_target_sets_replaces_and_clears(small: SqliteStore) -> None:
    first = TargetMeasurement(long_axis_mm=Decimal("17.9"), viable_mm=Decimal("9.0"))
    calipers = [
        caliper(CaliperKind.VIABLE, 9.0, frame=2),
        caliper(CaliperKind.LONG_AXIS, 17.9, frame=2),
    ]
    small.put_target(P, "tp-2", T1, first, calipers, who="dr")
    stored = small.load(P).timepoints[1]
    assert stored.target(T1) == first
    assert stored.calipers[T1] == tuple(calipers)
    second = TargetMeasurement(TargetStatus.TOO_SMALL, note="faint")
    small.put_target(P, "tp-2", T1, second, [], who="dr")
    stored = small.load(P).timepoints[1]
    assert stored.target(T1) == second
    assert T1 not in stored.calipers
    small.put_target(P, "tp-2", T1, None, [], who="dr")
    assert small.load(P).timepoints[1].target(T1) is None


def test_put_target_names_what_is_missing(small: SqliteStore) -> None:
    measurement = TargetMeasurement(TargetStatus.ABSENT)
    with pytest.raises(TimePointNotFoundError) as info:
        small.put_target(P, "tp-9", T1, measurement, [], who="dr")
    assert info.value.uid == "tp-9"
    with pytest.raises(LesionNotFoundError) as lesion_info:
        small.put_target(P, "tp-2", LesionId("T9"), measurement, [], who="dr")
    assert lesion_info.value.lesion_id == "T9"


def test_a_refused_edit_saves_nothing(small: SqliteStore) -> None:
    bad = caliper(CaliperKind.LONG_AXIS, 10.0)
    bad = dataclasses.replace(bad, end_mm=(float("nan"), 0.0, 0.0))
    before = small.load(P)
    with pytest.raises(ValueError, match="caliper 0 of T1"):
        small.put_target(P, "tp-1", T1, TargetMeasurement(), [bad], who="dr")
    assert small.load(P) == before
    assert len(small.audit(P)) == 1


def test_put_non_target_sets_and_clears(small: SqliteStore) -> None:
    observation = NonTargetObservation(
        NonTargetStatus.UNEQUIVOCAL_PROGRESSION, Cytology.POSITIVE, "new thrombus"
    )
    small.put_non_target(P, "tp-2", N1, observation, who="dr")
    assert small.load(P).timepoints[1].non_target(N1) == observation
    small.put_non_target(P, "tp-2", N1, None, who="dr")
    assert small.load(P).timepoints[1].non_target(N1) is None
    with pytest.raises(LesionNotFoundError):
        small.put_non_target(P, "tp-2", N2, observation, who="dr")


def test_put_and_delete_new_lesion(small: SqliteStore) -> None:
    finding = NewLesion(
        "X1",
        organ="liver",
        kind=LesionKind.HCC,
        long_axis_mm=Decimal("11.0"),
        equivocal=True,
        typical_hcc=False,
        note="arterial blush",
    )
    small.put_new_lesion(P, "tp-2", finding, "2.25.77", who="dr")
    record = small.load(P).timepoints[1]
    assert record.timepoint.new_lesions == (finding,)
    assert record.new_lesion_uids == {"X1": "2.25.77"}
    small.delete_new_lesion(P, "tp-2", "X1", who="dr")
    record = small.load(P).timepoints[1]
    assert record.timepoint.new_lesions == ()
    assert record.new_lesion_uids == {}
    with pytest.raises(NewLesionNotFoundError, match="FU1: no new finding 'X1'"):
        small.delete_new_lesion(P, "tp-2", "X1", who="dr")


def test_put_clinical_replaces_it(small: SqliteStore) -> None:
    clinical = Clinical(
        fhsi8_items=(4, 4, 3, 2, 4, 4, 3, 1),
        ecog=1,
        child_pugh="B7",
        dose_level=None,
        is_interrupted=True,
        adverse_events=(AdverseEvent("diarrhoea", 3, 2, None),),
        second_line=SecondLine(available=False, eligible=True),
    )
    small.put_clinical(P, "tp-2", clinical, who="dr")
    assert small.load(P).timepoints[1].clinical == clinical
    small.put_clinical(P, "tp-2", Clinical(fhsi8=30), who="dr")
    assert small.load(P).timepoints[1].clinical == Clinical(fhsi8=30)


def test_put_decision_records_and_replaces_it(small: SqliteStore) -> None:
    decision = Decision(
        Action.CONTINUE, 0, True, Action.CONTINUE, 0, "", "dr-onc", "2026-02-17"
    )
    small.put_decision(P, "tp-2", decision, who="dr-onc")
    assert small.load(P).timepoints[1].decision == decision
    override = dataclasses.replace(
        decision, accepted=False, action=Action.REVIEW, reason="board"
    )
    small.put_decision(P, "tp-2", override, who="dr-onc")
    assert small.load(P).timepoints[1].decision == override


def test_edits_are_visible_to_another_connection(small: SqliteStore) -> None:
    from respond.store import open_store

    small.put_clinical(P, "tp-2", Clinical(ecog=3), who="dr")
    with open_store(small.path) as other:
        assert other.load(P).timepoints[1].clinical.ecog == 3


def test_create_patient_with_a_read_that_has_no_lesions(store: SqliteStore) -> None:
    read = PatientRead(Patient("P-X", birth_date=dt.date(1960, 5, 1)))
    store.create_patient(read, who="importer")
    assert store.load("P-X") == read


def test_a_stored_value_this_respond_cannot_read_is_reported_and_kept(
    small: SqliteStore,
) -> None:
    conn = sqlite3.connect(small.path)
    conn.execute("UPDATE target SET status = 'shrunk' WHERE uid = 'tp-1'")
    conn.commit()
    conn.close()
    with pytest.raises(UnreadableReadError) as info:
        small.load(P)
    assert info.value.patient_id == P
    assert "'shrunk'" in str(info.value)
    assert "kept unchanged" in str(info.value)
    conn = sqlite3.connect(small.path)
    assert conn.execute("SELECT status FROM target").fetchone()[0] == "shrunk"
    conn.close()


def test_a_full_disk_is_a_write_error_and_saves_nothing(small: SqliteStore) -> None:
    pages = small._conn.execute("PRAGMA page_count").fetchone()[0]
    small._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DatabaseWriteError) as info:
        small.create_patient(rich_read(), who="importer")
    assert info.value.path == small.path
    assert "your change was not saved" in str(info.value)
    assert [s.patient_id for s in small.list_patients()] == [P]
    small._conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    small.create_patient(rich_read(), who="importer")
    assert len(small.list_patients()) == 2


def test_put_timepoint_refuses_a_record_that_comes_signed(small: SqliteStore) -> None:
    record = small.load(P).timepoints[0]
    signed = dataclasses.replace(record, signed_by="someone", signed_at="2026-01-06")
    with pytest.raises(InvalidReadError, match="comes signed"):
        small.put_timepoint(P, signed, who="dr")
    assert not small.load(P).timepoints[0].is_signed


def test_calipers_need_a_target_measurement(small: SqliteStore) -> None:
    record = small.load(P).timepoints[0]
    stray = dataclasses.replace(
        record,
        calipers={**record.calipers, N1: (caliper(CaliperKind.LONG_AXIS, 10.0),)},
    )
    with pytest.raises(InvalidReadError, match="calipers of N1"):
        small.put_timepoint(P, stray, who="dr")
    assert N1 not in small.load(P).timepoints[0].calipers
