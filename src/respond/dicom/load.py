"""Load a series candidate's pixels into a :class:`Volume`, fast and progressively.

The second step (examine, then load). Per transfer syntax the fastest correct
engine is used (see :mod:`respond.dicom._codecs`); both cores decode at once; the
middle slice is read first so a viewer can paint before the rest arrives; a load
runs off the caller's thread and can be cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import Engine, fast_engine_for
from respond.dicom._decode import (
    OpenFile,
    decode_file,
    empty_plane,
    open_file,
    stored_dtype,
)
from respond.dicom._modality_lut import ModalityLut, read_modality_luts
from respond.dicom._rescale import (
    allocate_volume,
    check_frames_fit,
    checked_range,
    plan_dtype,
    write_rescaled,
)
from respond.dicom.errors import (
    DicomError,
    GeometryError,
    LoadCancelledError,
    SeriesLoadError,
    UnsupportedSeriesError,
)
from respond.dicom.geometry import VolumeGeometry
from respond.dicom.model import FrameRef, Readiness, SeriesCandidate, Severity
from respond.dicom.volume import Volume

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["LoadJob", "load_series"]

SliceCallback = Callable[[int], None]


def _check_loadable(candidate: SeriesCandidate) -> None:
    name = candidate.description or candidate.series_uid
    if candidate.readiness is Readiness.NOT_LOADABLE:
        reasons = [
            f.message for f in candidate.findings if f.severity is Severity.ERROR
        ]
        raise UnsupportedSeriesError(
            f"series {name} cannot be loaded: "
            + ("; ".join(reasons) or "the scan found no images to show"),
            series_uid=candidate.series_uid,
        )
    if not candidate.frames:
        raise SeriesLoadError(
            f"series {name} lists no images: scan the folder again",
            series_uid=candidate.series_uid,
        )


@dataclass(slots=True)
class _Unit:
    """One file to read and the volume slices its frames go to."""

    path: Path
    engine: Engine
    targets: list[tuple[int, FrameRef]] = field(default_factory=list)


class LoadJob:
    """A load running on a background thread.

    Parameters
    ----------
    candidate
        The series stack to load (from :func:`respond.dicom.scan`).
    workers
        Decoding threads (default 2: both cores).
    on_slice
        Called with the slice index each time a slice is filled, from a worker
        thread; the middle slice comes first.

    Raises
    ------
    UnsupportedSeriesError
        The scan found that the series cannot be shown as images.
    SeriesLoadError
        Its files cannot hold what their headers declare, or the volume would
        take more than the memory budget or more memory than is free; nothing
        is allocated then.
    """

    def __init__(
        self,
        candidate: SeriesCandidate,
        *,
        workers: int = 2,
        on_slice: SliceCallback | None = None,
    ) -> None:
        _check_loadable(candidate)
        self.candidate = candidate
        self.workers = max(1, workers)
        self._on_slice = on_slice
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.first_slice_ready = threading.Event()
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._callback_error: Exception | None = None
        self._volume: Volume | None = None
        self._completed = 0
        self.failed: dict[int, str] = {}
        frames = candidate.frames
        dtype, self.is_rescaled = plan_dtype(frames, candidate.modality)
        # A damaged header can claim anything: check before allocating.
        check_frames_fit(frames, candidate.series_uid)
        self.voxels: NDArray[np.generic] = allocate_volume(
            (len(frames), candidate.rows, candidate.columns), dtype, candidate
        )
        self.middle = len(frames) // 2
        self._thread = threading.Thread(
            target=self._run, name="respond-load", daemon=True
        )

    @property
    def dtype(self) -> np.dtype[np.generic]:
        """The volume's type now (int16 CT becomes int32 if a slice needs it)."""
        return self.voxels.dtype

    @property
    def progress(self) -> tuple[int, int]:
        """``(slices filled, total slices)``."""
        return self._completed, len(self.candidate.frames)

    def start(self) -> LoadJob:
        """Start loading on a background thread; return self."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the load to stop; :meth:`result` then raises LoadCancelledError."""
        self._cancel.set()

    def result(self, timeout: float | None = None) -> Volume:
        """Wait for the load and return the volume.

        Raises
        ------
        SeriesLoadError
            No slice could be read, or the load did not finish in ``timeout``.
        LoadCancelledError
            The load was cancelled.
        """
        if not self._done.wait(timeout):
            raise SeriesLoadError(
                "the load did not finish in time", series_uid=self.candidate.series_uid
            )
        if self._error is not None:
            raise self._error
        assert self._volume is not None
        return self._volume

    def run(self) -> Volume:
        """Load on the calling thread and return the volume."""
        self._run()
        return self.result()

    def _units(self) -> list[_Unit]:
        units: dict[Path, _Unit] = {}
        for k, frame in enumerate(self.candidate.frames):
            unit = units.get(frame.path)
            if unit is None:
                engine = fast_engine_for(
                    frame.transfer_syntax, has_offset=frame.pixel_offset is not None
                )
                if engine is Engine.SIMPLEITK and (
                    not self.is_rescaled or frame.modality_lut
                ):
                    # stored values wanted: SimpleITK gives them rescaled
                    engine = Engine.PYDICOM
                units[frame.path] = unit = _Unit(frame.path, engine or Engine.PYDICOM)
            unit.targets.append((k, frame))
        return sorted(
            units.values(),
            key=lambda u: min(abs(k - self.middle) for k, _ in u.targets),
        )

    def _run(self) -> None:
        try:
            self._read_all(self._units())
            if self._callback_error is not None:
                raise SeriesLoadError(
                    f"the load stopped: the slice callback failed "
                    f"({type(self._callback_error).__name__}: {self._callback_error})",
                    series_uid=self.candidate.series_uid,
                ) from self._callback_error
            if self._cancel.is_set():
                raise LoadCancelledError(
                    "load cancelled", series_uid=self.candidate.series_uid
                )
            if len(self.failed) == len(self.candidate.frames):
                first = next(iter(self.failed.values()))
                raise SeriesLoadError(
                    f"no slice of the series could be read ({first})",
                    series_uid=self.candidate.series_uid,
                )
            self._volume = self._build()
        except DicomError as exc:
            self._error = exc
        except Exception as exc:  # noqa: BLE001 - the load thread's boundary: any
            # failure must reach result() as a typed error, never kill the thread.
            self._error = SeriesLoadError(
                f"the series could not be loaded ({type(exc).__name__}: {exc}); "
                "its headers may be damaged",
                series_uid=self.candidate.series_uid,
            )
            self._error.__cause__ = exc
        finally:
            self.first_slice_ready.set()
            self._done.set()

    def _read_all(self, units: list[_Unit]) -> None:
        """Read every unit: the first (the middle slice) alone, then the rest."""
        if units:
            self._read_unit(units[0])
            self.first_slice_ready.set()
        rest = units[1:]
        if all(u.engine is Engine.NATIVE for u in rest):
            # Native reads are memory copies: this thread does them fastest (a
            # second only fights for the GIL, and a second touching the
            # volume's fresh pages meanwhile cost more than it saved).
            self._read_units(rest)
            return
        # Decoders use every worker, each taking every n-th file so all spread
        # outwards from the middle.
        threads = min(self.workers, max(1, len(rest)))
        chunks = [rest[n::threads] for n in range(threads)]
        with ThreadPoolExecutor(threads, thread_name_prefix="respond-decode") as pool:
            for _ in pool.map(self._read_units, chunks):
                pass

    def _nearest_first(
        self, targets: list[tuple[int, FrameRef]]
    ) -> list[tuple[int, FrameRef]]:
        return sorted(targets, key=lambda target: abs(target[0] - self.middle))

    def _read_units(self, units: list[_Unit]) -> None:
        for unit in units:
            self._read_unit(unit)

    def _fail(self, targets: list[tuple[int, FrameRef]], reason: str) -> None:
        with self._lock:
            for k, _ in targets:
                self.failed[k] = reason
                self._completed += 1

    def _read_unit(self, unit: _Unit) -> None:
        if self._cancel.is_set():
            return
        if not all(frame.has_pixels for _, frame in unit.targets):
            self._fail(unit.targets, f"{unit.path.name}: no pixel data in the file")
            return
        targets = self._nearest_first(unit.targets)
        try:
            # One open and one fstat per file, however many frames it holds.
            source = open_file(unit.path, buffered=unit.engine is not Engine.NATIVE)
        except SeriesLoadError as exc:
            self._fail(targets, str(exc))
            return
        with source:
            wanted = {frame.frame for _, frame in targets if frame.modality_lut}
            try:
                luts = read_modality_luts(source.stream, source.path, wanted)
            except SeriesLoadError as exc:
                self._fail(targets, str(exc))
                return
            if unit.engine is Engine.NATIVE:
                for k, frame in targets:
                    self._read_native(source, k, frame, luts.get(frame.frame))
            else:
                self._decode(source, unit.engine, targets, luts)

    def _decode(
        self,
        source: OpenFile,
        engine: Engine,
        targets: list[tuple[int, FrameRef]],
        luts: Mapping[int | None, ModalityLut],
    ) -> None:
        """Decode a compressed file and store each of its frames."""
        current = []
        for k, frame in targets:
            try:
                current.append((k, source.current(frame)))
            except SeriesLoadError as exc:
                self._fail([(k, frame)], str(exc))
        if not current:
            return
        try:
            decoded, rescaled_by_reader = decode_file(
                source.path, engine, source=source
            )
        except SeriesLoadError as exc:
            self._fail(current, str(exc))
            return
        for k, frame in current:
            index = frame.frame or 0
            if index >= len(decoded):
                self._fail(
                    [(k, frame)],
                    f"{frame.path.name}: frame {index + 1} is not in the file "
                    f"({len(decoded)} decoded)",
                )
                continue
            lut = luts.get(frame.frame)
            if lut is None:
                self._store(k, frame, decoded[index], rescaled_by_reader)
            else:
                self._store(k, frame, lut.apply(decoded[index]), True)

    def _read_native(
        self, source: OpenFile, k: int, frame: FrameRef, lut: ModalityLut | None
    ) -> None:
        """Read a native frame into its slice of the volume, then rescale it there.

        The stored values go straight into the volume (one read, no temporary)
        whenever they have the volume's type, as CT's int16 has; values with a
        Modality LUT are looked up in it on the way.
        """
        with self._lock:
            volume = self.voxels
        home: NDArray[np.generic] | None = None
        try:
            fits = (frame.rows, frame.columns) == volume.shape[1:]
            if lut is None and fits and stored_dtype(frame) == volume.dtype:
                home, plane = volume, volume[k]
            else:
                plane = empty_plane(frame)
            source.read_native_into(frame, plane)
        except SeriesLoadError as exc:
            self._fail([(k, frame)], str(exc))
            return
        if lut is not None:
            self._store(k, frame, lut.apply(plane), True)
            return
        self._store(k, frame, plane, False, home)

    def _store(
        self,
        k: int,
        frame: FrameRef,
        plane: NDArray[np.generic],
        rescaled: bool,
        home: NDArray[np.generic] | None = None,
    ) -> None:
        """Write a slice's values (rescaled) into the volume.

        ``home`` is the volume array ``plane`` is a slice of, when it was read
        in place; the volume may have been widened since.
        """
        if plane.shape != self.voxels.shape[1:]:
            with self._lock:
                self.failed[k] = (
                    f"{frame.path.name}: image size {plane.shape} differs from the "
                    f"series' {self.voxels.shape[1:]}"
                )
                self._completed += 1
            return
        slope, intercept = 1, 0
        if self.is_rescaled and not rescaled:
            slope, intercept = int(frame.rescale_slope), int(frame.rescale_intercept)
        low, high = checked_range(plane, slope, intercept, self.voxels.dtype)
        ends = (low * slope + intercept, high * slope + intercept)
        wide = np.iinfo(np.int32)
        if min(ends) < wide.min or max(ends) > wide.max:
            self._fail(
                [(k, frame)],
                f"{frame.path.name}: values {min(ends)} to {max(ends)} after the "
                "rescale do not fit 32 bits; the header may be damaged",
            )
            return
        with self._lock:
            target = self.voxels
            info = np.iinfo(target.dtype)  # type: ignore[type-var]
            if min(ends) < info.min or max(ends) > info.max:
                self.voxels = target = target.astype(np.int32)
                info = wide
        try:
            write_rescaled(
                target[k], plane, slope, intercept, info, (low, high), target is home
            )
        except (OverflowError, ValueError, TypeError) as exc:
            # not expected (the ranges were checked): one slice, in words
            self._fail(
                [(k, frame)],
                f"{frame.path.name}: the rescale failed ({type(exc).__name__}: {exc})",
            )
            return
        with self._lock:
            if self.voxels is not target:  # widened meanwhile: carry the slice over
                self.voxels[k] = target[k]
            self._completed += 1
        if self._on_slice is not None and not self._cancel.is_set():
            try:
                self._on_slice(k)
            except Exception as exc:  # noqa: BLE001 - a viewer callback failing
                # must not kill the load thread silently: stop and report it.
                with self._lock:
                    if self._callback_error is None:
                        self._callback_error = exc
                self._cancel.set()

    def provisional_volume(self) -> Volume:
        """Return a Volume over the array being filled (for progressive display).

        Slices not loaded yet read 0; :meth:`result` gives the final volume, in
        which slices that could not be read hold the type's lowest value.
        """
        return self._assemble()

    def _build(self) -> Volume:
        if self.failed:
            # Unreadable slices show as the lowest value (black), never as
            # plausible tissue (0 HU would read as water).
            lowest = np.iinfo(self.voxels.dtype).min  # type: ignore[type-var]
            for k in self.failed:
                self.voxels[k] = lowest
        return self._assemble()

    def _assemble(self) -> Volume:
        frames = self.candidate.frames
        geometry = None
        first = frames[0]
        if (
            all(f.position is not None for f in frames)
            and first.orientation is not None
            and first.pixel_spacing is not None
        ):
            try:
                geometry = VolumeGeometry.from_slices(
                    np.asarray([f.position for f in frames], dtype=float),
                    np.asarray(first.orientation, dtype=float),
                    np.asarray(first.pixel_spacing, dtype=float),
                    self.candidate.rows,
                    self.candidate.columns,
                )
            except GeometryError:
                # Repeated positions or a bad orientation: the scan reported it
                # (readiness not_measurable); the images still show.
                geometry = None
        return Volume(
            voxels=self.voxels,
            geometry=geometry,
            is_rescaled=self.is_rescaled,
            # slices looked up in a Modality LUT hold its values: no rescale
            slopes=np.asarray(
                [1.0 if f.modality_lut else f.rescale_slope for f in frames],
                dtype=np.float64,
            ),
            intercepts=np.asarray(
                [0.0 if f.modality_lut else f.rescale_intercept for f in frames],
                dtype=np.float64,
            ),
            frames=frames,
            series_key=self.candidate.key,
            modality=self.candidate.modality,
            unreadable_slices=dict(self.failed),
        )


def load_series(
    candidate: SeriesCandidate,
    *,
    workers: int = 2,
    on_slice: SliceCallback | None = None,
) -> Volume:
    """Load a series stack on the calling thread (decoding on ``workers`` threads).

    Parameters
    ----------
    candidate
        The series stack.
    workers
        Decoding threads.
    on_slice
        Called with each slice index as it is filled, the middle slice first.

    Returns
    -------
    Volume
        The voxels with their geometry.

    Raises
    ------
    UnsupportedSeriesError
        The series cannot be shown as images.
    SeriesLoadError
        No slice could be read.
    """
    return LoadJob(candidate, workers=workers, on_slice=on_slice).run()
