"""The database file: where it is, and what happens to a file that is not ours.

A damaged, foreign or newer file is refused with a typed error naming it, and
is left byte-for-byte as it was (compared by hash, with nothing created next to
it). A missing file is a new database; an empty one only when asked (init).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest
from tests.integration.store.readbuild import rich_read

from respond.store import (
    APPLICATION_ID,
    DATABASE_FILENAME,
    SCHEMA_VERSION,
    SYNCHRONOUS,
    CorruptDatabaseError,
    ForeignDatabaseError,
    NewerDatabaseError,
    default_database_path,
    open_store,
    resolve_database_path,
)


def _snapshot(path: Path) -> tuple[str, list[str]]:
    """The file's hash and the names in its folder."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, sorted(p.name for p in path.parent.iterdir())


def _real_database(path: Path) -> None:
    with open_store(path) as store:
        store.create_patient(rich_read(), who="importer")


# -- paths ---------------------------------------------------------------------
def test_default_path_is_in_the_user_data_folder() -> None:
    path = default_database_path()
    assert path.name == DATABASE_FILENAME
    assert path.parent.name == "respond"


def test_db_option_wins_over_the_environment(tmp_path: Path) -> None:
    environ = {"RESPOND_DB": str(tmp_path / "env.sqlite3")}
    assert resolve_database_path(str(tmp_path / "cli.sqlite3"), environ) == (
        tmp_path / "cli.sqlite3"
    )
    assert resolve_database_path(None, environ) == tmp_path / "env.sqlite3"
    assert resolve_database_path("", environ) == tmp_path / "env.sqlite3"
    assert resolve_database_path(None, {}) == default_database_path()
    assert resolve_database_path(None, {"RESPOND_DB": ""}) == default_database_path()


def test_a_home_relative_path_is_expanded() -> None:
    assert resolve_database_path("~/x.sqlite3", {}) == Path.home() / "x.sqlite3"


# -- new databases ---------------------------------------------------------------
def test_a_missing_file_in_a_missing_folder_becomes_a_new_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a" / "b" / "respond.sqlite3"
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.path == path
        assert store.list_patients() == []
    assert path.is_file()


def test_an_empty_file_becomes_a_new_database_when_asked(tmp_path: Path) -> None:
    # without init=True an empty file is refused (test_store_database_file.py)
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with open_store(path, init=True) as store:
        store.create_patient(rich_read(), who="importer")
    with open_store(path) as store:
        assert store.load("P-RICH") == rich_read()


def test_an_empty_sqlite_database_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "blank.sqlite3"
    sqlite3.connect(path).execute("VACUUM").connection.close()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_the_database_is_wal_with_our_application_id(db_path: Path) -> None:
    _real_database(db_path)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert SYNCHRONOUS in ("FULL", "NORMAL")


# -- files that are not a usable respond database ------------------------------------
def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def _text_file(path: Path) -> None:
    path.write_text("patient,lesion,mm\nP1,T1,12.5\n")


def _header_only(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(84))


def _truncated(path: Path) -> None:
    _real_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncated_mid_page(path: Path) -> None:
    _real_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: 4096 * 3 + 1234])


def _sqlite_page_garbled(path: Path) -> None:
    _real_database(path)
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 4] = random.Random(3).randbytes(4096 * 3)
    path.write_bytes(bytes(data))


CORRUPT = {
    "random bytes": _random_bytes,
    "a text file": _text_file,
    "a bare header": _header_only,
    "a truncated database": _truncated,
    "a database cut mid-page": _truncated_mid_page,
    "a database with garbled pages": _sqlite_page_garbled,
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_a_corrupt_file_is_refused_and_left_untouched(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "given.sqlite3"
    CORRUPT[name](path)
    before = _snapshot(path)
    with pytest.raises(CorruptDatabaseError) as info, open_store(path) as store:
        store.load("P-RICH")
    assert info.value.path == path
    assert str(path) in str(info.value)
    assert "left it untouched" in str(info.value)
    assert _snapshot(path) == before


def _other_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def _other_application_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE patient (patient_id TEXT)")
    conn.commit()
    conn.close()


def _other_application_in_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA application_id = 1196444237")  # another program's id
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def _only_an_application_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 99")
    conn.commit()
    conn.close()


FOREIGN = {
    "other tables": _other_tables,
    "another application id": _other_application_id,
    "another application in WAL mode": _other_application_in_wal,
    "only another application id": _only_an_application_id,
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_a_foreign_database_is_refused_and_left_untouched(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "given.sqlite3"
    FOREIGN[name](path)
    before = _snapshot(path)
    with pytest.raises(ForeignDatabaseError) as info:
        open_store(path)
    assert info.value.path == path
    assert "another program" in str(info.value)
    assert _snapshot(path) == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ForeignDatabaseError, match="not a file"):
        open_store(tmp_path)


def test_a_respond_database_missing_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "given.sqlite3"
    _real_database(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE revision")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    with pytest.raises(CorruptDatabaseError, match="tables missing: revision"):
        open_store(path)
    assert _snapshot(path) == before


def test_a_newer_database_is_refused_not_migrated_down(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    _real_database(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    with pytest.raises(NewerDatabaseError) as info:
        open_store(path)
    assert (info.value.found, info.value.supported) == (
        SCHEMA_VERSION + 1,
        SCHEMA_VERSION,
    )
    assert "newer respond" in str(info.value)
    assert "Update respond" in str(info.value)
    assert _snapshot(path) == before


def test_edits_are_synced_with_synchronous_full(db_path: Path) -> None:
    with open_store(db_path) as store:
        # PRAGMA synchronous is per connection: ask the store's own.
        assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    with open_store(db_path, synchronous="NORMAL") as store:
        assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    with pytest.raises(ValueError, match="synchronous must be one of"):
        open_store(db_path, synchronous="OFF")


def test_an_open_store_refuses_to_write_once_a_newer_respond_migrated(
    db_path: Path,
) -> None:
    with open_store(db_path) as store:
        store.create_patient(rich_read(), who="importer")
        conn = sqlite3.connect(db_path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
        with pytest.raises(NewerDatabaseError, match="newer respond"):
            store.delete_patient("P-RICH", who="dr")
        assert store.load("P-RICH") == rich_read()
