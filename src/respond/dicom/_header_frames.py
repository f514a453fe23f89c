"""The pixel module and each frame of one file's header, read into plain values.

:func:`_pixels` checks what a file's pixel module and Pixel Data element show
(its pixel format, where native pixels start, how many frames the data holds,
and what is wrong with any of it); :func:`_frames` builds one
:class:`~respond.dicom.model.FrameRef` per frame, with what its own values show
(spacing, rescale, Modality LUT, truncation) as header findings. The small value
readers here (:func:`_text`, :func:`_float` ...) are shared with
:mod:`respond.dicom._header`, which assembles the file's header from them.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import pydicom
from pydicom.uid import UID

from respond.dicom._codecs import NATIVE
from respond.dicom._fastheader import PIXEL_TAGS, element_span
from respond.dicom._pixelcheck import (
    MAX_FRAMES,
    PIXEL_MODULE,
    TRANSFORM,
    count_problem,
    error_finding,
    first_item,
    lossy_finding,
    lut_finding,
    lut_group,
    module_problem,
    shown,
    to_int,
    vr_problem,
)
from respond.dicom._rescale import MAX_RESCALE
from respond.dicom.model import (
    DicomFinding,
    FileStamp,
    FrameRef,
    PixelFormat,
    Severity,
)

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset

# A pixel wider than 50 mm would make a 512-pixel image 25 m across, and one
# under 1 micrometre is finer than any CT, MR or micro-CT: either is a damaged
# PixelSpacing, and a length measured with it would be wrong.
PIXEL_MM_RANGE: Final = (0.001, 50.0)
_RESCALE = ("RescaleSlope", "RescaleIntercept")


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    return str(value).strip()


def _opt_text(ds: Dataset, keyword: str) -> str | None:
    text = _text(ds, keyword)
    return text or None


def _upper_values(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple | pydicom.multival.MultiValue):
        return tuple(str(v).upper() for v in value)
    return (str(value).upper(),) if value else ()


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _floats(value: Any, count: int) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        numbers = tuple(map(float, value))
    except (TypeError, ValueError):
        return None
    if len(numbers) != count or not all(map(math.isfinite, numbers)):
        return None
    return numbers


@functools.lru_cache(maxsize=256)
def _class_name(sop_class: str) -> str:
    """Return a SOP class's name (a few classes per scan: looked up once each)."""
    return UID(sop_class).name if sop_class else ""


def _group_value(
    per_frame: Dataset | None, shared: Dataset | None, sequence: str, keyword: str
) -> Any:
    for group in (per_frame, shared):
        item = first_item(group, sequence)
        if item is not None and keyword in item:
            return item.get(keyword)
    return None


class _Pixels(NamedTuple):
    """One file's pixel settings, checked: what its frames share.

    A named tuple, not a dataclass: one is built per file, in the scan's loop.
    """

    tsyntax: str
    pixel_format: PixelFormat | None
    offset: int | None
    present: bool
    stamp: FileStamp | None
    rows: int
    columns: int
    frames: int
    is_refused: bool
    """An error: list no more frames than the functional groups describe."""
    frame_bytes: int
    """Bytes of one native frame, to find frames cut short (0: not checked)."""
    findings: tuple[DicomFinding, ...]
    series_uid: str


# --- what one frame's header shows -------------------------------------------------


def _frame_type(
    per_frame: Dataset | None, shared: Dataset | None, fallback: tuple[str, ...]
) -> tuple[str, ...]:
    """Return an enhanced frame's FrameType, ComplexImageComponent and ASLContext.

    Each is taken from the first item of any sequence of the frame's functional
    groups (the MR, CT, PET ... frame type sequences hold them), per frame first.
    """
    found: dict[str, Any] = {}
    for group in (per_frame, shared):
        for element in group or ():
            if element.VR == "SQ" and element.value:
                item = element.value[0]
                for keyword in ("FrameType", "ComplexImageComponent", "ASLContext"):
                    if keyword not in found and keyword in item:
                        found[keyword] = item.get(keyword)
    if not found:
        return fallback
    kind = _upper_values(found["FrameType"]) if "FrameType" in found else fallback
    extra = (found.get("ComplexImageComponent"), found.get("ASLContext"))
    return kind + tuple(str(v).upper() for v in extra if v)


