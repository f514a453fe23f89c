"""Rebuild patients' reads from TID 1500 measurement reports (one per time point).

The reports are grouped by Patient ID and ordered by their time point order
(TID 1502), else by study date. Lesions keep their tracking identifier as id and
their tracking UID (those of their lesion group; the groups of their calipers
are merged into it, see :mod:`respond.report.sr._assemble`); lengths keep the
value written, to 0.1 mm (a non-target node's short axis too). A length's
caliper comes back when its image is in the images given (the SCOORD needs the
image's pixel grid); otherwise only the length is restored, and
:func:`load_sr` counts the calipers left behind.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from respond.criteria import (
    Caliper,
    CaliperKind,
    CriteriaError,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    PatientRead,
    Role,
    TargetMeasurement,
    TargetStatus,
    TimePoint,
    TimePointRecord,
)
from respond.report.images import ImageIndex
from respond.report.sr._file import read_document
from respond.report.sr.errors import SRImportError
from respond.session import new_uid

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Sequence
    from decimal import Decimal

    from respond.report.sr._parse import Document, Group

__all__ = ["SRImport", "import_sr", "load_sr"]

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class SRImport:
    """The reads rebuilt from SR files, and the calipers that could not be.

    Parameters
    ----------
    reads
        One read per patient, in the order the patients first appear.
    calipers_not_restored
        Calipers (SCOORDs) whose image is not among the images given, or has
        no geometry; their lengths are restored all the same.
    """

    reads: list[PatientRead]
    calipers_not_restored: int = 0


def load_sr(
    paths: Iterable[str | Path],
    images: ImageIndex | None = None,
    *,
    image_folders: Iterable[str | Path] = (),
) -> SRImport:
    """Rebuild reads from DICOM SR measurement reports; count lost calipers.

    Every file is read and checked before any image folder is scanned, so a
    bad file is reported at once.

    Parameters
    ----------
    paths
        SR files, e.g. those :func:`respond.report.sr.write_sr` wrote; several
        patients may be mixed.
    images
        The images the reports reference, to restore calipers from their
        SCOORDs; without it (and without ``image_folders``) only the lengths
        are restored.
    image_folders
        Folders to scan for those images instead, once the files are read.

    Returns
    -------
    SRImport
        The reads, and how many calipers were not restored.

    Raises
    ------
    SRImportError
        A file is unreadable, damaged, not an SR, not a TID 1500 report, holds
        codes respond cannot interpret or a lesion twice, repeats a time point
        of its patient, or dates two time points the same day.
    respond.dicom.NotDicomError
        An image folder does not exist.
    """
    documents: dict[str, list[tuple[Path, Document]]] = defaultdict(list)
    for raw in paths:
        path = Path(raw)
        document = read_document(path)
        documents[document.patient.id].append((path, document))
    folders = list(image_folders)
    if images is None and folders:
        images = ImageIndex.from_folders(folders)
    calipers = _CaliperBuilder(images)
    reads = [_read(entries, calipers) for entries in documents.values()]
    return SRImport(reads, calipers.not_restored)


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
        As :func:`load_sr`.
    """
    return load_sr(paths, images).reads


def _order(entry: tuple[Path, Document]) -> tuple[int, object]:
    document = entry[1]
    return (document.order if document.order is not None else 1 << 30, document.date)


def _check_time_points(entries: list[tuple[Path, Document]]) -> None:
    """Refuse two reports of one time point, or of two time points on one date.

    Raises
    ------
    SRImportError
        Naming both files.
    """
    seen: dict[object, Path] = {}
    dated: dict[dt.date, Path] = {}
    for path, document in entries:
        key = document.timepoint_uid or (document.label, document.date)
        patient = document.patient.id
        if key in seen:
            raise SRImportError(
                path,
                f"repeats time point {document.label} of patient {patient} "
                f"(also in {seen[key]})",
                "pass one report per time point",
            )
        if document.date in dated:
            raise SRImportError(
                path,
                f"time point {document.label} of patient {patient} is dated "
                f"{document.date.isoformat()} like another time point in "
                f"{dated[document.date]}; respond keeps one time point per date",
                "pass one report per imaging date",
            )
        seen[key] = path
        dated[document.date] = path


def _read(
    entries: list[tuple[Path, Document]], calipers: _CaliperBuilder
) -> PatientRead:
    entries = sorted(entries, key=_order)
    _check_time_points(entries)
    lesions: dict[str, Lesion] = {}
    tracking: dict[LesionId, str] = {}
    records = []
    for path, document in entries:
        try:
            for group in document.groups:
                if group.role is not Role.NEW and group.lesion_id not in lesions:
                    lesions[group.lesion_id] = _lesion(group)
                    tracking[LesionId(group.lesion_id)] = group.tracking_uid
            records.append(_record(document, calipers))
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


def _first(values: Sequence[V]) -> V | None:
    return values[0] if values else None


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
        long_axis_mm=_first(long_axis),
        short_axis_mm=_first(short_axis),
        viable_mm=_first(viable),
        fragments_mm=tuple(fragments),
        merged_into=None if group.merged_into is None else LesionId(group.merged_into),
        note=group.observation_note,
        lesion_id=group.lesion_id,
    )


def _non_target(group: Group, status: NonTargetStatus) -> NonTargetObservation:
    """Return the observation; a non-target group's short axis is a node's."""
    short_axis = _values(group, CaliperKind.SHORT_AXIS)
    return NonTargetObservation(
        status,
        group.cytology,
        group.observation_note,
        short_axis_mm=_first(short_axis) if group.role is Role.NON_TARGET else None,
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
        long_axis_mm=_first(long_axis),
        short_axis_mm=_first(short_axis),
        equivocal=group.equivocal,
        typical_hcc=group.typical_hcc,
        cytology=group.cytology,
        note=group.observation_note,
    )


@dataclass
class _CaliperBuilder:
    """Rebuilds calipers from SCOORDs on the images given; counts those it cannot."""

    images: ImageIndex | None
    not_restored: int = 0

    def calipers(self, group: Group) -> tuple[Caliper, ...]:
        calipers = []
        fragment = 0
        for length in group.lengths:
            index = fragment if length.kind is CaliperKind.FRAGMENT else 0
            fragment += length.kind is CaliperKind.FRAGMENT
            geometry = length.geometry
            if geometry is None:
                continue
            ref = (
                None
                if self.images is None
                else self.images.find(geometry.sop_instance_uid, geometry.frame)
            )
            if ref is None or not ref.has_geometry:
                self.not_restored += 1
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


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key that orders ``X2`` before ``X10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.findall(r"\d+|\D+", text)
    )


def _record(document: Document, builder: _CaliperBuilder) -> TimePointRecord:
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
            non_targets[lesion_id] = _non_target(group, group.non_target_status)
        if drawn := builder.calipers(group):
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
            # measured findings come first in a report (see the writer): the
            # reader's order is the order of their ids (X1, X2, ... X10)
            new_lesions=tuple(sorted(new_lesions, key=lambda n: _natural(n.id))),
        ),
        study_uid=document.study_uid,
        series_uid=document.series_uid,
        calipers=calipers,
        new_lesion_uids=new_uids,
    )
