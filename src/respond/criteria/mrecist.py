"""mRECIST for hepatocellular carcinoma (Lencioni & Llovet 2010).

Keeps the RECIST 1.1 skeleton and changes what is measured: liver targets count
their longest *viable* (arterially enhancing) diameter; other targets count their
RECIST value. HCC-specific rules: porta hepatis nodes are malignant only from 20 mm
short axis at baseline and are then followed as non-targets by their short axis
(RULES A10); infiltrative HCC and portal vein tumour thrombus are non-targets;
effusion or ascites progression needs positive cytology; a new intrahepatic lesion
is HCC at >= 10 mm with the typical pattern, or once it is >= 10 mm and has grown
by >= 10 mm since first seen at any size (A14); otherwise it is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria._arith import (
    NODE_NORMAL_MM,
    RECIST_PD_MIN_INCREASE_MM,
    TOO_SMALL_MM,
    ZERO,
    meets_pd,
    mm,
    pct,
)
from respond.criteria._protocol import NewVerdict, NonTargetItem, Valuation
from respond.criteria.categories import (
    Criterion,
    Cytology,
    LesionKind,
    NonTargetStatus,
    Role,
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


def _status(value: Decimal | None) -> NonTargetStatus:
    """Non-target status of a target followed as a non-target under mRECIST."""
    if value is None:
        return NonTargetStatus.NOT_EVALUATED
    return NonTargetStatus.PRESENT if value > 0 else NonTargetStatus.ABSENT


@dataclass(frozen=True, slots=True)
class _NodeReading:
    """A porta hepatis node at one time point: short axis and recorded status."""

    short_axis: Decimal | None
    status: NonTargetStatus


def _porta_reading(lesion: Lesion, tp: TimePoint) -> _NodeReading:
    """Return a porta hepatis node's short axis and status as recorded at ``tp``.

    A target node counts its RECIST value (short axis; absent 0 mm; too small
    5 mm), its status is absent, present, or not evaluated without a value. A
    non-target node counts the ``short_axis_mm`` recorded with its status.
    """
    if lesion.role is Role.TARGET:
        measurement = tp.targets.get(lesion.id)
        value = recist_value(lesion, measurement).value
        if value is None or measurement is None:
            return _NodeReading(None, NonTargetStatus.NOT_EVALUATED)
        if measurement.status is TargetStatus.ABSENT:
            return _NodeReading(value, NonTargetStatus.ABSENT)
        return _NodeReading(value, NonTargetStatus.PRESENT)
    observation = tp.non_targets.get(lesion.id)
    if observation is None:
        return _NodeReading(None, NonTargetStatus.NOT_EVALUATED)
    return _NodeReading(observation.short_axis_mm, observation.status)


def _before(case: Case, tp: TimePoint) -> tuple[TimePoint, ...]:
    """Return the time points of the case before ``tp``, the baseline first."""
    for index, point in enumerate(case.timepoints):
        if point is tp:
            return case.timepoints[:index]
    return tuple(point for point in case.timepoints if point.date < tp.date)


def _follow_porta_node(
    lesion: Lesion, reading: _NodeReading, smallest: Decimal
) -> NonTargetItem:
    """Follow a malignant porta hepatis node by its short axis (RULES A10)."""
    name = f"{lesion.id} (porta hepatis node)"
    size = reading.short_axis
    if (
        lesion.role is Role.NON_TARGET
        and reading.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION
    ):
        text = f"{name}: the reader marks unequivocal progression -> kept (A10, A5)"
        return NonTargetItem(lesion.id, reading.status, Reason(_NON_TARGET, text))
    if size is None:
        text = (
            f"{name}: no short axis recorded -> {reading.status.value} as recorded "
            "(A10)"
        )
        return NonTargetItem(lesion.id, reading.status, Reason(_NON_TARGET, text))
    if size < NODE_NORMAL_MM:
        text = f"{name}: short axis {mm(size)} < 10 mm -> gone (A10)"
        return NonTargetItem(
            lesion.id, NonTargetStatus.ABSENT, Reason(_NON_TARGET, text)
        )
    change = size - smallest
    growth = (
        f"short axis {mm(size)} is {pct(size, smallest)} "
        f"({'+' if change >= 0 else ''}{mm(change)}) from its smallest so far "
        f"{mm(smallest)}"
    )
    if meets_pd(size, smallest, RECIST_PD_MIN_INCREASE_MM):
        text = f"{name}: {growth}: >= +20 % and >= +5 mm -> unequivocal progression"
        return NonTargetItem(
            lesion.id,
            NonTargetStatus.UNEQUIVOCAL_PROGRESSION,
            Reason(_NON_TARGET, f"{text} (A10)"),
        )
    text = f"{name}: {growth}: >= 10 mm, not grown by >= 20 % and >= 5 mm -> present"
    return NonTargetItem(
        lesion.id, NonTargetStatus.PRESENT, Reason(_NON_TARGET, f"{text} (A10)")
    )


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
            elif not lesion.is_porta_hepatis_node:
                kept.append(lesion)
        for lesion in case.lesions:
            if lesion.is_porta_hepatis_node:
                warning = self._porta_hepatis_warning(case, lesion)
                if warning is not None:
                    warnings.append(warning)
        return tuple(kept), warnings

    @staticmethod
    def _porta_hepatis_warning(case: Case, lesion: Lesion) -> CaseWarning | None:
        size = _porta_reading(lesion, case.baseline).short_axis
        role = "target" if lesion.role is Role.TARGET else "non-target"
        if size is None:
            return CaseWarning(
                "mrecist_porta_hepatis_short_axis",
                f"{lesion.id} is a porta hepatis node {role} without a short axis at "
                "baseline: mRECIST follows the reader's status; record its short "
                "axis (malignant only from 20 mm, A10)",
            )
        if size < PORTA_HEPATIS_MALIGNANT_MM:
            return CaseWarning(
                "mrecist_porta_hepatis_not_disease",
                f"{lesion.id} is a porta hepatis node of {mm(size)} short axis at "
                "baseline: not disease by mRECIST (malignant only from 20 mm, A10); "
                "it is not counted whatever is marked, and counts as a new lesion "
                "if it reaches 20 mm",
            )
        if lesion.role is Role.TARGET:
            return CaseWarning(
                "mrecist_porta_hepatis_node",
                f"{lesion.id} is a porta hepatis node ({mm(size)}): malignant, but "
                "not an mRECIST target; mRECIST follows it as a non-target by its "
                "short axis (A10)",
            )
        return None

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
        porta = {
            lesion.id: lesion
            for lesion in case.non_targets
            if lesion.is_porta_hepatis_node
        }
        items = []
        for item in reader_non_targets(case, tp):
            if item.lesion_id in porta:
                followed = self._porta_item(case, porta[item.lesion_id], tp)
                if followed is not None:
                    items.append(followed)
                continue
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
                items.append(NonTargetItem(lesion.id, _status(value)))
            elif lesion.is_porta_hepatis_node:
                followed = self._porta_item(case, lesion, tp)
                if followed is not None:
                    items.append(followed)
        return items

    @staticmethod
    def _porta_item(case: Case, lesion: Lesion, tp: TimePoint) -> NonTargetItem | None:
        """Return a porta hepatis node as an mRECIST non-target (A10), or None."""
        base = _porta_reading(lesion, case.baseline).short_axis
        reading = _porta_reading(lesion, tp)
        if base is None:
            text = (
                f"{lesion.id} (porta hepatis node): no baseline short axis -> "
                f"{reading.status.value} as recorded; record its short axis (A10)"
            )
            return NonTargetItem(lesion.id, reading.status, Reason(_NON_TARGET, text))
        if base < PORTA_HEPATIS_MALIGNANT_MM:
            return None
        earlier = (
            _porta_reading(lesion, point).short_axis for point in _before(case, tp)
        )
        smallest = min((size for size in earlier if size is not None), default=base)
        return _follow_porta_node(lesion, reading, smallest)

    def grown_into_new(self, case: Case, tp: TimePoint) -> list[NewVerdict]:
        """Return porta hepatis nodes < 20 mm at baseline as new lesions from 20 mm."""
        verdicts = []
        for lesion in case.lesions:
            if not lesion.is_porta_hepatis_node:
                continue
            base = _porta_reading(lesion, case.baseline).short_axis
            if base is None or base >= PORTA_HEPATIS_MALIGNANT_MM:
                continue
            size = _porta_reading(lesion, tp).short_axis
            name = (
                f"porta hepatis node {lesion.id} ({mm(base)} at baseline, not disease)"
            )
            if size is not None and size >= PORTA_HEPATIS_MALIGNANT_MM:
                text = f"{name} now {mm(size)} >= 20 mm: a new lesion -> PD (A10)"
                verdicts.append(NewVerdict(True, True, Reason(_NEW, text)))
            else:
                shown = "no short axis" if size is None else mm(size)
                text = f"{name} now {shown}: below 20 mm, not counted (A10)"
                verdicts.append(NewVerdict(False, False, Reason(_NEW, text)))
        return verdicts

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
                    "not counted (its growth counts from its first sighting, A14)",
                ),
            )
        if finding.typical_hcc and not finding.equivocal:
            return NewVerdict(
                True,
                True,
                Reason(
                    _NEW,
                    f"new liver lesion {finding.id} {mm(size)} >= 10 mm with the "
                    "typical HCC pattern -> PD",
                ),
            )
        return self._growth(finding, size, first)

    @staticmethod
    def _growth(
        finding: NewLesion, size: Decimal, first: NewLesion | None
    ) -> NewVerdict:
        """Judge a nodule >= 10 mm that is equivocal or atypical by its growth (A14)."""
        first_size = None if first is None else first.long_axis_mm
        if first_size is not None and size - first_size >= ATYPICAL_GROWTH_MM:
            flag = " (whatever the equivocal flag)" if finding.equivocal else ""
            return NewVerdict(
                True,
                True,
                Reason(
                    _NEW,
                    f"liver nodule {finding.id} grew from {mm(first_size)} when first "
                    f"seen to {mm(size)} (+{mm(size - first_size)}): >= 10 mm and "
                    f"grown by >= 10 mm -> HCC{flag} -> PD (A14)",
                ),
            )
        pattern = (
            "marked equivocal" if finding.equivocal else "without the typical pattern"
        )
        since = "" if first_size is None else f" (first seen {mm(first_size)})"
        return NewVerdict(
            False,
            True,
            Reason(
                _NEW,
                f"new liver nodule {finding.id} {mm(size)}{since} {pattern}: "
                "equivocal until it has grown by >= 10 mm since first seen (A14)",
            ),
        )
