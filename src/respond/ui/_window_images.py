"""The main window's images: a patient's studies found through the image index.

Every folder or DICOMDIR opened is scanned in the background and indexed in
the store (study, series and SOP instance UIDs to files), so a patient's time
points are found again in any indexed folder: baseline and follow-up may have
been exported to different places. Files that have gone are dropped from the
index; a time point whose study is found nowhere says which one and offers to
locate it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from respond.dicom import indexed_images, merge_scans
from respond.ui.loader import FilesScanWorker, FolderScanWorker
from respond.ui.series_browser import suggested_arterial

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import QObject
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QStatusBar

    from respond.criteria import TimePointRecord
    from respond.dicom import ScanResult, SeriesCandidate, StudyEntry
    from respond.session import ReadingStore, ReadSession
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.prompts import Prompts
    from respond.ui.recent import RecentPaths
    from respond.ui.series_browser import SeriesBrowserPanel

__all__ = ["ImagesMixin"]


class ImagesMixin:
    """Finding, scanning and indexing images (mixed into MainWindow)."""

    session: ReadSession | None
    store: ReadingStore
    scan_result: ScanResult | None
    _folder_scan: ScanResult | None
    _patient_scan: ScanResult | None
    _finding_images: bool
    current_uid: str
    prompts: Prompts
    errors: ErrorReporter
    recent: RecentPaths
    recent_menu: QMenu
    browser: SeriesBrowserPanel
    compare: QAction
    _then: dict[QObject, Callable[[ScanResult], None] | None]
    _generation: int
    _image_studies: frozenset[str]
    _image_base: list[ScanResult]

    if TYPE_CHECKING:

        def statusBar(self) -> QStatusBar: ...
        def sender(self) -> QObject: ...
        def _fill_timepoints(self) -> None: ...
        def _show_timepoint_images(self) -> None: ...
        def _load_prior(self) -> None: ...
        def navigator_changed(self) -> None: ...

    def find_images(self) -> FilesScanWorker | None:
        """Look up the open patient's studies in the image index, in the background.

        Files that have gone are dropped from the index; a time point whose study
        is found nowhere says so and offers to locate it.
        """
        if self.session is None:
            return None
        studies = {tp.study_uid for tp in self.session.read.timepoints if tp.study_uid}
        self._image_studies = frozenset(studies)
        # Studies read already (the patient's, or the folder just opened) are
        # not read again: only the others are looked up and scanned.
        self._image_base = [
            self._keep_studies(scan)
            for scan in (self._patient_scan, self._folder_scan)
            if scan is not None
        ]
        known = {study.uid for scan in self._image_base for study in _studies(scan)}
        present: list[str] = []
        gone: list[str] = []
        for study_uid in sorted(studies - known):
            for image in self.store.study_images(study_uid):
                (present if os.path.isfile(image.path) else gone).append(image.path)
        if gone:
            self.store.forget_images(gone)
        if not present:
            self._finding_images = False
            self._patient_scan = merge_scans(self._image_base) if known else None
            self._update_scan()
            return None
        root = os.path.commonpath([os.path.dirname(p) for p in present])
        worker = FilesScanWorker(present, root)
        worker.setProperty("generation", self._generation)
        worker.finished.connect(self._on_patient_images_found)
        worker.failed.connect(self._on_patient_images_failed)
        self._finding_images = True
        worker.start()
        return worker

    def _from_open_patient(self) -> bool:
        """Whether the signal being handled is about the patient open now."""
        sender = self.sender()
        return sender is not None and bool(
            sender.property("generation") == self._generation
        )

    def _on_patient_images_found(self, result: ScanResult) -> None:
        if not self._from_open_patient():
            return
        self._finding_images = False
        self._patient_scan = merge_scans([*self._image_base, self._own_studies(result)])
        self._update_scan()

    def _own_studies(self, result: ScanResult) -> ScanResult:
        """Keep the patient's studies; drop index rows whose file holds another now.

        A folder reused for another export leaves index rows pointing at files
        of another study: they are forgotten (the study is then looked for, or
        located, again).
        """
        wanted = self._image_studies
        stale = [
            os.fspath(frame.path)
            for series in result.series
            if series.study_uid not in wanted
            for frame in series.frames
        ]
        if stale:
            self.store.forget_images(stale)
        return self._keep_studies(result)

    def _keep_studies(self, result: ScanResult) -> ScanResult:
        """Return the scan with only the open patient's studies."""
        wanted = self._image_studies
        patients = tuple(
            dataclasses.replace(
                patient,
                studies=tuple(s for s in patient.studies if s.uid in wanted),
            )
            for patient in result.patients
        )
        return dataclasses.replace(
            result, patients=tuple(p for p in patients if p.studies)
        )

    def _on_patient_images_failed(self, error: Exception) -> None:
        if self._from_open_patient():
            self._finding_images = False
            self._update_scan()
            self.errors.report(error)

    def _update_scan(self) -> None:
        """Show the patient's images and the opened folder together."""
        scans = [s for s in (self._patient_scan, self._folder_scan) if s is not None]
        self.scan_result = merge_scans(scans) if scans else None
        if self.scan_result is not None:
            labels = {}
            if self.session is not None:
                labels = {
                    tp.study_uid: tp.label
                    for tp in self.session.read.timepoints
                    if tp.study_uid
                }
            self.browser.show_scan(self.scan_result, labels)
        else:
            self.browser.clear()
        if self.session is not None:
            self._fill_timepoints()
            if self.current_uid:
                self._show_timepoint_images()
                if self.compare.isChecked():
                    self._load_prior()
            self.navigator_changed()

    def locate_images(self) -> None:
        """Ask where the missing images are now; the folder is indexed."""
        path = self.prompts.folder("Locate the images (a folder or DICOMDIR's folder)")
        if path is not None:
            self.open_folder(path)

    def _ask_folder(self) -> None:
        folder = self.prompts.folder("Open a DICOM folder")
        if folder is not None:
            self.open_folder(folder)

    def _ask_dicomdir(self) -> None:
        path = self.prompts.dicomdir()
        if path is not None:
            self.open_folder(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent.paths():
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_folder(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def open_folder(
        self,
        path: Path,
        then: Callable[[ScanResult], None] | None = None,
    ) -> FolderScanWorker:
        """Examine a folder (or DICOMDIR) in the background, index and list it.

        ``then`` is called with the scan once it is indexed (e.g. to choose a
        study from it).
        """
        self.recent.add(path)
        worker = FolderScanWorker(path)
        worker.setProperty("generation", self._generation)
        self._then[worker] = then
        worker.finished.connect(self._on_folder_scanned)
        worker.failed.connect(self._on_folder_failed)
        self.statusBar().showMessage(f"Examining {path} …")
        worker.start()
        return worker

    def _on_folder_scanned(self, result: ScanResult) -> None:
        worker = self.sender()
        if not isinstance(worker, FolderScanWorker):
            return
        then = self._then.pop(worker, None)
        if worker.property("generation") != self._generation:
            # A patient was opened or closed meanwhile (or the demo left): the
            # scan is of no use to what is open now, nor its database.
            return
        self._on_scan_finished(result, worker.path, then)

    def _on_folder_failed(self, error: Exception) -> None:
        sender = self.sender()
        if sender is not None:
            self._then.pop(sender, None)
        self.errors.report(error)

    def _on_scan_finished(
        self,
        result: ScanResult,
        path: Path,
        then: Callable[[ScanResult], None] | None,
    ) -> None:
        try:
            self.store.index_images(
                os.fspath(Path(path).absolute()), indexed_images(result)
            )
        except Exception as exc:  # noqa: BLE001 - the scan is still shown
            self.errors.report(exc)
        self._folder_scan = result
        self.statusBar().showMessage(
            f"{len(result.series)} series, {len(result.non_image)} non-image, "
            f"{len(result.unreadable)} unreadable",
            5000,
        )
        self._update_scan()
        if then is not None:
            then(result)
        else:
            self._hint_new_studies(result)

    def _hint_new_studies(self, result: ScanResult) -> None:
        """Say when a folder holds studies of the open patient not yet read."""
        if self.session is None:
            return
        pid = self.session.read.patient.id
        known = {tp.study_uid for tp in self.session.read.timepoints}
        new = [
            s
            for p in result.patients
            if p.id == pid
            for s in p.studies
            if s.uid not in known
        ]
        if new:
            self.statusBar().showMessage(
                f"{len(new)} study(ies) of {pid} in this folder are not time points "
                "yet: File > Add study… (or the series list) adds them",
                10000,
            )

    def _find_series(self, series_uid: str) -> SeriesCandidate | None:
        if self.scan_result is None or not series_uid:
            return None
        for series in self.scan_result.series:
            if series.series_uid == series_uid:
                return series
        return None

    def _series_for(self, record: TimePointRecord) -> SeriesCandidate | None:
        """Return the series a time point is read on, if its images are found.

        Its own series; else the arterial series of its study (mRECIST measures
        there, as the series list stars it); else the study's largest series.
        """
        if self.scan_result is None:
            return None
        own = self._find_series(record.series_uid)
        if own is not None:
            return own
        study = self.scan_result.study(record.study_uid) if record.study_uid else None
        if study is None or not study.series:
            return None
        series = [s for s in study.series if not s.is_localizer] or list(study.series)
        return suggested_arterial(study.series) or max(
            series, key=lambda s: s.image_count
        )

    def _missing(self, record: TimePointRecord) -> bool:
        return (
            not self._finding_images
            and bool(record.study_uid or record.series_uid)
            and self._series_for(record) is None
        )

    def _missing_text(self, record: TimePointRecord) -> str:
        study = record.study_uid or "not linked to a study"
        return (
            f"The images of {record.label} ({record.date.isoformat()}) are not "
            f"found: study {study} is in none of the folders respond has indexed "
            "(moved, renamed or on another disk?). Locate its folder or DICOMDIR "
            "and respond remembers it."
        )


def _studies(result: ScanResult) -> list[StudyEntry]:
    return [study for patient in result.patients for study in patient.studies]
