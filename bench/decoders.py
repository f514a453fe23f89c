"""Compressed series: imagecodecs against respond's engines, SimpleITK and pydicom.

Goal (issue 13): every compressed transfer syntax loads in <= 0.6 x the time of
the faster of SimpleITK and naive pydicom, on the project's 2 cores, with
identical HU, and in at most 1.3 x the volume's memory.

Data (``_decoders_data``): a 512 x 512 x 300 CT (the real liver slices forth and
back) in ten syntaxes: RLE, JPEG Lossless process 14 and SV1, JPEG-LS lossless
and near-lossless, JPEG 2000 lossless and lossy, 8-bit baseline and 12-bit
extended lossy JPEG, deflate. ``--quick``: 64 slices.

Four loaders, each building everything anew, alternating in one process in a
rotating order after an untimed pass that also checks they agree (warm file
cache for all):

- imagecodecs: respond as it loads, ``scan`` + ``LoadJob(workers=2)`` with
  :func:`fast_engine_for` choosing the engine (imagecodecs' ``decode_frames``
  inside ``decode_file``, whose checks run);
- respond before: the same with ``engine_for`` (pydicom or SimpleITK per file);
- SimpleITK: ``ImageSeriesReader`` (as ``bench/dicom.py``);
- naive pydicom: ``dcmread``, ``pixel_array`` as int16, rescale, ``np.stack``.

Per syntax, also: each decoding path per file on 1 and 2 threads (the middle
files), and whether imagecodecs gives pydicom's stored values on every file
of the series (for the syntaxes not taken, imagecodecs' codec alone is tried,
to show why). Peak memory: a fresh process per loader and syntax, peak RSS
(VmHWM reset after the imports) over the int16 volume's bytes.

This is a report: a missed goal is printed as MISS and never fails the process.
"""

from __future__ import annotations

import contextlib
import gc
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench import _decoders_data, dicom

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

GOAL_VS_BEST = 0.6
LOSSY_JPEG = ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51")
"""Decoded by libjpeg-turbo with GDCM's values (pydicom's plugin differs by one)."""
GOAL_PEAK_MEMORY = 1.3
SLICES, QUICK_SLICES = 300, 64
RUNS, QUICK_RUNS = 5, 3
SAMPLE, QUICK_SAMPLE = 48, 24
WORKERS = 2
LOADERS = ("imagecodecs", "respond", "simpleitk", "pydicom")
LABELS = {
    "imagecodecs": "imagecodecs",
    "respond": "respond before",
    "simpleitk": "SimpleITK",
    "pydicom": "naive pydicom",
}


@dataclass
class Case:
    """One copy of the series."""

    key: str
    folder: Path
    syntax: str
    slices: int = 0
    volume_bytes: int = 0
    times: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    memory: dict[str, float | None] = field(default_factory=dict)
    same: dict[str, bool] = field(default_factory=dict)
    exact: tuple[int, int, str] = (0, 0, "")
    paths: list[tuple[str, float, float]] = field(default_factory=list)
    engines: str = ""
    neighbour_cores: float | None = None

    @property
    def label(self) -> str:
        return _decoders_data.LABELS[self.key]

    def median(self, loader: str, part: str = "total") -> float:
        return statistics.median(run[part] for run in self.times[loader])


# --- the engines before imagecodecs, for comparison ------------------------------


@contextlib.contextmanager
def engines_before() -> Iterator[None]:
    """Make ``LoadJob`` choose its engine as before imagecodecs (``engine_for``)."""
    from respond.dicom import load
    from respond.dicom._codecs import engine_for

    original = load.fast_engine_for
    load.fast_engine_for = engine_for
    try:
        yield
    finally:
        load.fast_engine_for = original


def load_imagecodecs(folder: Path) -> tuple[Any, dict[str, float]]:
    return dicom.load_respond(folder)


def load_before(folder: Path) -> tuple[Any, dict[str, float]]:
    with engines_before():
        return dicom.load_respond(folder)


