"""The calipers of one view: slice visibility, links, grabs, edits and labels.

The owner (session, undo stack) is the source of truth: programmatic moves are
silent, and a mouse edit is reported once, on release, with every caliper it
changed (the dragged one, then its linked partner), so the owner records one
drag as one edit. A refused edit is undone by the owner moving the calipers
back (`move`), which also resets what this set considers committed.

Which caliper a press grabs is decided here in screen pixels (see `_grab`);
the labels of the slice shown are laid out again whenever a caliper, the slice
or the zoom changes (see `_caliper_label`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF

from respond.ui.viewer._caliper_label import LabelRequest, place_labels
from respond.ui.viewer._grab import Grab, grab_of
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
    from respond.dicom.geometry import VolumeGeometry

EndsCallback = Callable[[str, IndexPoint, IndexPoint], None]
EditsCallback = Callable[[tuple[CaliperEdit, ...]], None]


def _distance_sq(a: IndexPoint, b: IndexPoint) -> float:
    return (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2


@dataclass(frozen=True, slots=True)
class _Drag:
    """A grab in progress: what was grabbed, the press and the grabbed point."""

    grab: Grab
    press_view: QPointF
    origin_view: QPointF


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
        self._drag: _Drag | None = None
        self._labels_version = 0
        self._labels_laid_out: dict[int, int] = {}  # slice -> version laid out

    def items(self) -> dict[str, CaliperItem]:
        """Return the measurements' calipers (proposed lines are left out)."""
        return {k: v for k, v in self._items.items() if not v.is_proposal}

    def proposals(self) -> dict[str, CaliperItem]:
        """Return the proposed lines shown, by key."""
        return {k: v for k, v in self._items.items() if v.is_proposal}

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
        lesion_label: str | None = None,
        *,
        is_proposal: bool = False,
    ) -> CaliperItem:
        if key in self._items:
            raise ValueError(f"a caliper with key {key!r} is already shown")
        if long_axis_key is not None:
            self._check_link(kind, ends, long_axis_key)
        item = CaliperItem(
            key,
            kind,
            ends[0],
            ends[1],
            self._geometry,
            lesion_label=lesion_label,
            is_proposal=is_proposal,
        )
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
        self.relayout_labels()
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
        # The item is dropped: silence it rather than disconnect (a disconnect
        # of an item whose drag just ended warns and can fail).
        item.blockSignals(True)
        self._box.removeItem(item)
        if self._drag is not None and self._drag.grab.key == key:
            self._drag = None
        self.relayout_labels()

    def move(self, key: str, ends: Segment) -> None:
        item = self.item(key)
        self._is_syncing = True
        try:
            item.set_endpoints(*ends)
        finally:
            self._is_syncing = False
        item.setVisible(item.slice_index == self._shown_slice)
        item.set_highlight(None)
        self._committed[key] = item.endpoints_ijk()
        short_key = self._short_of.get(key, key)
        if short_key in self._long_of:
            self._relate(short_key)
        self.relayout_labels()

    def show_slice(self, k: int) -> None:
        self._shown_slice = k
        for item in self._items.values():
            item.setVisible(item.slice_index == k)
        if self._labels_laid_out.get(k) != self._labels_version:
            self._layout_labels()

    # -- labels ------------------------------------------------------------------
    def relayout_labels(self) -> None:
        """Lay the labels out again: a caliper, the zoom or the view size changed."""
        self._labels_version += 1
        self._layout_labels()

    def _layout_labels(self) -> None:
        k = self._shown_slice
        shown = sorted(
            (item for item in self._items.values() if item.slice_index == k),
            key=lambda i: (i.lesion_label, CALIPER_KINDS.index(i.kind), i.key),
        )
        requests = []
        for item in shown:
            start, end = (self._box.mapViewToScene(p) for p in item.handle_points())
            size = item.label_item.size_px()
            requests.append(LabelRequest(start, end, size, item.lesion_label))
        for item, place in zip(shown, place_labels(requests), strict=True):
            item.place_label(place.end, place.offset)
        self._labels_laid_out[k] = self._labels_version

    # -- grabbing: the view offers each left drag here first ----------------------
    def grab_at(self, scene_pos: QPointF) -> Grab | None:
        """Return what a press at ``scene_pos`` grabs (None: nothing)."""
        grabs = []
        for key, item in self._items.items():
            if not item.isVisible():
                continue
            start, end = (self._box.mapViewToScene(p) for p in item.handle_points())
            grab = grab_of(key, start, end, scene_pos)
            if grab is not None:
                grabs.append(grab)
        return min(grabs, key=Grab.rank, default=None)

    def hover(self, scene_pos: QPointF | None) -> Grab | None:
        """Highlight what a press at ``scene_pos`` would grab; return it."""
        if self._drag is not None:
            return self._drag.grab
        grab = None if scene_pos is None else self.grab_at(scene_pos)
        for key, item in self._items.items():
            item.set_highlight(grab.part if grab and grab.key == key else None)
        return grab

    def begin_drag(self, scene_pos: QPointF) -> bool:
        """Grab the caliper under a press, if any; return whether one was."""
        grab = self.hover(scene_pos)
        if grab is None:
            return False
        item = self._items[grab.key]
        start, end = item.handle_points()
        origin = {"start": start, "end": end, "line": QPointF(item.pos())}[grab.part]
        self._drag = _Drag(grab, QPointF(self._box.mapSceneToView(scene_pos)), origin)
        return True

    def drag_to(self, scene_pos: QPointF) -> None:
        """Move the grabbed end or line with the mouse (no edit reported yet)."""
        drag = self._drag
        item = None if drag is None else self._items.get(drag.grab.key)
        if drag is None or item is None:
            return
        moved = QPointF(self._box.mapSceneToView(scene_pos)) - drag.press_view
        target = drag.origin_view + moved
        if drag.grab.part == "line":
            item.setPos(target, finish=False)
        else:
            item.move_handle(0 if drag.grab.part == "start" else 1, target)

    def finish_drag(self) -> None:
        """Let go: report the edit (the owner may move the calipers back)."""
        drag, self._drag = self._drag, None
        item = None if drag is None else self._items.get(drag.grab.key)
        if item is not None:
            item.stateChangeFinished()

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
        self.relayout_labels()

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
