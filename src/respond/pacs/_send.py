"""Bookkeeping of a send: which files went, which were refused and why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pydicom
from pydicom.errors import InvalidDicomError

from respond.pacs.model import SendFailure, SendProgress, SendResult

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterator, Sequence


def read_dicom(path: Path, *, header_only: bool = False) -> pydicom.Dataset | str:
    """Return the file's dataset, or why it cannot be sent."""
    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=header_only)
    except FileNotFoundError:
        return "no such file"
    except (InvalidDicomError, OSError, ValueError, EOFError) as exc:
        return f"not a readable DICOM file ({str(exc)[:120] or type(exc).__name__})"
    meta = getattr(dataset, "file_meta", None)
    missing = [
        k for k in ("SOPClassUID", "SOPInstanceUID") if not str(dataset.get(k, ""))
    ]
    if missing or meta is None or "TransferSyntaxUID" not in meta:
        what = ", ".join(missing) or "the file meta's TransferSyntaxUID"
        return f"not a DICOM instance file (no {what})"
    return dataset


class SendBatch:
    """The files of one send, their progress and their outcome."""

    def __init__(
        self,
        paths: Sequence[Path],
        progress: Callable[[SendProgress], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self._progress = progress
        self._cancel = cancel
        self._sent: list[Path] = []
        self._failed: list[SendFailure] = []
        self._handled: set[Path] = set()
        self.cancelled = False

    @property
    def is_cancelled(self) -> bool:
        """True once the cancel event is set (it is then remembered)."""
        if self._cancel is not None and self._cancel.is_set():
            self.cancelled = True
        return self.cancelled

    def datasets(
        self, *, header_only: bool = False
    ) -> Iterator[tuple[Path, pydicom.Dataset]]:
        """Each readable file and its dataset; unreadable ones are failed here."""
        for path in self.paths:
            if self.is_cancelled:
                return
            dataset = read_dicom(path, header_only=header_only)
            if isinstance(dataset, str):
                self.failed(path, dataset)
                continue
            yield path, dataset

    def done(self, path: Path, failure: str | None = None) -> None:
        """Record one file sent (or refused, with ``failure``)."""
        if failure is not None:
            self.failed(path, failure)
            return
        self._sent.append(path)
        self._handled.add(path)
        self._report(path)

    def failed(self, path: Path, reason: str) -> None:
        """Record one file not stored, and why."""
        self._failed.append(SendFailure(path, reason))
        self._handled.add(path)
        self._report(path)

    def _report(self, path: Path) -> None:
        if self._progress is not None:
            self._progress(SendProgress(len(self._handled), len(self.paths), path))

    @property
    def sent_count(self) -> int:
        """Files stored so far."""
        return len(self._sent)

    def result(self) -> SendResult:
        """Return the outcome; files never tried (after a cancel) are ``not_sent``."""
        rest = tuple(p for p in self.paths if p not in self._handled)
        return SendResult(tuple(self._sent), tuple(self._failed), self.cancelled, rest)
