"""The main window's chrome: toolbar, menus, status bar, docks (part of MainWindow).

The reading toolbar (time point, arterial phase, add study, the caliper tools,
the prior and its linking), the menus (File, Edit, Reader, View, Help), the
status bar's cursor readout and load progress, the window's first size on the
screen and the panels' starting widths, and the keys that reach the viewer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QToolBar,
)

from respond.ui.export_action import add_export_menu
from respond.ui.icons import icon
from respond.ui.pacs_action import add_pacs_menu
from respond.ui.report_action import add_report_action
from respond.ui.theme import add_theme_menu
from respond.ui.wheel_guard import WheelGuard

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QDockWidget, QMenu

    from respond.ui.main_window import MainWindow
    from respond.ui.viewer import SliceView

__all__ = ["ABOUT_TEXT", "VIEWER_KEYS", "ChromeMixin"]

ABOUT_TEXT: Final = (
    "respond: RECIST 1.1 and mRECIST response of hepatocellular carcinoma, with "
    "sorafenib decision support.\n\nDecision support only: the clinician decides. "
    "Since 2020 atezolizumab-bevacizumab and other immunotherapy regimens have "
    "displaced sorafenib as the preferred first-line therapy in most guidelines; "
    "respond does not imply that sorafenib is the standard first-line therapy."
)
_TOOLS: Final = (
    ("Long axis", "L", "long_axis", "Draw the longest diameter of the selected target"),
    ("Short axis", "S", "short_axis", "Draw the short axis (lymph nodes)"),
    (
        "Viable",
        "V",
        "viable",
        "Draw the longest viable (arterially enhancing) diameter",
    ),
)
VIEWER_KEYS: Final = (
    ("Wheel, Up/Down, Page Up/Down", "previous / next slice"),
    ("Home / End", "first / last slice"),
    ("Ctrl+wheel", "zoom"),
    ("Middle drag", "pan"),
    ("Right drag", "window / level"),
    ("1-5", "window presets: abdomen, liver, arterial liver, lung, bone"),
    ("Left click (reformat)", "move the crosshair: the other views follow"),
)
_PANEL_WIDTHS: Final = (230, 460)
"""Starting widths of the series dock and the read dock (the images get the rest)."""


if TYPE_CHECKING:
    _Window = QMainWindow
else:
    _Window = object


class ChromeMixin(_Window):
    """The toolbar, the menus, the status bar and the window's size and docks."""

    if TYPE_CHECKING:
        settings: QSettings
        undo_group: QUndoGroup
        browser_dock: QDockWidget
        read_dock: QDockWidget
        view: SliceView
        reader: str
        recent_menu: QMenu
        _docks_sized: bool

        def set_tool(self, kind: str | None) -> None: ...
        def _load_prior(self) -> None: ...
        def _on_compare_toggled(self, on: bool) -> None: ...
        def link_prior_here(self) -> None: ...
        def show_patient_list(self) -> None: ...
        def new_patient_from_study(self, path: Path | None = None) -> object: ...
        def add_study_from_folder(self, path: Path | None = None) -> object: ...
        def add_timepoint_from_series(self) -> None: ...
        def close_patient(self) -> None: ...
        def _ask_folder(self) -> None: ...
        def _ask_dicomdir(self) -> None: ...
        def _fill_recent(self) -> None: ...
        def open_demo(self) -> None: ...
        def remove_timepoint(self, uid: str | None = None) -> bool: ...
        def remove_patient(self, patient_id: str | None = None) -> bool: ...
        def change_reader(self) -> None: ...
        def _update_reader_action(self) -> None: ...
        def _build_layout_actions(self, menu: QMenu, bar: QToolBar) -> None: ...
        def _build_navigator(self, view_menu: QMenu) -> None: ...
        def cancel_load(self) -> None: ...
        def _on_timepoint_box_activated(self, index: int) -> None: ...
        def _on_arterial_toggled(self, on: bool) -> None: ...

    @property
    def _window(self) -> MainWindow:
        """Return the window as the main window the menu builders take."""
        return self  # type: ignore[return-value]

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
        self.save_report = add_report_action(self._window, file_menu)
        self.export_menu = add_export_menu(self._window, file_menu)
        self.pacs_menu = add_pacs_menu(self._window, file_menu)
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

    def shortcuts(self) -> None:
        """Show the sheet of every keyboard shortcut (actions and viewer keys)."""
        from respond.ui.shortcuts import ShortcutSheet, shortcut_sections

        sheet = ShortcutSheet(shortcut_sections(self, VIEWER_KEYS), self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.show()
        self.shortcuts_box = sheet

    def _about(self) -> None:
        QMessageBox.about(self, "About respond", ABOUT_TEXT)
