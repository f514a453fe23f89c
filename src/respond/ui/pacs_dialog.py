"""File > PACS: find studies on a configured PACS and retrieve one.

A PACS is a source beside the folders: the reader picks a node (from
``pacs.json``, see docs/pacs.md), finds studies by patient ID, name, date range
and modality, and retrieves one into respond's image cache. The first image is
shown as soon as it arrives; when the study is in, its folder is scanned and
indexed like any folder the reader opens, and its arterial series is shown.
Every PACS call runs off the GUI thread; a refusal, a timeout or an HTTP error
is shown in the dialog with what to do, and nothing the reader measured is
touched.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from respond.dicom import scan_files
from respond.dicom.frame import read_frame
from respond.errors import RespondError
from respond.pacs import PacsError, StudyQuery, connect, image_cache_dir
from respond.ui.pacs_workers import PacsCallWorker, RetrieveWorker

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from respond.pacs import PacsClient, PacsNode, RetrieveResult, StudyHit

__all__ = ["COLUMNS", "PacsDialog", "parse_date"]

COLUMNS = (
    "Patient ID",
    "Name",
    "Birth date",
    "Study date",
    "Description",
    "Modalities",
    "Series",
    "Images",
    "Time point",
)
MODALITIES = ("any", "CT", "MR")
PREVIEW_PX = 256
CT_WINDOW = (40.0, 400.0)
"""Level and width of the preview of a CT image (soft tissue: the liver)."""


def parse_date(text: str, what: str) -> dt.date | None:
    """Return a date typed as YYYY-MM-DD (or YYYYMMDD), None when empty.

    Raises
    ------
    ValueError
        The text is not a date; the message names the field and the format.
    """
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{what}: {text!r} is not a date; type it as YYYY-MM-DD")


def _date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def preview_image(values: np.ndarray, *, modality: str) -> QImage:
    """Return an image as a grey picture: CT at 40/400 HU, else its 1-99 %."""
    if modality == "CT":
        level, width = CT_WINDOW
    else:
        low, high = np.percentile(values, [1.0, 99.0])
        level, width = (low + high) / 2.0, max(float(high - low), 1.0)
    low = level - width / 2.0
    scaled = np.clip((values - low) * (255.0 / width), 0, 255).astype(np.uint8)
    scaled = np.ascontiguousarray(scaled)
    rows, cols = scaled.shape
    grey = QImage(scaled.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return grey.copy()  # own the bytes


def _name(text: str) -> str:
    return " ".join(part for part in text.split("^") if part).strip()


class PacsDialog(QDialog):
    """Find and retrieve studies on a PACS (non-modal, one per window).

    Signals
    -------
    first_image(path)
        The first image of a retrieve is on disk (and shown in the preview).
    retrieved(folder, result)
        A study is in ``folder`` (its own folder in the image cache).
    """

    first_image = Signal(object)
    retrieved = Signal(object, object)

    def __init__(
        self,
        nodes: Sequence[PacsNode],
        *,
        known_studies: Callable[[], dict[str, str]] | None = None,
        connector: Callable[[PacsNode], PacsClient] = connect,
        cache: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find on PACS")
        self.setModal(False)
        self.nodes = list(nodes)
        self.known_studies = known_studies or dict
        self.connector = connector
        self.cache = cache
        self.hits: list[StudyHit] = []
        self.retrieve_worker: RetrieveWorker | None = None
        self._build()
        self._set_busy(False)
        if not self.nodes:
            self.status.setText(
                "No PACS is configured. Add one with 'respond pacs add NAME …' "
                "(see docs/pacs.md), then open this window again."
            )

    # -- layout -------------------------------------------------------------

    def _build(self) -> None:
        self.node_box = QComboBox()
        for node in self.nodes:
            self.node_box.addItem(node.name, node)
        self.echo_button = QPushButton("Test connection")
        self.echo_button.clicked.connect(self.echo)
        self.patient_id = QLineEdit()
        self.patient_name = QLineEdit()
        self.patient_name.setPlaceholderText("e.g. DOE^J*")
        self.date_from = QLineEdit()
        self.date_to = QLineEdit()
        for field in (self.date_from, self.date_to):
            field.setPlaceholderText("YYYY-MM-DD")
        self.modality = QComboBox()
        self.modality.addItems(MODALITIES)
        self.find_button = QPushButton("Find")
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(lambda: self._set_busy(self._busy))
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.retrieve())
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.retrieve_button = QPushButton("Retrieve")
        self.retrieve_button.clicked.connect(self.retrieve)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.preview = QLabel("The first image of a study\nshows here as it arrives")
        self.preview.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: black; color: #bbbbbb;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.setLayout(self._layout())
        self.resize(900, 520)

    def _layout(self) -> QVBoxLayout:
        top = QHBoxLayout()
        top.addWidget(QLabel("PACS"))
        top.addWidget(self.node_box, 1)
        top.addWidget(self.echo_button)
        form = QFormLayout()
        form.addRow("Patient ID", self.patient_id)
        form.addRow("Name", self.patient_name)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to)
        form.addRow("Study date", dates)
        form.addRow("Modality", self.modality)
        query = QHBoxLayout()
        query.addLayout(form, 1)
        query.addWidget(self.find_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.retrieve_button)
        bottom.addWidget(self.cancel_button)
        results = QHBoxLayout()
        results.addWidget(self.table, 1)
        results.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout()
        layout.addLayout(top)
        layout.addLayout(query)
        layout.addLayout(results, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        return layout

    # -- state --------------------------------------------------------------

    _busy = False

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        has_node = bool(self.nodes)
        retrieving = self.retrieve_worker is not None
        self.find_button.setEnabled(has_node and not busy)
        self.echo_button.setEnabled(has_node and not busy)
        self.node_box.setEnabled(not busy)
        selected = self.selected_hit() is not None
        self.retrieve_button.setEnabled(has_node and not busy and selected)
        self.cancel_button.setEnabled(retrieving)

    def node(self) -> PacsNode | None:
        """Return the node chosen."""
        data: PacsNode | None = self.node_box.currentData()
        return data

    def selected_hit(self) -> StudyHit | None:
        """Return the study selected in the results."""
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def _client(self) -> PacsClient | None:
        node = self.node()
        if node is None:
            return None
        try:
            return self.connector(node)
        except PacsError as exc:
            self._show_error(exc)
            return None

    def _show_error(self, error: object) -> None:
        self.status.setText(str(error))
        self.status.setToolTip("")
        self.status.setStyleSheet("color: #d9534f;")

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip("")
        self.status.setStyleSheet("")

    # -- echo and find ------------------------------------------------------

    def echo(self) -> PacsCallWorker | None:
        """Check the chosen PACS answers (C-ECHO, or a QIDO query)."""
        client = self._client()
        if client is None:
            return None
        self._say(f"Asking {client.node.name} …")
        worker = PacsCallWorker(client, lambda c: c.echo(), "testing the connection")
        worker.finished.connect(
            lambda ms: self._on_call_done(
                f"{client.node.name} answered in {float(ms):.0f} ms"
            )
        )
        return self._start(worker)

    def query(self) -> StudyQuery:
        """Return the query typed (raises ValueError naming a bad date)."""
        modality = self.modality.currentText()
        return StudyQuery(
            patient_id=self.patient_id.text().strip(),
            patient_name=self.patient_name.text().strip(),
            date_from=parse_date(self.date_from.text(), "Study date from"),
            date_to=parse_date(self.date_to.text(), "Study date to"),
            modality="" if modality == "any" else modality,
        )

    def search(self) -> PacsCallWorker | None:
        """Find the studies matching the query on the chosen PACS."""
        try:
            query = self.query()
        except ValueError as exc:
            self._show_error(exc)
            return None
        client = self._client()
        if client is None:
            return None
        self._say(f"Finding studies on {client.node.name} …")
        worker = PacsCallWorker(
            client, lambda c: c.find_studies(query), "finding studies"
        )
        worker.finished.connect(self._on_found)
        return self._start(worker)

    def find_patient(self, patient_id: str) -> PacsCallWorker | None:
        """Find every study of one patient (the open patient's, say)."""
        self.patient_id.setText(patient_id)
        for field in (self.patient_name, self.date_from, self.date_to):
            field.clear()
        self.modality.setCurrentIndex(0)
        return self.search()

    def _start(self, worker: PacsCallWorker) -> PacsCallWorker:
        worker.failed.connect(self._on_failed)
        self._set_busy(True)
        worker.start()
        return worker

    def _on_call_done(self, text: str) -> None:
        self._set_busy(False)
        self._say(text)

    def _on_failed(self, error: object) -> None:
        self._set_busy(False)
        self._show_error(error)

    def _on_found(self, hits: list[StudyHit]) -> None:
        self._set_busy(False)
        self.hits = sorted(
            hits, key=lambda h: (h.patient_id, h.study_date or dt.date.min)
        )
        known = self.known_studies()
        self.table.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            cells = (
                hit.patient_id,
                _name(hit.patient_name),
                _date(hit.birth_date),
                _date(hit.study_date),
                hit.description,
                "/".join(hit.modalities),
                "" if hit.series_count is None else str(hit.series_count),
                "" if hit.instance_count is None else str(hit.instance_count),
                known.get(hit.study_uid, ""),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(hit.study_uid)
                self.table.setItem(row, column, item)
        node = self.node()
        where = node.name if node is not None else "the PACS"
        self._say(
            f"{len(self.hits)} study(ies) found on {where}"
            + (": select one and Retrieve (or double-click it)" if self.hits else "")
        )
        self._set_busy(False)

    def refresh_time_points(self) -> None:
        """Show again which studies found are time points of the open patient."""
        known = self.known_studies()
        for row, hit in enumerate(self.hits):
            item = self.table.item(row, COLUMNS.index("Time point"))
            if item is not None:
                item.setText(known.get(hit.study_uid, ""))

    # -- retrieve -----------------------------------------------------------

    def retrieve(self) -> RetrieveWorker | None:
        """Retrieve the selected study into the image cache."""
        hit = self.selected_hit()
        if hit is None or self.retrieve_worker is not None or self._busy:
            return None
        client = self._client()
        if client is None:
            return None
        cache = self.cache if self.cache is not None else image_cache_dir()
        worker = RetrieveWorker(client, hit.study_uid, cache)
        worker.first_file.connect(self._on_first_file)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_retrieved)
        worker.failed.connect(self._on_retrieve_failed)
        self.retrieve_worker = worker
        total = hit.instance_count or 0
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m images" if total else "%v images")
        what = hit.description or hit.study_uid
        self._say(f"Retrieving {what} from {client.node.name} …")
        self._set_busy(True)
        worker.start()
        return worker

    def _on_first_file(self, path: Path) -> None:
        self.show_preview(path)
        self.first_image.emit(path)

    def show_preview(self, path: Path) -> bool:
        """Show one retrieved image in the preview; False if it cannot be shown."""
        try:
            series = scan_files([path], root=path.parent).series
            if not series or not series[0].frames:
                return False
            values = read_frame(series[0].frames[0])
        except RespondError:
            return False
        picture = preview_image(values, modality=series[0].modality)
        self.preview.setPixmap(
            QPixmap.fromImage(picture).scaled(
                PREVIEW_PX,
                PREVIEW_PX,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.preview.setToolTip(f"{series[0].description}: the first image received")
        self.preview.repaint()
        return True

    def cancel(self) -> None:
        """Stop the retrieve in progress (images already received are kept)."""
        if self.retrieve_worker is not None:
            self.retrieve_worker.cancel()
            self._say("Cancelling …")

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0 and self.progress.maximum() != total:
            self.progress.setRange(0, total)
            self.progress.setFormat("%v of %m images")
        self.progress.setValue(done)

    def _on_retrieved(self, result: RetrieveResult) -> None:
        worker = self.retrieve_worker
        self.retrieve_worker = None
        self._set_busy(False)
        if result.cancelled:
            self._say(
                f"Retrieve cancelled: {_images(len(result.files))} received are "
                "kept in the image cache"
            )
            self.status.setToolTip(str(result.folder))
            return
        self.progress.setValue(len(result.files))
        failed = f", {result.failed} failed" if result.failed else ""
        self._say(
            f"{_images(len(result.files))} retrieved{failed} into the image cache"
        )
        self.status.setToolTip(str(result.folder))
        if worker is not None:
            self.retrieved.emit(result.folder, result)

    def _on_retrieve_failed(self, error: object) -> None:
        self.retrieve_worker = None
        self._set_busy(False)
        self._show_error(error)

    def done(self, code: int) -> None:
        """Close the window; a retrieve in progress is cancelled."""
        self.cancel()
        super().done(code)


def _images(count: int) -> str:
    """``1 image``, ``89 images``."""
    return f"{count} image" if count == 1 else f"{count} images"
