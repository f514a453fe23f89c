"""Grabbing calipers: only a press on an end or on the line moves one.

A press a few pixels beside a caliper draws a new one (with a tool active), at
any zoom; the existing caliper, often a baseline measurement, stays put.
"""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from tests.ui.conftest import mouse_drag, viewport_point

from respond.ui.viewer import SliceView

LEFT = Qt.MouseButton.LeftButton
KEY = "T1|long_axis|0"
START, END = (10.0, 60.0, 40.0), (10.0, 60.0, 120.0)  # a horizontal line


@pytest.fixture
def view(make_view, volume) -> SliceView:
    view = make_view(volume)
    view.add_caliper(KEY, "long_axis", START, END)
    view.set_tool("long_axis")
    return view


def record(signal) -> list[tuple]:
    seen: list[tuple] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


DOWN_40 = QPoint(0, 40)


def drag_from(qtbot, view: SliceView, grab: QPoint, travel: QPoint = DOWN_40) -> None:
    """Press at ``grab``, move in two steps by ``travel``, release."""
    mouse_drag(qtbot, view, LEFT, [grab, grab + travel / 2, grab + travel])


def on_line(view: SliceView, offset_px: int) -> QPoint:
    """The viewport pixel ``offset_px`` below the middle of the line."""
    return viewport_point(view, START[1], (START[2] + END[2]) / 2) + QPoint(
        0, offset_px
    )


def zoom(view: SliceView, factor: float) -> None:
    """Zoom about the line's middle (factor > 1 magnifies)."""
    middle = QPointF((START[2] + END[2]) / 2, START[1])
    view.view_box.scaleBy((1 / factor, 1 / factor), center=middle)


@pytest.mark.parametrize("factor", [1.0, 3.0, 0.5])
@pytest.mark.parametrize("offset_px", [10, -10, 6])
def test_a_drag_starting_near_a_caliper_draws_a_new_one(
    qtbot, view: SliceView, factor: float, offset_px: int
) -> None:
    zoom(view, factor)
    item = view.calipers()[KEY]
    before = item.endpoints_ijk()
    drawn, edited = record(view.caliper_drawn), record(view.calipers_edited)
    drag_from(qtbot, view, on_line(view, offset_px))
    assert edited == []
    assert item.endpoints_ijk() == before
    [(kind, start, end)] = drawn
    assert kind == "long_axis"
    assert start != end


@pytest.mark.parametrize("factor", [1.0, 3.0, 0.5])
@pytest.mark.parametrize("offset_px", [0, 1, 2, -2])
def test_a_drag_starting_on_the_line_moves_it(
    qtbot, view: SliceView, factor: float, offset_px: int
) -> None:
    zoom(view, factor)
    item = view.calipers()[KEY]
    drawn, edited = record(view.caliper_drawn), record(view.caliper_edited)
    drag_from(qtbot, view, on_line(view, offset_px))
    assert drawn == []
    [(key, start, end)] = edited
    assert key == KEY
    assert (start, end) == item.endpoints_ijk()
    rows_per_px = view.view_box.viewPixelSize()[1]
    assert start[1] == pytest.approx(START[1] + 40 * rows_per_px, abs=1e-6)
    assert end[2] - start[2] == pytest.approx(END[2] - START[2])


@pytest.mark.parametrize("offset", [QPoint(0, 0), QPoint(3, -3), QPoint(-4, 2)])
def test_a_drag_starting_on_an_end_point_moves_that_end(
    qtbot, view: SliceView, offset: QPoint
) -> None:
    item = view.calipers()[KEY]
    drawn, edited = record(view.caliper_drawn), record(view.caliper_edited)
    drag_from(qtbot, view, viewport_point(view, *END[1:]) + offset)
    assert drawn == []
    [(key, start, end)] = edited
    assert key == KEY
    assert start == START  # the other end stays
    assert end[1] > END[1] + 5
    assert (start, end) == item.endpoints_ijk()


def test_a_press_just_beyond_an_end_draws(qtbot, view: SliceView) -> None:
    drawn, edited = record(view.caliper_drawn), record(view.calipers_edited)
    drag_from(qtbot, view, viewport_point(view, *END[1:]) + QPoint(8, 0))
    assert edited == []
    assert len(drawn) == 1


def test_the_end_point_wins_over_a_crossing_line(qtbot, view: SliceView) -> None:
    short_key = "T1|short_axis|0"
    short = view.add_caliper(
        short_key, "short_axis", (10.0, 60.0, 70.0), (10.0, 80.0, 70.0)
    )
    edited = record(view.caliper_edited)
    # The short axis' start lies on the long axis.
    drag_from(qtbot, view, viewport_point(view, 60.0, 70.0), QPoint(-30, 0))
    [(key, start, end)] = edited
    assert key == short_key
    assert end == (10.0, 80.0, 70.0)
    assert start[2] < 65.0
    assert short.endpoints_ijk() == (start, end)


def test_hovering_highlights_only_what_a_press_would_grab(
    qtbot, view: SliceView
) -> None:
    item = view.calipers()[KEY]
    viewport = view.graphics_view.viewport()
    qtbot.mouseMove(viewport, on_line(view, 10))
    assert item.currentPen == item.pen
    assert viewport.cursor().shape() == Qt.CursorShape.CrossCursor
    qtbot.mouseMove(viewport, on_line(view, 1))
    assert item.currentPen == item.hoverPen
    assert viewport.cursor().shape() == Qt.CursorShape.SizeAllCursor


def test_a_refused_edit_is_put_back_by_the_owner(qtbot, view: SliceView) -> None:
    """The owner refuses every edit and shows the stored ends again."""
    item = view.calipers()[KEY]
    refusals = []

    def refuse(edits) -> None:
        refusals.append(edits)
        view.move_caliper(KEY, START, END)  # what show_calipers does

    view.calipers_edited.connect(refuse)
    drag_from(qtbot, view, on_line(view, 1))  # the whole line
    drag_from(qtbot, view, viewport_point(view, *START[1:]))  # one end
    assert len(refusals) == 2
    assert item.endpoints_ijk() == (START, END)
    # What is drawn is where the read has it: the scene agrees with the indices.
    start, end = (
        view.view_box.mapFromItemToView(item, h.pos()) for h in item.getHandles()
    )
    assert (start.y(), start.x(), end.y(), end.x()) == pytest.approx(
        (START[1], START[2], END[1], END[2])
    )
    # And the next press on the stored line grabs it again.
    edited = record(view.calipers_edited)
    view.calipers_edited.disconnect(refuse)
    drag_from(qtbot, view, on_line(view, 0))
    assert len(edited) == 1


def test_grab_distance_is_measured_in_screen_pixels() -> None:
    from respond.ui.viewer._grab import HANDLE_GRAB_PX, LINE_GRAB_PX, grab_of

    start, end = QPointF(0, 0), QPointF(100, 0)
    assert grab_of("k", start, end, QPointF(50, LINE_GRAB_PX)).part == "line"  # type: ignore[union-attr]
    assert grab_of("k", start, end, QPointF(50, LINE_GRAB_PX + 0.5)) is None
    corner = QPointF(100 + HANDLE_GRAB_PX / math.sqrt(2), HANDLE_GRAB_PX / math.sqrt(2))
    assert grab_of("k", start, end, corner).part == "end"  # type: ignore[union-attr]
    assert grab_of("k", start, end, QPointF(100 + HANDLE_GRAB_PX + 1, 0)) is None
