"""Rebuild patients' reads from TID 1500 measurement reports (one per time point).

The reports are grouped by Patient ID and ordered by their time point order
(TID 1502), else by study date. Lesions keep their tracking identifier as id and
their tracking UID; lengths keep the value written, to 0.1 mm. A length's
caliper comes back when its image is in the index given (the SCOORD needs the
image's pixel grid); otherwise only the length is restored.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from respond.criteria import (
    Caliper,
    CaliperKind,
    CriteriaError,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    PatientRead,
    Role,
    TargetMeasurement,
    TargetStatus,
    TimePoint,
    TimePointRecord,
)
from respond.report.sr._parse import (
    SR_CLASSES,
    Document,
    Group,
    ParseError,
    parse,
    sop_class_name,
)
from respond.report.sr.errors import SRImportError
from respond.session import new_uid

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    from respond.report.images import ImageIndex

__all__ = ["import_sr"]


def import_sr(
    paths: Iterable[str | Path], images: ImageIndex | None = None
) -> list[PatientRead]:
    """Rebuild reads from DICOM SR measurement reports.

    Parameters
    ----------
    paths
        SR files, e.g. those :func:`respond.report.sr.write_sr` wrote; several
        patients may be mixed.
    images
        The images the reports reference, to restore calipers from their
        SCOORDs; without it only the lengths are restored.

    Returns
    -------
    list[PatientRead]
        One read per patient, in the order the patients first appear.

    Raises
    ------
    SRImportError
        A file is unreadable, not an SR, not a TID 1500 report, holds codes
        respond cannot interpret, or repeats a time point of its patient.
    """
    documents: dict[str, list[tuple[Path, Document]]] = defaultdict(list)
    for raw in paths:
        path = Path(raw)
        document = read_document(path)
        documents[document.patient.id].append((path, document))
    return [_read(entries, images) for entries in documents.values()]


def read_document(path: Path) -> Document:
    """Read and parse one SR file.

    Raises
    ------
    SRImportError
        The file is unreadable, not an SR, or not a TID 1500 report.
    """
    if path.is_dir():
        raise SRImportError(path, "is a folder", "pass the SR files inside it")
    try:
        ds = dcmread(path)
    except (InvalidDicomError, OSError) as exc:
        raise SRImportError(
            path, f"cannot be read as DICOM ({exc})", "check the path and the file"
        ) from exc
    if str(ds.get("SOPClassUID", "")) not in SR_CLASSES:
        raise SRImportError(path, f"is not a DICOM SR ({sop_class_name(ds)})")
    try:
        return parse(ds)
    except (ParseError, AttributeError, ValueError, TypeError) as exc:
        raise SRImportError(path, str(exc)) from exc


def _order(entry: tuple[Path, Document]) -> tuple[int, object]:
    document = entry[1]
    return (document.order if document.order is not None else 1 << 30, document.date)


def _read(
    entries: list[tuple[Path, Document]], images: ImageIndex | None
) -> PatientRead:
    entries = sorted(entries, key=_order)
    seen: dict[object, Path] = {}
    for path, document in entries:
        key = document.timepoint_uid or (document.label, document.date)
        if key in seen:
            raise SRImportError(
                path,
                f"repeats time point {document.label} of patient "
                f"{document.patient.id} (also in {seen[key]})",
                "pass one report per time point",
            )
        seen[key] = path
    lesions: dict[str, Lesion] = {}
    tracking: dict[LesionId, str] = {}
    records = []
    for path, document in entries:
        try:
            for group in document.groups:
                if group.role is not Role.NEW and group.lesion_id not in lesions:
                    lesions[group.lesion_id] = _lesion(group)
                    tracking[LesionId(group.lesion_id)] = group.tracking_uid
            records.append(_record(document, images))
        except CriteriaError as exc:
            raise SRImportError(path, str(exc)) from exc
    first = entries[0][1]
    return PatientRead(
        patient=first.patient,
        lesions=tuple(lesions.values()),
        tracking_uids=tracking,
        timepoints=tuple(records),
        reader=first.reader,
    )


def _lesion(group: Group) -> Lesion:
    return Lesion(
        LesionId(group.lesion_id),
        group.role or Role.NON_TARGET,
        group.organ,
        is_node=group.is_node,
        kind=group.kind,
        typical_hcc=group.typical_hcc,
        site=group.site,
        note=group.note,
    )


def _values(group: Group, kind: CaliperKind) -> list[Decimal]:
    return [
        length.value
        for length in group.lengths
        if length.kind is kind and length.value is not None
    ]


def _target(group: Group) -> TargetMeasurement | None:
    long_axis = _values(group, CaliperKind.LONG_AXIS)
    short_axis = _values(group, CaliperKind.SHORT_AXIS)
    viable = _values(group, CaliperKind.VIABLE)
    fragments = _values(group, CaliperKind.FRAGMENT)
    status = group.target_status
    if status is None:
        if not (long_axis or short_axis or viable or fragments):
            return None
        status = TargetStatus.MEASURED
    return TargetMeasurement(
        status=status,
        long_axis_mm=long_axis[0] if long_axis else None,
        short_axis_mm=short_axis[0] if short_axis else None,
        viable_mm=viable[0] if viable else None,
        fragments_mm=tuple(fragments),
        merged_into=None if group.merged_into is None else LesionId(group.merged_into),
        note=group.observation_note,
        lesion_id=group.lesion_id,
    )


def _new_lesion(group: Group) -> NewLesion:
    long_axis = _values(group, CaliperKind.LONG_AXIS)
    short_axis = _values(group, CaliperKind.SHORT_AXIS)
    return NewLesion(
        group.lesion_id,
        organ=group.organ,
        site=group.site,
        kind=group.kind,
        is_node=group.is_node,
        long_axis_mm=long_axis[0] if long_axis else None,
        short_axis_mm=short_axis[0] if short_axis else None,
        equivocal=group.equivocal,
        typical_hcc=group.typical_hcc,
        cytology=group.cytology,
        note=group.observation_note,
    )


def _calipers(group: Group, images: ImageIndex | None) -> tuple[Caliper, ...]:
    if images is None:
        return ()
    calipers = []
    fragment = 0
    for length in group.lengths:
        index = fragment if length.kind is CaliperKind.FRAGMENT else 0
        fragment += length.kind is CaliperKind.FRAGMENT
        geometry = length.geometry
        if geometry is None:
            continue
        ref = images.find(geometry.sop_instance_uid, geometry.frame)
        if ref is None or not ref.has_geometry:
            continue
        (c0, r0), (c1, r1) = geometry.points
        calipers.append(
            Caliper(
                length.kind,
                ref.to_patient(c0, r0),
                ref.to_patient(c1, r1),
                ref.series_uid,
                geometry.sop_instance_uid,
                geometry.frame,
                index,
            )
        )
    return tuple(calipers)


def _record(document: Document, images: ImageIndex | None) -> TimePointRecord:
    targets: dict[LesionId, TargetMeasurement] = {}
    non_targets: dict[LesionId, NonTargetObservation] = {}
    new_lesions: list[NewLesion] = []
    new_uids: dict[str, str] = {}
    calipers: dict[LesionId, tuple[Caliper, ...]] = {}
    for group in document.groups:
        lesion_id = LesionId(group.lesion_id)
        if group.role is Role.NEW:
            new_lesions.append(_new_lesion(group))
            new_uids[group.lesion_id] = group.tracking_uid
        elif group.role is Role.TARGET and (target := _target(group)) is not None:
            targets[lesion_id] = target
        if group.non_target_status is not None:
            non_targets[lesion_id] = NonTargetObservation(
                group.non_target_status, group.cytology, group.observation_note
            )
        if drawn := _calipers(group, images):
            calipers[lesion_id] = drawn
    return TimePointRecord(
        uid=document.timepoint_uid or new_uid(),
        timepoint=TimePoint(
            label=document.label,
            date=document.date,
            arterial_phase=document.arterial_phase,
            slice_thickness_mm=document.slice_thickness_mm,
            targets=targets,
            non_targets=non_targets,
            new_lesions=tuple(new_lesions),
        ),
        study_uid=document.study_uid,
        series_uid=document.series_uid,
        calipers=calipers,
        new_lesion_uids=new_uids,
    )
