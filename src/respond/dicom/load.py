"""Load a series candidate's pixels into a :class:`Volume`, fast and progressively.

The second step (examine, then load). Per transfer syntax the fastest correct
engine is used (see :mod:`respond.dicom._codecs`); both cores decode at once; the
middle slice is read first so a viewer can paint before the rest arrives; a load
runs off the caller's thread and can be cancelled. Reading each file's frames
into the volume (:class:`_UnitReader`, which :class:`LoadJob` builds on) is in
:mod:`respond.dicom._load_units`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import Engine, fast_engine_for
from respond.dicom._load_units import _Unit, _UnitReader
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
    from pathlib import Path

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


class LoadJob(_UnitReader):
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
