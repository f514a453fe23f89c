"""The database file under damage and odd media: the store's side.

One damaged patient never hides the others; damaged text is named, escaped; a
file that fails SQLite's integrity check is never written to (checked once per
store); an existing empty file is not taken over unasked; a read-only store
creates nothing; closing and idling checkpoint the log into the main file.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.conftest import TickingClock
from tests.integration.store.readbuild import rich_read, small_read

from respond.store import (
    DatabaseBusyError,
    DatabaseReadError,
    DatabaseWriteError,
    EmptyDatabaseError,
    IntegrityCheckError,
    SqliteStore,
    UnreadableReadError,
    open_store,
)
from respond.store import _open as opening
from respond.store.errors import escaped

if TYPE_CHECKING:
    from pathlib import Path

IDS = ("P1", "P2", "P3")

_P2_LENGTHS = "WHERE patient_id = 'P2' AND long_axis_mm IS NOT NULL"


def _lengths(value: str) -> str:
    return f"UPDATE target SET long_axis_mm = {value} {_P2_LENGTHS}"


def _p2(table: str, column: str, value: str) -> str:
    return f"UPDATE {table} SET {column} = {value} WHERE patient_id = 'P2'"


DAMAGE = {
    # (SQL setting a value, table, column the error names)
    "garbage length": (_lengths("'garbage'"), "target", "long_axis_mm"),
    "NaN length": (_lengths("'NaN'"), "target", "long_axis_mm"),
    "a length of 1e1000 mm": (_lengths("'1e1000'"), "target", "long_axis_mm"),
    "an infinite slice thickness": (
        _p2("timepoint", "slice_thickness_mm", "'-Infinity'"),
        "timepoint",
        "slice_thickness_mm",
    ),
    "a NaN setting": (
        _p2("patient", "mrecist_pd_min_increase_mm", "'NaN'"),
        "patient",
        "mrecist_pd_min_increase_mm",
    ),
    "length beyond any decimal context": (
        _lengths("'1E-99999999999999999999'"),
        "target",
        "long_axis_mm",
    ),
    "bytes in a length": (
        _lengths("CAST(x'fffe' AS TEXT)"),
        "target",
        "long_axis_mm",
    ),
    "bytes and escapes in a name": (
        _p2("patient", "name", "CAST(x'41fffe0a1b5b33316d' AS TEXT)"),
        "patient",
        "name",
    ),
    "bytes in a label": (
        "UPDATE timepoint SET label = CAST(x'c328' AS TEXT) WHERE patient_id = 'P2'",
        "timepoint",
        "label",
    ),
    "a date that is not one": (
        "UPDATE timepoint SET date = '2026-13-45' WHERE patient_id = 'P2'",
        "timepoint",
        "date",
    ),
}


def _three(path: Path) -> None:
    with open_store(path, clock=TickingClock()) as store:
        for pid in IDS:
            store.create_patient(rich_read(pid), who="importer")


def _damage(path: Path, sql: str) -> None:
    """Change the file by hand, past the triggers that guard signed time points."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
        ).fetchall()
        conn.execute("BEGIN")
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql)
        for _, trigger in triggers:
            conn.execute(trigger)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _printable(text: str) -> bool:
    return text.isprintable() and "\ufffd" not in text


# -- one damaged patient ---------------------------------------------------------
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_one_damaged_patient_never_hides_the_others(
    db_path: Path, name: str, read_only: bool
) -> None:
    sql, table, column = DAMAGE[name]
    _three(db_path)
    _damage(db_path, sql)
    with open_store(db_path, read_only=read_only) as store:
        listed = store.list_patients()
        assert [s.patient_id for s in listed] == list(IDS)
        assert all("\ufffd" not in (s.name or "") for s in listed)
        assert store.load("P1") == rich_read("P1")
        assert store.load("P3") == rich_read("P3")
        with pytest.raises(UnreadableReadError) as caught:
            store.load("P2")
    error = caught.value
    assert error.patient_id == "P2"
    assert (error.table, error.column) == (table, column)
    message = str(error)
    assert f"{table}.{column}" in message
    assert "patient P2" in message
    assert "kept unchanged" in message
    assert _printable(message), message


