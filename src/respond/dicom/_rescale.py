"""Planning the volume: its type, its size, and slices written into it exactly.

CT is kept as int16 Hounsfield units whenever it fits; other data keep the
smallest exact integer type; a non-integer slope keeps the stored values.
Before the volume is allocated, its size is checked against what the files can
hold (a damaged NumberOfFrames must not allocate frames that are not there)
and against a memory budget relative to the computer's memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from respond.dicom._modality_lut import LUT_RANGE
from respond.dicom.errors import SeriesLoadError, UnsupportedSeriesError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef, PixelFormat, SeriesCandidate

__all__ = [
    "MAX_RESCALE",
    "MAX_VOLUME_BYTES",
    "Declared",
    "allocate_volume",
    "check_frames_fit",
    "checked_range",
    "fits_in_place",
    "human_bytes",
    "memory_budget",
    "modality_float32",
    "plan_dtype",
    "write_rescaled",
]

# A rescale beyond this is a damaged header, not a scanner's value.
MAX_RESCALE = 1e9
_INT_TYPES = (np.uint8, np.int8, np.uint16, np.int16, np.int32)
MAX_VOLUME_BYTES: Final = 8 * 2**30
"""Never more than this for one volume or one decode, whatever the memory."""
RAM_FRACTION: Final = 0.5
"""Share of the computer's memory one volume (or one decode) may take."""
MIN_COMPRESSED_FRAME: Final = 32
"""Bytes a compressed frame takes at least: its item header and the smallest
codestream (JPEG-LS: 27 bytes; JPEG, JPEG 2000 and RLE need more)."""


