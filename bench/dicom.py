"""DICOM loading: respond's loader against SimpleITK and naive pydicom, as ratios.

Goals (issue: DICOM loading), on a generated 512 x 512 x 300 CT in four transfer
syntaxes and on the real liver series when it is present:

- uncompressed: respond <= 0.6 x SimpleITK and <= 0.3 x naive pydicom;
- each compressed syntax: respond <= 1.0 x the faster of the two;
- the first (middle) slice within 0.3 s of starting the scan;
- peak memory <= 1.3 x the bytes of the int16 HU volume.

All three produce the same int16 HU volume (checked on every series):

- respond: ``scan(folder)`` then ``LoadJob(series, workers=WORKERS)`` (2), timed
  together (and the load alone); time to first slice is from the start of the
  scan to ``first_slice_ready``. ``workers`` is the number of decoding threads
  for compressed syntaxes; native (uncompressed) slices are read on one
  thread whatever it is, as the loader does;
- SimpleITK: ``ImageSeriesReader.GetGDCMSeriesFileNames`` + ``SetFileNames`` +
  ``Execute`` + ``GetArrayViewFromImage`` (it returns int32 for 16-bit signed
  data with an intercept);
- naive pydicom: ``dcmread`` every file, sort by z, ``pixel_array * slope +
  intercept`` kept in int16 (a float64 rescale would be slower and 4 x larger,
  so this baseline is the favourable one), ``np.stack``.

Each timed run builds everything anew (new scan, new reader); the three
alternate in one process, in a rotating order, after one untimed warm-up pass,
so all of them read from a warm OS file cache. Peak memory is measured in a
fresh subprocess per engine and series (peak RSS; tracemalloc too where it sees
every allocation).

Diagnostics for the analysis: each decoding path respond can use, per file, on 1
and on 2 threads, and whether it releases the GIL (a Python thread ticking
while files are decoded stands still for a whole file when the GIL is held).
The machine is shared: the CPU time other processes used during each series is
printed next to its figures, with a 1- vs 2-thread hashing probe before and
after the run.

This is a report: a missed goal is printed as MISS and never fails the process.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench import _dicom_data

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parents[1]
LIVER_NAME = "../shared/data/dicom/ct_liver_hcc048_pv"
LIVER = REPO.parent / "shared" / "data" / "dicom" / "ct_liver_hcc048_pv"

GOAL_UNCOMPRESSED_VS_SIMPLEITK = 0.6
GOAL_UNCOMPRESSED_VS_NAIVE = 0.3
GOAL_COMPRESSED_VS_BEST = 1.0
GOAL_FIRST_SLICE_S = 0.3
GOAL_PEAK_MEMORY = 1.3

SLICES, QUICK_SLICES = 300, 64
RUNS, QUICK_RUNS = 5, 3
WORKERS = 2
THREAD_SAMPLE, QUICK_THREAD_SAMPLE = 48, 24
GIL_TELLABLE_MS = 2.0
ENGINES = ("respond", "simpleitk", "pydicom")
PRELOAD = (
    "numpy",
    "pydicom",
    "pydicom.pixels",
    "libjpeg",
    "openjpeg",
    "rle",
    "SimpleITK",
    "respond.dicom",
)
ENGINE_LABELS = {
    "respond": "respond",
    "simpleitk": "SimpleITK",
    "pydicom": "naive pydicom",
}


@dataclass
class Case:
    """One series to load."""

    key: str
    label: str
    folder: Path
    compressed: bool
    slices: int = 0
    volume_bytes: int = 0
    times: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    memory: dict[str, dict[str, float | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    memory_how: set[str] = field(default_factory=set)
    neighbour_cores: float | None = None

    def median(self, engine: str, part: str = "total") -> float:
        return statistics.median(run[part] for run in self.times[engine])


class Neighbours:
    """CPU used by other processes meanwhile, in cores (from /proc/stat)."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as stat:
                fields = [int(v) for v in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        own = os.times()
        mine = own.user + own.system + own.children_user + own.children_system
        return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), mine

    def cores(self) -> float | None:
        end = self._sample()
        if self.start is None or end is None or end[0] <= self.start[0]:
            return None
        wall = end[0] - self.start[0]
        others = (end[1] - self.start[1]) - (end[2] - self.start[2])
        return max(0.0, others / wall)


