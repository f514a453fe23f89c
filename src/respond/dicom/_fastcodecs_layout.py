"""Where a compressed file's frames are: the header walk of the imagecodecs path.

:func:`_meta_end` and :func:`_layout` read the few elements decoding needs
from a file's bytes (explicit VR little endian), :func:`_codestreams` cuts the
frames' codestreams out of the encapsulated pixel data by pydicom's own framing,
and :func:`_inflated` inflates a deflated data set. Anything unusual raises
:class:`_NotHere`, and :mod:`respond.dicom._fastcodecs` leaves that file to
pydicom.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydicom.encaps import generate_frames, get_frame
from pydicom.uid import DeflatedExplicitVRLittleEndian

from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

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


def _int_dtype(is_signed: bool, itemsize: int) -> np.dtype[np.generic]:
    return np.dtype(f"{'i' if is_signed else 'u'}{itemsize}")


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
