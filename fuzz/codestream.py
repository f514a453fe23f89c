"""Corrupt compressed pixel data (JPEG, JPEG-LS, JPEG 2000, RLE).

Bytes flipped inside the codestream, the image size in its SIZ (JPEG 2000) or
SOF (JPEG, JPEG-LS) marker changed, the RLE header's segment count or offsets
changed, the fragment cut short, the basic offset table pointing past the end,
or the sequence delimiter removed.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from fuzz.layout import PIXEL_DATA, items, read_layout
from fuzz.target import InapplicableError, Target

if TYPE_CHECKING:
    import random

SOF: Final = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xF7}
)
"""JPEG start-of-frame markers (0xF7: JPEG-LS SOF55)."""
SIZES: Final = (0, 1, 3, 65535)
RLE: Final = "1.2.840.10008.1.2.5"


def _size_marker(fragment: bytes) -> tuple[str, int] | None:
    """Find the image size marker of a codestream: SIZ, SOF, or None."""
    siz = fragment.find(b"\xff\x51")
    if siz >= 0 and fragment.find(b"\xff\x4f") >= 0:
        return "SIZ", siz
    at = 0
    while True:
        at = fragment.find(b"\xff", at)
        if at < 0 or at + 1 >= len(fragment):
            return None
        if fragment[at + 1] in SOF:
            return "SOF", at
        at += 1


def corrupt_codestream(target: Target) -> str:
    """Damage the first fragment of encapsulated pixel data (see the module)."""
    data = target.read()
    layout = read_layout(data)
    pixels = layout.find(PIXEL_DATA)
    found = items(data, pixels) if pixels is not None else []
    if len(found) < 2:
        raise InapplicableError("no fragments")
    rng = target.rng
    variant = rng.choice(("flip", "flip", "size", "size", "cut", "table", "end"))
    if variant in ("cut", "table", "end"):
        raw, what = _around(rng, data, variant, found)
        target.write(raw)
        return what
    start, length = found[1]
    fragment = bytearray(data[start : start + length])
    marker = _size_marker(bytes(fragment))
    if variant == "size" and layout.syntax == RLE:
        what = _rle(rng, fragment)
    elif variant == "size" and marker is not None:
        what = _size(rng, fragment, *marker)
    else:
        spots = []
        for _ in range(rng.choice((1, 2, 4, 8))):
            at = rng.randrange(len(fragment))
            fragment[at] ^= rng.randrange(1, 256)
            spots.append(at)
        what = (
            f"flipped bytes at {sorted(spots)} of the first fragment ({length} bytes)"
        )
    target.write(data[:start] + bytes(fragment) + data[start + length :])
    return what


def _rle(rng: random.Random, fragment: bytearray) -> str:
    count = rng.choice((0, 15, 16, 255, 0xFFFFFFFF))
    fragment[0:4] = struct.pack("<I", count)
    if rng.random() < 0.5:
        return f"RLE header: {count} segments"
    offset = rng.choice((0, len(fragment), 2**31, 63))
    which = rng.randrange(1, 16)
    fragment[4 * which : 4 * which + 4] = struct.pack("<I", offset)
    return f"RLE header: {count} segments, offset {which} = {offset}"


def _around(
    rng: random.Random, data: bytes, variant: str, found: list[tuple[int, int]]
) -> tuple[bytes, str]:
    """Damage the items around the codestream: its length, the table, the end."""
    (table_at, table_length), (start, length) = found[0], found[1]
    if variant == "cut":
        keep = rng.randrange(length)
        fix = rng.random() < 0.5
        head = data[: start - 4] + (
            struct.pack("<I", keep) if fix else data[start - 4 : start]
        )
        raw = head + data[start : start + keep] + data[start + length :]
        return raw, f"first fragment cut to {keep} of {length} bytes" + (
            "" if fix else " (item length left as it was)"
        )
    if variant == "table":
        entry = rng.choice((0xFFFFFF00, len(data), 3))
        bogus = struct.pack("<I", entry)
        if table_length >= 4:
            raw = data[:table_at] + bogus + data[table_at + 4 :]
        else:
            raw = data[: table_at - 4] + struct.pack("<I", 4) + bogus + data[table_at:]
        return raw, f"basic offset table entry {entry}"
    end = data.rfind(b"\xfe\xff\xdd\xe0")
    if end < 0:
        raise InapplicableError("no sequence delimiter")
    tail = rng.choice((b"", b"\0" * 7, b"\xfe\xff\x00\xe0\xff\xff\xff\x7f"))
    return data[:end] + tail, f"sequence delimiter replaced by {tail!r}"


def _size(rng: random.Random, fragment: bytearray, marker: str, at: int) -> str:
    choice = rng.choice
    if marker == "SIZ":
        field, offset = choice((("width", 6), ("height", 10), ("components", 38)))
        if field == "components":
            value = choice((0, 3, 16384))
            fragment[at + offset : at + offset + 2] = struct.pack(">H", value)
        else:
            value = choice((0, 1, 65535, 0xFFFFFFFF, 100_000))
            fragment[at + offset : at + offset + 4] = struct.pack(">I", value)
        return f"JPEG 2000 SIZ {field} = {value}"
    field, offset, size = choice(
        (("height", 5, 2), ("width", 7, 2), ("precision", 4, 1), ("components", 9, 1))
    )
    value = choice(SIZES) if size == 2 else choice((0, 7, 16, 255))
    fragment[at + offset : at + offset + size] = value.to_bytes(size, "big")
    return f"JPEG SOF {field} = {value}"
