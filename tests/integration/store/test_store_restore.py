"""Removals put back: from the audit trail (restore_deleted) or as an undo.

A removed patient, time point or lesion comes back exactly as it was, in one
transaction with one ``restore`` entry; what cannot come back is refused with a
RestoreRefusedError that names the item and says what to do, and nothing changes.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import N1, N2, T1, T3, T4, rich_read

from respond.criteria import Lesion, LesionId, PatientRead, Role
from respond.store import (
    PatientNotFoundError,
    RestoreRefusedError,
    SignedTimePointError,
    UnreadableReadError,
)
from respond.store._audit import to_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from respond.store import AuditEntry, SqliteStore

P = "P-RICH"


def unsigned(read: PatientRead) -> PatientRead:
    """The read with every time point unsigned (a signed one cannot be removed)."""
    records = tuple(
        dataclasses.replace(r, signed_by="", signed_at="") for r in read.timepoints
    )
    return dataclasses.replace(read, timepoints=records)


@pytest.fixture
def rich(store: SqliteStore) -> SqliteStore:
    store.create_patient(unsigned(rich_read()), who="importer")
    return store


def _last(store: SqliteStore) -> AuditEntry:
    return store.audit()[-1]


def _refused(store: SqliteStore, audit_id: int, cause: str) -> RestoreRefusedError:
    before = store.audit()
    reads = {s.patient_id: store.load(s.patient_id) for s in store.list_patients()}
    with pytest.raises(RestoreRefusedError) as info:
        store.restore_deleted(audit_id, who="dr-b")
    assert info.value.cause == cause
    assert "nothing was changed" in str(info.value)
    assert store.audit() == before
    assert {s.patient_id: store.load(s.patient_id) for s in store.list_patients()} == (
        reads
    )
    return info.value


# -- what deleted() lists ------------------------------------------------------------
def test_deleted_lists_removals_newest_first(rich: SqliteStore) -> None:
    rich.delete_new_lesion(P, "tp-fu2", "X3", who="dr")
    rich.put_target(P, "tp-fu2", T4, None, [], who="dr")
    rich.delete_lesion(P, N2, who="dr")
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    rich.create_patient(unsigned(rich_read("P-OTHER")), who="importer")
    rich.delete_patient("P-OTHER", who="dr")
    listed = rich.deleted()
    assert [(e.patient_id, e.entity, e.key) for e in listed] == [
        ("P-OTHER", "patient", "P-OTHER"),
        (P, "timepoint", "tp-fu2"),
        (P, "lesion", "N2"),
    ]
    assert [e.key for e in rich.deleted(P)] == ["tp-fu2", "N2"]
    assert rich.deleted("P-NONE") == []


def test_an_item_restored_and_removed_again_is_listed_once(rich: SqliteStore) -> None:
    rich.delete_lesion(P, N2, who="dr")
    first = _last(rich).id
    rich.restore_deleted(first, who="dr")
    rich.delete_lesion(P, N2, who="dr")
    second = _last(rich).id
    assert [e.id for e in rich.deleted(P)] == [second]
    rich.restore_deleted(second, who="dr")
    assert rich.deleted(P) == []


# -- restoring each kind -------------------------------------------------------------
def test_a_removed_patient_comes_back_exactly(rich: SqliteStore) -> None:
    read = rich.load(P)
    rich.delete_patient(P, who="dr")
    removal = _last(rich)
    assert rich.restore_deleted(removal.id, who="dr-b") == f"patient {P}"
    assert rich.load(P) == read
    entry = _last(rich)
    assert (entry.entity, entry.key, entry.action, entry.who) == (
        "patient",
        P,
        "restore",
        "dr-b",
    )
    assert entry.before is None
    assert json.loads(entry.after or "")["patient"]["sex"] == "F"
    assert rich.deleted() == []
    assert [s.patient_id for s in rich.list_patients()] == [P]


def test_a_removed_time_point_comes_back_with_its_calipers(rich: SqliteStore) -> None:
    record = rich.load(P).timepoint("tp-fu1")
    assert record is not None
    assert record.calipers
    assert record.decision is not None
    rich.delete_timepoint(P, "tp-fu1", who="dr")
    told = rich.restore_deleted(_last(rich).id, who="dr")
    assert told == f"time point FU1 (2026-03-02) of {P}"
    assert rich.load(P).timepoint("tp-fu1") == record
    assert rich.load(P) == unsigned(rich_read())
    assert (_last(rich).entity, _last(rich).action) == ("timepoint", "restore")


def test_a_removed_lesion_comes_back_everywhere(rich: SqliteStore) -> None:
    read = rich.load(P)
    rich.delete_lesion(P, T3, who="dr")
    rich.delete_lesion(P, N1, who="dr")
    # Newest first, as an undo would: each comes back at the place it left.
    assert rich.restore_deleted(rich.deleted(P)[0].id, who="dr") == f"lesion N1 of {P}"
    assert rich.restore_deleted(rich.deleted(P)[0].id, who="dr") == f"lesion T3 of {P}"
    assert rich.load(P) == read
    after = json.loads(_last(rich).after or "")
    assert after["lesion"]["id"] == "T3"
    assert after["position"] == 2
    assert set(after["timepoints"]) == {"tp-bl", "tp-fu1", "tp-fu2"}


def test_a_lesion_comes_back_at_the_time_points_that_remain(rich: SqliteStore) -> None:
    rich.delete_lesion(P, T1, who="dr")
    removal = _last(rich).id
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    rich.restore_deleted(removal, who="dr")
    read = rich.load(P)
    want = unsigned(rich_read())
    assert read.lesions == want.lesions
    assert read.tracking_uids == want.tracking_uids
    assert read.timepoints == want.timepoints[:2]
    after = json.loads(_last(rich).after or "")
    assert set(after["timepoints"]) == {"tp-bl", "tp-fu1"}


def test_a_signed_patient_in_the_trail_comes_back_signed(rich: SqliteStore) -> None:
    # delete_patient refuses signed time points; an entry holding them (written
    # by another path) must still restore their sign-off as it was.
    read = rich_read("P-SIGNED")
    conn = sqlite3.connect(rich.path, isolation_level=None)
    try:
        conn.execute(
            "INSERT INTO audit (at, who, patient_id, entity, key, action, before) "
            "VALUES ('2026-11-24T09:00:00.000+00:00', 'dr', 'P-SIGNED', 'patient', "
            "'P-SIGNED', 'delete', ?)",
            (to_json(read),),
        )
    finally:
        conn.close()
    assert rich.restore_deleted(_last(rich).id, who="dr") == "patient P-SIGNED"
    assert rich.load("P-SIGNED") == read
    with pytest.raises(SignedTimePointError):
        rich.delete_timepoint("P-SIGNED", "tp-bl", who="dr")


# -- refusals ------------------------------------------------------------------------
def test_an_unknown_entry_is_refused(rich: SqliteStore) -> None:
    error = _refused(rich, 999, "unknown_entry")
    assert "audit entry 999" in str(error)


@pytest.mark.parametrize(
    "make",
    [
        lambda s: s.put_settings(P, s.load(P).settings, "dr-x", who="dr"),
        lambda s: s.delete_new_lesion(P, "tp-fu2", "X3", who="dr"),
        lambda s: s.record_confirmation(P, "k", "did it", {}, who="dr"),
    ],
)
def test_an_entry_that_is_not_a_removal_is_refused(
    rich: SqliteStore, make: Callable[[SqliteStore], None]
) -> None:
    make(rich)
    error = _refused(rich, _last(rich).id, "not_a_removal")
    assert "list of removed items" in str(error)


def test_a_restored_removal_is_refused_the_second_time(rich: SqliteStore) -> None:
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    removal = _last(rich).id
    rich.restore_deleted(removal, who="dr")
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    error = _refused(rich, removal, "already_restored")
    assert "time point FU2 (2026-04-27)" in str(error)
    assert "restore that newer removal" in str(error)


def test_a_patient_whose_id_is_taken_again_is_refused(rich: SqliteStore) -> None:
    rich.delete_patient(P, who="dr")
    removal = _last(rich).id
    rich.create_patient(unsigned(rich_read()), who="importer")
    error = _refused(rich, removal, "exists")
    assert f"cannot restore patient {P}" in str(error)
    assert "remove it first" in str(error)


def test_a_time_point_put_back_by_an_undo_counts_as_restored(
    rich: SqliteStore,
) -> None:
    record = rich.load(P).timepoints[2]
    rich.delete_timepoint(P, record.uid, who="dr")
    removal = _last(rich).id
    rich.put_timepoint(P, record, who="dr")  # the app's undo of the removal
    assert all(e.id != removal for e in rich.deleted(P))
    assert _last(rich).action == "restore"
    _refused(rich, removal, "already_restored")


def test_a_time_point_whose_date_or_study_is_taken_again_is_refused(
    rich: SqliteStore,
) -> None:
    record = rich.load(P).timepoints[2]
    rich.delete_timepoint(P, record.uid, who="dr")
    removal = _last(rich).id
    again = dataclasses.replace(record, uid="tp-again")
    rich.put_timepoint(P, again, who="dr")  # the same study added anew
    error = _refused(rich, removal, "exists")
    assert "FU2 (2026-04-27)" in str(error)
    assert "same date, study or label" in str(error)


def test_a_lesion_whose_id_is_taken_again_is_refused(rich: SqliteStore) -> None:
    rich.delete_lesion(P, N2, who="dr")
    removal = _last(rich).id
    rich.put_lesion(P, Lesion(N2, Role.NON_TARGET, "bone"), "", 9, who="dr")
    # Putting the id back (the app's undo) restores the removal.
    assert all(e.id != removal for e in rich.deleted(P))
    _refused(rich, removal, "already_restored")


def test_a_time_point_of_a_removed_patient_is_refused(rich: SqliteStore) -> None:
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    tp_removal = _last(rich).id
    rich.delete_lesion(P, N2, who="dr")
    lesion_removal = _last(rich).id
    rich.delete_patient(P, who="dr")
    for removal in (tp_removal, lesion_removal):
        error = _refused(rich, removal, "patient_gone")
        assert "restore the patient first" in str(error)


def test_a_time_point_recording_a_removed_lesion_is_refused(rich: SqliteStore) -> None:
    rich.delete_timepoint(P, "tp-fu2", who="dr")
    removal = _last(rich).id
    rich.delete_lesion(P, T4, who="dr")
    error = _refused(rich, removal, "lesion_gone")
    assert "lesion T4" in str(error)
    assert "restore the lesion first" in str(error)


def test_a_lesion_recorded_at_a_time_point_signed_since_is_refused(
    rich: SqliteStore,
) -> None:
    rich.delete_lesion(P, T1, who="dr")
    removal = _last(rich).id
    rich.sign(P, "tp-bl", who="dr-a", at="2026-01-06T09:15:00+00:00")
    before = rich.load(P)
    with pytest.raises(SignedTimePointError, match="time point BL is signed"):
        rich.restore_deleted(removal, who="dr")
    assert rich.load(P) == before
    assert [e.id for e in rich.deleted(P)] == [removal]


# -- restore_lesion: the undo of a lesion removal --------------------------------------
def test_restore_lesion_undoes_a_removal_in_one_entry(rich: SqliteStore) -> None:
    read = rich.load(P)
    lesion = read.lesion(T1)
    assert lesion is not None
    rich.delete_lesion(P, T1, who="dr")
    entries = len(rich.audit())
    rich.restore_lesion(P, lesion, read.tracking_uids[T1], 0, read.timepoints, who="dr")
    assert rich.load(P) == read
    assert len(rich.audit()) == entries + 1
    entry = _last(rich)
    assert (entry.entity, entry.key, entry.action) == ("lesion", "T1", "restore")
    assert rich.deleted(P) == []


def test_restore_lesion_skips_time_points_removed_since(rich: SqliteStore) -> None:
    read = rich.load(P)
    lesion = read.lesion(T3)
    assert lesion is not None
    rich.delete_lesion(P, T3, who="dr")
    rich.delete_timepoint(P, "tp-fu1", who="dr")
    rich.restore_lesion(P, lesion, "", 2, read.timepoints, who="dr")
    restored = rich.load(P)
    assert [les.id for les in restored.lesions] == [les.id for les in read.lesions]
    assert T3 not in restored.tracking_uids
    assert restored.timepoints[0] == read.timepoints[0]
    assert restored.timepoints[1] == read.timepoints[2]


def test_restore_lesion_is_refused_while_the_lesion_exists(rich: SqliteStore) -> None:
    read = rich.load(P)
    lesion = read.lesion(T1)
    assert lesion is not None
    with pytest.raises(RestoreRefusedError, match="has a lesion T1 again") as info:
        rich.restore_lesion(P, lesion, "", 0, read.timepoints, who="dr")
    assert info.value.cause == "exists"


def test_restore_lesion_writes_nothing_when_refused(rich: SqliteStore) -> None:
    read = rich.load(P)
    rich.delete_lesion(P, T1, who="dr")
    rich.sign(P, "tp-fu1", who="dr-a", at="2026-03-03T10:00:00+00:00")
    before, entries = rich.load(P), len(rich.audit())
    lesion = read.lesion(T1)
    assert lesion is not None
    with pytest.raises(SignedTimePointError, match="time point FU1"):
        rich.restore_lesion(P, lesion, "", 0, read.timepoints, who="dr")
    assert rich.load(P) == before
    assert len(rich.audit()) == entries


def test_restore_lesion_needs_the_patient(rich: SqliteStore) -> None:
    lesion = Lesion(LesionId("T9"), Role.TARGET)
    with pytest.raises(RestoreRefusedError) as info:
        rich.restore_lesion("P-NONE", lesion, "", 0, (), who="dr")
    assert info.value.cause == "patient_gone"
    assert not isinstance(info.value, PatientNotFoundError)


def test_an_entry_this_respond_cannot_read_is_reported(rich: SqliteStore) -> None:
    conn = sqlite3.connect(rich.path, isolation_level=None)
    try:
        conn.execute(
            "INSERT INTO audit (at, who, patient_id, entity, key, action, before) "
            "VALUES ('2026-11-24T09:00:00.000+00:00', 'dr', ?, 'lesion', 'T9', "
            "'delete', ?)",
            (P, json.dumps({"lesion": {"id": "T9", "role": "boss"}})),
        )
    finally:
        conn.close()
    with pytest.raises(
        UnreadableReadError, match=r"lesion\.role: 'boss' is not a Role"
    ):
        rich.restore_deleted(_last(rich).id, who="dr")
