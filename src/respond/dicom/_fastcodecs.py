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
memory budget); here one array per file is allocated, and decoded into.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, BinaryIO, Final

import numpy as np
from pydicom.encaps import generate_frames, get_frame
from pydicom.pixels.utils import get_j2k_parameters
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

from respond.dicom._pydicom_frames import decode_error, pydicom_frames
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from collections.abc import Callable
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

_PIXEL_DATA = 0x7FE00010
_EXTENDED_OFFSETS = 0x7FE00001
_EXTENDED_LENGTHS = 0x7FE00002
_UNDEFINED = 0xFFFFFFFF
_DELIMITERS = frozenset({0xFFFEE00D, 0xFFFEE0DD})  # item, sequence delimitation
_LONG_VRS = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR"}
    | {b"UT", b"UV"}
)
_HEADER = struct.Struct("<HH2sH").unpack_from
_U32 = struct.Struct("<I").unpack_from
_MAX_DEPTH = 16
_MAX_INFLATED = 1 << 31  # bytes a deflated data set may inflate to, at most
_GREY = frozenset({"MONOCHROME1", "MONOCHROME2"})
# JPEG markers that start a frame header (SOF0-15 but DHT, JPG, DAC; SOF55)
_SOF = frozenset({*range(0xFFC0, 0xFFD0), 0xFFF7}) - {0xFFC4, 0xFFC8, 0xFFCC}


