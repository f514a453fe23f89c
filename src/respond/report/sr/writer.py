"""Write a patient's read as DICOM SR: one TID 1500 measurement report per time point.

Each document is a Comprehensive 3D SR in the study of its time point. Its
content tree (DICOM PS3.16):

- TID 1500 Measurement Report, titled "Oncology Measurement Report", with the
  reader as person observer (TID 1001) and the imaging procedure;
- one TID 1501 measurement group per baseline lesion and per new finding
  (see :mod:`respond.report.sr._groups`), each with the TID 1502 time point
  context: label, Baseline or Posttreatment, order, respond's time point id;
- a "Qualitative Evaluations" container with the time point's RECIST 1.1 and
  mRECIST categories (target, non-target, new lesions, overall) and how it was
  read (arterial phase, slice thickness, series).

The codes are in :mod:`respond.report.sr.codes` and docs/sr.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import highdicom as hd
from highdicom.coding_schemes import CodingSchemeIdentificationItem
from highdicom.sr import (
    CodeContentItem,
    ContainerContentItem,
    RelationshipTypeValues,
    TextContentItem,
)
from highdicom.sr.utils import collect_evidence
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes as dicom_codes
from pydicom.uid import CTImageStorage

from respond.criteria import CriteriaError, LesionId, assess
from respond.report.deid import deidentify
from respond.report.images import ImageIndex
from respond.report.sr import codes as c
from respond.report.sr._groups import (
    GroupContext,
    lesion_group,
    new_lesion_group,
)
from respond.report.sr.errors import SRExportError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from pydicom.sr.coding import Code

    from respond.criteria import Criterion, CriterionResult, PatientRead
    from respond.criteria.record import TimePointRecord
    from respond.report.images import ImageRef

__all__ = ["write_sr"]

_SERIES_NUMBER = 9100
_CODING_SCHEME = CodingSchemeIdentificationItem(
    designator=c.PRIVATE,
    name="respond private codes (see docs/sr.md)",
    responsible_organization="The respond developers",
)


def write_sr(
    read: PatientRead,
    images: ImageIndex | None,
    outdir: str | Path,
    *,
    deidentified: bool = False,
    salt: str = "",
) -> list[Path]:
    """Write one DICOM SR (TID 1500) per time point of a read.

    Parameters
    ----------
    read
        The patient's read.
    images
        The images the calipers were drawn on (their SCOORDs need each image's
        pixel grid); None when there are no calipers to place.
    outdir
        The folder to write into (created if missing).
    deidentified
        Write a pseudonym instead of the patient's name and ID, no birth date,
        and every date shifted (:func:`respond.report.deid.deidentify`).
    salt
        Site secret for the pseudonym and the date shift.

    Returns
    -------
    list[Path]
        The files written, in time point order.

    Raises
    ------
    SRExportError
        The read has no time point, a time point has nothing to report, or a
        file cannot be written.
    respond.report.images.ImageNotFoundError
        A caliper's image is not in ``images``; nothing is written.
    """
    if deidentified:
        read, _ = deidentify(read, salt=salt)
    if not read.timepoints:
        raise SRExportError(
            f"patient {read.patient.id} has no time point to export; "
            "add the baseline imaging first",
            patient_id=read.patient.id,
        )
    index = images if images is not None else ImageIndex.empty()
    results = _results(read)
    documents = [
        _document(read, order, record, index, results[order], deidentified)
        for order, record in enumerate(read.timepoints)
    ]
    folder = Path(outdir)
    paths = []
    for order, (record, document) in enumerate(
        zip(read.timepoints, documents, strict=True)
    ):
        path = folder / _file_name(read.patient.id, order, record.label)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            document.save_as(path, enforce_file_format=True)
        except OSError as exc:
            raise SRExportError(
                f"cannot write {path} ({exc.strerror}); choose a writable folder",
                patient_id=read.patient.id,
            ) from exc
        paths.append(path)
    return paths


def _file_name(patient_id: str, order: int, label: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{patient_id}_{order + 1:02d}_{label}")
    return f"{safe.strip('_')}_SR.dcm"


def _results(read: PatientRead) -> list[Mapping[Criterion, CriterionResult] | None]:
    """Return each time point's categories, or None when the case cannot be assessed."""
    try:
        assessment = assess(read.to_case())
    except CriteriaError:
        return [None] * len(read.timepoints)
    return [tp.results for tp in assessment.timepoints]


