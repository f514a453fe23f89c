"""The click-to-measure worker: :func:`respond.measure.propose` off the GUI thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from respond.errors import RespondError
from respond.measure import propose
from respond.ui.loader import _unexpected, _Worker

if TYPE_CHECKING:
    from respond.dicom import Volume

__all__ = ["MeasureWorker"]


class MeasureWorker(_Worker):
    """Runs :func:`respond.measure.propose` for one click on a plain thread."""

    finished = Signal(int, object)  # (ticket, Proposal)
    failed = Signal(int, object)  # (ticket, RespondError)

    def __init__(
        self,
        ticket: int,
        volume: Volume,
        point_mm: tuple[float, float, float],
        arterial: Volume | None,
    ) -> None:
        super().__init__()
        self.ticket = ticket
        self.volume, self.point_mm, self.arterial = volume, point_mm, arterial

    def start(self) -> None:
        """Start measuring."""
        self._hold()
        threading.Thread(target=self._run, name="respond-measure", daemon=True).start()

    def _run(self) -> None:
        try:
            proposal = propose(self.volume, self.point_mm, arterial=self.arterial)
        except RespondError as exc:
            self.failed.emit(self.ticket, exc)
        except Exception as exc:  # noqa: BLE001 - the worker thread's boundary
            self.failed.emit(self.ticket, _unexpected(exc, "measuring the lesion"))
        else:
            self.finished.emit(self.ticket, proposal)
        finally:
            self.ended.emit()
