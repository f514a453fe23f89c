"""Write a patient's read as DICOM SR: one TID 1500 measurement report per time point.

Each document is a Comprehensive 3D SR in the study of its time point. Its
content tree (DICOM PS3.16):

- TID 1500 Measurement Report, titled "Imaging Measurement Report", with the
  reader as person observer (TID 1001) and the imaging procedure;
- "Imaging Measurements": one TID 1501 measurement group per caliper, tracked
  as OHIF's Length tool tracks its own (see :mod:`respond.report.sr._caliper`),
  with the TID 1502 time point context: label, Baseline or Posttreatment,
  respond's time point id;
- a "Qualitative Evaluations" container with the time point's RECIST 1.1 and
  mRECIST categories (target, non-target, new lesions, overall), how it was
  read (arterial phase, slice thickness, series), and one TID 1501 lesion group
  per baseline lesion and per new finding, which ties its calipers' groups to
  the lesion (see :mod:`respond.report.sr._groups`).

The codes are in :mod:`respond.report.sr.codes` and docs/sr.md.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import highdicom as hd
from highdicom.coding_schemes import CodingSchemeIdentificationItem
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes as dicom_codes
from pydicom.uid import CTImageStorage

from respond.criteria import (
    CriteriaError,
    Criterion,
    CriterionResult,
    LesionId,
    Response,
    assess,
)
from respond.report._files import private_binary, private_folder
from respond.report.deid import caliper_images, deidentify
from respond.report.images import ImageIndex
from respond.report.sr import codes as c
from respond.report.sr._evaluations import evaluations as qualitative_evaluations
from respond.report.sr._groups import (
    GroupContext,
    lesion_groups,
    new_lesion_groups,
)
from respond.report.sr._header import (
    LO_LENGTH,
    copy_from_image,
    evidence_item,
    mark_deidentified,
    one_value,
    person_name,
    set_evidence,
    study_attributes,
)
from respond.report.sr._tree import concept
from respond.report.sr.errors import SRExportError
from respond.session import new_tracking_uid

if TYPE_CHECKING:
    from collections.abc import Sequence

    from highdicom.sr import ContainerContentItem
    from pydicom.sr.coding import Code

    from respond.criteria import PatientRead
    from respond.criteria.record import TimePointRecord
    from respond.report.images import ImageRef

__all__ = ["sr_file_name", "write_sr"]

_SERIES_NUMBER = 9100
# UTF-8: names and free text may hold any character (PS3.5 6.1.2.5.3)
_CHARACTER_SET = "ISO_IR 192"
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
        Write the read as :func:`respond.report.deid.deidentify` returns it
        (pseudonym, shifted dates, controlled labels, organs and sites, no
        free text, de-identified UIDs); the documents are dated by their
        shifted study date, not by today, and marked as de-identified.
    salt
        Site secret for the pseudonym and the date shift.

    Returns
    -------
    list[Path]
        The files written (mode 0600; a folder made for them 0700), in time
        point order, named by :func:`sr_file_name`.

    Raises
    ------
    SRExportError
        The read has no time point, a time point has nothing to report, the
        patient ID is longer than DICOM's 64 characters (identified reports),
        or a file cannot be written.
    respond.report.images.ImageNotFoundError
        A caliper's image is not in ``images``; nothing is written.
    """
    index = images if images is not None else ImageIndex.empty()
    if deidentified:
        # every image first, by its real UID (a message naming the de-identified
        # UID would not help find the image)
        for sop_instance_uid, frame in caliper_images(read):
            index.require(sop_instance_uid, frame)
        read, info = deidentify(read, salt=salt)
        index = info.images(index)
    if not read.timepoints:
        raise SRExportError(
            f"patient {read.patient.id} has no time point to export; "
            "add the baseline imaging first",
            patient_id=read.patient.id,
        )
    _check_patient_id(read.patient.id)
    results = _results(read)
    best = _best_to_date(read)
    tracking = _TrackingUids.of(read)
    documents = [
        _document(
            read,
            order,
            record,
            _Context(index, tracking, results[order], best[order], deidentified),
        )
        for order, record in enumerate(read.timepoints)
    ]
    # only now that every document is built: a missing image leaves no folder
    folder = Path(outdir)
    paths = [
        folder / sr_file_name(read.patient.id, order, record.label)
        for order, record in enumerate(read.timepoints)
    ]
    try:
        private_folder(folder)
        for path, document in zip(paths, documents, strict=True):
            with private_binary(path) as handle:
                document.save_as(handle, enforce_file_format=True)
    except OSError as exc:
        raise SRExportError(
            f"cannot write into {folder} ({exc.strerror or exc}); choose a "
            "writable folder",
            patient_id=read.patient.id,
        ) from exc
    return paths


