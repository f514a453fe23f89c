"""What examining a folder finds: patients, studies, series (stacks), problems.

Plain frozen values: the scan builds them, the command line prints them, the viewer
lists them. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from respond.dicom.phase import PhaseCall

FileStamp = tuple[int, int, int, int]
"""A file's (inode, size in bytes, mtime in ns, ctime in ns), from one fstat."""

__all__ = [
    "DicomFinding",
    "FileStamp",
    "FrameRef",
    "NonImageObject",
    "PatientEntry",
    "PixelFormat",
    "Readiness",
    "ScanResult",
    "SeriesCandidate",
    "Severity",
    "StudyEntry",
    "UnreadableFile",
]


class Severity(Enum):
    """How much a finding matters for measuring."""

    INFO = "info"
    """Worth knowing; measuring is unaffected."""
    WARNING = "warning"
    """Measure with care; the message says what is affected."""
    ERROR = "error"
    """The series cannot be measured (or loaded) as it is."""


class Readiness(Enum):
    """The verdict on a series: whether the reader can measure on it."""

    READY = "ready"
    """A volume with sound geometry."""
    CAUTION = "caution"
    """Loadable and measurable; read the warnings first."""
    NOT_MEASURABLE = "not_measurable"
    """Can be shown, but lengths in mm would be wrong or unknown."""
    NOT_LOADABLE = "not_loadable"
    """Cannot be shown as images (no decoder, no pixels)."""


@dataclass(frozen=True, slots=True)
class DicomFinding:
    """A structured warning about a series (or a file).

    Parameters
    ----------
    code
        Stable identifier, e.g. ``uneven_spacing``.
    severity
        How much it matters for measuring.
    message
        What was found and what it means for measuring.
    series_uid
        The series it concerns.
    """

    code: str
    severity: Severity
    message: str
    series_uid: str = ""


@dataclass(frozen=True, slots=True)
class PixelFormat:
    """How a file's pixels are stored (Image Pixel module)."""

    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    samples_per_pixel: int
    photometric: str

    @property
    def is_signed(self) -> bool:
        """Two's complement samples."""
        return self.pixel_representation == 1


@dataclass(frozen=True, slots=True)
class FrameRef:
    """One 2-D image: a file, or one frame of a multi-frame file.

    Geometry in patient coordinates (LPS, mm): ``position`` is the centre of the
    first pixel; ``orientation`` the row then column direction cosines.
    ``file_stamp`` is the file's (inode, size in bytes, modification time in ns,
    status change time in ns) when it was scanned: the loader reads pixels
    (from ``pixel_offset`` for native ones) only while the file still has that
    stamp, and reads the header again when it changed.
    """

    path: Path
    frame: int | None
    sop_instance_uid: str
    position: tuple[float, float, float] | None
    orientation: tuple[float, float, float, float, float, float] | None
    pixel_spacing: tuple[float, float] | None
    slice_thickness: float | None
    rescale_slope: float
    rescale_intercept: float
    instance_number: int | None
    acquisition_number: int | None
    temporal_index: int | None
    transfer_syntax: str
    pixel_format: PixelFormat | None = None
    pixel_offset: int | None = None
    rows: int = 0
    columns: int = 0
    has_pixels: bool = True
    file_stamp: FileStamp | None = None
    modality_lut: bool = False
    """The image has a Modality LUT Sequence (0028,3000): its modality values
    are looked up in that table (read from the file at load), not rescaled."""
    image_type: tuple[str, ...] = ()
    """ImageType, or for a frame of an enhanced multi-frame object its
    FrameType, then ComplexImageComponent (MAGNITUDE, PHASE ...) and ASL context
    (LABEL, CONTROL ...) when the frame has them: frames whose type differs never
    share a volume."""
    stack_id: str | None = None
    """StackID of an enhanced frame (Frame Content Sequence), if given."""
    header_findings: tuple[DicomFinding, ...] = ()
    """What the header shows about this image (a damaged pixel module, a
    Modality LUT, earlier lossy compression ...); the scan gathers them into
    its stack's findings, and images with an error are never stacked with
    sound ones."""


@dataclass(frozen=True, slots=True)
class SeriesCandidate:
    """One loadable stack: a series, or part of one split by geometry or time.

    Attributes
    ----------
    key
        Unique in the scan: ``<SeriesInstanceUID>`` or ``<uid>#<n>`` for a split.
    frames
        The images, sorted along the slice normal.
    """

    key: str
    series_uid: str
    study_uid: str
    patient_id: str
    modality: str
    description: str
    series_number: int | None
    sop_class: str
    rows: int
    columns: int
    frames: tuple[FrameRef, ...]
    spacing_mm: float | None
    pixel_spacing: tuple[float, float] | None
    slice_thickness: float | None
    orientation_label: str
    phase: PhaseCall
    findings: tuple[DicomFinding, ...]
    readiness: Readiness
    is_localizer: bool = False
    split_reason: str = ""
    transfer_syntaxes: tuple[str, ...] = ()
    sop_class_uid: str = ""
    """The SOP Class UID itself (``sop_class`` is its name, for display)."""
    frame_of_reference_uid: str = ""
    """Frame of Reference UID: series that share it share patient coordinates."""

    @property
    def image_count(self) -> int:
        """Number of 2-D images (slices or frames)."""
        return len(self.frames)


@dataclass(frozen=True, slots=True)
class NonImageObject:
    """A DICOM object that is not an image volume (SR, SEG, PR, KO, RT, raw data)."""

    path: Path
    kind: str
    sop_class: str
    series_uid: str
    study_uid: str
    patient_id: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class UnreadableFile:
    """A file that could not be read, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class StudyEntry:
    """A study and its image series."""

    uid: str
    date: str
    time: str
    description: str
    series: tuple[SeriesCandidate, ...]


@dataclass(frozen=True, slots=True)
class PatientEntry:
    """A patient and their studies (birth date ``YYYYMMDD`` and sex as written)."""

    id: str
    name: str
    studies: tuple[StudyEntry, ...]
    birth_date: str = ""
    sex: str = ""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan of a folder (or DICOMDIR) found."""

    root: Path
    patients: tuple[PatientEntry, ...]
    non_image: tuple[NonImageObject, ...] = ()
    unreadable: tuple[UnreadableFile, ...] = ()
    findings: tuple[DicomFinding, ...] = ()
    files_seen: int = 0
    dicomdirs: tuple[Path, ...] = field(default_factory=tuple)

    def study(self, uid: str) -> StudyEntry | None:
        """Return the study with this StudyInstanceUID, if the scan found it."""
        return next((s for p in self.patients for s in p.studies if s.uid == uid), None)

    @property
    def series(self) -> tuple[SeriesCandidate, ...]:
        """Every image series, patient by patient, study by study."""
        return tuple(
            s for p in self.patients for study in p.studies for s in study.series
        )
