"""The calipers of one view: slice visibility, bidirectional links, edits.

The owner (session, undo stack) is the source of truth: programmatic moves are
silent, and a mouse edit is reported once, on release, with every caliper it
changed (the dragged one, then its linked partner), so the owner records one
drag as one edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from respond.ui.viewer._perpendicular import (
    Relation,
    Segment,
    SlicePlane,
    place_short_axis,
    project_short_axis,
    relation_of,
)
from respond.ui.viewer.calipers import (
    CALIPER_KINDS,
    CaliperEdit,
    CaliperItem,
    CaliperKind,
    IndexPoint,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF

    from respond.dicom.geometry import VolumeGeometry

EndsCallback = Callable[[str, IndexPoint, IndexPoint], None]
EditsCallback = Callable[[tuple[CaliperEdit, ...]], None]


def _distance_sq(a: IndexPoint, b: IndexPoint) -> float:
    return (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2


class CaliperSet:
    """Caliper items in a ViewBox, keyed by measurement key."""

    def __init__(
        self, box: Any, on_edited: EditsCallback, on_drawn: EndsCallback
    ) -> None:
        self._box = box
        self._on_edited = on_edited
        self._on_drawn = on_drawn
        self.tool: CaliperKind | None = None
        self._geometry: VolumeGeometry | None = None
        self._items: dict[str, CaliperItem] = {}
        self._committed: dict[str, Segment] = {}
        self._short_of: dict[str, str] = {}  # long axis key -> short axis key
        self._long_of: dict[str, str] = {}  # short axis key -> long axis key
        self._relations: dict[str, Relation] = {}  # by short axis key
        self._shown_slice = 0
        self._is_syncing = False
        self._preview: CaliperItem | None = None

    def items(self) -> dict[str, CaliperItem]:
        return dict(self._items)

    def item(self, key: str) -> CaliperItem:
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"no caliper with key {key!r} in this view") from None

    def long_axis_of(self, key: str) -> str | None:
        """Return the long axis key a short axis is linked to (None: unlinked)."""
        return self._long_of.get(key)

    def set_geometry(self, geometry: VolumeGeometry | None) -> None:
        self.clear()
        self._geometry = geometry

    def clear(self) -> None:
        for key in list(self._items):
            self.remove(key)
        if self._preview is not None:
            self._box.removeItem(self._preview)
            self._preview = None

    def add(
        self,
        key: str,
        kind: CaliperKind,
        ends: Segment,
        long_axis_key: str | None = None,
    ) -> CaliperItem:
        if key in self._items:
            raise ValueError(f"a caliper with key {key!r} is already shown")
        if long_axis_key is not None:
            self._check_link(kind, ends, long_axis_key)
        item = CaliperItem(key, kind, ends[0], ends[1], self._geometry)
        item.setVisible(item.slice_index == self._shown_slice)
        self._box.addItem(item, ignoreBounds=True)
        self._items[key] = item
        self._committed[key] = item.endpoints_ijk()
        if long_axis_key is not None:
            self._short_of[long_axis_key] = key
            self._long_of[key] = long_axis_key
            self._relate(key)
        item.sigRegionChanged.connect(self._on_item_region_changed)
        item.sigRegionChangeFinished.connect(self._on_item_region_change_finished)
        return item

    def _check_link(self, kind: CaliperKind, ends: Segment, long_key: str) -> None:
        long_item = self.item(long_key)
        if kind != "short_axis" or long_item.kind != "long_axis":
            raise ValueError(
                f"only a short_axis caliper links to a long_axis one, got {kind} "
                f"linked to {long_item.kind} {long_key!r}"
            )
        if long_key in self._short_of:
            raise ValueError(f"long axis {long_key!r} already has a short axis")
        if ends[0][0] != long_item.slice_index:
            raise ValueError(
                f"a short axis lies on its long axis' slice {long_item.slice_index}, "
                f"got slice {ends[0][0]}"
            )

    def remove(self, key: str) -> None:
        item = self._items.pop(self.item(key).key)
        del self._committed[key]
        partner_long = self._long_of.pop(key, None)
        if partner_long is not None:
            del self._short_of[partner_long]
            del self._relations[key]
        partner_short = self._short_of.pop(key, None)
        if partner_short is not None:
            del self._long_of[partner_short]
            del self._relations[partner_short]
        item.sigRegionChanged.disconnect(self._on_item_region_changed)
        item.sigRegionChangeFinished.disconnect(self._on_item_region_change_finished)
        self._box.removeItem(item)

    def move(self, key: str, ends: Segment) -> None:
        item = self.item(key)
        self._is_syncing = True
        try:
            item.set_endpoints(*ends)
        finally:
            self._is_syncing = False
        item.setVisible(item.slice_index == self._shown_slice)
        self._committed[key] = item.endpoints_ijk()
        short_key = self._short_of.get(key, key)
        if short_key in self._long_of:
            self._relate(short_key)

    def show_slice(self, k: int) -> None:
        self._shown_slice = k
        for item in self._items.values():
            item.setVisible(item.slice_index == k)

    def _relate(self, short_key: str) -> None:
        long_item = self._items[self._long_of[short_key]]
        plane = SlicePlane(self._geometry, long_item.slice_index)
        self._relations[short_key] = relation_of(
            plane, long_item.endpoints_ijk(), self._items[short_key].endpoints_ijk()
        )

    def _sync(self, item: CaliperItem, ends: Segment) -> None:
        self._is_syncing = True
        try:
            item.set_endpoints(*ends)
        finally:
            self._is_syncing = False

    def _on_item_region_changed(self, item: CaliperItem) -> None:
        if self._is_syncing:
            return
        key = item.key
        if key in self._short_of:
            self._follow_long_axis(item, self._items[self._short_of[key]])
        elif key in self._long_of:
            self._follow_short_axis(self._items[self._long_of[key]], item)

    def _follow_long_axis(self, long_item: CaliperItem, short: CaliperItem) -> None:
        long_ends = long_item.endpoints_ijk()
        if _distance_sq(*long_ends) == 0.0:
            return
        plane = SlicePlane(self._geometry, long_item.slice_index)
        self._sync(
            short, place_short_axis(plane, long_ends, self._relations[short.key])
        )

    def _follow_short_axis(self, long_item: CaliperItem, short: CaliperItem) -> None:
        long_ends = long_item.endpoints_ijk()
        if _distance_sq(*long_ends) == 0.0:
            return
        plane = SlicePlane(self._geometry, long_item.slice_index)
        now = short.endpoints_ijk()
        before = place_short_axis(plane, long_ends, self._relations[short.key])
        # The end the drag moved least stays put; the other swings onto the normal.
        anchor = int(_distance_sq(now[1], before[1]) < _distance_sq(now[0], before[0]))
        self._sync(short, project_short_axis(plane, long_ends, now, anchor))
        self._relate(short.key)

    def _on_item_region_change_finished(self, item: CaliperItem) -> None:
        # Collect every changed line before calling back: the owner may rebuild
        # or move the calipers while it records the edit.
        key = item.key
        partner = self._short_of.get(key) or self._long_of.get(key)
        edits: list[CaliperEdit] = []
        for changed_key in (key, partner):
            if changed_key is None:
                continue
            ends = self._items[changed_key].endpoints_ijk()
            if ends != self._committed[changed_key]:
                self._committed[changed_key] = ends
                edits.append((changed_key, *ends))
        if edits:
            self._on_edited(tuple(edits))

    def set_tool(self, kind: CaliperKind | None) -> None:
        if kind is not None and kind not in CALIPER_KINDS:
            raise ValueError(f"unknown caliper kind {kind!r}: one of {CALIPER_KINDS}")
        self.tool = kind

    def draw(self, k: int, start: QPointF, end: QPointF, *, is_done: bool) -> None:
        """Show a tool drag as a preview; when done, remove it and report it."""
        if self.tool is None:
            return
        ends = ((float(k), start.y(), start.x()), (float(k), end.y(), end.x()))
        if self._preview is None:
            self._preview = CaliperItem(
                "", self.tool, *ends, self._geometry, is_preview=True
            )
            self._box.addItem(self._preview, ignoreBounds=True)
        else:
            self._preview.set_endpoints(*ends)
        if is_done:
            self._box.removeItem(self._preview)
            self._preview = None
            if ends[0] != ends[1]:
                self._on_drawn(self.tool, *ends)
