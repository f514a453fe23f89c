"""Structure-aware damage with pydicom.

Deleted tags, absurd values, frame counts, one slice unlike its stack, Modality
LUTs with wrong descriptors, pixel data of the wrong size.

Values are written as raw bytes (pydicom's value checks never see them), so a
``PixelSpacing`` of ``nan`` or a ``Rows`` of 0 reaches the file exactly.
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
from typing import TYPE_CHECKING, Final

import pydicom
from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag

from fuzz.target import InapplicableError, Target

if TYPE_CHECKING:
    from collections.abc import Iterator

Value = str | bytes | tuple[int, ...] | tuple[float, ...]

BINARY: Final = {"US": "H", "SS": "h", "UL": "I", "SL": "i", "FD": "d", "FL": "f"}
ABSURD: Final[dict[str, tuple[str, tuple[Value, ...]]]] = {
    "NumberOfFrames": ("IS", ("20000", "0", "-1", "2147483648", "1e3", "abc", "")),
    "Rows": ("US", ((0,), (65535,), (1,), (3,))),
    "Columns": ("US", ((0,), (65535,), (1,), (3,))),
    "BitsAllocated": ("US", ((0,), (1,), (7,), (13,), (17,), (24,), (64,), (65535,))),
    "BitsStored": ("US", ((0,), (7,), (17,), (40,), (65535,))),
    "HighBit": ("US", ((0,), (16,), (31,), (65535,))),
    "PixelRepresentation": ("US", ((2,), (65535,))),
    "SamplesPerPixel": ("US", ((0,), (3,), (4,), (65535,))),
    "PlanarConfiguration": ("US", ((1,), (5,))),
    "PhotometricInterpretation": (
        "CS",
        ("RGB", "PALETTE COLOR", "YBR_FULL_422", "MONOCHROME3", ""),
    ),
    "PixelSpacing": (
        "DS",
        (
            "1e308\\1e308",
            "nan\\nan",
            "0\\0",
            "-0.5\\-0.5",
            "inf\\1",
            "1",
            "0.7\\0.7\\0.7",
            "1e-300\\1e-300",
            "abc\\def",
        ),
    ),
    "SliceThickness": ("DS", ("0", "-2.5", "nan", "1e308")),
    "SpacingBetweenSlices": ("DS", ("0", "-1", "nan", "1e308")),
    "ImagePositionPatient": (
        "DS",
        ("z=1e7", "z=1e200", "z=nan", "z=-inf", "1e308\\1e308\\1e308", "0\\0", ""),
    ),
    "ImageOrientationPatient": (
        "DS",
        (
            "0\\0\\0\\0\\0\\0",
            "1\\0\\0\\1\\0\\0",
            "nan\\0\\0\\0\\1\\0",
            "1e308\\0\\0\\0\\1e308\\0",
            "2\\0\\0\\0\\2\\0",
            "1\\0\\0",
        ),
    ),
    "RescaleSlope": ("DS", ("1e30", "0", "nan", "-1e30", "inf", "1e-30")),
    "RescaleIntercept": ("DS", ("1e30", "nan", "-1e308", "inf")),
    "InstanceNumber": ("IS", ("2147483648", "-1", "99999999999", "x")),
    "WindowWidth": ("DS", ("0", "-1", "nan")),
    "SOPClassUID": (
        "UI",
        (
            "1.2.3",
            "",
            "1.2.840.10008.5.1.4.1.1.88.11",
            "1.2.840.10008.1.3.10",
            "1.2.840.10008.5.1.4.1.1.66.4",
        ),
    ),
    "Modality": ("CS", ("", "SEG", "SR", "KO", "XX")),
    "SeriesInstanceUID": ("UI", ("", "1." * 40 + "1", "1.2\\3.4")),
    "SOPInstanceUID": ("UI", ("", "1.2.3", "9" * 65)),
    "FrameOfReferenceUID": ("UI", ("", "9.9.9")),
    "SpecificCharacterSet": ("CS", ("ISO_IR 999", "ISO 2022 IR 87", "\\\\\\")),
    "PixelPaddingValue": ("US", ((0,), (65535,))),
}
"""Values no scanner writes, per keyword (binary VRs as tuples of numbers)."""
IMPORTANT: Final = (
    "Rows",
    "Columns",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "PixelSpacing",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "SliceThickness",
    "RescaleSlope",
    "RescaleIntercept",
    "SeriesInstanceUID",
    "StudyInstanceUID",
    "SOPInstanceUID",
    "SOPClassUID",
    "Modality",
    "PixelData",
    "NumberOfFrames",
    "SharedFunctionalGroupsSequence",
    "PerFrameFunctionalGroupsSequence",
    "PixelMeasuresSequence",
    "PlanePositionSequence",
    "PlaneOrientationSequence",
    "FrameOfReferenceUID",
    "DirectoryRecordSequence",
    "ReferencedFileID",
)


@contextlib.contextmanager
def edited(target: Target) -> Iterator[Dataset]:
    """Read the target file with pydicom, let the caller change it, write it back."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(target.path, force=True)
        except (ValueError, TypeError, OSError, EOFError, struct.error) as exc:
            raise InapplicableError(f"pydicom cannot read it: {exc}") from exc
        yield ds
        buffer = io.BytesIO()
        try:
            ds.save_as(buffer)
        except (ValueError, TypeError, OverflowError, struct.error) as exc:
            raise InapplicableError(f"pydicom cannot write it: {exc}") from exc
    target.write(buffer.getvalue())


