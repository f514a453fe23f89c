"""Desktop app: painted frames, launch and series choice, each against a baseline.

Goals (issue: desktop viewer), all timed to the *painted* frame:

1. a slice change and a window/level drag step with 10 calipers drawn, on a
   512 x 512 image: p95 <= 5 ms over >= 300 changes each;
2. launch to the first painted slice of the demo patient (warm): <= 1.0 s;
3. choosing a series to its first painted slice: <= 0.3 s.

Baselines, in the same process or the same run:

1. after every change, a bare repaint of the same frame with nothing changed,
   timed the same way and interleaved with the changes, so both see the same
   machine ("slice change = X ms = Y x a bare repaint");
2. a fresh interpreter that only imports PySide6 and pyqtgraph and creates a
   QApplication (what any PySide6 + pyqtgraph app pays before its own code);
3. ``load_series`` of the whole series in the same process (how much earlier the
   first slice comes than the whole volume).

"Painted": the change, then ``viewport().repaint()`` of the view's
QGraphicsView, which paints synchronously (the image is converted and drawn, the
calipers and the overlay too). A second mode lets Qt's event loop schedule the
paint as it does for a user (``processEvents`` until the viewport's paint event
was handled); it also paints the slider. Without a display the benchmark runs
on ``QT_QPA_PLATFORM=offscreen``; under Xvfb (``DISPLAY`` set) it uses that.
The user settings (recent folders) go to a temporary folder.

This is a report: a missed goal is printed as MISS and never fails.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtWidgets import QApplication, QWidget

    from respond.dicom import SeriesCandidate, Volume
    from respond.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
CT300 = REPO / "bench" / ".data" / "ct300" / "explicit"
CT64 = REPO / "bench" / ".data" / "ct64" / "explicit"
LIVER_NAME = "../shared/data/dicom/ct_liver_hcc048_pv"
LIVER = REPO.parent / "shared" / "data" / "dicom" / "ct_liver_hcc048_pv"

GOAL_FRAME_P95_MS = 5.0
GOAL_LAUNCH_S = 1.0
GOAL_FIRST_SLICE_S = 0.3

SIZE = 512
SLICES = 60
CALIPERS = 10
CHANGES, QUICK_CHANGES = 300, 60
LAUNCHES, QUICK_LAUNCHES = 5, 2
SERIES_RUNS, QUICK_SERIES_RUNS = 5, 2
WAIT_S = 30.0
SEED = 20261124
MODES = ("repaint", "event loop")
FRAME_GOALS = (
    "slice change, scrolling",
    "slice change, 10 calipers every 2nd",
    "window/level drag step",
)

# Runs in a fresh interpreter: argv = t0 (time.time() just before the parent
# started it), database, DICOM folder, patient id, settings folder. The steps
# are those of respond.ui.application.run_app, with marks in between.
_LAUNCH_SCRIPT = r"""
import json, os, sys, time
t0 = float(sys.argv[1])
marks = {"interpreter up": time.time() - t0}
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
import pyqtgraph
marks["PySide6 + pyqtgraph imported"] = time.time() - t0
from respond.store import open_store
from respond.ui.application import configure_pyqtgraph
from respond.ui.main_window import MainWindow
marks["respond imported"] = time.time() - t0
for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
    QSettings.setPath(settings_format, QSettings.Scope.UserScope, sys.argv[5])
app = QApplication.instance() or QApplication(sys.argv[:1])
app.setApplicationName("respond")
app.setOrganizationName("respond")
configure_pyqtgraph()
marks["QApplication"] = time.time() - t0
store = open_store(Path(sys.argv[2]))
window = MainWindow(store, reader="bench")
marks["main window built"] = time.time() - t0
window.open_patient(sys.argv[4])
marks["patient opened"] = time.time() - t0
scan = window.open_folder(Path(sys.argv[3]))
scan.finished.connect(
    lambda _r: marks.setdefault("folder scanned, load started", time.time() - t0)
)
window.show()
marks["window shown"] = time.time() - t0

