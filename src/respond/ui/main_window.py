"""The main window: series browser, viewers, lesion, response and clinical panels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from respond.dicom.phase import is_arterial
from respond.session import ReadSession
from respond.ui._caliper_sync import show_calipers
from respond.ui._window_measuring import MeasuringMixin
from respond.ui.clinical_panel import ClinicalPanel
from respond.ui.commands import AddTimepointCommand, IntentCommand, push
from respond.ui.lesion_panel import LesionPanel
from respond.ui.loader import FolderScanWorker, SeriesLoadWorker
from respond.ui.prior import LinkedScrolling
from respond.ui.recent import RecentPaths
from respond.ui.report_action import add_report_action
from respond.ui.response_panel import ResponsePanel
from respond.ui.series_browser import SeriesBrowserPanel
from respond.ui.viewer import SliceView

if TYPE_CHECKING:
    from respond.dicom import ScanResult, SeriesCandidate, Volume
    from respond.session import ReadStore
    from respond.ui.report_action import PdfExport
    from respond.ui.viewer import CursorInfo

__all__ = ["MainWindow"]

ABOUT_TEXT = (
    "respond: RECIST 1.1 and mRECIST response of hepatocellular carcinoma, with "
    "sorafenib decision support.\n\nDecision support only: the clinician decides. "
    "Since 2020 atezolizumab-bevacizumab and other immunotherapy regimens have "
    "displaced sorafenib as the preferred first-line therapy in most guidelines; "
    "respond does not imply that sorafenib is the standard first-line therapy."
)
_TOOLS = (
    ("Long axis", "L", "long_axis"),
    ("Short axis", "S", "short_axis"),
    ("Viable", "V", "viable"),
)


def _study_date(text: str) -> dt.date | None:
    """Return a DICOM study date (``YYYYMMDD``); None when missing or malformed."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


