"""A database whose folder cannot be searched: a named error, never exit 70."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.session import read_from_case
from respond.store import DatabaseReadError, open_store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "reads.sqlite3"
    store = open_store(path)
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    store.close()
    return path


@pytest.mark.parametrize("read_only", [False, True])
def test_a_folder_without_search_permission_is_named(
    db: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    real_exists = Path.exists

    def exists(self: Path, *args: object, **kwargs: object) -> bool:
        if self.parent == db.parent:
            raise PermissionError(13, "Permission denied", str(self))
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", exists)
    with pytest.raises(DatabaseReadError) as caught:
        open_store(db, read_only=read_only)
    text = str(caught.value)
    assert "Permission denied" in text
    assert "nothing was changed" in text


@pytest.mark.parametrize(
    ("column", "value"),
    [("sd_min_days", 4611686018427387904), ("confirmation_min_days", -1)],
)
def test_a_stored_setting_out_of_range_makes_only_that_patient_unreadable(
    db: Path, column: str, value: int
) -> None:
    import sqlite3

    from respond.store import UnreadableReadError

    conn = sqlite3.connect(db)
    conn.execute(f"UPDATE patient SET {column} = ?", (value,))
    conn.commit()
    conn.close()
    store = open_store(db)
    with pytest.raises(UnreadableReadError, match=column):
        store.load("HCC-0001")
    store.close()
