"""PACS work off the GUI thread: echo, find, retrieve and send, as Qt signals.

Each worker runs one call of a :class:`respond.pacs.PacsClient` on a plain
thread and signals its end once (the result or the error, then ``ended``), as
the scan workers do. A retrieve also signals its first file (so the window can
show it while the rest arrives) and its progress, at most ten times a second.
A :class:`~respond.pacs.PacsError` names the node and what to do; anything else
is a bug, logged by type and traceback and worded as a RespondError.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal

from respond.errors import RespondError
from respond.ui.loader import _unexpected, _Worker

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.pacs import PacsClient, RetrieveProgress

__all__ = ["PacsCallWorker", "RetrieveWorker"]

_PROGRESS_EVERY_S = 0.1


class PacsCallWorker(_Worker):
    """Runs ``call(client)`` (echo, find, send) on a background thread."""

    finished = Signal(object)  # what the call returned
    failed = Signal(object)  # the RespondError

    def __init__(
        self, client: PacsClient, call: Callable[[PacsClient], Any], what: str
    ) -> None:
        super().__init__()
        self.client = client
        self.call = call
        self.what = what

    def start(self) -> None:
        """Start the call."""
        self._hold()
        threading.Thread(target=self._run, name="respond-pacs", daemon=True).start()

    def _run(self) -> None:
        try:
            result = self.call(self.client)
        except RespondError as exc:
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            self.failed.emit(_unexpected(exc, self.what))
        else:
            self.finished.emit(result)
        finally:
            self.ended.emit()


class RetrieveWorker(_Worker):
    """Retrieves one study into a folder, with progress and cancel.

    Signals
    -------
    first_file(path)
        The first instance is on disk (shown while the rest arrives).
    progress(done, total)
        Instances received so far; total is -1 while unknown.
    finished(result)
        The :class:`~respond.pacs.RetrieveResult` (also when cancelled).
    failed(error)
        A RespondError naming the node and what to do.
    """

    first_file = Signal(object)
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, client: PacsClient, study_uid: str, dest: Path) -> None:
        super().__init__()
        self.client = client
        self.study_uid = study_uid
        self.dest = dest
        self.cancel_event = threading.Event()
        self._first_sent = False
        self._last_progress = 0.0

    def start(self) -> None:
        """Start the retrieve."""
        self._hold()
        threading.Thread(
            target=self._run, name="respond-pacs-retrieve", daemon=True
        ).start()

    def cancel(self) -> None:
        """Ask the retrieve to stop (files already received are kept)."""
        self.cancel_event.set()

    def _on_progress(self, step: RetrieveProgress) -> None:
        if not self._first_sent and step.last_path is not None:
            self._first_sent = True
            self.first_file.emit(step.last_path)
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_EVERY_S:
            self._last_progress = now
            total = -1 if step.total is None else step.total
            self.progress.emit(step.done, total)

    def _run(self) -> None:
        try:
            result = self.client.retrieve_study(
                self.study_uid,
                self.dest,
                progress=self._on_progress,
                cancel=self.cancel_event,
            )
        except RespondError as exc:
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            self.failed.emit(_unexpected(exc, "retrieving the study"))
        else:
            self.finished.emit(result)
        finally:
            self.ended.emit()
