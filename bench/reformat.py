"""Reformats: a coronal or sagittal plane change, timed to the painted frame.

Goal (issue: orthogonal reformats): on a 512 x 512 x 300 CT with 10 calipers
shown, a coronal or sagittal plane change (the Down key: the plane moves, the
image, crosshair and projected calipers follow) plus its paint, p95 <= 10 ms.

Baselines, in the same process, on the same volume and the same viewport size:

1. the axial `SliceView` slice change with 10 calipers (the acquired slices, as
   the reader scrolls them today): "coronal = X ms = Y x an axial change";
2. after every change, a bare repaint of the same frame with nothing changed,
   interleaved with the changes, so both see the same machine.

"Painted": the change, then ``viewport().repaint()`` of the view's
QGraphicsView, which paints synchronously. The volume is the generated CT of
`bench.ui` (int16 HU, 0.7 mm pixels, 2.5 mm slices, untilted: coronal and
sagittal planes are strided slices of the voxels). For comparison, the same
voxels with a 15 degree gantry tilt, where every plane is interpolated; that
figure has no goal. Offscreen unless a display is set. This is a report: a
missed goal is printed as MISS and never fails.
"""

from __future__ import annotations

import gc
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.ui import _application, make_volume

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QWidget

    from respond.dicom import Volume

GOAL_P95_MS = 10.0
SIZE = 512
SLICES, QUICK_SLICES = 300, 120
CHANGES, QUICK_CHANGES = 300, 60
VIEWPORT = (760, 560)
TILT_DEG = 15.0


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _tilted(volume: Volume, tilt_deg: float) -> Volume:
    """The same voxels, acquired with a gantry tilt about x (slices step along z)."""
    from dataclasses import replace

    from respond.dicom.geometry import VolumeGeometry

    tilt = math.radians(tilt_deg)
    orientation = (1.0, 0.0, 0.0, 0.0, math.cos(tilt), -math.sin(tilt))
    slices = volume.shape[0]
    positions = [(-179.0, -179.0, 2.5 * k / math.cos(tilt)) for k in range(slices)]
    geometry = VolumeGeometry.from_slices(
        positions, orientation, (0.7, 0.7), SIZE, SIZE
    )
    return replace(volume, geometry=geometry)


def _calipers(volume: Volume) -> list[tuple[str, Any, Any]]:
    """Ten calipers around the middle: lines on the middle row, column and slice."""
    geometry = volume.geometry
    assert geometry is not None
    k, c = volume.shape[0] // 2, SIZE / 2
    ends = [
        ((k, c, c - 60), (k, c, c + 40)),  # on the middle coronal plane
        ((k, c - 50, c), (k, c + 30, c)),  # on the middle sagittal plane
        ((k - 4, c - 2, c - 80), (k - 4, c + 2, c - 20)),
        ((k + 3, c - 30, c + 1), (k + 3, c + 30, c - 1)),
        ((k, c - 90, c - 90), (k, c + 60, c + 70)),  # crosses both
        ((k + 1, c + 40, c - 40), (k + 1, c + 40, c + 40)),
        ((k - 2, c - 70, c + 50), (k - 2, c - 20, c + 50)),
        ((k, c + 5, c - 120), (k, c + 5, c - 70)),
        ((k + 5, c - 10, c + 80), (k + 5, c + 10, c + 120)),
        ((k - 6, c + 60, c - 5), (k - 6, c + 100, c + 5)),
    ]
    return [
        (
            f"T{n}|long_axis|0",
            tuple(geometry.index_to_patient(*a)),
            tuple(geometry.index_to_patient(*b)),
        )
        for n, (a, b) in enumerate(ends, start=1)
    ]


def _timed(
    app: QApplication, viewport: QWidget, steps: list[Callable[[], object]]
) -> tuple[list[float], list[float]]:
    """Each step timed to its painted frame, each followed by a bare repaint."""

    def painted(action: Callable[[], object]) -> float:
        app.processEvents()  # the previous frame's posted work, untimed
        started = time.perf_counter()
        action()
        viewport.repaint()
        return (time.perf_counter() - started) * 1000

    changes, bare = [], []
    gc.collect()
    for step in steps:
        changes.append(painted(step))
        bare.append(painted(lambda: None))
    return changes, bare


def _scroll_keys(count: int, first: int, last: int) -> list[Any]:
    """Down/Up keys scrolling +-1 between ``first`` and ``last``, turning there."""
    from PySide6.QtCore import Qt

    keys, k, step = [], first, 1
    for _ in range(count):
        if not first <= k + step <= last:
            step = -step
        k += step
        keys.append(Qt.Key.Key_Down if step > 0 else Qt.Key.Key_Up)
    return keys


