"""The main window's measuring: calipers, tools and the phase warning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria import CaliperKind, LesionId, Role
from respond.dicom import GeometryError
from respond.dicom.phase import is_arterial
from respond.ui._caliper_sync import caliper_from_indices, parse_key, show_calipers
from respond.ui.commands import SetCalipersCommand, push
from respond.ui.series_browser import suggested_arterial

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QUndoStack
    from PySide6.QtWidgets import QLabel

    from respond.criteria import Caliper
    from respond.dicom import ScanResult, SeriesCandidate, Volume
    from respond.session import ReadSession
    from respond.ui.lesion_panel import LesionPanel
    from respond.ui.viewer import CaliperEdit, IndexPoint, SliceView

    Ends = tuple[IndexPoint, IndexPoint]

__all__ = ["MeasuringMixin"]


class MeasuringMixin:
    """Caliper tools and edits of the main window (mixed into MainWindow)."""

    session: ReadSession | None
    scan_result: ScanResult | None
    stack: QUndoStack
    current_uid: str
    view: SliceView
    prior_view: SliceView
    banner: QLabel
    lesions: LesionPanel
    tool_actions: dict[str, QAction]
    _series: SeriesCandidate | None

    def _prior_uid(self) -> str:  # pragma: no cover - MainWindow provides it
        raise NotImplementedError

    def _show_error(self, exc: Exception) -> None:  # pragma: no cover - provided
        raise NotImplementedError

    def _check_phase(self, measuring_viable: bool = False) -> None:
        series = self._series
        if series is None:
            self.banner.hide()
            return
        if not is_arterial(series.phase.phase):
            study = (
                None
                if self.scan_result is None
                else self.scan_result.study(series.study_uid)
            )
            hint = suggested_arterial(study.series) if study is not None else None
            better = (
                f" The arterial series is #{hint.series_number} {hint.description}."
                if hint
                else ""
            )
            verb = "Measuring viable tumour on" if measuring_viable else "Showing"
            self.banner.setText(
                f"⚠ {verb} a {series.phase.phase.value.replace('_', ' ')} series: "
                "mRECIST "
                f"measures viable tumour on the arterial phase.{better}"
            )
            self.banner.show()
        else:
            self.banner.hide()

    # -- calipers --------------------------------------------------------------
    def set_tool(self, kind: str | None) -> None:
        """Choose the caliper tool (None: pan)."""
        for name, action in self.tool_actions.items():
            action.setChecked(name == kind)
        self.view.set_tool(kind)  # type: ignore[arg-type]
        if kind == "viable":
            self._check_phase(measuring_viable=True)

    def _refresh_calipers(self) -> None:
        if self.session is None or self.view.volume is None:
            return
        record = self.session.read.timepoint(self.current_uid)
        show_calipers(self.view, record, self.view.volume.series_uid)

    def _on_view_caliper_drawn(
        self, kind: str, start: IndexPoint, end: IndexPoint
    ) -> None:
        session, volume = self.session, self.view.volume
        if session is None or volume is None or not self.current_uid:
            self._show_error(
                RuntimeError("open a patient and choose a time point first")
            )
            return
        lesion_id = self.lesions.selected_lesion
        lesion = session.read.lesion(LesionId(lesion_id)) if lesion_id else None
        if lesion is None or lesion.role is not Role.TARGET:
            self._show_error(
                RuntimeError("select the target lesion to measure in the lesion panel")
            )
            return
        record = session.read.timepoint(self.current_uid)
        if record is None:
            self._show_error(RuntimeError("choose a time point first"))
            return
        caliper_kind = CaliperKind(kind)
        existing = list(record.calipers.get(lesion.id, ()))
        index = 0
        if caliper_kind is CaliperKind.FRAGMENT:
            index = 1 + max(
                (c.index for c in existing if c.kind is caliper_kind), default=-1
            )
        else:
            existing = [c for c in existing if c.kind is not caliper_kind]
        try:
            caliper = caliper_from_indices(volume, caliper_kind, start, end, index)
        except GeometryError as exc:
            self._show_error(exc)
            return
        push(
            self.stack,
            SetCalipersCommand(
                session,
                self.current_uid,
                lesion_id,
                [*existing, caliper],
                f"Measure {lesion_id} {kind.replace('_', ' ')}",
            ),
        )

    def _on_view_calipers_edited(self, edits: tuple[CaliperEdit, ...]) -> None:
        """Record one mouse edit (a line and the partner that followed it) at once.

        Each lesion the drag changed gets one command (in practice one: a short
        axis follows its own lesion's long axis). A refused edit puts the
        calipers back where the read has them.
        """
        session, volume = self.session, self.view.volume
        if session is None or volume is None:
            return
        by_lesion: dict[str, dict[tuple[CaliperKind, int], Ends]] = {}
        for key, start, end in edits:
            lesion_id, kind, index = parse_key(key)
            by_lesion.setdefault(lesion_id, {})[kind, index] = (start, end)
        saved = [
            self._move_calipers(session, volume, lesion_id, moved)
            for lesion_id, moved in by_lesion.items()
        ]
        if not all(saved):
            self._refresh_calipers()

    def _move_calipers(
        self,
        session: ReadSession,
        volume: Volume,
        lesion_id: str,
        moved: dict[tuple[CaliperKind, int], Ends],
    ) -> bool:
        """Push one command moving a lesion's calipers; return whether it saved."""
        record = session.read.timepoint(self.current_uid)
        if record is None:
            return False
        calipers: list[Caliper] = []
        for caliper in record.calipers.get(LesionId(lesion_id), ()):
            ends = moved.get((caliper.kind, caliper.index))
            if ends is None:
                calipers.append(caliper)
                continue
            try:
                calipers.append(
                    caliper_from_indices(volume, caliper.kind, *ends, caliper.index)
                )
            except GeometryError as exc:
                self._show_error(exc)
                return False
        return push(
            self.stack,
            SetCalipersCommand(
                session,
                self.current_uid,
                lesion_id,
                calipers,
                f"Move caliper {lesion_id}",
            ),
        )

    def _on_lesions_lesion_selected(self, lesion_id: str) -> None:
        """Jump to the slice the lesion was measured on (both views)."""
        if self.session is None:
            return
        for view, uid in (
            (self.view, self.current_uid),
            (self.prior_view, self._prior_uid()),
        ):
            record = self.session.read.timepoint(uid) if uid else None
            volume = view.volume
            if record is None or volume is None or volume.geometry is None:
                continue
            for caliper in record.calipers.get(LesionId(lesion_id), ()):
                if caliper.series_uid == volume.series_uid:
                    k = round(
                        float(volume.geometry.patient_to_index(caliper.start_mm)[0])
                    )
                    view.set_slice(max(0, min(k, volume.shape[0] - 1)))
                    break
