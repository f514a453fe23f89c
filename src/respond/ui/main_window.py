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
    QAction,
    QGuiApplication,
    QKeySequence,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from respond.session import ReadingController, ReadSession, patient_rows
from respond.ui._window_images import ImagesMixin
from respond.ui._window_intake import IntakeMixin
from respond.ui._window_layout import LayoutMixin
from respond.ui._window_measuring import MeasuringMixin
from respond.ui._window_navigator import NavigatorMixin
from respond.ui._window_panes import PanesMixin
from respond.ui._window_reformats import ReformatsMixin
from respond.ui.clinical_panel import ClinicalPanel
from respond.ui.commands import (
    IntentCommand,
    RemoveTimepointCommand,
    UpdateTimepointCommand,
    push,
)
from respond.ui.error_reporter import ErrorReporter
from respond.ui.export_action import add_export_menu
from respond.ui.icons import icon
from respond.ui.lesion_panel import LesionPanel
from respond.ui.measure_action import add_measure_tool
from respond.ui.pacs_action import add_pacs_menu
from respond.ui.pane import ViewerPane
from respond.ui.patient_list import PatientListPanel
from respond.ui.prior import LinkedScrolling
from respond.ui.prompts import Prompts
from respond.ui.recent import RecentPaths
from respond.ui.report_action import add_report_action
from respond.ui.response_panel import ResponsePanel
from respond.ui.series_browser import SeriesBrowserPanel
from respond.ui.theme import add_theme_menu
from respond.ui.wheel_guard import WheelGuard

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

ABOUT_TEXT = (
    "respond: RECIST 1.1 and mRECIST response of hepatocellular carcinoma, with "
    "sorafenib decision support.\n\nDecision support only: the clinician decides. "
    "Since 2020 atezolizumab-bevacizumab and other immunotherapy regimens have "
    "displaced sorafenib as the preferred first-line therapy in most guidelines; "
    "respond does not imply that sorafenib is the standard first-line therapy."
)
_TOOLS = (
    ("Long axis", "L", "long_axis", "Draw the longest diameter of the selected target"),
    ("Short axis", "S", "short_axis", "Draw the short axis (lymph nodes)"),
    (
        "Viable",
        "V",
        "viable",
        "Draw the longest viable (arterially enhancing) diameter",
    ),
)
VIEWER_KEYS = (
    ("Wheel, Up/Down, Page Up/Down", "previous / next slice"),
    ("Home / End", "first / last slice"),
    ("Ctrl+wheel", "zoom"),
    ("Middle drag", "pan"),
    ("Right drag", "window / level"),
    ("1-5", "window presets: abdomen, liver, arterial liver, lung, bone"),
    ("Left click (reformat)", "move the crosshair: the other views follow"),
)
_PANEL_WIDTHS = (230, 460)
FOLLOW_MS = 500
"""How often the open read is checked for another reader's changes (ms)."""
"""Starting widths of the series dock and the read dock (the images get the rest)."""


