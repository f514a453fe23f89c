"""Sign-off: a signed time point is read-only, whatever writes to the database.

The store refuses first, naming the time point; the schema's triggers refuse
too, so even raw SQL from another connection cannot change a signed time point.
Unlocking needs a reason and is audited; a revised category is added next to
the earlier read, which stays.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import N1, T1, caliper, rich_read

from respond.criteria import (
    Action,
    CaliperKind,
    Clinical,
    Decision,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    TargetMeasurement,
)
from respond.store import (
    SignedTimePointError,
    TimePointNotFoundError,
    TimePointNotSignedError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from respond.store import SqliteStore

P = "P-SMALL"
AT = "2026-01-06T10:00:00+00:00"

EDITS: dict[str, Callable[[SqliteStore], None]] = {
    "put_target": lambda s: s.put_target(
        P, "tp-1", T1, TargetMeasurement(long_axis_mm=Decimal("1.0")), [], who="x"
    ),
    "clear_target": lambda s: s.put_target(P, "tp-1", T1, None, [], who="x"),
    "put_non_target": lambda s: s.put_non_target(
        P, "tp-1", N1, NonTargetObservation(NonTargetStatus.ABSENT), who="x"
    ),
    "put_new_lesion": lambda s: s.put_new_lesion(
        P, "tp-1", NewLesion("X1"), "", who="x"
    ),
    "put_clinical": lambda s: s.put_clinical(P, "tp-1", Clinical(ecog=2), who="x"),
    "put_decision": lambda s: s.put_decision(
        P,
        "tp-1",
        Decision(Action.CONTINUE, 0, True, Action.CONTINUE, 0, "", "x", AT),
        who="x",
    ),
    "put_timepoint": lambda s: s.put_timepoint(
        P, dataclasses.replace(s.load(P).timepoints[0], signed_at=""), who="x"
    ),
    "delete_timepoint": lambda s: s.delete_timepoint(P, "tp-1", who="x"),
    "sign_again": lambda s: s.sign(P, "tp-1", who="x", at=AT),
}


@pytest.fixture
def signed(small: SqliteStore) -> SqliteStore:
    small.sign(P, "tp-1", who="dr-a", at=AT)
    return small


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_signed_time_point_refuses_every_edit(signed: SqliteStore, name: str) -> None:
    before = signed.load(P)
    entries = len(signed.audit(P))
    with pytest.raises(SignedTimePointError) as info:
        EDITS[name](signed)
    assert info.value.label == "BL"
    assert info.value.signed_by == "dr-a"
    assert "time point BL is signed by dr-a" in str(info.value)
    assert "Unlock it with a reason" in str(info.value)
    assert signed.load(P) == before
    assert len(signed.audit(P)) == entries


def test_sign_records_who_and_when(signed: SqliteStore) -> None:
    record = signed.load(P).timepoints[0]
    assert record.is_signed
    assert (record.signed_by, record.signed_at) == ("dr-a", AT)
    assert not signed.load(P).timepoints[1].is_signed


def test_the_other_time_points_stay_editable(signed: SqliteStore) -> None:
    signed.put_clinical(P, "tp-2", Clinical(ecog=1), who="dr")
    assert signed.load(P).timepoints[1].clinical.ecog == 1


def test_unlock_needs_a_reason_and_is_audited(signed: SqliteStore) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        signed.unlock(P, "tp-1", who="dr-b", reason="  ")
    signed.unlock(P, "tp-1", who="dr-b", reason="wrong series measured")
    assert not signed.load(P).timepoints[0].is_signed
    entry = signed.audit(P)[-1]
    assert (entry.entity, entry.key, entry.action, entry.who) == (
        "signoff",
        "tp-1",
        "unlock",
        "dr-b",
    )
    assert json.loads(entry.before or "") == {"signed_by": "dr-a", "signed_at": AT}
    assert json.loads(entry.after or "")["reason"] == "wrong series measured"
    EDITS["put_target"](signed)


def test_unlock_of_an_unsigned_time_point_is_refused(small: SqliteStore) -> None:
    with pytest.raises(TimePointNotSignedError, match="FU1 is not signed"):
        small.unlock(P, "tp-2", who="dr", reason="why not")
    with pytest.raises(TimePointNotFoundError):
        small.unlock(P, "tp-9", who="dr", reason="why not")


def test_a_signed_import_stays_signed(store: SqliteStore) -> None:
    store.create_patient(rich_read(), who="importer")
    with pytest.raises(SignedTimePointError, match="time point FU1 is signed"):
        store.put_clinical("P-RICH", "tp-fu1", Clinical(), who="dr")


# -- the triggers, bypassing the store --------------------------------------------
@pytest.fixture
def raw(signed: SqliteStore) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(signed.path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


RAW_SQL = {
    "update a measurement": "UPDATE target SET long_axis_mm = '9' WHERE uid = 'tp-1'",
    "delete a measurement": "DELETE FROM target WHERE uid = 'tp-1'",
    "insert a finding": "INSERT INTO new_lesion VALUES ('P-SMALL', 'tp-1', 'X9', 0, "
    "NULL, '', '', 'other', 0, NULL, NULL, 0, NULL, NULL, '')",
    "change the clinical status": "UPDATE clinical SET ecog = 4 WHERE uid = 'tp-1'",
    "relabel the time point": "UPDATE timepoint SET label = 'X' WHERE uid = 'tp-1'",
    "clear the signature unaudited": "UPDATE timepoint SET signed_at = '', "
    "signed_by = '' WHERE uid = 'tp-1'",
    "delete the time point": "DELETE FROM timepoint WHERE uid = 'tp-1'",
    "delete the lesion": "DELETE FROM lesion WHERE lesion_id = 'T1'",
    "delete the patient": "DELETE FROM patient",
}


@pytest.mark.parametrize("what", sorted(RAW_SQL))
def test_triggers_refuse_raw_changes_to_a_signed_time_point(
    signed: SqliteStore, raw: sqlite3.Connection, what: str
) -> None:
    before = signed.load(P)
    with pytest.raises(sqlite3.IntegrityError, match="respond: signed time point"):
        raw.execute(RAW_SQL[what])
    assert signed.load(P) == before


def test_triggers_refuse_calipers_on_a_signed_time_point(
    small: SqliteStore,
) -> None:
    lines = [caliper(CaliperKind.LONG_AXIS, 20.0)]
    small.put_target(
        P, "tp-1", T1, TargetMeasurement(long_axis_mm=Decimal("20.0")), lines, who="x"
    )
    small.sign(P, "tp-1", who="dr-a", at=AT)
    conn = sqlite3.connect(small.path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="signed time point"):
            conn.execute("DELETE FROM caliper")
        with pytest.raises(sqlite3.IntegrityError, match="signed time point"):
            conn.execute("UPDATE caliper SET start_x = 0")
    finally:
        conn.close()
    assert small.load(P).timepoints[0].calipers[T1] == tuple(lines)


# -- revisions -----------------------------------------------------------------
def test_a_revision_is_added_and_the_earlier_read_stays(signed: SqliteStore) -> None:
    before = signed.load(P)
    signed.record_revision(
        P, "tp-1", "mRECIST", "SD", "PD", "equivocal X1 confirmed at FU2", who="dr"
    )
    assert signed.load(P) == before
    (revision,) = signed.revisions(P)
    assert (revision.uid, revision.criterion, revision.before, revision.after) == (
        "tp-1",
        "mRECIST",
        "SD",
        "PD",
    )
    assert revision.reason == "equivocal X1 confirmed at FU2"
    assert revision.who == "dr"
    entry = signed.audit(P)[-1]
    assert (entry.entity, entry.key, entry.action) == (
        "revision",
        "tp-1/mRECIST",
        "revise",
    )
    assert json.loads(entry.before or "") == {"category": "SD"}
    assert json.loads(entry.after or "") == {
        "category": "PD",
        "reason": "equivocal X1 confirmed at FU2",
    }


def test_revisions_are_kept_in_order(small: SqliteStore) -> None:
    small.record_revision(P, "tp-1", "RECIST1.1", None, "PD", "first", who="dr")
    small.record_revision(P, "tp-2", "mRECIST", "PR", "PD", "second", who="dr")
    assert [r.reason for r in small.revisions(P)] == ["first", "second"]
    assert small.revisions(P)[0].before is None


def test_a_revision_is_never_changed(
    signed: SqliteStore, raw: sqlite3.Connection
) -> None:
    signed.record_revision(P, "tp-1", "mRECIST", "SD", "PD", "confirmed", who="dr")
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        raw.execute("UPDATE revision SET after = 'SD'")


def test_a_revision_needs_a_known_time_point(small: SqliteStore) -> None:
    with pytest.raises(TimePointNotFoundError):
        small.record_revision(P, "tp-9", "mRECIST", "SD", "PD", "x", who="dr")
