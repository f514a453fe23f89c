"""The main window: the patient list, then one patient's read.

The start screen lists the stored patients. Opening one shows its time points:
each time point's images are found through the store's image index (baseline
and follow-up may live in different folders), shown in a labelled pane, and
calipers may only be drawn on a series of the selected time point. The reading
rules live in :class:`~respond.session.ReadingController`; the window converts
mouse positions to patient millimetres, asks the controller, and pushes undoable
commands. Panels are made for each open patient and deleted when it closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from respond.session import ReadingController, ReadSession, patient_rows
from respond.ui._window_chrome import ChromeMixin
from respond.ui._window_images import ImagesMixin
from respond.ui._window_intake import IntakeMixin
from respond.ui._window_layout import LayoutMixin
from respond.ui._window_measuring import MeasuringMixin
from respond.ui._window_navigator import NavigatorMixin
from respond.ui._window_panes import PanesMixin
from respond.ui._window_reformats import ReformatsMixin
from respond.ui._window_timepoints import TimepointsMixin
from respond.ui.clinical_panel import ClinicalPanel
from respond.ui.commands import (
    IntentCommand,
    push,
)
from respond.ui.error_reporter import ErrorReporter
from respond.ui.lesion_panel import LesionPanel
from respond.ui.measure_action import add_measure_tool
from respond.ui.pane import ViewerPane
from respond.ui.patient_list import PatientListPanel
from respond.ui.prior import LinkedScrolling
from respond.ui.prompts import Prompts
from respond.ui.recent import RecentPaths
from respond.ui.response_panel import ResponsePanel
from respond.ui.series_browser import SeriesBrowserPanel

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtGui import QCloseEvent

    from respond.dicom import ScanResult
    from respond.session import ReadingStore
    from respond.ui.export_action import CsvExport, SrExport
    from respond.ui.pacs_dialog import PacsDialog
    from respond.ui.report_action import PdfExport
    from respond.ui.viewer import CursorInfo

    DemoOpener = Callable[[], tuple[ReadingStore, str, Path]]

__all__ = ["MainWindow"]

FOLLOW_MS = 500
"""How often the open read is checked for another reader's changes (ms)."""


