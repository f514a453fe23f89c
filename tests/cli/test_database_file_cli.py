"""The database file under damage and odd media, through the real commands.

One unreadable patient never hides the others (``patients`` exit 0 with a
warning, ``report --all`` writes the others and exits 2 naming it); damaged
bytes never reach the terminal and never give exit 70; a file failing the
integrity check is never written; an existing empty file needs ``init-db``;
read commands work on read-only media and a full disk and never say that a
change was not saved; the log is checkpointed when a command ends;
``respond --db PATH`` starts the app; before a command it applies to that command.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from tests.conftest import EXAMPLE_CASE

from respond.app import (
    DesktopArgs,
    DesktopUsageError,
    db_after_command,
    desktop_arguments,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

IDS = ("P1", "P2", "P3")
INTERNAL_ERROR = 70


def respond(
    *args: str,
    prefix: Sequence[str] = (),
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "respond", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=preexec,
        env={**os.environ, "RESPOND_READER": "tester"},
    )


def _clean(text: str) -> bool:
    """No raw bytes (replacement characters) and no terminal escapes."""
    return "\ufffd" not in text and "\x1b" not in text


def _no_internal_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != INTERNAL_ERROR, result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr
    assert _clean(result.stderr), result.stderr
    assert _clean(result.stdout), result.stdout


NEEDS_REPORTS = pytest.mark.skipif(
    importlib.util.find_spec("numpy") is None
    or importlib.util.find_spec("pydicom") is None,
    reason="the report commands need numpy and pydicom, absent from the Qt-free run",
)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with patients P1, P2 and P3 (the example case)."""
    folder = tmp_path_factory.mktemp("three")
    path = folder / "reads.sqlite3"
    doc = json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))
    for pid in IDS:
        doc["patient"]["id"] = pid
        case = folder / f"{pid}.json"
        case.write_text(json.dumps(doc), encoding="utf-8")
        result = respond("import-case", str(case), "--db", str(path))
        assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def db(three: Path, tmp_path: Path) -> Path:
    """A copy of :func:`three` to damage."""
    path = tmp_path / "db" / "reads.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(three, path)
    return path


