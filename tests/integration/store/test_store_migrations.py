"""Schema versions: every released version is migrated forward, data kept.

``schemas/v<N>.sql`` is the dump of a version-N database holding one patient
(:func:`rich_read` as ``P-V<N>``): tables, rows, then indexes and triggers. Each
test builds a database from it and opens it with the current store. When a new
version is released, freeze its dump (the old ones never change)::

    python -c "from tests.integration.store.test_store_migrations import \\
    freeze_current_schema as f; f()"
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from tests.integration.store.readbuild import rich_read, rich_read_at

from respond.criteria.imaging import IndexedImage
from respond.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    MigrationError,
    NewerDatabaseError,
    open_store,
)

SCHEMAS = Path(__file__).parent / "schemas"
PAST_VERSIONS = range(1, SCHEMA_VERSION + 1)


def _fixed_clock() -> dt.datetime:
    return dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


def freeze_current_schema() -> Path:
    """Write ``schemas/v<SCHEMA_VERSION>.sql`` from a fresh database."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "freeze.sqlite3"
        with open_store(path, clock=_fixed_clock) as store:
            store.create_patient(rich_read(f"P-V{SCHEMA_VERSION}"), who="freezer")
            store.index_images("/images/P-V", frozen_images())
        conn = sqlite3.connect(path)
        lines = [
            f"PRAGMA application_id = {APPLICATION_ID};",
            f"PRAGMA user_version = {SCHEMA_VERSION};",
            *conn.iterdump(),
        ]
        conn.close()
    target = SCHEMAS / f"v{SCHEMA_VERSION}.sql"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def frozen_images() -> list[IndexedImage]:
    """The image index rows frozen with every version since 2."""
    return [
        IndexedImage(
            f"/images/P-V/{series}/{n}.dcm",
            f"P-V{SCHEMA_VERSION}",
            "1.2.3.100",
            f"1.2.3.100.{series}",
            f"1.2.3.100.{series}.{n}",
            size=1024 * n,
            mtime_ns=1_700_000_000_000_000_000 + n,
        )
        for series in (1, 2)
        for n in (1, 2)
    ]


def _build(version: int, path: Path) -> None:
    """Build a database as respond version ``version`` left it."""
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / f"v{version}.sql").read_text(encoding="utf-8"))
    conn.close()


def _schema(path: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_schema "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return {(t, n, " ".join((sql or "").split())) for t, n, sql in rows}


def test_every_released_version_has_its_frozen_dump() -> None:
    assert [m.version for m in MIGRATIONS] == list(PAST_VERSIONS)
    for version in PAST_VERSIONS:
        assert (SCHEMAS / f"v{version}.sql").is_file(), f"freeze v{version}.sql"


def test_the_current_dump_matches_what_the_migrations_create(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    open_store(fresh).close()
    frozen = tmp_path / "frozen.sqlite3"
    _build(SCHEMA_VERSION, frozen)
    assert _schema(frozen) == _schema(fresh), (
        "the schema changed without a migration: add a step, keep the released SQL"
    )


@pytest.mark.parametrize("version", PAST_VERSIONS)
def test_a_past_version_migrates_forward_keeping_its_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / f"v{version}.sqlite3"
    _build(version, path)
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.load(f"P-V{version}") == rich_read_at(version, f"P-V{version}")
        assert store.audit()[0].at == "2026-11-24T08:00:00.000+00:00"
    fresh = tmp_path / "fresh.sqlite3"
    open_store(fresh).close()
    assert _schema(path) == _schema(fresh)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_an_empty_file_is_migrated_from_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    path.touch()
    with open_store(path, init=True) as store:
        assert store.schema_version == SCHEMA_VERSION


# -- the migration machinery, with steps made up for the test ------------------------
def _add_ward(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE patient ADD COLUMN ward TEXT")
    conn.execute("UPDATE patient SET ward = 'hepatology'")


NEXT = SCHEMA_VERSION + 1
TABLES = MIGRATIONS[-1].tables


def test_a_new_step_migrates_in_place_and_keeps_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build(SCHEMA_VERSION, path)
    steps = (*MIGRATIONS, Migration(NEXT, _add_ward, TABLES))
    with open_store(path, migrations=steps) as store:
        assert store.schema_version == NEXT
        assert store.load(f"P-V{SCHEMA_VERSION}").patient.id == f"P-V{SCHEMA_VERSION}"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT ward FROM patient").fetchone()[0] == "hepatology"
    conn.close()
    backup = tmp_path / f"respond.sqlite3.v{SCHEMA_VERSION}.bak"
    with open_store(backup) as old:
        assert old.schema_version == SCHEMA_VERSION
    with pytest.raises(NewerDatabaseError):
        open_store(path)


def test_an_sql_step_runs_statement_by_statement(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build(SCHEMA_VERSION, path)
    sql = (
        "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;\n"
        "CREATE TRIGGER note_guard BEFORE DELETE ON note\n"
        "BEGIN SELECT RAISE(ABORT, 'kept'); END;\n"
    )
    steps = (*MIGRATIONS, Migration(NEXT, sql, TABLES | {"note"}))
    with open_store(path, migrations=steps) as store:
        assert store.schema_version == NEXT
    assert ("trigger", "note_guard") in {(t, n) for t, n, _ in _schema(path)}


def test_a_failed_step_leaves_the_database_at_its_version(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _build(SCHEMA_VERSION, path)
    before = _schema(path)
    steps = (
        *MIGRATIONS,
        Migration(
            NEXT, "CREATE TABLE extra (x TEXT);\nCREATE TABLE patient (x);", TABLES
        ),
    )
    with pytest.raises(MigrationError) as info:
        open_store(path, migrations=steps)
    assert (info.value.found, info.value.supported) == (SCHEMA_VERSION, NEXT)
    assert "nothing was lost" in str(info.value)
    assert _schema(path) == before
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.load(f"P-V{SCHEMA_VERSION}") == rich_read(f"P-V{SCHEMA_VERSION}")