def _axial(app: QApplication, volume: Volume, count: int) -> tuple[list, list]:
    from respond.ui.viewer import SliceView

    view = SliceView()
    view.resize(*VIEWPORT)
    view.show()
    view.set_volume(volume, window=(40.0, 400.0))
    geometry = volume.geometry
    assert geometry is not None
    for key, start, end in _calipers(volume):
        a, b = geometry.patient_to_index([start, end])
        k = round(float(a[0]))
        view.add_caliper(key, "long_axis", (k, a[1], a[2]), (k, b[1], b[2]))
    middle = volume.shape[0] // 2
    viewport = view.graphics_view.viewport()
    keys = _scroll_keys(count + 40, middle - 20, middle + 20)
    _timed(app, viewport, [lambda key=key: view.navigate(key) for key in keys[:40]])
    result = _timed(
        app, viewport, [lambda key=key: view.navigate(key) for key in keys[40:]]
    )
    view.close()
    return result


def _reformat(
    app: QApplication, volume: Volume, orientation: str, count: int
) -> tuple[list, list, str]:
    from respond.ui.viewer.reformat_view import ReformatView

    view = ReformatView(orientation)  # type: ignore[arg-type]
    view.resize(*VIEWPORT)
    view.show()
    view.set_volume(volume, window=(40.0, 400.0))
    view.set_calipers(_calipers(volume))
    middle = view.position
    viewport = view.graphics_view.viewport()
    keys = _scroll_keys(count + 40, middle - 20, middle + 20)
    _timed(app, viewport, [lambda key=key: view.navigate(key) for key in keys[:40]])
    changes, bare = _timed(
        app, viewport, [lambda key=key: view.navigate(key) for key in keys[40:]]
    )
    assert view.image is not None
    rows, columns = view.image.shape
    shape = f"{columns} x {rows}"
    view.close()
    return changes, bare, shape


def _row(
    label: str,
    changes: list[float],
    bare: list[float],
    axial_p95: float,
    *,
    has_goal: bool = True,
) -> str:
    median, p95 = statistics.median(changes), _p95(changes)
    verdict = "PASS" if p95 <= GOAL_P95_MS else "MISS"
    if not has_goal:
        verdict = "(no goal)"
    return (
        f"  | {label} | {median:.2f} ms | {p95:.2f} ms | "
        f"{statistics.median(bare):.2f} / {_p95(bare):.2f} ms | "
        f"{p95 / axial_p95:.2f} x | {p95:.2f} {verdict} |"
    )


def run(*, quick: bool = False) -> dict[str, float]:
    """Run the reformat benchmark and print the report; return the figures."""
    slices = QUICK_SLICES if quick else SLICES
    count = QUICK_CHANGES if quick else CHANGES
    folder = Path(tempfile.mkdtemp(prefix="respond-bench-reformat-"))
    app = _application(folder / "settings")
    print(
        f"reformats{' (quick)' if quick else ''}: {SIZE} x {SIZE} x {slices} CT, "
        f"10 calipers, {count} plane changes each, viewport {VIEWPORT[0]} x "
        f"{VIEWPORT[1]}, platform {app.platformName()}",
        flush=True,
    )
    volume = make_volume(slices, SIZE)
    tilted = _tilted(volume, TILT_DEG)
    axial, axial_bare = _axial(app, volume, count)
    axial_p95 = _p95(axial)
    figures = {
        "axial_median_ms": statistics.median(axial),
        "axial_p95_ms": axial_p95,
    }
    print(
        "\n  | view (image size) | median | p95 | bare repaint (median / p95) "
        "| p95 / axial p95 | p95 <= 10 ms |"
    )
    print("  | --- | --- | --- | --- | --- | --- |")
    print(_row(f"axial SliceView ({SIZE} x {SIZE})", axial, axial_bare, axial_p95))
    for name, source in (("", volume), ("tilted ", tilted)):
        for orientation in ("coronal", "sagittal"):
            changes, bare, shape = _reformat(app, source, orientation, count)
            label = f"{name}{orientation} ({shape})"
            if name:
                label += f", {TILT_DEG:.0f} degree tilt, interpolated"
            print(_row(label, changes, bare, axial_p95, has_goal=not name))
            key = f"{name.strip() + '_' if name else ''}{orientation}"
            figures[f"{key}_median_ms"] = statistics.median(changes)
            figures[f"{key}_p95_ms"] = _p95(changes)
            figures[f"{key}_vs_axial"] = _p95(changes) / axial_p95
    return figures


if __name__ == "__main__":
    run(quick="--quick" in sys.argv[1:])