def _on_slice_changed(_k):
    marks.setdefault("first slice set", time.time() - t0)

window.view.slice_changed.connect(_on_slice_changed)

def _poll():
    if window.view.volume is not None:
        window.view.graphics_view.viewport().repaint()
        marks["first slice painted"] = time.time() - t0
        marks["exposed"] = bool(window.windowHandle().isExposed())
        print(json.dumps(marks), flush=True)
        os._exit(0)

timer = QTimer()
timer.timeout.connect(_poll)
timer.start(1)
QTimer.singleShot(30000, lambda: (print(json.dumps(marks), flush=True), os._exit(3)))
app.exec()
"""

_IMPORT_SCRIPT = r"""
import json, sys, time
t0 = float(sys.argv[1])
marks = {"interpreter up": time.time() - t0}
from PySide6.QtWidgets import QApplication
import pyqtgraph
marks["PySide6 + pyqtgraph imported"] = time.time() - t0
app = QApplication(sys.argv[:1])
marks["QApplication"] = time.time() - t0
print(json.dumps(marks), flush=True)
"""


# -- helpers -----------------------------------------------------------------


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _choose_platform() -> None:
    """Offscreen unless a display (e.g. Xvfb) is there or a platform was chosen."""
    if "QT_QPA_PLATFORM" in os.environ:
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _application(settings: Path) -> QApplication:
    _choose_platform()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from respond.ui.application import configure_pyqtgraph

    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(settings))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    quiet_offscreen_warning()
    configure_pyqtgraph()
    return app  # type: ignore[return-value]


def quiet_offscreen_warning() -> None:
    """Drop the offscreen plugin's warning on every shown window; keep the rest."""
    from PySide6.QtCore import qInstallMessageHandler

    previous: Any = None

    def handler(mode: Any, context: Any, message: str) -> None:
        if "propagateSizeHints" in message or "does not support raise" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def _wait_until(app: QApplication, predicate: Callable[[], bool]) -> bool:
    deadline = time.perf_counter() + WAIT_S
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# -- 1. painted frames ---------------------------------------------------------


def make_volume(slices: int = SLICES, size: int = SIZE) -> Volume:
    """A CT-like int16 HU volume: air, a body ellipse, a liver, noise, a lesion."""
    from respond.dicom import Volume
    from respond.dicom.geometry import VolumeGeometry

    rng = np.random.default_rng(SEED)
    i, j = np.ogrid[:size, :size]
    centre = (size - 1) / 2
    body = ((j - centre) / (0.42 * size)) ** 2 + ((i - centre) / (0.30 * size)) ** 2
    liver = ((j - centre + 0.14 * size) / (0.16 * size)) ** 2 + (
        (i - centre + 0.04 * size) / (0.13 * size)
    ) ** 2
    plane = np.full((size, size), -1000, np.int16)
    plane[body <= 1] = 40
    plane[liver <= 1] = 60
    voxels = np.empty((slices, size, size), np.int16)
    for k in range(slices):
        lesion = ((j - centre + 0.14 * size) ** 2 + (i - centre) ** 2) <= (
            (0.03 * size) * (1 + 0.5 * math.sin(k / 6)) ** 2
        )
        voxels[k] = plane
        voxels[k][lesion] = 160
        voxels[k] += rng.integers(-12, 13, (size, size), dtype=np.int16)
    positions = [(-179.0, -179.0, 2.5 * k) for k in range(slices)]
    geometry = VolumeGeometry.from_slices(
        positions, (1, 0, 0, 0, 1, 0), (0.7, 0.7), size, size
    )
    return Volume(
        voxels=voxels,
        geometry=geometry,
        is_rescaled=True,
        slopes=np.ones(slices),
        intercepts=np.zeros(slices),
        frames=(),
        series_key="1.2.826.0.1.3680043.8.498.99",
        modality="CT",
    )


