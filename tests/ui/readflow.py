"""Helpers for reading real studies in the main window as a user does.

``ScriptedPrompts`` answers the window's questions from a script (the folder to
open, the study to take, yes or no); ``follow_up_copy`` makes a follow-up study
of a real series: the same images with new UIDs and a later date, as a scanner
would write the next examination of the same patient.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydicom
from pydicom.uid import generate_uid
from tests.conftest import SHARED

from respond.ui.prompts import Prompts

if TYPE_CHECKING:
    from respond.dicom import ScanResult
    from respond.ui.main_window import MainWindow

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"
NO_LIVER = f"the shared liver CT is not here ({LIVER.name}); a fresh clone lacks it"
WAIT_MS = 60000


class ScriptedPrompts(Prompts):
    """Answers from queues; an unexpected question fails the test."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.folders: deque[Path | None] = deque()
        self.studies: deque[Any] = deque()
        self.answers: deque[bool] = deque()
        self.asked: list[str] = []

    def folder(self, title: str) -> Path | None:
        self.asked.append(title)
        return self.folders.popleft()

    def study(self, result: ScanResult, *, title: str, known_patients: Any = ()) -> Any:
        self.asked.append(title)
        pick = self.studies.popleft()
        if callable(pick):
            return pick(result)
        patient = result.patients[0]
        return patient, patient.studies[0], None

    def confirm(self, title: str, text: str, *, default_yes: bool = False) -> bool:
        self.asked.append(f"{title}: {text}")
        return self.answers.popleft()


def follow_up_copy(
    source: Path,
    target: Path,
    *,
    days: int,
    patient_id: str | None = None,
    patient_name: str | None = None,
    remove: int = 0,
) -> Path:
    """Copy a series as a later study: new UIDs, StudyDate + ``days``.

    ``patient_id`` makes it another patient's study; ``remove`` leaves out that
    many files at the end (a study exported incompletely).
    """
    target.mkdir(parents=True, exist_ok=True)
    study_uid, series_uid = generate_uid(), generate_uid()
    files = sorted(p for p in source.iterdir() if p.is_file())
    for path in files[: len(files) - remove]:
        ds = pydicom.dcmread(path)
        date = dt.datetime.strptime(ds.StudyDate, "%Y%m%d").date()
        later = (date + dt.timedelta(days=days)).strftime("%Y%m%d")
        for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
            if keyword in ds:
                setattr(ds, keyword, later)
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        if patient_id is not None:
            ds.PatientID = patient_id
        if patient_name is not None:
            ds.PatientName = patient_name
        ds.save_as(target / path.name)
    return target


def wait_shown(qtbot: Any, window: MainWindow, label: str) -> None:
    """Wait until the current pane shows the whole series of time point ``label``."""

    def ready() -> bool:
        caption = window.current_pane.caption.text()
        return (
            window.view.volume is not None
            and not window.loader.loading
            and window.current_pane.showing_images
            and f"· {label} ·" in caption
        )

    qtbot.waitUntil(ready, timeout=WAIT_MS)
