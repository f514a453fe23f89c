"""Loads and scans off the GUI thread, reported back as Qt signals.

Workers send the exception object itself (a :class:`~respond.errors.RespondError`
naming the item and what to do), never its text: the window's one error
reporter decides how to show it. A worker's thread is a boundary: anything
else that goes wrong there (a bug) is logged, by type and traceback only (its
message may name a patient or a file), and sent on as a RespondError saying
so, so no worker ever dies silently and the window always hears how it ended.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from respond.dicom import DicomError, LoadJob, SeriesLoadError, scan, scan_files
from respond.errors import RespondError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from respond.dicom import ScanResult, SeriesCandidate, Volume

__all__ = ["FilesScanWorker", "FolderScanWorker", "SeriesLoadWorker", "running"]

_RUNNING: set[QObject] = set()
"""Workers whose thread has not ended: kept alive (never a Qt child of a window).

A worker's thread emits its signals until it ends. Were the worker destroyed
meanwhile (its window closed, say), the thread would emit from a deleted
object, and PySide can deadlock destroying an object another thread emits
from. So a worker belongs to no window; it is held here from ``start`` until
its thread says ``ended`` (delivered on the GUI thread), then deleted there.
"""


_log = logging.getLogger(__name__)


def running() -> int:
    """Return how many workers' threads have not ended yet."""
    return len(_RUNNING)


def _unexpected(exc: BaseException, what: str, series_uid: str = "") -> RespondError:
    """Log an unexpected failure (no message: it may identify) and word it.

    The log gets the exception's type and traceback, whose lines are code, not
    data; the reader gets a RespondError naming what failed and what to do.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    _log.error("%s failed: %s\n%s", what, type(exc).__name__, frames)
    text = (
        f"{what} failed: an unexpected error in respond ({type(exc).__name__}). "
        "Nothing you measured is lost; try again, and if it happens again report "
        "it with the log"
    )
    error: RespondError = (
        SeriesLoadError(text, series_uid=series_uid) if series_uid else DicomError(text)
    )
    error.__cause__ = exc
    return error


class _Worker(QObject):
    """Held alive from :meth:`_hold` until its thread emits ``ended``."""

    ended = Signal()

    def __init__(self) -> None:
        super().__init__(None)
        self.ended.connect(self._release, Qt.ConnectionType.QueuedConnection)

    def _hold(self) -> None:
        _RUNNING.add(self)

    def _release(self) -> None:
        _RUNNING.discard(self)
        self.deleteLater()


class SeriesLoadWorker(_Worker):
    """Loads one series: first the middle slice, then the rest, cancellable."""

    started = Signal(object)  # provisional Volume (first slice painted)
    slice_loaded = Signal(int)
    finished = Signal(object)  # final Volume
    failed = Signal(object)  # the RespondError
    cancelled = Signal()
    progress = Signal(int, int)

    def __init__(self, candidate: SeriesCandidate) -> None:
        super().__init__()
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
        except Exception as exc:  # noqa: BLE001 - the worker's boundary: reported
            self.failed.emit(self._unexpected(exc))
            return
        self._hold()
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

    def _unexpected(self, exc: BaseException) -> RespondError:
        return _unexpected(
            exc,
            f"loading series {self.candidate.series_number or ''}".rstrip(),
            self.candidate.series_uid or "?",
        )

    def _wait(self) -> None:
        job = self._job
        try:
            assert job is not None
            volume: Volume = job.result()
        except RespondError as exc:
            if not self._cancelled:
                self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            error = self._unexpected(exc)  # logged even when cancelled
            if not self._cancelled:
                self.failed.emit(error)
        else:
            self._job = None  # the window keeps the volume; the worker lets it go
            self.finished.emit(volume)
        finally:
            self.ended.emit()


class FolderScanWorker(_Worker):
    """Examines a folder or DICOMDIR on a background thread.

    It signals twice (the result or the error, then ``ended``), not once per
    file: a signal emitted from a plain Python thread while the GUI thread
    builds widgets is where PySide has been seen to deadlock.
    """

    finished = Signal(object)  # ScanResult
    failed = Signal(object)  # the RespondError

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def start(self) -> None:
        """Start the scan."""
        self._hold()
        threading.Thread(target=self._run, name="respond-scan", daemon=True).start()

    def _run(self) -> None:
        try:
            result = scan(self.path)
        except RespondError as exc:
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            self.failed.emit(_unexpected(exc, "examining the folder"))
        else:
            self.finished.emit(result)
        finally:
            self.ended.emit()


class FilesScanWorker(_Worker):
    """Reads the headers of listed files (a patient's indexed images) off the GUI."""

    finished = Signal(object)  # ScanResult
    failed = Signal(object)  # the RespondError

    def __init__(self, files: Sequence[str], root: str) -> None:
        super().__init__()
        self.files, self.root = list(files), root

    def start(self) -> None:
        """Start reading."""
        self._hold()
        threading.Thread(
            target=self._run, name="respond-scan-files", daemon=True
        ).start()

    def _run(self) -> None:
        try:
            result: ScanResult = scan_files(self.files, root=self.root)
        except RespondError as exc:
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            self.failed.emit(_unexpected(exc, "reading the patient's images"))
        else:
            self.finished.emit(result)
        finally:
            self.ended.emit()
