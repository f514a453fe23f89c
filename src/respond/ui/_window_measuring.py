"""The main window's measuring: caliper tools, edits and the phase warning.

The rules (which lesion, which series, what the calipers become) are the
reading controller's; this converts between the viewer's voxel indices and
patient millimetres and pushes the undoable commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria import CaliperKind, Criterion
from respond.dicom import GeometryError
from respond.dicom.phase import Phase, is_arterial
from respond.errors import RespondError
from respond.session import ShownSeries
from respond.ui._caliper_sync import caliper_from_indices, parse_key, show_calipers
from respond.ui.commands import SetCalipersCommand, push
from respond.ui.series_browser import suggested_arterial
from respond.ui.viewer.calipers import is_proposal_key

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QUndoStack
    from PySide6.QtWidgets import QLabel, QStatusBar

    from respond.criteria import Caliper
    from respond.dicom import ScanResult, SeriesCandidate, Volume
    from respond.session import ReadingController, ReadSession
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.lesion_panel import LesionPanel
    from respond.ui.pane import ViewerPane
    from respond.ui.viewer import CaliperEdit, IndexPoint, SliceView

    Ends = tuple[IndexPoint, IndexPoint]

__all__ = ["MeasuringMixin", "phase_warning"]


def phase_warning(
    series: SeriesCandidate,
    arterial: SeriesCandidate | None,
    *,
    measuring_viable: bool = False,
) -> str:
    """Return the one-line warning for a series that is not arterial ("" if it is)."""
    phase = series.phase.phase
    if is_arterial(phase):
        return ""
    if phase is Phase.UNKNOWN:
        what = "a series whose contrast phase the headers do not tell"
    else:
        what = f"a {phase.value.replace('_', ' ')} series"
    verb = "Measuring viable tumour on" if measuring_viable else "Showing"
    better = (
        f" The arterial series is #{arterial.series_number} {arterial.description}."
        if arterial is not None and arterial.key != series.key
        else ""
    )
    return (
        f"⚠ {verb} {what}: mRECIST measures viable tumour on the arterial "
        f"phase.{better}"
    )


class MeasuringMixin:
    """Caliper tools and edits of the main window (mixed into MainWindow)."""

    session: ReadSession | None
    controller: ReadingController | None
    scan_result: ScanResult | None
    stack: QUndoStack
    current_uid: str
    view: SliceView
    prior_view: SliceView
    current_pane: ViewerPane
    prior_pane: ViewerPane
    banner: QLabel
    lesions: LesionPanel
    tool_actions: dict[str, QAction]
    errors: ErrorReporter

    if TYPE_CHECKING:

        def statusBar(self) -> QStatusBar: ...
        @property
        def _series(self) -> SeriesCandidate | None: ...
        def _prior_uid(self) -> str: ...
        def _shown_of(self, series: SeriesCandidate | None) -> ShownSeries | None: ...

    def _check_phase(self, measuring_viable: bool = False) -> None:
        series = self._series
        if series is None:
            self.banner.hide()
            return
        study = (
            None
            if self.scan_result is None
            else self.scan_result.study(series.study_uid)
        )
        hint = suggested_arterial(study.series) if study is not None else None
        text = phase_warning(series, hint, measuring_viable=measuring_viable)
        shown = self._shown()
        if (
            text
            and shown is not None
            and self.controller is not None
            and self.current_uid
            and self.controller.belongs(self.current_uid, shown)
            and self.controller.session.timepoint(
                self.current_uid
            ).timepoint.arterial_phase
        ):
            text = ""  # the reader marked this time point's images arterial
        self.banner.setText(text)
        self.banner.setToolTip(text)
        self.banner.setVisible(bool(text))

    # -- calipers --------------------------------------------------------------
    def set_tool(self, kind: str | None) -> None:
        """Choose the caliper tool (None: pan)."""
        for name, action in self.tool_actions.items():
            action.setChecked(name == kind)
        self.view.set_tool(kind)  # type: ignore[arg-type]
        if kind == "viable":
            self._check_phase(measuring_viable=True)

    def _shown(self) -> ShownSeries | None:
        """Return what the current pane shows (None when it shows a message)."""
        volume = self.view.volume
        if volume is None or not self.current_pane.showing_images:
            return None
        series = self._series
        if series is not None and series.series_uid == volume.series_uid:
            return self._shown_of(series)
        return ShownSeries(volume.series_uid)

    def _refresh_calipers(self) -> None:
        if self.session is None or self.view.volume is None:
            return
        record = self.session.read.timepoint(self.current_uid)
        shown = self._shown()
        if (
            shown is None
            or self.controller is None
            or not self.current_uid
            or not self.controller.belongs(self.current_uid, shown)
        ):
            record = None  # another time point's images: none of these calipers
        show_calipers(self.view, record, self.view.volume.series_uid)

    def _on_view_caliper_drawn(
        self, kind: str, start: IndexPoint, end: IndexPoint
    ) -> None:
        try:
            self._draw(CaliperKind(kind), start, end)
        except (RespondError, GeometryError) as exc:
            self.errors.report(exc)
            self._refresh_calipers()

    def _draw(self, kind: CaliperKind, start: IndexPoint, end: IndexPoint) -> None:
        session, controller, volume = self.session, self.controller, self.view.volume
        if session is None or controller is None or not self.current_uid:
            self.errors.report("open a patient and choose a time point first")
            return
        lesion = controller.measurable(self.lesions.selected_lesion)
        controller.check_series(self.current_uid, self._shown())
        assert volume is not None
        caliper = caliper_from_indices(volume, kind, start, end)
        calipers = controller.after_draw(self.current_uid, lesion.id, caliper)
        saved = push(
            self.stack,
            SetCalipersCommand(
                session,
                self.current_uid,
                lesion.id,
                calipers,
                f"Measure {lesion.id} {kind.value.replace('_', ' ')}",
            ),
        )
        if saved:
            self._say_what_next(lesion.id, kind, calipers)

    def _say_what_next(
        self, lesion_id: str, kind: CaliperKind, calipers: list[Caliper]
    ) -> None:
        """After a long axis, say when mRECIST still needs the viable diameter."""
        assert self.session is not None
        drawn = {c.kind for c in calipers}
        length = next(c.length_mm for c in calipers if c.kind is kind)
        text = f"{lesion_id}: {kind.value.replace('_', ' ')} {length} mm saved."
        if (
            kind is CaliperKind.LONG_AXIS
            and Criterion.MRECIST in self.session.read.settings.criteria
            and CaliperKind.VIABLE not in drawn
        ):
            text += (
                " mRECIST also needs the longest viable (arterially enhancing) "
                "diameter: press V and draw it."
            )
        self.statusBar().showMessage(text, 15000)

    def _on_view_calipers_edited(self, edits: tuple[CaliperEdit, ...]) -> None:
        """Record one mouse edit (a line and the partner that followed it) at once.

        Proposed lines (click-to-measure) are not measurements yet: they are
        left to the measure tool. Each lesion the drag changed gets one
        command (in practice one: a short axis follows its own lesion's long
        axis). A refused edit puts the calipers back where the read has them.
        """
        session, volume = self.session, self.view.volume
        edits = tuple(e for e in edits if not is_proposal_key(e[0]))
        if not edits or session is None or volume is None or self.controller is None:
            return  # a proposed line moved: the measure tool records it on accept
        by_lesion: dict[str, dict[tuple[CaliperKind, int], Ends]] = {}
        for key, start, end in edits:
            lesion_id, kind, index = parse_key(key)
            by_lesion.setdefault(lesion_id, {})[kind, index] = (start, end)
        try:
            self.controller.check_series(self.current_uid, self._shown())
            saved = [
                self._move_calipers(session, volume, lesion_id, moved)
                for lesion_id, moved in by_lesion.items()
            ]
        except RespondError as exc:
            self.errors.report(exc)
            saved = [False]
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
        assert self.controller is not None
        try:
            replaced: dict[tuple[CaliperKind, int], Caliper] = {
                (kind, index): caliper_from_indices(volume, kind, *ends, index)
                for (kind, index), ends in moved.items()
            }
        except GeometryError as exc:
            self.errors.report(exc)
            return False
        calipers = self.controller.after_move(self.current_uid, lesion_id, replaced)
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
        """Jump both panes to the lesion.

        The current pane goes where the lesion was measured here, or, when it
        is not measured yet, to where it was measured before (the prior's
        position); the prior pane to where it was measured there. With both
        shown, scrolling is then linked at the lesion.
        """
        if self.controller is None:
            return
        current = self.controller.nearest_anchor(self.current_uid, lesion_id)
        prior_uid = self._prior_uid()
        prior = self.controller.anchor(prior_uid, lesion_id) if prior_uid else None
        moved = _go_to(self.view, current)
        moved_prior = self.prior_pane.isVisible() and _go_to(self.prior_view, prior)
        if moved and moved_prior:
            linked = getattr(self, "linked", None)
            if linked is not None:
                linked.link_here()


def _go_to(view: SliceView, caliper: Caliper | None) -> bool:
    """Show the slice nearest a caliper's position; return whether it moved."""
    volume = view.volume
    if caliper is None or volume is None or volume.geometry is None:
        return False
    k = round(float(volume.geometry.patient_to_index(caliper.start_mm)[0]))
    if not 0 <= k < volume.shape[0] and caliper.series_uid != volume.series_uid:
        return False
    view.set_slice(max(0, min(k, volume.shape[0] - 1)))
    return True
