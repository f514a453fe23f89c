"""Schema version 3: a version-2 database migrates, keeping every read and entry.

Version 3 adds a nodal non-target's short axis (unmeasured for every version-2
observation), the dose form at level -2 (not said for every version-2 time
point) and the setting ``confirmation_max_ne_between`` (the default, 1, for
every version-2 patient). Audit entries written by version 2 lack these fields
and still decode; removals recorded by version 2 can be restored.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.store.readbuild import N3, rich_read, rich_read_at
from tests.integration.store.test_store_migrations import SCHEMAS

from respond.criteria import (
    Clinical,
    DoseForm,
    NonTargetObservation,
    NonTargetStatus,
)
from respond.store import SCHEMA_VERSION, UnreadableReadError, open_store

if TYPE_CHECKING:
    from pathlib import Path

P2 = "P-V2"


def _build_v2(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / "v2.sql").read_text(encoding="utf-8"))
    conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def _v2_removal(path: Path, patient_id: str) -> None:
    """Append the entry version 2 wrote when it removed a patient (raw SQL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        created = json.loads(conn.execute("SELECT after FROM audit").fetchone()[0])
        created["patient"]["id"] = patient_id
        conn.execute(
            "INSERT INTO audit (at, who, patient_id, entity, key, action, before) "
            "VALUES ('2026-11-24T09:00:00.000+00:00', 'dr-v2', ?, 'patient', ?, "
            "'delete', ?)",
            (patient_id, patient_id, json.dumps(created)),
        )
    finally:
        conn.close()


def _after(text: str | None) -> Any:
    assert text is not None
    return json.loads(text)


def test_version_3_is_current() -> None:
    assert SCHEMA_VERSION >= 3


def test_a_version_2_database_migrates_with_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v2(path)
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        read = store.load(P2)
        assert read == rich_read_at(2, P2)
        assert read.settings.confirmation_max_ne_between == 1
        baseline, _, follow_up_2 = read.timepoints
        assert baseline.timepoint.non_targets[N3].short_axis_mm is None
        assert follow_up_2.clinical.dose_level == -2
        assert follow_up_2.clinical.dose_form is None
        assert [e.action for e in store.audit()] == ["create"]
    backup = tmp_path / "respond.sqlite3.v2.bak"
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert "short_axis_mm" not in _columns(conn, "non_target")
        assert "dose_form" not in _columns(conn, "clinical")
        assert "confirmation_max_ne_between" not in _columns(conn, "patient")
    finally:
        conn.close()


def test_a_version_1_database_migrates_through_version_2(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / "v1.sql").read_text(encoding="utf-8"))
    conn.close()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        read = store.load("P-V1")
        assert read == rich_read_at(1, "P-V1")
        assert read.settings.confirmation_max_ne_between == 1
    assert (tmp_path / "respond.sqlite3.v1.bak").is_file()


def test_the_migrated_database_keeps_the_new_fields(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v2(path)
    with open_store(path) as store:
        store.create_patient(rich_read("P-NEW"), who="importer")
        settings = dataclasses.replace(
            store.load(P2).settings, confirmation_max_ne_between=0
        )
        store.put_settings(P2, settings, "dr-a", who="dr-a")
        store.put_clinical(
            P2,
            "tp-fu2",
            Clinical(dose_level=-2, dose_form=DoseForm.EVERY_OTHER_DAY_400),
            who="dr-a",
        )
    with open_store(path) as store:
        assert store.load("P-NEW") == rich_read("P-NEW")
        migrated = store.load(P2)
        assert migrated.settings.confirmation_max_ne_between == 0
        assert migrated.timepoints[2].clinical.dose_form is DoseForm.EVERY_OTHER_DAY_400


def test_a_removal_recorded_by_version_2_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v2(path)
    _v2_removal(path, "P-GONE")
    with open_store(path) as store:
        (removal,) = store.deleted()
        assert (removal.key, removal.who) == ("P-GONE", "dr-v2")
        assert store.restore_deleted(removal.id, who="dr") == "patient P-GONE"
        # The entry lacks the version-3 fields: they come back at their defaults.
        assert store.load("P-GONE") == rich_read_at(2, "P-GONE")
        assert store.deleted() == []


def test_the_audit_trail_records_the_new_fields(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    with open_store(path) as store:
        store.create_patient(rich_read("P-A"), who="importer")
        (created,) = store.audit("P-A")
        doc = _after(created.after)
        assert doc["settings"]["confirmation_max_ne_between"] == 2
        baseline, _, follow_up_2 = doc["timepoints"]
        assert baseline["timepoint"]["non_targets"]["N3"]["short_axis_mm"] == "22.0"
        assert follow_up_2["timepoint"]["clinical"]["dose_form"] == "200mg_once_daily"
        store.put_non_target(
            "P-A",
            "tp-fu2",
            N3,
            NonTargetObservation(NonTargetStatus.PRESENT, short_axis_mm=Decimal("9.5")),
            who="dr-a",
        )
        settings = dataclasses.replace(
            store.load("P-A").settings, confirmation_max_ne_between=0
        )
        store.put_settings("P-A", settings, "dr-a", who="dr-a")
        _, non_target, changed = store.audit("P-A")
    assert non_target.entity == "non_target"
    assert _after(non_target.after)["short_axis_mm"] == "9.5"
    assert changed.entity == "settings"
    before, after = _after(changed.before), _after(changed.after)
    assert before["settings"]["confirmation_max_ne_between"] == 2
    assert after["settings"]["confirmation_max_ne_between"] == 0


def test_the_schema_refuses_a_negative_ne_allowance(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v2(path)
    open_store(path).close()
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
            conn.execute("UPDATE patient SET confirmation_max_ne_between = -1")
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
            conn.execute("UPDATE patient SET confirmation_max_ne_between = NULL")
    finally:
        conn.close()


def test_lengths_of_non_targets_are_stored_as_text(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    with open_store(path) as store:
        store.create_patient(rich_read(), who="importer")
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT typeof(short_axis_mm), short_axis_mm FROM non_target "
            "WHERE lesion_id = 'N3' AND uid = 'tp-bl'"
        ).fetchall()
    finally:
        conn.close()
    assert rows == [("text", "22.0")]


def test_a_dose_form_this_respond_cannot_read_is_reported_and_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v2(path)
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE clinical SET dose_form = '100mg_weekly' WHERE uid = 'tp-fu2'")
    conn.commit()
    conn.close()
    with open_store(path) as store, pytest.raises(UnreadableReadError) as info:
        store.load(P2)
    assert info.value.patient_id == P2
    assert "'100mg_weekly'" in str(info.value)
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT dose_form FROM clinical WHERE uid = 'tp-fu2'")
        assert found.fetchone()[0] == "100mg_weekly"
    finally:
        conn.close()
