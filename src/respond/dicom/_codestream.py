"""Checks made before a decoder sees compressed pixel data.

A damaged header inside a codestream can claim any image size, and decoders
allocate what it claims before they find out the data is not there (a corrupt
JPEG 2000 file took SimpleITK to 3.6 GB before it failed). So before decoding,
the encapsulated items are walked (each must end inside the file), the number
of frames the header declares is checked against the items present, and the
codestream header of each frame to decode (JPEG SOF, JPEG-LS SOF55, JPEG 2000
SIZ, the RLE header) is compared with the DICOM header: size, components and
bit depth. All of it is per file and per frame, never per voxel. The codestream
headers themselves are parsed in :mod:`respond.dicom._codestream_parse`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from pydicom.uid import UID, DeflatedExplicitVRLittleEndian

from respond.dicom._codestream_parse import Codestream, _NeedMore, parse_codestream
from respond.dicom._deflated import read_deflated, read_deflated_fast
from respond.dicom._fastheader import FIRST_READ, read_fast_from, read_fully
from respond.dicom._rescale import Declared
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Codestream",
    "PixelData",
    "check_codestream",
    "inspect_pixel_data",
    "is_encapsulated",
    "parse_codestream",
]

HEAD_READ: Final = 4096
"""Bytes of a fragment read first to find its codestream header."""
MAX_HEAD_READ: Final = 1 << 20
"""Bytes of a fragment read at most to find it (JPEG tables come first)."""
MAX_ITEMS: Final = 1 << 20
"""More items than this in one Pixel Data element is a damaged file."""

_ITEM: Final = 0xFFFEE000
_SEQUENCE_END: Final = 0xFFFEE0DD
_UNDEFINED: Final = 0xFFFFFFFF
_PIXEL_TAGS: Final = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})
_HEADER_TAGS: Final = (
    *("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "BitsStored"),
    *("PixelRepresentation", "NumberOfFrames", "ExtendedOffsetTable"),
)


@dataclass(frozen=True, slots=True)
class PixelData:
    """What a file's header declares, and where its compressed items lie."""

    declared: Declared
    syntax: str
    encapsulated: bool
    fragments: tuple[tuple[int, int], ...] = ()
    """Each fragment's (file offset of its value, length)."""
    frame_starts: tuple[int, ...] | None = None
    """Index in ``fragments`` of each frame's first fragment, when known."""


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _declared(ds: Any) -> Declared:
    bits = _int(ds.get("BitsAllocated"), 0)
    return Declared(
        rows=_int(ds.get("Rows"), 0),
        columns=_int(ds.get("Columns"), 0),
        samples=_int(ds.get("SamplesPerPixel"), 1),
        bits_allocated=bits,
        bits_stored=_int(ds.get("BitsStored"), bits),
        frames=max(1, _int(ds.get("NumberOfFrames"), 1)),
    )


def _damaged(path: Path, reason: str) -> SeriesLoadError:
    return SeriesLoadError(
        f"{path.name}: {reason}; the file is damaged (copy it again from the "
        "source, or leave it out)",
        path=path,
    )


def _never(*_element: object) -> bool:
    return False


def _header(stream: BinaryIO, size: int) -> tuple[Any, str, int | None]:
    """Read the header up to Pixel Data: values, syntax, the pixel value's offset.

    The offset comes from the fast parser only (else ``None``): the scan's fast
    parser reads ordinary one-frame files in a tenth of
    pydicom's time (it matters for RLE, decoded in 2 ms a file); pydicom reads
    the rest.
    """
    stream.seek(0)
    head = read_fully(stream, FIRST_READ)
    fast = read_fast_from(stream, head, size) if head[128:132] == b"DICM" else None
    if fast is None:  # a deflated file: its pixels are native, no offset needed
        deflated = read_deflated_fast(stream, head, whole=False)
        if deflated is not None:
            return deflated, DeflatedExplicitVRLittleEndian, None
    if fast is not None:
        syntax = str(fast.file_meta.get("TransferSyntaxUID", ""))
        elements = (fast.get_item(tag) for tag in _PIXEL_TAGS)
        element = next((e for e in elements if e is not None), None)
        return fast, syntax, None if element is None else element.file_tell
    import pydicom

    stream.seek(0)
    # a deflated header inflated only as far as its pixels (its pixels are native)
    name = Path(str(getattr(stream, "name", "")))
    ds = read_deflated(stream, name, _never, whole=False)
    if ds is not None:
        return ds, str(ds.file_meta.TransferSyntaxUID), None
    stream.seek(0)
    ds = pydicom.dcmread(
        stream, stop_before_pixels=True, force=True, specific_tags=list(_HEADER_TAGS)
    )
    meta = getattr(ds, "file_meta", None)
    syntax = str(meta.get("TransferSyntaxUID", "") or "") if meta is not None else ""
    return ds, syntax, None


