"""Schema version 2: a version-1 database migrates, keeping every read and entry.

Version 2 adds the patient's sex (unknown for every version-1 patient), the
image index, and the link from a ``restore`` audit entry to the removal it
undid. Removals recorded by version 1 can be restored after the migration.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import rich_read, rich_read_at
from tests.integration.store.test_store_migrations import SCHEMAS, frozen_images

from respond.criteria.imaging import IndexedImage
from respond.store import SCHEMA_VERSION, open_store

if TYPE_CHECKING:
    from pathlib import Path


def _build_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / "v1.sql").read_text(encoding="utf-8"))
    conn.close()


def _v1_removal(path: Path, patient_id: str) -> None:
    """Append the entry version 1 wrote when it removed a patient (raw SQL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        created = json.loads(conn.execute("SELECT after FROM audit").fetchone()[0])
        created["patient"]["id"] = patient_id
        conn.execute(
            "INSERT INTO audit (at, who, patient_id, entity, key, action, before) "
            "VALUES ('2026-11-24T09:00:00.000+00:00', 'dr-v1', ?, 'patient', ?, "
            "'delete', ?)",
            (patient_id, patient_id, json.dumps(created)),
        )
    finally:
        conn.close()


def test_version_2_is_current() -> None:
    assert SCHEMA_VERSION >= 2


def test_a_version_1_database_migrates_with_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v1(path)
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        read = store.load("P-V1")
        assert read == rich_read_at(1, "P-V1")
        assert read.patient.sex is None
        (summary,) = store.list_patients()
        assert (summary.birth_date, summary.sex) == ("1951-02-28", None)
        assert summary.signed == (True, True, False)
        assert store.indexed_roots() == []
        assert [e.action for e in store.audit()] == ["create"]
        assert store.deleted() == []
    backup = tmp_path / "respond.sqlite3.v1.bak"
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(patient)")}
        assert "sex" not in columns
    finally:
        conn.close()


def test_the_migrated_database_keeps_new_fields(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v1(path)
    with open_store(path) as store:
        store.create_patient(rich_read("P-NEW"), who="importer")
        store.index_images("/images/a", frozen_images())
    with open_store(path) as store:
        assert store.load("P-NEW").patient.sex == "F"
        assert store.study_images("1.2.3.100") == frozen_images()


def test_a_removal_recorded_by_version_1_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v1(path)
    _v1_removal(path, "P-GONE")
    with open_store(path) as store:
        (removal,) = store.deleted()
        assert (removal.key, removal.who) == ("P-GONE", "dr-v1")
        assert store.restore_deleted(removal.id, who="dr") == "patient P-GONE"
        # Signed time points come back signed, as they were.
        assert store.load("P-GONE") == rich_read_at(1, "P-GONE")
        assert store.deleted() == []


def test_the_schema_refuses_an_unknown_sex(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build_v1(path)
    open_store(path).close()
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
            conn.execute("UPDATE patient SET sex = 'X'")
        conn.execute("UPDATE patient SET sex = 'M'")
    finally:
        conn.close()


def test_the_frozen_version_2_holds_an_image_index(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / "v2.sql").read_text(encoding="utf-8"))
    conn.close()
    with open_store(path) as store:
        found = store.study_images("1.2.3.100")
        assert len(found) == 4
        assert all(isinstance(i, IndexedImage) for i in found)
        assert store.load("P-V2") == rich_read_at(2, "P-V2")
