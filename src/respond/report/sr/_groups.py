"""Measurement groups (TID 1501) for one time point: a lesion's, and one per caliper.

Each lesion or new finding has one **lesion group**: its tracking identifier
(the lesion id) and UID (TID 4108), the time point context (TID 1502), the
finding and finding site, its status as qualitative evaluations, and the
lengths recorded without a caliper as TID 300 measurements without
coordinates. It has no SCOORD (the writer sets it apart in "Qualitative
Evaluations").

Each **caliper** (a line the reader drew) is a group of its own, named as
:mod:`respond.report.sr._caliper` says: the same time point context, finding
and finding site, a Comment with its label, and exactly one TID 300 length
INFERRED FROM a two-point SCOORD POLYLINE on the image it was drawn on (TID
320). A non-target node's short axis, when measured, is a length like a
target's (in a caliper group when a short-axis caliper was drawn for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import highdicom as hd
import numpy as np
from highdicom.sr import (
    CodeContentItem,
    RelationshipTypeValues,
    TextContentItem,
)
from pydicom.sr.coding import Code

from respond.criteria.categories import Role
from respond.criteria.record import Caliper, CaliperKind
from respond.report.images import ImageIndex, ImageRef
from respond.report.sr import _caliper
from respond.report.sr import codes as c

if TYPE_CHECKING:
    from collections.abc import Iterable

    from respond.criteria.categories import Cytology
    from respond.criteria.model import (
        Lesion,
        NewLesion,
        NonTargetObservation,
        TargetMeasurement,
    )


@dataclass
class GroupContext:
    """What every group of one document shares; collects the images referenced."""

    images: ImageIndex
    time_point: hd.sr.TimePointContext
    referenced: dict[tuple[str, int | None], ImageRef] = field(default_factory=dict)

    def image(self, caliper: Caliper) -> ImageRef:
        ref = self.images.require(caliper.sop_instance_uid, caliper.frame)
        self.referenced[(ref.sop_instance_uid, ref.frame.frame)] = ref
        return ref


def _yes_no(value: bool) -> Code:
    return c.YES if value else c.NO


def evaluation(name: Code, value: Code) -> hd.sr.QualitativeEvaluation:
    """Return a coded qualitative evaluation (one CONTAINS CODE item)."""
    return hd.sr.QualitativeEvaluation(name=name, value=value)


def text_item(name: Code, value: str) -> TextContentItem:
    """Return a CONTAINS TEXT item."""
    return TextContentItem(
        name=name, value=value, relationship_type=RelationshipTypeValues.CONTAINS
    )


def _note(note: str) -> list[TextContentItem]:
    return [text_item(c.OBSERVATION_NOTE, note)] if note else []


def _cytology(cytology: Cytology | None) -> list[hd.sr.QualitativeEvaluation]:
    if cytology is None:
        return []
    return [evaluation(c.CYTOLOGY, c.CYTOLOGIES[cytology])]


def _scoord(caliper: Caliper, ctx: GroupContext) -> hd.sr.CoordinatesForMeasurement:
    ref = ctx.image(caliper)
    points = np.array(
        [ref.to_pixel(caliper.start_mm), ref.to_pixel(caliper.end_mm)],
        dtype=np.float64,
    )
    frames = None if ref.frame_number is None else [ref.frame_number]
    source = hd.sr.SourceImageForRegion(
        referenced_sop_class_uid=ref.sop_class_uid,
        referenced_sop_instance_uid=ref.sop_instance_uid,
        referenced_frame_numbers=frames,
    )
    return hd.sr.CoordinatesForMeasurement(
        graphic_type=hd.sr.GraphicTypeValues.POLYLINE,
        graphic_data=points,
        source_image=source,
    )


@dataclass(frozen=True, slots=True)
class _Length:
    """One length of a lesion: its value, its caliper, its place among its kind."""

    kind: CaliperKind
    value: Decimal | None
    caliper: Caliper | None
    position: int


def _measurement(length: _Length, ctx: GroupContext) -> hd.sr.Measurement:
    """Return one TID 300 length; a caliper without a value keeps its own length."""
    caliper = length.caliper
    coordinates = None if caliper is None else [_scoord(caliper, ctx)]
    if length.value is not None:
        number = length.value
    elif caliper is not None:
        number = caliper.length_mm
    else:
        raise ValueError("a length needs a value or a caliper")
    measurement = hd.sr.Measurement(
        name=c.LENGTHS[length.kind],
        value=float(number),
        unit=c.MM,
        referenced_coordinates=coordinates,
    )
    if length.value is None:
        item = CodeContentItem(
            name=c.CALIPER_ONLY,
            value=c.YES,
            relationship_type=RelationshipTypeValues.HAS_CONCEPT_MOD,
        )
        measurement[0].ContentSequence.append(item)
    return measurement


def _lengths(
    values: list[tuple[CaliperKind, Decimal | None]], calipers: tuple[Caliper, ...]
) -> list[_Length]:
    """Pair each value with its caliper (by kind, fragments by index).

    The values come first, in order, then the calipers no value was paired
    with; each length's position counts the lengths of its kind before it.
    """
    unused = list(calipers)
    lengths: list[_Length] = []
    seen: dict[CaliperKind, int] = {}
    for kind, value in values:
        position = seen.get(kind, 0)
        seen[kind] = position + 1
        index = position if kind is CaliperKind.FRAGMENT else 0
        match = next(
            (k for k in unused if k.kind is kind and k.index == index), None
        ) or next((k for k in unused if k.kind is kind), None)
        if match is not None:
            unused.remove(match)
        lengths.append(_Length(kind, value, match, position))
    for caliper in unused:
        position = seen.get(caliper.kind, 0)
        seen[caliper.kind] = position + 1
        lengths.append(_Length(caliper.kind, None, caliper, position))
    return lengths


def _recorded(
    lengths: Iterable[tuple[CaliperKind, Decimal | None]],
) -> list[tuple[CaliperKind, Decimal | None]]:
    """Return the lengths that were recorded, in order."""
    return [(kind, length) for kind, length in lengths if length is not None]


def _non_target_values(
    observation: NonTargetObservation | None,
) -> list[tuple[CaliperKind, Decimal | None]]:
    """Return a nodal non-target's short axis, when the reader measured it."""
    if observation is None:
        return []
    return _recorded(((CaliperKind.SHORT_AXIS, observation.short_axis_mm),))