def _pixel_element(
    stream: BinaryIO, path: Path, value_at: int | None
) -> tuple[int, int]:
    """Return (value offset, length) of the Pixel Data element.

    It starts where the header ends (``stream``'s position after pydicom), or
    12 bytes before ``value_at`` (explicit VR, as compressed data always is).
    """
    if value_at is not None:
        stream.seek(value_at - 12)
    start = stream.tell()
    head = stream.read(12)
    if len(head) < 12:
        raise _damaged(path, "its Pixel Data element is missing or cut short")
    group, element, vr, _, length = struct.unpack("<HH2s2sL", head)
    if (group << 16 | element) not in _PIXEL_TAGS or vr not in (b"OB", b"OW"):
        raise _damaged(
            path, f"no Pixel Data element where its header ends (byte {start})"
        )
    return start + 12, length


def _items(
    stream: BinaryIO, path: Path, start: int, size: int
) -> list[tuple[int, int]]:
    """Walk the items from ``start`` to the sequence delimiter: (offset, length)."""
    items: list[tuple[int, int]] = []
    position = start
    while True:
        stream.seek(position)
        head = stream.read(8)
        if len(head) < 8:
            raise _damaged(
                path,
                f"the compressed pixel data is cut short at byte {position} "
                f"(after {len(items)} items; the file holds {size} bytes)",
            )
        group, element, length = struct.unpack("<HHL", head)
        tag = group << 16 | element
        if tag == _SEQUENCE_END:
            return items
        if tag != _ITEM or length == _UNDEFINED:
            raise _damaged(path, f"no item of compressed pixel data at byte {position}")
        if position + 8 + length > size:
            raise _damaged(
                path,
                f"the compressed pixel data is cut short: item {len(items) + 1} "
                f"needs {length} bytes from byte {position + 8}, but the file "
                f"holds {size} bytes",
            )
        items.append((position + 8, length))
        if len(items) > MAX_ITEMS:
            raise _damaged(path, f"more than {MAX_ITEMS} items of pixel data")
        position += 8 + length


def _offset_table(
    stream: BinaryIO, ds: Any, items: Sequence[tuple[int, int]]
) -> list[int]:
    """Frame offsets from the Extended or Basic Offset Table (may be empty)."""
    extended = ds.get("ExtendedOffsetTable")
    if isinstance(extended, bytes) and extended and len(extended) % 8 == 0:
        return list(struct.unpack(f"<{len(extended) // 8}Q", extended))
    offset, length = items[0]
    if length == 0 or length % 4:
        return []
    stream.seek(offset)
    return list(struct.unpack(f"<{length // 4}L", stream.read(length)))


def _frame_starts(
    offsets: Sequence[int], fragments: Sequence[tuple[int, int]], frames: int
) -> tuple[int, ...] | None:
    if offsets and len(offsets) == frames:
        origin = fragments[0][0] - 8
        where = {offset - 8 - origin: n for n, (offset, _) in enumerate(fragments)}
        starts = [where.get(offset) for offset in offsets]
        if all(start is not None for start in starts):
            return tuple(s for s in starts if s is not None)
    if len(fragments) == frames:
        return tuple(range(frames))
    if frames == 1:
        return (0,)
    return None


def is_encapsulated(syntax: str) -> bool:
    """Whether a transfer syntax keeps pixel data in encapsulated fragments."""
    uid = UID(syntax)
    return bool(syntax) and uid.is_transfer_syntax and uid.is_encapsulated