def _groups(
    read: PatientRead, record: TimePointRecord, ctx: GroupContext
) -> list[hd.sr.MeasurementsAndQualitativeEvaluations]:
    groups = [
        lesion_group(
            lesion,
            read.tracking_uids.get(lesion.id) or hd.UID(),
            record.target(lesion.id),
            record.non_target(lesion.id),
            tuple(record.calipers.get(lesion.id, ())),
            ctx,
        )
        for lesion in read.lesions
    ]
    groups.extend(
        new_lesion_group(
            finding,
            record.new_lesion_uids.get(finding.id) or hd.UID(),
            tuple(record.calipers.get(LesionId(finding.id), ())),
            ctx,
        )
        for finding in record.timepoint.new_lesions
    )
    return groups


def _observation_context(reader: str | None) -> hd.sr.ObservationContext:
    if not reader:
        return hd.sr.ObservationContext()
    person = hd.sr.PersonObserverIdentifyingAttributes(
        name=reader if "^" in reader else f"{reader}^", login_name=reader
    )
    return hd.sr.ObservationContext(
        observer_person_context=hd.sr.ObserverContext(
            observer_type=dicom_codes.DCM.Person,
            observer_identifying_attributes=person,
        )
    )


def _procedure(referenced: Sequence[ImageRef]) -> Code:
    modalities = {ref.modality for ref in referenced}
    if modalities == {"CT"}:
        return c.PROCEDURE_CT
    if modalities == {"MR"}:
        return c.PROCEDURE_MR
    return c.PROCEDURE_OTHER


def _code(name: Code, value: Code) -> CodeContentItem:
    return CodeContentItem(
        name=name, value=value, relationship_type=RelationshipTypeValues.CONTAINS
    )


def _text(name: Code, value: str) -> TextContentItem:
    return TextContentItem(
        name=name, value=value, relationship_type=RelationshipTypeValues.CONTAINS
    )


def _response_items(
    results: Mapping[Criterion, CriterionResult] | None,
) -> list[CodeContentItem]:
    items: list[CodeContentItem] = []
    for criterion, result in (results or {}).items():
        if result.is_baseline:
            continue
        levels = (
            ("target", result.target, c.TARGET_RESPONSES),
            ("non_target", result.non_target, c.NON_TARGET_RESPONSES),
            ("overall", result.overall, c.OVERALL_RESPONSES),
        )
        for level, response, vocabulary in levels:
            if response is not None:
                concept = c.RESPONSE_CONCEPTS[(criterion.value, level)]
                items.append(_code(concept, vocabulary[response]))
        if result.new_lesions is not None:
            concept = c.RESPONSE_CONCEPTS[(criterion.value, "new_lesions")]
            items.append(_code(concept, c.NEW_LESIONS_PRESENT[result.new_lesions]))
    return items


def _evaluations(
    record: TimePointRecord, results: Mapping[Criterion, CriterionResult] | None
) -> ContainerContentItem:
    """Return the TID 1500 "Qualitative Evaluations" of the time point."""
    timepoint = record.timepoint
    items: list[CodeContentItem | TextContentItem] = list(_response_items(results))
    items.append(_code(c.ARTERIAL_PHASE, c.YES if timepoint.arterial_phase else c.NO))
    if timepoint.slice_thickness_mm is not None:
        items.append(_text(c.SLICE_THICKNESS, str(timepoint.slice_thickness_mm)))
    if record.series_uid:
        items.append(_text(c.TIMEPOINT_SERIES, record.series_uid))
    container = ContainerContentItem(
        name=c.QUALITATIVE_EVALUATIONS,
        relationship_type=RelationshipTypeValues.CONTAINS,
    )
    container.ContentSequence = hd.sr.ContentSequence(items)
    return container


