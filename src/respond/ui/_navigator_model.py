"""The navigator's table model: lesions by time points, with key image thumbnails.

The model shows a :class:`Matrix` (made from the read) and the thumbnails the
worker draws as they arrive. A cell expecting a key image says "loading…"
until its thumbnail comes, then shows it, or why it could not be cut.
Thumbnails are cached by lesion, time point and calipers, so showing the read
again after an edit keeps the pictures of every cell whose calipers did not
change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPixmap

from respond.ui._navigator_cells import Matrix

if TYPE_CHECKING:
    from respond.ui._navigator_cells import CellKey, MatrixCell
    from respond.ui._navigator_worker import Thumbnail

__all__ = ["CURRENT_ROLE", "LOADING", "REASON_ROLE", "NavigatorTableModel", "Picture"]

_Index = QModelIndex | QPersistentModelIndex
REASON_ROLE: Final = Qt.ItemDataRole.UserRole + 1
"""Why a cell shows no thumbnail (str; empty when it shows one)."""
CURRENT_ROLE: Final = Qt.ItemDataRole.UserRole + 2
"""Whether a cell is in the current time point's column (bool)."""
LOADING: Final = "loading…"
NO_KEY_IMAGE: Final = "no key image was cut"
_HINT: Final = "Click (or press Enter) to open it in the viewer, with its prior"


@dataclass(frozen=True, slots=True)
class Picture:
    """A cell's thumbnail and where its image was cut."""

    pixmap: QPixmap
    location_text: str = ""


def _short(missing: str) -> str:
    """Return a reason short enough for a thumbnail (the tooltip has it all)."""
    return missing.split(" (")[0].split(":")[0].strip() or missing


