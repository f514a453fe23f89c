"""Plain records about the images a read was made on.

:class:`StudyFacts` is what the headers of one study say about the patient and
the study (the DICOM scan builds it; the session decides whether the study may
become a time point of a patient). :class:`IndexedImage` is one row of the
store's image index: which file holds which SOP instance of which series and
study, so a time point's images are found again in any indexed folder.
No file is read here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IndexedImage", "SeriesFacts", "StudyFacts"]


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    """One image series of a study, as a reader chooses among them.

    Parameters
    ----------
    series_uid
        SeriesInstanceUID.
    number, description
        SeriesNumber (None when absent) and SeriesDescription.
    modality
        ``CT``, ``MR``...
    phase
        The contrast phase the scan called (``arterial``, ``late_arterial``,
        ``portal_venous``, ``unknown``...).
    arterial
        Whether the phase is arterial (mRECIST measures viable tumour there).
    images
        Number of 2-D images.
    slice_thickness_mm
        Slice thickness in mm, when known.
    """

    series_uid: str
    number: int | None
    description: str
    modality: str
    phase: str
    arterial: bool
    images: int
    slice_thickness_mm: float | None = None


@dataclass(frozen=True, slots=True)
class StudyFacts:
    """What one study's headers say about its patient and itself.

    Parameters
    ----------
    patient_id, patient_name
        PatientID and PatientName as written (name ``^`` separated).
    birth_date
        PatientBirthDate as written (``YYYYMMDD``; may be empty).
    sex
        PatientSex (``F``, ``M``, ``O`` or empty).
    study_uid
        StudyInstanceUID.
    date
        StudyDate as written (``YYYYMMDD``; may be empty or malformed).
    description
        StudyDescription.
    series
        The study's image series.
    """

    patient_id: str
    patient_name: str
    birth_date: str
    sex: str
    study_uid: str
    date: str
    description: str
    series: tuple[SeriesFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexedImage:
    """One image file in the store's image index.

    Parameters
    ----------
    path
        The file (absolute path, as text).
    patient_id, study_uid, series_uid, sop_instance_uid
        What the file holds.
    size, mtime_ns
        The file's size in bytes and modification time (ns) when indexed:
        a file whose size or time differ has changed since.
    """

    path: str
    patient_id: str
    study_uid: str
    series_uid: str
    sop_instance_uid: str
    size: int = 0
    mtime_ns: int = 0
