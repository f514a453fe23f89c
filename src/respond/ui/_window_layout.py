"""Layouts and the hanging protocol of the reading page (part of MainWindow).

Layouts, one key each (and G cycles them):

- **1 x 1** (F2): the current time point's acquired images;
- **1 x 2** (F3): the prior beside the current one;
- **2 x 2** (F4): prior and current on top, the current volume's coronal and
  sagittal reformats below, linked to the current view by a crosshair.

The hanging protocol: a baseline opens in the reader's baseline layout (1 x 1
unless they chose another), a follow-up in their follow-up layout (1 x 2), so
opening a follow-up shows current and prior side by side. Both are remembered
per reader, in the settings, whenever the reader changes layout. The two panes
scroll together by patient position when their series share a frame of
reference, else from the selected lesion's anchor.

P shows the time point's other contrast phase beside the one read (arterial
beside portal venous): the same frame of reference, so they scroll together by
position; P again (or a layout key) goes back to the prior.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from respond.dicom import Phase

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMenu, QStatusBar, QToolBar

    from respond.dicom import ScanResult, SeriesCandidate
    from respond.session import ReadingController, ReadSession
    from respond.ui.pane import ViewerPane
    from respond.ui.prior import LinkedScrolling
    from respond.ui.series_loader import PaneLoader

__all__ = ["LAYOUTS", "LayoutMixin", "other_phase"]

LAYOUTS: Final = ("1x1", "1x2", "2x2")
_LAYOUT_KEYS: Final = {"1x1": "F2", "1x2": "F3", "2x2": "F4"}
_LAYOUT_TEXT: Final = {
    "1x1": "Single view (1 x 1)",
    "1x2": "Current and prior (1 x 2)",
    "2x2": "With reformats (2 x 2)",
}
_DEFAULT: Final = {"baseline": "1x1", "follow-up": "1x2"}
_ARTERIAL: Final = frozenset({Phase.ARTERIAL, Phase.LATE_ARTERIAL})


def other_phase(
    series: SeriesCandidate, result: ScanResult | None
) -> SeriesCandidate | None:
    """Return the study's series of the other contrast phase, or None.

    Beside an arterial series, the portal-venous one (else a delayed one);
    beside any other, the arterial one (late arterial first).
    """
    if result is None:
        return None
    from respond.dicom import find_study

    found = find_study(result, series.study_uid)
    if found is None:
        return None
    candidates = [s for s in found[1].series if s.key != series.key]
    if series.phase.phase in _ARTERIAL:
        wanted = (Phase.PORTAL_VENOUS, Phase.DELAYED)
    else:
        wanted = (Phase.LATE_ARTERIAL, Phase.ARTERIAL)
    for phase in wanted:
        for candidate in candidates:
            if candidate.phase.phase is phase and not candidate.is_localizer:
                return candidate
    return None


def _reader_key(reader: str) -> str:
    """Return a settings key part for a reader: ``Dr A. Reader`` -> ``dr-a-reader``."""
    return re.sub(r"[^a-z0-9]+", "-", reader.lower()).strip("-") or "reader"


class LayoutMixin:
    """The layout actions, the hanging protocol and the phase pair."""

    if TYPE_CHECKING:
        settings: QSettings
        reader: str
        session: ReadSession | None
        controller: ReadingController | None
        current_uid: str
        scan_result: ScanResult | None
        compare: QAction
        current_pane: ViewerPane
        prior_pane: ViewerPane
        loader: PaneLoader
        prior_loader: PaneLoader
        linked: LinkedScrolling

        def statusBar(self) -> QStatusBar: ...
        def _load_prior(self) -> None: ...
        def _show_reformats(self, shown: bool) -> None: ...

    _layout = "1x1"
    _phase_pair = False

    def _build_layout_actions(self, menu: QMenu, bar: QToolBar) -> None:
        """Add View > Layout (F2-F4, G) and the phase pair (P)."""
        from respond.ui.icons import icon

        layout_menu = menu.addMenu("Layout")
        group = QActionGroup(layout_menu)
        self.layout_actions: dict[str, QAction] = {}
        for name in LAYOUTS:
            key = _LAYOUT_KEYS[name]
            action = QAction(_LAYOUT_TEXT[name], layout_menu, checkable=True)
            action.setShortcut(QKeySequence(key))
            action.setIcon(icon(f"layout-{name}"))
            action.setToolTip(f"{_LAYOUT_TEXT[name]} ({key})")
            action.triggered.connect(lambda _on=False, n=name: self.set_layout(n))
            group.addAction(action)
            layout_menu.addAction(action)
            self.layout_actions[name] = action
        self.layout_actions["1x1"].setChecked(True)
        cycle = QAction("Next layout", layout_menu)
        cycle.setShortcut(QKeySequence("G"))
        cycle.setIcon(icon("layout-2x2"))
        cycle.setToolTip("Next layout: 1 x 1, 1 x 2, 2 x 2 (G)")
        cycle.triggered.connect(self.cycle_layout)
        layout_menu.addSeparator()
        layout_menu.addAction(cycle)
        self.cycle_layout_action = cycle
        bar.addAction(cycle)
        phases = QAction("Other phase (P)", menu, checkable=True)
        phases.setShortcut(QKeySequence("P"))
        phases.setIcon(icon("phases"))
        phases.setToolTip(
            "Show this time point's other contrast phase beside it: arterial "
            "beside portal venous (P)"
        )
        phases.triggered.connect(self.show_phase_pair)
        menu.addAction(phases)
        bar.addAction(phases)
        self.phase_action = phases

    @property
    def layout_name(self) -> str:
        """The layout shown: ``1x1``, ``1x2`` or ``2x2``."""
        return self._layout

    def cycle_layout(self) -> None:
        """Go to the next layout (1 x 1, 1 x 2, 2 x 2, 1 x 1 ...)."""
        index = LAYOUTS.index(self._layout)
        self.set_layout(LAYOUTS[(index + 1) % len(LAYOUTS)])

    def set_layout(self, name: str, *, remember: bool = True) -> None:
        """Show a layout; remember it for this reader and this kind of time point."""
        if name not in LAYOUTS:
            raise ValueError(f"unknown layout {name!r}; choose one of {LAYOUTS}")
        self._layout = name
        self._set_phase_pair(on=False)
        self.layout_actions[name].setChecked(True)
        with_prior = name != "1x1"
        self.compare.blockSignals(True)
        self.compare.setChecked(with_prior)
        self.compare.blockSignals(False)
        self.prior_pane.setVisible(with_prior)
        self._show_reformats(name == "2x2")
        if with_prior:
            self._load_prior()
        if remember:
            self.settings.setValue(self._layout_key(), name)

    def _layout_key(self) -> str:
        kind = "follow-up" if self._has_prior() else "baseline"
        return f"layout/{_reader_key(self.reader)}/{kind}"

    def _has_prior(self) -> bool:
        if self.session is None or not self.current_uid:
            return False
        first = self.session.read.timepoints[:1]
        return bool(first) and first[0].uid != self.current_uid

    def remembered_layout(self) -> str:
        """Return the layout this reader chose last for this kind of time point."""
        kind = "follow-up" if self._has_prior() else "baseline"
        value = str(self.settings.value(self._layout_key(), _DEFAULT[kind]))
        return value if value in LAYOUTS else _DEFAULT[kind]

    def apply_hanging_protocol(self) -> None:
        """Show the reader's layout for the current time point (follow-up or not)."""
        self.set_layout(self.remembered_layout(), remember=False)

    def _on_compare_toggled(self, on: bool) -> None:
        """C: the prior beside the current one, or not (1 x 2 / 1 x 1)."""
        self.set_layout("1x2" if on else "1x1")

    # -- the phase pair ------------------------------------------------------
    def show_phase_pair(self, on: bool = True) -> bool:
        """Show the other contrast phase of this time point beside the one read.

        Returns whether it is shown; with no other phase in the study the
        status bar says so and the layout stays.
        """
        if not on:
            self.set_layout(self._layout, remember=False)
            return False
        series = self.loader.series
        other = None if series is None else other_phase(series, self.scan_result)
        if other is None:
            self._set_phase_pair(on=False)
            self.statusBar().showMessage(
                "This study has no series of another contrast phase to show beside "
                "this one (the phases are read from the series headers and images).",
                6000,
            )
            return False
        self._set_phase_pair(on=True)
        self.prior_pane.setVisible(True)
        self._load_prior()
        return True

    def phase_pair_series(self) -> SeriesCandidate | None:
        """Return the series the phase pair shows beside (None: not paired)."""
        series = self.loader.series
        if not self._phase_pair or series is None:
            return None
        return other_phase(series, self.scan_result)

    def _set_phase_pair(self, *, on: bool) -> None:
        if self._phase_pair and not on:
            self.linked.unlink()
        self._phase_pair = on
        self.phase_action.blockSignals(True)
        self.phase_action.setChecked(on)
        self.phase_action.blockSignals(False)

    @property
    def phase_pair(self) -> bool:
        """Whether the second pane shows this time point's other phase."""
        return self._phase_pair
