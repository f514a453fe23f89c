"""DICOM series: examine a folder or DICOMDIR, then load a series as a volume.

``scan(path)`` lists patients, studies and series with phase, warnings and a
readiness verdict, without reading pixels; ``load_series(candidate)`` (or a
background ``LoadJob``) reads one series into a :class:`Volume` whose geometry
turns voxel indices into patient millimetres.
"""

from respond.dicom.document import SERIES_FORMAT, scan_document
from respond.dicom.errors import (
    DicomError,
    GeometryError,
    LoadCancelledError,
    NotDicomError,
    SeriesLoadError,
    UnsupportedSeriesError,
)
from respond.dicom.facts import (
    find_study,
    indexed_images,
    merge_scans,
    study_facts,
)
from respond.dicom.load import LoadJob, load_series
from respond.dicom.model import (
    DicomFinding,
    FrameRef,
    NonImageObject,
    PatientEntry,
    PixelFormat,
    Readiness,
    ScanResult,
    SeriesCandidate,
    Severity,
    StudyEntry,
    UnreadableFile,
)
from respond.dicom.phantom import PhantomLesion, PhantomTimePoint, write_phantom
from respond.dicom.phase import Phase, PhaseCall
from respond.dicom.scan import scan, scan_files
from respond.dicom.volume import Volume

__all__ = [
    "SERIES_FORMAT",
    "DicomError",
    "DicomFinding",
    "FrameRef",
    "GeometryError",
    "LoadCancelledError",
    "LoadJob",
    "NonImageObject",
    "NotDicomError",
    "PatientEntry",
    "PhantomLesion",
    "PhantomTimePoint",
    "Phase",
    "PhaseCall",
    "PixelFormat",
    "Readiness",
    "ScanResult",
    "SeriesCandidate",
    "SeriesLoadError",
    "Severity",
    "StudyEntry",
    "UnreadableFile",
    "UnsupportedSeriesError",
    "Volume",
    "find_study",
    "indexed_images",
    "load_series",
    "merge_scans",
    "scan",
    "scan_document",
    "scan_files",
    "study_facts",
    "write_phantom",
]
