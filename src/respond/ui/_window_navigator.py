"""The lesion navigator in the main window (part of MainWindow).

The Navigator tab of the read panel shows every lesion at every time point as
key images with their values (see :mod:`respond.ui.navigator`). It is drawn
again, a moment after the read or its images change, while it is the tab
shown (N shows it). A click on a cell makes that time point current with its
prior beside it (1 x 2 at least) and opens both panes at the lesion once the
series are shown.

The key images come from the application (``navigator_images``, like the PDF
export): the ui does not read image files itself.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence

from respond.ui.navigator import LesionNavigator

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from PySide6.QtWidgets import QMenu, QTabWidget

    from respond.criteria import PatientRead
    from respond.dicom import ScanResult
    from respond.session import ReadSession
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.lesion_panel import LesionPanel
    from respond.ui.navigator import KeyImageView
    from respond.ui.series_loader import PaneLoader

    NavigatorImages = Callable[
        [PatientRead, Sequence[ScanResult], Sequence[Path]], Iterable[KeyImageView]
    ]

__all__ = ["NavigatorMixin"]

_REDRAW_MS: Final = 400
"""How long the read must stay unchanged before the matrix is drawn again."""


class NavigatorMixin:
    """The Navigator tab: built once, shown for each open patient."""

    navigator_images: NavigatorImages | None = None
    """Cuts the key images of a read; given by the application (see app.py)."""

    if TYPE_CHECKING:
        session: ReadSession | None
        current_uid: str
        scan_result: ScanResult | None
        tabs: QTabWidget
        errors: ErrorReporter
        lesions: LesionPanel
        loader: PaneLoader

        def set_timepoint(self, uid: str) -> None: ...
        def set_layout(self, name: str, *, remember: bool = True) -> None: ...
        def _on_lesions_lesion_selected(self, lesion_id: str) -> None: ...
        @property
        def layout_name(self) -> str: ...

    _pending_lesion = ""
    _navigator_stale = True

    def _build_navigator(self, view_menu: QMenu) -> None:
        self.navigator = LesionNavigator()
        self.navigator.lesion_chosen.connect(self.open_lesion)
        self.navigator.images_failed.connect(self.errors.report)
        self.navigator_timer = QTimer(self.navigator)
        self.navigator_timer.setSingleShot(True)
        self.navigator_timer.setInterval(_REDRAW_MS)
        self.navigator_timer.timeout.connect(self.refresh_navigator)
        self.tabs.currentChanged.connect(lambda _i: self._on_tab_changed())
        show = QAction("Lesion navigator", view_menu)
        show.setShortcut(QKeySequence("N"))
        show.setToolTip("Every lesion at every time point, as key images (N)")
        show.triggered.connect(self.show_navigator)
        view_menu.addAction(show)
        self.navigator_action = show

    def _add_navigator_tab(self) -> None:
        """Add the tab for the patient just opened (its matrix follows)."""
        self.tabs.addTab(self.navigator, "Navigator")
        self.navigator_changed()

    def _close_navigator(self) -> None:
        self.navigator_timer.stop()
        self.navigator.clear()
        self._pending_lesion = ""
        self._navigator_stale = True

    def show_navigator(self) -> None:
        """Show the Navigator tab (N)."""
        if self.session is not None:
            self.tabs.setCurrentWidget(self.navigator)

    def navigator_changed(self) -> None:
        """Draw the matrix again soon: the read or its images changed."""
        self._navigator_stale = True
        if self.session is not None and self.tabs.currentWidget() is self.navigator:
            self.navigator_timer.start()

    def _on_tab_changed(self) -> None:
        if self.tabs.currentWidget() is self.navigator and self._navigator_stale:
            self.navigator_timer.start(0)

    def refresh_navigator(self) -> None:
        """Draw the matrix of the open read now (key images off the GUI thread)."""
        if self.session is None:
            return
        self._navigator_stale = False
        source = None
        images = self.navigator_images
        if images is not None:
            scans = [] if self.scan_result is None else [self.scan_result]
            source = partial(_cut, images, scans, self._navigator_folders())
        self.navigator.show_read(self.session.read, source)
        self.navigator.set_current_timepoint(self.current_uid)

    def _navigator_folders(self) -> list[Path]:
        from respond.ui.report_action import image_folders

        return image_folders(self)  # type: ignore[arg-type]

    def open_lesion(self, lesion_id: str, uid: str) -> None:
        """Open a lesion at a time point: current and prior panes at the lesion."""
        if self.session is None or self.session.read.timepoint(uid) is None:
            return
        self._pending_lesion = lesion_id
        if uid != self.current_uid:
            self.set_timepoint(uid)
        if self.layout_name == "1x1" and self.session.read.timepoints[0].uid != uid:
            self.set_layout("1x2", remember=False)
        self.navigator.set_current_timepoint(uid)
        self._select_pending_lesion()

    def _select_pending_lesion(self) -> None:
        """Once the current series is shown, go to the lesion asked for."""
        lesion = self._pending_lesion
        if not lesion or self.loader.loading or self.loader.series is None:
            return
        self._pending_lesion = ""
        if self.session is None:
            return
        if any(row.id == lesion for row in self.session.read.lesions):
            self.lesions.select(lesion)
        self._on_lesions_lesion_selected(lesion)


def _cut(
    images: NavigatorImages,
    scans: Sequence[ScanResult],
    folders: Sequence[Path],
    read: PatientRead,
) -> Iterable[KeyImageView]:
    """Cut a read's key images with the scans and folders known when asked."""
    return images(read, scans, folders)