# --- the three engines --------------------------------------------------------


def load_respond(folder: Path) -> tuple[Any, dict[str, float]]:
    """Scan and load with respond; the voxels and the times."""
    from respond.dicom import LoadJob, scan

    start = time.perf_counter()
    result = scan(folder)
    scanned = time.perf_counter()
    if len(result.series) != 1:
        raise RuntimeError(f"{folder}: {len(result.series)} series, expected 1")
    job = LoadJob(result.series[0], workers=WORKERS).start()
    job.first_slice_ready.wait()
    first = time.perf_counter()
    volume = job.result()
    end = time.perf_counter()
    return volume.voxels, {
        "total": end - start,
        "scan": scanned - start,
        "load": end - scanned,
        "first": first - start,
    }


class _SitkVolume:
    """The SimpleITK image and the numpy view on it (the view needs the image)."""

    def __init__(self, image: Any) -> None:
        import SimpleITK as sitk

        self.image = image
        self.voxels = sitk.GetArrayViewFromImage(image)


def load_simpleitk(folder: Path) -> tuple[Any, dict[str, float]]:
    """Read the series with SimpleITK's ImageSeriesReader."""
    import SimpleITK as sitk

    start = time.perf_counter()
    reader = sitk.ImageSeriesReader()
    names = reader.GetGDCMSeriesFileNames(str(folder))
    reader.SetFileNames(names)
    volume = _SitkVolume(reader.Execute())
    end = time.perf_counter()
    return volume, {"total": end - start}


def load_pydicom(folder: Path) -> tuple[Any, dict[str, float]]:
    """dcmread + pixel_array + rescale + np.stack, as a first script would."""
    import pydicom

    start = time.perf_counter()
    datasets = [pydicom.dcmread(p) for p in sorted(folder.iterdir()) if p.is_file()]
    datasets.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    voxels = np.stack(
        [
            ds.pixel_array * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
            for ds in datasets
        ]
    )
    end = time.perf_counter()
    return voxels, {"total": end - start}


LOADERS: dict[str, Callable[[Path], tuple[Any, dict[str, float]]]] = {
    "respond": load_respond,
    "simpleitk": load_simpleitk,
    "pydicom": load_pydicom,
}


def _voxels(output: Any) -> np.ndarray[Any, Any]:
    return np.asarray(output.voxels if isinstance(output, _SitkVolume) else output)


# --- timing -------------------------------------------------------------------


def _warm_up_and_check(case: Case) -> None:
    """One untimed pass of each engine; check that they agree voxel for voxel."""
    outputs = {}
    for engine in ENGINES:
        output, _ = LOADERS[engine](case.folder)
        outputs[engine] = output
    reference = _voxels(outputs["respond"])
    case.slices = int(reference.shape[0])
    case.volume_bytes = int(np.prod(reference.shape)) * np.dtype(np.int16).itemsize
    for engine in ("simpleitk", "pydicom"):
        other = _voxels(outputs[engine])
        same = other.shape == reference.shape and np.array_equal(other, reference)
        verdict = "same HU" if same else "DIFFERENT HU"
        case.notes.append(f"{ENGINE_LABELS[engine]} {other.dtype} {verdict} as respond")
    case.notes.insert(0, f"respond {reference.dtype} {tuple(reference.shape)}")


def time_case(case: Case, runs: int) -> None:
    """Warm up, then ``runs`` rounds of the three engines in a rotating order."""
    _warm_up_and_check(case)
    case.times = {engine: [] for engine in ENGINES}
    neighbours = Neighbours()
    for round_number in range(runs):
        shift = round_number % len(ENGINES)
        for engine in ENGINES[shift:] + ENGINES[:shift]:
            gc.collect()
            output, times = LOADERS[engine](case.folder)
            del output
            case.times[engine].append(times)
    case.neighbour_cores = neighbours.cores()


