"""Commands print patients' text with its control characters escaped.

A name, id or label holding ``ESC[31m`` or a carriage return comes from a case
file, an SR or a DICOM header; printed raw it would recolour or rewrite the
reader's terminal. Every command shows it as ``\\x1b[31m`` and ``\\r``.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from typing import TYPE_CHECKING

import pydicom
import pytest

from respond.cli import EXIT_BAD_INPUT, EXIT_OK, run
from respond.criteria.model import Patient
from respond.errors import RespondError
from respond.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    from respond.criteria.record import PatientRead
    from respond.demo import DemoSetup

RED, CR = "\x1b[31m", "\r"
NAME = f"Doe{RED}^Ja{CR}ne"
RAW = ("\x1b", "\r", "\x9b", "\x08")


def respond(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def _clean(text: str) -> None:
    assert not [c for c in RAW if c in text], repr(text)


@pytest.fixture
def db(demo_read: PatientRead, tmp_path: Path) -> Path:
    path = tmp_path / "reads.sqlite3"
    read = replace(
        demo_read,
        patient=Patient("ESC-1", NAME),
        timepoints=(
            replace(
                demo_read.timepoints[0],
                timepoint=replace(demo_read.timepoints[0].timepoint, label=f"BL{CR}X"),
            ),
            *demo_read.timepoints[1:],
        ),
    )
    try:
        with open_store(path) as store:
            store.create_patient(read, who="test")
    except RespondError as exc:  # the store may refuse such text outright
        pytest.skip(f"the store refuses control characters: {exc}")
    return path


def test_patients_and_assess_escape_names_and_labels(db: Path) -> None:
    code, out, err = respond("patients", "--db", str(db))
    assert code == EXIT_OK, err
    _clean(out)
    assert "ESC-1  Doe\\x1b[31m^Ja\\rne" in out
    assert "BL\\rX" in out
    code, out, err = respond("assess", "--db", str(db), "ESC-1")
    assert code == EXIT_OK, err
    _clean(out)
    assert "BL\\rX" in out


def test_messages_escape_what_was_typed(db: Path, tmp_path: Path) -> None:
    code, _, err = respond(
        "report", f"NOPE{RED}{CR}", "--csv", str(tmp_path / "x.csv"), "--db", str(db)
    )
    assert code == EXIT_BAD_INPUT
    _clean(err)
    assert "NOPE\\x1b[31m\\r" in err
    assert len(err.splitlines()) == 1


@pytest.mark.filterwarnings("ignore:Found unknown escape sequence:UserWarning")
def test_report_and_import_sr_escape_what_they_print(
    db: Path, demo: DemoSetup, tmp_path: Path
) -> None:
    folder = tmp_path / f"sr{RED}"
    code, out, err = respond(
        "report", "ESC-1", "--sr", str(folder), "--db", str(db),
        "--images", str(demo.dicom_root),
    )  # fmt: skip
    assert code == EXIT_OK, err
    _clean(out)
    assert "sr\\x1b[31m" in out
    files = sorted(str(p) for p in folder.iterdir())
    code, out, err = respond("import-sr", *files, "--db", str(tmp_path / "b.db"))
    assert code == EXIT_OK, err
    _clean(out + err)
    code, out, err = respond("patients", "--db", str(tmp_path / "b.db"))
    _clean(out + err)
    assert "Doe\\x1b[31m^Ja\\rne" in out


def test_series_and_patient_new_escape_dicom_headers(
    demo: DemoSetup, tmp_path: Path
) -> None:
    folder = tmp_path / "study"
    shutil.copytree(demo.dicom_root / "BL", folder)
    for path in folder.rglob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.PatientName = NAME
        ds.StudyDescription = f"CT{CR}liver"
        ds.save_as(path)
    code, out, err = respond("series", str(folder))
    assert code == EXIT_OK, err
    _clean(out)
    assert "Doe\\x1b[31m^Ja\\rne" in out
    assert "CT\\rliver" in out
    code, out, err = respond(
        "patient", "new", str(folder), "--db", str(tmp_path / "c.db")
    )
    _clean(out + err)
    assert "Doe\\x1b[31m" in out + err
    assert "Ja\\rne" in out + err
