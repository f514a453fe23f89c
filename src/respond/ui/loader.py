"""Loads and scans off the GUI thread, reported back as Qt signals.

Workers send the exception object itself (a :class:`~respond.errors.RespondError`
naming the item and what to do), never its text: the window's one error
reporter decides how to show it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from respond.dicom import LoadJob, scan, scan_files
from respond.errors import RespondError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from respond.dicom import ScanResult, SeriesCandidate, Volume

__all__ = ["FilesScanWorker", "FolderScanWorker", "SeriesLoadWorker"]


class SeriesLoadWorker(QObject):
    """Loads one series: first the middle slice, then the rest, cancellable."""

    started = Signal(object)  # provisional Volume (first slice painted)
    slice_loaded = Signal(int)
    finished = Signal(object)  # final Volume
    failed = Signal(object)  # the RespondError
    cancelled = Signal()
    progress = Signal(int, int)

    def __init__(
        self, candidate: SeriesCandidate, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.candidate = candidate
        self._job: LoadJob | None = None
        self._cancelled = False

    def start(self) -> None:
        """Start loading on background threads."""
        try:
            self._job = LoadJob(self.candidate, on_slice=self._on_job_slice)
        except RespondError as exc:
            self.failed.emit(exc)
            return
        self._job.start()
        threading.Thread(
            target=self._wait, name="respond-load-wait", daemon=True
        ).start()

    def cancel(self) -> None:
        """Stop the load (the viewer keeps what was shown)."""
        self._cancelled = True
        if self._job is not None:
            self._job.cancel()
        self.cancelled.emit()

    def _on_job_slice(self, k: int) -> None:
        job = self._job
        if job is None:
            return
        if k == job.middle:
            self.started.emit(job.provisional_volume())
        self.slice_loaded.emit(k)
        self.progress.emit(*job.progress)

    def _wait(self) -> None:
        assert self._job is not None
        try:
            volume: Volume = self._job.result()
        except RespondError as exc:
            if not self._cancelled:
                self.failed.emit(exc)
            return
        self._job = None  # the window keeps the volume; the worker lets it go
        self.finished.emit(volume)


class FolderScanWorker(QObject):
    """Examines a folder or DICOMDIR on a background thread."""

    finished = Signal(object)  # ScanResult
    failed = Signal(object)  # the RespondError
    progress = Signal(int)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path

    def start(self) -> None:
        """Start the scan."""
        threading.Thread(target=self._run, name="respond-scan", daemon=True).start()

    def _run(self) -> None:
        try:
            result = scan(self.path, on_progress=lambda n, _p: self.progress.emit(n))
        except RespondError as exc:
            self.failed.emit(exc)
            return
        self.finished.emit(result)


class FilesScanWorker(QObject):
    """Reads the headers of listed files (a patient's indexed images) off the GUI."""

    finished = Signal(object)  # ScanResult
    failed = Signal(object)  # the RespondError
    progress = Signal(int)

    def __init__(
        self, files: Sequence[str], root: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.files, self.root = list(files), root

    def start(self) -> None:
        """Start reading."""
        threading.Thread(
            target=self._run, name="respond-scan-files", daemon=True
        ).start()

    def _run(self) -> None:
        try:
            result: ScanResult = scan_files(
                self.files,
                root=self.root,
                on_progress=lambda n, _p: self.progress.emit(n),
            )
        except RespondError as exc:
            self.failed.emit(exc)
            return
        self.finished.emit(result)
