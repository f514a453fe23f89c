"""Rebuild a report in the layout respond wrote before calipers had groups of their own.

Then each lesion was ONE measurement group, tracked by the lesion id and the
lesion's tracking UID, holding all its lengths (each NUM with its SCOORD, if
drawn) in the order the writer paired them: the recorded lengths by kind (long
axis, short axis, viable, fragments in order), then the calipers drawn without
a recorded length. The groups with a SCOORD were in "Imaging Measurements", in
lesion order; the others in "Qualitative Evaluations". Files of that layout must
still import.
"""

from __future__ import annotations

import copy

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from tests.integration.report.sr.srtree import (
    CALIPER,
    caliper_groups,
    container,
    identifier,
    items,
    named,
)

from respond.criteria import CaliperKind
from respond.report.sr import codes as c

_RANK = {c.key(code): rank for rank, code in enumerate(c.LENGTHS.values())}
assert list(c.LENGTHS) == list(CaliperKind)


def _lengths(group: Dataset) -> list[Dataset]:
    return [
        i
        for i in group.ContentSequence
        if i.ValueType == "NUM" and i.RelationshipType == "CONTAINS"
    ]


def _order(num: Dataset) -> tuple[bool, int]:
    name = num.ConceptNameCodeSequence[0]
    caliper_only = bool(named(num, "CALIPER-ONLY", c.PRIVATE))
    return (caliper_only, _RANK[(name.CodingSchemeDesignator, name.CodeValue)])


def _has_scoord(group: Dataset) -> bool:
    return any(i.ValueType == "SCOORD" for i in items(group))


def old_layout(report: Dataset) -> Dataset:
    """Return a copy of a report in the old layout (one group per lesion)."""
    ds = copy.deepcopy(report)
    evaluations = container(ds, "C0034375", "UMLS")
    assert evaluations is not None
    groups = named(evaluations, "125007", "DCM")
    lesions = {identifier(g): g for g in groups}
    for drawn in caliper_groups(ds):
        lesion = lesions[identifier(drawn)[len(CALIPER) :]]
        lesion.ContentSequence.extend(_lengths(drawn))
    for group in groups:
        nums = sorted(_lengths(group), key=_order)
        rest = [i for i in group.ContentSequence if all(i is not n for n in nums)]
        # the lengths before the qualitative evaluations, as the old writer had them
        at = next(
            k
            for k, i in enumerate(rest)
            if i.ConceptNameCodeSequence[0].CodeValue == "112016"  # Baseline Category
        )
        group.ContentSequence = Sequence([*rest[:at], *nums, *rest[at:]])
    with_region = [g for g in groups if _has_scoord(g)]
    evaluations.ContentSequence = Sequence(
        [i for i in evaluations.ContentSequence if all(i is not g for g in with_region)]
    )
    measurements = container(ds, "126010", "DCM")
    if measurements is not None:
        if with_region:
            measurements.ContentSequence = Sequence(with_region)
        else:
            ds.ContentSequence.remove(measurements)
    return ds