def _target_values(
    measurement: TargetMeasurement | None,
) -> list[tuple[CaliperKind, Decimal | None]]:
    if measurement is None:
        return []
    return _recorded(
        (
            (CaliperKind.LONG_AXIS, measurement.long_axis_mm),
            (CaliperKind.SHORT_AXIS, measurement.short_axis_mm),
            (CaliperKind.VIABLE, measurement.viable_mm),
            *((CaliperKind.FRAGMENT, f) for f in measurement.fragments_mm),
        )
    )


@dataclass(frozen=True)
class _Finding:
    """What a lesion and a new finding have in common."""

    lesion_id: str
    tracking_uid: str
    role: Code
    organ: str
    site: str
    kind: Code
    is_node: bool
    typical_hcc: bool | None
    note: str


def _sites(finding: _Finding) -> list[hd.sr.FindingSite] | None:
    site = c.SITES.get(finding.organ.strip().lower())
    return None if site is None else [hd.sr.FindingSite(site)]


def _lesion_group(
    finding: _Finding,
    ctx: GroupContext,
    measurements: list[hd.sr.Measurement],
    evaluations: list[hd.sr.QualitativeEvaluation],
    texts: list[TextContentItem],
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    head = [
        evaluation(c.BASELINE_CATEGORY, finding.role),
        evaluation(c.NODAL, _yes_no(finding.is_node)),
    ]
    if finding.typical_hcc is not None:
        head.append(evaluation(c.TYPICAL_HCC, _yes_no(finding.typical_hcc)))
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=finding.tracking_uid, identifier=finding.lesion_id
        ),
        time_point_context=ctx.time_point,
        finding_type=finding.kind,
        finding_sites=_sites(finding),
        measurements=measurements or None,
        qualitative_evaluations=head + evaluations,
    )
    described = [
        (c.ORGAN, finding.organ),
        (c.SITE, finding.site),
        (c.LESION_NOTE, finding.note),
    ]
    content = group[0].ContentSequence
    content.extend(text_item(name, value) for name, value in described if value)
    content.extend(texts)
    return group


