"""`respond import-sr`: stores the reads of SR files; bad files exit 2 and say why."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

from highdicom.sr import CodeContentItem, RelationshipTypeValues
from pydicom import dcmread
from tests.integration.report.conftest import BIRTH, NAME, PATIENT_ID
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    demo_srs_fixture,
    sr_demo_fixture,
)
from tests.integration.report.sr.srtree import named

from respond.cli import EXIT_BAD_INPUT, EXIT_OK, run
from respond.criteria import NonTargetStatus
from respond.report.sr import codes as c
from respond.report.sr import write_sr
from respond.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.report.sr.srbuild import Demo

    from respond.criteria import PatientRead


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


def test_files_may_follow_images(
    sr_demo: Demo, demo_srs: list[Path], tmp_path: Path
) -> None:
    db = tmp_path / "reads.sqlite3"
    code, out, err = respond(
        "import-sr", "--images", str(sr_demo.dicom_root), *map(str, demo_srs),
        "--db", str(db),
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert "12 calipers" in out
    assert "not restored" not in out


def test_calipers_left_behind_are_counted(
    sr_demo: Demo, demo_srs: list[Path], tmp_path: Path
) -> None:
    files = [str(p) for p in demo_srs]
    code, out, err = respond("import-sr", *files, "--db", str(tmp_path / "a.db"))
    assert code == EXIT_OK, err
    assert "note: 12 calipers were not restored" in out
    assert "pass --images" in out
    baseline = sr_demo.dicom_root / "BL"
    code, out, err = respond(
        "import-sr", *files, "--images", str(baseline), "--db", str(tmp_path / "b.db")
    )
    assert code == EXIT_OK, err
    restored = re.search(r"(\d+) calipers into", out)
    left = re.search(r"note: (\d+) calipers were not restored", out)
    assert restored is not None
    assert left is not None
    assert int(restored[1]) > 0
    assert int(restored[1]) + int(left[1]) == 12
    assert "not in the --images folders" in out


def test_files_are_read_before_image_folders_are_scanned(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an SR\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder"
    code, _, err = respond(
        "import-sr", str(text), "--images", str(missing), "--db", str(tmp_path / "db")
    )
    assert code == EXIT_BAD_INPUT
    assert str(text) in err
    assert str(missing) not in err


def test_a_batch_is_checked_whole_before_anything_is_stored(
    sr_demo: Demo, demo_srs: list[Path], tmp_path: Path
) -> None:
    good = write_sr(sr_demo.read, sr_demo.images, tmp_path / "a", deidentified=True)
    # the demo patient's new finding given a non-target status: not storable
    odd = []
    for path in demo_srs:
        ds = dcmread(path)
        for group in named(ds, "125007", "DCM"):
            (ident,) = named(group, "112039", "DCM")
            if ident.TextValue.startswith("X"):
                group.ContentSequence.append(
                    CodeContentItem(
                        name=c.NON_TARGET_STATUS,
                        value=c.NON_TARGET_STATUSES[NonTargetStatus.PRESENT],
                        relationship_type=RelationshipTypeValues.CONTAINS,
                    )
                )
        odd.append(tmp_path / path.name)
        ds.save_as(odd[-1])
    db = tmp_path / "reads.sqlite3"
    code, out, err = respond(
        "import-sr", *map(str, [*good, *odd]), "--db", str(db)
    )  # fmt: skip
    assert code == EXIT_BAD_INPUT
    assert not out
    assert sr_demo.read.patient.id in err
    with open_store(db) as store:
        assert not store.list_patients()


def test_report_sr_deidentified_holds_no_original_date_or_id(
    sr_demo: Demo, identified_read: PatientRead, tmp_path: Path
) -> None:
    db = tmp_path / "reads.sqlite3"
    with open_store(db) as store:
        store.create_patient(identified_read, who="dr-a")
    outdir = tmp_path / "sr"
    code, _, err = respond(
        "report", PATIENT_ID, "--sr", str(outdir), "--deidentify", "--salt", "s",
        "--images", str(sr_demo.dicom_root), "--db", str(db),
    )  # fmt: skip
    assert code == EXIT_OK, err
    paths = sorted(outdir.iterdir())
    assert len(paths) == len(identified_read.timepoints)
    secrets = {PATIENT_ID, *NAME.replace("^", " ").split(), BIRTH.strftime("%Y%m%d")}
    for tp in identified_read.timepoints:
        secrets |= {tp.date.strftime("%Y%m%d"), tp.date.isoformat()}
    secrets.add(dt.date.today().strftime("%Y%m%d"))
    for path in paths:
        assert PATIENT_ID not in path.name
        ds = dcmread(path)
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.DeidentificationMethod
        assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
        data = path.read_bytes()
        leaks = {s for s in secrets if s.encode() in data}
        assert not leaks, f"{path.name} holds {leaks}"