class _NotHere(Exception):
    """A file this module leaves to pydicom."""


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a file's encapsulated frames are, and how its samples are stored."""

    transfer_syntax: str
    rows: int
    columns: int
    frames: int
    bits_allocated: int
    bits_stored: int
    is_signed: bool
    pixels: int
    """Offset of the first item (the basic offset table) of the pixel data, or
    of the samples themselves when they are native."""
    extended_offsets: tuple[bytes, bytes] | None
    native_length: int | None = None
    """The native pixel data's length in bytes; ``None``: encapsulated."""

    @property
    def dtype(self) -> np.dtype[np.generic]:
        return _int_dtype(self.is_signed, self.bits_allocated // 8)


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


# --- the header: where the pixel data is ----------------------------------------


def _element(data: bytes, pos: int, explicit: bool) -> tuple[int, bytes, int, int]:
    """Return (tag, VR, value length, value offset) of the element at ``pos``."""
    group, element, vr, length = _HEADER(data, pos)
    tag = (group << 16) | element
    if group == 0xFFFE or not explicit:
        return tag, b"", _U32(data, pos + 4)[0], pos + 8
    if vr in _LONG_VRS:
        return tag, vr, _U32(data, pos + 8)[0], pos + 12
    return tag, vr, length, pos + 8


def _skip_undefined(data: bytes, pos: int, explicit: bool, depth: int) -> int:
    """Skip a sequence or item of undefined length; return the position after it."""
    if depth > _MAX_DEPTH:
        raise _NotHere
    while True:
        tag, vr, length, start = _element(data, pos, explicit)
        if tag in _DELIMITERS:
            return start
        if length == _UNDEFINED:
            # an undefined-length UN holds implicit little endian items
            pos = _skip_undefined(data, start, explicit and vr != b"UN", depth + 1)
        else:
            pos = start + length
        if pos > len(data):
            raise _NotHere


def _meta_end(data: bytes) -> tuple[str, int]:
    """Return the transfer syntax and where the data set starts."""
    if data[128:132] != b"DICM":
        raise _NotHere
    pos, syntax = 132, ""
    while _HEADER(data, pos)[0] == 0x0002:
        tag, _vr, length, start = _element(data, pos, True)
        if tag == 0x00020010:
            syntax = data[start : start + length].decode("ascii").strip(" \x00")
        pos = start + length
    return syntax, pos


def _layout(data: bytes, syntax: str, pos: int) -> _Layout:
    """Read what decoding needs from the data set at ``pos`` (explicit VR LE).

    Raises ``_NotHere`` (or ``struct.error``, ``ValueError``) for anything this
    module leaves to pydicom.
    """
    native = syntax == DeflatedExplicitVRLittleEndian
    values: dict[int, tuple[bytes, bytes]] = {}
    while True:
        tag, vr, length, start = _element(data, pos, True)
        if tag == _PIXEL_DATA:
            if native == (length == _UNDEFINED):
                raise _NotHere  # encapsulated where native is due, or the reverse
            return _checked(syntax, values, start, length if native else None)
        if length == _UNDEFINED:
            pos = _skip_undefined(data, start, vr != b"UN", 1)
            continue
        if tag >> 16 == 0x0028 or tag in (_EXTENDED_OFFSETS, _EXTENDED_LENGTHS):
            if tag in values:
                raise _NotHere  # an element given twice: pydicom decides
            values[tag] = (vr, data[start : start + length])
        pos = start + length
        if pos + 8 > len(data):
            raise _NotHere


def _checked(
    syntax: str,
    values: dict[int, tuple[bytes, bytes]],
    pixels: int,
    native_length: int | None,
) -> _Layout:
    def us(element: int, default: int | None = None) -> int:
        vr, raw = values.get(0x00280000 | element, (b"US", b""))
        if vr != b"US" or len(raw) not in (0, 2):
            raise _NotHere  # another VR or several values: pydicom decides
        if not raw:
            if default is None:
                raise _NotHere
            return default
        return int.from_bytes(raw, "little")

    def text(element: int) -> str:
        _vr, raw = values.get(0x00280000 | element, (b"", b""))
        return raw.decode("ascii").strip(" \x00")

    bits_allocated = us(0x0100)
    layout = _Layout(
        transfer_syntax=syntax,
        rows=us(0x0010),
        columns=us(0x0011),
        frames=int(text(0x0008) or 1),
        bits_allocated=bits_allocated,
        bits_stored=us(0x0101, bits_allocated),
        is_signed=us(0x0103, 0) == 1,
        pixels=pixels,
        extended_offsets=_extended(values),
        native_length=native_length,
    )
    if (
        us(0x0002, 1) != 1
        or text(0x0004) not in _GREY
        or layout.bits_allocated not in (8, 16, 32)
        or not 0 < layout.bits_stored <= layout.bits_allocated
        or min(layout.rows, layout.columns, layout.frames) < 1
    ):
        raise _NotHere
    return layout


def _extended(values: dict[int, tuple[bytes, bytes]]) -> tuple[bytes, bytes] | None:
    _vr, offsets = values.get(_EXTENDED_OFFSETS, (b"", b""))
    _vr, lengths = values.get(_EXTENDED_LENGTHS, (b"", b""))
    if offsets and lengths:
        return offsets, lengths
    return None


def _codestreams(data: bytes, layout: _Layout, index: int | None) -> list[bytes]:
    """Cut the frames' codestreams out of the encapsulated pixel data (pydicom)."""
    buffer = io.BytesIO(data)
    buffer.seek(layout.pixels)
    if index is not None:
        return [
            get_frame(
                buffer,
                index,
                number_of_frames=layout.frames,
                extended_offsets=layout.extended_offsets,
            )
        ]
    return list(
        generate_frames(
            buffer,
            number_of_frames=layout.frames,
            extended_offsets=layout.extended_offsets,
        )
    )


def _inflated(codecs: ModuleType, path: Path, data: bytes, start: int) -> bytes:
    """Inflate a deflated data set (libdeflate: the size must be guessed)."""
    body = memoryview(data)[start:]
    size = 4 * len(body) + (1 << 20)
    while True:
        try:
            return bytes(codecs.deflate_decode(body, raw=True, out=size))
        except codecs.DeflateError as exc:
            if "INSUFFICIENT_SPACE" not in str(exc) or size > _MAX_INFLATED:
                raise SeriesLoadError(
                    f"{path.name}: its deflated data set cannot be inflated ({exc})",
                    path=path,
                ) from exc
            size *= 4


# --- decoding one frame and correcting it as pydicom does ------------------------


def _int_dtype(is_signed: bool, itemsize: int) -> np.dtype[np.generic]:
    return np.dtype(f"{'i' if is_signed else 'u'}{itemsize}")


def _container(precision: int) -> int:
    """Bytes per sample pydicom reads a precision's samples as (JPEG 2000, JPEG-LS)."""
    return 1 if precision <= 8 else 2 if precision <= 16 else 4


def _put(
    decoded: NDArray[np.generic], layout: _Layout, plane: NDArray[np.generic]
) -> None:
    """Store a decoded frame as pydicom does: its bytes read with the file's sign."""
    if decoded.shape != plane.shape:
        if decoded.shape[:2] != plane.shape or decoded.size != plane.size:
            raise SeriesLoadError(
                f"a frame of {' x '.join(map(str, decoded.shape))} where the "
                f"header says {layout.rows} x {layout.columns}"
            )
        decoded = decoded.reshape(plane.shape)
    if decoded.dtype.kind not in "iu":
        raise _NotHere
    plane[...] = decoded.view(_int_dtype(layout.is_signed, decoded.dtype.itemsize))


def _shift(plane: NDArray[np.generic], bits: int) -> None:
    """Keep the low ``bits`` of each sample, sign-extended if the type is signed."""
    unused = 8 * plane.dtype.itemsize - bits
    if unused > 0:
        np.left_shift(plane, unused, out=plane)
        np.right_shift(plane, unused, out=plane)


def _decode_into(
    decode: Callable[..., NDArray[np.generic]],
    code: bytes,
    layout: _Layout,
    plane: NDArray[np.generic],
    container: int,
    **options: object,
) -> None:
    """Decode a frame into ``plane``.

    Samples of the plane's size are decoded straight into it: the same bits
    pydicom reads with the file's sign, and no temporary array (fresh memory
    for every file costs both threads page faults). Smaller ones are cast.
    """
    if container == plane.dtype.itemsize:
        decode(code, out=plane, **options)
    else:
        _put(decode(code, **options), layout, plane)


def _jpeg(
    codecs: ModuleType, code: bytes, layout: _Layout, plane: NDArray[np.generic]
) -> None:
    """JPEG with libjpeg-turbo (pydicom: libjpeg, then unused bits)."""
    if not code.rstrip(b"\x00\xff").endswith(b"\xff\xd9"):
        # libjpeg-turbo (as libjpeg) pads a truncated image with made-up
        # values; a complete codestream ends with the EOI marker (which
        # encoders may follow with padding).
        raise SeriesLoadError("the JPEG codestream is truncated (no end marker)")
    precision = _jpeg_precision(code)
    if precision is None or _container(precision) != plane.dtype.itemsize:
        raise _NotHere  # pydicom reads other sample sizes its own way
    codecs.jpeg8_decode(code, out=plane)
    if layout.bits_stored < layout.bits_allocated:
        _shift(plane, layout.bits_stored)


def _jpegls(
    codecs: ModuleType, code: bytes, layout: _Layout, plane: NDArray[np.generic]
) -> None:
    """JPEG-LS with CharLS (pydicom: the precision's container, then the sign)."""
    precision = _jpeg_precision(code) or layout.bits_stored
    if precision > 8 * plane.dtype.itemsize:
        raise _NotHere
    _decode_into(codecs.jpegls_decode, code, layout, plane, _container(precision))
    if layout.is_signed:
        # JPEG-LS has no sign: signed samples come back as unsigned ones
        _shift(plane, precision)


def _jpeg2k(
    codecs: ModuleType, code: bytes, layout: _Layout, plane: NDArray[np.generic]
) -> None:
    """JPEG 2000 with OpenJPEG (pydicom: the precision's container, then the sign)."""
    params = get_j2k_parameters(code)
    precision = int(params.get("precision", layout.bits_stored))
    is_signed = bool(params.get("is_signed", layout.is_signed))
    if precision > 8 * plane.dtype.itemsize:
        raise _NotHere
    # one thread per frame: the loader's workers already use both cores
    _decode_into(
        codecs.jpeg2k_decode,
        code,
        layout,
        plane,
        _container(precision),
        numthreads=1,
    )
    if is_signed != layout.is_signed:
        _shift(plane, precision)


def _rle(
    codecs: ModuleType, code: bytes, layout: _Layout, plane: NDArray[np.generic]
) -> None:
    """DICOM RLE, decoded straight into the plane (pydicom: then unused bits)."""
    size = plane.nbytes
    # the segments hold the most significant bytes first: the dtype's byte
    # order (the machine's) says how to interleave them
    view = memoryview(plane).cast("B")  # type: ignore[arg-type]
    written = codecs.dicomrle_decode(code, plane.dtype.str, out=view)
    if len(written) != size:
        raise SeriesLoadError(
            f"the RLE data holds {len(written)} of the frame's {size} bytes"
        )
    if layout.bits_stored < layout.bits_allocated:
        _shift(plane, layout.bits_stored)


def _native(
    data: bytes, layout: _Layout, index: int | None, length: int
) -> NDArray[np.generic]:
    """Native little endian frames (inflated), as pydicom reads them.

    pydicom then keeps only the bits stored, as for RLE and JPEG.
    """
    size = layout.rows * layout.columns
    count = layout.frames if index is None else 1
    if length < size * layout.dtype.itemsize * layout.frames:
        raise SeriesLoadError(
            f"{length} bytes of pixel data for {layout.frames} "
            f"frames of {layout.rows} x {layout.columns} x "
            f"{layout.bits_allocated} bits"
        )
    samples = np.frombuffer(
        data,
        layout.dtype.newbyteorder("<"),
        size * count,
        layout.pixels + (index or 0) * size * layout.dtype.itemsize,
    )
    out = samples.reshape(count, layout.rows, layout.columns).astype(layout.dtype)
    if layout.bits_stored < layout.bits_allocated:
        _shift(out, layout.bits_stored)
    return out


_DECODERS: Final[
    dict[str, Callable[[ModuleType, bytes, _Layout, NDArray[np.generic]], None]]
] = {
    "JPEG8": _jpeg,
    "JPEGLS": _jpegls,
    "JPEG2K": _jpeg2k,
    "DICOMRLE": _rle,
}


def _jpeg_precision(code: bytes) -> int | None:
    """Return the sample precision in a JPEG or JPEG-LS frame header (as pydicom)."""
    if code[:2] != b"\xff\xd8":
        return None
    pos = 2
    while int.from_bytes(code[pos : pos + 2], "big") not in _SOF:
        pos += int.from_bytes(code[pos + 2 : pos + 4], "big") + 2
        if pos + 5 > len(code):
            return None
    return code[pos + 4] if pos + 5 <= len(code) else None


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
