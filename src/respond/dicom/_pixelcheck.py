"""Checks of a file's pixel module, Pixel Data element and Modality LUT.

What the header already shows decides whether a file can be shown at all
(:mod:`respond.dicom._header` turns each problem into a finding): an Image
Pixel module that gives no integer greyscale values, pixel data whose length
does not fit the declared rows, columns and frames, more frames than the file
can hold, a malformed Modality LUT, and LossyImageCompression.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import pydicom
from pydicom.uid import DeflatedExplicitVRLittleEndian

from respond.dicom._codecs import NATIVE, syntax_name
from respond.dicom._fastheader import PIXEL_TAGS, count_fragments, element_span
from respond.dicom.model import DicomFinding, Severity

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset

__all__ = [
    "GREYSCALE",
    "LUT",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_SIDE_PX",
    "PIXEL_MODULE",
    "TRANSFORM",
    "count_problem",
    "error_finding",
    "first_item",
    "lossy_finding",
    "lut_finding",
    "lut_group",
    "lut_problem",
    "module_problem",
    "shown",
    "to_int",
    "vr_problem",
]

# A damaged header can claim any number of frames; no real series has more.
MAX_FRAMES = 20000

# The largest image side, and image, any CT, MR or radiograph has (a 43 cm
# detector at 0.1 mm is 4300 pixels): beyond these the header is damaged.
MAX_SIDE_PX: Final = 16384

MAX_PIXELS: Final = 1 << 26

GREYSCALE = frozenset({"MONOCHROME1", "MONOCHROME2"})

PIXEL_MODULE = (
    "Rows",
    "Columns",
    "SamplesPerPixel",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
)

# Rows and Columns missing are a bad image size, HighBit missing no harm.
REQUIRED = frozenset(PIXEL_MODULE) - {"Rows", "Columns", "HighBit"}

UNCOMPRESSED = NATIVE | {"", DeflatedExplicitVRLittleEndian}

LUT = "ModalityLUTSequence"

TRANSFORM = "PixelValueTransformationSequence"


def shown(value: Any) -> str:
    """Return a header value as written, several values joined by backslashes."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | pydicom.multival.MultiValue):
        return "\\".join(str(v).strip() for v in value)
    return str(value).strip()


def to_int(value: Any) -> int | None:
    if value is None:  # most absent values: no exception to raise and catch
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def first_item(ds: Dataset | None, sequence: str) -> Dataset | None:
    if ds is None:
        return None
    items = ds.get(sequence)
    if not items:
        return None
    try:
        return items[0]  # type: ignore[no-any-return]
    except (IndexError, TypeError):
        return None


def error_finding(code: str, name: str, message: str, uid: str) -> DicomFinding:
    return DicomFinding(code, Severity.ERROR, f"{name}: {message}", uid)


def lut_problem(item: Dataset) -> str:
    """Return why a Modality LUT item cannot be applied ("" when it can)."""
    try:
        descriptor = [int(v) for v in item.get("LUTDescriptor")]
    except (TypeError, ValueError):
        return "LUTDescriptor missing or not numbers"
    if len(descriptor) != 3 or descriptor[2] not in (8, 16):
        return f"LUTDescriptor {descriptor}: not 3 values ending in 8 or 16 bits"
    entries, bits = descriptor[0] % 65536 or 65536, descriptor[2]  # 0: 65536
    element = item.get_item(0x00283006, keep_deferred=True)
    size = element_span(element)[1]
    if size is None and element is not None:  # read already: US values
        size = 2 * len(element.value or ())
    if size not in {2 * entries} | ({entries, entries + 1} if bits == 8 else set()):
        return f"LUTData of {size} bytes for {entries} entries of {bits} bits"
    return ""


def lut_group(
    ds: Dataset, per_frame: Dataset | None, shared: Dataset | None
) -> Dataset | None:
    """Return where the frame's Modality LUT Sequence is, if it has one."""
    if per_frame is None and shared is None:
        return ds if LUT in ds else None
    groups = (
        per_frame,
        first_item(per_frame, TRANSFORM),
        shared,
        first_item(shared, TRANSFORM),
        ds,
    )
    return next((g for g in groups if g is not None and LUT in g), None)


def lut_finding(group: Dataset, name: str, uid: str) -> DicomFinding:
    sequence = group.get(LUT)
    problem = lut_problem(sequence[0]) if sequence else "empty sequence"
    if problem:
        return error_finding(
            "bad_modality_lut",
            name,
            f"the Modality LUT (0028,3000) is malformed ({problem}): the values "
            "cannot be computed, so the image cannot be shown",
            uid,
        )
    return DicomFinding(
        "modality_lut",
        Severity.INFO,
        "values come from the Modality LUT (0028,3000) in the files, not from a "
        "rescale slope and intercept",
        uid,
    )


def vr_problem(ds: Any, path: Path, uid: str) -> DicomFinding | None:
    """Return the finding for Image Pixel module numbers stored with another VR.

    Rows, Columns, bits and sign are unsigned shorts (US). A damaged copy that
    stores one as text or as a float is read one way by respond's header
    reader and another way, or not at all, by the decoders, so it is refused.
    """
    if not isinstance(ds, pydicom.Dataset):
        return None  # the fast reader reads US elements only (else pydicom does)
    wrong = []
    for keyword in PIXEL_MODULE:
        if keyword in ds:
            vr = ds.data_element(keyword).VR  # type: ignore[union-attr]
            if vr not in ("US", "US or SS"):
                wrong.append(f"{keyword} as {vr}")
    if not wrong:
        return None
    return error_finding(
        "bad_pixel_format",
        path.name,
        f"the Image Pixel module stores {', '.join(wrong)} where DICOM stores an "
        "unsigned short (US): the header is damaged, so the image cannot be shown",
        uid,
    )


