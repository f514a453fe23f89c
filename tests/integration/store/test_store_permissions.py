"""The database and its log are readable by the user only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.session import read_from_case
from respond.store import open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_log_and_folders_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "new" / "nested" / "reads.sqlite3"
        store = open_store(db)
        store.create_patient(
            read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
        )
        assert mode(db) == 0o600
        wal = db.with_name(db.name + "-wal")
        if wal.exists():
            assert mode(wal) == 0o600
        assert mode(db.parent) == 0o700
        assert mode(db.parent.parent) == 0o700
        store.close()
    finally:
        os.umask(old)
