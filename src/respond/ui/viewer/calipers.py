"""Caliper graphics: one line per measurement, keyed by its measurement key.

View coordinates are voxel indices: x = column ``j``, y = row ``i``, with pixel
centres on whole numbers. Lengths come from the volume's geometry (patient mm),
never from pixels, so they stay exact with non-square pixels.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ROI import Handle
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath

from respond.criteria import length_mm as record_length_mm
from respond.ui.viewer._caliper_label import GAP_PX, CaliperLabelItem

if TYPE_CHECKING:
    from collections.abc import Mapping
    from decimal import Decimal

    from respond.dicom.geometry import VolumeGeometry
    from respond.ui.viewer._grab import GrabPart

__all__ = [
    "CALIPER_COLOURS",
    "CALIPER_KINDS",
    "PROPOSAL_KEY_PREFIX",
    "CaliperEdit",
    "CaliperItem",
    "CaliperKind",
    "IndexPoint",
    "format_length",
    "is_proposal_key",
]

CaliperKind = Literal["long_axis", "short_axis", "viable", "fragment"]
IndexPoint = tuple[float, float, float]
"""A voxel index ``(k, i, j)``; fractional ``i`` and ``j`` allowed."""
CaliperEdit = tuple[str, IndexPoint, IndexPoint]
"""One caliper changed by a mouse edit: ``(key, start_ijk, end_ijk)``."""

CALIPER_KINDS: Final[tuple[CaliperKind, ...]] = get_args(CaliperKind)
CALIPER_COLOURS: Final[Mapping[CaliperKind, str]] = MappingProxyType(
    {
        "long_axis": "#ffd400",  # yellow
        "short_axis": "#00e5ff",  # cyan
        "viable": "#ff4dff",  # magenta: mRECIST viable (enhancing) diameter
        "fragment": "#ff9f1a",  # orange
    }
)
_Z_CALIPER: Final = 10.0
PROPOSAL_KEY_PREFIX: Final = "proposal:"
"""Keys of proposed calipers start with this (``proposal:T1|long_axis|0``)."""


def is_proposal_key(key: str) -> bool:
    """Return whether a caliper key is a proposal's (not a measurement's)."""
    return key.startswith(PROPOSAL_KEY_PREFIX)


def format_length(length: float, unit: str = "mm") -> str:
    """Return a length label, e.g. ``"52.3 px"`` (0.1 display rounding).

    A caliper with geometry labels its recorded length instead (see
    `CaliperItem.recorded_length_mm`), which rounds half up as the read does.
    """
    return f"{length:.1f} {unit}"


def _slice_of(start: IndexPoint, end: IndexPoint) -> int:
    k = float(start[0])
    if k != float(end[0]) or not k.is_integer():
        raise ValueError(
            f"a caliper lies on one slice: both ends need the same whole slice "
            f"index k, got start {start} and end {end}"
        )
    return int(k)


class CaliperItem(pg.LineSegmentROI):  # type: ignore[misc]
    """One caliper line of a measurement, with its live length label.

    Parameters
    ----------
    key : str
        The measurement key the caliper shows.
    kind : CaliperKind
        ``long_axis``, ``short_axis``, ``viable`` or ``fragment`` (its colour).
    start_ijk, end_ijk : IndexPoint
        The ends ``(k, i, j)``; both on slice ``k``.
    geometry : VolumeGeometry or None
        Maps indices to patient mm; without it lengths are given in pixels.
    is_preview : bool
        A caliper being drawn (no lesion yet).
    lesion_label : str or None
        The lesion shown in the label (``T1``); by default the part of ``key``
        before the first ``|`` (keys read ``lesion|kind|index``).
    is_proposal : bool
        A line proposed by click-to-measure, not yet accepted: drawn dashed.

    The mouse never edits the item through pyqtgraph: the view decides at the
    press, in screen pixels, whether a press grabs an end, the line or nothing
    (see `respond.ui.viewer._grab`), and moves the item itself.

    Raises
    ------
    ValueError
        For an unknown kind, or ends on different (or fractional) slices.
    """

    def __init__(
        self,
        key: str,
        kind: CaliperKind,
        start_ijk: IndexPoint,
        end_ijk: IndexPoint,
        geometry: VolumeGeometry | None,
        *,
        is_preview: bool = False,
        lesion_label: str | None = None,
        is_proposal: bool = False,
    ) -> None:
        if kind not in CALIPER_KINDS:
            raise ValueError(f"unknown caliper kind {kind!r}: one of {CALIPER_KINDS}")
        colour = QColor(CALIPER_COLOURS[kind])
        style = Qt.PenStyle.DashLine if is_proposal else Qt.PenStyle.SolidLine
        pen = pg.mkPen(colour, width=2, style=style)
        hover_pen = pg.mkPen(colour.lighter(140), width=3, style=style)
        super().__init__(
            positions=[_to_view(start_ijk), _to_view(end_ijk)],
            pen=pen,
            hoverPen=hover_pen,
            handlePen=pen,
            handleHoverPen=hover_pen,
            movable=False,
            antialias=True,
        )
        self._key = key
        self._kind: CaliperKind = kind
        self._slice_index = _slice_of(start_ijk, end_ijk)
        self._geometry = geometry
        self._is_preview = is_preview
        self._is_proposal = is_proposal
        self._lesion_label = (
            key.partition("|")[0] if lesion_label is None else lesion_label
        )
        self._length_text = ""
        self.setZValue(_Z_CALIPER)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._label = CaliperLabelItem(colour, self)
        self._label_end = 1
        self.sigRegionChanged.connect(self._on_region_changed)
        self._update_label()

    @property
    def key(self) -> str:
        """The measurement key."""
        return self._key

    @property
    def kind(self) -> CaliperKind:
        """The caliper kind (sets its colour)."""
        return self._kind

    @property
    def slice_index(self) -> int:
        """The slice ``k`` the caliper is drawn on."""
        return self._slice_index

    @property
    def is_preview(self) -> bool:
        """Whether this is a caliper being drawn (not yet a measurement)."""
        return self._is_preview

    @property
    def is_proposal(self) -> bool:
        """Whether this is a proposed line (dashed) awaiting the reader."""
        return self._is_proposal

    @property
    def lesion_label(self) -> str:
        """The lesion the label names (``T1``; empty for a caliper being drawn)."""
        return self._lesion_label

    @property
    def label_item(self) -> CaliperLabelItem:
        """The label drawn beside the line: lesion and length."""
        return self._label

    def label_text(self) -> str:
        """Return the length the label shows, e.g. ``"52.3 mm"``.

        The label shows the lesion before it: see `label_item`.
        """
        return self._length_text

    def label_end(self) -> int:
        """Return the end (0 = start, 1 = end) the label sits beyond."""
        return self._label_end

    def place_label(self, end: int, offset_px: QPointF) -> None:
        """Put the label at end ``end``, its box centred ``offset_px`` from it."""
        self._label_end = end
        self._label.setPos(self.getHandles()[end].pos())
        self._label.set_offset_px(offset_px)

    def label_scene_rect(self) -> QRectF:
        """Return the label's box in scene coordinates (viewport pixels).

        Mapped with the view box's current transform, so it is right even
        before the view has repainted.
        """
        box = self.getViewBox()
        anchor = self.mapToParent(self._label.pos())
        at = box.mapViewToScene(anchor) if box is not None else anchor
        return self._label.boundingRect().translated(at)

    def handle_points(self) -> tuple[QPointF, QPointF]:
        """Return the two ends in view coordinates (x = column, y = row)."""
        start, end = (self.mapToParent(h.pos()) for h in self.getHandles())
        return QPointF(start), QPointF(end)

    def set_highlight(self, part: GrabPart | None) -> None:
        """Show what a press would grab: the line, one end, or nothing."""
        self.setMouseHover(part is not None)
        for handle, name in zip(self.getHandles(), ("start", "end"), strict=True):
            pen = handle.hoverPen if part == name else handle.pen
            if handle.currentPen != pen:
                handle.currentPen = pen
                handle.update()

    def move_handle(self, end: int, to_view: QPointF) -> None:
        """Move end ``end`` to a view point (a drag step; no finished signal)."""
        self.movePoint(self.getHandles()[end], to_view, finish=False)

    def addHandle(self, info: dict[str, Any], index: int | None = None) -> Any:
        """Override of pyqtgraph: end points that leave the mouse to the view."""
        if info.get("item") is None:
            info["item"] = _CaliperHandle(
                self.handleSize,
                typ=info["type"],
                pen=self.handlePen,
                hoverPen=self.handleHoverPen,
                parent=self,
                antialias=self._antialias,
            )
        return super().addHandle(info, index)

    def hoverEvent(self, ev: Any) -> None:
        """Override of pyqtgraph: no hover grab (the view uses `set_highlight`)."""

    def mouseDragEvent(self, ev: Any) -> None:
        """Override of pyqtgraph: refuse; the view moves calipers it grabbed."""
        ev.ignore()

    def endpoints_ijk(self) -> tuple[IndexPoint, IndexPoint]:
        """Return the two ends as ``(k, i, j)`` float indices."""
        k = float(self._slice_index)
        start, end = (self.mapToParent(h.pos()) for h in self.getHandles())
        return (k, float(start.y()), float(start.x())), (
            k,
            float(end.y()),
            float(end.x()),
        )

    def length_mm(self) -> float | None:
        """Return the patient-space length in mm; None without geometry."""
        if self._geometry is None:
            return None
        start, end = self.endpoints_ijk()
        return self._geometry.distance_mm(start, end)

    def set_endpoints(self, start_ijk: IndexPoint, end_ijk: IndexPoint) -> None:
        """Move both ends (and the slice) without a finished-edit signal.

        Raises
        ------
        ValueError
            For ends on different (or fractional) slices.
        """
        self._slice_index = _slice_of(start_ijk, end_ijk)
        for handle, point in zip(self.getHandles(), (start_ijk, end_ijk), strict=True):
            self.movePoint(handle, _to_view(point), finish=False)

    def _on_region_changed(self) -> None:
        self._update_label()

    # pyqtgraph rebuilds a line ROI's outline in Python each time Qt asks for its
    # bounds (twice per item per frame); keep it until the line or the view moves.
    def shape(self) -> QPainterPath:
        """Return the outline (cached)."""
        cached: QPainterPath | None = getattr(self, "_shape_cache", None)
        if cached is None:
            cached = super().shape()
            self._shape_cache = cached
        return cached

    def boundingRect(self) -> QRectF:
        """Return the bounds of the cached outline."""
        return self.shape().boundingRect()

    def stateChanged(self, finish: bool = True) -> None:
        """Drop the cached outline when the line moves."""
        self._shape_cache = None
        super().stateChanged(finish)

    def viewTransformChanged(self) -> None:
        """Drop the cached outline when the view zooms or pans."""
        self.prepareGeometryChange()
        self._shape_cache = None
        super().viewTransformChanged()

    def recorded_length_mm(self) -> Decimal | None:
        """Return the length as the read records it: 0.1 mm, half up.

        The label shows this value, so it always matches the lesion table.
        None without geometry.
        """
        if self._geometry is None:
            return None
        start, end = (
            self._geometry.index_to_patient(*point) for point in self.endpoints_ijk()
        )
        # The same float points `caliper_from_indices` records.
        return record_length_mm(
            (float(start[0]), float(start[1]), float(start[2])),
            (float(end[0]), float(end[1]), float(end[2])),
        )

    def _update_label(self) -> None:
        length = self.recorded_length_mm()
        if length is None:
            (_, i0, j0), (_, i1, j1) = self.endpoints_ijk()
            text = format_length(((i1 - i0) ** 2 + (j1 - j0) ** 2) ** 0.5, "px")
        else:
            text = f"{length} mm"
        self._length_text = text
        self._label.set_text(self._lesion_label, text)
        # Until the view lays the labels out (a caliper alone, or being drawn):
        # above and right of the right-hand end, where it rarely covers the edge.
        start, end = (h.pos() for h in self.getHandles())
        size = self._label.size_px()
        offset = QPointF(size.width() / 2 + GAP_PX, -size.height() / 2 - GAP_PX)
        self.place_label(1 if end.x() >= start.x() else 0, offset)


class _CaliperHandle(Handle):  # type: ignore[misc]
    """An end point drawn by pyqtgraph; the view, not the handle, takes the mouse."""

    def hoverEvent(self, ev: Any) -> None:
        """Override of pyqtgraph: no hover grab (see `CaliperItem.set_highlight`)."""

    def mouseDragEvent(self, ev: Any) -> None:
        """Override of pyqtgraph: refuse; the view moves calipers it grabbed."""
        ev.ignore()

    def mouseClickEvent(self, ev: Any) -> None:
        """Override of pyqtgraph: refuse clicks (no handle menu)."""
        ev.ignore()


def _to_view(point: IndexPoint) -> QPointF:
    return QPointF(float(point[2]), float(point[1]))
