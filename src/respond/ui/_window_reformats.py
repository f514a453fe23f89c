"""The coronal and sagittal reformats of layout 2 x 2 (part of MainWindow).

Below the prior and current panes, the current volume's coronal and sagittal
planes through a crosshair (see :mod:`respond.dicom.reformat`). The crosshair
links the three views: a click or drag in a reformat moves it (the axial view
goes to its slice, the other reformat to its plane), scrolling the axial view
moves it along the slice normal, and the axial view draws it as two lines.
Calipers are measured on the acquired slices; the reformats show them as
projections (solid on the plane, faint where one crosses it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from respond.ui.viewer import CALIPER_COLOURS, ReformatView

if TYPE_CHECKING:
    from respond.criteria import TimePointRecord
    from respond.session import ReadSession
    from respond.ui.series_loader import PaneLoader
    from respond.ui.viewer import SliceView

__all__ = ["ReformatsMixin"]

_CAPTION_STYLE: Final = (
    "QLabel { background:#1d2330; color:#e8ecf3; padding:3px 6px; font-weight:600; }"
)


def _captioned(view: ReformatView, name: str) -> tuple[QWidget, QLabel]:
    box = QWidget()
    caption = QLabel(name)
    caption.setStyleSheet(_CAPTION_STYLE)
    caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(caption)
    layout.addWidget(view, 1)
    return box, caption


class ReformatsMixin:
    """Coronal and sagittal views of the current volume, linked by a crosshair."""

    if TYPE_CHECKING:
        session: ReadSession | None
        current_uid: str
        view: SliceView
        loader: PaneLoader
        reformat_row: QSplitter
        grid: QSplitter

    _reformats_on = False

    def _build_reformats(self) -> None:
        self.coronal = ReformatView("coronal")
        self.sagittal = ReformatView("sagittal")
        self.reformat_captions: dict[str, QLabel] = {}
        for view, name in ((self.coronal, "Coronal"), (self.sagittal, "Sagittal")):
            box, caption = _captioned(view, name)
            self.reformat_row.addWidget(box)
            self.reformat_captions[view.orientation] = caption
            view.crosshair_moved.connect(self.move_crosshair)
            view.window_changed.connect(self._on_reformat_window_changed)
        self.view.slice_changed.connect(self._on_axial_slice_changed)
        self.view.window_changed.connect(self._on_axial_window_changed)

    def _show_reformats(self, shown: bool) -> None:
        """Show or hide the coronal and sagittal reformats (layout 2 x 2)."""
        self._reformats_on = shown
        self.reformat_row.setVisible(shown)
        if shown:
            self.grid.setSizes([1, 1])  # the two rows share the height evenly
            self.refresh_reformats()
        else:
            self.view.set_crosshair(None)

    def refresh_reformats(self) -> None:
        """Show the current volume in the reformats, at the crosshair."""
        if not self._reformats_on:
            return
        volume = self.view.volume
        if volume is None or self.loader.loading:
            return
        for view in (self.coronal, self.sagittal):
            if view.volume is not volume:
                view.set_volume(volume, window=self.view.display_window)
        if volume.geometry is None:
            return
        self.move_crosshair(self._crosshair_point())
        self.refresh_reformat_calipers()

    def _crosshair_point(self) -> tuple[float, float, float]:
        """Return the axial crosshair on the slice shown, else the slice's centre."""
        volume = self.view.volume
        geometry = None if volume is None else volume.geometry
        assert geometry is not None
        k = self.view.slice_index
        current = self.view.crosshair
        _, rows, columns = geometry.shape
        i, j = current if current is not None else ((rows - 1) / 2, (columns - 1) / 2)
        x, y, z = (float(v) for v in geometry.index_to_patient(k, i, j))
        return (x, y, z)

    def move_crosshair(self, point_mm: object) -> None:
        """Move the crosshair to a patient point: all three views follow."""
        volume = self.view.volume
        if volume is None or volume.geometry is None:
            return
        point = np.asarray(point_mm, dtype=float)
        k, i, j = (float(v) for v in volume.geometry.patient_to_index(point))
        slices = volume.shape[0]
        slice_index = int(min(max(round(k), 0), slices - 1))
        if slice_index != self.view.slice_index:
            self.view.set_slice(slice_index)
        self.view.set_crosshair((i, j))
        for view in (self.coronal, self.sagittal):
            view.set_crosshair(point)

    def _on_axial_slice_changed(self, k: int) -> None:
        if not self._reformats_on or self.loader.loading:
            return
        volume = self.view.volume
        crosshair = self.view.crosshair
        if volume is None or volume.geometry is None or crosshair is None:
            return
        point = volume.geometry.index_to_patient(k, *crosshair)
        for view in (self.coronal, self.sagittal):
            view.set_crosshair(point)

    def _on_axial_window_changed(self, center: float, width: float) -> None:
        if self._reformats_on:
            for view in (self.coronal, self.sagittal):
                view.set_window(center, width)

    def _on_reformat_window_changed(self, center: float, width: float) -> None:
        self.view.set_window(center, width)

    def refresh_reformat_calipers(self) -> None:
        """Project the current time point's calipers on this series."""
        if not self._reformats_on:
            return
        volume = self.view.volume
        record = (
            None
            if self.session is None
            else self.session.read.timepoint(self.current_uid)
        )
        lines, colours = _caliper_lines(
            record, "" if volume is None else volume.series_uid
        )
        for view in (self.coronal, self.sagittal):
            view.set_calipers(lines, colours=colours)


Line = tuple[str, tuple[float, float, float], tuple[float, float, float]]


def _caliper_lines(
    record: TimePointRecord | None, series_uid: str
) -> tuple[list[Line], dict[str, str]]:
    """Return a time point's calipers on a series, keyed as the axial view keys them."""
    lines: list[Line] = []
    colours: dict[str, str] = {}
    if record is None:
        return lines, colours
    for lesion_id, calipers in record.calipers.items():
        for caliper in calipers:
            if caliper.series_uid != series_uid:
                continue
            key = f"{lesion_id}|{caliper.kind.value}|{caliper.index}"
            lines.append((key, caliper.start_mm, caliper.end_mm))
            colours[key] = CALIPER_COLOURS[caliper.kind.value]
    return lines, colours