def encoding(ds: Dataset) -> tuple[bool, bool]:
    """Return the dataset's (implicit VR, little endian) as read."""
    implicit, little = ds.original_encoding
    return bool(implicit), little is not False


def put(ds: Dataset, where: Dataset, tag: int, vr: str, value: Value) -> None:
    """Write ``value`` into ``where`` (``ds`` or an item in it) as raw bytes."""
    implicit, little = encoding(ds)
    if isinstance(value, str):
        raw = value.encode("latin-1")
        if len(raw) % 2:
            raw += b"\0" if vr == "UI" else b" "
    elif isinstance(value, bytes):
        raw = value
    else:
        code = ("<" if little else ">") + BINARY[vr] * len(value)
        raw = struct.pack(code, *value)
    where[Tag(tag)] = RawDataElement(Tag(tag), vr, len(raw), raw, 0, implicit, little)


def holders(ds: Dataset, tag: int, path: str = "") -> list[tuple[Dataset, str]]:
    """Every dataset (the top level and items at any depth) holding ``tag``."""
    found = [(ds, path or "top level")] if tag in ds else []
    for element in ds:
        if element.VR == "SQ" and element.value:
            for index, item in enumerate(element.value):
                here = f"{path}.{element.keyword}[{index}]".lstrip(".")
                found.extend(holders(item, tag, here))
    return found


def _tag(keyword: str) -> BaseTag:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise KeyError(keyword)
    return Tag(tag)


def delete_tags(target: Target) -> str:
    """Delete one to six elements, anywhere, the ones the loader needs more often."""
    rng = target.rng
    with edited(target) as ds:
        gone = []
        for _ in range(rng.choice((1, 1, 2, 3, 6))):
            if rng.random() < 0.6:
                keyword = rng.choice(IMPORTANT)
                places = holders(ds, _tag(keyword))
                if places:
                    where, path = rng.choice(places)
                    del where[_tag(keyword)]
                    gone.append(f"{keyword} ({path})")
                    continue
            if ds.file_meta and rng.random() < 0.1:
                tag = rng.choice(sorted(ds.file_meta.keys()))
                del ds.file_meta[tag]
                gone.append(f"file meta {tag}")
                continue
            if not ds.keys():
                break
            tag = rng.choice(sorted(ds.keys()))
            keyword = pydicom.datadict.keyword_for_tag(tag) or str(tag)
            del ds[tag]
            gone.append(keyword)
    return "deleted " + ", ".join(gone)


