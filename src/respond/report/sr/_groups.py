"""Measurement groups (TID 1501) for one time point: one per lesion or new finding.

A group holds the lesion's tracking identifier and UID (TID 4108), the time
point context (TID 1502), the finding and finding site, its lengths as TID 300
measurements (each INFERRED FROM a two-point SCOORD POLYLINE on the image the
caliper was drawn on, TID 320), and its status as qualitative evaluations. A
non-target node's short axis, when measured, is a TID 300 length like a
target's (with a SCOORD when a short-axis caliper was drawn for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from respond.criteria.record import CaliperKind
from respond.report.images import ImageIndex, ImageRef
from respond.report.sr import codes as c

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    from respond.criteria.categories import Cytology
    from respond.criteria.model import (
        Lesion,
        NewLesion,
        NonTargetObservation,
        TargetMeasurement,
    )
    from respond.criteria.record import Caliper


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


def _length(
    kind: CaliperKind,
    value: Decimal | None,
    caliper: Caliper | None,
    ctx: GroupContext,
) -> hd.sr.Measurement:
    """Return one TID 300 length; a caliper without a value keeps its own length."""
    coordinates = None if caliper is None else [_scoord(caliper, ctx)]
    if value is not None:
        number = value
    elif caliper is not None:
        number = caliper.length_mm
    else:
        raise ValueError("a length needs a value or a caliper")
    measurement = hd.sr.Measurement(
        name=c.LENGTHS[kind],
        value=float(number),
        unit=c.MM,
        referenced_coordinates=coordinates,
    )
    if value is None:
        item = CodeContentItem(
            name=c.CALIPER_ONLY,
            value=c.YES,
            relationship_type=RelationshipTypeValues.HAS_CONCEPT_MOD,
        )
        measurement[0].ContentSequence.append(item)
    return measurement


def _lengths(
    values: list[tuple[CaliperKind, Decimal | None]],
    calipers: tuple[Caliper, ...],
    ctx: GroupContext,
) -> list[hd.sr.Measurement]:
    """Pair each value with its caliper (by kind, fragments by index)."""
    unused = list(calipers)
    measurements = []
    fragment = 0
    for kind, value in values:
        index = fragment if kind is CaliperKind.FRAGMENT else 0
        fragment += kind is CaliperKind.FRAGMENT
        match = next(
            (k for k in unused if k.kind is kind and k.index == index), None
        ) or next((k for k in unused if k.kind is kind), None)
        if match is not None:
            unused.remove(match)
        measurements.append(_length(kind, value, match, ctx))
    measurements.extend(_length(k.kind, None, k, ctx) for k in unused)
    return measurements


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


def _group(
    finding: _Finding,
    ctx: GroupContext,
    measurements: list[hd.sr.Measurement],
    evaluations: list[hd.sr.QualitativeEvaluation],
    texts: list[TextContentItem],
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    site = c.SITES.get(finding.organ.strip().lower())
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
        finding_sites=None if site is None else [hd.sr.FindingSite(site)],
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


def lesion_group(
    lesion: Lesion,
    tracking_uid: str,
    target: TargetMeasurement | None,
    non_target: NonTargetObservation | None,
    calipers: tuple[Caliper, ...],
    ctx: GroupContext,
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """Return the group of a baseline lesion (target or non-target) at one time point.

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
    measurements = _lengths(values, calipers, ctx)
    return _group(finding, ctx, measurements, evaluations, texts)


def new_lesion_group(
    finding: NewLesion,
    tracking_uid: str,
    calipers: tuple[Caliper, ...],
    ctx: GroupContext,
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """Return the group of a new finding at the time point it is recorded.

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
    measurements = _lengths(values, calipers, ctx)
    return _group(common, ctx, measurements, evaluations, _note(finding.note))
