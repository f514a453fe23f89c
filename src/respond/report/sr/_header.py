"""The patient, study and SOP attributes of a report, and its de-identification.

Names and descriptions go into single-valued PN and LO elements without a
backslash, which would separate values (PS3.5 6.2). The Patient ID is the one
exception: it is written exactly as stored, because it is what the report is
matched to its patient by; an ID holding a backslash is read back by joining
the values pydicom splits it into with backslashes again (``_parse._patient``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from highdicom.sr.utils import collect_evidence
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import highdicom as hd

    from respond.criteria import PatientRead
    from respond.criteria.record import TimePointRecord
    from respond.report.images import ImageRef

__all__ = [
    "LO_LENGTH",
    "copy_from_image",
    "evidence_item",
    "mark_deidentified",
    "one_value",
    "person_name",
    "set_evidence",
    "study_attributes",
]

LO_LENGTH: Final = 64
_MIDNIGHT: Final = "000000"
# LO, at most 64 characters; docs/sr.md says what is kept
_DEIDENTIFICATION_METHOD: Final = (
    "respond: pseudonym, dates shifted, UIDs replaced, no free text"
)


def one_value(value: str) -> str:
    """Return text fit for one value of a PN or LO element (no backslash)."""
    # A backslash separates values (PS3.5 6.2), so a name holding one would be
    # several names; a slash reads the same.
    return value.replace("\\", "/")


def person_name(name: str) -> str:
    """Return a name as a DICOM PN value."""
    name = one_value(name)
    # A name without carets is one component: say so (PS3.5 6.2.1.2).
    return name if not name or "^" in name else f"{name}^"


def study_attributes(
    read: PatientRead, record: TimePointRecord, study_uid: str
) -> Dataset:
    """Return the patient and study attributes every evidence item carries."""
    ds = Dataset()
    ds.PatientID = read.patient.id  # exactly: see the module's docstring
    ds.PatientName = person_name(read.patient.name or "")
    birth = read.patient.birth_date
    ds.PatientBirthDate = "" if birth is None else birth.strftime("%Y%m%d")
    ds.PatientSex = read.patient.sex or ""
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = record.date.strftime("%Y%m%d")
    ds.StudyTime = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    return ds


_STUDY_MODULE: Final = (
    "StudyTime",
    "StudyID",
    "AccessionNumber",
    "ReferringPhysicianName",
    "StudyDescription",
)
_PATIENT_MODULE: Final = (
    "PatientName",
    "PatientBirthDate",
    "PatientSex",
    "IssuerOfPatientID",
)


def copy_from_image(study: Dataset, refs: Sequence[ImageRef]) -> None:
    """Take the study's (and the patient's) attributes from its images.

    A PACS lists a study by what its objects say: an SR with empty Study
    Time, Accession Number or Patient's Sex next to images that hold them
    makes the study's entries disagree. So the general study module comes
    from the first referenced image of the report's study; the patient
    module too, when that image names the same Patient ID (otherwise the
    images are another patient's). Only what the read leaves empty is taken:
    a name or birth date the read holds is what respond shows and imports by,
    and stays. An image that cannot be read any more leaves the values as
    they are.
    """
    same_study = [ref for ref in refs if ref.study_uid == study.StudyInstanceUID]
    if not same_study:
        return
    try:
        image = dcmread(
            same_study[0].frame.path,
            stop_before_pixels=True,
            specific_tags=["PatientID", *_STUDY_MODULE, *_PATIENT_MODULE],
        )
    except (OSError, InvalidDicomError, ValueError, TypeError):
        return
    keywords = list(_STUDY_MODULE)
    if str(image.get("PatientID", "")) == study.PatientID:
        keywords += _PATIENT_MODULE
        _same_name_as_written(study, str(image.get("PatientName", "")))
    for keyword in keywords:
        value = image.get(keyword)
        if value not in (None, "") and not study.get(keyword):
            setattr(study, keyword, value)


def _components(name: str) -> tuple[str, ...]:
    """Return a PN value's components, trailing empty ones dropped (``A^`` is ``A``)."""
    parts = [part.strip() for part in name.split("=")[0].split("^")]
    while parts and not parts[-1]:
        parts.pop()
    return tuple(parts)


def _same_name_as_written(study: Dataset, image_name: str) -> None:
    """Write the name as the images do when it is the same name.

    ``Patient_01^`` and ``Patient_01`` are one name, but a PACS matching by
    text lists them apart: the report then spells it as its images.
    """
    own = str(study.get("PatientName", ""))
    if own and image_name and _components(own) == _components(image_name):
        study.PatientName = image_name


def evidence_item(study: Dataset, ref: ImageRef) -> Dataset:
    """Return the attributes that reference one image as evidence."""
    ds = Dataset()
    ds.update(study)
    ds.StudyInstanceUID = ref.study_uid
    ds.SeriesInstanceUID = ref.series_uid
    ds.SOPClassUID = ref.sop_class_uid
    ds.SOPInstanceUID = ref.sop_instance_uid
    return ds


def mark_deidentified(document: Dataset, record: TimePointRecord) -> None:
    """Say the document is de-identified; date it by its (shifted) study date.

    The creation dates would otherwise be today's: next to the shifted study
    date they would give the shift away (PS3.15 E.3.6, Retain Longitudinal
    Temporal Information with Modified Dates).
    """
    day = record.date.strftime("%Y%m%d")
    document.ContentDate = document.InstanceCreationDate = day
    document.ContentTime = document.InstanceCreationTime = _MIDNIGHT
    for equipment in document.get("ContributingEquipmentSequence", []):
        if "ContributionDateTime" in equipment:
            equipment.ContributionDateTime = f"{day}{_MIDNIGHT}"
    document.PatientIdentityRemoved = "YES"
    document.DeidentificationMethod = _DEIDENTIFICATION_METHOD
    document.LongitudinalTemporalInformationModified = "MODIFIED"


def set_evidence(
    document: hd.sr.Comprehensive3DSR,
    evidence: list[Dataset],
    content: Dataset,
    study_uid: str,
) -> None:
    """List the images referenced, in this study's sequence or the other one."""
    same, other = collect_evidence(evidence, content, study_instance_uid=study_uid)
    for keyword, items in (
        ("CurrentRequestedProcedureEvidenceSequence", same),
        ("PertinentOtherEvidenceSequence", other),
    ):
        if items:
            setattr(document, keyword, items)
        elif keyword in document:
            delattr(document, keyword)
