"""Damaged DICOMDIRs and special files: what a folder on a hostile disk holds.

A DICOMDIR's records can point anywhere (a missing file, ``../..``, itself, a
FIFO, ``/dev/zero``), its offsets can loop, and it can list one file twenty
thousand times; a plain folder can hold a FIFO, symlinks to devices or loops,
and a sparse file of gigabytes.
"""

from __future__ import annotations

import os
import struct
from typing import TYPE_CHECKING, Final

from pydicom.sequence import Sequence
from pydicom.uid import UID

from fuzz.layout import read_layout
from fuzz.target import InapplicableError, Target
from fuzz.values import edited, put

if TYPE_CHECKING:
    from pathlib import Path

DICOMDIR_CLASS: Final = "1.2.840.10008.1.3.10"
FILE_IDS: Final[tuple[tuple[str, ...], ...]] = (
    ("NOSUCH", "FILE"),
    ("..", "..", "..", "etc", "passwd"),
    ("", "etc", "passwd"),
    ("DICOMDIR",),
    ("98892001",),
    ("A",) * 40,
    ("",),
    ("X" * 300,),
    ("FIFO",),
    ("ZERO",),
    ("LOOP",),
    ("98892001", "CT5N", "2062", "..", "..", "..", "DICOMDIR"),
)
"""ReferencedFileID values; FIFO, ZERO and LOOP are created beside the DICOMDIR."""
OFFSET_TAGS: Final = (0x00041400, 0x00041420, 0x00041200, 0x00041202)


def _dicomdir(target: Target) -> Path:
    found = [f for f in target.files if f.name == "DICOMDIR"]
    if not found:
        raise InapplicableError("no DICOMDIR in this seed")
    target.path = found[0]
    return found[0]


def _specials(folder: Path) -> None:
    """Create a FIFO (no writer), a symlink to /dev/zero and a symlink loop."""
    os.mkfifo(folder / "FIFO")
    os.symlink("/dev/zero", folder / "ZERO")
    os.symlink("LOOP", folder / "LOOP")


def damage_dicomdir(target: Target) -> str:
    """Point records anywhere, loop offsets, drop records or list 20,000."""
    path = _dicomdir(target)
    rng = target.rng
    variant = rng.choice(
        ("file id", "file id", "offset", "offset", "records", "class", "type")
    )
    if variant == "offset":
        return _offset(target)
    with edited(target) as ds:
        records = ds.get("DirectoryRecordSequence")
        if not records:
            raise InapplicableError("this DICOMDIR has no records")
        listed = [r for r in records if "ReferencedFileID" in r]
        if variant == "file id" and listed:
            parts = rng.choice(FILE_IDS)
            if parts[0] in ("FIFO", "ZERO", "LOOP"):
                _specials(path.parent)
            record = rng.choice(listed)
            put(ds, record, 0x00041500, "CS", "\\".join(parts))
            return f"a record's ReferencedFileID = {'/'.join(parts)[:60]!r}"
        if variant == "records":
            how = rng.choice(("none", "empty", "20000"))
            if how == "none":
                del ds.DirectoryRecordSequence
            elif how == "empty":
                ds.DirectoryRecordSequence = Sequence([])
            else:
                one = rng.choice(listed or list(records))
                ds.DirectoryRecordSequence = Sequence([one] * 20000)
            return f"DirectoryRecordSequence: {how} records"
        if variant == "class":
            ds.file_meta.MediaStorageSOPClassUID = UID("1.2.840.10008.5.1.4.1.1.2")
            put(ds, ds, 0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2")
            return "the DICOMDIR declares the CT Image Storage class"
        record = rng.choice(list(records))
        value = rng.choice(("", "IMAGE", "XX", "PATIENT\\STUDY"))
        put(ds, record, 0x00041430, "CS", value)
        return f"a record's DirectoryRecordType = {value!r}"


def _offset(target: Target) -> str:
    data = target.read()
    layout = read_layout(data)
    little = layout.is_little
    places = []
    for tag in OFFSET_TAGS:
        pattern = struct.pack("<HH" if little else ">HH", tag >> 16, tag & 0xFFFF)
        head = pattern + (b"" if layout.is_implicit else b"UL")
        at = data.find(head)
        while at >= 0:
            places.append(at + len(head) + (4 if layout.is_implicit else 2))
            at = data.find(head, at + 1)
    if not places:
        raise InapplicableError("no record offsets found")
    at = target.rng.choice(places)
    (old,) = struct.unpack_from("<I" if little else ">I", data, at)
    new = target.rng.choice(
        (0, at - 12, layout.dataset_start, 0xFFFFFFFF, len(data) * 4, old + 1)
    )
    raw = bytearray(data)
    raw[at : at + 4] = struct.pack("<I" if little else ">I", new & 0xFFFFFFFF)
    target.write(bytes(raw))
    return f"a record offset at byte {at}: {old} -> {new}"


def image_as_dicomdir(target: Target) -> str:
    """Declare an image file to be a DICOMDIR (its pixels are still there)."""
    with edited(target) as ds:
        if ds.file_meta is not None and "MediaStorageSOPClassUID" in ds.file_meta:
            ds.file_meta.MediaStorageSOPClassUID = UID(DICOMDIR_CLASS)
        put(ds, ds, 0x00080016, "UI", DICOMDIR_CLASS)
    return f"{target.path.name} declares the Media Storage Directory class"


def special_file(target: Target) -> str:
    """Add a FIFO, a device or loop symlink, or a sparse multi-GB file to the seed."""
    rng = target.rng
    folder = target.path.parent
    variant = rng.choice(
        ("fifo", "zero", "urandom", "loop", "folder loop", "sparse", "empty")
    )
    name = folder / f"special-{variant.replace(' ', '-')}.dcm"
    if variant == "fifo":
        os.mkfifo(name)
    elif variant in ("zero", "urandom"):
        os.symlink(f"/dev/{variant}", name)
    elif variant == "loop":
        os.symlink(name.name, name)
    elif variant == "folder loop":
        os.symlink("..", name)
    elif variant == "sparse":
        size = rng.choice((3 * 2**30, 2**32 + 10))
        target.write(target.read(), name)
        os.truncate(name, size)
        return (
            f"{name.name}: a copy of {target.path.name} grown (sparse) to "
            f"{size:,} bytes"
        )
    else:
        target.write(b"", name)
    target.touched.append(name)
    return f"{name.name}: {variant}"