def test_a_damaged_patient_id_is_listed_escaped_and_named_when_opened(
    db_path: Path,
) -> None:
    _three(db_path)
    with open_store(db_path) as store:
        store.create_patient(small_read("P4"), who="importer")
    _damage(
        db_path,
        "UPDATE patient SET patient_id = CAST(x'50ff' AS TEXT) WHERE patient_id = 'P4'",
    )
    with open_store(db_path, read_only=True) as store:
        ids = [s.patient_id for s in store.list_patients()]
        assert ids == [*IDS, "P\\xff"]
        with pytest.raises(UnreadableReadError) as caught:
            store.load("P\\xff")
    assert caught.value.column == "patient_id"
    assert _printable(str(caught.value))


def test_escaped_shows_control_characters_and_bytes_and_cuts_long_text() -> None:
    assert escaped("A\x1b[31m\n\ud800") == "A\\x1b[31m\\n\\ud800"
    assert escaped(b"\xff\xfe") == "b'\\xff\\xfe'"
    long = escaped("x" * 500, 40)
    assert len(long) == 40
    assert long.endswith("...")


# -- integrity -------------------------------------------------------------------
def _damaged_index_page(path: Path) -> None:
    """Flip the page type of the image index's b-tree (imports never touch it)."""
    conn = sqlite3.connect(path)
    try:
        page = conn.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'image_file_by_path'"
        ).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size] = 0x07  # not a b-tree page type
    path.write_bytes(bytes(data))


def test_a_file_failing_the_integrity_check_is_never_written(tmp_path: Path) -> None:
    original = tmp_path / "good.sqlite3"
    _three(original)
    copy = tmp_path / "damaged.sqlite3"
    shutil.copyfile(original, copy)
    _damaged_index_page(copy)
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    conn.close()
    before = _digest(copy)
    with open_store(copy) as store:
        assert store.load("P1") == rich_read("P1")  # reading still works
        with pytest.raises(IntegrityCheckError) as caught:
            store.create_patient(small_read(), who="importer")
        with pytest.raises(IntegrityCheckError):
            store.index_images("/images", [])
        with pytest.raises(IntegrityCheckError):
            store.delete_patient("P1", who="importer")
    message = str(caught.value)
    assert str(copy) in message
    assert "backup" in message
    assert "changed nothing" in message
    assert caught.value.path == copy
    assert _digest(copy) == before
    with open_store(copy, read_only=True) as store:
        assert [s.patient_id for s in store.list_patients()] == list(IDS)


def test_the_integrity_check_runs_once_per_store_not_per_edit(db_path: Path) -> None:
    _three(db_path)
    statements: list[str] = []
    with open_store(db_path, clock=TickingClock()) as store:
        store._conn.set_trace_callback(statements.append)
        store.create_patient(small_read(), who="importer")
        store.delete_patient("P-SMALL", who="importer")
        store.create_patient(small_read("P-SMALL-2"), who="importer")
        store.index_images("/images", [])
        store.check_integrity()
        store._conn.set_trace_callback(None)
    checks = [s for s in statements if "quick_check" in s or "integrity_check" in s]
    assert len(checks) == 1


def test_a_read_only_store_runs_no_check_and_refuses_edits(db_path: Path) -> None:
    _three(db_path)
    before = _digest(db_path)
    with open_store(db_path, read_only=True) as store:
        assert store.read_only
        with pytest.raises(DatabaseWriteError, match="reading only"):
            store.create_patient(small_read(), who="importer")
    assert _digest(db_path) == before


