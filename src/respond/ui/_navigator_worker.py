"""Key images cut and drawn as thumbnails off the GUI thread.

The worker calls the application's key image source (which reads DICOM files)
and draws each key image as a thumbnail on a plain thread, as the scan
workers do. Thumbnails are sent in batches, at most ten times a second (a
signal per cell from a plain thread is what the scan workers avoid), then the
end once: ``finished`` or ``failed``, then ``ended``. A cancelled worker stops
between key images and sends nothing more but ``ended``; a source already
running is not interrupted, its result is dropped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage

from respond.errors import RespondError
from respond.ui._navigator_thumbnail import THUMBNAIL_PX, render_thumbnail
from respond.ui.loader import _unexpected, _Worker

if TYPE_CHECKING:
    from respond.criteria import PatientRead
    from respond.ui._navigator_thumbnail import KeyImageSource, KeyImageView

__all__ = ["Thumbnail", "ThumbnailWorker"]

_BATCH_EVERY_S: Final = 0.1


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A key image drawn for one cell, or why it could not be."""

    lesion_id: str
    timepoint_label: str
    image: QImage | None
    missing: str = ""
    location_text: str = ""


def thumbnail_of(key_image: KeyImageView, size: int = THUMBNAIL_PX) -> Thumbnail:
    """Draw one key image (off the GUI thread)."""
    picture = render_thumbnail(key_image, size)
    missing = key_image.missing
    if picture is None and not missing:
        missing = "no image"
    return Thumbnail(
        key_image.lesion_id,
        key_image.timepoint_label,
        picture,
        missing,
        key_image.location_text,
    )


class ThumbnailWorker(_Worker):
    """Cuts a read's key images and draws them, on a background thread.

    Signals
    -------
    cells_ready(list[Thumbnail])
        Thumbnails drawn since the last batch.
    finished()
        Every key image the source gave is drawn.
    failed(error)
        The source failed: a RespondError naming what and what to do.
    """

    cells_ready = Signal(object)
    finished = Signal()
    failed = Signal(object)

    def __init__(
        self, read: PatientRead, source: KeyImageSource, size: int = THUMBNAIL_PX
    ) -> None:
        super().__init__()
        self.read = read
        self.source = source
        self.size = size
        self._cancel = threading.Event()

    @property
    def is_cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def start(self) -> None:
        """Start cutting and drawing."""
        self._hold()
        threading.Thread(
            target=self._run, name="respond-key-images", daemon=True
        ).start()

    def cancel(self) -> None:
        """Stop after the key image being drawn; nothing more is sent."""
        self._cancel.set()

    def _draw(self) -> None:
        batch: list[Thumbnail] = []
        sent = time.monotonic()
        for key_image in self.source(self.read):
            if self._cancel.is_set():
                return
            batch.append(thumbnail_of(key_image, self.size))
            if time.monotonic() - sent >= _BATCH_EVERY_S:
                self.cells_ready.emit(batch)
                batch, sent = [], time.monotonic()
        if self._cancel.is_set():
            return
        if batch:
            self.cells_ready.emit(batch)
        self.finished.emit()

    def _run(self) -> None:
        try:
            self._draw()
        except RespondError as exc:
            if not self._cancel.is_set():
                self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            error = _unexpected(exc, "cutting the key images")  # logged anyway
            if not self._cancel.is_set():
                self.failed.emit(error)
        finally:
            self.ended.emit()