@dataclass(frozen=True, slots=True)
class Declared:
    """What a file's DICOM header says its pixel data holds."""

    rows: int
    columns: int
    samples: int
    bits_allocated: int
    bits_stored: int
    frames: int

    @property
    def frame_bytes(self) -> int:
        """Bytes of one decoded frame."""
        return (
            self.rows * self.columns * self.samples * max(1, self.bits_allocated // 8)
        )

    def describe(self, frames: int | None = None) -> str:
        """``20000 frames of 512 x 512 x 16 bits`` (``frames`` of them if given)."""
        count = self.frames if frames is None else frames
        noun = "frame" if count == 1 else "frames"
        colour = f" x {self.samples} samples" if self.samples != 1 else ""
        return (
            f"{count} {noun} of {self.rows} x {self.columns}{colour} x "
            f"{self.bits_allocated} bits"
        )


def _stored_range(fmt: PixelFormat) -> tuple[int, int]:
    bits = fmt.bits_stored
    if fmt.is_signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _smallest_type(low: float, high: float) -> type[np.integer] | None:
    for candidate in _INT_TYPES:
        info = np.iinfo(candidate)
        if info.min <= low and high <= info.max:
            return candidate
    return None


def plan_dtype(
    frames: Sequence[FrameRef], modality: str
) -> tuple[np.dtype[np.generic], bool]:
    """Return the volume dtype and whether it holds rescaled (modality) values.

    Images with a Modality LUT count with every value a LUT can give
    (:data:`~respond.dicom._modality_lut.LUT_RANGE`), so the volume holds their
    table values exactly; their rescale is not used.
    """
    # Files without pixel data are not read (the loader lists them unreadable)
    frames = [frame for frame in frames if frame.has_pixels] or list(frames)
    fmt = next((f.pixel_format for f in frames if f.pixel_format is not None), None)
    if fmt is None:
        raise UnsupportedSeriesError("no Image Pixel module: nothing to display")
    if fmt.samples_per_pixel != 1:
        raise UnsupportedSeriesError(
            f"colour images ({fmt.photometric}, {fmt.samples_per_pixel} samples): "
            "respond measures on greyscale CT and MR"
        )
    if fmt.bits_allocated not in (8, 16, 32) or not 1 <= fmt.bits_stored <= (
        fmt.bits_allocated
    ):
        raise SeriesLoadError(
            f"BitsAllocated {fmt.bits_allocated} / BitsStored {fmt.bits_stored}: "
            "not a pixel format respond can read (8, 16 or 32 bits allocated, no "
            "more stored than allocated); the file's header is damaged"
        )
    # Images with a Modality LUT take the table's values; their rescale is unused.
    rescaled = [frame for frame in frames if not frame.modality_lut]
    has_lut = len(rescaled) < len(frames)
    for frame in rescaled:
        if (
            abs(frame.rescale_slope) > MAX_RESCALE
            or abs(frame.rescale_intercept) > MAX_RESCALE
        ):
            raise SeriesLoadError(
                f"{frame.path.name}: rescale slope {frame.rescale_slope:g} / "
                f"intercept {frame.rescale_intercept:g} is out of range; the header "
                "is damaged"
            )
    low, high = _stored_range(fmt)
    integral = all(
        float(f.rescale_slope).is_integer() and float(f.rescale_intercept).is_integer()
        for f in rescaled
    )
    if integral:
        ends = [
            value * f.rescale_slope + f.rescale_intercept
            for f in rescaled
            for value in (low, high)
        ]
        if has_lut:
            ends.extend(LUT_RANGE)
        chosen = _smallest_type(min(ends), max(ends))
        if chosen is None or (chosen is np.int32 and modality == "CT"):
            # Real CT values fit int16 even when the stored range does not: the
            # loader checks every slice and widens the volume if one does not.
            chosen = np.int16
        return np.dtype(chosen), True
    stored = _smallest_type(low, high) or np.int32
    return np.dtype(stored), False


def checked_range(
    plane: NDArray[np.generic], slope: int, intercept: int, dtype: np.dtype[Any]
) -> tuple[int, int]:
    """Return the plane's lowest and highest value, as far as ``dtype`` needs them.

    With slope 1 and the volume's own type, ``plane + intercept`` can only leave
    that type on one side (below it for a negative intercept, as CT's -1024),
    so only that end is computed; the other is the type's limit. Each end is one
    pass over the slice.
    """
    if not plane.size:
        return 0, 0
    if slope == 1 and plane.dtype == dtype:
        info = np.iinfo(dtype)
        low = int(plane.min()) if intercept < 0 else int(info.min)
        high = int(plane.max()) if intercept > 0 else int(info.max)
        return low, high
    return int(plane.min()), int(plane.max())


def fits_in_place(
    info: np.iinfo[Any], stored: tuple[int, int], slope: int, intercept: int
) -> bool:
    """Whether ``stored * slope + intercept`` can be computed in ``info``'s type.

    True when the stored range, the slope, the intercept and every product of
    the stored range with the slope (both ends: a negative slope swaps them)
    fit the type: numpy 2 refuses a Python int that does not fit an array's
    type (``OverflowError``), and no step may leave the type.
    """
    low, high = stored
    products = (low * slope, high * slope)
    return all(
        info.min <= value <= info.max
        for value in (low, high, slope, intercept, min(products), max(products))
    )


def write_rescaled(
    destination: NDArray[np.generic],
    plane: NDArray[np.generic],
    slope: int,
    intercept: int,
    info: np.iinfo[Any],
    stored: tuple[int, int],
    in_place: bool = False,
) -> None:
    """Write ``plane * slope + intercept`` into ``destination`` exactly.

    The caller checked that the results fit the destination's type. When the
    stored values, slope, intercept and products fit it too
    (:func:`fits_in_place`), the arithmetic happens in place in that type (no
    wide temporary); otherwise through int64. ``in_place``: ``plane`` is
    ``destination`` itself (read straight into the volume).
    """
    if fits_in_place(info, stored, slope, intercept):
        if not in_place:
            np.copyto(destination, plane, casting="unsafe")
        if slope != 1:
            np.multiply(destination, slope, out=destination)
        if intercept:
            np.add(destination, intercept, out=destination)
        return
    wide = plane.astype(np.int64) * slope + intercept
    np.copyto(destination, wide, casting="unsafe")


def modality_float32(
    plane: NDArray[np.generic], slope: float, intercept: float
) -> NDArray[np.float32]:
    """Return ``plane * slope + intercept`` as float32 (one image's values)."""
    values = plane.astype(np.float32)
    if slope != 1:
        values *= np.float32(slope)
    if intercept:
        values += np.float32(intercept)
    return values


def physical_memory() -> int | None:
    """Return the computer's memory in bytes, or ``None`` where it is not known."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        page = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        return None
    if pages <= 0 or page <= 0:
        return None
    return int(pages) * int(page)


def memory_budget() -> tuple[int, str]:
    """Return the bytes one volume (or one decode) may take, and why that much."""
    memory = physical_memory()
    if memory is None or memory * RAM_FRACTION >= MAX_VOLUME_BYTES:
        return MAX_VOLUME_BYTES, f"respond's limit of {human_bytes(MAX_VOLUME_BYTES)}"
    budget = int(memory * RAM_FRACTION)
    return budget, (
        f"{human_bytes(budget)}: {RAM_FRACTION:.0%} of this computer's "
        f"{human_bytes(memory)} of memory"
    )


def human_bytes(count: float) -> str:
    """Return a byte count for people: ``263 KB``, ``10.5 GB``."""
    if count < 1000:
        return f"{int(count)} bytes"
    value, unit = count / 1e9, "GB"
    for name, size in (("KB", 1e3), ("MB", 1e6)):
        if count < size * 1000:
            value, unit = count / size, name
            break
    return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"


def _declared_by(frames: Sequence[FrameRef]) -> Declared | None:
    """Return what the scan's frames of one file declare (``None``: no format)."""
    first = frames[0]
    fmt = first.pixel_format
    if fmt is None:
        return None
    return Declared(
        rows=first.rows,
        columns=first.columns,
        samples=fmt.samples_per_pixel,
        bits_allocated=fmt.bits_allocated,
        bits_stored=fmt.bits_stored,
        frames=1 + max(frame.frame or 0 for frame in frames),
    )


def _check_file_fits(frames: Sequence[FrameRef], series_uid: str) -> None:
    first = frames[0]
    declared = _declared_by(frames)
    if first.file_stamp is None or declared is None or declared.frames <= 1:
        # a single image cut short is one unreadable slice, listed by the load
        return
    size = first.file_stamp[1]
    need = declared.frames * declared.frame_bytes
    if first.pixel_offset is not None:
        held = max(0, size - first.pixel_offset)
        if need <= held:
            return
        reason = f"the file holds {human_bytes(held)} of pixel data"
    elif declared.frames * MIN_COMPRESSED_FRAME > size:
        reason = (
            f"the file holds only {human_bytes(size)}: not even "
            f"{MIN_COMPRESSED_FRAME} bytes per compressed frame"
        )
    else:
        return
    raise SeriesLoadError(
        f"{first.path.name}: the header declares {declared.describe()} "
        f"({human_bytes(need)}) but {reason}: the header is damaged, or the file "
        "was cut short; copy it again from the source, or leave it out",
        series_uid=series_uid,
        path=first.path,
    )


def check_frames_fit(frames: Sequence[FrameRef], series_uid: str = "") -> None:
    """Refuse a multi-frame file that declares more frames than its bytes hold.

    Uses only what the scan found (each file's size, pixel offset and frames),
    so it runs before the volume is allocated: a damaged NumberOfFrames must
    not allocate gigabytes of frames that are not there.

    Raises
    ------
    SeriesLoadError
        A file's native frames end past the end of the file, or it is too
        small to hold even the smallest compressed frame for each frame.
    """
    by_file: dict[Path, list[FrameRef]] = {}
    for frame in frames:
        if frame.frame is not None:  # a one-image file is read or listed unreadable
            by_file.setdefault(frame.path, []).append(frame)
    for group in by_file.values():
        _check_file_fits(group, series_uid)


def allocate_volume(
    shape: tuple[int, int, int], dtype: np.dtype[np.generic], series: SeriesCandidate
) -> NDArray[np.generic]:
    """Return the zeroed volume array, refused with the numbers when it cannot be.

    Raises
    ------
    SeriesLoadError
        The images have no size, the volume would take more than the memory
        budget (:func:`memory_budget`), or its memory is not free now.
    """
    slices, rows, columns = shape
    if rows < 1 or columns < 1:
        raise SeriesLoadError(
            f"series {series.description or series.series_uid}: its images are "
            f"Rows {rows} x Columns {columns}: there is no image to load; the "
            "headers are damaged",
            series_uid=series.series_uid,
        )
    size = slices * rows * columns * dtype.itemsize
    budget, why = memory_budget()
    words = f"{slices} images of {rows} x {columns} ({dtype.name})"
    if size > budget:
        raise SeriesLoadError(
            f"series {series.description or series.series_uid}: {words} would "
            f"need {human_bytes(size)}, more than one volume may take ({why}); "
            "the headers may be damaged",
            series_uid=series.series_uid,
        )
    try:
        return np.zeros(shape, dtype=dtype)
    except MemoryError as exc:
        raise SeriesLoadError(
            f"series {series.description or series.series_uid}: {words} need "
            f"{human_bytes(size)} of memory, which is not free now; close other "
            "series or programs and load it again",
            series_uid=series.series_uid,
        ) from exc
