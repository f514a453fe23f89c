"""Read one file's DICOM header into plain values (no pixels).

Reading is lenient: a file with odd values still gives a header (values that
cannot be parsed become ``None``); a file that is not DICOM, or is too damaged to
parse, gives an :class:`Unreadable` with the reason.

What the header already shows about the pixels becomes findings on each frame
(``FrameRef.header_findings``), so the scan never calls "ready" what the loader
would refuse or show wrong: a pixel module that is missing, colour or damaged,
an image size the pixel data does not hold, a rescale or pixel spacing no
scanner writes, a Modality LUT (well formed or not), and earlier lossy
compression. Those values, and the pixel module and frames they come from, are
read in :mod:`respond.dicom._header_frames`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_partial

from respond.dicom._deflated import read_deflated, read_deflated_fast
from respond.dicom._fastheader import (
    FIRST_READ,
    PIXEL_TAGS,
    read_fast_from,
    read_fully,
)
from respond.dicom._header_frames import PIXEL_MM_RANGE as PIXEL_MM_RANGE
from respond.dicom._header_frames import (
    _class_name,
    _float,
    _frames,
    _opt_text,
    _pixels,
    _text,
    _upper_values,
)
from respond.dicom._pixelcheck import to_int
from respond.dicom.model import FileStamp, FrameRef

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from pydicom.tag import BaseTag

DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
_LOCALIZER_WORDS = frozenset(
    {"LOCALIZER", "LOCALISER", "SCOUT", "PILOT", "SURVEY", "TOPOGRAM", "SCANOGRAM"}
)
# Values longer than this are not read during the scan (pixel data above all);
# the element's file offset is kept so the loader can read pixels directly.
DEFER_BYTES = 4096
# Top-level elements a file's dataset is parsed to at most (real ones hold a few
# hundred; the per-frame groups of a multi-frame file are one sequence).
MAX_ELEMENTS: Final = 100_000
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
    frame_of_reference_uid: str = ""

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


# --- reading a file ----------------------------------------------------------------


def read_header(path: Path, *, whole: bool = True) -> Header | Unreadable:
    """Read a file's header without its pixels.

    Parameters
    ----------
    path
        The file.
    whole
        For a deflated file, also check that all of it inflates (the scan);
        the loader, which inflates it to decode, leaves that to its decoder.

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
            if fast is None and has_preamble:
                fast = read_deflated_fast(stream, head, whole=whole)
        if fast is not None:
            return _header(path, fast, stamp)  # type: ignore[arg-type]
        ds = _parse(path, whole=whole)
        if not has_preamble and not _looks_like_dicom(ds):
            return Unreadable(path, "not a DICOM file")
        return _header(path, ds, stamp)
    except InvalidDicomError as exc:
        return Unreadable(path, f"not a DICOM file ({exc})")
    except OSError as exc:
        return Unreadable(path, f"cannot be read ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - any damage in a file becomes a reason
        return Unreadable(path, f"damaged DICOM file ({type(exc).__name__}: {exc})")


def _parse(path: Path, *, whole: bool = True) -> Dataset:
    """Parse a file with pydicom, stopping where no stored dataset can go on.

    A file padded with zeros (a damaged copy, a sparse file of gigabytes) reads
    as endless empty elements of group 0000, which only network commands use:
    the parse stops at the first of them, and after :data:`MAX_ELEMENTS`
    top-level elements in any case. Nothing after the pixel data is read, as
    the fast path reads nothing after it: a damaged copy that repeats Rows
    there must not describe another image than the one the decoders see.
    """
    count = 0
    past_pixels = False

    def stop(tag: BaseTag, _vr: str | None, _length: int) -> bool:
        nonlocal count, past_pixels
        count += 1
        if past_pixels:
            return True
        past_pixels = int(tag) in PIXEL_TAGS
        return tag.group == 0 or count > MAX_ELEMENTS

    with open(path, "rb") as stream:
        deflated = read_deflated(stream, path, stop, whole=whole)
        if deflated is not None:
            return deflated
        stream.seek(0)
        count, past_pixels = 0, False
        return read_partial(stream, stop_when=stop, defer_size=DEFER_BYTES, force=True)


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
    image_type = _upper_values(ds.get("ImageType"))
    pixels = _pixels(path, ds, tsyntax, stamp)
    return Header(
        path=path,
        sop_class=sop_class,
        sop_class_name=_class_name(sop_class),
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        transfer_syntax=tsyntax,
        patient_id=_text(ds, "PatientID"),
        patient_name=_text(ds, "PatientName"),
        study_uid=_text(ds, "StudyInstanceUID"),
        study_date=_text(ds, "StudyDate"),
        study_time=_text(ds, "StudyTime"),
        study_description=_text(ds, "StudyDescription"),
        series_uid=pixels.series_uid,
        series_number=to_int(ds.get("SeriesNumber")),
        series_description=_text(ds, "SeriesDescription"),
        protocol=_text(ds, "ProtocolName"),
        modality=_text(ds, "Modality").upper(),
        image_type=image_type,
        rows=pixels.rows,
        columns=pixels.columns,
        has_pixels=pixels.present and bool(ds.get("Rows")),
        contrast_agent=_opt_text(ds, "ContrastBolusAgent"),
        contrast_route=_opt_text(ds, "ContrastBolusRoute"),
        contrast_start=_opt_text(ds, "ContrastBolusStartTime"),
        acquisition_time=_opt_text(ds, "AcquisitionTime"),
        series_time=_opt_text(ds, "SeriesTime"),
        content_time=_opt_text(ds, "ContentTime"),
        gantry_tilt=_float(ds.get("GantryDetectorTilt")),
        frames=_frames(path, ds, pixels, image_type),
        patient_birth_date=_text(ds, "PatientBirthDate"),
        patient_sex=_text(ds, "PatientSex").upper(),
        frame_of_reference_uid=_text(ds, "FrameOfReferenceUID"),
    )
