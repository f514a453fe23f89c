"""`respond import-sr`: stores the reads of SR files; bad files exit 2 and say why."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    demo_srs_fixture,
    sr_demo_fixture,
)

from respond.cli import EXIT_BAD_INPUT, EXIT_OK, run
from respond.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.report.sr.srbuild import Demo


def respond(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_import_sr_stores_the_read_with_its_calipers(
    sr_demo: Demo, demo_srs: list[Path], tmp_path: Path
) -> None:
    db = tmp_path / "reads.sqlite3"
    files = [str(p) for p in demo_srs]
    code, out, err = respond(
        "import-sr", *files, "--images", str(sr_demo.dicom_root), "--db", str(db),
        "--reader", "dr-b",
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert (
        f"imported patient {sr_demo.read.patient.id}: 2 lesions, 3 time points" in out
    )
    assert "12 calipers" in out
    with open_store(db) as store:
        stored = store.load(sr_demo.read.patient.id)
    assert stored.lesions == sr_demo.read.lesions
    assert dict(stored.tracking_uids) == dict(sr_demo.read.tracking_uids)
    assert [tp.timepoint.targets for tp in stored.timepoints] == [
        tp.timepoint.targets for tp in sr_demo.read.timepoints
    ]
    assert [dict(tp.calipers) for tp in stored.timepoints] == [
        dict(tp.calipers) for tp in sr_demo.read.timepoints
    ]

    code, _, err = respond("import-sr", *files, "--db", str(db))
    assert code == EXIT_BAD_INPUT
    assert "already in" in err
    assert "--replace" in err
    code, out, err = respond("import-sr", *files, "--db", str(db), "--replace")
    assert code == EXIT_OK, err
    assert "0 calipers" in out


def test_bad_files_exit_2_naming_the_file(sr_demo: Demo, tmp_path: Path) -> None:
    db = tmp_path / "reads.sqlite3"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    image = next(sr_demo.dicom_root.rglob("*.dcm"))
    for path, problem in ((text, "cannot be read as DICOM"), (image, "not a DICOM SR")):
        code, out, err = respond("import-sr", str(path), "--db", str(db))
        assert code == EXIT_BAD_INPUT
        assert not out
        (line,) = err.splitlines()
        assert str(path) in line
        assert problem in line
    with open_store(db) as store:
        assert not store.list_patients()


def test_command_line_reports_without_traceback(tmp_path: Path) -> None:
    text = tmp_path / "report.txt"
    text.write_text("not an SR\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "respond", "import-sr", str(text),
         "--db", str(tmp_path / "db.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert result.returncode == EXIT_BAD_INPUT
    assert "Traceback" not in result.stderr
    assert str(text) in result.stderr
