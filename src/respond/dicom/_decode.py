"""Pixel decoding paths: native bytes, pydicom handlers, SimpleITK/GDCM."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Final

import numpy as np
from pydicom.uid import ExplicitVRBigEndian

from respond.dicom._codecs import Engine
from respond.dicom._codestream import check_codestream, inspect_pixel_data
from respond.dicom._fastcodecs import decode_frames
from respond.dicom._header import Header, Unreadable, file_stamp, read_header
from respond.dicom._pydicom_frames import decode_error, pydicom_frames
from respond.dicom._rescale import Declared, human_bytes, memory_budget
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    import io
    from pathlib import Path

    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef, PixelFormat

DECODE_COPIES: Final = 2
"""A decoder holds about this many copies of what it decodes (its buffer, then
the array it returns)."""


def native_dtype(fmt: PixelFormat, transfer_syntax: str) -> np.dtype[np.generic]:
    """Return the numpy dtype of native (uncompressed) samples."""
    if fmt.bits_allocated not in (8, 16, 32):
        raise SeriesLoadError(
            f"{fmt.bits_allocated}-bit samples are not supported for display"
        )
    kind = "i" if fmt.is_signed else "u"
    order = ">" if transfer_syntax == ExplicitVRBigEndian else "<"
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
    """The file changed again while it was being loaded."""


class OpenFile:
    """One file opened once to read its frames, checked against the scan.

    The stamp (:func:`file_stamp`) comes from the open descriptor, and every
    frame is read from that descriptor, so what is checked is what is read. A
    file whose stamp differs from the scan's has its header read again, once
    per file: a frame that is still the same image with the same pixel
    settings is then read from where its pixels are now.

    Use it as a context manager (:func:`open_file`); it closes the file.
    """

    def __init__(self, path: Path, stream: io.FileIO | io.BufferedReader) -> None:
        self.path = path
        self.stream = stream
        self.stamp = file_stamp(stream)
        self._header: Header | SeriesLoadError | None = None

    def __enter__(self) -> OpenFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stream.close()

    @property
    def size(self) -> int:
        """The file's size in bytes when it was opened."""
        return self.stamp[1]

    def current(self, frame: FrameRef) -> FrameRef:
        """Return the frame as the open file holds it now.

        Raises
        ------
        SeriesLoadError
            The file changed since the scan and no longer holds this image
            with the same pixel settings, or changed again while being loaded.
        """
        if frame.file_stamp is None or frame.file_stamp == self.stamp:
            return frame
        header = self._rescanned()
        index = frame.frame or 0
        if index < len(header.frames):
            now = header.frames[index]
            same = dataclasses.replace(
                now, pixel_offset=frame.pixel_offset, file_stamp=frame.file_stamp
            )
            if same == frame and (
                now.pixel_offset is not None or frame.pixel_offset is None
            ):
                return now
        raise SeriesLoadError(
            f"{self.path.name}: changed since the scan (another image, or other "
            "pixel settings); scan the folder again",
            path=self.path,
        )

    def _rescanned(self) -> Header:
        if self._header is None:
            self._header = self._read_header()
        if isinstance(self._header, SeriesLoadError):
            raise self._header
        return self._header

    def _read_header(self) -> Header | SeriesLoadError:
        header = read_header(self.path, whole=False)  # the decoder inflates it
        if isinstance(header, Unreadable):
            return SeriesLoadError(
                f"{self.path.name}: changed since the scan and cannot be read now "
                f"({header.reason}); scan the folder again",
                path=self.path,
            )
        if not header.frames or header.frames[0].file_stamp != self.stamp:
            # the header just read is not the file this descriptor holds
            return _FileChangedError(
                f"{self.path.name}: changed while it was being loaded; load the "
                "series again",
                path=self.path,
            )
        return header

    def still_current(self) -> bool:
        """Whether the path still names this file, unchanged (one ``stat``)."""
        try:
            status = os.stat(self.path)
        except OSError:
            return False
        now = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
        return now == self.stamp

    def read_native_into(self, frame: FrameRef, out: NDArray[np.generic]) -> None:
        """Read one native frame of this file into ``out`` (see the function)."""
        _read_into(self.stream, self.current(frame), out, self.size)


def open_file(path: Path, *, buffered: bool = False) -> OpenFile:
    """Open a file to read frames from (unbuffered unless ``buffered``).

    Raises
    ------
    SeriesLoadError
        The file cannot be opened.
    """
    try:
        # OpenFile closes it
        stream: io.FileIO | io.BufferedReader = (
            open(path, "rb") if buffered else open(path, "rb", buffering=0)  # noqa: SIM115
        )
    except OSError as exc:
        raise SeriesLoadError(
            f"{path.name}: cannot be read ({exc.strerror or exc})", path=path
        ) from exc
    try:
        return OpenFile(path, stream)
    except OSError as exc:
        stream.close()
        raise SeriesLoadError(
            f"{path.name}: cannot be read ({exc.strerror or exc})", path=path
        ) from exc


