"""The volume's type, and slices written into it rescaled, exactly.

CT is kept as int16 Hounsfield units whenever it fits; other data keep the
smallest exact integer type; a non-integer slope keeps the stored values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from respond.dicom.errors import SeriesLoadError, UnsupportedSeriesError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef, PixelFormat

__all__ = [
    "MAX_RESCALE",
    "checked_range",
    "fits_in_place",
    "modality_float32",
    "plan_dtype",
    "write_rescaled",
]

# A rescale beyond this is a damaged header, not a scanner's value.
MAX_RESCALE = 1e9
_INT_TYPES = (np.uint8, np.int8, np.uint16, np.int16, np.int32)


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
    """Return the volume dtype and whether it holds rescaled (modality) values."""
    fmt = frames[0].pixel_format
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
    for frame in frames:
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
        for f in frames
    )
    if integral:
        ends = [
            value * f.rescale_slope + f.rescale_intercept
            for f in frames
            for value in (low, high)
        ]
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
