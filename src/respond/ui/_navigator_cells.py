"""The lesion navigator's matrix as values: lesions by time points.

Rows are the targets, then the non-targets (each in the read's order), then the
new lesions in the order they were first seen; columns are the time points.
Each cell holds the values recorded there, worded as the lesion table and the
report's key images word them ("LD 23.9 mm, viable 14.1 mm", "too small",
"new lesion, 12.0 mm"), the calipers drawn there, and, when no key image can
be shown, why. Nothing here touches Qt: the navigator's model shows a matrix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from respond.criteria import Caliper, LesionId, Role
from respond.criteria.wording import target_values_text

if TYPE_CHECKING:
    from respond.criteria import (
        Lesion,
        NewLesion,
        NonTargetObservation,
        PatientRead,
        TimePointRecord,
    )

__all__ = [
    "NON_TARGET",
    "NOT_SEEN",
    "NO_CALIPER",
    "NO_IMAGES",
    "CellKey",
    "Matrix",
    "MatrixCell",
    "MatrixColumn",
    "MatrixRow",
    "matrix_of",
    "new_lesion_text",
    "non_target_text",
]

NO_CALIPER: Final = "no caliper recorded"
"""A measurement (or status) without a line drawn: nothing to cut."""
NO_IMAGES: Final = "images not found: open the patient's studies"
"""No image source was given (the patient's studies are not found yet)."""
NON_TARGET: Final = "no key image for non-targets"
"""Non-targets are followed by their status; key images are cut for targets."""
NOT_SEEN: Final = "not seen yet"
"""A new lesion at a time point before it was first seen."""
_NEW_NO_CALIPER: Final = "no caliper drawn"
_ROLE_TEXT: Final = {Role.TARGET: "target", Role.NON_TARGET: "non-target"}

CellKey = tuple[str, str, tuple["Caliper", ...]]
"""A cell's thumbnail identity: lesion id, time point uid and its calipers."""


def non_target_text(observation: NonTargetObservation | None) -> str:
    """Return a non-target's status, e.g. ``present`` or ``present (SA 22.0 mm)``."""
    if observation is None:
        return "not recorded"
    text = observation.status.value.replace("_", " ")
    if observation.short_axis_mm is not None:
        text += f" (SA {observation.short_axis_mm} mm)"
    return text


def new_lesion_text(lesion: NewLesion) -> str:
    """Return a new lesion's size as a key image's caption gives it."""
    size = f"{lesion.long_axis_mm} mm" if lesion.long_axis_mm is not None else "present"
    text = f"new lesion, {size}"
    return text + " (equivocal)" if lesion.equivocal else text


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One lesion: its id, a short subtitle and a longer description."""

    lesion_id: str
    subtitle: str
    details: str
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class MatrixColumn:
    """One time point."""

    uid: str
    label: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One lesion at one time point.

    ``reason`` says why no key image can be shown; it is empty when one is
    expected (a caliper was drawn and images are given).
    """

    lesion_id: str
    timepoint_uid: str
    values_text: str
    calipers: tuple[Caliper, ...] = ()
    reason: str = ""

    @property
    def key(self) -> CellKey:
        """The cell's thumbnail identity (the same calipers: the same picture)."""
        return self.lesion_id, self.timepoint_uid, self.calipers

    @property
    def is_expecting_image(self) -> bool:
        """Whether a key image is expected for this cell."""
        return not self.reason


@dataclass(frozen=True, slots=True)
class Matrix:
    """Rows (lesions) by columns (time points), with a cell at each crossing."""

    rows: tuple[MatrixRow, ...] = ()
    columns: tuple[MatrixColumn, ...] = ()
    cells: tuple[tuple[MatrixCell, ...], ...] = ()

    def cell(self, row: int, column: int) -> MatrixCell:
        """Return the cell at a row and column."""
        return self.cells[row][column]

    def position(self, lesion_id: str, timepoint_uid: str) -> tuple[int, int] | None:
        """Return the (row, column) of a lesion at a time point, if shown."""
        rows = [n for n, r in enumerate(self.rows) if r.lesion_id == lesion_id]
        columns = [n for n, c in enumerate(self.columns) if c.uid == timepoint_uid]
        return (rows[0], columns[0]) if rows and columns else None


def _lesion_row(lesion: Lesion) -> MatrixRow:
    role = _ROLE_TEXT[lesion.role] + (" (node)" if lesion.is_node else "")
    subtitle = f"{role} · {lesion.organ}" if lesion.organ else role
    where = ", ".join(p for p in (lesion.organ, lesion.site) if p)
    kind = lesion.kind.value.replace("_", " ").replace("hcc", "HCC")
    details = f"{lesion.id}: {role}" + (f", {where}" if where else "") + f" ({kind})"
    return MatrixRow(lesion.id, subtitle, details)


def _new_row(lesion: NewLesion, first_seen: str) -> MatrixRow:
    subtitle = f"new · {lesion.organ}" if lesion.organ else "new"
    where = ", ".join(p for p in (lesion.organ, lesion.site) if p)
    details = f"{lesion.id}: new lesion" + (f", {where}" if where else "")
    return MatrixRow(lesion.id, subtitle, f"{details} (first seen {first_seen})", True)


def _image_reason(
    calipers: tuple[Caliper, ...], no_caliper: str, *, images: bool
) -> str:
    if not calipers:
        return no_caliper
    return "" if images else NO_IMAGES


def _target_cell(lesion: Lesion, tp: TimePointRecord, *, images: bool) -> MatrixCell:
    calipers = tuple(tp.calipers.get(lesion.id, ()))
    return MatrixCell(
        lesion.id,
        tp.uid,
        target_values_text(tp.target(lesion.id)),
        calipers,
        _image_reason(calipers, NO_CALIPER, images=images),
    )


def _non_target_cell(lesion: Lesion, tp: TimePointRecord) -> MatrixCell:
    text = non_target_text(tp.non_target(lesion.id))
    return MatrixCell(lesion.id, tp.uid, text, reason=NON_TARGET)


def _new_cell(
    finding_id: str, tp: TimePointRecord, *, seen: bool, images: bool
) -> MatrixCell:
    lesion = tp.new_lesion(finding_id)
    if lesion is None:
        text = "not recorded" if seen else ""
        return MatrixCell(
            finding_id, tp.uid, text, reason=_NEW_NO_CALIPER if seen else NOT_SEEN
        )
    calipers = tuple(tp.calipers.get(LesionId(finding_id), ()))
    return MatrixCell(
        finding_id,
        tp.uid,
        new_lesion_text(lesion),
        calipers,
        _image_reason(calipers, _NEW_NO_CALIPER, images=images),
    )


def _new_lesions(read: PatientRead) -> list[tuple[NewLesion, int]]:
    """Return each new finding (as first recorded) with the column first seen."""
    found: dict[str, tuple[NewLesion, int]] = {}
    for column, tp in enumerate(read.timepoints):
        for lesion in tp.timepoint.new_lesions:
            found.setdefault(lesion.id, (lesion, column))
    return list(found.values())


def matrix_of(read: PatientRead, *, has_images: bool) -> Matrix:
    """Return the read as a matrix of lesions by time points.

    Parameters
    ----------
    read
        The patient's read.
    has_images
        Whether key images can be cut (an image source is given); when not,
        cells with calipers say that the images are not found.

    Returns
    -------
    Matrix
        Targets, non-targets and new lesions by time points, oldest first.
    """
    timepoints = read.timepoints
    columns = tuple(MatrixColumn(tp.uid, tp.label, tp.date) for tp in timepoints)
    rows: list[MatrixRow] = []
    cells: list[tuple[MatrixCell, ...]] = []
    for role in (Role.TARGET, Role.NON_TARGET):
        for lesion in (les for les in read.lesions if les.role is role):
            rows.append(_lesion_row(lesion))
            cells.append(
                tuple(
                    _target_cell(lesion, tp, images=has_images)
                    if role is Role.TARGET
                    else _non_target_cell(lesion, tp)
                    for tp in timepoints
                )
            )
    for finding, first in _new_lesions(read):
        rows.append(_new_row(finding, timepoints[first].label))
        cells.append(
            tuple(
                _new_cell(finding.id, tp, seen=column >= first, images=has_images)
                for column, tp in enumerate(timepoints)
            )
        )
    return Matrix(tuple(rows), columns, tuple(cells))