def read_native_into(frame: FrameRef, out: NDArray[np.generic]) -> None:
    """Read one native frame's stored values straight from the file into ``out``.

    ``out`` is a writable C-contiguous rows x columns array of
    :func:`stored_dtype`, for example the volume's own slice: one read, no
    temporary. A file that changed since the scan has its header read again:
    the same image with the same pixel settings loads from wherever its pixels
    are now. On an error ``out`` may hold part of the frame. To read several
    frames of one file, open it once with :func:`open_file`.

    Raises
    ------
    SeriesLoadError
        ``out`` cannot hold the frame, or the file is shorter than its header
        says, cannot be read, or is no longer the image the scan found.
    """
    with open_file(frame.path) as source:
        source.read_native_into(frame, out)


def _check_size(frame: FrameRef) -> None:
    """Refuse a frame whose header gives no image size (Rows or Columns 0)."""
    if frame.rows < 1 or frame.columns < 1:
        raise SeriesLoadError(
            f"{frame.path.name}: its header gives an image of Rows {frame.rows} x "
            f"Columns {frame.columns}: there is no image to read; the header is "
            "damaged",
            path=frame.path,
        )


def _read_into(
    stream: io.FileIO | io.BufferedReader,
    frame: FrameRef,
    out: NDArray[np.generic],
    file_size: int,
) -> None:
    fmt = frame.pixel_format
    if fmt is None or frame.pixel_offset is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel data offset", path=frame.path
        )
    _check_size(frame)
    dtype = native_dtype(fmt, frame.transfer_syntax)
    size = frame.rows * frame.columns * dtype.itemsize
    if out.nbytes != size or out.dtype != dtype.newbyteorder("="):
        raise SeriesLoadError(
            f"{frame.path.name}: {out.shape} {out.dtype} cannot hold a frame of "
            f"{frame.rows} x {frame.columns} {dtype}",
            path=frame.path,
        )
    if not (out.flags.c_contiguous and out.flags.writeable):
        # a strided view would be read into a hidden copy, leaving ``out`` as is
        raise SeriesLoadError(
            f"{frame.path.name}: the array to read into is not a writable "
            "C-contiguous array",
            path=frame.path,
        )
    offset = frame.pixel_offset + (frame.frame or 0) * size
    if offset >= file_size:
        raise SeriesLoadError(
            f"{frame.path.name}: frame {(frame.frame or 0) + 1} is not in the file: "
            f"its pixel data would start at byte {offset}, but the file holds "
            f"{file_size} bytes (the header declares more frames than the file "
            "holds, or the file was cut short)",
            path=frame.path,
        )
    view = memoryview(out).cast("B")  # type: ignore[arg-type]
    got = 0
    try:
        # Unbuffered: the bytes go from the OS straight into ``out``, with the
        # GIL released while they are copied.
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
            f"{frame.path.name}: pixel data truncated ({got} of {size} bytes): "
            "the file was cut short; copy it again from the source",
            path=frame.path,
        )
    if dtype.byteorder == ">":
        out.byteswap(inplace=True)
    _mask(out, fmt)


def empty_plane(frame: FrameRef) -> NDArray[np.generic]:
    """Return a new rows x columns array a native frame's stored values fit.

    Raises
    ------
    SeriesLoadError
        The frame has no pixel format, or one respond cannot read, or no size.
    """
    dtype = stored_dtype(frame)
    if dtype is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel format (Image Pixel module) in the header",
            path=frame.path,
        )
    _check_size(frame)
    return np.empty((frame.rows, frame.columns), dtype=dtype)


def read_native(frame: FrameRef) -> NDArray[np.generic]:
    """Read one native frame's stored values straight from the file.

    Raises
    ------
    SeriesLoadError
        The frame has no pixel format, or the file is shorter than its header
        says, or cannot be read.
    """
    plane = empty_plane(frame)
    read_native_into(frame, plane)
    return plane


def _simpleitk(path: Path, index: int | None) -> NDArray[np.generic]:
    import SimpleITK as sitk

    image = sitk.ReadImage(str(path))
    array = sitk.GetArrayFromImage(image)
    if array.ndim == 2:
        array = array[np.newaxis]
    if index is not None:
        array = array[index : index + 1]
    return array


