"""A case exported to a file holds patient data: it is readable by the user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE_CASE


def respond(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "RESPOND_READER": "tester"},
        preexec_fn=lambda: os.umask(0o022),
    )


def test_export_case_writes_a_private_file(tmp_path: Path) -> None:
    db = tmp_path / "reads.sqlite3"
    assert respond("import-case", str(EXAMPLE_CASE), "--db", str(db)).returncode == 0
    out = tmp_path / "export.json"
    done = respond("export-case", "HCC-0001", "--db", str(db), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