def _with_z(where: Dataset, z: str) -> str:
    position = where.get("ImagePositionPatient")
    try:
        x, y = (str(float(v)) for v in list(position)[:2])
    except (TypeError, ValueError):
        x, y = "0", "0"
    return f"{x}\\{y}\\{z}"


def absurd_value(target: Target) -> str:
    """Write a value no scanner writes (``PixelSpacing nan``, ``Rows 65535``...)."""
    rng = target.rng
    with edited(target) as ds:
        keyword = rng.choice(sorted(ABSURD))
        vr, values = ABSURD[keyword]
        value = rng.choice(values)
        tag = _tag(keyword)
        places = holders(ds, tag) or [(ds, "top level, added")]
        where, path = rng.choice(places)
        if isinstance(value, str) and value.startswith("z="):
            value = _with_z(where, value[2:])
        put(ds, where, tag, vr, value)
    return f"{keyword} = {_show(value)} ({path})"


def _show(value: Value) -> str:
    if isinstance(value, tuple) and len(value) == 1:
        return str(value[0])
    return repr(value)


def number_of_frames(target: Target) -> str:
    """NumberOfFrames absurd (20,000, 0, -1, 2^31...), or per-frame items removed."""
    rng = target.rng
    with edited(target) as ds:
        if "PixelData" not in ds:
            raise InapplicableError("no pixel data")
        frames = int(ds.get("NumberOfFrames") or 1)
        per_frame = ds.get("PerFrameFunctionalGroupsSequence")
        if per_frame and len(per_frame) > 1 and rng.random() < 0.3:
            kept = rng.randrange(len(per_frame))
            ds.PerFrameFunctionalGroupsSequence = Sequence(list(per_frame)[:kept])
            return f"PerFrameFunctionalGroupsSequence cut to {kept} of {frames} items"
        value = rng.choice(
            (
                "20000",
                "0",
                "-1",
                "2147483648",
                "65536",
                "1000000000",
                "2.5",
                "",
                "abc",
                str(frames + 1),
                str(frames * 2),
            )
        )
        put(ds, ds, _tag("NumberOfFrames"), "IS", value)
    return f"NumberOfFrames = {value!r} (was {frames})"


def _neighbour(target: Target) -> Dataset:
    others = target.others()
    if not others:
        raise InapplicableError("a stack needs neighbours")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(
            target.rng.choice(others), force=True, stop_before_pixels=True
        )