def load_pydicom(folder: Path) -> tuple[Any, dict[str, float]]:
    """dcmread + pixel_array (as int16) + rescale + np.stack, as a script would."""
    import pydicom

    start = time.perf_counter()
    datasets = [pydicom.dcmread(p) for p in sorted(folder.iterdir()) if p.is_file()]
    datasets.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    voxels = np.stack(
        [
            ds.pixel_array.astype(np.int16, copy=False) * int(ds.RescaleSlope)
            + int(ds.RescaleIntercept)
            for ds in datasets
        ]
    )
    return voxels, {"total": time.perf_counter() - start}


LOADS: dict[str, Callable[[Path], tuple[Any, dict[str, float]]]] = {
    "imagecodecs": load_imagecodecs,
    "respond": load_before,
    "simpleitk": dicom.load_simpleitk,
    "pydicom": load_pydicom,
}


# --- timing --------------------------------------------------------------------


def _engines(case: Case) -> str:
    from respond.dicom._codecs import engine_for, fast_engine_for

    fast = fast_engine_for(case.syntax)
    today = engine_for(case.syntax)
    return (
        f"{fast.value if fast else 'none'} (before {today.value if today else 'none'})"
    )


def _warm_up_and_check(case: Case) -> None:
    outputs = {loader: LOADS[loader](case.folder)[0] for loader in LOADERS}
    reference = dicom._voxels(outputs["respond"])
    case.slices = int(reference.shape[0])
    case.volume_bytes = int(np.prod(reference.shape)) * 2
    for loader in ("imagecodecs", "simpleitk", "pydicom"):
        other = dicom._voxels(outputs[loader])
        case.same[loader] = other.shape == reference.shape and bool(
            np.array_equal(other, reference)
        )
    # lossy JPEG: libjpeg-turbo's values are GDCM's (SimpleITK's), not pydicom's
    fast, gdcm = (dicom._voxels(outputs[k]) for k in ("imagecodecs", "simpleitk"))
    case.same["imagecodecs = simpleitk"] = fast.shape == gdcm.shape and bool(
        np.array_equal(fast, gdcm)
    )


def time_case(case: Case, runs: int) -> None:
    _warm_up_and_check(case)
    case.engines = _engines(case)
    case.times = {loader: [] for loader in LOADERS}
    neighbours = dicom.Neighbours()
    for round_number in range(runs):
        shift = round_number % len(LOADERS)
        for loader in LOADERS[shift:] + LOADERS[:shift]:
            gc.collect()
            output, times = LOADS[loader](case.folder)
            del output
            case.times[loader].append(times)
    case.neighbour_cores = neighbours.cores()


# --- values: imagecodecs against pydicom, file by file ---------------------------


def _codec_only(syntax: str) -> Callable[[Path], np.ndarray] | None:
    """imagecodecs' codec alone, for the syntaxes it is not taken for.

    Lossy JPEG: ``jpeg8_decode`` (libjpeg-turbo) of the one frame, to show
    what it would cost and whether it gives pydicom's values.
    """
    import imagecodecs
    import pydicom
    from pydicom.encaps import generate_frames

    def jpeg(path: Path) -> np.ndarray:
        ds = pydicom.dcmread(path)
        code = next(generate_frames(ds.PixelData, number_of_frames=1))
        return imagecodecs.jpeg8_decode(code)[np.newaxis]

    if syntax in ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"):
        return jpeg
    return None


def exact_case(case: Case) -> None:
    """Count the files on which imagecodecs gives pydicom's stored values."""
    import pydicom

    from respond.dicom._fastcodecs import decode_frames, decodes

    files = sorted(p for p in case.folder.iterdir() if p.is_file())
    codec = None
    if decodes(case.syntax):
        how = "decode_frames"

        def decode(path: Path) -> np.ndarray:
            return decode_frames(path)[0]

    else:
        codec = _codec_only(case.syntax)
        if codec is None:
            case.exact = (0, len(files), "not tried")
            return
        how = "codec alone (not taken)"
        decode = codec
    same = same_sitk = 0
    for path in files:
        ds = pydicom.dcmread(path)
        expected = ds.pixel_array
        got = decode(path)
        same += bool(
            got.dtype == expected.dtype
            and np.array_equal(got.reshape(expected.shape), expected)
        )
        if codec is not None or case.syntax in LOSSY_JPEG:
            same_sitk += bool(
                np.array_equal(got.reshape(expected.shape), _sitk(ds, path))
            )
    if codec is not None or case.syntax in LOSSY_JPEG:
        how += f"; = SimpleITK on {same_sitk}/{len(files)}"
    case.exact = (same, len(files), how)


