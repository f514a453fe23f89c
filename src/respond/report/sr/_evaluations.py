"""The "Qualitative Evaluations" of a time point: its categories, how it was read.

RECIST 1.1 and mRECIST categories (target, non-target, new lesions, overall;
each with the criterion it was judged by), the best overall response so far,
and how the time point was read (arterial phase, slice thickness, series).
The writer adds the lesion groups to this container (see its docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highdicom as hd
from highdicom.sr import (
    CodeContentItem,
    ContainerContentItem,
    RelationshipTypeValues,
)

from respond.report.sr import codes as c
from respond.report.sr._groups import evaluation, text_item

if TYPE_CHECKING:
    from collections.abc import Mapping

    from highdicom.sr import ContentItem
    from pydicom.dataset import Dataset
    from pydicom.sr.coding import Code

    from respond.criteria import Criterion, CriterionResult, Response
    from respond.criteria.record import TimePointRecord

__all__ = ["evaluations"]


def _response_items(
    results: Mapping[Criterion, CriterionResult] | None,
) -> list[hd.sr.QualitativeEvaluation]:
    items: list[hd.sr.QualitativeEvaluation] = []
    for criterion, result in (results or {}).items():
        if result.is_baseline:
            continue
        levels = (
            ("target", result.target, c.TARGET_RESPONSES),
            ("non_target", result.non_target, c.NON_TARGET_RESPONSES),
            ("overall", result.overall, c.OVERALL_RESPONSES),
        )
        coded: list[hd.sr.QualitativeEvaluation] = []
        for level, response, vocabulary in levels:
            if response is not None:
                # the overall response is DICOM's Current Response; DICOM has
                # no concept for the target and non-target levels (their
                # values, CID 6144, say the level)
                concept = (
                    c.CURRENT_RESPONSE
                    if level == "overall"
                    else c.RESPONSE_CONCEPTS[(criterion.value, level)]
                )
                coded.append(evaluation(concept, vocabulary[response]))
        if result.new_lesions is not None:
            concept = c.RESPONSE_CONCEPTS[(criterion.value, "new_lesions")]
            present = c.NEW_LESIONS_PRESENT[result.new_lesions]
            coded.append(evaluation(concept, present))
        method = c.RESPONSE_METHODS[criterion.value]
        for template in coded:
            _judged_by(template[0], method)
        items.extend(coded)
    return items


def _judged_by(item: Dataset, method: Code) -> None:
    """Say which criterion a response item was judged by (HAS CONCEPT MOD)."""
    modifier = CodeContentItem(
        name=c.RESPONSE_METHOD,
        value=method,
        relationship_type=RelationshipTypeValues.HAS_CONCEPT_MOD,
    )
    item.ContentSequence = hd.sr.ContentSequence([modifier])


def _best_items(
    best: Mapping[Criterion, Response],
) -> list[hd.sr.QualitativeEvaluation]:
    """Return the best overall response so far (DCM 112049), per criterion."""
    items = []
    for criterion, response in best.items():
        item = evaluation(c.BEST_OVERALL_RESPONSE, c.OVERALL_RESPONSES[response])
        _judged_by(item[0], c.RESPONSE_METHODS[criterion.value])
        items.append(item)
    return items


def evaluations(
    record: TimePointRecord,
    results: Mapping[Criterion, CriterionResult] | None,
    best: Mapping[Criterion, Response],
) -> ContainerContentItem:
    """Return the TID 1500 "Qualitative Evaluations" of the time point."""
    timepoint = record.timepoint
    coded = [
        *_response_items(results),
        *_best_items(best),
        evaluation(c.ARTERIAL_PHASE, c.YES if timepoint.arterial_phase else c.NO),
    ]
    items: list[ContentItem] = [item for template in coded for item in template]
    if timepoint.slice_thickness_mm is not None:
        items.append(text_item(c.SLICE_THICKNESS, str(timepoint.slice_thickness_mm)))
    if record.series_uid:
        items.append(text_item(c.TIMEPOINT_SERIES, record.series_uid))
    container = ContainerContentItem(
        name=c.QUALITATIVE_EVALUATIONS,
        relationship_type=RelationshipTypeValues.CONTAINS,
    )
    container.ContentSequence = hd.sr.ContentSequence(items)
    return container
