"""The lesion navigator: every lesion at every time point, as key images.

A matrix for the tumour board: one row per lesion (targets, non-targets, new
lesions), one column per time point (label and date), and in each cell a
small key image, cut around the calipers drawn there, with the recorded
values below it ("LD 23.9 mm, viable 14.1 mm", "too small", "absent"). A cell
without a caliper or without images says why. A click (or Enter) on a cell
asks for the viewer at that lesion and time point.

The ui neither reads image files nor reaches the report: the application
gives :meth:`LesionNavigator.show_read` a key image source (a function of the
read, called off the GUI thread; see :data:`KeyImageSource`). The values show
at once, the thumbnails follow as they are drawn; a newer read replaces the
older one, whose late thumbnails are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from respond.ui._navigator_cells import Matrix, matrix_of
from respond.ui._navigator_delegate import (
    TABLE_COLOUR,
    TEXT_COLOUR,
    CellDelegate,
    cell_size,
)
from respond.ui._navigator_model import NavigatorTableModel
from respond.ui._navigator_thumbnail import (
    CaliperLineView,
    KeyImageSource,
    KeyImageView,
)
from respond.ui._navigator_worker import ThumbnailWorker

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

    from respond.criteria import PatientRead
    from respond.errors import RespondError
    from respond.ui._navigator_worker import Thumbnail

__all__ = ["CaliperLineView", "KeyImageSource", "KeyImageView", "LesionNavigator"]

FAILED: Final = "the images could not be read"
_HINT: Final = "Click a cell (or press Enter) to open that lesion and time point"
_STYLE: Final = f"""
QWidget#lesion-navigator {{ background: {TABLE_COLOUR}; }}
QLabel {{ color: #c8ccd4; padding: 2px 6px; }}
QTableView {{
    background: {TABLE_COLOUR}; color: {TEXT_COLOUR};
    gridline-color: #2c313a; border: none;
}}
QHeaderView {{ background: #1d2330; }}
QHeaderView::section {{
    background: #1d2330; color: {TEXT_COLOUR}; padding: 3px 6px;
    border: none; border-right: 1px solid #2c313a; border-bottom: 1px solid #2c313a;
}}
QTableCornerButton::section {{ background: #1d2330; border: none; }}
"""


class _MatrixView(QTableView):
    """The matrix; Enter on the focused cell chooses it."""

    entered = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt override: Enter or Return chooses the current cell."""
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            self.entered.emit(index)
            event.accept()
            return
        super().keyPressEvent(event)


def _matrix_view(model: NavigatorTableModel) -> _MatrixView:
    view = _MatrixView()
    view.setModel(model)
    view.setItemDelegate(CellDelegate(view))
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setTabKeyNavigation(False)
    view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    size = cell_size()
    across, down = view.horizontalHeader(), view.verticalHeader()
    across.setDefaultSectionSize(size.width())
    across.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    across.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    across.setHighlightSections(False)  # bold across means the current time point
    down.setDefaultSectionSize(size.height())
    down.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    down.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


class LesionNavigator(QWidget):
    """Shows the NavigatorTableModel: lesions by time points, as key images.

    Signals
    -------
    lesion_chosen(lesion_id, timepoint_uid)
        A cell was clicked, or Enter pressed on it: open the viewer there.
    thumbnails_finished()
        Every cell of the read shown has its thumbnail or says why not.
    images_failed(error)
        The key image source failed (a RespondError, for the error reporter).
    """

    lesion_chosen = Signal(str, str)
    thumbnails_finished = Signal()
    images_failed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesion-navigator")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.model = NavigatorTableModel()
        self.table = _matrix_view(self.model)
        self.table.clicked.connect(self._on_table_chosen)
        self.table.entered.connect(self._on_table_chosen)
        self.status = QLabel(_HINT)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self._read: PatientRead | None = None
        self._worker: ThumbnailWorker | None = None
        self._queued: tuple[PatientRead, KeyImageSource] | None = None

    # -- public API --------------------------------------------------------------
    @property
    def read(self) -> PatientRead | None:
        """The read shown."""
        return self._read

    @property
    def is_loading(self) -> bool:
        """Whether thumbnails of the read shown are still being drawn."""
        return self.model.waiting > 0 and (
            self._queued is not None or self._worker is not None
        )

    def show_read(self, read: PatientRead, images: KeyImageSource | None) -> None:
        """Show a read; its key images are cut by ``images`` in the background.

        The values show at once; each thumbnail replaces its "loading…" when
        drawn. Without ``images``, cells with calipers say the images are not
        found. A read shown before is replaced: its late thumbnails are dropped,
        and a source still running finishes before this one starts (so reads
        shown in quick succession never pile up background work).
        """
        self._read = read
        waiting = self.model.show(matrix_of(read, has_images=images is not None))
        self._queued = None
        if self._worker is not None:
            self._worker.cancel()
        if waiting and images is not None:
            self._queued = (read, images)
            if self._worker is None:
                self._start_queued()
            self.status.setText(f"Drawing {waiting} key images…")
            return
        self.status.setText(_HINT)
        self.thumbnails_finished.emit()

    def clear(self) -> None:
        """Show nothing (the patient is closed); background work is dropped."""
        self._read = None
        self._queued = None
        if self._worker is not None:
            self._worker.cancel()
        self.model.show(Matrix())
        self.status.setText(_HINT)

    def set_current_timepoint(self, uid: str) -> None:
        """Highlight a time point's column (the one shown as current)."""
        self.model.set_current(uid)
        uids = self.timepoint_uids()
        if uid in uids and self.model.rowCount():
            row = max(0, self.table.currentIndex().row())
            self.table.scrollTo(self.model.index(row, uids.index(uid)))

    def lesion_ids(self) -> list[str]:
        """Return the rows' lesion ids, top to bottom."""
        return [row.lesion_id for row in self.model.matrix.rows]

    def timepoint_uids(self) -> list[str]:
        """Return the columns' time point uids, left to right."""
        return [column.uid for column in self.model.matrix.columns]

    def index_of(self, lesion_id: str, timepoint_uid: str) -> QModelIndex:
        """Return the model index of a lesion at a time point (invalid if none)."""
        position = self.model.matrix.position(lesion_id, timepoint_uid)
        if position is None:
            return QModelIndex()
        return self.model.index(*position)

    # -- background drawing --------------------------------------------------------
    def _start_queued(self) -> None:
        assert self._queued is not None
        read, source = self._queued
        self._queued = None
        worker = ThumbnailWorker(read, source)
        worker.cells_ready.connect(self._on_worker_cells_ready)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        worker.ended.connect(self._on_worker_ended)
        self._worker = worker
        worker.start()

    def _current(self) -> bool:
        worker = self._worker
        return (
            worker is not None and self.sender() is worker and not worker.is_cancelled
        )

    def _on_worker_cells_ready(self, batch: list[Thumbnail]) -> None:
        if not self._current():
            return
        for thumbnail in batch:
            image = thumbnail.image
            pixmap = None if image is None else QPixmap.fromImage(image)
            self.model.put(thumbnail, pixmap)
        self.status.setText(f"Drawing {self.model.waiting} key images…")

    def _on_worker_finished(self) -> None:
        if not self._current():
            return
        self.model.finish()
        self.status.setText(_HINT)
        self.thumbnails_finished.emit()

    def _on_worker_failed(self, error: RespondError) -> None:
        if not self._current():
            return
        self.model.finish(FAILED)
        self.status.setText(f"Key images: {FAILED}")
        self.images_failed.emit(error)
        self.thumbnails_finished.emit()

    def _on_worker_ended(self) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        if self._queued is not None:
            self._start_queued()

    # -- choosing ----------------------------------------------------------------
    def _on_table_chosen(self, index: QModelIndex) -> None:
        cell = self.model.cell_at(index)
        if cell is not None:
            self.lesion_chosen.emit(cell.lesion_id, cell.timepoint_uid)