def _usable_spacing(raw: Any) -> tuple[float, ...] | None:
    """Return the pixel spacing if it is one (two numbers within range)."""
    spacing = None if raw is None else _floats(raw, 2)
    low, high = PIXEL_MM_RANGE
    if spacing is None or not (low <= spacing[0] <= high and low <= spacing[1] <= high):
        return None
    return spacing


def _bad_rescale(raw: Any, value: float | None) -> bool:
    if value is None:
        return raw is not None and shown(raw) != ""
    return abs(value) > MAX_RESCALE


def _cut_short(pixels: _Pixels, index: int | None) -> int:
    """Return how many bytes of the frame's native pixels the file lacks."""
    if pixels.offset is None or not pixels.frame_bytes or pixels.stamp is None:
        return 0
    end = pixels.offset + ((index or 0) + 1) * pixels.frame_bytes
    return max(0, end - pixels.stamp[1])


def _frame_findings(
    path: Path, index: int | None, pixels: _Pixels, raw: dict[str, Any]
) -> tuple[DicomFinding, ...]:
    """Return what a frame's own values show: spacing, rescale, LUT, truncation.

    ``raw`` holds the frame's PixelSpacing, RescaleSlope and RescaleIntercept as
    written, and the group holding its Modality LUT Sequence (``lut``).
    """
    name = path.name if index is None else f"{path.name} frame {index + 1}"
    uid = pixels.series_uid
    found = []
    spacing = raw["PixelSpacing"]
    if spacing is not None and _usable_spacing(spacing) is None:
        low, high = PIXEL_MM_RANGE
        found.append(
            error_finding(
                "bad_pixel_spacing",
                name,
                f"PixelSpacing {shown(spacing)!r} is not a pixel size ({low:g} to "
                f"{high:g} mm): the image shows, but lengths in mm would be wrong, "
                "so it is not measurable",
                uid,
            )
        )
    if raw["lut"] is not None:
        found.append(lut_finding(raw["lut"], name, uid))
    for keyword in () if raw["lut"] is not None else _RESCALE:
        if _bad_rescale(raw[keyword], _float(raw[keyword])):
            found.append(
                error_finding(
                    "bad_rescale",
                    name,
                    f"{keyword} {shown(raw[keyword])!r} is not a number within "
                    f"+/-{MAX_RESCALE:g}: the values (HU) cannot be computed, so the "
                    "image cannot be shown",
                    uid,
                )
            )
            break
    short = _cut_short(pixels, index)
    if short:
        found.append(
            DicomFinding(
                "truncated_pixel_data",
                Severity.WARNING,
                f"{name}: the file ends {short:,} bytes before its pixel data does",
                uid,
            )
        )
    return tuple(found)


def _frame(
    path: Path,
    ds: Dataset,
    index: int | None,
    groups: tuple[Dataset | None, Dataset | None],
    pixels: _Pixels,
    image_type: tuple[str, ...],
) -> FrameRef:
    per_frame, shared = groups
    is_enhanced = per_frame is not None or shared is not None

    def pick(sequence: str, keyword: str) -> Any:
        if not is_enhanced:  # an ordinary file
            return ds.get(keyword)
        value = _group_value(per_frame, shared, sequence, keyword)
        return ds.get(keyword) if value is None else value

    raw = {
        "PixelSpacing": pick("PixelMeasuresSequence", "PixelSpacing"),
        "RescaleSlope": pick(TRANSFORM, "RescaleSlope"),
        "RescaleIntercept": pick(TRANSFORM, "RescaleIntercept"),
        "lut": lut_group(ds, per_frame, shared),
    }
    spacing = _usable_spacing(raw["PixelSpacing"])
    slope, intercept = _float(raw["RescaleSlope"]), _float(raw["RescaleIntercept"])
    findings = pixels.findings
    if (
        (spacing is None and raw["PixelSpacing"] is not None)
        or raw["lut"] is not None
        or _bad_rescale(raw["RescaleSlope"], slope)
        or _bad_rescale(raw["RescaleIntercept"], intercept)
        or _cut_short(pixels, index)
    ):
        findings += _frame_findings(path, index, pixels, raw)
    content = first_item(per_frame, "FrameContentSequence")
    temporal = None if content is None else to_int(content.get("TemporalPositionIndex"))
    if temporal is None:
        temporal = to_int(ds.get("TemporalPositionIdentifier"))
    return FrameRef(
        path=path,
        frame=index,
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        position=_floats(pick("PlanePositionSequence", "ImagePositionPatient"), 3),  # type: ignore[arg-type]
        orientation=_floats(
            pick("PlaneOrientationSequence", "ImageOrientationPatient"), 6
        ),  # type: ignore[arg-type]
        pixel_spacing=spacing,  # type: ignore[arg-type]
        slice_thickness=_float(pick("PixelMeasuresSequence", "SliceThickness")),
        rescale_slope=1.0 if slope is None or slope == 0 else slope,
        rescale_intercept=0.0 if intercept is None else intercept,
        instance_number=to_int(ds.get("InstanceNumber")),
        acquisition_number=to_int(ds.get("AcquisitionNumber")),
        temporal_index=temporal,
        transfer_syntax=pixels.tsyntax,
        pixel_format=pixels.pixel_format,
        pixel_offset=pixels.offset,
        rows=pixels.rows,
        columns=pixels.columns,
        has_pixels=pixels.present,
        file_stamp=pixels.stamp,
        modality_lut=raw["lut"] is not None,
        image_type=_frame_type(per_frame, shared, image_type)
        if is_enhanced
        else image_type,
        stack_id=None if content is None else _opt_text(content, "StackID"),
        header_findings=findings,
    )


