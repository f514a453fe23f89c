"""Pure edits of a read: each returns a new frozen value (no storage, no events)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from respond.criteria import (
    Caliper,
    CaliperKind,
    LesionId,
    TargetMeasurement,
    TargetStatus,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from respond.criteria import Lesion, LesionExtent, PatientRead, TimePointRecord


def measurement_from_calipers(
    lesion: Lesion, calipers: Sequence[Caliper], base: TargetMeasurement | None
) -> TargetMeasurement:
    """Return the measurement the calipers give (lengths to 0.1 mm).

    Values the calipers do not set (e.g. a viable diameter when only the long axis
    was drawn) are kept from ``base``.
    """
    keep = base or TargetMeasurement(lesion_id=lesion.id)
    values: dict[str, Decimal | None] = {
        "long_axis_mm": keep.long_axis_mm,
        "short_axis_mm": keep.short_axis_mm,
        "viable_mm": keep.viable_mm,
    }
    fragments: list[Decimal] = []
    for caliper in sorted(calipers, key=lambda c: (c.kind.value, c.index)):
        if caliper.kind is CaliperKind.FRAGMENT:
            fragments.append(caliper.length_mm)
        else:
            values[f"{caliper.kind.value}_mm"] = caliper.length_mm
    return TargetMeasurement(
        status=TargetStatus.MEASURED,
        long_axis_mm=values["long_axis_mm"],
        short_axis_mm=values["short_axis_mm"],
        viable_mm=values["viable_mm"],
        fragments_mm=tuple(fragments) if fragments else keep.fragments_mm,
        merged_into=None,
        note=keep.note,
        lesion_id=lesion.id,
    )


def replace_timepoint(read: PatientRead, record: TimePointRecord) -> PatientRead:
    """Return the read with one time point replaced (matched by uid), date-sorted."""
    others = [tp for tp in read.timepoints if tp.uid != record.uid]
    ordered = sorted([*others, record], key=lambda tp: tp.date)
    return dataclasses.replace(read, timepoints=tuple(ordered))


def with_target(
    record: TimePointRecord,
    lesion_id: LesionId,
    measurement: TargetMeasurement | None,
    calipers: Sequence[Caliper],
    extent: LesionExtent | None = None,
) -> TimePointRecord:
    """Return the time point with a target's measurement, calipers and extent set."""
    targets = dict(record.timepoint.targets)
    all_calipers = dict(record.calipers)
    extents = dict(record.extents)
    if extent is None:
        extents.pop(lesion_id, None)
    else:
        extents[lesion_id] = extent
    if measurement is None:
        targets.pop(lesion_id, None)
        all_calipers.pop(lesion_id, None)
    else:
        targets[lesion_id] = measurement
        if calipers:
            all_calipers[lesion_id] = tuple(calipers)
        else:
            all_calipers.pop(lesion_id, None)
    timepoint = dataclasses.replace(record.timepoint, targets=targets)
    return dataclasses.replace(
        record, timepoint=timepoint, calipers=all_calipers, extents=extents
    )
