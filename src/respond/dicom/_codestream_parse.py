"""Parse the codestream header at the start of a compressed frame.

A frame's first fragment starts with its codestream header: the JPEG frame
header (SOFn) or JPEG-LS SOF55, the JPEG 2000 SIZ segment (bare or in a JP2
wrapper), or the RLE header. :func:`parse_codestream` reads the image size,
components and precision (or the RLE segment count) it gives into a
:class:`Codestream`, which :mod:`respond.dicom._codestream` compares with the
DICOM header; bytes that end inside the header raise :class:`_NeedMore`.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from typing import Final

from pydicom.uid import UID

__all__ = ["Codestream", "parse_codestream"]

_JP2_SIGNATURE: Final = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
# JPEG baseline, extended, lossless (14, 14 SV1) and JPEG-LS (lossless, near)
_JPEG: Final = frozenset(f"1.2.840.10008.1.2.4.{n}" for n in (50, 51, 57, 70, 80, 81))
# The frame headers each JPEG syntax may hold: baseline SOF0 (in extended
# too, and some encoders mark baseline data SOF1), lossless SOF3, JPEG-LS SOF55
_FRAME_HEADERS: Final = {
    "1.2.840.10008.1.2.4.50": frozenset({0xC0, 0xC1}),
    "1.2.840.10008.1.2.4.51": frozenset({0xC0, 0xC1}),
    "1.2.840.10008.1.2.4.57": frozenset({0xC3}),
    "1.2.840.10008.1.2.4.70": frozenset({0xC3}),
    "1.2.840.10008.1.2.4.80": frozenset({0xF7}),
    "1.2.840.10008.1.2.4.81": frozenset({0xF7}),
}
# JPEG 2000 (part 1 and 2, lossless or not) and HTJ2K
_J2K: Final = frozenset(
    f"1.2.840.10008.1.2.4.{n}" for n in (90, 91, 92, 93, 201, 202, 203)
)
_RLE: Final = "1.2.840.10008.1.2.5"
# SOF0-SOF15 (not DHT C4, JPG C8, DAC CC) and JPEG-LS SOF55
_SOF_MARKERS: Final = frozenset({*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC} | {0xF7})
_NO_LENGTH_MARKERS: Final = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


@dataclass(frozen=True, slots=True)
class Codestream:
    """What a frame's codestream header says (``None``: not given there)."""

    kind: str
    rows: int | None
    columns: int | None
    components: int | None
    precision: int | None
    segments: int | None = None


class _NeedMore(Exception):
    """The bytes read end inside the codestream header: read more."""


def _be16(data: bytes, at: int) -> int:
    if at + 2 > len(data):
        raise _NeedMore
    return int.from_bytes(data[at : at + 2], "big")


def _jpeg(data: bytes, syntax: str) -> Codestream:
    """Parse a JPEG / JPEG-LS stream up to its frame header (SOFn / SOF55).

    The frame header must be one the transfer syntax allows: JPEG-LS data
    under a JPEG syntax (or the reverse) is a wrong transfer syntax, which
    the decoder chosen for the syntax cannot read.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError(f"no JPEG start of image (the data starts {data[:4].hex()})")
    at = 2
    while True:
        if at + 2 > len(data):
            raise _NeedMore
        if data[at] != 0xFF:
            raise ValueError(f"no JPEG marker at byte {at} before the frame header")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        at += 2
        if marker in _NO_LENGTH_MARKERS:
            continue
        if marker in (0xD9, 0xDA):
            raise ValueError("the JPEG data has no frame header (SOF) before its scan")
        length = _be16(data, at)
        if length < 2:
            raise ValueError(f"a JPEG marker segment of length {length}")
        if marker in _SOF_MARKERS:
            allowed = _FRAME_HEADERS.get(syntax)
            if allowed is not None and marker not in allowed:
                raise ValueError(
                    f"the data holds a {_frame_header_name(marker)} frame header, "
                    f"which {UID(syntax).name} does not use: the file's transfer "
                    "syntax does not match its pixel data"
                )
            if at + 8 > len(data):
                raise _NeedMore
            lines, samples = _be16(data, at + 3), _be16(data, at + 5)
            return Codestream(
                kind="JPEG-LS" if marker == 0xF7 else "JPEG",
                rows=lines,  # 0 (lines given later by a DNL marker): not in DICOM
                columns=samples,
                components=data[at + 7],
                precision=data[at + 2],
            )
        at += length


def _frame_header_name(marker: int) -> str:
    if marker == 0xF7:
        return "JPEG-LS (SOF55)"
    kind = "lossless " if marker in (0xC3, 0xC7, 0xCB, 0xCF) else ""
    return f"{kind}JPEG (SOF{marker - 0xC0})"


def _jp2_codestream(data: bytes) -> bytes:
    """Return the codestream inside a JP2 file's boxes (its ``jp2c`` box)."""
    at = 0
    while True:
        if at + 8 > len(data):
            raise _NeedMore
        length, kind = struct.unpack(">L4s", data[at : at + 8])
        header = 8
        if length == 1:
            if at + 16 > len(data):
                raise _NeedMore
            (length,) = struct.unpack(">Q", data[at + 8 : at + 16])
            header = 16
        if kind == b"jp2c":
            return data[at + header :]
        if length == 0 or length < header:
            raise ValueError("a JP2 box without a codestream")
        at += length


def _j2k(data: bytes) -> Codestream:
    """Parse a JPEG 2000 codestream's SIZ segment (in a JP2 wrapper or bare)."""
    if data.startswith(_JP2_SIGNATURE):
        data = _jp2_codestream(data)
    if len(data) < 4:
        raise _NeedMore
    if data[:4] != b"\xff\x4f\xff\x51":
        raise ValueError(
            f"no JPEG 2000 SOC and SIZ markers (the data starts {data[:4].hex()})"
        )
    if len(data) < 45:
        raise _NeedMore
    xsiz, ysiz, xosiz, yosiz = struct.unpack(">4L", data[8:24])
    components = _be16(data, 40)
    if components == 0:
        raise ValueError("a JPEG 2000 image of 0 components")
    if len(data) < 42 + 3 * components:
        raise _NeedMore
    precision = max((data[42 + 3 * c] & 0x7F) + 1 for c in range(components))
    if xsiz <= xosiz or ysiz <= yosiz:
        raise ValueError(
            f"a JPEG 2000 image area of {xsiz} - {xosiz} x {ysiz} - {yosiz}"
        )
    return Codestream("JPEG 2000", ysiz - yosiz, xsiz - xosiz, components, precision)


def _rle(data: bytes) -> Codestream:
    """Parse an RLE Lossless header (segment count and offsets)."""
    if len(data) < 64:
        raise _NeedMore
    count, *offsets = struct.unpack("<16L", data[:64])
    if not 1 <= count <= 15:
        raise ValueError(f"an RLE header of {count} segments (1 to 15 allowed)")
    used = offsets[:count]
    if used[0] != 64 or any(b <= a for a, b in itertools.pairwise(used)):
        raise ValueError(f"RLE segment offsets {used} (the first must be 64, rising)")
    return Codestream("RLE", None, None, None, None, segments=count)


def parse_codestream(syntax: str, data: bytes) -> Codestream | None:
    """Parse the codestream header at the start of a frame's first fragment.

    Returns ``None`` for a syntax whose codestream is not checked here.

    Raises
    ------
    ValueError
        The bytes are not a codestream of that syntax (the message says why).
    """
    if syntax in _JPEG:
        return _jpeg(data, syntax)
    if syntax in _J2K:
        return _j2k(data)
    if syntax == _RLE:
        return _rle(data)
    return None