def _frames(
    path: Path, ds: Dataset, pixels: _Pixels, image_type: tuple[str, ...]
) -> tuple[FrameRef, ...]:
    shared = first_item(ds, "SharedFunctionalGroupsSequence")
    per_frame_items = ds.get("PerFrameFunctionalGroupsSequence")
    count = pixels.frames
    if pixels.is_refused:  # never thousands of frames a damaged header invents
        count = min(count, max(1, len(per_frame_items or ())))
    if count <= 1 and not per_frame_items:
        return (_frame(path, ds, None, (None, shared), pixels, image_type),)
    frames = []
    for index in range(count):
        per_frame = None
        if per_frame_items is not None and index < len(per_frame_items):
            per_frame = per_frame_items[index]
        frames.append(_frame(path, ds, index, (per_frame, shared), pixels, image_type))
    return tuple(frames)


# --- what one file's pixel module and Pixel Data element show -----------------------


def _pixels(path: Path, ds: Dataset, tsyntax: str, stamp: FileStamp | None) -> _Pixels:
    tag = None
    for candidate in PIXEL_TAGS:
        if candidate in ds:
            tag = candidate
            break
    offset, length = element_span(
        None if tag is None else ds.get_item(tag, keep_deferred=True)
    )
    values = {k: to_int(ds.get(k)) for k in PIXEL_MODULE}
    photometric = _text(ds, "PhotometricInterpretation").upper()
    rows, columns = values["Rows"] or 0, values["Columns"] or 0
    uid = _text(ds, "SeriesInstanceUID")
    bits = values["BitsAllocated"]
    fmt = None
    if bits:
        fmt = PixelFormat(
            bits_allocated=bits,
            bits_stored=values["BitsStored"] or bits,
            pixel_representation=values["PixelRepresentation"] or 0,
            samples_per_pixel=values["SamplesPerPixel"] or 1,
            photometric=photometric,
        )
    raw_frames = ds.get("NumberOfFrames")
    claimed = max(1, to_int(raw_frames) or 1)
    problem = None
    if tag is not None:
        problem = vr_problem(ds, path, uid) or module_problem(
            values, photometric, tag, path, uid
        )
    if problem is None and shown(raw_frames) and (to_int(raw_frames) or 0) < 1:
        problem = error_finding(
            "frame_count",
            path.name,
            f"NumberOfFrames {shown(raw_frames)[:20]!r} is not a number of frames: "
            "the header is damaged, so the file cannot be shown",
            uid,
        )
    frame_bytes = rows * columns * bits // 8 if bits and not problem else 0
    if tag is not None and problem is None:
        size = 0 if stamp is None else stamp[1]
        span = (offset, length)
        problem = count_problem(path, claimed, frame_bytes, span, (tsyntax, size, uid))
    native = tsyntax in NATIVE or not tsyntax
    lossy = lossy_finding(ds, uid)
    findings: tuple[DicomFinding, ...] = () if problem is None else (problem,)
    return _Pixels(
        tsyntax,
        fmt,
        offset if native and length is not None else None,
        tag is not None,
        stamp,
        rows,
        columns,
        min(claimed, MAX_FRAMES),
        tag is None or problem is not None,
        frame_bytes if native and problem is None else 0,
        findings if lossy is None else (*findings, lossy),
        uid,
    )
