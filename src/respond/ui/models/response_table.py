"""The response table: RECIST 1.1 and mRECIST side by side for every time point."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from respond.criteria import Criterion, Response
from respond.criteria.result import round_display

if TYPE_CHECKING:
    from respond.criteria import CriterionResult, TimePointResult
    from respond.session import ReadSession

__all__ = ["ResponseTableModel"]

_Index = QModelIndex | QPersistentModelIndex
_FIELDS = ("sum", "vs BL", "vs nadir", "target", "non-target", "new", "overall")
_DISAGREE = QColor(255, 236, 179)
_ON_CATEGORY = QColor(33, 33, 33)
_CATEGORY_COLOURS = {
    Response.CR: QColor(200, 230, 201),
    Response.PR: QColor(220, 237, 200),
    Response.SD: QColor(255, 249, 196),
    Response.NON_CR_NON_PD: QColor(255, 249, 196),
    Response.PD: QColor(255, 205, 210),
    Response.NE: QColor(224, 224, 224),
}


def _pct(value: object) -> str:
    if value is None:
        return ""
    rounded = round_display(value)  # type: ignore[arg-type]
    return f"{'+' if rounded and rounded > 0 else ''}{rounded} %"


class ResponseTableModel(QAbstractTableModel):
    """Rows: time points. Columns: per criterion sum, changes and categories."""

    CRITERIA: ClassVar[tuple[Criterion, ...]] = (Criterion.RECIST11, Criterion.MRECIST)

    def __init__(self, session: ReadSession) -> None:
        super().__init__()
        self._session = session
        session.events.assessment_changed.connect(self._on_session_assessment_changed)

    def _on_session_assessment_changed(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _rows(self) -> tuple[TimePointResult, ...]:
        assessment = self._session.assessment
        return () if assessment is None else assessment.timepoints

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of time points."""
        return 0 if parent.isValid() else len(self._rows())

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Seven fields per criterion."""
        return 0 if parent.isValid() else len(_FIELDS) * len(self.CRITERIA)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        """Criterion and field names; time point labels and dates."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            criterion = self.CRITERIA[section // len(_FIELDS)]
            return f"{criterion.value}\n{_FIELDS[section % len(_FIELDS)]}"
        rows = self._rows()
        if 0 <= section < len(rows):
            return f"{rows[section].label}\n{rows[section].date.isoformat()}"
        return None

    def result(self, row: int, criterion: Criterion) -> CriterionResult | None:
        """Return the criterion's result at a time point row."""
        rows = self._rows()
        if not 0 <= row < len(rows):
            return None
        return rows[row].results.get(criterion)

    def disagrees(self, row: int) -> bool:
        """Whether RECIST 1.1 and mRECIST give different overall categories."""
        a = self.result(row, Criterion.RECIST11)
        b = self.result(row, Criterion.MRECIST)
        return a is not None and b is not None and a.overall is not b.overall

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Values, tooltips with the reasons, colours by category."""
        if not index.isValid():
            return None
        criterion = self.CRITERIA[index.column() // len(_FIELDS)]
        field = _FIELDS[index.column() % len(_FIELDS)]
        result = self.result(index.row(), criterion)
        if result is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(result, field)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(f"[{r.rule}] {r.text}" for r in result.reasons)
        if field == "overall" and result.overall is not None:
            if role == Qt.ItemDataRole.BackgroundRole:
                if self.disagrees(index.row()):
                    return QBrush(_DISAGREE)
                return QBrush(_CATEGORY_COLOURS[result.overall])
            if role == Qt.ItemDataRole.ForegroundRole:
                # Dark text on the light category colours, whatever the theme.
                return QBrush(_ON_CATEGORY)
        return None

    @staticmethod
    def _display(result: CriterionResult, field: str) -> str:
        if field == "sum":
            return "" if result.sum_mm is None else f"{result.sum_mm} mm"
        if field == "vs BL":
            return _pct(result.change_from_baseline_pct)
        if field == "vs nadir":
            return _pct(result.change_from_nadir_pct)
        if field == "new":
            return {None: "", True: "yes", False: "no"}[result.new_lesions]
        value = {"target": result.target, "non-target": result.non_target}.get(
            field, result.overall
        )
        if field == "overall" and result.revised_from is not None:
            return f"PD (was {result.revised_from.value})"
        return "" if value is None else value.value
