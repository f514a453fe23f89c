"""Caliper labels: every line names its lesion, readable where lines meet."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF

from respond.ui.viewer import CALIPER_COLOURS, SliceView
from respond.ui.viewer._caliper_label import CaliperLabelItem

LONG, SHORT, VIABLE = "T1|long_axis|0", "T1|short_axis|0", "T1|viable|0"
OTHER = "T2|long_axis|0"


@pytest.fixture
def view(make_view, volume) -> SliceView:
    """T1 with a long axis, a perpendicular short axis and a viable diameter."""
    view = make_view(volume)
    geometry = volume.geometry
    long_ends = ((10.0, 40.0, 30.0), (10.0, 70.0, 110.0))
    a, b = (geometry.index_to_patient(*p) for p in long_ends)
    across = np.cross(geometry.analysis.normal, b - a)
    across /= np.linalg.norm(across)
    crossing = a + 0.45 * (b - a)
    short_ends = tuple(
        (
            10.0,
            *(float(v) for v in geometry.patient_to_index(crossing + s * across)[1:]),
        )
        for s in (-12.0, 12.0)
    )
    view.add_caliper(LONG, "long_axis", *long_ends)
    view.add_caliper(SHORT, "short_axis", *short_ends, long_axis_key=LONG)
    # mRECIST: the viable part, almost along the long axis.
    view.add_caliper(VIABLE, "viable", (10.0, 43.0, 38.0), (10.0, 66.0, 100.0))
    view.add_caliper(OTHER, "long_axis", (10.0, 100.0, 20.0), (10.0, 100.0, 60.0))
    return view


def scene_labels(view: SliceView) -> list[CaliperLabelItem]:
    return [
        item
        for item in view.graphics_view.scene().items()
        if isinstance(item, CaliperLabelItem) and item.isVisible()
    ]


def rects(view: SliceView, keys) -> dict[str, QRectF]:
    calipers = view.calipers()
    return {key: calipers[key].label_scene_rect() for key in keys}


def assert_apart(view: SliceView, keys) -> None:
    boxes = rects(view, keys)
    for (a, first), (b, second) in itertools.combinations(boxes.items(), 2):
        assert not first.intersects(second), (a, b, first, second)


def test_every_caliper_shows_its_lesion_label_in_its_colour(view) -> None:
    texts = sorted(label.text() for label in scene_labels(view))
    assert len(texts) == 4
    assert [t.split(" ")[0] for t in texts] == ["T1", "T1", "T1", "T2"]
    for key, item in view.calipers().items():
        label = item.label_item
        assert label.scene() is view.graphics_view.scene()
        assert label.text() == f"{key.split('|')[0]} {item.label_text()}"
        assert label.colour().name() == CALIPER_COLOURS[item.kind]


def test_labels_of_one_lesion_do_not_cover_each_other(view) -> None:
    assert_apart(view, [LONG, SHORT, VIABLE, OTHER])


def test_the_drawn_label_is_where_the_layout_put_it(view) -> None:
    view.view_box.updateMatrix()
    transform = view.graphics_view.viewportTransform()
    for item in view.calipers().values():
        label = item.label_item
        drawn = label.deviceTransform(transform).mapRect(label.boundingRect())
        expected = item.label_scene_rect()
        assert drawn.topLeft().x() == pytest.approx(expected.left(), abs=0.5)
        assert drawn.topLeft().y() == pytest.approx(expected.top(), abs=0.5)
        assert drawn.width() == pytest.approx(expected.width(), abs=0.5)


def test_the_long_axis_label_is_off_the_crossing(view) -> None:
    calipers = view.calipers()
    long_item, short = calipers[LONG], calipers[SHORT]
    # Beyond the long axis' end farther from the short axis (crossing at 45 %).
    assert long_item.label_end() == 1
    box = view.view_box
    for item in (long_item, short):
        start, end = (box.mapViewToScene(p) for p in item.handle_points())
        for k in range(11):  # no label sits on a line of its own lesion
            point = start + (end - start) * (k / 10)
            for key in (LONG, SHORT, VIABLE):
                assert not calipers[key].label_scene_rect().contains(point), key


@pytest.mark.parametrize("factor", [0.25, 4.0])
def test_labels_stay_apart_at_any_zoom(view, factor: float) -> None:
    view.view_box.scaleBy((1 / factor, 1 / factor), center=QPointF(70, 55))
    assert_apart(view, [LONG, SHORT, VIABLE])


def test_labels_are_laid_out_again_when_a_caliper_moves(view) -> None:
    # The viable diameter now lies on the long axis, end to end.
    long_item = view.calipers()[LONG]
    view.move_caliper(VIABLE, *long_item.endpoints_ijk())
    assert_apart(view, [LONG, SHORT, VIABLE])
    view.set_slice(3)
    assert scene_labels(view) == []
    view.set_slice(10)
    assert len(scene_labels(view)) == 4
    assert_apart(view, [LONG, SHORT, VIABLE])


def test_a_key_without_a_lesion_part_is_its_own_label(make_view, volume) -> None:
    view = make_view(volume)
    item = view.add_caliper("scratch", "fragment", (10, 5, 5), (10, 20, 20))
    assert item.lesion_label == "scratch"
    named = view.add_caliper(
        "x", "long_axis", (10, 50, 5), (10, 60, 20), lesion_label="X1"
    )
    assert named.label_item.text().startswith("X1 ")
