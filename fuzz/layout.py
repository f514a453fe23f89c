"""Where a file's elements are: the byte-level map the byte mutations edit.

pydicom parses the file once (``data_element_generator``, top level only) and
the offsets between its steps give each element's header, value and end. The
pixel data of an encapsulated file is split further into its items (basic
offset table, fragments).
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import Final

import pydicom
from pydicom.filereader import data_element_generator, read_preamble
from pydicom.uid import UID

LONG_VRS: Final = frozenset(
    {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
)
"""Explicit VRs with two reserved bytes and a 4-byte length."""
PIXEL_DATA: Final = 0x7FE00010
ITEM: Final = b"\xfe\xff\x00\xe0"
SEQUENCE_END: Final = b"\xfe\xff\xdd\xe0"


@dataclass(frozen=True, slots=True)
class Element:
    """One top-level element: offsets into the file's bytes."""

    tag: int
    vr: str
    start: int
    """The first byte of the tag."""
    value_start: int
    end: int
    """One past the last byte (after the delimiter of an undefined length)."""
    length_size: int
    """2 or 4: the size of the length field (before ``value_start``)."""

    @property
    def length_offset(self) -> int:
        """Where the length field starts."""
        return self.value_start - self.length_size

    @property
    def vr_offset(self) -> int:
        """Where an explicit VR is written (the byte after the tag)."""
        return self.start + 4

    @property
    def name(self) -> str:
        """``(gggg,eeee) keyword``."""
        keyword = pydicom.datadict.keyword_for_tag(self.tag) or "private"
        return f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X}) {keyword}"


@dataclass(frozen=True, slots=True)
class Layout:
    """A file's meta and dataset elements, and how its dataset is encoded."""

    meta: tuple[Element, ...]
    elements: tuple[Element, ...]
    dataset_start: int
    is_implicit: bool
    is_little: bool
    is_deflated: bool
    syntax: str

    def find(self, tag: int) -> Element | None:
        """Return the top-level (or meta) element with this tag."""
        return next((e for e in (*self.meta, *self.elements) if e.tag == tag), None)

    @property
    def header_end(self) -> int:
        """Where the pixel data starts (or the file's end without pixels)."""
        pixels = self.find(PIXEL_DATA)
        return (
            pixels.start if pixels else (self.elements[-1].end if self.elements else 0)
        )


def _walk(fp: io.BytesIO, implicit: bool, little: bool, meta: bool) -> list[Element]:
    found: list[Element] = []
    stop = (lambda tag, vr, length: tag.group != 2) if meta else None
    generator = data_element_generator(fp, implicit, little, stop_when=stop)
    while True:
        start = fp.tell()
        try:
            element = next(generator)
        except StopIteration:
            return found
        vr = str(element.VR or "")
        long = implicit or vr in LONG_VRS
        header = 8 if implicit else (12 if long else 8)
        value_start = start + header
        found.append(
            Element(
                int(element.tag), vr, start, value_start, fp.tell(), 4 if long else 2
            )
        )


def read_layout(data: bytes) -> Layout:
    """Map ``data`` (a whole DICOM file).

    Raises
    ------
    ValueError
        pydicom cannot walk the file (the harness then damages it another way).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fp = io.BytesIO(data)
        read_preamble(fp, True)
        meta = _walk(fp, False, True, meta=True)
        syntax = ""
        for element in meta:
            if element.tag == 0x00020010:
                syntax = (
                    data[element.value_start : element.end]
                    .rstrip(b"\0 ")
                    .decode("ascii", "replace")
                )
        dataset_start = fp.tell()
        if syntax:
            uid = UID(syntax)
            implicit, little = uid.is_implicit_VR, uid.is_little_endian
            deflated = uid.is_deflated
        else:
            ds = pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=True)
            is_implicit, is_little = ds.original_encoding
            implicit, little = bool(is_implicit), is_little is not False
            deflated = False
        elements: list[Element] = []
        if not deflated:
            elements = _walk(fp, implicit, little, meta=False)
    return Layout(
        tuple(meta), tuple(elements), dataset_start, implicit, little, deflated, syntax
    )


def items(data: bytes, pixels: Element) -> list[tuple[int, int]]:
    """Return the items of encapsulated pixel data: ``(value start, length)`` each.

    The first is the basic offset table (often empty); fragments follow.
    """
    found = []
    at = pixels.value_start
    while at + 8 <= len(data) and data[at : at + 4] == ITEM:
        (length,) = struct.unpack_from("<I", data, at + 4)
        found.append((at + 8, length))
        at += 8 + length
    return found


def encode_length(value: int, size: int, little: bool) -> bytes:
    """Encode a length field of ``size`` bytes."""
    return struct.pack(("<" if little else ">") + ("H" if size == 2 else "I"), value)
