"""The main window's panes: what the current and prior panes show, and loads.

Each pane says what it shows (time point, date, series, phase); the current
pane shows the selected time point's series, the prior pane the chosen earlier
time point's. One :class:`~respond.ui.series_loader.PaneLoader` per pane loads
series in the background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.dicom.phase import is_arterial
from respond.session import ShownSeries
from respond.ui._caliper_sync import show_calipers

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QComboBox,
        QLabel,
        QProgressBar,
        QPushButton,
        QStatusBar,
    )

    from respond.criteria import TimePointRecord
    from respond.dicom import ScanResult, SeriesCandidate
    from respond.session import ReadingController, ReadSession
    from respond.ui.error_reporter import ErrorReporter
    from respond.ui.pane import ViewerPane
    from respond.ui.prior import LinkedScrolling
    from respond.ui.series_loader import PaneLoader
    from respond.ui.viewer import SliceView

__all__ = ["PanesMixin"]


def _phase_text(series: SeriesCandidate) -> str:
    phase = series.phase.phase.value.replace("_", " ")
    return "phase unknown" if phase == "unknown" else phase


class PanesMixin:
    """The current and prior panes (mixed into MainWindow)."""

    session: ReadSession | None
    controller: ReadingController | None
    current_uid: str
    current_pane: ViewerPane
    prior_pane: ViewerPane
    view: SliceView
    prior_view: SliceView
    loader: PaneLoader
    prior_loader: PaneLoader
    linked: LinkedScrolling
    progress: QProgressBar
    cancel_button: QPushButton
    prior_box: QComboBox
    compare: QAction
    errors: ErrorReporter
    banner: QLabel
    scan_result: ScanResult | None
    _finding_images: bool

    if TYPE_CHECKING:

        def statusBar(self) -> QStatusBar: ...
        def _series_for(self, record: TimePointRecord) -> SeriesCandidate | None: ...
        def _missing_text(self, record: TimePointRecord) -> str: ...
        def _refresh_calipers(self) -> None: ...
        def _check_phase(self, measuring_viable: bool = False) -> None: ...
        def _on_lesions_lesion_selected(self, lesion_id: str) -> None: ...
        def phase_pair_series(self) -> SeriesCandidate | None: ...
        def _select_pending_lesion(self) -> None: ...
        def refresh_reformats(self) -> None: ...
        @property
        def phase_pair(self) -> bool: ...

    def _show_timepoint_images(self) -> None:
        """Show the selected time point's series in the current pane."""
        if self.session is None:
            return
        record = self.session.read.timepoint(self.current_uid)
        if record is None:
            return
        series = self._series_for(record)
        if series is None:
            self.loader.forget()
            self.banner.hide()
            self.current_pane.set_caption(
                f"Current · {record.label} · {record.date.isoformat()} · no images"
            )
            if self._finding_images:
                self.current_pane.show_message(
                    f"Looking for the images of {record.label} "
                    f"({record.date.isoformat()})…"
                )
            else:
                self.current_pane.show_message(self._missing_text(record), locate=True)
            return
        current = self.loader.series
        if (
            current is None
            or current.key != series.key
            or not self.current_pane.showing_images
        ):
            self.show_series(series)
        else:
            self._on_current_shown()

    @property
    def _series(self) -> SeriesCandidate | None:
        """The series shown (or loading) in the current pane."""
        return self.loader.series if self.current_pane.showing_images else None

    def show_series(self, series: SeriesCandidate) -> object:
        """Load a series in the current pane: the middle slice paints first."""
        self.current_pane.show_images()
        worker = self.loader.load(series)
        self.progress.setRange(0, series.image_count)
        self.progress.setValue(0)
        self._caption_current()
        self._check_phase()
        return worker

    def _on_load_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_load_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def cancel_load(self) -> None:
        """Stop the series load; what is shown stays."""
        self.loader.cancel()
        self.statusBar().showMessage("Load cancelled", 3000)

    def _on_load_failed(self, series: SeriesCandidate, error: Exception) -> None:
        self.errors.report(error)

    def _on_current_shown(self) -> None:
        self._caption_current()
        self._check_phase()
        self._refresh_calipers()
        if not self.loader.loading:
            self._select_pending_lesion()
            self.refresh_reformats()

    def _shown_of(self, series: SeriesCandidate | None) -> ShownSeries | None:
        if series is None:
            return None
        result = self.scan_result
        study = None if result is None else result.study(series.study_uid)
        return ShownSeries(
            series.series_uid,
            series.study_uid,
            series.series_number,
            series.description,
            study.date if study is not None else "",
        )

    def _caption(self, role: str, series: SeriesCandidate | None) -> str:
        """Return ``Current · FU1 · 2001-10-07 · #6 LIVER ARTERIAL · arterial``."""
        if series is None:
            return f"{role}: nothing shown"
        owner = None
        if self.controller is not None:
            owner = self.controller.owner(self._shown_of(series))  # type: ignore[arg-type]
        when = (
            f"{owner.label} · {owner.date.isoformat()}"
            if owner is not None
            else "not a time point of this patient"
        )
        number = f"#{series.series_number} " if series.series_number is not None else ""
        phase = _phase_text(series)
        if (
            owner is not None
            and owner.timepoint.arterial_phase
            and not is_arterial(series.phase.phase)
        ):
            phase += " (read as arterial)"
        return f"{role} · {when} · {number}{series.description} · {phase}"

    def _caption_current(self) -> None:
        series = self._series
        text = self._caption("Current", series)
        shown = self._shown_of(series)
        if (
            shown is not None
            and self.controller is not None
            and self.current_uid
            and not self.controller.belongs(self.current_uid, shown)
        ):
            record = self.controller.session.timepoint(self.current_uid)
            # Said first, so a narrow pane still shows it.
            text = (
                f"⚠ Not {record.label}, the selected time point: measuring is off · "
                + text
            )
        self.current_pane.set_caption(text)

    def _prior_uid(self) -> str:
        """Return the chosen earlier time point (default: the baseline).

        In the phase pair the second pane shows the current time point.
        """
        if self.controller is None:
            return ""
        if self.phase_pair:
            return self.current_uid
        chosen = self.prior_box.currentData()
        return self.controller.prior_uid(
            self.current_uid, str(chosen) if chosen else None
        )

    def _load_prior(self) -> None:
        uid = self._prior_uid()
        if self.session is None:
            return
        paired = self.phase_pair_series()
        if paired is not None:
            self.prior_pane.show_images()
            self._prior_uid_shown = uid
            if self.prior_loader.series is None or (
                self.prior_loader.series.key != paired.key
            ):
                self.prior_loader.load(paired)
            else:
                self._on_prior_shown()
            return
        if not uid:
            self.prior_loader.forget()
            self.prior_pane.set_caption("Prior: the baseline has no prior")
            self.prior_pane.show_message(
                "The baseline has no earlier time point to compare with."
            )
            return
        record = self.session.timepoint(uid)
        series = self._series_for(record)
        if series is None:
            self.prior_loader.forget()
            self.prior_pane.set_caption(
                f"Prior · {record.label} · {record.date.isoformat()} · no images"
            )
            self.prior_pane.show_message(self._missing_text(record), locate=True)
            return
        self.prior_pane.show_images()
        self._prior_uid_shown = uid
        if (
            self.prior_loader.series is None
            or self.prior_loader.series.key != series.key
        ):
            self.prior_loader.load(series)
        else:
            self._on_prior_shown()

    def _on_prior_shown(self) -> None:
        series = self.prior_loader.series
        role = "Other phase" if self.phase_pair else "Prior"
        self.prior_pane.set_caption(self._caption(role, series))
        volume = self.prior_view.volume
        if self.session is None or volume is None:
            return
        record = self.session.read.timepoint(self._prior_uid())
        show_calipers(self.prior_view, record, volume.series_uid)
        if self.prior_loader.loading:
            return
        self._link_by_frame(series)
        # Both panes open at the selected lesion (and scroll together from there).
        panel = getattr(self, "lesions", None)
        lesion = panel.selected_lesion if panel is not None else ""
        if lesion:
            self._on_lesions_lesion_selected(lesion)

    def _link_by_frame(self, series: SeriesCandidate | None) -> None:
        """Scroll together by patient position when both share a frame of reference."""
        current = self.loader.series
        same = (
            series is not None
            and current is not None
            and bool(current.frame_of_reference_uid)
            and current.frame_of_reference_uid == series.frame_of_reference_uid
        )
        if same:
            self.linked.link_by_position()
        elif self.linked.by_position:
            self.linked.unlink()

    def link_prior_here(self) -> None:
        """Anchor linked scrolling: this slice now matches the prior's slice."""
        if self.linked.link_here():
            self.statusBar().showMessage("Prior linked: scrolling follows", 3000)
        else:
            self.statusBar().showMessage("Show both series first", 3000)