def _check_budget(declared: Declared, frames: int, path: Path) -> None:
    """Refuse a decode whose declared frames would take more than the budget."""
    need = frames * declared.frame_bytes * DECODE_COPIES
    budget, why = memory_budget()
    if need > budget:
        raise SeriesLoadError(
            f"{path.name}: decoding {declared.describe(frames)} needs about "
            f"{human_bytes(need)}, more than one decode may take ({why}); the "
            "header may be damaged",
            path=path,
        )


def _check_before_decoding(
    source: OpenFile, engine: Engine, index: int | None
) -> Declared:
    """Check the header, memory budget and codestream; return what is declared."""
    path = source.path
    try:
        pixels = inspect_pixel_data(source.stream, path, source.size)
    except SeriesLoadError:
        raise
    except Exception as exc:
        # pydicom raises anything on a damaged header: a reason naming the file
        raise SeriesLoadError(
            f"{path.name}: its header cannot be read ({type(exc).__name__}: {exc}); "
            "the file is damaged",
            path=path,
        ) from exc
    declared = pixels.declared
    if declared.rows < 1 or declared.columns < 1 or declared.bits_allocated < 1:
        raise SeriesLoadError(
            f"{path.name}: its header gives an image of Rows {declared.rows} x "
            f"Columns {declared.columns} x {declared.bits_allocated} bits: there is "
            "no image to decode; the header is damaged",
            path=path,
        )
    if index is not None and index >= declared.frames:
        raise SeriesLoadError(
            f"{path.name}: frame {index + 1} is not in the file (its header "
            f"declares {declared.frames}); scan the folder again",
            path=path,
        )
    frames = declared.frames if index is None or engine is Engine.SIMPLEITK else 1
    _check_budget(declared, frames, path)
    check_codestream(source.stream, path, pixels, None if frames > 1 else [index or 0])
    return declared


def _check_decoded(
    array: NDArray[np.generic], declared: Declared, frames: int, path: Path
) -> None:
    expected: tuple[int, ...] = (frames, declared.rows, declared.columns)
    if declared.samples > 1:
        expected = (*expected, declared.samples)
    if array.shape != expected:
        raise SeriesLoadError(
            f"{path.name}: decoded to an array of shape {array.shape}, but its "
            f"header declares {expected}: the file is damaged",
            path=path,
        )


def _decode_with(
    path: Path, engine: Engine, source: OpenFile, index: int | None
) -> tuple[NDArray[np.generic], bool]:
    try:
        if engine is Engine.SIMPLEITK:
            array = _simpleitk(path, index)
            if not source.still_current():
                raise _FileChangedError(
                    f"{path.name}: changed while it was being loaded; load the "
                    "series again",
                    path=path,
                )
            return array, True
        if engine is Engine.IMAGECODECS:
            return decode_frames(path, index=index, source_stream=source.stream)
        source.stream.seek(0)
        return pydicom_frames(source.stream, index), False
    except (SeriesLoadError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # Decoders raise anything on damaged data; Rust decoders (pylibjpeg-rle)
        # even panic with an exception that derives from BaseException.
        raise decode_error(path, exc) from exc


def decode_file(
    path: Path,
    engine: Engine,
    *,
    source: OpenFile | None = None,
    index: int | None = None,
) -> tuple[NDArray[np.generic], bool]:
    """Decode every frame of a file (or only frame ``index``), checked first.

    Before a decoder sees the file, its header is read again and checked: the
    image size, a memory budget for what the decoder will allocate
    (:func:`~respond.dicom._rescale.memory_budget`) and, for compressed
    data, the items and each frame's codestream header
    (:mod:`respond.dicom._codestream`). After decoding, the array must have
    the shape the header declares.

    Parameters
    ----------
    path
        The file.
    engine
        The decoder (pydicom or SimpleITK).
    source
        The file already opened with :func:`open_file` (buffered): pydicom then
        decodes from that descriptor, and SimpleITK's result is kept only if
        the path still names that file unchanged. Opened here when ``None``.
    index
        Decode this frame only (0-based); the array then holds one frame.

    Returns
    -------
    tuple
        ``(frames, rows, columns)`` array, and whether the values are already
        rescaled (SimpleITK applies the rescale itself).

    Raises
    ------
    SeriesLoadError
        The header or compressed data is damaged or disagrees with itself, the
        decode would take more memory than allowed, the pixel data cannot be
        decoded, or the file changed meanwhile.
    """
    if source is None:
        with open_file(path, buffered=True) as opened:
            return decode_file(path, engine, source=opened, index=index)
    declared = _check_before_decoding(source, engine, index)
    array, rescaled = _decode_with(path, engine, source, index)
    _check_decoded(array, declared, declared.frames if index is None else 1, path)
    return array, rescaled
