"""Decoding one frame with imagecodecs, and correcting it as pydicom does.

One function per codec (:data:`_DECODERS`: JPEG, JPEG-LS, JPEG 2000, RLE)
decodes a frame's codestream into its plane of the output array, then keeps the
bits pydicom keeps (the sign of JPEG 2000 and JPEG-LS samples, the bits above
Bits Stored for RLE and JPEG); :func:`_native` reads the native frames of an
inflated data set. A sample size pydicom reads its own way raises
:class:`~respond.dicom._fastcodecs_layout._NotHere`, and
:mod:`respond.dicom._fastcodecs` leaves that file to pydicom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from pydicom.pixels.utils import get_j2k_parameters

from respond.dicom._fastcodecs_layout import _int_dtype, _Layout, _NotHere
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from numpy.typing import NDArray

# JPEG markers that start a frame header (SOF0-15 but DHT, JPG, DAC; SOF55)
_SOF = frozenset({*range(0xFFC0, 0xFFD0), 0xFFF7}) - {0xFFC4, 0xFFC8, 0xFFCC}


# --- decoding one frame and correcting it as pydicom does ------------------------


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