def _damage(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(sql)
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DAMAGE = {
    "garbage": "'garbage'",
    "NaN": "'NaN'",
    "1e1000": "'1e1000'",
    "bytes": "CAST(x'fffe1b5b33316d' AS TEXT)",
}


# -- one unreadable patient --------------------------------------------------------
@pytest.mark.parametrize("value", sorted(DAMAGE))
def test_patients_lists_every_readable_patient_and_names_the_broken_one(
    db: Path, value: str
) -> None:
    _damage(
        db,
        f"UPDATE target SET long_axis_mm = {DAMAGE[value]} "
        "WHERE patient_id = 'P2' AND lesion_id = 'T1'",
    )
    result = respond("patients", "--db", str(db))
    _no_internal_error(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for pid in ("P1", "P3"):
        head = next(i for i, line in enumerate(lines) if line.startswith(f"{pid} "))
        assert "FU1" in lines[head + 2]
    assert "P2  Synthetic Example  (cannot be read" in result.stdout
    assert "patient P2" in result.stderr
    assert "long_axis_mm" in result.stderr
    listing = json.loads(respond("patients", "--db", str(db), "--json").stdout)
    problems = {p["patient_id"]: p.get("problem") for p in listing["patients"]}
    assert problems["P1"] is None
    assert problems["P3"] is None
    assert "long_axis_mm" in problems["P2"]


@NEEDS_REPORTS
@pytest.mark.parametrize("value", sorted(DAMAGE))
def test_report_all_writes_the_others_then_exits_2_naming_the_broken_one(
    db: Path, tmp_path: Path, value: str
) -> None:
    _damage(
        db,
        f"UPDATE target SET long_axis_mm = {DAMAGE[value]} "
        "WHERE patient_id = 'P2' AND lesion_id = 'T1'",
    )
    out = tmp_path / "out.csv"
    result = respond("report", "--all", "--csv", str(out), "--db", str(db))
    _no_internal_error(result)
    with out.with_name("out-tr.csv").open(encoding="utf-8", newline="") as stream:
        subjects = {row["USUBJID"] for row in csv.DictReader(stream)}
    assert {"P1", "P3"} <= subjects
    assert result.returncode == 2, result.stderr
    assert "P2" not in subjects
    assert "1 patient could not be read" in result.stderr
    assert "patient P2" in result.stderr
    single = respond("export-case", "P2", "--db", str(db))
    _no_internal_error(single)
    assert single.returncode == 2


def test_damaged_bytes_in_a_name_are_named_and_escaped(db: Path) -> None:
    _damage(
        db,
        "UPDATE patient SET name = CAST(x'41fffe0a1b5b33316d' AS TEXT) "
        "WHERE patient_id = 'P2'",
    )
    for args in (["patients"], ["export-case", "P2"], ["assess", "P2", "--json"]):
        result = respond(*args, "--db", str(db))
        _no_internal_error(result)
    result = respond("export-case", "P2", "--db", str(db))
    assert result.returncode == 2
    assert "patient.name" in result.stderr
    assert "not valid UTF-8" in result.stderr


# -- integrity ---------------------------------------------------------------------
def test_import_into_a_file_failing_the_integrity_check_is_refused(db: Path) -> None:
    conn = sqlite3.connect(db)
    page = conn.execute(
        "SELECT rootpage FROM sqlite_schema WHERE name = 'image_file_by_path'"
    ).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    data[(page - 1) * size] = 0x07  # flip a b-tree page's type
    db.write_bytes(bytes(data))
    before = _digest(db)
    result = respond("import-case", str(EXAMPLE_CASE), "--db", str(db))
    _no_internal_error(result)
    assert result.returncode == 2
    assert "integrity check" in result.stderr
    assert "backup" in result.stderr
    assert str(db) in result.stderr
    assert _digest(db) == before
    listed = respond("patients", "--db", str(db))
    assert listed.returncode == 0, listed.stderr


# -- empty files -------------------------------------------------------------------
@NEEDS_REPORTS
def test_an_empty_file_is_refused_until_init_db(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    for args in (
        ["patients"],
        ["export-case", "P1"],
        ["import-case", str(EXAMPLE_CASE)],
        ["report", "--all", "--csv", str(tmp_path / "x.csv")],
    ):
        result = respond(*args, "--db", str(path))
        _no_internal_error(result)
        assert result.returncode == 2
        assert f"respond init-db {path}" in result.stderr
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3"]
    made = respond("init-db", str(path))
    assert made.returncode == 0, made.stderr
    assert "created a new, empty respond database" in made.stdout
    again = respond("init-db", str(path))
    assert again.returncode == 0
    assert "already a respond database" in again.stdout
    imported = respond("import-case", str(EXAMPLE_CASE), "--db", str(path))
    assert imported.returncode == 0, imported.stderr


# -- read-only media and a full disk ---------------------------------------------
def _without_file_overrides() -> list[str]:
    """Run as root but bound by file permissions (or skip where impossible)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions do not apply")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]


@NEEDS_REPORTS
def test_read_commands_work_on_a_read_only_file_in_a_read_only_folder(
    db: Path, tmp_path: Path
) -> None:
    prefix = _without_file_overrides()
    folder = db.parent
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        names = sorted(p.name for p in folder.iterdir())
        out = tmp_path / "out.csv"
        for args in (
            ["patients"],
            ["patients", "--json"],
            ["export-case", "P1"],
            ["assess", "P1", "--json"],
            ["report", "P1", "--csv", str(out)],
            ["report", "--all", "--csv", str(out)],
        ):
            result = respond(*args, "--db", str(db), prefix=prefix)
            _no_internal_error(result)
            assert result.returncode == 0, (args, result.stderr)
        refused = respond(
            "import-case", str(EXAMPLE_CASE), "--db", str(db), prefix=prefix
        )
        _no_internal_error(refused)
        assert refused.returncode == 2
        assert "not saved" not in refused.stderr
        assert "nothing was changed" in refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == names
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def _full_disk() -> None:
    """No file may grow (as on a full disk): writes fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE stands in on Linux")
def test_read_commands_work_on_a_full_disk(db: Path) -> None:
    for args in (["patients"], ["export-case", "P1"], ["assess", "P3"]):
        result = respond(*args, "--db", str(db), preexec=_full_disk)
        _no_internal_error(result)
        assert result.returncode == 0, (args, result.stderr)
    refused = respond(
        "import-case", str(EXAMPLE_CASE), "--db", str(db), preexec=_full_disk
    )
    _no_internal_error(refused)
    assert refused.returncode == 2
    assert "not saved" not in refused.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE stands in on Linux")
def test_a_new_database_that_cannot_be_written_leaves_no_empty_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.sqlite3"
    result = respond(
        "import-case", str(EXAMPLE_CASE), "--db", str(path), preexec=_full_disk
    )
    _no_internal_error(result)
    assert result.returncode == 2
    assert not path.exists()


def test_a_read_command_on_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "reads.sqlite3"
    result = respond("patients", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "no patients yet" in result.stdout
    assert not path.parent.exists()


# -- checkpoint at the end of a command -----------------------------------------
def test_after_an_import_the_main_file_alone_holds_it(db: Path, tmp_path: Path) -> None:
    doc = json.loads(EXAMPLE_CASE.read_text(encoding="utf-8"))
    doc["patient"]["id"] = "P4"
    case = tmp_path / "p4.json"
    case.write_text(json.dumps(doc), encoding="utf-8")
    assert respond("import-case", str(case), "--db", str(db)).returncode == 0
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "alone" / db.name
    alone.parent.mkdir()
    shutil.copyfile(db, alone)
    result = respond("patients", "--db", str(alone))
    assert "P4" in result.stdout


# -- respond --db PATH -------------------------------------------------------------
def test_db_alone_starts_the_app_on_that_database() -> None:
    assert desktop_arguments([]) == DesktopArgs()
    assert desktop_arguments(["--db", "x.sqlite3"]) == DesktopArgs(db="x.sqlite3")
    assert desktop_arguments(["--db=x.sqlite3", "--demo"]) == DesktopArgs(
        db="x.sqlite3", demo=True
    )
    assert desktop_arguments(["gui", "--db", "y"]) == DesktopArgs(db="y")
    assert desktop_arguments(["--demo"]) == DesktopArgs(demo=True)
    assert desktop_arguments(["patients", "--db", "x"]) is None
    assert desktop_arguments(["--version"]) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db"], "--db needs the database file"),
        (["--db="], "--db needs the database file"),
    ],
)
def test_db_without_a_path_is_explained(args: list[str], message: str) -> None:
    with pytest.raises(DesktopUsageError, match=message):
        desktop_arguments(args)
    result = respond(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_db_before_a_command_applies_to_that_command(tmp_path: Path) -> None:
    assert db_after_command(["--db", "x", "patients"]) == ["patients", "--db", "x"]
    assert db_after_command(["--db=x", "removed", "--json"]) == [
        "removed",
        "--json",
        "--db=x",
    ]
    assert db_after_command(["--db", "x"]) == ["--db", "x"]
    assert db_after_command(["--db", "x", "--demo"]) == ["--db", "x", "--demo"]
    assert db_after_command(["--db", "--demo"]) == ["--db", "--demo"]
    db = tmp_path / "one.sqlite3"
    imported = respond("import-case", str(EXAMPLE_CASE), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    listed = respond("--db", str(db), "patients")
    assert listed.returncode == 0, listed.stderr
    assert "HCC-0001" in listed.stdout