def module_problem(
    values: dict[str, int | None], photometric: str, tag: int, path: Path, uid: str
) -> DicomFinding | None:
    """Return why the Image Pixel module cannot give greyscale CT or MR values."""
    rows, columns, samples, bits, stored, high, sign = values.values()
    if (  # the usual case first, in one test
        samples == 1
        and photometric in GREYSCALE
        and tag == PIXEL_TAGS[0]
        and rows
        and columns
        and 0 < rows <= MAX_SIDE_PX
        and 0 < columns <= MAX_SIDE_PX
        and rows * columns <= MAX_PIXELS
        and bits in (8, 16, 32)
        and stored
        and 1 <= stored <= bits
        and (high is None or high == stored - 1)
        and sign in (0, 1)
    ):
        return None
    name = path.name
    missing = [k for k, v in values.items() if v is None and k in REQUIRED]
    if missing or not photometric:
        return error_finding(
            "no_pixel_module",
            name,
            f"no complete Image Pixel module ({', '.join(missing) or 'photometric'} "
            "missing): the pixels cannot be interpreted, so the image cannot be shown",
            uid,
        )
    if samples != 1 or photometric not in GREYSCALE:
        return error_finding(
            "colour_image",
            name,
            f"colour image ({photometric}, {samples} samples per pixel): respond "
            "shows greyscale CT and MR only, so it cannot be shown",
            uid,
        )
    if not (0 < (rows or 0) <= MAX_SIDE_PX and 0 < (columns or 0) <= MAX_SIDE_PX) or (
        (rows or 0) * (columns or 0) > MAX_PIXELS
    ):
        return error_finding(
            "bad_image_size",
            name,
            f"Rows {rows} x Columns {columns} is no real image (1 to {MAX_SIDE_PX} "
            "a side): the header is damaged, so the image cannot be shown",
            uid,
        )
    if (
        bits not in (8, 16, 32)
        or not 1 <= (stored or 0) <= bits
        or high not in (None, (stored or 0) - 1)
        or sign not in (0, 1)
        or tag != PIXEL_TAGS[0]
    ):
        return error_finding(
            "bad_pixel_format",
            name,
            f"BitsAllocated {bits}, BitsStored {stored}, HighBit {high}, "
            f"PixelRepresentation {sign} (or float pixels): no integer greyscale "
            "format; read as it is the values would be wrong, so it cannot be shown",
            uid,
        )
    return None


def count_problem(
    path: Path,
    claimed: int,
    frame_bytes: int,
    span: tuple[int | None, int | None],
    facts: tuple[str, int, str],
) -> DicomFinding | None:
    """Return why the pixel data does not hold the frames the header claims."""
    tsyntax, size, uid = facts
    offset, length = span
    if claimed > MAX_FRAMES:
        return error_finding(
            "frame_count",
            path.name,
            f"NumberOfFrames {claimed}: more than respond reads from one file "
            f"({MAX_FRAMES}); the header is damaged, so the file cannot be shown",
            uid,
        )
    if length is not None and tsyntax not in UNCOMPRESSED:
        return error_finding(
            "pixel_data_length",
            path.name,
            f"the pixel data has a length ({length:,} bytes), but "
            f"{syntax_name(tsyntax)} keeps it in compressed fragments: the file is "
            "damaged, so it cannot be shown",
            uid,
        )
    if length is None and tsyntax in UNCOMPRESSED:
        return error_finding(
            "pixel_data_length",
            path.name,
            f"the pixel data is kept in compressed fragments (undefined length), but "
            f"{syntax_name(tsyntax)} stores it uncompressed: the file's transfer "
            "syntax or pixel data is damaged, so it cannot be shown",
            uid,
        )
    if length is not None:  # native (or deflated): the length must fit exactly
        expected = frame_bytes * claimed
        if expected <= length <= expected + 1:
            return None  # one byte pads an odd length
        return error_finding(
            "pixel_data_length",
            path.name,
            f"the pixel data holds {length:,} bytes, but {claimed} frame(s) of the "
            f"size the header gives need {expected:,}: Rows, Columns, bits or "
            "NumberOfFrames are damaged, so the file cannot be shown",
            uid,
        )
    found = None
    if claimed > 1 and offset is not None and tsyntax != DeflatedExplicitVRLittleEndian:
        found = count_fragments(path, offset, size, claimed)
    if found is None:  # unknown: each frame needs an 8-byte item header at least
        found = size // 8 if size else claimed
    if found >= claimed:
        return None
    return error_finding(
        "frame_count",
        path.name,
        f"NumberOfFrames {claimed}, but the compressed pixel data holds {found} "
        "fragment(s): the header is damaged, so the file cannot be shown",
        uid,
    )


def lossy_finding(ds: Dataset, uid: str) -> DicomFinding | None:
    """Return the lossy finding LossyImageCompression 01 gives, whatever the syntax."""
    if shown(ds.get("LossyImageCompression")) != "01":
        return None
    ratio = shown(ds.get("LossyImageCompressionRatio"))
    method = shown(ds.get("LossyImageCompressionMethod"))
    details = [
        f"ratio {ratio}:1" if ratio else "",
        f"method {method}" if method else "",
    ]
    said = ", ".join(d for d in details if d)
    return DicomFinding(
        "lossy_compression",
        Severity.WARNING,
        f"LossyImageCompression 01{f' ({said})' if said else ''}: the images "
        "were lossy-compressed once, whatever syntax holds them now; lesion edges "
        "may be blurred, prefer the original images for measuring",
        uid,
    )