def _add_calipers(view: Any, k: int, size: int) -> None:
    """Ten calipers on slice ``k``: 4 long + linked short axes, a long + viable."""
    c = size / 2
    centres = [(c - 60, c - 90), (c + 40, c - 70), (c - 20, c + 60), (c + 70, c + 80)]
    for number, (i, j) in enumerate(centres, start=1):
        long_key, short_key = f"T{number}|long_axis|0", f"T{number}|short_axis|0"
        view.add_caliper(long_key, "long_axis", (k, i, j - 25), (k, i, j + 25))
        view.add_caliper(
            short_key,
            "short_axis",
            (k, i - 15, j),
            (k, i + 15, j),
            long_axis_key=long_key,
        )
    view.add_caliper("T5|long_axis|0", "long_axis", (k, c, c - 30), (k, c, c + 30))
    view.add_caliper("T5|viable|0", "viable", (k, c + 5, c - 18), (k, c + 5, c + 18))


class _PaintCounter:
    """Counts the paint events a widget receives (an event filter)."""

    def __init__(self, widget: QWidget) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        counter = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == paint:
                    counter.count += 1
                return False

        self.count = 0
        self._filter = Filter()
        widget.installEventFilter(self._filter)


@dataclass
class Frames:
    """One scenario: each change timed to its painted frame, each followed by a
    bare repaint of the same frame (nothing changed), timed the same way."""

    changes_ms: list[float]
    bare_ms: list[float]
    bare_with_calipers: list[bool]


def _frames(
    app: QApplication,
    viewport: QWidget,
    counter: _PaintCounter,
    change: Callable[[int], object],
    count: int,
    *,
    event_loop: bool,
    calipers_shown: Callable[[], bool],
) -> Frames:
    """Time ``change(n)`` to the painted frame, ``count`` times, interleaved."""

    def painted(action: Callable[[], object]) -> float:
        app.processEvents()  # the previous frame's posted work, untimed
        before = counter.count
        started = time.perf_counter()
        action()
        if event_loop:
            deadline = started + 2.0
            while counter.count == before and time.perf_counter() < deadline:
                app.processEvents()
        else:
            viewport.repaint()
        return (time.perf_counter() - started) * 1000

    # Nothing changes: the event loop needs an update() to paint at all.
    bare = viewport.update if event_loop else (lambda: None)
    frames = Frames([], [], [])
    for n in range(count):
        frames.changes_ms.append(painted(lambda n=n: change(n)))
        frames.bare_ms.append(painted(bare))
        frames.bare_with_calipers.append(calipers_shown())
    return frames


def _scroll(count: int, first: int) -> Iterator[int]:
    """Slices a reader scrolls through: +-1 steps, turning at both ends."""
    k, step = first, 1
    for _ in range(count):
        if not 0 <= k + step < SLICES:
            step = -step
        k += step
        yield k


