"""The patient table: one row per stored patient, as the start screen lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from respond.criteria import Criterion

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from respond.session.patients import PatientRow

__all__ = ["PatientTableModel"]

_Index = QModelIndex | QPersistentModelIndex
_NO_RESPONSE: Final = "—"


def _last_timepoint(row: PatientRow) -> str:
    date = row.last_date.isoformat() if row.last_date else ""
    return f"{row.last_label}  {date}".strip()


def _response(criterion: Criterion) -> Callable[[PatientRow], str]:
    def text(row: PatientRow) -> str:
        if row.problem:
            return _NO_RESPONSE
        return row.responses.get(criterion.value, "")

    return text


def _signed(row: PatientRow) -> str:
    if not row.timepoints:
        return ""
    return "signed" if row.signed else "unsigned"


# Header, display text, sort key. Sort keys have one type per column: dates as
# ISO text (chronological), counts as numbers.
_COLUMNS: Final[
    tuple[tuple[str, Callable[[PatientRow], str], Callable[[PatientRow], object]], ...]
] = (
    ("ID", lambda r: r.patient_id, lambda r: r.patient_id.casefold()),
    ("Name", lambda r: r.name or "", lambda r: (r.name or "").casefold()),
    (
        "Birth date",
        lambda r: r.birth_date.isoformat() if r.birth_date else "",
        lambda r: r.birth_date.isoformat() if r.birth_date else "",
    ),
    ("Sex", lambda r: r.sex or "", lambda r: r.sex or ""),
    ("Time points", lambda r: str(r.timepoints), lambda r: r.timepoints),
    (
        "Last time point",
        _last_timepoint,
        lambda r: r.last_date.isoformat() if r.last_date else "",
    ),
    ("RECIST 1.1", _response(Criterion.RECIST11), _response(Criterion.RECIST11)),
    ("mRECIST", _response(Criterion.MRECIST), _response(Criterion.MRECIST)),
    ("Signed", _signed, _signed),
)


class PatientTableModel(QAbstractTableModel):
    """Rows: the PatientRow values it was given. Columns: identity, reads, responses.

    Besides the display text it offers :attr:`SORT_ROLE` (dates as ISO text,
    counts as numbers) and :attr:`SEARCH_ROLE` (ID, name and birth date, folded
    to lower case, for the filter).
    """

    SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
    SEARCH_ROLE: Final = Qt.ItemDataRole.UserRole + 2
    ID_ROLE: Final = Qt.ItemDataRole.UserRole + 3
    COLUMNS: Final = tuple(header for header, _, _ in _COLUMNS)

    def __init__(self, rows: Sequence[PatientRow] = ()) -> None:
        super().__init__()
        self._rows: list[PatientRow] = list(rows)

    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        """Show these patients instead (a model reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> PatientRow | None:
        """Return the patient on a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, patient_id: str) -> int:
        """Return the row showing a patient, -1 when it is not listed."""
        return next(
            (n for n, r in enumerate(self._rows) if r.patient_id == patient_id), -1
        )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of patients."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        """Column names."""
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(_COLUMNS)
        ):
            return _COLUMNS[section][0]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Return selectable, never editable, without children."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Display text; the problem as tooltip; sort, search and id roles."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(_COLUMNS):
            return None
        _, display, sort_key = _COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.problem or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.SORT_ROLE:
            return sort_key(row)
        if role == self.SEARCH_ROLE:
            return _search_text(row)
        if role == self.ID_ROLE:
            return row.patient_id
        return None


def _search_text(row: PatientRow) -> str:
    born = row.birth_date
    parts = [row.patient_id, row.name or ""]
    if born is not None:
        # ISO, and as DICOM and European forms people type.
        parts += [born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%d.%m.%Y")]
    return " ".join(parts).casefold()
