"""Read one file's DICOM header into plain values (no pixels).

Reading is lenient: a file with odd values still gives a header (values that
cannot be parsed become ``None``); a file that is not DICOM, or is too damaged to
parse, gives an :class:`Unreadable` with the reason.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

from respond.dicom._codecs import NATIVE
from respond.dicom._fastheader import FIRST_READ, PIXEL_TAGS, read_fast_from, read_fully
from respond.dicom.model import FileStamp, FrameRef, PixelFormat

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
_LOCALIZER_WORDS = frozenset(
    {"LOCALIZER", "LOCALISER", "SCOUT", "PILOT", "SURVEY", "TOPOGRAM", "SCANOGRAM"}
)
# A damaged header can claim any number of frames; no real series has more.
MAX_FRAMES = 20000
# Values longer than this are not read during the scan (pixel data above all);
# the element's file offset is kept so the loader can read pixels directly.
DEFER_BYTES = 4096
_NON_IMAGE_KINDS = (
    ("Segmentation", "SEG"),
    ("SR Storage", "SR"),
    ("Document", "SR"),
    ("Presentation State", "PR"),
    ("Key Object Selection", "KO"),
    ("RT Structure Set", "RTSTRUCT"),
    ("RT Plan", "RTPLAN"),
    ("RT Dose", "RTDOSE"),
    ("Raw Data", "RAW"),
    ("Waveform", "WAVEFORM"),
    ("Encapsulated PDF", "PDF"),
    ("Registration", "REG"),
    ("Media Storage Directory", "DICOMDIR"),
)
_NON_IMAGE_MODALITIES = {
    "SR": "SR",
    "SEG": "SEG",
    "PR": "PR",
    "KO": "KO",
    "RTSTRUCT": "RTSTRUCT",
    "RTPLAN": "RTPLAN",
    "RTDOSE": "RTDOSE",
    "REG": "REG",
    "DOC": "PDF",
}


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file that is not DICOM or could not be parsed."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Header:
    """The header fields the scan needs, for one file."""

    path: Path
    sop_class: str
    sop_class_name: str
    sop_instance_uid: str
    transfer_syntax: str
    patient_id: str
    patient_name: str
    study_uid: str
    study_date: str
    study_time: str
    study_description: str
    series_uid: str
    series_number: int | None
    series_description: str
    protocol: str
    modality: str
    image_type: tuple[str, ...]
    rows: int
    columns: int
    has_pixels: bool
    contrast_agent: str | None
    contrast_route: str | None
    contrast_start: str | None
    acquisition_time: str | None
    series_time: str | None
    content_time: str | None
    gantry_tilt: float | None
    frames: tuple[FrameRef, ...]
    patient_birth_date: str = ""
    patient_sex: str = ""

    @property
    def non_image_kind(self) -> str | None:
        """What kind of non-image object this is, or ``None`` for an image."""
        for fragment, kind in _NON_IMAGE_KINDS:
            if fragment in self.sop_class_name:
                return kind
        if self.modality in _NON_IMAGE_MODALITIES:
            return _NON_IMAGE_MODALITIES[self.modality]
        return None

    @property
    def is_localizer(self) -> bool:
        """A scout or localizer image (by ImageType or the series description)."""
        if any(v in ("LOCALIZER", "SCOUT") for v in self.image_type):
            return True
        words = set(self.series_description.upper().replace("_", " ").split())
        return bool(words & _LOCALIZER_WORDS)


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    return str(value).strip()


def _opt_text(ds: Dataset, keyword: str) -> str | None:
    text = _text(ds, keyword)
    return text or None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _floats(value: Any, count: int) -> tuple[float, ...] | None:
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        return None
    return numbers


def _first(ds: Dataset | None, sequence: str) -> Dataset | None:
    if ds is None:
        return None
    items = ds.get(sequence)
    if not items:
        return None
    try:
        return items[0]  # type: ignore[no-any-return]
    except (IndexError, TypeError):
        return None


def _group_value(
    per_frame: Dataset | None, shared: Dataset | None, sequence: str, keyword: str
) -> Any:
    for group in (per_frame, shared):
        item = _first(group, sequence)
        if item is not None and keyword in item:
            return item.get(keyword)
    return None


@dataclass(frozen=True, slots=True)
class _Pixels:
    tsyntax: str
    pixel_format: PixelFormat | None
    offset: int | None
    present: bool = True
    stamp: FileStamp | None = None


def _frame(
    path: Path,
    ds: Dataset,
    index: int | None,
    groups: tuple[Dataset | None, Dataset | None],
    pixels: _Pixels,
) -> FrameRef:
    per_frame, shared = groups

    def pick(sequence: str, keyword: str) -> Any:
        if per_frame is None and shared is None:  # an ordinary file
            return ds.get(keyword)
        value = _group_value(per_frame, shared, sequence, keyword)
        return ds.get(keyword) if value is None else value

    position = _floats(pick("PlanePositionSequence", "ImagePositionPatient"), 3)
    orientation = _floats(
        pick("PlaneOrientationSequence", "ImageOrientationPatient"), 6
    )
    spacing = _floats(pick("PixelMeasuresSequence", "PixelSpacing"), 2)
    thickness = _float(pick("PixelMeasuresSequence", "SliceThickness"))
    slope = _float(pick("PixelValueTransformationSequence", "RescaleSlope"))
    intercept = _float(pick("PixelValueTransformationSequence", "RescaleIntercept"))
    content = _first(per_frame, "FrameContentSequence")
    temporal = None if content is None else _int(content.get("TemporalPositionIndex"))
    if temporal is None:
        temporal = _int(ds.get("TemporalPositionIdentifier"))
    return FrameRef(
        path=path,
        frame=index,
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        position=position,  # type: ignore[arg-type]
        orientation=orientation,  # type: ignore[arg-type]
        pixel_spacing=spacing,  # type: ignore[arg-type]
        slice_thickness=thickness,
        rescale_slope=1.0 if slope is None or slope == 0 else slope,
        rescale_intercept=0.0 if intercept is None else intercept,
        instance_number=_int(ds.get("InstanceNumber")),
        acquisition_number=_int(ds.get("AcquisitionNumber")),
        temporal_index=temporal,
        transfer_syntax=pixels.tsyntax,
        pixel_format=pixels.pixel_format,
        pixel_offset=pixels.offset,
        rows=_int(ds.get("Rows")) or 0,
        columns=_int(ds.get("Columns")) or 0,
        has_pixels=pixels.present,
        file_stamp=pixels.stamp,
    )


def _frames(path: Path, ds: Dataset, pixels: _Pixels) -> tuple[FrameRef, ...]:
    count = min(_int(ds.get("NumberOfFrames")) or 1, MAX_FRAMES)
    shared = _first(ds, "SharedFunctionalGroupsSequence")
    per_frame_items = ds.get("PerFrameFunctionalGroupsSequence")
    if count <= 1 and not per_frame_items:
        return (_frame(path, ds, None, (None, shared), pixels),)
    frames = []
    for index in range(count):
        per_frame = None
        if per_frame_items is not None and index < len(per_frame_items):
            per_frame = per_frame_items[index]
        frames.append(_frame(path, ds, index, (per_frame, shared), pixels))
    return tuple(frames)


def _pixels(ds: Dataset, tsyntax: str, stamp: FileStamp | None) -> _Pixels:
    element = None
    for tag in PIXEL_TAGS:
        if tag in ds:
            element = ds.get_item(tag)
            break
    fmt = None
    bits = _int(ds.get("BitsAllocated"))
    if bits:
        fmt = PixelFormat(
            bits_allocated=bits,
            bits_stored=_int(ds.get("BitsStored")) or bits,
            pixel_representation=_int(ds.get("PixelRepresentation")) or 0,
            samples_per_pixel=_int(ds.get("SamplesPerPixel")) or 1,
            photometric=_text(ds, "PhotometricInterpretation").upper(),
        )
    offset = None
    if element is not None and (tsyntax in NATIVE or not tsyntax):
        tell = getattr(element, "file_tell", None)
        if isinstance(tell, int) and not getattr(element, "is_undefined_length", False):
            offset = tell
    return _Pixels(tsyntax, fmt, offset, element is not None, stamp)


def read_header(path: Path) -> Header | Unreadable:
    """Read a file's header without its pixels.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Header or Unreadable
        The header, or why the file is not a readable DICOM file.
    """
    try:
        # One open serves the preamble check and the fast path's parse.
        with open(path, "rb", buffering=0) as stream:
            stamp = file_stamp(stream)
            head = read_fully(stream, FIRST_READ)
            has_preamble = head[128:132] == b"DICM"
            fast = read_fast_from(stream, head, stamp[1]) if has_preamble else None
        if fast is not None:
            return _header(path, fast, stamp)  # type: ignore[arg-type]
        ds = pydicom.dcmread(path, force=True, defer_size=DEFER_BYTES)
        if not has_preamble and not _looks_like_dicom(ds):
            return Unreadable(path, "not a DICOM file")
        return _header(path, ds, stamp)
    except InvalidDicomError as exc:
        return Unreadable(path, f"not a DICOM file ({exc})")
    except OSError as exc:
        return Unreadable(path, f"cannot be read ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - any damage in a file becomes a reason
        return Unreadable(path, f"damaged DICOM file ({type(exc).__name__}: {exc})")


def _looks_like_dicom(ds: Dataset) -> bool:
    try:
        return bool(ds.get("SOPClassUID")) or (
            bool(ds.get("StudyInstanceUID")) and bool(ds.get("Modality"))
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return False


def file_stamp(stream: BinaryIO) -> FileStamp:
    """Return an open file's (inode, size in bytes, mtime in ns, ctime in ns).

    All four come from one ``fstat``. Size and modification time alone miss a
    file replaced by ``cp -p``, ``rsync -t`` or tar (same size, same time
    restored); the inode changes when a file is replaced by another, and the
    status change time (ctime) on every write, even one that restores mtime.
    """
    status = os.fstat(stream.fileno())
    return status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


def _header(path: Path, ds: Dataset, stamp: FileStamp | None) -> Header:
    meta = getattr(ds, "file_meta", None)
    tsyntax = ""
    if meta is not None:
        tsyntax = str(meta.get("TransferSyntaxUID", "") or "")
    sop_class = _text(ds, "SOPClassUID")
    if not sop_class and meta is not None:
        sop_class = str(meta.get("MediaStorageSOPClassUID", "") or "")
    image_type = ds.get("ImageType")
    pixels = _pixels(ds, tsyntax, stamp)
    return Header(
        path=path,
        sop_class=sop_class,
        sop_class_name=UID(sop_class).name if sop_class else "",
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        transfer_syntax=tsyntax,
        patient_id=_text(ds, "PatientID"),
        patient_name=_text(ds, "PatientName"),
        study_uid=_text(ds, "StudyInstanceUID"),
        study_date=_text(ds, "StudyDate"),
        study_time=_text(ds, "StudyTime"),
        study_description=_text(ds, "StudyDescription"),
        series_uid=_text(ds, "SeriesInstanceUID"),
        series_number=_int(ds.get("SeriesNumber")),
        series_description=_text(ds, "SeriesDescription"),
        protocol=_text(ds, "ProtocolName"),
        modality=_text(ds, "Modality").upper(),
        image_type=tuple(str(v).upper() for v in image_type)
        if isinstance(image_type, list | tuple | pydicom.multival.MultiValue)
        else ((str(image_type).upper(),) if image_type else ()),
        rows=_int(ds.get("Rows")) or 0,
        columns=_int(ds.get("Columns")) or 0,
        has_pixels=pixels.present and bool(ds.get("Rows")),
        contrast_agent=_opt_text(ds, "ContrastBolusAgent"),
        contrast_route=_opt_text(ds, "ContrastBolusRoute"),
        contrast_start=_opt_text(ds, "ContrastBolusStartTime"),
        acquisition_time=_opt_text(ds, "AcquisitionTime"),
        series_time=_opt_text(ds, "SeriesTime"),
        content_time=_opt_text(ds, "ContentTime"),
        gantry_tilt=_float(ds.get("GantryDetectorTilt")),
        frames=_frames(path, ds, pixels),
        patient_birth_date=_text(ds, "PatientBirthDate"),
        patient_sex=_text(ds, "PatientSex").upper(),
    )
