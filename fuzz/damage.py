"""Byte-level damage to one file.

Truncation, flipped bytes, duplicated tags, wrong VRs, swapped transfer
syntaxes, huge lengths, deep nesting.

Each function takes a :class:`~fuzz.target.Target`, rewrites its file and
returns one line saying what changed (offsets and values, so a reader can see
the damage without rerunning the case).
"""

from __future__ import annotations

import struct
from typing import Final

from fuzz.layout import (
    ITEM,
    LONG_VRS,
    PIXEL_DATA,
    SEQUENCE_END,
    Element,
    Layout,
    encode_length,
    read_layout,
)
from fuzz.target import InapplicableError, Target

HEADER_BYTES: Final = 2048
"""Without a readable layout, the first bytes stand for the header."""
IMPORTANT: Final = frozenset(
    {
        0x00020010,  # TransferSyntaxUID
        0x00080016,  # SOPClassUID
        0x00080018,  # SOPInstanceUID
        0x00200032,  # ImagePositionPatient
        0x00200037,  # ImageOrientationPatient
        0x0020000E,  # SeriesInstanceUID
        0x00280002,  # SamplesPerPixel
        0x00280004,  # PhotometricInterpretation
        0x00280008,  # NumberOfFrames
        0x00280010,  # Rows
        0x00280011,  # Columns
        0x00280030,  # PixelSpacing
        0x00280100,  # BitsAllocated
        0x00280101,  # BitsStored
        0x00280102,  # HighBit
        0x00280103,  # PixelRepresentation
        0x00281052,  # RescaleIntercept
        0x00281053,  # RescaleSlope
        0x52009229,  # SharedFunctionalGroupsSequence
        0x52009230,  # PerFrameFunctionalGroupsSequence
        PIXEL_DATA,
    }
)
"""Elements the loader depends on: picked more often than the rest."""
SYNTAXES: Final = (
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.100",
    "1.2.840.10008.1.2.5",
    "1.2.3.4",
    "",
    "1.2.840.10008.1.2.1" + "9" * 40,
)
VRS: Final = ("OB", "UN", "SQ", "US", "UL", "SS", "DS", "FD", "UT", "AT", "XX", "\0\0")


def _layout(target: Target) -> tuple[bytes, Layout | None]:
    data = target.read()
    try:
        return data, read_layout(data)
    except (ValueError, KeyError, IndexError, struct.error, EOFError, OSError):
        return data, None


def _dataset_layout(target: Target) -> tuple[bytes, Layout]:
    data, layout = _layout(target)
    if layout is None or not layout.elements:
        raise InapplicableError("no element layout (deflated or unparsable)")
    return data, layout


def _pick(target: Target, layout: Layout, *, meta: float = 0.1) -> Element:
    rng = target.rng
    if layout.meta and rng.random() < meta:
        return rng.choice(layout.meta)
    important = [e for e in layout.elements if e.tag in IMPORTANT]
    if important and rng.random() < 0.6:
        return rng.choice(important)
    return rng.choice(layout.elements)


def truncate(target: Target) -> str:
    """Cut the file: half the time inside its header, else anywhere."""
    data, layout = _layout(target)
    header = layout.header_end if layout else HEADER_BYTES
    limit = min(len(data), header + 16) if target.rng.random() < 0.5 else len(data)
    cut = target.rng.randrange(max(1, limit))
    target.write(data[:cut])
    return f"truncated to {cut} of {len(data)} bytes"


def flip(target: Target) -> str:
    """XOR one to eight bytes with random masks, half of them in the header."""
    data, layout = _layout(target)
    header = layout.header_end if layout else HEADER_BYTES
    raw = bytearray(data)
    flips = []
    for _ in range(target.rng.choice((1, 1, 2, 3, 8))):
        limit = header if target.rng.random() < 0.5 else len(raw)
        offset = target.rng.randrange(max(1, min(limit, len(raw))))
        mask = target.rng.randrange(1, 256)
        raw[offset] ^= mask
        flips.append(f"{offset}^0x{mask:02x}")
    target.write(bytes(raw))
    return f"flipped bytes at {', '.join(flips)} (header ends at {header})"


def _changed_value(target: Target, value: bytes) -> bytes:
    if value and all(32 <= b < 127 for b in value):
        digits = bytes(target.rng.choice(b"0123456789.-") for _ in value)
        return digits[: len(value)]
    changed = bytearray(value)
    if changed:
        changed[target.rng.randrange(len(changed))] ^= 0xFF
    return bytes(changed)


def duplicate(target: Target) -> str:
    """Write an element twice: right after itself, first in the dataset, or last."""
    data, layout = _dataset_layout(target)
    element = _pick(target, layout)
    copy = data[element.start : element.end]
    how = "the same value"
    if element.vr != "SQ" and target.rng.random() < 0.5:
        head = copy[: element.value_start - element.start]
        copy = head + _changed_value(target, copy[len(head) :])
        how = "a different value"
    where, at = target.rng.choice(
        (
            ("right after the first", element.end),
            ("before every other element", layout.dataset_start),
            ("at the end of the file", len(data)),
        )
    )
    if element in layout.meta and at != element.end:
        where, at = "right after the first", element.end
    target.write(data[:at] + copy + data[at:])
    return f"duplicated {element.name} with {how}, {where}"


