"""One series loader for a viewer pane: the current and the prior pane use it alike.

It starts a background load, paints the middle slice first, fills the rest in,
and ignores the signals of a replaced or cancelled load (even those already on
their way). Finished loads let their worker and its volume go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from respond.ui.loader import SeriesLoadWorker

if TYPE_CHECKING:
    from respond.dicom import SeriesCandidate, Volume
    from respond.ui.viewer import SliceView

__all__ = ["PaneLoader"]


class PaneLoader(QObject):
    """Loads series into one :class:`SliceView`.

    Signals
    -------
    shown(series)
        The first slice of ``series`` is on screen.
    loaded(series, volume)
        Every slice is in.
    failed(series, error)
        The load failed (the error names the file and what to do).
    progress(done, total)
        Slices loaded so far.
    busy(bool)
        A load started (True) or ended (False).
    """

    shown = Signal(object)
    loaded = Signal(object, object)
    failed = Signal(object, object)
    progress = Signal(int, int)
    busy = Signal(bool)

    def __init__(self, view: SliceView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.series: SeriesCandidate | None = None
        """The series shown (or loading) in the view."""
        self._worker: SeriesLoadWorker | None = None

    @property
    def loading(self) -> bool:
        """Whether a load is in progress."""
        return self._worker is not None

    def load(self, series: SeriesCandidate) -> SeriesLoadWorker:
        """Load ``series`` in the background; it replaces any load before it."""
        self.cancel(quiet=True)
        self.series = series
        worker = SeriesLoadWorker(series)
        worker.started.connect(self._on_started)
        worker.slice_loaded.connect(self._on_slice_loaded)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self.busy.emit(True)
        worker.start()
        return worker

    def cancel(self, *, quiet: bool = False) -> None:
        """Stop the load in progress; what is shown stays."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.cancel()  # it deletes itself once its thread has ended
        if not quiet:
            self.busy.emit(False)

    def forget(self) -> None:
        """Stop any load and forget the series (the pane shows something else)."""
        self.cancel()
        self.series = None

    def _current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_started(self, volume: Volume) -> None:
        if self._current():
            self.view.set_volume(volume)
            self.shown.emit(self.series)

    def _on_slice_loaded(self, k: int) -> None:
        if self._current():
            self.view.refresh_slice(k)

    def _on_progress(self, done: int, total: int) -> None:
        if self._current():
            self.progress.emit(done, total)

    def _on_finished(self, volume: Volume) -> None:
        if not self._current():
            return
        self._worker = None
        if self.view.volume is None or self.view.volume.voxels is not volume.voxels:
            self.view.set_volume(volume)
            self.shown.emit(self.series)
        self.busy.emit(False)
        self.loaded.emit(self.series, volume)

    def _on_failed(self, error: Exception) -> None:
        if not self._current():
            return
        self._worker = None
        self.busy.emit(False)
        self.failed.emit(self.series, error)
