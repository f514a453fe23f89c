"""mRECIST for hepatocellular carcinoma (Lencioni & Llovet 2010).

Keeps the RECIST 1.1 skeleton and changes what is measured: liver targets count
their longest *viable* (arterially enhancing) diameter; other targets count their
RECIST value. HCC-specific rules: porta hepatis nodes are malignant only from 20 mm
short axis and are non-targets (RULES A10); infiltrative HCC and portal vein tumour
thrombus are non-targets; effusion or ascites progression needs positive cytology;
a new intrahepatic lesion is HCC at >= 10 mm with the typical pattern, an atypical
one >= 10 mm is equivocal until it grows by >= 10 mm, and < 10 mm is not counted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria._arith import TOO_SMALL_MM, ZERO, mm
from respond.criteria._protocol import NewVerdict, NonTargetItem, Valuation
from respond.criteria.categories import (
    Criterion,
    Cytology,
    LesionKind,
    NonTargetStatus,
    TargetStatus,
)
from respond.criteria.recist11 import (
    reader_non_targets,
    recist_new_verdict,
    recist_value,
)
from respond.criteria.result import CaseWarning, Reason

if TYPE_CHECKING:
    from respond.criteria.model import (
        Case,
        Lesion,
        NewLesion,
        TargetMeasurement,
        TimePoint,
    )

__all__ = ["MRecist", "viable_value"]

PORTA_HEPATIS_MALIGNANT_MM = Decimal(20)
NEW_HCC_MIN_MM = Decimal(10)
ATYPICAL_GROWTH_MM = Decimal(10)

_TARGET = "mRECIST target lesions"
_NON_TARGET = "mRECIST non-target lesions"
_NEW = "mRECIST new lesion"
_EFFUSION_KINDS = (LesionKind.ASCITES, LesionKind.PLEURAL_EFFUSION)


def viable_value(lesion: Lesion, measurement: TargetMeasurement | None) -> Valuation:
    """Return what a target adds to the mRECIST sum.

    Parameters
    ----------
    lesion
        The target lesion.
    measurement
        Its record at the time point, or ``None``.

    Returns
    -------
    Valuation
        Liver tumours: the viable diameter (too small: 5 mm unless a viable value
        is given; absent or merged: 0 mm; not recorded: missing). Other targets:
        their RECIST 1.1 value.
    """
    if not lesion.is_liver:
        return recist_value(lesion, measurement)
    if measurement is None or measurement.status is TargetStatus.NOT_EVALUATED:
        return Valuation(None, f"{lesion.id} not evaluated")
    if measurement.status is TargetStatus.ABSENT:
        return Valuation(ZERO, f"{lesion.id} absent: 0 mm")
    if measurement.viable_mm is not None:
        return Valuation(measurement.viable_mm)
    if measurement.status is TargetStatus.TOO_SMALL:
        return Valuation(TOO_SMALL_MM, f"{lesion.id} too small to measure: 5 mm")
    if measurement.merged_into is not None:
        return Valuation(
            ZERO, f"{lesion.id} merged into {measurement.merged_into}: 0 mm"
        )
    return Valuation(None, f"{lesion.id} has no viable diameter recorded")


def _status(
    value: Decimal | None, threshold: Decimal, *, inclusive: bool = False
) -> NonTargetStatus:
    """Non-target status of a target followed as a non-target under mRECIST."""
    if value is None:
        return NonTargetStatus.NOT_EVALUATED
    present = value >= threshold if inclusive else value > threshold
    return NonTargetStatus.PRESENT if present else NonTargetStatus.ABSENT


class MRecist:
    """The mRECIST rules for the shared time-line."""

    criterion = Criterion.MRECIST
    rule = "mRECIST"

    def __init__(self, pd_min_increase_mm: Decimal = ZERO) -> None:
        self.pd_min_increase_mm = pd_min_increase_mm

    def scope(self, case: Case) -> tuple[tuple[Lesion, ...], list[CaseWarning]]:
        """Return the targets that enter the viable sum, with warnings."""
        warnings = []
        kept = []
        for lesion in case.targets:
            if lesion.kind is LesionKind.INFILTRATIVE_HCC:
                warnings.append(
                    CaseWarning(
                        "mrecist_infiltrative_target",
                        f"{lesion.id} is infiltrative HCC: not an mRECIST target; "
                        "mRECIST follows it as a non-target",
                    )
                )
            elif lesion.is_porta_hepatis_node:
                warnings.append(self._porta_hepatis_warning(case, lesion))
            else:
                kept.append(lesion)
        return tuple(kept), warnings

    @staticmethod
    def _porta_hepatis_warning(case: Case, lesion: Lesion) -> CaseWarning:
        size = case.baseline.targets[lesion.id].short_axis_mm or ZERO
        if size >= PORTA_HEPATIS_MALIGNANT_MM:
            return CaseWarning(
                "mrecist_porta_hepatis_node",
                f"{lesion.id} is a porta hepatis node ({mm(size)}): mRECIST "
                "counts it as a malignant non-target, not a target",
            )
        return CaseWarning(
            "mrecist_porta_hepatis_node",
            f"{lesion.id} is a porta hepatis node below 20 mm ({mm(size)}): "
            "not malignant by mRECIST, left out of the mRECIST assessment",
        )

    def unavailable(self, timepoint: TimePoint) -> Reason | None:
        """Without an arterial phase no viable tumour can be measured (NE)."""
        if timepoint.arterial_phase:
            return None
        return Reason(
            _TARGET,
            "no usable arterial phase: viable tumour cannot be measured -> NE",
        )

    def value(
        self, lesion: Lesion, measurement: TargetMeasurement | None, tp: TimePoint
    ) -> Valuation:
        """Return the mRECIST value of a target."""
        return viable_value(lesion, measurement)

    def non_target_items(self, case: Case, tp: TimePoint) -> list[NonTargetItem]:
        """Return the non-targets as mRECIST counts them."""
        effusions = {
            lesion.id for lesion in case.non_targets if lesion.kind in _EFFUSION_KINDS
        }
        items = []
        for item in reader_non_targets(case, tp):
            if (
                item.lesion_id in effusions
                and item.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION
                and tp.non_targets[item.lesion_id].cytology is not Cytology.POSITIVE
            ):
                item = NonTargetItem(
                    item.lesion_id,
                    NonTargetStatus.PRESENT,
                    Reason(
                        _NON_TARGET,
                        f"{item.lesion_id}: effusion or ascites progression counts "
                        "only with positive cytology -> treated as present",
                    ),
                )
            items.append(item)
        items.extend(self._targets_as_non_targets(case, tp))
        return items

    def _targets_as_non_targets(self, case: Case, tp: TimePoint) -> list[NonTargetItem]:
        items = []
        for lesion in case.targets:
            if lesion.kind is LesionKind.INFILTRATIVE_HCC:
                measurement = tp.targets.get(lesion.id)
                value = viable_value(lesion, measurement).value
                if value is None:
                    value = recist_value(lesion, measurement).value
                items.append(NonTargetItem(lesion.id, _status(value, ZERO)))
            elif lesion.is_porta_hepatis_node:
                base = case.baseline.targets[lesion.id].short_axis_mm or ZERO
                if base >= PORTA_HEPATIS_MALIGNANT_MM:
                    value = recist_value(lesion, tp.targets.get(lesion.id)).value
                    status = _status(value, PORTA_HEPATIS_MALIGNANT_MM, inclusive=True)
                    items.append(NonTargetItem(lesion.id, status))
        return items

    def classify_new(
        self, finding: NewLesion, tp: TimePoint, first: NewLesion | None
    ) -> NewVerdict:
        """Judge a new finding by the mRECIST new-lesion rules."""
        if finding.is_intrahepatic:
            return self._intrahepatic(finding, tp, first)
        if finding.is_porta_hepatis_node:
            size = finding.short_axis_mm
            if size is None or size < PORTA_HEPATIS_MALIGNANT_MM:
                shown = "no short axis" if size is None else mm(size)
                return NewVerdict(
                    False,
                    False,
                    Reason(
                        _NEW,
                        f"new porta hepatis node {finding.id} ({shown}): malignant "
                        "only from 20 mm short axis -> not counted",
                    ),
                )
        if finding.is_effusion and finding.cytology is not Cytology.POSITIVE:
            return NewVerdict(
                False,
                False,
                Reason(
                    _NEW,
                    f"new effusion or ascites {finding.id} without positive "
                    "cytology: not progression",
                ),
            )
        verdict = recist_new_verdict(finding)
        return NewVerdict(
            verdict.counts,
            verdict.candidate,
            Reason(f"{_NEW} (extrahepatic: RECIST1.1 4.3.5)", verdict.reason.text),
        )

    def _intrahepatic(
        self, finding: NewLesion, tp: TimePoint, first: NewLesion | None
    ) -> NewVerdict:
        size = finding.long_axis_mm
        if not tp.arterial_phase:
            text = "no arterial phase: its enhancement pattern cannot be judged"
            return NewVerdict(False, False, Reason(_NEW, f"{finding.id}: {text}"))
        if size is None:
            text = "no long axis recorded; mRECIST needs its size (>= 10 mm)"
            return NewVerdict(False, False, Reason(_NEW, f"{finding.id}: {text}"))
        if size < NEW_HCC_MIN_MM:
            return NewVerdict(
                False,
                False,
                Reason(
                    _NEW,
                    f"new liver nodule {finding.id} {mm(size)} < 10 mm: followed, "
                    "not counted",
                ),
            )
        if finding.equivocal:
            return NewVerdict(
                False,
                True,
                Reason(_NEW, f"new liver nodule {finding.id} equivocal: not counted"),
            )
        if finding.typical_hcc:
            return NewVerdict(
                True,
                True,
                Reason(
                    _NEW,
                    f"new liver lesion {finding.id} {mm(size)} >= 10 mm with the "
                    "typical HCC pattern -> PD",
                ),
            )
        return self._atypical(finding, size, first)

    @staticmethod
    def _atypical(
        finding: NewLesion, size: Decimal, first: NewLesion | None
    ) -> NewVerdict:
        first_size = None if first is None else first.long_axis_mm
        if first_size is not None and size - first_size >= ATYPICAL_GROWTH_MM:
            return NewVerdict(
                True,
                True,
                Reason(
                    _NEW,
                    f"atypical liver nodule {finding.id} grew {mm(first_size)} -> "
                    f"{mm(size)} (>= 10 mm): HCC -> PD",
                ),
            )
        return NewVerdict(
            False,
            True,
            Reason(
                _NEW,
                f"new liver nodule {finding.id} {mm(size)} without the typical "
                "pattern: equivocal until it grows by >= 10 mm",
            ),
        )
