"""Prior comparison: an earlier time point beside the current one, linked scrolling."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from respond.dicom import Volume
    from respond.ui.viewer import SliceView

__all__ = ["LinkedScrolling", "offset_mm"]


def offset_mm(volume: Volume, k: float) -> float:
    """Return slice ``k``'s position along the volume's slice normal, in mm."""
    assert volume.geometry is not None
    normal = volume.geometry.direction[:, 2]
    return float(volume.geometry.index_to_patient(k, 0, 0) @ normal)


class LinkedScrolling:
    """Keeps the prior view at the same anatomy as the current one.

    Two ways, chosen by the hanging protocol:

    - **by patient position** (:meth:`link_by_position`), when both series share
      a frame of reference (two phases of one examination, or registered
      studies): the prior shows the slice nearest the same patient position;
    - **by the lesion anchor** otherwise: the reader (or a lesion's selection)
      sets the anchor on the same lesion in both views ("link here"); a move of
      the current view by d mm along its normal then moves the prior view to
      the slice nearest the anchor + d mm (each series keeps its own spacing; no
      resampling).
    """

    def __init__(self, current: SliceView, prior: SliceView) -> None:
        self.current, self.prior = current, prior
        self.anchor: tuple[float, float] | None = None
        self.by_position = False
        current.slice_changed.connect(self._on_current_slice_changed)

    def link_by_position(self) -> bool:
        """Follow by patient position; return whether both have geometry."""
        a, b = self.current.volume, self.prior.volume
        if a is None or b is None or a.geometry is None or b.geometry is None:
            self.by_position = False
            return False
        self.by_position = True
        self.anchor = None
        self._on_current_slice_changed(self.current.slice_index)
        return True

    def link_here(self) -> bool:
        """Anchor at the slices shown now; return whether both have geometry.

        When linked by patient position, the position link stays (the slices
        shown are already the same anatomy) and the prior is moved to it.
        """
        a, b = self.current.volume, self.prior.volume
        if a is None or b is None or a.geometry is None or b.geometry is None:
            return False
        if self.by_position:
            self._on_current_slice_changed(self.current.slice_index)
            return True
        self.anchor = (
            offset_mm(a, self.current.slice_index),
            offset_mm(b, self.prior.slice_index),
        )
        return True

    def unlink(self) -> None:
        """Stop following."""
        self.anchor = None
        self.by_position = False

    def prior_slice_for(self, k: int) -> int | None:
        """Return the prior slice matching current slice ``k`` (None unlinked)."""
        a, b = self.current.volume, self.prior.volume
        if a is None or b is None or b.geometry is None:
            return None
        if self.by_position and a.geometry is not None:
            normal = b.geometry.direction[:, 2]
            target = float(a.geometry.index_to_patient(k, 0, 0) @ normal)
            positions = b.geometry.positions_mm @ normal
            return int(np.abs(positions - target).argmin())
        if self.anchor is None:
            return None
        target = self.anchor[1] + offset_mm(a, k) - self.anchor[0]
        positions = b.geometry.positions_mm @ b.geometry.direction[:, 2]
        return int(np.abs(positions - target).argmin())

    def _on_current_slice_changed(self, k: int) -> None:
        if not self.prior.isVisible():
            return
        match = self.prior_slice_for(k)
        if match is not None and match != self.prior.slice_index:
            self.prior.set_slice(match)