def _study(read: PatientRead, record: TimePointRecord, study_uid: str) -> Dataset:
    """Return the patient and study attributes every evidence item carries."""
    ds = Dataset()
    ds.PatientID = read.patient.id
    name = read.patient.name or ""
    # A name without carets is one component: say so (PS3.5 6.2.1.2).
    ds.PatientName = name if not name or "^" in name else f"{name}^"
    birth = read.patient.birth_date
    ds.PatientBirthDate = "" if birth is None else birth.strftime("%Y%m%d")
    ds.PatientSex = ""
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = record.date.strftime("%Y%m%d")
    ds.StudyTime = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    return ds


def _evidence(study: Dataset, ref: ImageRef) -> Dataset:
    ds = Dataset()
    ds.update(study)
    ds.StudyInstanceUID = ref.study_uid
    ds.SeriesInstanceUID = ref.series_uid
    ds.SOPClassUID = ref.sop_class_uid
    ds.SOPInstanceUID = ref.sop_instance_uid
    return ds


def _document(
    read: PatientRead,
    order: int,
    record: TimePointRecord,
    images: ImageIndex,
    results: Mapping[Criterion, CriterionResult] | None,
    deidentified: bool,
) -> hd.sr.Comprehensive3DSR:
    time_point = hd.sr.TimePointContext(
        time_point=record.label or record.date.isoformat(),
        time_point_type=c.BASELINE if order == 0 else c.POSTTREATMENT,
        time_point_order=order + 1,
        subject_time_point_identifier=record.uid or None,
    )
    ctx = GroupContext(images, time_point)
    groups = _groups(read, record, ctx)
    if not groups:
        raise SRExportError(
            f"patient {read.patient.id}, time point {record.label}: no lesion to "
            "report; add the baseline lesions first",
            patient_id=read.patient.id,
        )
    referenced = list(ctx.referenced.values())
    report = hd.sr.MeasurementReport(
        observation_context=_observation_context(read.reader),
        procedure_reported=_procedure(referenced),
        imaging_measurements=groups,
        title=c.TITLE,
    )
    content = report[0]
    content.ContentSequence.append(_evaluations(record, results))
    study_uid = record.study_uid or next(
        (ref.study_uid for ref in referenced), hd.UID()
    )
    study = _study(read, record, study_uid)
    evidence = [_evidence(study, ref) for ref in referenced]
    # The first evidence item gives the SR its patient and study; this one stands
    # for the time point's study and is not referenced, so it is left out below.
    anchor = Dataset()
    anchor.update(study)
    anchor.SeriesInstanceUID = hd.UID()
    anchor.SOPClassUID = CTImageStorage
    anchor.SOPInstanceUID = hd.UID()
    document = hd.sr.Comprehensive3DSR(
        evidence=[anchor, *evidence],
        content=content,
        series_instance_uid=hd.UID(),
        series_number=_SERIES_NUMBER,
        sop_instance_uid=hd.UID(),
        instance_number=order + 1,
        manufacturer="respond",
        is_complete=True,
        series_description=f"respond measurements {record.label}".strip(),
        coding_schemes=[_CODING_SCHEME],
    )
    _set_evidence(document, evidence, content, study_uid)
    if deidentified:
        document.PatientIdentityRemoved = "YES"
        document.DeidentificationMethod = "respond: pseudonym, dates shifted"
    return document


def _set_evidence(
    document: hd.sr.Comprehensive3DSR,
    evidence: list[Dataset],
    content: Dataset,
    study_uid: str,
) -> None:
    same, other = collect_evidence(evidence, content, study_instance_uid=study_uid)
    for keyword, items in (
        ("CurrentRequestedProcedureEvidenceSequence", same),
        ("PertinentOtherEvidenceSequence", other),
    ):
        if items:
            setattr(document, keyword, items)
        elif keyword in document:
            delattr(document, keyword)