def odd_slice(target: Target) -> str:
    """Make one slice of a stack unlike the others (position, size, UID, copies)."""
    rng = target.rng
    variant = rng.choice(
        (
            "z",
            "z",
            "orientation",
            "rows",
            "spacing",
            "same uid",
            "same position",
            "copy",
            "other series",
            "frame of reference",
            "slope",
        )
    )
    if variant == "copy":
        copy = target.path.with_name(target.path.name + "-copy")
        target.write(target.read(), copy)
        return f"{target.path.name} copied as {copy.name} (same SOP instance)"
    neighbour = _neighbour(target)
    with edited(target) as ds:
        if variant == "z":
            z = rng.choice(("1e7", "1e200", "-1e7", "nan", "1e-7"))
            position = _with_z(ds, z)
            put(ds, ds, _tag("ImagePositionPatient"), "DS", position)
            return f"one slice at z = {z}: ImagePositionPatient {position}"
        if variant == "orientation":
            cosines = rng.choice(("0\\1\\0\\0\\0\\-1", "1\\0\\0\\0\\0.9\\0.1"))
            put(ds, ds, _tag("ImageOrientationPatient"), "DS", cosines)
            return f"one slice with ImageOrientationPatient {cosines}"
        if variant in ("rows", "spacing"):
            keyword = "Rows" if variant == "rows" else "PixelSpacing"
            value: Value = (
                (int(ds.get("Rows") or 2) // 2,) if variant == "rows" else "0.3\\0.3"
            )
            put(ds, ds, _tag(keyword), "US" if variant == "rows" else "DS", value)
            return f"one slice with {keyword} {_show(value)}"
        if variant == "same uid":
            ds.SOPInstanceUID = neighbour.SOPInstanceUID
            return f"one slice with its neighbour's SOPInstanceUID {ds.SOPInstanceUID}"
        if variant == "same position":
            ds.ImagePositionPatient = neighbour.get("ImagePositionPatient")
            ds.SOPInstanceUID = pydicom.uid.generate_uid(
                entropy_srcs=[str(rng.random())]
            )
            return "one slice (new SOP instance) at its neighbour's position"
        if variant == "other series":
            ds.SeriesInstanceUID = pydicom.uid.generate_uid(
                entropy_srcs=[str(rng.random())]
            )
            return "one slice moved to a series of its own (same number, description)"
        if variant == "frame of reference":
            put(ds, ds, _tag("FrameOfReferenceUID"), "UI", "1.2.3.4.5")
            return "one slice with another FrameOfReferenceUID"
        put(ds, ds, _tag("RescaleSlope"), "DS", "3.5")
        return "one slice with RescaleSlope 3.5"


def modality_lut(target: Target) -> str:
    """Add a Modality LUT Sequence whose descriptor does not fit its data."""
    rng = target.rng
    descriptor = rng.choice(
        (
            (4096, 0, 16),
            (0, 0, 16),
            (10, 0, 16),
            (65535, 0, 8),
            (4096, 65535, 16),
            (4096, 0, 0),
            (4096, 0, 7),
            (4096, 0, 40),
            (4096, 0),
            (1, 0, 16, 5),
        )
    )
    entries = rng.choice((4096, 10, 0, 65536, 3))
    data = bytes(rng.randrange(256) for _ in range(min(entries, 64))) * (
        max(1, entries // 64)
    )
    data = data[: entries * 2] + (b"\0" if rng.random() < 0.2 else b"")
    with edited(target) as ds:
        item = Dataset()
        put(ds, item, 0x00283002, "US", descriptor)
        item.ModalityLUTType = rng.choice(("HU", "", "US"))
        if rng.random() < 0.9:
            put(ds, item, 0x00283006, "OW", data + (b"\0" if len(data) % 2 else b""))
        ds.ModalityLUTSequence = Sequence(rng.choice(([item], [item, item], [])))
        dropped = rng.random() < 0.5
        if dropped:
            for keyword in ("RescaleSlope", "RescaleIntercept"):
                if keyword in ds:
                    delattr(ds, keyword)
    return (
        f"ModalityLUTSequence with LUTDescriptor {descriptor}, {len(data)} bytes of "
        f"LUTData, {len(ds.ModalityLUTSequence)} items"
        + ("; rescale removed" if dropped else "; rescale kept")
    )


def pixel_data_length(target: Target) -> str:
    """Native pixel data cut short, emptied, made odd, or doubled."""
    rng = target.rng
    with edited(target) as ds:
        syntax = ds.file_meta.get("TransferSyntaxUID") if ds.file_meta else None
        if "PixelData" not in ds or (syntax is not None and syntax.is_compressed):
            raise InapplicableError("no native pixel data")
        pixels = bytes(ds.PixelData)
        size = rng.choice(
            (
                len(pixels) // 2,
                len(pixels) - 1,
                len(pixels) - 2,
                0,
                1,
                len(pixels) * 2,
                len(pixels) + 1,
            )
        )
        new = (pixels * 2)[:size]
        vr = str(ds["PixelData"].VR or "")
        put(ds, ds, 0x7FE00010, vr if len(vr) == 2 else "OW", new)
    return f"PixelData {size} bytes (was {len(pixels)})"