# --- peak memory, one fresh process per engine ---------------------------------


def _preload() -> None:
    """Import everything any engine may import lazily, so it is not counted."""
    for module in PRELOAD:
        importlib.import_module(module)


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def memory_child(engine: str, folder: str, mode: str) -> None:
    """In a fresh process: load once and print the peak extra bytes as JSON.

    ``rss``: the peak RSS is reset to the current RSS after the imports and read
    back (VmHWM) after the load. ``ru_maxrss`` is only the fallback: on Linux a
    child started by fork + exec inherits its parent's peak, so with a large
    parent it reads the parent's figure, not the load's.
    """
    _preload()
    gc.collect()
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        output, _ = LOADERS[engine](Path(folder))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        how = "tracemalloc"
    elif _reset_peak_rss() and (before := _status_kib("VmRSS")) is not None:
        output, _ = LOADERS[engine](Path(folder))
        peak = ((_status_kib("VmHWM") or 0) - before) * 1024
        how = "VmHWM"
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        output, _ = LOADERS[engine](Path(folder))
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
        how = "ru_maxrss"
    del output
    print(json.dumps({"peak_extra_bytes": peak, "how": how}))


def _measure_memory(case: Case, engine: str, mode: str) -> float | None:
    code = (
        "from bench.dicom import memory_child; "
        f"memory_child({engine!r}, {str(case.folder)!r}, {mode!r})"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        case.notes.append(f"memory {engine}/{mode} failed: {proc.stderr[-300:]}")
        return None
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    case.memory_how.add(answer["how"])
    return float(answer["peak_extra_bytes"]) / case.volume_bytes


def memory_case(case: Case) -> None:
    """Peak extra memory / volume bytes: RSS for all, tracemalloc where it sees all."""
    for engine in ENGINES:
        case.memory[engine] = {
            "rss": _measure_memory(case, engine, "rss"),
            # SimpleITK allocates in C++, which tracemalloc cannot see
            "tracemalloc": None
            if engine == "simpleitk"
            else _measure_memory(case, engine, "tracemalloc"),
        }


# --- threading: which decoders release the GIL --------------------------------


def _decoders(case: Case, paths: list[Path]) -> dict[str, Callable[[int], object]]:
    """Per-file decoding functions, as respond's loader calls them."""
    import pydicom
    from pydicom.encaps import generate_frames

    from respond.dicom import scan
    from respond.dicom._codecs import Engine
    from respond.dicom._decode import decode_file, read_native_into, stored_dtype

    methods: dict[str, Callable[[int], object]] = {
        "dcmread only": lambda i: pydicom.dcmread(paths[i]),
        "pydicom pixel_array": lambda i: decode_file(paths[i], Engine.PYDICOM),
        "SimpleITK ReadImage": lambda i: decode_file(paths[i], Engine.SIMPLEITK),
    }
    if not case.compressed:
        by_path = {f.path: f for f in scan(case.folder).series[0].frames}
        frames = [by_path[p] for p in paths]
        # as the loader reads: into the slices of one preallocated volume
        dtype = stored_dtype(frames[0])
        volume = np.empty((len(frames), frames[0].rows, frames[0].columns), dtype)
        methods["native read (respond)"] = lambda i: read_native_into(
            frames[i], volume[i]
        )
        return methods
    encoded = []
    for path in paths:
        ds = pydicom.dcmread(path)
        encoded.append(next(generate_frames(ds.PixelData, number_of_frames=1)))
    if case.key == "j2k":
        import openjpeg

        methods["codec only (openjpeg)"] = lambda i: openjpeg.decode(encoded[i])
    elif case.key == "jpegll":
        import libjpeg

        methods["codec only (libjpeg)"] = lambda i: libjpeg.decode(encoded[i])
    elif case.key == "rle":
        from rle.utils import decode_pixel_data

        methods["codec only (pylibjpeg-rle)"] = lambda i: decode_pixel_data(
            encoded[i], version=2, rows=512, columns=512, bits_allocated=16
        )
    return methods


def _threaded(function: Callable[[int], object], count: int, workers: int) -> float:
    start = time.perf_counter()
    if workers == 1:
        for i in range(count):
            function(i)
    else:
        with ThreadPoolExecutor(workers) as pool:
            for _ in pool.map(function, range(count)):
                pass
    return time.perf_counter() - start


def _stalled_share(function: Callable[[int], object], count: int) -> float:
    """Share of files during whose decoding a ticking Python thread stood still.

    A decoder that holds the GIL stops the ticking thread for (nearly) the whole
    file (or for each of its C calls); one that releases it lets the thread tick
    on. A file counts as stalled when the ticker's gaps (> 0.5 ms each) cover at
    least half of its decoding time.
    """
    ticks: list[tuple[float, float]] = []
    stop = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            if now - last > 0.0005:
                ticks.append((last, now))
            last = now

    ticker = threading.Thread(target=tick, daemon=True)
    switch = sys.getswitchinterval()
    # short hand-overs between Python threads, so only a held GIL makes long gaps
    sys.setswitchinterval(0.0002)
    ticker.start()
    spans = []
    try:
        for i in range(count):
            start = time.perf_counter()
            function(i)
            spans.append((start, time.perf_counter()))
    finally:
        stop.set()
        ticker.join()
        sys.setswitchinterval(switch)
    stalled = 0
    for start, end in spans:
        covered = sum(
            min(end, b) - max(start, a) for a, b in ticks if a < end and b > start
        )
        stalled += covered >= 0.5 * (end - start)
    return stalled / max(1, count)


@dataclass(frozen=True)
class PathFigures:
    """One decoding path on a sample of files."""

    name: str
    one_ms: float
    two_ms: float
    stalled: float

    @property
    def speedup(self) -> float:
        return self.one_ms / self.two_ms

    @property
    def gil(self) -> str:
        if self.one_ms < GIL_TELLABLE_MS:
            return "too short to tell"
        if self.stalled >= 0.5:
            return "held"
        return "released" if self.stalled <= 0.2 else "partly held"


def threading_case(case: Case, sample: int) -> tuple[list[PathFigures], float | None]:
    """Per decoding path: ms per file on 1 and 2 threads, and the GIL test.

    Also returns the cores other processes used meanwhile.
    """
    neighbours = Neighbours()
    files = sorted(p for p in case.folder.iterdir() if p.is_file())
    middle = len(files) // 2
    paths = files[max(0, middle - sample // 2) :][:sample]
    rows = []
    for name, function in _decoders(case, paths).items():
        for i in range(min(4, len(paths))):
            function(i)  # warm up: imports, caches
        one = statistics.median(_threaded(function, len(paths), 1) for _ in range(3))
        two = statistics.median(_threaded(function, len(paths), 2) for _ in range(3))
        # a busy neighbour process only adds stalls: the least of 3 tries counts
        stalled = min(_stalled_share(function, min(len(paths), 24)) for _ in range(3))
        rows.append(
            PathFigures(name, one / len(paths) * 1000, two / len(paths) * 1000, stalled)
        )
    return rows, neighbours.cores()


def cpu_available() -> float:
    """How many times faster 2 threads hash than 1 (hashlib releases the GIL).

    About 2.0 when both cores are free for this run; about 1.0 when another
    process keeps one busy (then every 2-thread figure is understated).
    """
    block = bytes(16 << 20)

    def work(_: int) -> None:
        for _ in range(4):
            hashlib.sha256(block).digest()

    work(0)
    one = min(_threaded(work, 4, 1) for _ in range(2))
    two = min(_threaded(work, 4, 2) for _ in range(2))
    return one / two


# --- report -------------------------------------------------------------------


def _verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "MISS"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _engine_for(case: Case) -> str:
    from respond.dicom._codecs import fast_engine_for

    syntax = _dicom_data.SYNTAXES.get(case.key, _dicom_data.SYNTAXES["explicit"])
    engine = fast_engine_for(syntax)
    return "none" if engine is None else engine.value


def print_times(cases: list[Case], runs: int) -> None:
    print(
        f"\n  medians of {runs} fresh runs (s); respond = scan + load; ratios are "
        "respond (scan + load) / the other; first slice = from the start of the "
        "scan; other processes = cores other processes used meanwhile"
    )
    print(
        "\n| series | respond engine | respond | (scan / load) | SimpleITK "
        "| naive pydicom | / SimpleITK | / naive pydicom | / best of two "
        "| load alone / best | first slice | other processes |"
    )
    print("| --- |" + " --- |" * 11)
    for case in cases:
        respond = case.median("respond")
        sitk = case.median("simpleitk")
        naive = case.median("pydicom")
        best = min(sitk, naive)
        print(
            f"| {case.label} ({case.slices}) | {_engine_for(case)} | {respond:.3f} "
            f"| {case.median('respond', 'scan'):.3f} / "
            f"{case.median('respond', 'load'):.3f} | {sitk:.3f} | {naive:.3f} "
            f"| {respond / sitk:.2f} | {respond / naive:.2f} | {respond / best:.2f} "
            f"| {case.median('respond', 'load') / best:.2f} "
            f"| {case.median('respond', 'first'):.3f} s "
            f"| {_fmt(case.neighbour_cores, 1)} cores |"
        )


def print_memory(cases: list[Case]) -> None:
    print(
        "\n  peak extra memory / int16 volume bytes, one fresh process per figure: "
        "RSS = peak RSS after the imports (VmHWM, reset) - RSS before, everything "
        "incl. C++; tracemalloc = Python and numpy allocations only (not "
        "SimpleITK's C++ buffers)"
    )
    print(
        "\n| series | volume | respond RSS | respond tracemalloc | SimpleITK RSS "
        "| naive pydicom RSS | naive pydicom tracemalloc |"
    )
    print("| --- |" + " --- |" * 6)
    for case in cases:
        mem = case.memory
        print(
            f"| {case.label} | {case.volume_bytes / 2**20:.0f} MiB "
            f"| {_fmt(mem['respond']['rss'])} | {_fmt(mem['respond']['tracemalloc'])} "
            f"| {_fmt(mem['simpleitk']['rss'])} | {_fmt(mem['pydicom']['rss'])} "
            f"| {_fmt(mem['pydicom']['tracemalloc'])} |"
        )
    how = sorted({how for case in cases for how in case.memory_how})
    print(f"\n  measured with: {', '.join(how)}")
    for case in cases:
        for note in case.notes:
            if note.startswith("memory"):
                print(f"  {case.label}: {note}")


def print_goals(cases: list[Case]) -> None:
    print("\n| goal | series | measured | target | result |")
    print("| --- | --- | --- | --- | --- |")
    for case in cases:
        respond = case.median("respond")
        sitk = case.median("simpleitk")
        naive = case.median("pydicom")
        rows: list[tuple[str, float | None, str, str]] = []
        if case.compressed:
            ratio = respond / min(sitk, naive)
            rows.append(
                (
                    "compressed: respond / best of two",
                    ratio,
                    f"<= {GOAL_COMPRESSED_VS_BEST}",
                    _verdict(ratio, GOAL_COMPRESSED_VS_BEST),
                )
            )
        else:
            for what, value, goal in (
                (
                    "uncompressed: respond / SimpleITK",
                    respond / sitk,
                    GOAL_UNCOMPRESSED_VS_SIMPLEITK,
                ),
                (
                    "uncompressed: respond / naive pydicom",
                    respond / naive,
                    GOAL_UNCOMPRESSED_VS_NAIVE,
                ),
            ):
                rows.append((what, value, f"<= {goal}", _verdict(value, goal)))
        first = case.median("respond", "first")
        rows.append(
            (
                "first (middle) slice, s",
                first,
                f"<= {GOAL_FIRST_SLICE_S}",
                _verdict(first, GOAL_FIRST_SLICE_S),
            )
        )
        memory = case.memory["respond"]["rss"]
        rows.append(
            (
                "peak memory / volume (RSS)",
                memory,
                f"<= {GOAL_PEAK_MEMORY}",
                _verdict(memory, GOAL_PEAK_MEMORY),
            )
        )
        for what, value, target, verdict in rows:
            print(f"| {what} | {case.label} | {_fmt(value)} | {target} | {verdict} |")


def print_threading(
    results: list[tuple[Case, tuple[list[PathFigures], float | None]]],
) -> None:
    print(
        "\n  per-file cost of each decoding path (the middle files of the series, "
        "medians of 3); speed-up = time on 1 thread / on 2 threads; GIL: share "
        "of files during whose decoding a ticking Python thread stood still for "
        ">= half of the file's time, least of 3 tries (held: >= 50 % of files, "
        "released: <= 20 %)"
    )
    print(
        "\n| series | path | ms/file, 1 thread | ms/file, 2 threads | speed-up "
        "| Python thread stalled | GIL |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for case, (rows, neighbours) in results:
        print(
            f"| {case.label} | (other processes meanwhile: "
            f"{_fmt(neighbours, 1)} cores) | | | | | |"
        )
        for row in rows:
            print(
                f"| {case.label} | {row.name} | {row.one_ms:.2f} | {row.two_ms:.2f} "
                f"| {row.speedup:.2f} | {row.stalled:.0%} | {row.gil} |"
            )


# --- entry point --------------------------------------------------------------


def _cases(quick: bool) -> list[Case]:
    generated = _dicom_data.ensure_series(QUICK_SLICES if quick else SLICES)
    cases = [
        Case(key, _dicom_data.LABELS[key], series.folder, key != "explicit")
        for key, series in generated.items()
    ]
    if LIVER.is_dir():
        cases.append(Case("liver", "real liver CT (Explicit VR LE)", LIVER, False))
    else:
        print(f"  note: {LIVER_NAME} is absent: the real liver series is skipped")
    return cases


def _machine() -> str:
    import pydicom
    import SimpleITK as sitk

    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy "
        f"{np.__version__}, pydicom {pydicom.__version__}, SimpleITK "
        f"{sitk.Version_VersionString()} (default threads "
        f"{sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()})"
    )


def run(*, quick: bool = False) -> dict[str, float]:
    """Run the DICOM loading benchmark and print the report; return the figures."""
    runs = QUICK_RUNS if quick else RUNS
    print(f"DICOM loading ({'quick: ' if quick else ''}{_machine()})")
    cpu_before = cpu_available()
    cases = _cases(quick)
    for case in cases:
        print(f"  timing {case.label} ...", flush=True)
        time_case(case, runs)
        print(f"    {'; '.join(case.notes)}")
    print("  peak memory (fresh subprocesses) ...", flush=True)
    for case in cases:
        memory_case(case)
    print("  decoding paths on 1 and 2 threads ...", flush=True)
    sample = QUICK_THREAD_SAMPLE if quick else THREAD_SAMPLE
    decoding = [
        (case, threading_case(case, sample))
        for case in cases
        if case.key in _dicom_data.SYNTAXES
    ]
    cpu_after = cpu_available()
    print(
        f"\n  CPU free for this run: 2 threads hashed {cpu_before:.2f} x as fast as "
        f"1 before it, {cpu_after:.2f} x after it (2.00 = both cores free; about "
        "1 = another process kept one core busy and 2-thread figures suffer)"
    )
    print_times(cases, runs)
    print_memory(cases)
    print_threading(decoding)
    print_goals(cases)
    print(
        "\n  the OS file cache is warm for every engine (one untimed pass first); "
        "a cold first read from disk is not measured. A MISS is reported, not "
        "raised."
    )
    figures: dict[str, float] = {}
    for case in cases:
        figures[f"{case.key}_respond_s"] = case.median("respond")
        figures[f"{case.key}_vs_simpleitk"] = case.median("respond") / case.median(
            "simpleitk"
        )
        figures[f"{case.key}_vs_pydicom"] = case.median("respond") / case.median(
            "pydicom"
        )
        figures[f"{case.key}_first_s"] = case.median("respond", "first")
    return figures