def inspect_pixel_data(stream: BinaryIO, path: Path, size: int) -> PixelData:
    """Read what a file's header declares and locate its compressed frames.

    Parameters
    ----------
    stream
        The file, open for reading (buffered; its position is moved).
    path
        The file, for messages.
    size
        The file's size in bytes.

    Raises
    ------
    SeriesLoadError
        The Pixel Data element is missing, an item runs past the end of the
        file, or the header declares more frames than the data holds items.
    """
    ds, syntax, value_at = _header(stream, size)
    declared = _declared(ds)
    if not is_encapsulated(syntax):
        return PixelData(declared, syntax, encapsulated=False)
    start, length = _pixel_element(stream, path, value_at)
    if length != _UNDEFINED:
        raise _damaged(path, "its compressed pixel data is not encapsulated")
    items = _items(stream, path, start, size)
    if not items:
        raise _damaged(path, "its compressed pixel data holds no items")
    fragments = items[1:]  # the first item is the Basic Offset Table
    if len(fragments) < declared.frames:
        raise _damaged(
            path,
            f"the header declares {declared.describe()} but its compressed pixel "
            f"data holds only {len(fragments)} fragments (at least one per frame)",
        )
    starts = _frame_starts(_offset_table(stream, ds, items), fragments, declared.frames)
    return PixelData(declared, syntax, True, tuple(fragments), starts)


def _mismatches(stream: Codestream, declared: Declared) -> list[str]:
    found = []
    pairs = (
        ("Rows", declared.rows, stream.rows),
        ("Columns", declared.columns, stream.columns),
        ("SamplesPerPixel", declared.samples, stream.components),
    )
    for name, header, coded in pairs:
        if coded is not None and coded != header:
            found.append(
                f"{name} {header} in the header, {coded} in the {stream.kind} data"
            )
    # Fewer coded bits than BitsStored decode into the declared samples (some
    # real encoders write them so); more than BitsAllocated cannot fit.
    if stream.precision is not None and not (
        1 <= stream.precision <= max(declared.bits_allocated, 8)
    ):
        found.append(
            f"BitsStored {declared.bits_stored} (of {declared.bits_allocated} "
            f"allocated) in the header, {stream.precision}-bit samples in the "
            f"{stream.kind} data"
        )
    if stream.segments is not None:
        expected = declared.samples * max(1, declared.bits_allocated // 8)
        if stream.segments != expected:
            found.append(
                f"{expected} RLE segments for {declared.samples} sample(s) of "
                f"{declared.bits_allocated} bits, {stream.segments} in the data"
            )
    return found


def _fragment_head(
    stream: BinaryIO, offset: int, length: int, syntax: str
) -> Codestream | None:
    count = min(length, HEAD_READ)
    while True:
        stream.seek(offset)
        data = stream.read(count)
        try:
            return parse_codestream(syntax, data)
        except _NeedMore:
            if count >= min(length, MAX_HEAD_READ):
                raise ValueError(
                    f"the codestream header does not end within its first {count} bytes"
                ) from None
            count = min(length, MAX_HEAD_READ, count * 16)


def check_codestream(
    stream: BinaryIO,
    path: Path,
    pixels: PixelData,
    frames: Sequence[int] | None = None,
) -> None:
    """Compare the codestream header of frames with the DICOM header.

    Parameters
    ----------
    stream
        The file, open for reading (buffered; its position is moved).
    path
        The file, for messages.
    pixels
        The file's header and fragments (:func:`inspect_pixel_data`).
    frames
        The frames (0-based) to check; all when ``None``. Without an offset
        table and with several fragments per frame only the first is checked.

    Raises
    ------
    SeriesLoadError
        A codestream header is missing, damaged, or disagrees with the DICOM
        header (the message gives both values).
    """
    if not pixels.encapsulated:
        return
    starts = pixels.frame_starts or (0,)
    indices = range(len(starts)) if frames is None else frames
    for index in indices:
        if index >= len(starts):
            continue
        offset, length = pixels.fragments[starts[index]]
        try:
            stream_header = _fragment_head(stream, offset, length, pixels.syntax)
        except ValueError as exc:
            raise _damaged(path, f"frame {index + 1}: {exc}") from exc
        if stream_header is None:
            return
        found = _mismatches(stream_header, pixels.declared)
        if found:
            raise SeriesLoadError(
                f"{path.name}: frame {index + 1} disagrees with the DICOM header ("
                + "; ".join(found)
                + "): the header or the compressed data is damaged, so it is not "
                "decoded; copy the file again from the source, or leave it out",
                path=path,
            )
