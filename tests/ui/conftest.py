"""Qt test setup: offscreen platform, pyqtgraph options and synthetic volumes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF

from respond.dicom import FrameRef, Volume
from respond.dicom.geometry import VolumeGeometry

SLICES, ROWS, COLUMNS = 20, 128, 160
SLICE_GAP_MM = 2.5
FIRST_Z_MM = -250.0
AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


@pytest.fixture(scope="session", autouse=True)
def _pyqtgraph_options() -> Iterator[None]:
    """The options app.py sets once, plus no mouse-move rate limit.

    pyqtgraph drops moves closer than 10 ms apart; synthesized events come
    faster than a hand, so tests turn the limit off to stay deterministic.
    """
    before = {
        name: pg.getConfigOption(name) for name in ("imageAxisOrder", "mouseRateLimit")
    }
    pg.setConfigOptions(imageAxisOrder="row-major", mouseRateLimit=0)
    yield
    pg.setConfigOptions(**before)


def make_volume(
    pixel_spacing: tuple[float, float] = (0.75, 0.75),
    orientation: tuple[float, ...] = AXIAL,
    shape: tuple[int, int, int] = (SLICES, ROWS, COLUMNS),
    modality: str = "CT",
) -> Volume:
    """A synthetic CT: value = 10 k + (i + j) % 100 - 50 HU, known everywhere."""
    slices, rows, columns = shape
    k, i, j = np.indices(shape)
    voxels = (10 * k + (i + j) % 100 - 50).astype(np.int16)
    normal = np.cross(orientation[:3], orientation[3:])
    origin = np.array([-60.0, -48.0, 0.0])
    positions = [
        origin + normal * (FIRST_Z_MM + SLICE_GAP_MM * n) for n in range(slices)
    ]
    geometry = VolumeGeometry.from_slices(
        positions, orientation, pixel_spacing, rows, columns
    )
    frames = tuple(
        FrameRef(
            path=Path(f"slice{n:03d}.dcm"),
            frame=None,
            sop_instance_uid=f"1.2.826.0.1.3680043.8.498.{n + 1}",
            position=tuple(float(v) for v in positions[n]),  # type: ignore[arg-type]
            orientation=orientation,  # type: ignore[arg-type]
            pixel_spacing=pixel_spacing,
            slice_thickness=SLICE_GAP_MM,
            rescale_slope=1.0,
            rescale_intercept=0.0,
            instance_number=n + 1,
            acquisition_number=1,
            temporal_index=None,
            transfer_syntax="1.2.840.10008.1.2.1",
            rows=rows,
            columns=columns,
        )
        for n in range(slices)
    )
    return Volume(
        voxels=voxels,
        geometry=geometry,
        is_rescaled=True,
        slopes=np.ones(slices),
        intercepts=np.zeros(slices),
        frames=frames,
        series_key="1.2.826.0.1.3680043.8.498.100",
        modality=modality,
    )


@pytest.fixture
def volume() -> Volume:
    """20 x 128 x 160 axial CT, 0.75 x 0.75 mm pixels, 2.5 mm slices."""
    return make_volume()


@pytest.fixture
def anisotropic_volume() -> Volume:
    """The same CT with non-square pixels: 0.5 mm rows, 0.8 mm columns."""
    return make_volume(pixel_spacing=(0.5, 0.8))


@pytest.fixture
def make_view(qtbot):
    """Build a shown 640 x 560 SliceView of a volume (mouse events need a size)."""
    from respond.ui.viewer import SliceView

    def make(volume: Volume) -> SliceView:
        view = SliceView()
        qtbot.addWidget(view)
        view.resize(640, 560)
        view.show()
        qtbot.waitExposed(view)
        view.set_volume(volume)
        return view

    return make


def viewport_point(view, i: float, j: float) -> QPoint:
    """The viewport pixel over voxel (i, j) of the slice shown."""
    scene = view.view_box.mapViewToScene(QPointF(j, i))
    return view.graphics_view.mapFromScene(scene)


def index_at(view, point: QPoint) -> tuple[float, float]:
    """The (i, j) view coordinates under a viewport pixel."""
    scene = view.graphics_view.mapToScene(point)
    at = view.view_box.mapSceneToView(scene)
    return at.y(), at.x()


def mouse_drag(qtbot, view, button, points: list[QPoint]) -> None:
    """Press at the first point, move through the others, release at the last."""
    viewport = view.graphics_view.viewport()
    qtbot.mousePress(viewport, button, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, button, pos=points[-1])


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep QSettings (recent folders) out of the user's real configuration."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(scope="session", autouse=True)
def _no_collection_off_the_gui_thread() -> Iterator[None]:
    """Garbage is collected on the GUI thread only, as the app does (gc_guard).

    With automatic collection on, a scan thread still running from one test
    could free a closed window's widgets off the GUI thread and hang both.
    """
    import gc

    gc.disable()
    yield
    gc.enable()


_TESTS_SINCE_FULL_COLLECTION = [0]


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    """Collect on the GUI thread after every test (automatic collection is off).

    The young generations after each test; everything every 20 tests (a full
    collection after each of them doubled the UI tests' time).
    """
    import gc

    yield
    _TESTS_SINCE_FULL_COLLECTION[0] += 1
    if _TESTS_SINCE_FULL_COLLECTION[0] >= 20:
        _TESTS_SINCE_FULL_COLLECTION[0] = 0
        gc.collect()
    else:
        gc.collect(1)