def _worst_case(count: int, middle: int) -> Iterator[int]:
    """Every second frame the caliper slice, in between the other slices."""
    others = [k for k in range(SLICES) if k != middle]
    for n in range(count):
        yield others[(n // 2) % len(others)] if n % 2 == 0 else middle


def measure_frames(
    app: QApplication, window: MainWindow, count: int
) -> tuple[dict[tuple[str, str], Frames], str]:
    """The three scenarios in both paint modes; and the viewport's size."""
    view = window.view
    volume = make_volume()
    middle = SLICES // 2
    view.set_volume(volume)
    _add_calipers(view, middle, SIZE)
    viewport = view.graphics_view.viewport()
    counter = _PaintCounter(viewport)
    app.processEvents()
    shown = [item for item in view.calipers().values() if item.isVisible()]
    assert len(shown) == CALIPERS, f"{len(shown)} calipers shown"
    box = view.view_box
    # Warm-up, untimed: glyph caches, code paths, the volume's pages.
    box.window_drag_started.emit()
    for n, k in enumerate(_scroll(2 * SLICES, middle)):
        view.set_slice(k)
        box.window_dragged.emit(float(n), 0.0)
        viewport.repaint()
        app.processEvents()
    scroll = list(_scroll(count, middle))
    worst = list(_worst_case(count, middle))
    results: dict[tuple[str, str], Frames] = {}
    for mode in MODES:

        def run(name: str, change: Callable[[int], object], mode: str = mode) -> None:
            gc.collect()
            results[name, mode] = _frames(
                app,
                viewport,
                counter,
                change,
                count,
                event_loop=mode == "event loop",
                calipers_shown=lambda: view.slice_index == middle,
            )

        view.set_slice(middle)
        run(FRAME_GOALS[0], lambda n: view.set_slice(scroll[n]))
        view.set_slice(middle + 1)
        run(FRAME_GOALS[1], lambda n: view.set_slice(worst[n]))
        view.set_slice(middle)
        view.set_window(40.0, 400.0)
        box.window_drag_started.emit()
        run(
            FRAME_GOALS[2],
            lambda n: box.window_dragged.emit(float(3 * (n % 100)), float(n % 50)),
        )
        assert view.display_window != (40.0, 400.0)
    return results, f"{viewport.width()} x {viewport.height()}"


# -- 2. launch -------------------------------------------------------------------


def _child(script: str, env: dict[str, str], *args: str) -> dict[str, float]:
    t0 = time.time()
    done = subprocess.run(
        [sys.executable, "-c", script, repr(t0), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"launch child failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    marks: dict[str, float] = json.loads(lines[-1])
    return marks


@dataclass
class Launches:
    """Fresh interpreters: the app to its first painted slice, and the baseline."""

    app: list[dict[str, float]]
    qt_only: list[dict[str, float]]
    # With PYTHONDONTWRITEBYTECODE set: the app as this shell would start it.
    app_no_bytecode: list[dict[str, float]]


def measure_launch(demo: Any, folder: Path, runs: int) -> Launches:
    """Warm launches: OS file cache and Python byte code as after a first start.

    With ``PYTHONDONTWRITEBYTECODE`` set, every start would compile respond's
    modules again (its source tree has no byte code), which an installed app
    never does: the children then write and reuse byte code in a temporary
    ``PYTHONPYCACHEPREFIX``, and a few starts as-is are timed besides.
    """
    args = (
        str(demo.database),
        str(demo.dicom_root),
        demo.patient_id,
        str(folder / "settings"),
    )
    as_is = dict(os.environ)
    env = dict(as_is)
    no_bytecode = bool(env.pop("PYTHONDONTWRITEBYTECODE", ""))
    if no_bytecode:
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    _child(_LAUNCH_SCRIPT, env, *args)  # warm: file cache, byte code
    _child(_IMPORT_SCRIPT, env)
    launches = Launches([], [], [])
    for _ in range(runs):
        launches.app.append(_child(_LAUNCH_SCRIPT, env, *args))
        launches.qt_only.append(_child(_IMPORT_SCRIPT, env))
        if no_bytecode:
            launches.app_no_bytecode.append(_child(_LAUNCH_SCRIPT, as_is, *args))
    return launches


# -- 3. choosing a series ---------------------------------------------------------


@dataclass
class SeriesRun:
    signal_s: float
    painted_s: float
    loaded_s: float


def _show_series_once(
    app: QApplication, window: MainWindow, candidate: SeriesCandidate
) -> tuple[float, float]:
    """``show_series`` to the first slice set in the view, and to it painted (s)."""
    from PySide6.QtCore import QEventLoop, QTimer

    view = window.view
    viewport = view.graphics_view.viewport()
    loop = QEventLoop()
    marks: dict[str, float] = {}

    def paint() -> None:
        viewport.repaint()
        marks["painted"] = time.perf_counter()
        loop.quit()

    def on_slice_changed(_k: int) -> None:
        if "signal" not in marks:
            marks["signal"] = time.perf_counter()
            # After the rest of the started handler (calipers) has run.
            QTimer.singleShot(0, paint)

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    view.slice_changed.connect(on_slice_changed)
    try:
        started = time.perf_counter()
        window.show_series(candidate)
        guard.start(int(WAIT_S * 1000))
        if "painted" not in marks:
            loop.exec()
    finally:
        guard.stop()
        view.slice_changed.disconnect(on_slice_changed)
    if "painted" not in marks:
        raise RuntimeError(f"no slice of {candidate.description} within {WAIT_S} s")
    if not _wait_until(app, window.progress.isHidden):
        raise RuntimeError(f"{candidate.description} did not finish loading")
    return marks["signal"] - started, marks["painted"] - started


def measure_series(
    app: QApplication, window: MainWindow, candidate: SeriesCandidate, runs: int
) -> list[SeriesRun]:
    from respond.dicom import load_series

    _show_series_once(app, window, candidate)  # warm: file cache, code paths
    load_series(candidate)
    results = []
    for _ in range(runs):
        gc.collect()
        signal_s, painted_s = _show_series_once(app, window, candidate)
        gc.collect()
        started = time.perf_counter()
        volume = load_series(candidate)
        loaded_s = time.perf_counter() - started
        del volume
        results.append(SeriesRun(signal_s, painted_s, loaded_s))
    return results


def _big_series(quick: bool) -> tuple[str, Path] | None:
    for label, folder in (
        ("generated 512 x 512 x 300 (bench/.data/ct300, Explicit VR LE)", CT300),
        ("real liver CT 512 x 512 x 89", LIVER),
        ("generated 512 x 512 x 64 (bench/.data/ct64)", CT64),
    ):
        if folder.is_dir() and not (quick and folder == CT300 and CT64.is_dir()):
            return label, folder
    return None


# -- report ---------------------------------------------------------------------


def _key(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", " ".join(parts).lower()).strip("_")


def _verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "MISS"


def _stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), _p95(times)


def _print_frames(results: dict[tuple[str, str], Frames]) -> dict[str, float]:
    out: dict[str, float] = {}
    print(
        "\n  | 512 x 512, 10 calipers | mode | median | p95 | bare repaint of the "
        "same frames (median / p95) | median / bare | p95 <= 5 ms |"
    )
    print("  | --- | --- | --- | --- | --- | --- | --- |")
    for mode in MODES:
        pooled: dict[bool, list[float]] = {True: [], False: []}
        for name in FRAME_GOALS:
            frames = results[name, mode]
            for ms, shown in zip(
                frames.bare_ms, frames.bare_with_calipers, strict=True
            ):
                pooled[shown].append(ms)
            median, p95 = _stats(frames.changes_ms)
            bare_median, bare_p95 = _stats(frames.bare_ms)
            print(
                f"  | {name} | {mode} | {median:.2f} ms | {p95:.2f} ms | "
                f"{bare_median:.2f} / {bare_p95:.2f} ms | {median / bare_median:.2f} x "
                f"| {p95:.2f} {_verdict(p95, GOAL_FRAME_P95_MS)} |"
            )
            key = _key(name, mode)
            out[f"{key}_median_ms"], out[f"{key}_p95_ms"] = median, p95
            out[f"{key}_vs_bare"] = median / bare_median
        for shown, label in ((True, "10 calipers shown"), (False, "no caliper shown")):
            median, p95 = _stats(pooled[shown])
            print(
                f"  | bare repaint, {label} (all scenarios, {len(pooled[shown])}) "
                f"| {mode} | {median:.2f} ms | {p95:.2f} ms | | | |"
            )
            key = _key("bare repaint", label, mode)
            out[f"{key}_median_ms"], out[f"{key}_p95_ms"] = median, p95
    return out


def _print_launch(launches: Launches) -> dict[str, float]:
    painted = [m["first slice painted"] for m in launches.app]
    qt_only = [m["QApplication"] for m in launches.qt_only]
    median, baseline = statistics.median(painted), statistics.median(qt_only)
    print(
        f"\n  launch to the first painted slice of the demo patient (warm, "
        f"{len(painted)} fresh interpreters): median {median:.3f} s "
        f"(runs {', '.join(f'{t:.3f}' for t in painted)}); baseline (import "
        f"PySide6 + pyqtgraph, create a QApplication) median {baseline:.3f} s; "
        f"ratio {median / baseline:.2f} x; respond's own part "
        f"{median - baseline:.3f} s"
    )
    print("  where the median launch goes (seconds since the process started):")
    order = [k for k in launches.app[0] if k != "exposed"]
    previous = 0.0
    for key in order:
        at = statistics.median(m[key] for m in launches.app if key in m)
        print(f"    {key:<30} {at:6.3f}  (+{at - previous:.3f})")
        previous = at
    if not all(m.get("exposed") for m in launches.app):
        print("    (the window was not exposed yet at the first paint)")
    figures = {
        "launch_s": median,
        "launch_baseline_s": baseline,
        "launch_vs_baseline": median / baseline,
    }
    if launches.app_no_bytecode:
        as_is = statistics.median(
            m["first slice painted"] for m in launches.app_no_bytecode
        )
        print(
            f"  with PYTHONDONTWRITEBYTECODE=1 as set in this shell (respond's "
            f"modules compiled at every start): median {as_is:.3f} s"
        )
        figures["launch_no_bytecode_s"] = as_is
    return figures


def _print_series(rows: list[tuple[str, list[SeriesRun]]]) -> dict[str, float]:
    out: dict[str, float] = {}
    print(
        "\n  | series | show_series -> first slice set | -> painted | "
        "load_series (whole) | painted / whole load | <= 0.3 s |"
    )
    print("  | --- | --- | --- | --- | --- | --- |")
    for label, runs in rows:
        signal = statistics.median(r.signal_s for r in runs)
        painted = statistics.median(r.painted_s for r in runs)
        loaded = statistics.median(r.loaded_s for r in runs)
        print(
            f"  | {label} | {signal * 1000:.1f} ms | {painted * 1000:.1f} ms | "
            f"{loaded * 1000:.1f} ms | {painted / loaded:.2f} | "
            f"{painted:.3f} {_verdict(painted, GOAL_FIRST_SLICE_S)} |"
        )
        key = _key("series", label.split(" (")[0])
        out[f"{key}_painted_s"] = painted
        out[f"{key}_vs_load"] = painted / loaded
    return out


def _machine(app: QApplication) -> str:
    import pyqtgraph
    import PySide6

    return (
        f"platform {app.platformName()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PySide6 {PySide6.__version__}, pyqtgraph "
        f"{pyqtgraph.__version__}, numpy {np.__version__}"
    )


def run(*, quick: bool = False) -> dict[str, float]:
    """Run the desktop app benchmark and print the report; return the figures."""
    from respond.demo import prepare_demo
    from respond.dicom import scan
    from respond.store import open_store
    from respond.ui.main_window import MainWindow

    changes = QUICK_CHANGES if quick else CHANGES
    launches_n = QUICK_LAUNCHES if quick else LAUNCHES
    series_runs = QUICK_SERIES_RUNS if quick else SERIES_RUNS
    folder = Path(tempfile.mkdtemp(prefix="respond-bench-ui-"))
    settings = folder / "settings"
    app = _application(settings)
    print(f"desktop app ({'quick: ' if quick else ''}{_machine(app)})", flush=True)
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        demo = prepare_demo(folder / "demo")
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        prepare_demo(folder / "demo")
        again_s = time.perf_counter() - started
        print(
            f"  demo prepared in {first_s:.2f} s; prepare_demo again (as "
            f"`respond --demo` does at every start): {again_s:.2f} s",
            flush=True,
        )
        figures["prepare_demo_again_s"] = again_s
        store = open_store(demo.database)
        window = MainWindow(store, reader="bench")
        window.show()
        _wait_until(app, lambda: bool(window.windowHandle().isExposed()))
        app.processEvents()

        print(
            f"  1. painted frames, {changes} changes each, each followed by a bare "
            "repaint ...",
            flush=True,
        )
        frames, viewport = measure_frames(app, window, changes)

        print(f"  2. launch, {launches_n} fresh interpreters ...", flush=True)
        launches = measure_launch(demo, folder, launches_n)

        print(f"  3. choosing a series, {series_runs} runs each ...", flush=True)
        window.open_patient(demo.patient_id)
        window.open_folder(demo.dicom_root)
        _wait_until(app, lambda: window.scan_result is not None)
        _wait_until(app, window.progress.isHidden)
        assert window.scan_result is not None
        arterial_uid = demo.timepoints[0].arterial_series_uid
        (arterial,) = (
            s for s in window.scan_result.series if s.series_uid == arterial_uid
        )
        rss_before = _rss_mb()
        label = (
            f"demo arterial, baseline ({arterial.columns} x {arterial.rows} x "
            f"{arterial.image_count})"
        )
        rows = [(label, measure_series(app, window, arterial, series_runs))]
        shown = [arterial]
        big = _big_series(quick)
        if big is None:
            print(
                f"  note: neither bench/.data/ct300 nor {LIVER_NAME} is present: "
                "the 512 x 512 series is skipped (run the DICOM benchmark once)"
            )
        else:
            (candidate, *_) = scan(big[1]).series
            rows.append((big[0], measure_series(app, window, candidate, series_runs)))
            shown.append(candidate)
        gc.collect()
        rss_growth = _rss_mb() - rss_before
        biggest_mb = max(c.rows * c.columns * c.image_count * 2 for c in shown) / 2**20
        loads = len(rows) * (series_runs + 1)

        print(f"\n  viewer: {viewport} px viewport in the main window (1500 x 900)")
        figures |= _print_frames(frames)
        figures |= _print_launch(launches)
        figures |= _print_series(rows)
        print(
            f"\n  memory: RSS grew {rss_growth:.0f} MB over the {loads} show_series "
            f"calls above; the view needs one volume ({biggest_mb:.0f} MB for the "
            "biggest series)"
        )
        figures["series_rss_growth_mb"] = rss_growth
        _print_goals(figures, rows)
        window.close()
        store.close()
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _print_goals(figures: dict[str, float], rows: list[tuple[str, Any]]) -> None:
    print("\n  | goal | figure | verdict |")
    print("  | --- | --- | --- |")
    for name in FRAME_GOALS:
        for mode in MODES:
            p95 = figures[f"{_key(name, mode)}_p95_ms"]
            print(
                f"  | {name} ({mode}): p95 <= 5 ms | {p95:.2f} ms "
                f"| {_verdict(p95, GOAL_FRAME_P95_MS)} |"
            )
    launch = figures["launch_s"]
    print(
        f"  | launch to first painted slice <= 1.0 s | {launch:.3f} s "
        f"| {_verdict(launch, GOAL_LAUNCH_S)} |"
    )
    for label, _ in rows:
        painted = figures[f"{_key('series', label.split(' (')[0])}_painted_s"]
        print(
            f"  | series chosen -> first slice <= 0.3 s: {label} | {painted:.3f} s "
            f"| {_verdict(painted, GOAL_FIRST_SLICE_S)} |"
        )


if __name__ == "__main__":
    run(quick="--quick" in sys.argv[1:])