class MainWindow(
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

    def _build_toolbar(self) -> None:
        bar = QToolBar("Reading")
        bar.setObjectName("reading-toolbar")
        self.addToolBar(bar)
        self.toolbar = bar
        bar.addWidget(QLabel(" Time point "))
        self.timepoint_box = QComboBox()
        self.timepoint_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents
        )
        self.timepoint_box.setToolTip("The time point being read (its images show)")
        self.timepoint_box.activated.connect(self._on_timepoint_box_activated)
        bar.addWidget(self.timepoint_box)
        self.arterial_action = QAction("Arterial phase", self, checkable=True)
        self.arterial_action.setToolTip(
            "The time point is read on arterial-phase images (mRECIST measures "
            "viable tumour there). Set from the series headers; correct it when "
            "the headers do not tell. (A)"
        )
        self.arterial_action.setIcon(icon("arterial"))
        self.arterial_action.setShortcut(QKeySequence("A"))
        self.arterial_action.triggered.connect(self._on_arterial_toggled)
        bar.addAction(self.arterial_action)
        add_study = QAction("Add study…", self)
        add_study.setShortcut(QKeySequence("Ctrl+Shift+A"))
        add_study.setToolTip(
            "Add a study of this patient as a time point (from a folder or "
            "DICOMDIR) (Ctrl+Shift+A)"
        )
        add_study.setIcon(icon("add_study"))
        add_study.triggered.connect(lambda: self.add_study_from_folder())
        bar.addAction(add_study)
        self.add_study_action = add_study
        bar.addSeparator()
        self.tool_actions: dict[str, QAction] = {}
        for text, key, kind, tip in _TOOLS:
            action = QAction(f"{text} ({key})", self, checkable=True)
            action.setShortcut(QKeySequence(key))
            action.setIcon(icon(kind))
            action.setToolTip(f"{tip} ({key})")
            action.triggered.connect(
                lambda on, k=kind: self.set_tool(k if on else None)
            )
            bar.addAction(action)
            self.tool_actions[kind] = action
        stop = QAction("Stop measuring (Esc)", self)
        stop.setShortcut(QKeySequence("Esc"))
        stop.setToolTip("Put the caliper tool down: drag pans again (Esc)")
        stop.triggered.connect(lambda: self.set_tool(None))
        self.addAction(stop)
        self.stop_tool_action = stop
        bar.addSeparator()
        self.prior_box = QComboBox()
        self.prior_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.prior_box.setToolTip("The earlier time point shown beside the current one")
        self.prior_box.activated.connect(lambda _=0: self._load_prior())
        bar.addWidget(QLabel(" Prior "))
        bar.addWidget(self.prior_box)
        self.compare = QAction("Compare (C)", self, checkable=True)
        self.compare.setShortcut(QKeySequence("C"))
        self.compare.setToolTip("Show the prior time point beside the current one (C)")
        self.compare.setIcon(icon("compare"))
        self.compare.triggered.connect(self._on_compare_toggled)
        bar.addAction(self.compare)
        link = QAction("Link here", self)
        link.setShortcut(QKeySequence("K"))
        link.setToolTip(
            "Scroll both panes together from the slices shown now (same anatomy) (K)"
        )
        link.setIcon(icon("link"))
        link.triggered.connect(self.link_prior_here)
        bar.addAction(link)
        bar.addSeparator()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_patient_action = file_menu.addAction(
            "Open patient…", QKeySequence("Ctrl+Shift+O"), self.show_patient_list
        )
        self.new_patient_action = file_menu.addAction(
            "New patient from study…",
            QKeySequence.StandardKey.New,
            lambda: self.new_patient_from_study(),
        )
        file_menu.addAction(self.add_study_action)
        self.add_shown_action = file_menu.addAction(
            "Add the shown series' study as a time point",
            self.add_timepoint_from_series,
        )
        self.close_patient_action = file_menu.addAction(
            "Close patient", QKeySequence.StandardKey.Close, self.close_patient
        )
        file_menu.addSeparator()
        open_folder = file_menu.addAction("Open folder or DICOMDIR…")
        open_folder.setShortcut(QKeySequence.StandardKey.Open)
        open_folder.triggered.connect(self._ask_folder)
        open_dicomdir = file_menu.addAction("Open DICOMDIR file…")
        open_dicomdir.triggered.connect(self._ask_dicomdir)
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.save_report = add_report_action(self, file_menu)
        self.export_menu = add_export_menu(self, file_menu)
        self.pacs_menu = add_pacs_menu(self, file_menu)
        file_menu.addSeparator()
        self.demo_action = file_menu.addAction(
            "Open the synthetic demo", self.open_demo
        )
        file_menu.addSeparator()
        file_menu.addAction("Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.undo_group.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.undo_group.createRedoAction(self, "&Redo")
        # Qt's standard Redo is Ctrl+Shift+Z on Linux too: naming it twice made
        # the shortcut ambiguous (and nothing happened). Each key once.
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action, self.redo_action = undo, redo
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        self.remove_timepoint_action = edit.addAction(
            "Remove time point…", self.remove_timepoint
        )
        self.remove_patient_action = edit.addAction(
            "Remove patient…", lambda: self.remove_patient()
        )
        reader_menu = self.menuBar().addMenu("&Reader")
        self.reader_action = reader_menu.addAction("", self.change_reader)
        self._update_reader_action()
        view_menu = self.menuBar().addMenu("&View")
        self._dock_shown: dict[str, bool] = {}
        for name, dock in (("series", self.browser_dock), ("read", self.read_dock)):
            self._dock_shown[name] = self.settings.value(
                f"window/{name}-panel", True, type=bool
            )  # type: ignore[assignment]
            toggle = dock.toggleViewAction()
            toggle.triggered.connect(
                lambda on, n=name: self._remember_panel(n, bool(on))
            )
            view_menu.addAction(toggle)
        view_menu.addAction(self.compare)
        self._build_layout_actions(view_menu, self.toolbar)
        self.theme_actions = add_theme_menu(view_menu, self.settings)
        self._build_navigator(view_menu)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Keyboard shortcuts", QKeySequence("F1"), self.shortcuts)
        help_menu.addAction("About respond", self._about)

    def _remember_panel(self, name: str, shown: bool) -> None:
        """Remember a panel the reader closed (or opened) for the next patient."""
        self._dock_shown[name] = shown
        self.settings.setValue(f"window/{name}-panel", shown)

    def _build_status_bar(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel load")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_load)
        self.cursor_label = QLabel()
        self.statusBar().addWidget(self.cursor_label, 1)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.statusBar().addPermanentWidget(self.progress)

    def _fit_to_screen(self) -> None:
        """Start at 1500 x 900, never larger than the screen; restore the layout."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        width, height = 1500, 900
        if screen is not None:
            free = screen.availableGeometry()
            if free.width() < 1600 or free.height() < 950:
                # A laptop screen: all of it (the window never overflows it).
                width, height = free.width(), free.height()
            else:
                width, height = int(free.width() * 0.92), int(free.height() * 0.9)
            self.move(free.topLeft())
        self.resize(width, height)
        state = self.settings.value("window/state")
        self._docks_sized = state is not None and self.restoreState(state)

    def _size_docks(self) -> None:
        """Give the images the room: the panels start narrow (once per layout).

        On a wide screen the series and read panels start at 230 and 460 px
        (the images get over 60 % of 1920); on a laptop screen at 12 % and 36 %
        of the width, so the lesion table's values stay readable.
        """
        if self._docks_sized:
            return
        self._docks_sized = True
        width = self.width()
        if width >= 1700:
            sizes = list(_PANEL_WIDTHS)
        else:
            sizes = [max(150, int(width * 0.12)), int(width * 0.36)]
        self.resizeDocks(
            [self.browser_dock, self.read_dock], sizes, Qt.Orientation.Horizontal
        )

    def _install_key_router(self) -> None:
        """Scrolling keys reach the viewer; typing in an editor never runs a tool."""
        try:
            from respond.ui.keys import ViewerKeyRouter
        except ImportError:  # pragma: no cover - the module ships with respond
            return
        app = QApplication.instance()
        if app is not None:
            self.key_router = ViewerKeyRouter(self.view, self)
            app.installEventFilter(self.key_router)
            self.wheel_guard = WheelGuard(self)
            app.installEventFilter(self.wheel_guard)

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

    def _on_timepoints_changed(self) -> None:
        if self.session is None:
            return
        self.navigator_changed()
        if self.session.read.timepoint(self.current_uid) is None:
            remaining = self.session.read.timepoints
            self.current_uid = remaining[-1].uid if remaining else ""
            if self.current_uid:
                self.set_timepoint(self.current_uid)
            else:
                self.loader.forget()
                self.current_pane.show_message(
                    "No time point yet: add a study (File > Add study…)."
                )
        self._fill_timepoints()
        studies = {tp.study_uid for tp in self.session.read.timepoints if tp.study_uid}
        if studies != self._image_studies:  # a study came or went: look again
            self.find_images()
        if self.current_uid:
            self._show_timepoint_images()
        if self.compare.isChecked():
            self._load_prior()

    def _fill_timepoints(self) -> None:
        if self.pacs_dialog is not None:
            self.pacs_dialog.refresh_time_points()
        if self.session is None:
            return
        self.timepoint_box.blockSignals(True)
        self.timepoint_box.clear()
        for record in self.session.read.timepoints:
            signed = "  ✓ signed" if record.is_signed else ""
            missing = "  (images not found)" if self._missing(record) else ""
            self.timepoint_box.addItem(
                f"{record.label}  {record.date.isoformat()}{signed}{missing}",
                record.uid,
            )
        index = self.timepoint_box.findData(self.current_uid)
        self.timepoint_box.setCurrentIndex(max(index, 0))
        self.timepoint_box.blockSignals(False)
        self._sync_arterial()
        chosen = self.prior_box.currentData()
        self.prior_box.blockSignals(True)
        self.prior_box.clear()
        for record in self.session.read.timepoints:
            if record.uid == self.current_uid:
                break
            self.prior_box.addItem(
                f"{record.label}  {record.date.isoformat()}", record.uid
            )
        self.prior_box.setCurrentIndex(max(self.prior_box.findData(chosen), 0))
        self.prior_box.blockSignals(False)

    def _on_arterial_toggled(self, on: bool) -> None:
        if self.session is None or not self.current_uid:
            return
        record = self.session.timepoint(self.current_uid)
        text = "arterial" if on else "not arterial"
        push(
            self.stack,
            UpdateTimepointCommand(
                self.session,
                self.current_uid,
                f"Mark {record.label} {text}",
                arterial_phase=on,
            ),
        )
        self._sync_arterial()
        self._check_phase()
        self._caption_current()

    def _sync_arterial(self) -> None:
        record = (
            None
            if self.session is None
            else self.session.read.timepoint(self.current_uid)
        )
        self.arterial_action.blockSignals(True)
        self.arterial_action.setChecked(
            bool(record and record.timepoint.arterial_phase)
        )
        self.arterial_action.setEnabled(record is not None and not record.is_signed)
        self.arterial_action.blockSignals(False)

    def _on_timepoint_box_activated(self, index: int) -> None:
        self.set_timepoint(str(self.timepoint_box.itemData(index)))

    def set_timepoint(self, uid: str) -> None:
        """Make a time point current: its series loads and its calipers show."""
        if self.session is None:
            return
        record = self.session.read.timepoint(uid)
        if record is None:  # removed meanwhile (undo of its addition, say)
            self.errors.report(f"no time point {uid!r} in this read")
            return
        self.current_uid = uid
        self.navigator.set_current_timepoint(uid)
        self.lesions.set_timepoint(uid)
        self.clinical.set_timepoint(uid)
        self._fill_timepoints()
        self._show_timepoint_images()
        self.apply_hanging_protocol()

    def add_timepoint_from_series(self) -> None:
        """Add the shown series' study as a time point."""
        series = self.loader.series
        if self.session is None or series is None or self.scan_result is None:
            self.errors.report("open a patient and show a series first")
            return
        from respond.dicom import find_study

        found = find_study(self.scan_result, series.study_uid)
        if found is None:
            self.errors.report("open the series' folder again")
            return
        self.add_study(found[0], found[1], series.series_uid)

    def remove_timepoint(self, uid: str | None = None) -> bool:
        """Remove a time point (asks first; undoable; a signed one is refused)."""
        if self.session is None:
            return False
        record = self.session.read.timepoint(uid or self.current_uid)
        if record is None:
            return False
        if record.is_signed:
            self.errors.report(
                f"time point {record.label} is signed: unlock it (Clinical tab, with "
                "a reason) before removing it"
            )
            return False
        measured = len(record.timepoint.targets) + len(record.timepoint.non_targets)
        if not self.prompts.confirm(
            "Remove time point",
            f"Remove time point {record.label} ({record.date.isoformat()}) and the "
            f"{measured} measurements and observations recorded on it?\n\n"
            "Edit > Undo puts it back; the removal is kept in the audit trail.",
        ):
            return False
        return push(self.stack, RemoveTimepointCommand(self.session, record.uid))

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

    def shortcuts(self) -> None:
        """Show the sheet of every keyboard shortcut (actions and viewer keys)."""
        from respond.ui.shortcuts import ShortcutSheet, shortcut_sections

        sheet = ShortcutSheet(shortcut_sections(self, VIEWER_KEYS), self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.show()
        self.shortcuts_box = sheet

    def _about(self) -> None:
        QMessageBox.about(self, "About respond", ABOUT_TEXT)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the panels' layout; stop loads."""
        self.settings.setValue("window/state", self.saveState())
        self.loader.forget()
        self.prior_loader.forget()
        super().closeEvent(event)