class MainWindow(
    ChromeMixin,
    TimepointsMixin,
    IntakeMixin,
    ImagesMixin,
    LayoutMixin,
    NavigatorMixin,
    ReformatsMixin,
    PanesMixin,
    MeasuringMixin,
    QMainWindow,
):
    """The patient list and the read of one patient.

    Parameters
    ----------
    store
        The database of reads with its image index.
    reader
        Who reads: recorded with every edit, override and sign-off.
    settings
        Where the layout is remembered (default: the application's settings).
    """

    pdf_export: PdfExport | None = None
    """Writes the PDF report; given by the application (see report_action)."""
    pacs_dialog: PacsDialog | None = None
    """File > PACS > Find on PACS (made when first opened; see pacs_action)."""
    sr_export: SrExport | None = None
    """Writes the DICOM SR; given by the application (see export_action)."""
    csv_export: CsvExport | None = None
    """Writes the CSV; given by the application (see export_action)."""
    demo_opener: DemoOpener | None = None
    """Prepares the synthetic demo: (its own store, patient id, DICOM folder)."""

    def __init__(
        self,
        store: ReadingStore,
        *,
        reader: str,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.home_store: ReadingStore = store
        self.store: ReadingStore = store
        self.reader = reader
        self.settings = settings or QSettings()
        self.session: ReadSession | None = None
        self.controller: ReadingController | None = None
        self.current_uid = ""
        self.scan_result: ScanResult | None = None
        self._folder_scan: ScanResult | None = None
        self._patient_scan: ScanResult | None = None
        self._finding_images = False
        self._generation = 0
        """Counts patient openings and closings: late scan results are dropped."""
        self._image_studies: frozenset[str] = frozenset()
        self._image_base: list[ScanResult] = []
        self._then: dict[QObject, Callable[[ScanResult], None] | None] = {}
        self.recent = RecentPaths()
        self.prompts = Prompts(self)
        self.undo_group = QUndoGroup(self)
        self.stack = QUndoStack(self.undo_group)
        self.list_stack = QUndoStack(self.undo_group)
        self.errors = ErrorReporter(self.statusBar(), self)
        self.follow_timer = QTimer(self)
        self.follow_timer.setInterval(FOLLOW_MS)
        self.follow_timer.timeout.connect(self._follow_other_readers)
        self.follow_timer.start()
        IntentCommand.error_sink = self.errors.report
        self._build_reading_page()
        self.errors.set_notice(self.notice)
        self.patient_list = PatientListPanel()
        self.patient_list.open_requested.connect(self.open_patient)
        self.patient_list.new_patient_requested.connect(self.new_patient_from_study)
        self.patient_list.remove_requested.connect(self.remove_patient)
        self.patient_list.demo_requested.connect(self.open_demo)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.patient_list)
        self.pages.addWidget(self.reading_page)
        self.setCentralWidget(self.pages)
        self.browser = SeriesBrowserPanel()
        self.browser.series_chosen.connect(self.show_series)
        self.browser_dock = QDockWidget("Studies and series", self)
        self.browser_dock.setObjectName("series-dock")
        self.browser_dock.setWidget(self.browser)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.browser_dock)
        self.tabs = QTabWidget()
        self.read_dock = QDockWidget("Read", self)
        self.read_dock.setObjectName("read-dock")
        self.read_dock.setWidget(self.tabs)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.read_dock)
        self._build_toolbar()
        self._build_menus()
        self.measure_action = add_measure_tool(self)
        self._build_status_bar()
        self.linked = LinkedScrolling(self.view, self.prior_view)
        self.stack.cleanChanged.connect(self._update_title)
        self._fit_to_screen()
        self._install_key_router()
        self.show_patient_list()

    # -- building ------------------------------------------------------------
    def _build_reading_page(self) -> None:
        self.current_pane = ViewerPane("Current")
        self.prior_pane = ViewerPane("Prior")
        self.prior_pane.hide()
        self.view = self.current_pane.view
        self.prior_view = self.prior_pane.view
        from respond.ui.series_loader import PaneLoader

        self.loader = PaneLoader(self.view, self)
        self.loader.shown.connect(lambda _s: self._on_current_shown())
        self.loader.loaded.connect(lambda _s, _v: self._on_current_shown())
        self.loader.failed.connect(self._on_load_failed)
        self.loader.progress.connect(self._on_load_progress)
        self.loader.busy.connect(self._on_load_busy)
        self.prior_loader = PaneLoader(self.prior_view, self)
        self.prior_loader.shown.connect(lambda _s: self._on_prior_shown())
        self.prior_loader.loaded.connect(lambda _s, _v: self._on_prior_shown())
        self.prior_loader.failed.connect(self._on_load_failed)
        self.current_pane.locate_requested.connect(self.locate_images)
        self.prior_pane.locate_requested.connect(self.locate_images)
        self.view.cursor_moved.connect(self._on_view_cursor_moved)
        self.view.caliper_drawn.connect(self._on_view_caliper_drawn)
        self.view.calipers_edited.connect(self._on_view_calipers_edited)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.prior_pane)
        self.splitter.addWidget(self.current_pane)
        self.banner = QLabel()
        self.banner.setObjectName("phase-banner")
        self.banner.setWordWrap(True)
        # A long warning wraps; it never widens (or resizes) the window.
        self.banner.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum
        )
        self.banner.setStyleSheet("background:#fff3e0;color:#8a3b00;padding:4px")
        self.banner.hide()
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum
        )
        self.notice.setStyleSheet("background:#fdecea;color:#8b1a10;padding:4px")
        self.reading_page = QWidget()
        column = QVBoxLayout(self.reading_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice)
        column.addWidget(self.banner)
        self.reformat_row = QSplitter()
        self.reformat_row.hide()
        self.grid = QSplitter(Qt.Orientation.Vertical)
        self.grid.addWidget(self.splitter)
        self.grid.addWidget(self.reformat_row)
        column.addWidget(self.grid, 1)
        self._build_reformats()

    # -- the patient list ----------------------------------------------------------
    def show_patient_list(self) -> None:
        """Close the open patient (if any) and show the patient list."""
        self.close_patient()

    def refresh_patient_list(self) -> None:
        """Read the stored patients again."""
        self.patient_list.set_rows(patient_rows(self.home_store))

    def close_patient(self) -> None:
        """Close the open patient; the patient list shows."""
        self.loader.forget()
        self.prior_loader.forget()
        if self.session is not None:
            self.session.events.disconnect()
        for name in ("lesions", "response", "clinical"):
            panel = self.__dict__.pop(name, None)
            if panel is not None:
                panel.setParent(None)
                panel.deleteLater()
        self._close_navigator()
        self.tabs.clear()
        self.errors.set_message_line(None)
        self.session = None
        self.controller = None
        self.current_uid = ""
        self._generation += 1
        self._finding_images = False
        self._image_studies = frozenset()
        self._then.clear()
        self._patient_scan = None
        self._folder_scan = None
        self.stack.clear()
        if self.store is not self.home_store:
            demo, self.store = self.store, self.home_store
            close = getattr(demo, "close", None)
            if close is not None:
                close()
        self._update_scan()
        self.timepoint_box.clear()
        self.prior_box.clear()
        self.set_layout("1x1", remember=False)
        self.current_pane.show_message("No series shown.")
        self.current_pane.set_caption("Current: nothing shown")
        self.banner.hide()
        self.undo_group.setActiveStack(self.list_stack)
        self.statusBar().clearMessage()
        self.notice.hide()
        self._set_reading(False)
        self.refresh_patient_list()
        self._update_title()

    def _set_reading(self, reading: bool) -> None:
        self.pages.setCurrentWidget(self.reading_page if reading else self.patient_list)
        if reading:
            self.browser_dock.setVisible(self._dock_shown.get("series", True))
            self.read_dock.setVisible(self._dock_shown.get("read", True))
            QTimer.singleShot(0, self._size_docks)
        else:
            self.browser_dock.hide()
            self.read_dock.hide()
        self.toolbar.setVisible(reading)
        for action in (
            self.close_patient_action,
            self.add_study_action,
            self.add_shown_action,
            self.remove_timepoint_action,
            self.save_report,
        ):
            action.setEnabled(reading)
        if not reading:
            self.patient_list.setFocus()

    def open_demo(self) -> None:
        """Open the synthetic demo in its own database (never mixed with patients)."""
        if self.demo_opener is None:
            self.errors.report("The demo is not available in this build.")
            return
        try:
            store, patient_id, folder = self.demo_opener()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.errors.report(exc)
            return
        self.close_patient()
        self.store = store
        if self.open_patient(patient_id) is None:
            self.close_patient()  # back to the reader's own database
            return
        self.open_folder(folder)
        self.statusBar().showMessage(
            "SYNTHETIC DEMO: generated phantom, not patient data", 10000
        )

    # -- patient and time points ----------------------------------------------
    def open_patient(self, patient_id: str) -> ReadSession | None:
        """Open a stored patient's read; its images are looked up in the index."""
        try:
            session = ReadSession(self.store, patient_id, reader=self.reader)
        except Exception as exc:  # noqa: BLE001 - an unreadable read is a message
            self.errors.report(exc)
            return None
        if self.session is not None:
            self.close_patient()
        self.session = session
        self._generation += 1
        self.controller = ReadingController(session)
        self.stack.clear()
        self.undo_group.setActiveStack(self.stack)
        self.lesions = LesionPanel(session, self.stack)
        self.lesions.lesion_selected.connect(self._on_lesions_lesion_selected)
        self.errors.set_message_line(self.lesions.message)
        self.response = ResponsePanel(session)
        self.clinical = ClinicalPanel(session, self.stack)
        self.tabs.addTab(self.lesions, "Lesions")
        self.tabs.addTab(self.response, "Response")
        self.tabs.addTab(self.clinical, "Clinical")
        self._add_navigator_tab()
        events = session.events
        events.reloaded.connect(self._on_session_reloaded)
        events.measurement_changed.connect(lambda *_: self._refresh_calipers())
        events.measurement_changed.connect(lambda *_: self.navigator_changed())
        events.measurement_changed.connect(lambda *_: self.refresh_reformat_calipers())
        events.timepoint_added.connect(lambda *_: self._on_timepoints_changed())
        events.timepoint_removed.connect(lambda *_: self._on_timepoints_changed())
        events.timepoint_changed.connect(lambda *_: self._on_timepoints_changed())
        self._set_reading(True)
        self._fill_timepoints()
        if session.read.timepoints:
            self.set_timepoint(session.read.timepoints[-1].uid)
        self.find_images()
        self._update_title()
        self.view.setFocus()
        return session

    def _follow_other_readers(self) -> None:
        """Reload the open read when another process changed it (polled)."""
        if self.session is None:
            return
        try:
            self.session.refresh_if_changed()
        except Exception:  # noqa: BLE001 - a busy or closed database: the next poll
            return

    def _on_session_reloaded(self) -> None:
        """Another reader changed the read: show it; the undo history no longer fits."""
        self.stack.clear()
        self._refresh_calipers()
        self._on_timepoints_changed()
        self.statusBar().showMessage(
            "Another reader changed this patient: the read shown was reloaded "
            "(undo history cleared).",
            10000,
        )

    # -- patients ----------------------------------------------------------------
    def remove_patient(self, patient_id: str | None = None) -> bool:
        """Remove a patient (asks first; undoable; audited and restorable)."""
        from respond.ui._patient_commands import RemovePatientCommand

        pid = patient_id or (
            self.session.read.patient.id if self.session is not None else None
        )
        pid = pid or self.patient_list.selected_patient()
        if not pid or self.store is not self.home_store:
            self.errors.report("select a patient in the patient list to remove")
            return False
        if not self.prompts.confirm(
            "Remove patient",
            f"Remove patient {pid} and the whole read (every time point, "
            "measurement and decision)?\n\nEdit > Undo puts it back; the removal "
            "is kept in the audit trail and can be restored later.",
        ):
            return False
        if self.session is not None:
            self.close_patient()
        done = push(self.list_stack, RemovePatientCommand(self.home_store, pid, self))
        self.refresh_patient_list()
        if done:
            self.statusBar().showMessage(
                f"Patient {pid} removed (Edit > Undo puts it back)", 10000
            )
        return done

    # -- reader -------------------------------------------------------------------
    def change_reader(self) -> None:
        """Ask who reads; every later edit records the new name."""
        from respond.ui.reader_dialog import ask_reader, stored_reader

        identity = ask_reader(self, self.settings, initial=stored_reader(self.settings))
        if identity is None:
            return
        self.reader = identity.label
        if self.session is not None:
            self.session.reader = self.reader
        self._update_reader_action()

    def _update_reader_action(self) -> None:
        self.reader_action.setText(f"Reading as {self.reader}: change reader…")

    # -- messages --------------------------------------------------------------
    def _on_view_cursor_moved(self, info: object) -> None:
        if info is None:
            self.cursor_label.clear()
            return
        cursor: CursorInfo = info  # type: ignore[assignment]
        x, y, z = cursor.position_mm or (0.0, 0.0, 0.0)
        self.cursor_label.setText(
            f"{cursor.value:.0f}  at ({x:.1f}, {y:.1f}, {z:.1f}) mm  "
            f"[{cursor.k + 1}, {cursor.i}, {cursor.j}]"
        )

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error (the one reporter: status bar and message line)."""
        self.errors.report(exc)

    def _show_error(self, exc: BaseException | str) -> None:
        self.errors.report(exc)

    def _update_title(self) -> None:
        demo = " — SYNTHETIC DEMO" if self.store is not self.home_store else ""
        if self.session is None:
            self.setWindowTitle("respond — patients")
            return
        patient = self.session.read.patient
        dirty = "" if self.stack.isClean() else " •"
        self.setWindowTitle(
            f"respond — {patient.id} {patient.name or ''}".rstrip() + demo + dirty
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the panels' layout; stop loads."""
        self.settings.setValue("window/state", self.saveState())
        self.loader.forget()
        self.prior_loader.forget()
        super().closeEvent(event)
