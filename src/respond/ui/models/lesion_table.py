"""The lesion table: every lesion with its values at baseline, nadir and now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from respond.criteria import Role, TargetStatus
from respond.session import ReadingController

if TYPE_CHECKING:
    from respond.criteria import Lesion, TargetMeasurement, TimePointRecord
    from respond.session import ReadSession

__all__ = ["LesionTableModel"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("lesion", "role", "organ", "site", "kind", "baseline", "nadir", "current")
_ROLE_TEXT = {Role.TARGET: "target", Role.NON_TARGET: "non-target"}
_VALUE_COLUMNS = frozenset({"baseline", "nadir", "current"})


def _value(lesion: Lesion, measurement: TargetMeasurement | None) -> str:
    """Return a target's value as ``total / viable`` (nodes: short axis)."""
    if measurement is None:
        return ""
    if measurement.status is not TargetStatus.MEASURED:
        return str(measurement.status.value).replace("_", " ")
    if measurement.merged_into:
        return f"merged into {measurement.merged_into}"
    total = measurement.short_axis_mm if lesion.is_node else measurement.long_axis_mm
    if measurement.fragments_mm:
        total = sum(
            measurement.fragments_mm, start=type(measurement.fragments_mm[0])(0)
        )
    text = "" if total is None else f"{total}"
    if lesion.is_liver and measurement.viable_mm is not None:
        text += f" / {measurement.viable_mm}"
    return text + " mm" if text else ""


class LesionTableModel(QAbstractTableModel):
    """Rows: baseline lesions. Columns: identity, then values per time point."""

    def __init__(self, session: ReadSession) -> None:
        super().__init__()
        self._session = session
        self._current_uid = ""
        session.events.assessment_changed.connect(self._on_session_assessment_changed)

    def _on_session_assessment_changed(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    @property
    def current_uid(self) -> str:
        """The time point shown as 'current' (default: the latest)."""
        timepoints = self._session.read.timepoints
        if self._current_uid and any(tp.uid == self._current_uid for tp in timepoints):
            return self._current_uid
        return timepoints[-1].uid if timepoints else ""

    def set_current(self, uid: str) -> None:
        """Show another time point as 'current'."""
        self._current_uid = uid
        self._on_session_assessment_changed()

    def lesion_at(self, row: int) -> Lesion | None:
        """Return the lesion on a row."""
        lesions = self._session.read.lesions
        return lesions[row] if 0 <= row < len(lesions) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of baseline lesions."""
        return 0 if parent.isValid() else len(self._session.read.lesions)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Identity columns and baseline / nadir / current values."""
        return 0 if parent.isValid() else len(COLUMNS)

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
        ):
            return COLUMNS[section]
        return None

    def _nadir_timepoint(self) -> TimePointRecord | None:
        """Return the earlier time point whose RECIST sum is the nadir."""
        uid = ReadingController(self._session).nadir(self.current_uid)
        return self._session.read.timepoint(uid) if uid else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Qt override: the site is editable (by the panel's undoable edit) only."""
        flags = super().flags(index)
        if index.isValid() and COLUMNS[index.column()] == "site":
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _site_data(self, lesion: Lesion, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return lesion.site
        if role == Qt.ItemDataRole.ToolTipRole:
            what = "pick the Couinaud segments" if lesion.is_liver else "type the site"
            return f"Double-click to {what} of {lesion.id}"
        return None

    def _record_for(self, column: str) -> TimePointRecord | None:
        read = self._session.read
        if column == "baseline":
            return read.timepoints[0] if read.timepoints else None
        if column == "nadir":
            return self._nadir_timepoint()
        return read.timepoint(self.current_uid)

    def _extent_tip(self, lesion: Lesion, column: str) -> str | None:
        """Click-to-measure's volume and enhancing fraction, when measured."""
        record = self._record_for(column)
        if record is None:
            return None
        extent = record.extents.get(lesion.id)
        if extent is None:
            return None
        text = f"volume {extent.volume_ml} mL"
        if extent.enhancing_fraction is not None:
            text += f", enhancing {extent.enhancing_fraction * 100:.1f} %"
        return (
            f"{lesion.id} at {record.label}: {text} "
            "(click-to-measure; not used by the criteria)"
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Lesion fields and values (the site also as its edit value)."""
        lesion = self.lesion_at(index.row()) if index.isValid() else None
        if lesion is None:
            return None
        column = COLUMNS[index.column()]
        if column == "site":
            return self._site_data(lesion, role)
        if role == Qt.ItemDataRole.ToolTipRole and column in _VALUE_COLUMNS:
            return self._extent_tip(lesion, column)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._display(lesion, column)

    def _display(self, lesion: Lesion, column: str) -> str:
        if column == "lesion":
            return lesion.id
        if column == "role":
            return _ROLE_TEXT[lesion.role] + (" (node)" if lesion.is_node else "")
        if column == "organ":
            return lesion.organ
        if column == "kind":
            return lesion.kind.value.replace("_", " ")
        record = self._record_for(column)
        if record is None:
            return ""
        if lesion.role is Role.NON_TARGET:
            observation = record.non_target(lesion.id)
            if observation is None:
                return ""
            text = observation.status.value.replace("_", " ")
            if observation.short_axis_mm is not None:
                text += f" (SA {observation.short_axis_mm})"
            return text
        return _value(lesion, record.target(lesion.id))