def _sitk(ds: Any, path: Path) -> np.ndarray:
    """SimpleITK's stored values of one file (its HU, rescale undone)."""
    import SimpleITK as sitk

    values = sitk.GetArrayFromImage(sitk.ReadImage(str(path))).astype(np.float64)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return np.rint((values - intercept) / slope).reshape(ds.Rows, ds.Columns)


# --- decoding paths per file, 1 and 2 threads --------------------------------------


def _paths(case: Case, files: list[Path]) -> dict[str, Callable[[int], object]]:
    from respond.dicom._codecs import Engine, engine_for
    from respond.dicom._decode import decode_file
    from respond.dicom._fastcodecs import decode_frames, decodes

    methods: dict[str, Callable[[int], object]] = {}
    if decodes(case.syntax):
        methods["imagecodecs: decode_frames"] = lambda i: decode_frames(files[i])
        methods["imagecodecs: decode_file (its checks too)"] = lambda i: decode_file(
            files[i], Engine.IMAGECODECS
        )
    else:
        codec = _codec_only(case.syntax)
        if codec is not None:
            methods["imagecodecs codec alone (not taken)"] = lambda i: codec(files[i])
    today = engine_for(case.syntax) or Engine.PYDICOM
    methods[f"respond before: decode_file({today.value})"] = lambda i: decode_file(
        files[i], today
    )
    if today is not Engine.PYDICOM:
        methods["decode_file(pydicom)"] = lambda i: decode_file(
            files[i], Engine.PYDICOM
        )
    if today is not Engine.SIMPLEITK:
        methods["decode_file(simpleitk)"] = lambda i: decode_file(
            files[i], Engine.SIMPLEITK
        )
    return methods