def _check_patient_id(patient_id: str) -> None:
    """Refuse an ID that DICOM's Patient ID cannot hold exactly.

    Raises
    ------
    SRExportError
        The ID is longer than 64 characters (LO).
    """
    if len(patient_id) > LO_LENGTH:
        raise SRExportError(
            f"patient {patient_id[:LO_LENGTH]}... has an ID of {len(patient_id)} "
            f"characters; a DICOM Patient ID holds at most {LO_LENGTH}, and a "
            "shortened one would name another patient: export it with "
            "--deidentify (a short pseudonym) or give the patient a shorter ID",
            patient_id=patient_id,
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ID_CHARS = 64
_LABEL_CHARS = 32


def _safe(text: str, limit: int) -> str:
    """Return text as a file name part: [A-Za-z0-9._-], no leading dot or dash."""
    safe = _UNSAFE.sub("_", text).lstrip("._-")
    return safe[:limit].rstrip("._-")


def sr_file_name(patient_id: str, order: int, label: str) -> str:
    """Return the file name of a time point's SR.

    The safe form of the ID (at most 64 characters of ``[A-Za-z0-9._-]``, no
    leading dot or dash), 8 hex digits of the SHA-256 of the exact ID (IDs
    that look alike once made safe, e.g. ``P/Q`` and ``P_Q``, get different
    names), the time point's number and the safe form of its label (at most
    32 characters): ``MRN-1_3fa2c1d0_02_FU1_SR.dcm``.
    """
    exact = patient_id.encode("utf-8", "surrogatepass")
    parts = [_safe(patient_id, _ID_CHARS) or "patient"]
    parts.append(hashlib.sha256(exact).hexdigest()[:8])
    parts.append(f"{order + 1:02d}")
    if label_part := _safe(label, _LABEL_CHARS):
        parts.append(label_part)
    return "_".join(parts) + "_SR.dcm"


@dataclass(frozen=True, slots=True)
class _TrackingUids:
    """Each lesion's and new finding's tracking UID, the same in every report."""

    lesions: Mapping[str, str]
    findings: Mapping[str, str]

    @classmethod
    def of(cls, read: PatientRead) -> _TrackingUids:
        """Take the stored UIDs; give the others a new one, once per read."""
        lesions: dict[str, str] = {
            lesion.id: read.tracking_uids.get(lesion.id) or new_tracking_uid()
            for lesion in read.lesions
        }
        findings: dict[str, str] = {}
        for record in read.timepoints:
            for finding in record.timepoint.new_lesions:
                # a stored UID wins; all reports then use the same one
                stored = record.new_lesion_uids.get(finding.id)
                if finding.id not in findings or stored:
                    findings[finding.id] = stored or new_tracking_uid()
        return cls(lesions, findings)


@dataclass(frozen=True, slots=True)
class _Context:
    """What one document is built from, besides the read and its time point."""

    images: ImageIndex
    tracking: _TrackingUids
    results: Mapping[Criterion, CriterionResult] | None
    best: Mapping[Criterion, Response]
    deidentified: bool


def _results(read: PatientRead) -> list[Mapping[Criterion, CriterionResult] | None]:
    """Return each time point's categories, or None when the case cannot be assessed."""
    try:
        assessment = assess(read.to_case())
    except CriteriaError:
        return [None] * len(read.timepoints)
    return [tp.results for tp in assessment.timepoints]


def _best_to_date(read: PatientRead) -> list[dict[Criterion, Response]]:
    """Return each time point's best overall response so far, per criterion.

    The engine's own answer for the read cut at that time point: what the
    board knew when that report was written. Empty where that part of the
    read cannot be assessed.
    """
    best: list[dict[Criterion, Response]] = []
    for count in range(1, len(read.timepoints) + 1):
        try:
            so_far = assess(replace(read, timepoints=read.timepoints[:count]).to_case())
        except CriteriaError:
            best.append({})
            continue
        best.append({c: r for c, r in so_far.best_overall.items() if r is not None})
    return best


def _groups(
    read: PatientRead, record: TimePointRecord, uids: _TrackingUids, ctx: GroupContext
) -> list[hd.sr.MeasurementsAndQualitativeEvaluations]:
    """Return every lesion's and new finding's group, each followed by its calipers'."""
    groups = [
        group
        for lesion in read.lesions
        for group in lesion_groups(
            lesion,
            uids.lesions[lesion.id],
            record.target(lesion.id),
            record.non_target(lesion.id),
            tuple(record.calipers.get(lesion.id, ())),
            ctx,
        )
    ]
    groups.extend(
        group
        for finding in record.timepoint.new_lesions
        for group in new_lesion_groups(
            finding,
            record.new_lesion_uids.get(finding.id) or uids.findings[finding.id],
            tuple(record.calipers.get(LesionId(finding.id), ())),
            ctx,
        )
    )
    return groups


def _observation_context(reader: str | None) -> hd.sr.ObservationContext:
    if not reader:
        return hd.sr.ObservationContext()
    person = hd.sr.PersonObserverIdentifyingAttributes(
        name=person_name(reader), login_name=reader
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


def _has_region(item: Dataset) -> bool:
    """Whether an item or any item below it is a spatial coordinate."""
    if item.get("ValueType") in ("SCOORD", "SCOORD3D"):
        return True
    return any(_has_region(child) for child in item.get("ContentSequence", []))


def _set_apart_groups_without_region(
    content: Dataset, evaluations: ContainerContentItem
) -> None:
    """Move the measurement groups without a caliper into the evaluations.

    Viewers draw the groups of "Imaging Measurements" on their images, and
    OHIF's SR loader fails on a group there that has no spatial coordinates.
    The lesion groups have none (each caliper is a group of its own), so they
    go, whole and in order, into the "Qualitative Evaluations" container (TID
    1500 is extensible), and "Imaging Measurements" holds the caliper groups
    only; left empty (no caliper at this time point), it is left out.
    """
    sequence = content.ContentSequence
    measurements = next(
        item
        for item in sequence
        if item.ValueType == "CONTAINER"
        and concept(item) == c.key(dicom_codes.DCM.ImagingMeasurements)
    )
    kept = [g for g in measurements.ContentSequence if _has_region(g)]
    moved = [g for g in measurements.ContentSequence if not _has_region(g)]
    measurements.ContentSequence = hd.sr.ContentSequence(kept)
    evaluations.ContentSequence.extend(moved)
    if not kept:
        sequence.remove(measurements)


def _document(
    read: PatientRead, order: int, record: TimePointRecord, context: _Context
) -> hd.sr.Comprehensive3DSR:
    # No Time Point Order: TID 1502 makes it a NUM, which viewers (OHIF,
    # dcmqi, highdicom) list as a measurement of every lesion. Reports are
    # ordered by their study date on import.
    time_point = hd.sr.TimePointContext(
        time_point=record.label or record.date.isoformat(),
        time_point_type=c.BASELINE if order == 0 else c.POSTTREATMENT,
        subject_time_point_identifier=record.uid or None,
    )
    ctx = GroupContext(context.images, time_point)
    groups = _groups(read, record, context.tracking, ctx)
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
    evaluations = qualitative_evaluations(record, context.results, context.best)
    content.ContentSequence.append(evaluations)
    _set_apart_groups_without_region(content, evaluations)
    study_uid = record.study_uid or next(
        (ref.study_uid for ref in referenced), hd.UID()
    )
    study = study_attributes(read, record, study_uid)
    if not context.deidentified:
        copy_from_image(study, referenced)
    evidence = [evidence_item(study, ref) for ref in referenced]
    # The first evidence item gives the SR its patient and study; this one stands
    # for the time point's study and is not referenced, so it is left out below.
    anchor = Dataset()
    anchor.update(study)
    anchor.SeriesInstanceUID = hd.UID()
    anchor.SOPClassUID = CTImageStorage
    anchor.SOPInstanceUID = hd.UID()
    description = one_value(f"respond measurements {record.label}".strip())
    with warnings.catch_warnings():
        # The name is spelled as the images spell it ("Patient_01" has one
        # component); highdicom's doubt about it is no news to the user.
        warnings.filterwarnings("ignore", _ONE_COMPONENT_NAME, UserWarning)
        document = _comprehensive_sr(anchor, evidence, content, order, description)
    set_evidence(document, evidence, content, study_uid)
    if context.deidentified:
        mark_deidentified(document, record)
    return document


_ONE_COMPONENT_NAME = ".*unlikely to represent the intended person name"


def _comprehensive_sr(
    anchor: Dataset,
    evidence: list[Dataset],
    content: Dataset,
    order: int,
    description: str,
) -> hd.sr.Comprehensive3DSR:
    return hd.sr.Comprehensive3DSR(
        evidence=[anchor, *evidence],
        content=content,
        series_instance_uid=hd.UID(),
        series_number=_SERIES_NUMBER,
        sop_instance_uid=hd.UID(),
        instance_number=order + 1,
        manufacturer="respond",
        is_complete=True,
        series_description=description[:LO_LENGTH],
        coding_schemes=[_CODING_SCHEME],
        specific_character_set=_CHARACTER_SET,
    )
