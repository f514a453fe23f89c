"""Click to measure in the reading toolbar: a click inside a lesion proposes calipers.

With "Measure (M)" on and a target selected, a left click on the current image
runs :func:`respond.measure.propose` on a worker thread ("Measuring…"; a second
click while it runs replaces the first). The proposal is drawn as dashed
calipers labelled "proposed" on the slice where the lesion is longest: the long
axis; the short axis for a node or with "+ Short axis"; the viable diameter of
a liver target when the time point is read on the arterial phase (or an
arterial series of it is shown beside). The reader may drag their ends; Enter
records them as shown, through the same undoable command as hand-drawn
calipers (one undo step), with the lesion's volume and enhancing fraction and
an audit entry saying they were proposed and whether they were adjusted; Esc
rejects them (nothing is stored). The main window calls::

    self.measure_action = add_measure_tool(self)

once, after its toolbar is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from respond.criteria import (
    Caliper,
    CaliperKind,
    Lesion,
    LesionExtent,
    ProposalReview,
)
from respond.dicom import Volume
from respond.dicom.phase import is_arterial
from respond.errors import RespondError
from respond.measure import Line, MeasureError, Proposal
from respond.ui._caliper_sync import caliper_from_indices
from respond.ui._measure_worker import MeasureWorker
from respond.ui.commands import SetCalipersCommand, push
from respond.ui.icons import icon
from respond.ui.viewer.calipers import (
    PROPOSAL_KEY_PREFIX,
    IndexPoint,
    is_proposal_key,
)

if TYPE_CHECKING:
    from respond.ui.main_window import MainWindow
    from respond.ui.viewer import CaliperEdit

__all__ = ["MeasureTool", "MeasureWorker", "add_measure_tool"]

HINT: Final = "Enter accepts, Esc rejects; drag an end to adjust"
"""What the status bar says while a proposal is shown."""
_MOVED_PX: Final = 1e-6
"""An end moved farther than this (pixels) makes the proposal adjusted."""


def add_measure_tool(window: MainWindow) -> QAction:
    """Add "Measure (M)" to the reading toolbar; return its (checkable) action."""
    tool = MeasureTool(window)
    window.measure_tool = tool  # type: ignore[attr-defined]
    return tool.action


@dataclass(slots=True)
class _Request:
    """One click being measured: where, for which lesion and time point."""

    ticket: int
    uid: str
    lesion: Lesion
    volume: Volume
    arterial: Volume | None
    """The arterial volume, for a liver target's viable diameter."""


@dataclass(slots=True)
class _Shown:
    """A proposal on screen: its lines as proposed, by viewer key."""

    request: _Request
    proposal: Proposal
    lines: dict[str, tuple[CaliperKind, Line, tuple[IndexPoint, IndexPoint]]] = field(
        default_factory=dict
    )
    is_adjusted: bool = False