class NavigatorTableModel(QAbstractTableModel):
    """Rows: lesions. Columns: time points. Cells: values and a key image."""

    def __init__(self) -> None:
        super().__init__()
        self._matrix = Matrix()
        self._pictures: dict[CellKey, Picture] = {}
        self._reasons: dict[tuple[int, int], str] = {}
        self._missing: dict[tuple[int, int], str] = {}
        self._placed: set[tuple[int, int]] = set()
        self._current_uid = ""

    # -- showing -----------------------------------------------------------------
    @property
    def matrix(self) -> Matrix:
        """The matrix shown."""
        return self._matrix

    def show(self, matrix: Matrix) -> int:
        """Show a matrix; return how many cells wait for a thumbnail.

        Pictures of cells with the same lesion, time point and calipers are
        kept; the others are dropped.
        """
        self.beginResetModel()
        keys = {cell.key for row in matrix.cells for cell in row}
        self._pictures = {k: p for k, p in self._pictures.items() if k in keys}
        self._matrix = matrix
        self._reasons, self._missing, self._placed = {}, {}, set()
        waiting = 0
        for r, row in enumerate(matrix.cells):
            for c, cell in enumerate(row):
                if cell.is_expecting_image and cell.key not in self._pictures:
                    self._reasons[r, c] = LOADING
                    waiting += 1
        self.endResetModel()
        return waiting

    def put(self, thumbnail: Thumbnail, pixmap: QPixmap | None) -> bool:
        """Show a thumbnail (or why it is missing) in its cell; return if placed."""
        for r, c in self._cells_of(thumbnail.lesion_id, thumbnail.timepoint_label):
            cell = self._matrix.cell(r, c)
            if cell.key in self._pictures or (r, c) in self._placed:
                continue  # two time points with one label: the next one
            self._placed.add((r, c))
            if pixmap is None:
                self._reasons[r, c] = _short(thumbnail.missing)
                self._missing[r, c] = thumbnail.missing
            else:
                self._pictures[cell.key] = Picture(pixmap, thumbnail.location_text)
                self._reasons.pop((r, c), None)
            self.dataChanged.emit(self.index(r, c), self.index(r, c))
            return True
        return False

    def finish(self, reason: str = NO_KEY_IMAGE) -> None:
        """Say ``reason`` in every cell still waiting for its thumbnail."""
        for (r, c), text in list(self._reasons.items()):
            if text == LOADING:
                self._reasons[r, c] = reason
                self.dataChanged.emit(self.index(r, c), self.index(r, c))

    @property
    def waiting(self) -> int:
        """How many cells still wait for their thumbnail."""
        return sum(1 for text in self._reasons.values() if text == LOADING)

    def set_current(self, uid: str) -> None:
        """Highlight a time point's column."""
        columns = {self._column(self.current_uid)}
        self._current_uid = uid
        columns.add(self._column(self.current_uid))
        for column in sorted(c for c in columns if c is not None):
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, column), self.index(self.rowCount() - 1, column)
                )

    # -- reading -----------------------------------------------------------------
    @property
    def current_uid(self) -> str:
        """The highlighted time point (default: the latest)."""
        columns = self._matrix.columns
        if any(c.uid == self._current_uid for c in columns):
            return self._current_uid
        return columns[-1].uid if columns else ""

    def cell_at(self, index: _Index) -> MatrixCell | None:
        """Return the cell at an index."""
        if not index.isValid():
            return None
        return self._matrix.cell(index.row(), index.column())

    def picture_at(self, index: _Index) -> Picture | None:
        """Return the thumbnail shown at an index, if any."""
        cell = self.cell_at(index)
        return None if cell is None else self._pictures.get(cell.key)

    def reason_at(self, index: _Index) -> str:
        """Return why a cell shows no thumbnail ("" when it shows one)."""
        cell = self.cell_at(index)
        if cell is None or cell.key in self._pictures:
            return ""
        return self._reasons.get((index.row(), index.column()), cell.reason)

    def _column(self, uid: str) -> int | None:
        columns = self._matrix.columns
        return next((n for n, c in enumerate(columns) if c.uid == uid), None)

    def _cells_of(self, lesion_id: str, label: str) -> list[tuple[int, int]]:
        matrix = self._matrix
        return [
            (r, c)
            for r, row in enumerate(matrix.rows)
            if row.lesion_id == lesion_id
            for c, column in enumerate(matrix.columns)
            if column.label == label
        ]

    # -- Qt's model API --------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of lesions."""
        return 0 if parent.isValid() else len(self._matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of time points."""
        return 0 if parent.isValid() else len(self._matrix.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        """Time points (label, date) across; lesions (id, role, organ) down."""
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._matrix.columns):
                return None
            column = self._matrix.columns[section]
            is_current = column.uid == self.current_uid
            if role == Qt.ItemDataRole.DisplayRole:
                mark = " · current" if is_current else ""
                return f"{column.label}{mark}\n{column.date.isoformat()}"
            if role == Qt.ItemDataRole.FontRole and is_current:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if not 0 <= section < len(self._matrix.rows):
            return None
        row = self._matrix.rows[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.lesion_id}\n{row.subtitle}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.details
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Cells are selectable (to be chosen), never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Values (display), thumbnail (decoration), reason, tooltip, current."""
        cell = self.cell_at(index)
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.values_text
        if role == Qt.ItemDataRole.DecorationRole:
            picture = self._pictures.get(cell.key)
            return None if picture is None else picture.pixmap
        if role == REASON_ROLE:
            return self.reason_at(index)
        if role == CURRENT_ROLE:
            return cell.timepoint_uid == self.current_uid
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index, cell)
        return None

    def _tooltip(self, index: _Index, cell: MatrixCell) -> str:
        row = self._matrix.rows[index.row()]
        column = self._matrix.columns[index.column()]
        lines = [
            f"{row.details}",
            f"at {column.label} ({column.date.isoformat()}): "
            + (cell.values_text or "not seen yet"),
        ]
        picture = self._pictures.get(cell.key)
        if picture is not None and picture.location_text:
            lines.append(f"key image: {picture.location_text}")
        reason = self._missing.get((index.row(), index.column()), self.reason_at(index))
        if reason:
            lines.append(f"no key image: {reason}")
        lines.append(_HINT)
        return "\n".join(lines)
