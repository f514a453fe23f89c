"""What the engine returns: categories with the reasons behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from respond.criteria.categories import Action, Criterion, Response

__all__ = [
    "CaseAssessment",
    "CaseWarning",
    "CriterionResult",
    "Reason",
    "Recommendation",
    "TimePointRef",
    "TimePointResult",
    "percent_change",
    "round_display",
]

_TENTH = Decimal("0.1")


def percent_change(value: Decimal, reference: Decimal) -> Decimal | None:
    """Return the exact change of ``value`` from ``reference`` in percent.

    Parameters
    ----------
    value
        The current sum.
    reference
        The sum compared with (baseline or nadir).

    Returns
    -------
    Decimal or None
        ``100 * (value - reference) / reference``; ``None`` when the reference is 0.
    """
    if reference == 0:
        return None
    return (value - reference) * 100 / reference


def round_display(value: Decimal | None) -> Decimal | None:
    """Round a value half-up to 0.1, for display only (RULES A7)."""
    if value is None:
        return None
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a category was given: the rule applied and what it found.

    A rule of the sorafenib recommendation also names its ``source`` (seed
    Table 5, the sorafenib label, SHARP, EASL 2018, respond default) and the
    ``effect`` it asks for on its own (``None``: information only).
    """

    rule: str
    text: str
    source: str = ""
    effect: Action | None = None


@dataclass(frozen=True, slots=True)
class CaseWarning:
    """A problem that does not stop the assessment (e.g. baseline conformance)."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's result at one time point.

    Categories are ``None`` at baseline and where they do not apply (no
    non-target lesions; no target lesions).
    """

    criterion: Criterion
    target: Response | None
    non_target: Response | None
    new_lesions: bool | None
    overall: Response | None
    sum_mm: Decimal | None
    baseline_sum_mm: Decimal | None
    nadir_mm: Decimal | None
    reasons: tuple[Reason, ...] = ()
    revised_from: Response | None = None
    is_baseline: bool = False

    @property
    def change_from_baseline_pct(self) -> Decimal | None:
        """Exact change of the sum from the baseline sum, in percent."""
        if self.is_baseline or self.sum_mm is None or self.baseline_sum_mm is None:
            return None
        return percent_change(self.sum_mm, self.baseline_sum_mm)

    @property
    def change_from_nadir_pct(self) -> Decimal | None:
        """Exact change of the sum from the nadir, in percent."""
        if self.sum_mm is None or self.nadir_mm is None:
            return None
        return percent_change(self.sum_mm, self.nadir_mm)


@dataclass(frozen=True, slots=True)
class TimePointResult:
    """All criteria's results at one time point."""

    label: str
    date: dt.date
    results: Mapping[Criterion, CriterionResult] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimePointRef:
    """A time point named by date and label (e.g. the date of progression)."""

    date: dt.date
    label: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The sorafenib recommendation: an action and every rule that fired, in order."""

    action: Action
    dose_level: int | None
    rules: tuple[Reason, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseAssessment:
    """The assessment of a whole case.

    ``best_overall_reasons`` says, per criterion, why the best overall response is
    what it is (confirmations, bridged NE time points, SD minimum).
    """

    patient_id: str
    timepoints: tuple[TimePointResult, ...]
    best_overall: Mapping[Criterion, Response | None]
    progression: Mapping[Criterion, TimePointRef | None]
    recommendation: Recommendation
    warnings: tuple[CaseWarning, ...] = ()
    best_overall_reasons: Mapping[Criterion, tuple[Reason, ...]] = field(
        default_factory=dict
    )
