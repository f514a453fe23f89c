"""pydicom's decode of a file's frames, as every engine that falls back to it uses.

Kept apart from :mod:`respond.dicom._decode` so that the faster decoders
(:mod:`respond.dicom._fastcodecs`), which :mod:`respond.dicom._codecs` imports,
can fall back to it without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, cast

import numpy as np

from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

__all__ = ["decode_error", "pydicom_frames"]


def pydicom_frames(source: Path | BinaryIO, index: int | None) -> NDArray[np.generic]:
    """Decode every frame (or frame ``index``) with pydicom: (frames, rows, columns).

    Only the image pixel module and the pixel data are read (pydicom's
    ``pixel_array`` on the file): an element before them that declares a
    huge length is skipped, never allocated. A deflated file, which must be
    inflated to be read at all, is read whole.
    """
    import pydicom
    from pydicom.dataset import Dataset
    from pydicom.filereader import _read_file_meta_info, read_preamble
    from pydicom.pixels.utils import pixel_array
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    if not hasattr(source, "read"):
        with open(source, "rb") as opened:
            return pydicom_frames(opened, index)
    stream = cast("BinaryIO", source)
    array: NDArray[np.generic]
    if index is not None:  # decode that frame only
        return pixel_array(stream, index=index)[np.newaxis]
    stream.seek(0)
    read_preamble(stream, force=True)
    syntax = _read_file_meta_info(stream).get("TransferSyntaxUID")
    stream.seek(0)
    ds: Dataset
    if not syntax or syntax == DeflatedExplicitVRLittleEndian:
        # no file meta (pydicom guesses the encoding), or deflated
        ds = pydicom.dcmread(stream, force=True)
        array = ds.pixel_array
    else:
        ds = Dataset()
        array = pixel_array(stream, ds_out=ds)
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