class MeasureTool(QObject):
    """The measure tool of one main window (proposals for the selected target)."""

    measured = Signal(object)
    """A proposal is shown: the `respond.measure.Proposal`."""
    resolved = Signal(str)
    """The proposal was ``accepted`` or ``rejected`` (tests and logs listen)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._ticket = 0
        self._request: _Request | None = None
        self._shown: _Shown | None = None
        self._is_busy = False
        self.action = QAction("Measure (M)", window, checkable=True)
        self.action.setShortcut(QKeySequence("M"))
        self.action.setIcon(icon("measure"))
        self.action.setToolTip(
            "Click inside the selected target's lesion: respond proposes its "
            "calipers (Enter accepts, Esc rejects, drag an end to adjust) (M)"
        )
        self.action.toggled.connect(self._on_action_toggled)
        self.short_axis_action = QAction("+ Short axis", window, checkable=True)
        self.short_axis_action.setIcon(icon("short_axis"))
        self.short_axis_action.setShortcut(QKeySequence("Shift+M"))
        self.short_axis_action.setToolTip(
            "Also propose the short axis (always proposed for lymph nodes) (Shift+M)"
        )
        self.accept_action = QAction("Accept proposal (Enter)", window)
        self.accept_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        self.accept_action.setEnabled(False)
        self.accept_action.triggered.connect(self.accept)
        window.addAction(self.accept_action)
        bar = window.toolbar
        actions = bar.actions()
        last_tool = actions.index(window.tool_actions["viable"])
        after = actions[last_tool + 1] if last_tool + 1 < len(actions) else None
        bar.insertActions(after, [self.action, self.short_axis_action])  # type: ignore[arg-type]
        for action in window.tool_actions.values():
            action.toggled.connect(self._on_caliper_tool_toggled)
        window.stop_tool_action.triggered.connect(self._on_escape)
        view = window.view
        view.point_picked.connect(self._on_view_point_picked)
        view.calipers_edited.connect(self._on_view_calipers_edited)

    @property
    def is_pending(self) -> bool:
        """Whether a proposal is shown, waiting for Enter or Esc."""
        return self._shown is not None

    @property
    def is_measuring(self) -> bool:
        """Whether a click is being measured."""
        return self._request is not None

    # -- the tool ------------------------------------------------------------------
    def _on_action_toggled(self, on: bool) -> None:
        if on:
            self.window.set_tool(None)  # the caliper tools go down
            self.window.statusBar().showMessage(
                "Measure: click inside the selected target's lesion", 8000
            )
        else:
            self.reject(quiet=True)
            self._request = None
            self._set_busy(False)
        self.window.view.set_picking(on)

    def _on_caliper_tool_toggled(self, on: bool) -> None:
        if on:
            self.action.setChecked(False)

    def _on_escape(self) -> None:
        """Esc rejects the proposal shown; else it puts the measure tool down."""
        if self._shown is not None:
            self.reject()
        else:
            self.action.setChecked(False)

    # -- a click -------------------------------------------------------------------
    def _on_view_point_picked(self, index: IndexPoint) -> None:
        try:
            request = self._request_for()
        except RespondError as exc:
            self.window.errors.report(exc)
            return
        volume = request.volume
        assert volume.geometry is not None
        x, y, z = (float(v) for v in volume.geometry.index_to_patient(*index))
        self.reject(quiet=True)
        self._request = request
        worker = MeasureWorker(request.ticket, volume, (x, y, z), request.arterial)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._set_busy(True)
        self.window.statusBar().showMessage("Measuring…")
        worker.start()

    def _request_for(self) -> _Request:
        """Check that a click may be measured now; return what it is for.

        Raises
        ------
        RespondError
            No patient or time point, no target chosen, images of another
            time point, a series still loading or without geometry.
        """
        window = self.window
        controller, volume = window.controller, window.view.volume
        if controller is None or window.session is None or not window.current_uid:
            raise RespondError("open a patient and choose a time point first")
        selected = window.lesions.selected_lesion
        if not selected:
            raise RespondError(
                "choose a target first: select it in the lesion panel (or add "
                "one), then click inside its lesion"
            )
        lesion = controller.measurable(selected)
        controller.check_series(window.current_uid, window._shown())
        if volume is None or window.loader.loading:
            raise RespondError("wait until the series has loaded, then click again")
        if volume.geometry is None:
            raise RespondError(
                "this series has no consistent slice geometry, so it cannot be "
                "measured in mm: measure on another series"
            )
        self._ticket += 1
        return _Request(
            self._ticket,
            window.current_uid,
            lesion,
            volume,
            self._arterial(volume) if lesion.is_liver else None,
        )

    def _arterial(self, volume: Volume) -> Volume | None:
        """Return the arterial volume of the time point shown, if there is one.

        The measured series itself when it is arterial or the time point is read
        on the arterial phase; else an arterial series of the same time point
        shown in the prior pane.
        """
        window = self.window
        assert window.session is not None
        assert window.controller is not None
        series = window._series
        if (
            series is not None
            and series.series_uid == volume.series_uid
            and is_arterial(series.phase.phase)
        ):
            return volume
        if window.session.timepoint(window.current_uid).timepoint.arterial_phase:
            return volume
        other, beside = window.prior_loader.series, window.prior_view.volume
        if (
            other is not None
            and beside is not None
            and window.prior_pane.isVisible()
            and not window.prior_loader.loading
            and beside.series_uid == other.series_uid
            and is_arterial(other.phase.phase)
        ):
            shown = window._shown_of(other)
            if shown is not None and window.controller.belongs(
                window.current_uid, shown
            ):
                return beside
        return None

    def _on_worker_failed(self, ticket: int, error: RespondError) -> None:
        if self._request is None or ticket != self._request.ticket:
            return  # replaced by a later click
        self._request = None
        self._set_busy(False)
        if isinstance(error, MeasureError):
            self.window.errors.report(
                f"{error}. Nothing was saved (or draw the calipers by hand: L, S, V)"
            )
        else:
            self.window.errors.report(error)

    def _on_worker_finished(self, ticket: int, proposal: Proposal) -> None:
        request = self._request
        if request is None or ticket != request.ticket:
            return  # replaced by a later click
        self._request = None
        self._set_busy(False)
        window = self.window
        if window.view.volume is not request.volume or (
            window.current_uid != request.uid
        ):
            window.errors.report(
                "the images changed while the lesion was measured: click again"
            )
            return
        self._show(request, proposal)

    # -- the proposal ----------------------------------------------------------------
    def _lines(
        self, request: _Request, proposal: Proposal
    ) -> list[tuple[CaliperKind, Line]]:
        lesion = request.lesion
        lines = [(CaliperKind.LONG_AXIS, proposal.long_axis)]
        wants_short = lesion.is_node or self.short_axis_action.isChecked()
        if wants_short and proposal.short_axis is not None:
            lines.append((CaliperKind.SHORT_AXIS, proposal.short_axis))
        if request.arterial is not None and proposal.viable is not None:
            lines.append((CaliperKind.VIABLE, proposal.viable))
        return lines

    def _show(self, request: _Request, proposal: Proposal) -> None:
        view = self.window.view
        geometry = request.volume.geometry
        assert geometry is not None
        k = float(proposal.slice_index)
        view.set_slice(proposal.slice_index)
        shown = _Shown(request, proposal)
        long_key: str | None = None
        for kind, line in self._lines(request, proposal):
            start, end = (
                geometry.patient_to_index(p) for p in (line.start_mm, line.end_mm)
            )
            ends = (
                (k, float(start[1]), float(start[2])),
                (k, float(end[1]), float(end[2])),
            )
            key = f"{PROPOSAL_KEY_PREFIX}{request.lesion.id}|{kind.value}|0"
            view.add_caliper(
                key,
                kind.value,
                *ends,
                long_axis_key=long_key if kind is CaliperKind.SHORT_AXIS else None,
                lesion_label=f"{request.lesion.id} proposed",
                is_proposal=True,
            )
            if kind is CaliperKind.LONG_AXIS:
                long_key = key
            shown.lines[key] = (kind, line, ends)
        self._shown = shown
        self.accept_action.setEnabled(True)
        self.window.statusBar().showMessage(
            f"{request.lesion.id} proposed: {_summary(shown)}. {HINT}."
        )
        self.measured.emit(proposal)

    def _on_view_calipers_edited(self, edits: tuple[CaliperEdit, ...]) -> None:
        if self._shown is not None and any(is_proposal_key(e[0]) for e in edits):
            self._shown.is_adjusted = True

    def _clear(self) -> None:
        shown, self._shown = self._shown, None
        self.accept_action.setEnabled(False)
        if shown is None:
            return
        proposed = self.window.view.proposal_calipers()
        for key in sorted(proposed, key=lambda key: "short_axis" not in key):
            self.window.view.remove_caliper(key)  # short axes before long axes

    def reject(self, *, quiet: bool = False) -> None:
        """Drop the proposal shown (nothing is stored)."""
        was_shown = self._shown is not None
        self._clear()
        if was_shown and not quiet:
            self.window.statusBar().showMessage(
                "Proposal rejected: nothing was saved.", 8000
            )
            self.resolved.emit("rejected")

    def accept(self) -> bool:
        """Record the proposed calipers as shown (one undo step); return if saved."""
        shown, window = self._shown, self.window
        if shown is None:
            return False
        session, request = window.session, shown.request
        items = window.view.proposal_calipers()
        if (
            session is None
            or window.view.volume is not request.volume
            or set(items) != set(shown.lines)
        ):
            self._clear()
            window.errors.report(
                "the proposal is gone (the images changed): click again"
            )
            return False
        volume = request.volume
        drawn: list[Caliper] = []
        proposed: list[Caliper] = []
        for key, (kind, line, ends) in shown.lines.items():
            now = items[key].endpoints_ijk()
            drawn.append(caliper_from_indices(volume, kind, *now))
            proposed.append(_proposed(drawn[-1], line))
            shown.is_adjusted |= _moved(now, ends)
        lesion_id = request.lesion.id
        record = session.timepoint(request.uid)
        kinds = {c.kind for c in drawn}
        calipers = [
            *(c for c in record.calipers.get(lesion_id, ()) if c.kind not in kinds),
            *drawn,
        ]
        proposal = shown.proposal
        review = ProposalReview(tuple(proposed), shown.is_adjusted)
        extent = LesionExtent.of(proposal.volume_ml, proposal.enhancing_fraction)
        self._clear()
        saved = push(
            window.stack,
            SetCalipersCommand(
                session,
                request.uid,
                lesion_id,
                calipers,
                f"Measure {lesion_id} (click-to-measure)",
                extent=extent,
                review=review,
            ),
        )
        if saved:
            window.statusBar().showMessage(
                f"{lesion_id}: {_saved(drawn, extent)} saved (click-to-measure, "
                f"{review.outcome}).",
                15000,
            )
            self.resolved.emit("accepted")
        return saved

    def _set_busy(self, busy: bool) -> None:
        if busy == self._is_busy:
            return
        self._is_busy = busy
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()


def _proposed(drawn: Caliper, line: Line) -> Caliper:
    """Return the caliper exactly as proposed, on the image it was drawn on."""
    return Caliper(
        drawn.kind,
        line.start_mm,
        line.end_mm,
        series_uid=drawn.series_uid,
        sop_instance_uid=drawn.sop_instance_uid,
        frame=drawn.frame,
    )


def _moved(
    now: tuple[IndexPoint, IndexPoint], then: tuple[IndexPoint, IndexPoint]
) -> bool:
    return any(
        abs(a - b) > _MOVED_PX
        for point, before in zip(now, then, strict=True)
        for a, b in zip(point, before, strict=True)
    )


_NAMES: Final = {
    CaliperKind.LONG_AXIS: "long axis",
    CaliperKind.SHORT_AXIS: "short axis",
    CaliperKind.VIABLE: "viable",
    CaliperKind.FRAGMENT: "fragment",
}


def _figures(extent: LesionExtent) -> str:
    text = f"volume {extent.volume_ml} mL"
    if extent.enhancing_fraction is not None:
        text += f", enhancing {extent.enhancing_fraction * 100:.1f} %"
    return text


def _summary(shown: _Shown) -> str:
    proposal = shown.proposal
    lines = ", ".join(
        f"{_NAMES[kind]} {line.length_mm} mm" for kind, line, _ in shown.lines.values()
    )
    extent = LesionExtent.of(proposal.volume_ml, proposal.enhancing_fraction)
    return f"{lines}; {_figures(extent)}"


def _saved(drawn: list[Caliper], extent: LesionExtent) -> str:
    lines = ", ".join(f"{_NAMES[c.kind]} {c.length_mm} mm" for c in drawn)
    return f"{lines}; {_figures(extent)}"
