"""Baseline conformance and reading warnings (RECIST 1.1 sections 3 and 4.2; A5).

None of these stops the assessment: each is a warning with a code, for the reader
to fix or accept.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria._arith import mm
from respond.criteria.categories import NonTargetStatus
from respond.criteria.result import CaseWarning

if TYPE_CHECKING:
    from respond.criteria.model import Case, Lesion, TargetMeasurement

__all__ = ["baseline_conformance", "reading_warnings"]

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
MEASURABLE_MM = Decimal(10)
NODE_MEASURABLE_MM = Decimal(15)
NODE_PATHOLOGICAL_MM = Decimal(10)
THICK_SLICE_MM = Decimal(5)

_PAIRED = {
    "lungs": "lung",
    "kidneys": "kidney",
    "ovaries": "ovary",
    "adrenals": "adrenal",
    "adrenal glands": "adrenal",
    "adrenal gland": "adrenal",
    "breasts": "breast",
}


def organ_key(lesion: Lesion) -> str:
    """Return the organ a lesion counts against: all nodes one, paired organs one."""
    if lesion.is_node:
        return "lymph nodes"
    words = lesion.organ.strip().lower().split()
    while words and words[0] in ("left", "right", "bilateral"):
        words = words[1:]
    name = " ".join(words)
    return _PAIRED.get(name, name)


def baseline_conformance(case: Case) -> list[CaseWarning]:
    """Check the baseline target selection against RECIST 1.1.

    Parameters
    ----------
    case
        The case.

    Returns
    -------
    list of CaseWarning
        Too many targets, too many per organ, targets below the measurable size.
    """
    warnings = []
    targets = case.targets
    if len(targets) > MAX_TARGETS:
        warnings.append(
            CaseWarning(
                "target_count",
                f"{len(targets)} target lesions: RECIST 1.1 allows at most 5; "
                "make the others non-targets",
            )
        )
    per_organ = Counter(organ_key(lesion) for lesion in targets)
    for organ, count in per_organ.items():
        if count > MAX_TARGETS_PER_ORGAN:
            warnings.append(
                CaseWarning(
                    "targets_per_organ",
                    f"{count} targets in {organ or 'an unnamed organ'}: RECIST 1.1 "
                    "allows at most 2 per organ (all nodes count as one organ)",
                )
            )
    thickness = case.baseline.slice_thickness_mm
    for lesion in targets:
        measurement = case.baseline.targets[lesion.id]
        warning = _measurability(lesion, measurement, thickness)
        if warning is not None:
            warnings.append(warning)
    return warnings


def _measurability(
    lesion: Lesion, measurement: TargetMeasurement, thickness: Decimal | None
) -> CaseWarning | None:
    if lesion.is_node:
        short = measurement.short_axis_mm
        if short is None or short >= NODE_MEASURABLE_MM:
            return None
        kind = (
            "pathological but not measurable: a non-target"
            if short >= NODE_PATHOLOGICAL_MM
            else "not pathological (< 10 mm): not disease"
        )
        return CaseWarning(
            "node_not_measurable",
            f"target node {lesion.id} short axis {mm(short)} < 15 mm: {kind}",
        )
    length = measurement.long_axis_mm
    if length is None:
        return None
    minimum = MEASURABLE_MM
    if thickness is not None and thickness > THICK_SLICE_MM:
        minimum = max(MEASURABLE_MM, 2 * thickness)
    if length >= minimum:
        return None
    return CaseWarning(
        "target_not_measurable",
        f"target {lesion.id} {mm(length)} < {mm(minimum)}: not measurable at "
        "baseline (>= 10 mm, or twice a slice thickness above 5 mm); make it a "
        "non-target",
    )


def reading_warnings(case: Case) -> list[CaseWarning]:
    """Warn about readings that need the reader's attention.

    Parameters
    ----------
    case
        The case.

    Returns
    -------
    list of CaseWarning
        Non-target progression without justification (A5), non-targets recorded
        absent at baseline, mRECIST targets without viable tumour at baseline,
        viable diameters longer than the lesion.
    """
    warnings = []
    for tp in case.timepoints:
        for lesion_id, observation in tp.non_targets.items():
            if (
                observation.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION
                and not observation.note.strip()
            ):
                warnings.append(
                    CaseWarning(
                        "non_target_pd_without_note",
                        f"{tp.label}: unequivocal progression of {lesion_id} has no "
                        "written justification; add a note (kept in the audit trail)",
                    )
                )
        for lesion_id, measurement in tp.targets.items():
            viable, length = measurement.viable_mm, measurement.long_axis_mm
            if viable is not None and length is not None and viable > length:
                warnings.append(
                    CaseWarning(
                        "viable_exceeds_long_axis",
                        f"{tp.label}: {lesion_id} viable diameter {mm(viable)} is "
                        f"longer than its long axis {mm(length)}; check the calipers",
                    )
                )
    warnings.extend(_baseline_reading(case))
    return warnings


def _baseline_reading(case: Case) -> list[CaseWarning]:
    warnings = []
    baseline = case.baseline
    for lesion_id, observation in baseline.non_targets.items():
        if observation.status is not NonTargetStatus.PRESENT:
            warnings.append(
                CaseWarning(
                    "non_target_baseline_status",
                    f"non-target {lesion_id} is recorded as "
                    f"{observation.status.value} at baseline; a baseline non-target "
                    "is present disease",
                )
            )
    for lesion in case.targets:
        if not lesion.is_liver:
            continue
        viable = baseline.targets[lesion.id].viable_mm
        if viable is None or viable == 0:
            state = "not recorded" if viable is None else "0 mm"
            warnings.append(
                CaseWarning(
                    "mrecist_no_viable_baseline",
                    f"target {lesion.id}: viable diameter {state} at baseline; an "
                    "mRECIST target needs arterially enhancing tumour",
                )
            )
    return warnings
