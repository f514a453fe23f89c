"""Python's garbage collector runs on the GUI thread only.

A collection runs on whichever thread allocates when a threshold is crossed.
On a scan or load thread it may free a cycle holding Qt widgets (a closed
window and the slots that refer to it): Qt then destroys them off the GUI
thread while the GUI thread waits for a Qt lock with the GIL held, and both
threads hang (seen in the tests). As pyqtgraph's GarbageCollector does, the
automatic collector is switched off and the GUI thread collects on a timer.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["MainThreadCollector"]


class MainThreadCollector(QObject):
    """Collects garbage on the GUI thread, a generation at a time, when due.

    Parameters
    ----------
    interval_ms
        How often to look at the collector's counts.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._interval_ms = interval_ms

    def start(self) -> None:
        """Switch off automatic collection; collect on the timer from now on."""
        gc.disable()
        self._timer.start(self._interval_ms)

    def stop(self) -> None:
        """Give collection back to Python."""
        self._timer.stop()
        gc.enable()

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return