def wrong_vr(target: Target) -> str:
    """Declare another VR: in the header bytes (explicit VR), or re-encode the value."""
    data, layout = _dataset_layout(target)
    element = _pick(target, layout, meta=0.0)
    rng = target.rng
    if not layout.is_implicit and rng.random() < 0.5:
        vr = rng.choice([v for v in VRS if v != element.vr])
        raw = bytearray(data)
        raw[element.vr_offset : element.vr_offset + 2] = vr.encode("latin-1")
        target.write(bytes(raw))
        return f"{element.name}: VR {element.vr} replaced by {vr!r} in place"
    value = data[element.value_start : element.end]
    if element.tag == PIXEL_DATA or element.vr == "SQ":
        new, as_vr = value[: len(value) // 3 * 2 + 1], "a third shorter, odd length"
    elif value and all(32 <= b < 127 or b == 0 for b in value):
        number = _first_number(value)
        new, as_vr = struct.pack("<d" if layout.is_little else ">d", number), "FD"
    else:
        new, as_vr = b"%d " % int.from_bytes(value[:2] or b"\0", "little"), "IS text"
    vr = {"FD": "FD", "IS text": "IS"}.get(as_vr, element.vr)
    if layout.is_implicit:
        head = data[element.start : element.start + 4]
        head += encode_length(len(new), 4, layout.is_little)
    else:
        size = 4 if vr in LONG_VRS else 2
        head = data[element.start : element.start + 4] + vr.encode()
        head += (b"\0\0" if size == 4 else b"") + encode_length(
            len(new), size, layout.is_little
        )
    target.write(data[: element.start] + head + new + data[element.end :])
    return f"{element.name} ({element.vr}) re-encoded as {as_vr} ({len(new)} bytes)"


def _first_number(value: bytes) -> float:
    text = value.split(b"\\")[0].strip(b" \0").decode("ascii", "replace")
    try:
        return float(text)
    except ValueError:
        return 0.0


def swap_syntax(target: Target) -> str:
    """Declare another transfer syntax in the file meta (group length fixed or not)."""
    data, layout = _layout(target)
    element = layout.find(0x00020010) if layout else None
    if layout is None or element is None:
        raise InapplicableError("no file meta transfer syntax")
    choices = [s for s in SYNTAXES if s != layout.syntax]
    syntax = target.rng.choice(choices)
    value = syntax.encode() + (b"\0" if len(syntax) % 2 else b"")
    head = data[element.start : element.start + 6] + struct.pack("<H", len(value))
    raw = data[: element.start] + head + value + data[element.end :]
    group = layout.find(0x00020000)
    fixed = group is not None and target.rng.random() < 0.7
    if fixed and group is not None:
        (old,) = struct.unpack_from("<I", raw, group.value_start)
        delta = len(value) - (element.end - element.value_start)
        raw = (
            raw[: group.value_start]
            + struct.pack("<I", max(0, old + delta))
            + raw[group.value_start + 4 :]
        )
    target.write(raw)
    return (
        f"transfer syntax {layout.syntax or '(none)'} declared as {syntax or '(empty)'}"
        + ("" if fixed else " (group length left as it was)")
    )


def huge_length(target: Target) -> str:
    """Overwrite an element's length: 0xFFFFFFF0, undefined, past the end, odd."""
    data, layout = _dataset_layout(target)
    rng = target.rng
    pixels = layout.find(PIXEL_DATA)
    sequences = [e for e in layout.elements if e.vr == "SQ"]
    roll = rng.random()
    if pixels is not None and roll < 0.3:
        element = pixels
    elif sequences and roll < 0.5:
        element = rng.choice(sequences)
    else:
        element = _pick(target, layout)
    (old,) = struct.unpack(
        ("<" if layout.is_little or element in layout.meta else ">")
        + ("H" if element.length_size == 2 else "I"),
        data[element.length_offset : element.value_start],
    )
    mask = 0xFFFF if element.length_size == 2 else 0xFFFFFFFF
    if element.length_size == 4:
        choices = [0xFFFFFFF0, 0xFFFFFFFF, 0x7FFFFFFF, 2 * len(data), 0]
    else:
        choices = [0xFFFF, 0xFFF0, 0]
    if old < mask - 2:
        choices += [old + 1, old + 2]
    new = rng.choice([c for c in choices if c != old] or [0])
    little = layout.is_little or element in layout.meta
    raw = bytearray(data)
    raw[element.length_offset : element.value_start] = encode_length(
        new & mask, element.length_size, little
    )
    target.write(bytes(raw))
    return f"{element.name} length 0x{new:X} (was {old})"


def deep_nesting(target: Target) -> str:
    """Insert a private sequence nested 50 to 20,000 levels deep."""
    data, layout = _dataset_layout(target)
    depth = target.rng.choice((50, 200, 400, 1000, 5000, 20000))
    little = layout.is_little
    tag = struct.pack("<HH" if little else ">HH", 0x0009, 0x1010)
    undefined = b"\xff\xff\xff\xff"
    header = tag + (undefined if layout.is_implicit else b"SQ\0\0" + undefined)
    item = ITEM if little else b"\xff\xfe\xe0\x00"
    item_end = b"\xfe\xff\x0d\xe0" if little else b"\xff\xfe\xe0\x0d"
    end = SEQUENCE_END if little else b"\xff\xfe\xe0\xdd"
    opening = (header + item + undefined) * depth
    closing = (item_end + b"\0\0\0\0" + end + b"\0\0\0\0") * depth
    pixels = layout.find(PIXEL_DATA)
    at = pixels.start if pixels is not None else len(data)
    target.write(data[:at] + opening + closing + data[at:])
    return f"private sequence (0009,1010) nested {depth} levels deep at offset {at}"
