"""Read a series' files into the volume being loaded, one file (unit) at a time.

A :class:`_Unit` is one file and the volume slices its frames go to.
:class:`_UnitReader` holds the per-file half of a load: the file of the middle
slice is read first, the rest by both cores, each file opened once; native
frames are read straight into their slice, compressed files decoded whole, and
a Modality LUT applied on the way. :class:`respond.dicom.load.LoadJob` builds
on it, choosing each file's engine and writing each slice (rescaled) into the
volume.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from respond.dicom._codecs import Engine
from respond.dicom._decode import (
    OpenFile,
    decode_file,
    empty_plane,
    open_file,
    stored_dtype,
)
from respond.dicom._modality_lut import ModalityLut, read_modality_luts
from respond.dicom.errors import SeriesLoadError
from respond.dicom.model import FrameRef

if TYPE_CHECKING:
    import threading
    from collections.abc import Mapping

    import numpy as np
    from numpy.typing import NDArray


@dataclass(slots=True)
class _Unit:
    """One file to read and the volume slices its frames go to."""

    path: Path
    engine: Engine
    targets: list[tuple[int, FrameRef]] = field(default_factory=list)


class _UnitReader:
    """The per-file half of a :class:`~respond.dicom.load.LoadJob`.

    It reads the units into ``voxels`` and records the slices that fail in
    ``failed``; the load provides the attributes declared here and
    :meth:`_store`, which writes a slice's values (rescaled) into the volume.
    """

    workers: int
    middle: int
    voxels: NDArray[np.generic]
    failed: dict[int, str]
    first_slice_ready: threading.Event
    _cancel: threading.Event
    _lock: threading.Lock
    _completed: int

    def _store(
        self,
        k: int,
        frame: FrameRef,
        plane: NDArray[np.generic],
        rescaled: bool,
        home: NDArray[np.generic] | None = None,
    ) -> None:
        raise NotImplementedError

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
