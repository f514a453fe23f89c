"""Fixtures of the store tests: a database in tmp_path, a clock that ticks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import small_read

from respond.store import SqliteStore, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class TickingClock:
    """Returns 2026-11-24T08:00:00Z, then one second later at each call."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "respond.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(db_path, clock=TickingClock(), busy_timeout_s=1.0)
    yield opened
    opened.close()


@pytest.fixture
def small(store: SqliteStore) -> SqliteStore:
    """The store holding :func:`small_read` (patient ``P-SMALL``)."""
    store.create_patient(small_read(), who="importer")
    return store
