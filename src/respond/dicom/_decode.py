"""Pixel decoding paths: native bytes, pydicom handlers, SimpleITK/GDCM."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import Engine
from respond.dicom._header import Unreadable, file_stamp, read_header
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


def _mask(plane: NDArray[np.generic], fmt: PixelFormat) -> None:
    """Keep only the stored bits (sign-extended) in place, as Image Pixel says."""
    unused = fmt.bits_allocated - fmt.bits_stored
    if unused <= 0:
        return
    if fmt.is_signed:
        np.left_shift(plane, unused, out=plane)
        np.right_shift(plane, unused, out=plane)
    else:
        np.bitwise_and(plane, (1 << fmt.bits_stored) - 1, out=plane)


def stored_dtype(frame: FrameRef) -> np.dtype[np.generic] | None:
    """Return the dtype (native byte order) a native frame's samples read into.

    ``None`` when the frame has no pixel format.
    """
    if frame.pixel_format is None:
        return None
    dtype = native_dtype(frame.pixel_format, frame.transfer_syntax)
    return dtype.newbyteorder("=")


class _FileChangedError(SeriesLoadError):
    """The file is not the one the scan read (its size or time differs)."""


def read_native_into(frame: FrameRef, out: NDArray[np.generic]) -> None:
    """Read one native frame's stored values straight from the file into ``out``.

    ``out`` is a C-contiguous rows x columns array of :func:`stored_dtype`, for
    example the volume's own slice: one read, no temporary. A file that changed
    since the scan has its header read again: the same image with the same
    pixel settings loads from wherever its pixels are now. On an error ``out``
    may hold part of the frame.

    Raises
    ------
    SeriesLoadError
        The file is shorter than its header says, cannot be read, or is no
        longer the image the scan found.
    """
    try:
        _read_into(frame, out)
    except _FileChangedError:
        _read_into(_rescanned(frame), out)


def _rescanned(frame: FrameRef) -> FrameRef:
    """Return the frame as its changed file describes it now, if it is the same."""
    header = read_header(frame.path)
    if isinstance(header, Unreadable):
        raise SeriesLoadError(
            f"{frame.path.name}: changed since the scan and cannot be read now "
            f"({header.reason}); scan the folder again",
            path=frame.path,
        )
    for now in header.frames:
        same = dataclasses.replace(
            now, pixel_offset=frame.pixel_offset, file_stamp=frame.file_stamp
        )
        if same == frame and now.pixel_offset is not None:
            return now
    raise SeriesLoadError(
        f"{frame.path.name}: changed since the scan (another image, or other "
        "pixel settings); scan the folder again",
        path=frame.path,
    )


def _read_into(frame: FrameRef, out: NDArray[np.generic]) -> None:
    fmt = frame.pixel_format
    if fmt is None or frame.pixel_offset is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel data offset", path=frame.path
        )
    dtype = native_dtype(fmt, frame.transfer_syntax)
    size = frame.rows * frame.columns * dtype.itemsize
    if out.nbytes != size or out.dtype != dtype.newbyteorder("="):
        raise SeriesLoadError(
            f"{frame.path.name}: {out.shape} {out.dtype} cannot hold a frame of "
            f"{frame.rows} x {frame.columns} {dtype}",
            path=frame.path,
        )
    offset = frame.pixel_offset + (frame.frame or 0) * size
    view = memoryview(out.reshape(-1)).cast("B")  # type: ignore[arg-type]
    got = 0
    try:
        # Unbuffered: the bytes go from the OS straight into ``out``, with the
        # GIL released while they are copied.
        with open(frame.path, "rb", buffering=0) as stream:
            if frame.file_stamp is not None and file_stamp(stream) != frame.file_stamp:
                raise _FileChangedError(
                    f"{frame.path.name}: changed while it was being loaded; load "
                    "the series again",
                    path=frame.path,
                )
            stream.seek(offset)
            while got < size and (count := stream.readinto(view[got:])):
                got += count
    except OSError as exc:
        raise SeriesLoadError(
            f"{frame.path.name}: cannot be read ({exc.strerror or exc})",
            path=frame.path,
        ) from exc
    if got != size:
        raise SeriesLoadError(
            f"{frame.path.name}: pixel data truncated ({got} of {size} bytes)",
            path=frame.path,
        )
    if dtype.byteorder == ">":
        out.byteswap(inplace=True)
    _mask(out, fmt)


def read_native(frame: FrameRef) -> NDArray[np.generic]:
    """Read one native frame's stored values straight from the file.

    Raises
    ------
    SeriesLoadError
        The file is shorter than its header says, or cannot be read.
    """
    dtype = stored_dtype(frame)
    if dtype is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel data offset", path=frame.path
        )
    plane = np.empty((frame.rows, frame.columns), dtype=dtype)
    read_native_into(frame, plane)
    return plane


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