# -- empty files -----------------------------------------------------------------
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_an_existing_empty_file_is_refused_and_left_as_it_is(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "respond.sqlite3"
    path.touch()
    with pytest.raises(EmptyDatabaseError) as caught:
        open_store(path, read_only=read_only)
    message = str(caught.value)
    assert str(path) in message
    assert "0 bytes" in message
    assert f"respond init-db {path}" in message
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["respond.sqlite3"]


def test_init_takes_an_empty_file_as_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    path.touch()
    with open_store(path, init=True) as store:
        store.create_patient(small_read(), who="importer")
    with open_store(path) as store:
        assert store.load("P-SMALL") == small_read()


def test_a_file_another_respond_is_creating_just_now_is_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite creates the file empty and writes its first page a moment later:
    # the second look, after a short wait, sees the other respond's database.
    source = tmp_path / "made.sqlite3"
    _three(source)
    path = tmp_path / "respond.sqlite3"
    path.touch()
    real_sleep = opening.time.sleep

    def other_respond_finishes(seconds: float) -> None:
        shutil.copyfile(source, path)
        real_sleep(seconds)

    monkeypatch.setattr(opening.time, "sleep", other_respond_finishes)
    with open_store(path) as store:
        assert [s.patient_id for s in store.list_patients()] == list(IDS)


def test_a_missing_file_becomes_a_new_database_as_before(tmp_path: Path) -> None:
    path = tmp_path / "new" / "respond.sqlite3"
    with open_store(path) as store:
        assert store.list_patients() == []
    assert path.stat().st_size > 0


# -- reading only ----------------------------------------------------------------
def test_reading_only_creates_nothing_beside_the_file(db_path: Path) -> None:
    _three(db_path)
    before = (_digest(db_path), sorted(p.name for p in db_path.parent.iterdir()))
    with open_store(db_path, read_only=True) as store:
        assert len(store.list_patients()) == 3
        assert store.load("P2") == rich_read("P2")
        assert sorted(p.name for p in db_path.parent.iterdir()) == before[1]
    assert (_digest(db_path), sorted(p.name for p in db_path.parent.iterdir())) == (
        before
    )


def test_reading_only_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "respond.sqlite3"
    with open_store(path, read_only=True) as store:
        assert store.list_patients() == []
    assert not path.parent.exists()


def test_reading_only_sees_edits_still_in_another_respond_log(db_path: Path) -> None:
    writer = open_store(db_path, clock=TickingClock())
    try:
        writer.create_patient(small_read(), who="importer")
        assert (db_path.parent / f"{db_path.name}-wal").stat().st_size > 0
        with open_store(db_path, read_only=True) as reader:
            assert reader.load("P-SMALL") == small_read()
    finally:
        writer.close()


def test_read_errors_never_say_a_change_was_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    for error in (
        DatabaseReadError(path, "disk I/O error"),
        DatabaseBusyError(path, changing=False),
        DatabaseWriteError(
            path, "attempt to write a readonly database", changing=False
        ),
    ):
        assert "not saved" not in str(error)
        assert "nothing was changed" in str(error)
    assert "not saved" in str(DatabaseWriteError(path, "database or disk is full"))


# -- checkpoints -----------------------------------------------------------------
def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _main_file_alone(path: Path, tmp_path: Path) -> SqliteStore:
    """Open a copy of the main file without its -wal (as after a lost log)."""
    alone = tmp_path / "alone" / path.name
    alone.parent.mkdir()
    shutil.copyfile(path, alone)
    return open_store(alone, read_only=True)


def test_close_checkpoints_so_the_main_file_alone_has_every_edit(
    db_path: Path, tmp_path: Path
) -> None:
    store = open_store(db_path, clock=TickingClock())
    # another connection keeps the file open: SQLite's own checkpoint on the
    # last close would not run, the store's must
    other = sqlite3.connect(db_path)
    try:
        other.execute("SELECT count(*) FROM patient").fetchone()
        store.create_patient(rich_read("P1"), who="importer")
        store.create_patient(small_read(), who="importer")
        assert _wal(db_path).stat().st_size > 0
        store.close()
        assert not _wal(db_path).exists() or _wal(db_path).stat().st_size == 0
        with _main_file_alone(db_path, tmp_path) as alone:
            assert alone.load("P1") == rich_read("P1")
            assert alone.load("P-SMALL") == small_read()
    finally:
        other.close()
    store.close()  # a second close does nothing


def test_an_idle_store_checkpoints_after_its_last_edit(
    db_path: Path, tmp_path: Path
) -> None:
    with open_store(db_path, clock=TickingClock()) as store:
        other = sqlite3.connect(db_path)
        try:
            other.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            store.create_patient(small_read(), who="importer")
            assert not store.checkpoint_if_idle(idle_s=3600)  # notes the edit
            assert not store.checkpoint_if_idle(idle_s=3600)  # not idle long enough
            assert _wal(db_path).stat().st_size > 0
            assert store.checkpoint_if_idle(idle_s=0)
            assert _wal(db_path).stat().st_size == 0
            assert not store.checkpoint_if_idle(idle_s=0)  # nothing new
            with _main_file_alone(db_path, tmp_path) as alone:
                assert alone.load("P-SMALL") == small_read()
        finally:
            other.close()


def test_checkpoint_now_and_on_a_read_only_store(db_path: Path) -> None:
    with open_store(db_path, clock=TickingClock()) as store:
        store.create_patient(small_read(), who="importer")
        assert store.checkpoint()
    with open_store(db_path, read_only=True) as store:
        assert not store.checkpoint()
        assert not store.checkpoint_if_idle(idle_s=0)
