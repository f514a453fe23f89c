"""Pixel decoding paths: native bytes, pydicom handlers, SimpleITK/GDCM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import Engine
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef, PixelFormat

BIG_ENDIAN = "1.2.840.10008.1.2.2"


def native_dtype(fmt: PixelFormat, transfer_syntax: str) -> np.dtype[np.generic]:
    """Return the numpy dtype of native (uncompressed) samples."""
    if fmt.bits_allocated not in (8, 16, 32):
        raise SeriesLoadError(
            f"{fmt.bits_allocated}-bit samples are not supported for display"
        )
    kind = "i" if fmt.is_signed else "u"
    order = ">" if transfer_syntax == BIG_ENDIAN else "<"
    return np.dtype(f"{order}{kind}{fmt.bits_allocated // 8}")


def _mask(plane: NDArray[np.generic], fmt: PixelFormat) -> NDArray[np.generic]:
    """Keep only the stored bits (sign-extended), as the Image Pixel module says."""
    unused = fmt.bits_allocated - fmt.bits_stored
    if unused <= 0:
        return plane
    if fmt.is_signed:
        shift = plane.dtype.type(unused)
        return (plane << shift) >> shift  # type: ignore[no-any-return,operator]
    return plane & plane.dtype.type((1 << fmt.bits_stored) - 1)  # type: ignore[no-any-return,operator]


def read_native(frame: FrameRef) -> NDArray[np.generic]:
    """Read one native frame's stored values straight from the file.

    Raises
    ------
    SeriesLoadError
        The file is shorter than its header says, or cannot be read.
    """
    fmt = frame.pixel_format
    if fmt is None or frame.pixel_offset is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel data offset", path=frame.path
        )
    dtype = native_dtype(fmt, frame.transfer_syntax)
    count = frame.rows * frame.columns
    plane = np.empty(count, dtype=dtype.newbyteorder("="))
    offset = frame.pixel_offset + (frame.frame or 0) * count * dtype.itemsize
    try:
        with frame.path.open("rb") as stream:
            stream.seek(offset)
            view = memoryview(plane).cast("B")  # type: ignore[arg-type]
            got = stream.readinto(view)
    except OSError as exc:
        raise SeriesLoadError(
            f"{frame.path.name}: cannot be read ({exc.strerror or exc})",
            path=frame.path,
        ) from exc
    if got != count * dtype.itemsize:
        raise SeriesLoadError(
            f"{frame.path.name}: pixel data truncated ({got} of "
            f"{count * dtype.itemsize} bytes)",
            path=frame.path,
        )
    if dtype.byteorder == ">":
        plane.byteswap(inplace=True)
    return _mask(plane.reshape(frame.rows, frame.columns), fmt)


def _pydicom(path: object) -> NDArray[np.generic]:
    import pydicom

    ds = pydicom.dcmread(path, force=True)  # type: ignore[arg-type]
    array: NDArray[np.generic] = ds.pixel_array
    if array.ndim == 2:
        array = array[np.newaxis]
    return array


def _simpleitk(path: object) -> NDArray[np.generic]:
    import SimpleITK as sitk

    image = sitk.ReadImage(str(path))
    array = sitk.GetArrayFromImage(image)
    if array.ndim == 2:
        array = array[np.newaxis]
    return array


def decode_file(path: object, engine: Engine) -> tuple[NDArray[np.generic], bool]:
    """Decode every frame of a file.

    Returns
    -------
    tuple
        ``(frames, rows, columns)`` array, and whether the values are already
        rescaled (SimpleITK applies the rescale itself).

    Raises
    ------
    SeriesLoadError
        The pixel data cannot be decoded.
    """
    try:
        if engine is Engine.SIMPLEITK:
            return _simpleitk(path), True
        return _pydicom(path), False
    except (SeriesLoadError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # Decoders raise anything on damaged data; Rust decoders (pylibjpeg-rle)
        # even panic with an exception that derives from BaseException.
        name = getattr(path, "name", str(path))
        raise SeriesLoadError(
            f"{name}: pixel data cannot be decoded ({type(exc).__name__}: {exc})",
            path=str(path),
        ) from exc
