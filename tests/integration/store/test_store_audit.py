"""The audit trail: one entry per change, in order, append-only."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.store.readbuild import N1, T1, caliper, small_read

from respond.criteria import (
    CaliperKind,
    Clinical,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Role,
    Settings,
    TargetMeasurement,
)
from respond.store import PatientExistsError

if TYPE_CHECKING:
    from respond.store import SqliteStore

P = "P-SMALL"


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def test_every_change_appends_one_entry_in_order(small: SqliteStore) -> None:
    m = TargetMeasurement(long_axis_mm=Decimal("18.5"))
    small.put_settings(P, Settings(confirmation_required=True), "dr-a", who="dr-a")
    small.put_lesion(P, Lesion(LesionId("T2"), Role.TARGET), "2.25.3", 1, who="dr-a")
    small.put_target(P, "tp-2", T1, m, [caliper(CaliperKind.LONG_AXIS, 18.5)], who="b")
    small.put_non_target(
        P, "tp-2", N1, NonTargetObservation(NonTargetStatus.PRESENT), who="dr-a"
    )
    small.put_new_lesion(P, "tp-2", NewLesion("X1"), "2.25.5", who="dr-a")
    small.delete_new_lesion(P, "tp-2", "X1", who="dr-a")
    small.put_clinical(P, "tp-2", Clinical(ecog=1), who="dr-a")
    small.sign(P, "tp-2", who="dr-a", at="2026-02-17T09:00:00+00:00")
    small.unlock(P, "tp-2", who="dr-b", reason="typo")
    small.delete_lesion(P, LesionId("T2"), who="dr-a")
    small.delete_timepoint(P, "tp-2", who="dr-a")
    trail = small.audit(P)
    assert [(e.entity, e.key, e.action) for e in trail] == [
        ("patient", P, "create"),
        ("settings", P, "update"),
        ("lesion", "T2", "create"),
        ("target", "tp-2/T1", "create"),
        ("non_target", "tp-2/N1", "create"),
        ("new_lesion", "tp-2/X1", "create"),
        ("new_lesion", "tp-2/X1", "delete"),
        ("clinical", "tp-2", "update"),
        ("signoff", "tp-2", "sign"),
        ("signoff", "tp-2", "unlock"),
        ("lesion", "T2", "delete"),
        ("timepoint", "tp-2", "delete"),
    ]
    assert [e.id for e in trail] == sorted(e.id for e in trail)
    assert trail[3].who == "b"
    assert {e.patient_id for e in trail} == {P}


def test_entries_are_stamped_in_utc_iso_8601(small: SqliteStore) -> None:
    (entry,) = small.audit(P)
    stamp = dt.datetime.fromisoformat(entry.at)
    assert stamp.utcoffset() == dt.timedelta(0)
    assert entry.at == "2026-11-24T08:00:01.000+00:00"


def test_before_and_after_hold_the_item_as_json(small: SqliteStore) -> None:
    first = TargetMeasurement(long_axis_mm=Decimal("18.50"))
    small.put_target(P, "tp-2", T1, first, [], who="dr")
    second = TargetMeasurement(long_axis_mm=Decimal("17.0"), note="re-measured")
    lines = [caliper(CaliperKind.LONG_AXIS, 17.0, frame=4)]
    small.put_target(P, "tp-2", T1, second, lines, who="dr")
    entry = small.audit(P)[-1]
    assert entry.action == "update"
    before, after = _loads(entry.before), _loads(entry.after)
    assert before["measurement"]["long_axis_mm"] == "18.50"
    assert before["calipers"] == []
    assert after["measurement"]["note"] == "re-measured"
    assert after["calipers"][0]["frame"] == 4
    assert after["calipers"][0]["kind"] == "long_axis"


def test_a_cleared_target_is_a_delete_entry(small: SqliteStore) -> None:
    small.put_target(P, "tp-1", T1, None, [], who="dr")
    entry = small.audit(P)[-1]
    assert (entry.action, entry.after) == ("delete", None)
    assert _loads(entry.before)["measurement"]["long_axis_mm"] == "20.0"


def test_creating_a_patient_keeps_the_whole_read(small: SqliteStore) -> None:
    (entry,) = small.audit(P)
    assert entry.before is None
    after = _loads(entry.after)
    assert after["patient"]["id"] == P
    assert len(after["timepoints"]) == 2


def test_a_deleted_patient_stays_in_the_trail(small: SqliteStore) -> None:
    small.delete_patient(P, who="dr")
    entry = small.audit(P)[-1]
    assert (entry.entity, entry.action, entry.after) == ("patient", "delete", None)
    kept = _loads(entry.before)
    assert kept["timepoints"][0]["timepoint"]["targets"]["T1"]["long_axis_mm"] == "20.0"


def test_a_deleted_lesion_keeps_its_measurements_in_the_trail(
    small: SqliteStore,
) -> None:
    small.delete_lesion(P, T1, who="dr")
    before = _loads(small.audit(P)[-1].before)
    assert before["lesion"]["id"] == "T1"
    assert before["timepoints"]["tp-1"]["target"]["long_axis_mm"] == "20.0"


def test_audit_filters_by_patient(small: SqliteStore) -> None:
    small.create_patient(small_read("P-OTHER"), who="importer")
    assert [e.patient_id for e in small.audit()] == [P, "P-OTHER"]
    assert [e.patient_id for e in small.audit("P-OTHER")] == ["P-OTHER"]


def test_a_refused_change_leaves_no_entry(small: SqliteStore) -> None:
    with pytest.raises(PatientExistsError):
        small.create_patient(small_read(), who="importer")
    assert len(small.audit()) == 1


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET who = 'nobody'",
        "UPDATE audit SET after = NULL WHERE id = 1",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ],
)
def test_the_audit_table_refuses_update_and_delete(
    small: SqliteStore, sql: str
) -> None:
    before = small.audit()
    conn = sqlite3.connect(small.path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    finally:
        conn.close()
    assert small.audit() == before
