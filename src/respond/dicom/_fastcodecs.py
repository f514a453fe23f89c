"""Compressed pixel data decoded by imagecodecs, frame by frame, as pydicom would.

imagecodecs' decoders release the GIL, so the loader's two threads decode two
files at once; pydicom's pylibjpeg plugins hold it, and SimpleITK reads through
GDCM's older codecs. Measured in ``bench/decoders.py`` (bench/README.md):
lossless JPEG (libjpeg-turbo), JPEG-LS (CharLS), JPEG 2000 (OpenJPEG), RLE and
deflate (libdeflate) are faster and give pydicom's values bit for bit. Lossy
JPEG (baseline and extended) is decoded by libjpeg-turbo too: its inverse DCT
gives the values GDCM (SimpleITK), Pillow and libjpeg-turbo-based viewers
show, which differ from pydicom's plugin (pylibjpeg-libjpeg) by one stored
unit on a few per cent of the pixels; lossy values carry that much and more
error anyway, and respond shows what the other tools show.

The values are pydicom's: each file is read once, its frames are cut from the
encapsulated pixel data by pydicom's own framing (``pydicom.encaps``), and the
decoded samples get the corrections pydicom applies (the sign of JPEG 2000 and
JPEG-LS samples, the bits above Bits Stored for RLE, JPEG and native data). A
file this module does not read itself (colour, no preamble, an unusual header)
is decoded by pydicom instead, as before. A codestream imagecodecs rejects is
reported, never handed to a more lenient decoder: pydicom's plugins decode
some damaged JPEG-LS and JPEG data into plausible-looking wrong values.

How much memory a header may claim is checked before (``decode_file``'s
memory budget); here one array per file is allocated, and decoded into. The
header walk that finds the frames is in :mod:`respond.dicom._fastcodecs_layout`,
the decoders and pydicom's corrections in :mod:`respond.dicom._fastcodecs_decoders`.
"""

from __future__ import annotations

import io
import struct
from functools import cache
from typing import TYPE_CHECKING, BinaryIO, Final

import numpy as np
from pydicom.uid import (
    JPEG2000,
    DeflatedExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)

from respond.dicom._fastcodecs_decoders import _DECODERS, _native
from respond.dicom._fastcodecs_layout import (
    _codestreams,
    _inflated,
    _Layout,
    _layout,
    _meta_end,
    _NotHere,
)
from respond.dicom._pydicom_frames import decode_error, pydicom_frames
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from numpy.typing import NDArray

__all__ = ["CODECS", "decode_frames", "decodes", "is_available"]

CODECS: Final[dict[str, str]] = {
    JPEGBaseline8Bit: "JPEG8",
    JPEGExtended12Bit: "JPEG8",
    JPEGLossless: "JPEG8",
    JPEGLosslessSV1: "JPEG8",
    JPEGLSLossless: "JPEGLS",
    JPEGLSNearLossless: "JPEGLS",
    JPEG2000Lossless: "JPEG2K",
    JPEG2000: "JPEG2K",
    RLELossless: "DICOMRLE",
    DeflatedExplicitVRLittleEndian: "DEFLATE",
}
"""Transfer syntax -> the imagecodecs codec that decodes it here."""


@cache
def _imagecodecs() -> ModuleType | None:
    try:
        import imagecodecs
    except ImportError:
        return None
    return imagecodecs


def is_available() -> bool:
    """Whether imagecodecs is installed."""
    return _imagecodecs() is not None


@cache
def decodes(uid: str) -> bool:
    """Whether this module decodes a transfer syntax (imagecodecs has its codec)."""
    codecs = _imagecodecs()
    name = CODECS.get(uid)
    if codecs is None or name is None:
        return False
    try:
        return bool(getattr(codecs, name).available)
    except AttributeError:
        return False


def decode_frames(
    path: Path, *, index: int | None = None, source_stream: BinaryIO | None = None
) -> tuple[NDArray[np.generic], bool]:
    """Decode every frame of a compressed file (or only frame ``index``).

    Parameters
    ----------
    path
        The file (named in errors; read unless ``source_stream`` is given).
    index
        Decode this frame only (0-based); the array then holds one frame.
    source_stream
        The file already open (binary): it is read from its start.

    Returns
    -------
    tuple
        The stored values as a ``(frames, rows, columns)`` array of the type
        pydicom gives (Bits Allocated, Pixel Representation; a colour file,
        left to pydicom, keeps its samples axis last), and ``False``: they
        are not rescaled.

    Raises
    ------
    SeriesLoadError
        The file cannot be read, a codestream cannot be decoded or does not
        hold the image the header describes, or ``index`` is not a frame of
        the file.
    """
    raw = _read(path, source_stream)
    codecs = _imagecodecs()
    try:
        syntax, start = _meta_end(raw)
        if codecs is None or not decodes(syntax):
            raise _NotHere
        data = raw
        if syntax == DeflatedExplicitVRLittleEndian:
            data, start = _inflated(codecs, path, raw, start), 0
        layout = _layout(data, syntax, start)
    except (_NotHere, struct.error, ValueError, UnicodeDecodeError):
        return _pydicom(path, raw, index)
    if index is not None and not 0 <= index < layout.frames:
        raise SeriesLoadError(
            f"{path.name}: frame {index + 1} is not in the file "
            f"({layout.frames} frames)",
            path=path,
        )
    try:
        out = _decoded(codecs, data, layout, index)
    except _NotHere:
        return _pydicom(path, raw, index)
    except SeriesLoadError as exc:
        raise SeriesLoadError(
            f"{path.name}: pixel data cannot be decoded ({exc})", path=path
        ) from exc
    except Exception as exc:  # decoders raise anything on damaged data
        raise decode_error(path, exc) from exc
    return out, False


def _decoded(
    codecs: ModuleType, data: bytes, layout: _Layout, index: int | None
) -> NDArray[np.generic]:
    """Decode the frames (all, or frame ``index``) into a new array."""
    count = layout.frames if index is None else 1
    if layout.native_length is not None:
        return _native(data, layout, index, layout.native_length)
    codestreams = _codestreams(data, layout, index)
    if len(codestreams) < count:
        raise SeriesLoadError(
            f"{len(codestreams)} of the {count} frames are in the pixel data"
        )
    # Allocated once the frames are known to be there. How much a header may
    # claim is decode_file's check (a memory budget), made before.
    out = np.empty((count, layout.rows, layout.columns), dtype=layout.dtype)
    decode = _DECODERS[CODECS[layout.transfer_syntax]]
    # extra fragments beyond the frames: frames the header does not count
    for k in range(count):
        decode(codecs, codestreams[k], layout, out[k])
    return out


def _read(path: Path, stream: BinaryIO | None) -> bytes:
    try:
        if stream is None:
            with open(path, "rb") as source:
                return source.read()
        stream.seek(0)
        return stream.read()
    except OSError as exc:
        raise SeriesLoadError(
            f"{path.name}: cannot be read ({exc.strerror or exc})", path=path
        ) from exc


# --- pydicom, for what this module leaves alone ----------------------------------


def _pydicom(
    path: Path, data: bytes, index: int | None
) -> tuple[NDArray[np.generic], bool]:
    """Decode with pydicom, as the loader's pydicom engine does."""
    try:
        return pydicom_frames(io.BytesIO(data), index), False
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # Decoders raise anything on damaged data; pylibjpeg-rle even panics
        # with an exception that derives from BaseException.
        raise decode_error(path, exc) from exc