def _caliper_group(
    finding: _Finding, length: _Length, ctx: GroupContext
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """Return the group of one caliper: one length, its SCOORD, its label."""
    lesion_id, kind, position = finding.lesion_id, length.kind, length.position
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=_caliper.uid(finding.tracking_uid, kind, position),
            identifier=_caliper.tracking_identifier(lesion_id),
        ),
        time_point_context=ctx.time_point,
        finding_type=finding.kind,
        finding_sites=_sites(finding),
        measurements=[_measurement(length, ctx)],
    )
    label = _caliper.label(lesion_id, kind, position)
    group[0].ContentSequence.append(text_item(c.COMMENT, label))
    return group


Groups = list[hd.sr.MeasurementsAndQualitativeEvaluations]


def _groups(
    finding: _Finding,
    ctx: GroupContext,
    lengths: list[_Length],
    evaluations: list[hd.sr.QualitativeEvaluation],
    texts: list[TextContentItem],
) -> Groups:
    """Return the lesion group, then one group per caliper, in length order."""
    without = [_measurement(k, ctx) for k in lengths if k.caliper is None]
    drawn = [_caliper_group(finding, k, ctx) for k in lengths if k.caliper]
    return [_lesion_group(finding, ctx, without, evaluations, texts), *drawn]


def lesion_groups(
    lesion: Lesion,
    tracking_uid: str,
    target: TargetMeasurement | None,
    non_target: NonTargetObservation | None,
    calipers: tuple[Caliper, ...],
    ctx: GroupContext,
) -> Groups:
    """Return the groups of a baseline lesion (target or non-target) at one time point.

    The lesion group first, then one group per caliper.

    Raises
    ------
    respond.report.images.ImageNotFoundError
        A caliper's image is not in the index.
    """
    is_target = lesion.role is Role.TARGET
    finding = _Finding(
        lesion.id,
        tracking_uid,
        c.TARGET_AT_BASELINE if is_target else c.NON_TARGET_AT_BASELINE,
        lesion.organ,
        lesion.site,
        c.FINDINGS[lesion.kind],
        lesion.is_node,
        lesion.typical_hcc,
        lesion.note,
    )
    evaluations: list[hd.sr.QualitativeEvaluation] = []
    texts: list[TextContentItem] = []
    if target is not None:
        evaluations.append(
            evaluation(c.TARGET_STATUS, c.TARGET_STATUSES[target.status])
        )
        if target.merged_into is not None:
            texts.append(text_item(c.MERGED_INTO, target.merged_into))
        texts.extend(_note(target.note))
    if non_target is not None:
        evaluations.append(
            evaluation(c.NON_TARGET_STATUS, c.NON_TARGET_STATUSES[non_target.status])
        )
        evaluations.extend(_cytology(non_target.cytology))
        texts.extend(_note(non_target.note))
    values = [*_target_values(target), *_non_target_values(non_target)]
    return _groups(finding, ctx, _lengths(values, calipers), evaluations, texts)


def new_lesion_groups(
    finding: NewLesion,
    tracking_uid: str,
    calipers: tuple[Caliper, ...],
    ctx: GroupContext,
) -> Groups:
    """Return the groups of a new finding at the time point it is recorded.

    The finding's group first, then one group per caliper.

    Raises
    ------
    respond.report.images.ImageNotFoundError
        A caliper's image is not in the index.
    """
    common = _Finding(
        finding.id,
        tracking_uid,
        c.NEW,
        finding.organ,
        finding.site,
        c.FINDINGS[finding.kind],
        finding.is_node,
        finding.typical_hcc,
        "",
    )
    evaluations = [
        evaluation(c.EQUIVOCAL, _yes_no(finding.equivocal)),
        *_cytology(finding.cytology),
    ]
    values = _recorded(
        (
            (CaliperKind.LONG_AXIS, finding.long_axis_mm),
            (CaliperKind.SHORT_AXIS, finding.short_axis_mm),
        )
    )
    lengths = _lengths(values, calipers)
    return _groups(common, ctx, lengths, evaluations, _note(finding.note))