class MainWindow(MeasuringMixin, QMainWindow):
    """Reads one patient: a ReadSession over the store, the DICOM it was read on."""

    pdf_export: PdfExport | None = None
    """Writes the PDF report; given by the application (see report_action)."""

    def __init__(self, store: ReadStore, *, reader: str) -> None:
        super().__init__()
        self.store, self.reader = store, reader
        self.session: ReadSession | None = None
        self.scan_result: ScanResult | None = None
        self.stack = QUndoStack(self)
        self.current_uid = ""
        self._series: SeriesCandidate | None = None
        self._workers: set[QObject] = set()
        self._loading: SeriesLoadWorker | None = None
        self._prior_loading: SeriesLoadWorker | None = None
        self._prior_loading_uid = ""
        self.recent = RecentPaths()
        IntentCommand.error_sink = self._show_error
        self.view = SliceView()
        self.prior_view = SliceView()
        self.prior_view.hide()
        splitter = QSplitter()
        splitter.addWidget(self.prior_view)
        splitter.addWidget(self.view)
        self.banner = QLabel()
        self.banner.setStyleSheet("background:#fff3e0;color:#e65100;padding:4px")
        self.banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        column.addWidget(splitter)
        self.setCentralWidget(central)
        self.browser = SeriesBrowserPanel()
        self.browser.series_chosen.connect(self.show_series)
        browser_dock = QDockWidget("Studies and series", self)
        browser_dock.setWidget(self.browser)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, browser_dock)
        self.tabs = QTabWidget()
        panels_dock = QDockWidget("Read", self)
        panels_dock.setWidget(self.tabs)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panels_dock)
        # The images get the room: the panels start at a third of the width.
        self.resizeDocks(
            [browser_dock, panels_dock], [260, 520], Qt.Orientation.Horizontal
        )
        self._build_toolbar()
        self._build_menus()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel load")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_load)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.cursor_label = QLabel()
        self.statusBar().addWidget(self.cursor_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.view.cursor_moved.connect(self._on_view_cursor_moved)
        self.view.caliper_drawn.connect(self._on_view_caliper_drawn)
        self.view.calipers_edited.connect(self._on_view_calipers_edited)
        self.linked = LinkedScrolling(self.view, self.prior_view)
        self.stack.cleanChanged.connect(self._update_title)
        self.resize(1500, 900)
        self._update_title()

    # -- building ------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Reading")
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Time point "))
        self.timepoint_box = QComboBox()
        self.timepoint_box.activated.connect(self._on_timepoint_box_activated)
        bar.addWidget(self.timepoint_box)
        add_tp = QPushButton("Add time point from series")
        add_tp.clicked.connect(self.add_timepoint_from_series)
        bar.addWidget(add_tp)
        bar.addSeparator()
        self.tool_actions: dict[str, QAction] = {}
        for text, key, kind in _TOOLS:
            action = QAction(f"{text} ({key})", self, checkable=True)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(
                lambda on, k=kind: self.set_tool(k if on else None)
            )
            bar.addAction(action)
            self.tool_actions[kind] = action
        bar.addSeparator()
        self.prior_box = QComboBox()
        self.prior_box.setToolTip("The earlier time point shown beside the current one")
        self.prior_box.activated.connect(lambda _=0: self._load_prior())
        bar.addWidget(QLabel(" Prior "))
        bar.addWidget(self.prior_box)
        self.compare = QAction("Compare with prior", self, checkable=True)
        self.compare.triggered.connect(self._on_compare_toggled)
        bar.addAction(self.compare)
        link = QAction("Link prior here", self)
        link.triggered.connect(self.link_prior_here)
        bar.addAction(link)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_folder = file_menu.addAction("Open folder or DICOMDIR…")
        open_folder.setShortcut(QKeySequence.StandardKey.Open)
        open_folder.triggered.connect(self._ask_folder)
        open_dicomdir = file_menu.addAction("Open DICOMDIR file…")
        open_dicomdir.triggered.connect(self._ask_dicomdir)
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.save_report = add_report_action(self, file_menu)
        file_menu.addAction("Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence(QKeySequence.StandardKey.Redo)]
        )
        edit.addAction(undo)
        edit.addAction(redo)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("About respond", self._about)

    # -- patient and time points ----------------------------------------------
    def open_patient(self, patient_id: str) -> ReadSession:
        """Open a stored patient's read."""
        session = ReadSession(self.store, patient_id, reader=self.reader)
        self.session = session
        self.stack.clear()
        self.tabs.clear()
        self.lesions = LesionPanel(session, self.stack)
        self.lesions.lesion_selected.connect(self._on_lesions_lesion_selected)
        self.response = ResponsePanel(session)
        self.tabs.addTab(self.lesions, "Lesions")
        self.tabs.addTab(self.response, "Response")
        self.clinical = ClinicalPanel(session, self.stack)
        self.tabs.addTab(self.clinical, "Clinical")
        session.events.measurement_changed.connect(lambda *_: self._refresh_calipers())
        session.events.timepoint_added.connect(lambda *_: self._fill_timepoints())
        session.events.timepoint_removed.connect(lambda *_: self._fill_timepoints())
        session.events.timepoint_changed.connect(lambda *_: self._fill_timepoints())
        self._fill_timepoints()
        if session.read.timepoints:
            self.set_timepoint(session.read.timepoints[-1].uid)
        self._update_title()
        return session

    def _keep(self, worker: QObject) -> None:
        """Hold a worker until it is done, then let it (and its volume) go."""
        self._workers.add(worker)

        def release(*_: object) -> None:
            self._workers.discard(worker)
            worker.deleteLater()

        for name in ("finished", "failed", "cancelled"):
            signal = getattr(worker, name, None)
            if signal is not None:
                signal.connect(release)

    def _fill_timepoints(self) -> None:
        if self.session is None:
            return
        self.timepoint_box.blockSignals(True)
        self.timepoint_box.clear()
        for record in self.session.read.timepoints:
            self.timepoint_box.addItem(
                f"{record.label}  {record.date.isoformat()}", record.uid
            )
        index = self.timepoint_box.findData(self.current_uid)
        self.timepoint_box.setCurrentIndex(max(index, 0))
        self.timepoint_box.blockSignals(False)
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

    def _on_timepoint_box_activated(self, index: int) -> None:
        self.set_timepoint(str(self.timepoint_box.itemData(index)))

    def set_timepoint(self, uid: str) -> None:
        """Make a time point current: its series loads and its calipers show."""
        if self.session is None:
            return
        record = self.session.read.timepoint(uid)
        if record is None:  # removed meanwhile (undo of its addition, say)
            self._show_error(RuntimeError(f"no time point {uid!r} in this read"))
            return
        self.current_uid = uid
        self.lesions.set_timepoint(uid)
        self.clinical.set_timepoint(uid)
        self._fill_timepoints()
        series = self._find_series(record.series_uid)
        if series is not None and (
            self._series is None or self._series.key != series.key
        ):
            self.show_series(series)
        else:
            self._refresh_calipers()
        if self.compare.isChecked():
            self._load_prior()

    def add_timepoint_from_series(self) -> None:
        """Add the shown series' study as a time point (or link it to one)."""
        if self.session is None or self._series is None or self.scan_result is None:
            self._show_error(RuntimeError("open a patient and show a series first"))
            return
        study = self.scan_result.study(self._series.study_uid)
        if study is None:  # the scan that found the series was replaced
            self._show_error(RuntimeError("open the series' folder again"))
            return
        date = _study_date(study.date) if study.date else dt.date.today()
        if date is None:
            date = dt.date.today()
            self._show_error(
                ValueError(
                    f"the study date {study.date!r} is not a date: the time point "
                    f"is dated today, {date.isoformat()}; correct it if needed"
                )
            )
        command = AddTimepointCommand(
            self.session,
            date,
            study_uid=study.uid,
            series_uid=self._series.series_uid,
            arterial_phase=is_arterial(self._series.phase.phase),
        )
        if push(self.stack, command):
            self.set_timepoint(command.uid)

    # -- DICOM ---------------------------------------------------------------
    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a DICOM folder")
        if folder:
            self.open_folder(Path(folder))

    def _ask_dicomdir(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a DICOMDIR", "", "DICOMDIR (*)"
        )
        if path:
            self.open_folder(Path(path))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent.paths():
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_folder(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def open_folder(self, path: Path) -> FolderScanWorker:
        """Examine a folder (or DICOMDIR) in the background and list it."""
        self.recent.add(path)
        worker = FolderScanWorker(path, self)
        worker.finished.connect(self._on_scan_finished)
        worker.failed.connect(lambda text: self._show_error(RuntimeError(text)))
        self._keep(worker)
        self.statusBar().showMessage(f"Examining {path} …")
        worker.start()
        return worker

    def _on_scan_finished(self, result: ScanResult) -> None:
        self.scan_result = result
        self.browser.show_scan(result)
        self.statusBar().showMessage(
            f"{len(result.series)} series, {len(result.non_image)} non-image, "
            f"{len(result.unreadable)} unreadable",
            5000,
        )
        if self.session is not None and self.current_uid:
            self.set_timepoint(self.current_uid)

    def _find_series(self, series_uid: str) -> SeriesCandidate | None:
        if self.scan_result is None or not series_uid:
            return None
        for series in self.scan_result.series:
            if series.series_uid == series_uid:
                return series
        return None

    def show_series(self, series: SeriesCandidate) -> SeriesLoadWorker:
        """Load a series in the background: the middle slice paints first.

        A load replaces the one before; the signals of a replaced (or
        cancelled) load are ignored, even those already on their way.
        """
        self._series = series
        worker = SeriesLoadWorker(series, self)
        worker.started.connect(self._on_load_started)
        worker.slice_loaded.connect(self._on_load_slice_loaded)
        worker.progress.connect(self._on_load_progress)
        worker.finished.connect(self._on_load_finished)
        worker.failed.connect(self._on_load_failed)
        self._keep(worker)
        self.progress.setRange(0, series.image_count)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        if self._loading is not None:
            self._loading.cancel()
        self._loading = worker
        worker.start()
        self._check_phase()
        return worker

    def _is_current_load(self) -> bool:
        """Whether the signal being handled comes from the load in progress."""
        return self._loading is not None and self.sender() is self._loading

    def _end_load(self) -> None:
        self._loading = None
        self.progress.hide()
        self.cancel_button.hide()

    def _on_load_started(self, volume: Volume) -> None:
        if not self._is_current_load():
            return
        self.view.set_volume(volume)
        self._refresh_calipers()

    def _on_load_slice_loaded(self, k: int) -> None:
        if self._is_current_load():
            self.view.refresh_slice(k)

    def _on_load_progress(self, done: int, total: int) -> None:
        if self._is_current_load():
            self.progress.setValue(done)

    def cancel_load(self) -> None:
        """Stop the series load; what is shown stays."""
        if self._loading is not None:
            self._loading.cancel()
        self._end_load()
        self.statusBar().showMessage("Load cancelled", 3000)

    def _on_load_finished(self, volume: Volume) -> None:
        if not self._is_current_load():
            return
        self._end_load()
        if self.view.volume is None or self.view.volume.voxels is not volume.voxels:
            self.view.set_volume(volume)
        self._refresh_calipers()

    def _on_load_failed(self, text: str) -> None:
        if not self._is_current_load():
            return
        self._end_load()
        self._show_error(RuntimeError(text))

    # -- prior comparison ------------------------------------------------------
    def _prior_uid(self) -> str:
        """Return the chosen earlier time point (default: the baseline)."""
        if self.session is None:
            return ""
        uids = [tp.uid for tp in self.session.read.timepoints]
        if self.current_uid not in uids or uids.index(self.current_uid) == 0:
            return ""
        chosen = self.prior_box.currentData()
        earlier = uids[: uids.index(self.current_uid)]
        return str(chosen) if chosen in earlier else earlier[0]

    def _on_compare_toggled(self, on: bool) -> None:
        self.prior_view.setVisible(on)
        if on:
            self._load_prior()

    def _load_prior(self) -> None:
        uid = self._prior_uid()
        if self.session is None or not uid:
            return
        series = self._find_series(self.session.timepoint(uid).series_uid)
        if series is None:
            return
        worker = SeriesLoadWorker(series, self)
        worker.started.connect(self._on_prior_started)
        worker.slice_loaded.connect(self._on_prior_slice_loaded)
        worker.finished.connect(self._on_prior_finished)
        worker.failed.connect(self._on_prior_failed)
        self._keep(worker)
        if self._prior_loading is not None:
            self._prior_loading.cancel()
        self._prior_loading, self._prior_loading_uid = worker, uid
        worker.start()

    def _is_current_prior_load(self) -> bool:
        return self._prior_loading is not None and self.sender() is self._prior_loading

    def _on_prior_started(self, volume: Volume) -> None:
        if self._is_current_prior_load():
            self.prior_view.set_volume(volume)

    def _on_prior_slice_loaded(self, k: int) -> None:
        if self._is_current_prior_load():
            self.prior_view.refresh_slice(k)

    def _on_prior_finished(self, volume: Volume) -> None:
        if not self._is_current_prior_load():
            return
        self._prior_loading = None
        if (
            self.prior_view.volume is None
            or self.prior_view.volume.voxels is not volume.voxels
        ):
            self.prior_view.set_volume(volume)
        # The time point may have been removed while its series loaded.
        record = (
            None
            if self.session is None
            else self.session.read.timepoint(self._prior_loading_uid)
        )
        show_calipers(self.prior_view, record, volume.series_uid)

    def _on_prior_failed(self, text: str) -> None:
        if self._is_current_prior_load():
            self._prior_loading = None
            self._show_error(RuntimeError(text))

    def link_prior_here(self) -> None:
        """Anchor linked scrolling: this slice now matches the prior's slice."""
        if self.linked.link_here():
            self.statusBar().showMessage("Prior linked: scrolling follows", 3000)
        else:
            self.statusBar().showMessage("Show both series first", 3000)

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

    def show_error(self, exc: Exception) -> None:
        """Show an error in the status bar (and the lesion panel)."""
        self._show_error(exc)

    def _show_error(self, exc: Exception) -> None:
        self.statusBar().showMessage(str(exc), 8000)
        if hasattr(self, "lesions"):
            self.lesions.message.setText(str(exc))

    def _update_title(self) -> None:
        if self.session is None:
            self.setWindowTitle("respond")
            return
        patient = self.session.read.patient
        dirty = "" if self.stack.isClean() else " •"
        self.setWindowTitle(
            f"respond — {patient.id} {patient.name or ''}".rstrip() + dirty
        )

    def _about(self) -> None:
        QMessageBox.about(self, "About respond", ABOUT_TEXT)
