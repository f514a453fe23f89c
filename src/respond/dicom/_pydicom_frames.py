"""pydicom's decode of a file's frames, as every engine that falls back to it uses.

Kept apart from :mod:`respond.dicom._decode` so that the faster decoders
(:mod:`respond.dicom._fastcodecs`), which :mod:`respond.dicom._codecs` imports,
can fall back to it without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

__all__ = ["decode_error", "pydicom_frames"]


def pydicom_frames(source: Path | BinaryIO, index: int | None) -> NDArray[np.generic]:
    """Decode every frame (or frame ``index``) with pydicom: (frames, rows, columns)."""
    import pydicom
    from pydicom.pixels.utils import pixel_array

    array: NDArray[np.generic]
    if index is not None:  # decode that frame only
        return pixel_array(source, index=index)[np.newaxis]
    ds = pydicom.dcmread(source, force=True)
    array = ds.pixel_array
    try:
        frames = int(ds.get("NumberOfFrames") or 1)
    except (TypeError, ValueError):
        frames = 1
    # one frame comes as (rows, columns[, samples]): give it its frame axis
    return array[np.newaxis] if frames <= 1 or array.ndim == 2 else array


def decode_error(path: Path, exc: BaseException) -> SeriesLoadError:
    """Return the error for a decoder that failed on a file's pixel data."""
    error = SeriesLoadError(
        f"{path.name}: pixel data cannot be decoded ({type(exc).__name__}: {exc})",
        path=path,
    )
    error.__cause__ = exc
    return error
