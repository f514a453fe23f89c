"""Real processes: writers killed at random moments, and two writers at once.

A writer (``store_writer.py``) prints each edit's number after its commit has
returned. Killed with SIGKILL at random moments (during start-up and creation,
between and inside edits), the database must open again, pass
``PRAGMA integrity_check`` and hold every edit reported as committed: at most
the edit in flight is lost. ``CI=1`` runs 50 kills; locally 12.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pytest
from tests.integration.store.store_writer import (
    FOLLOW_UP,
    PATIENT,
    T1,
    crash_read,
    edit_length,
)

from respond.store import DatabaseBusyError, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator

Locked = tuple[Path, "subprocess.Popen[str]"]
WRITER = Path(__file__).with_name("store_writer.py")
KILLS = 50 if os.environ.get("CI") else 12
SEED = int(os.environ.get("RESPOND_CRASH_SEED", "20261124"))


def _writer(
    path: Path, tag: str, first: int, last: int | None = None, busy_s: float = 10.0
) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), str(path), tag, str(first)]
    if last is not None:
        args += [str(last), str(busy_s)]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _numbers(stream: IO[str], wanted: int | None) -> list[int]:
    reported: list[int] = []
    while wanted is None or len(reported) < wanted:
        line = stream.readline()
        if not line:
            break
        reported.append(int(line))
    return reported


def _check(path: Path, committed: list[int]) -> None:
    """The database opens, is intact and holds every committed edit."""
    with open_store(path) as store:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()
        if not committed:
            return
        record = store.load(PATIENT).timepoint(FOLLOW_UP)
        assert record is not None
        findings = {f.id for f in record.timepoint.new_lesions}
        missing = {f"X{n}" for n in committed if n % 2 == 0} - findings
        assert not missing, f"committed edits lost: {sorted(missing)}"
        audited = {
            json.loads(e.after or "{}")["measurement"]["long_axis_mm"]
            for e in store.audit(PATIENT)
            if e.entity == "target" and e.after
        }
        odd = [n for n in committed if n % 2]
        lost = {str(edit_length(n)) for n in odd} - audited
        assert not lost, f"committed measurements lost from the audit: {lost}"
        if odd:
            measured = record.target(T1)
            assert measured is not None
            assert measured.long_axis_mm is not None
            assert measured.long_axis_mm >= edit_length(max(odd))


def test_killed_writers_lose_at_most_the_edit_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    rng = random.Random(SEED)
    committed: list[int] = []
    for kill in range(KILLS):
        first = max(committed, default=-1) + 1
        writer = _writer(path, "X", first)
        assert writer.stdout is not None
        if kill % 5 == 0:
            # During start-up: opening, creating the schema, creating the patient.
            time.sleep(rng.uniform(0.0, 0.25))
            reported = []
        else:
            reported = _numbers(writer.stdout, rng.randint(1, 40))
            time.sleep(rng.uniform(0.0, 0.002))
        writer.kill()
        reported += _numbers(writer.stdout, None)
        _, errors = writer.communicate()
        assert writer.returncode != 0, f"the writer ended by itself: {errors}"
        assert "Traceback" not in errors, errors
        committed += reported
        _check(path, committed)
    assert len(committed) > KILLS


def test_two_writers_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    writers = [_writer(path, tag, 0, 59) for tag in ("A", "B")]
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, errors) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, (out, errors)
        assert out.split() == [str(n) for n in range(60)]
    with open_store(path) as store:
        record = store.load(PATIENT).timepoint(FOLLOW_UP)
        assert record is not None
        findings = {f.id for f in record.timepoint.new_lesions}
        expected = {f"{tag}{n}" for tag in "AB" for n in range(0, 60, 2)}
        assert findings == expected
        edits = [e for e in store.audit(PATIENT) if e.entity != "patient"]
        assert len(edits) == 120
        assert {e.who for e in edits} == {"writer-A", "writer-B"}
        creations = [e for e in store.audit(PATIENT) if e.entity == "patient"]
        assert len(creations) == 1


HOLD_WRITE_LOCK = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A database another process holds the write lock on, until the test ends."""
    path = tmp_path / "locked.sqlite3"
    with open_store(path) as store:
        store.create_patient(crash_read(), who="setup")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_WRITE_LOCK,
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    yield path, holder
    if holder.poll() is None:
        holder.kill()
        holder.wait()


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=10)


def test_a_long_write_elsewhere_gives_a_busy_error(locked: Locked) -> None:
    path, holder = locked
    with open_store(path, busy_timeout_s=0.2) as store:
        before = store.load(PATIENT)
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError) as info:
            store.put_target(PATIENT, FOLLOW_UP, T1, None, [], who="dr")
        assert time.monotonic() - started < 5
        assert info.value.path == path
        assert str(info.value).startswith(
            f"another respond is writing to {path}; try again"
        )
        assert store.load(PATIENT) == before
        _release(holder)
        store.put_target(PATIENT, FOLLOW_UP, T1, None, [], who="dr")
        assert len(store.audit(PATIENT)) == 2


def test_a_writer_process_reports_busy(locked: Locked) -> None:
    path, holder = locked
    writer = _writer(path, "Z", 0, 3, busy_s=0.3)
    out, errors = writer.communicate(timeout=30)
    assert writer.returncode == 3, errors
    assert out.startswith(f"busy another respond is writing to {path}; try again")
    _release(holder)
    writer = _writer(path, "Z", 0, 3)
    out, errors = writer.communicate(timeout=30)
    assert writer.returncode == 0, errors
    assert out.split() == ["0", "1", "2", "3"]