def paths_case(case: Case, sample: int) -> None:
    files = sorted(p for p in case.folder.iterdir() if p.is_file())
    middle = len(files) // 2
    files = files[max(0, middle - sample // 2) :][:sample]
    for name, function in _paths(case, files).items():
        case.paths.append((name, *_one_and_two(function, len(files))))


def _one_and_two(function: Callable[[int], object], count: int) -> tuple[float, float]:
    """Ms per file on 1 and on 2 threads, interleaved, medians of 3."""
    for i in range(min(4, count)):
        function(i)  # warm up: imports, caches
    one, two = [], []
    for _ in range(3):
        one.append(dicom._threaded(function, count, 1))
        two.append(dicom._threaded(function, count, 2))
    return statistics.median(one) / count * 1000, statistics.median(two) / count * 1000


# --- peak memory, one fresh process per loader ---------------------------------------


def memory_child(loader: str, folder: str) -> None:
    """In a fresh process: load once; print the peak extra RSS bytes as JSON."""
    import imagecodecs

    dicom._preload()
    for codec in ("jpeg8", "jpeg2k", "jpegls", "dicomrle", "deflate"):
        getattr(imagecodecs, f"{codec}_decode")  # loads its extension: not counted
    gc.collect()
    if not dicom._reset_peak_rss() or (before := dicom._status_kib("VmRSS")) is None:
        print(json.dumps({"peak_extra_bytes": None}))
        return
    output, _ = LOADS[loader](Path(folder))
    peak = ((dicom._status_kib("VmHWM") or 0) - before) * 1024
    del output
    print(json.dumps({"peak_extra_bytes": peak}))


def memory_case(case: Case) -> None:
    for loader in ("imagecodecs", "respond"):
        code = (
            "from bench.decoders import memory_child; "
            f"memory_child({loader!r}, {str(case.folder)!r})"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=dicom.REPO,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        peak = None
        if proc.returncode == 0:
            peak = json.loads(proc.stdout.strip().splitlines()[-1])["peak_extra_bytes"]
        case.memory[loader] = None if peak is None else peak / case.volume_bytes


# --- report --------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "MISS"


def print_report(cases: list[Case], runs: int, how: str) -> None:
    print(
        f"\n  medians of {runs} fresh runs (s), scan + load for respond; best = the "
        f"faster of SimpleITK and naive pydicom; imagecodecs engine {how}"
    )
    print(
        "\n| series | engine | imagecodecs | respond before | SimpleITK "
        "| naive pydicom | imagecodecs / best | before / best "
        "| imagecodecs / before | same HU | "
        "first slice | peak memory / volume | other processes |"
    )
    print("| --- |" + " --- |" * 12)
    for case in cases:
        fast, today = case.median("imagecodecs"), case.median("respond")
        sitk, naive = case.median("simpleitk"), case.median("pydicom")
        best = min(sitk, naive)
        same = "yes" if case.same["imagecodecs"] else "NO"
        others = [LABELS[k] for k in ("simpleitk", "pydicom") if not case.same[k]]
        if others:
            same += f" ({', '.join(others)} differ)"
        if case.syntax in LOSSY_JPEG:
            gdcm = case.same["imagecodecs = simpleitk"]
            same = "= SimpleITK" if gdcm else "NO (SimpleITK differs)"
            same += "; before (pydicom) " + (
                "same" if case.same["imagecodecs"] else "differs"
            )
        print(
            f"| {case.label} ({case.slices}) | {case.engines} | {fast:.3f} "
            f"| {today:.3f} | {sitk:.3f} | {naive:.3f} | {fast / best:.2f} "
            f"{_verdict(fast / best, GOAL_VS_BEST)} | {today / best:.2f} "
            f"| {fast / today:.2f} | {same} "
            f"| {case.median('imagecodecs', 'first'):.3f} s "
            f"| {_fmt(case.memory.get('imagecodecs'))} "
            f"{_verdict(case.memory.get('imagecodecs'), GOAL_PEAK_MEMORY)} "
            f"(before {_fmt(case.memory.get('respond'))}) "
            f"| {_fmt(case.neighbour_cores, 1)} cores |"
        )
    print(
        "\n  values: imagecodecs against pydicom's pixel_array, every file; "
        "per-file paths: ms per file on 1 and 2 threads (middle files, medians of 3)"
    )
    print("\n| series | imagecodecs = pydicom | path | ms/file, 1 thread | 2 threads |")
    print("| --- | --- | --- | --- | --- |")
    for case in cases:
        same, total, how = case.exact
        values = f"{same}/{total} files ({how})" if total else how
        for n, (name, one, two) in enumerate(case.paths):
            first = values if n == 0 else ""
            print(f"| {case.label} | {first} | {name} | {one:.2f} | {two:.2f} |")


def _machine() -> str:
    import imagecodecs

    return f"{dicom._machine()}, imagecodecs {imagecodecs.__version__}"


def run(*, quick: bool = False, keys: Sequence[str] = ()) -> dict[str, float]:
    """Run the compressed-syntax benchmark and print the report; return figures.

    ``keys``: only these copies (``rle``, ``j2k``, ``deflate`` ...), all if empty.
    """
    runs = QUICK_RUNS if quick else RUNS
    print(f"Compressed DICOM decoding ({'quick: ' if quick else ''}{_machine()})")
    cpu_before = dicom.cpu_available()
    copies = _decoders_data.ensure_copies(QUICK_SLICES if quick else SLICES)
    cases = [
        Case(key, copy.folder, copy.transfer_syntax)
        for key, copy in copies.items()
        if not keys or key in keys
    ]
    how = "as loaded by respond (fast_engine_for)"
    for case in cases:
        print(f"  {case.label} ...", flush=True)
        time_case(case, runs)
        exact_case(case)
        paths_case(case, QUICK_SAMPLE if quick else SAMPLE)
        memory_case(case)
    cpu_after = dicom.cpu_available()
    print(
        f"\n  CPU free for this run: 2 threads hashed {cpu_before:.2f} x as fast as "
        f"1 before it, {cpu_after:.2f} x after it (2.00 = both cores free)"
    )
    print_report(cases, runs, how)
    figures: dict[str, float] = {}
    for case in cases:
        best = min(case.median("simpleitk"), case.median("pydicom"))
        figures[f"{case.key}_imagecodecs_vs_best"] = case.median("imagecodecs") / best
        figures[f"{case.key}_today_vs_best"] = case.median("respond") / best
    return figures


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
