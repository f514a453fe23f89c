"""New findings across the time-line: what counts where, and back-dating (A8, A14).

An equivocal finding does not count. When a later time point confirms it (same
id, now counted), progression is dated back to the first time point at which it
was a candidate (a finding the criterion would count once confirmed; mRECIST: an
intrahepatic nodule >= 10 mm); that time point, and every later one that showed
the finding (at any size) before the confirmation, is revised to PD, its earlier
category kept as ``revised_from``. Each finding's first sighting at any size is
remembered and passed to the criterion, which measures growth from it (mRECIST,
A14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from respond.criteria.result import Reason

if TYPE_CHECKING:
    from respond.criteria._protocol import CriterionRules
    from respond.criteria.model import Case, NewLesion


@dataclass(slots=True)
class Backdate:
    """A confirmation that dates progression back to an earlier time point."""

    lesion_id: str
    first_index: int
    first_label: str
    confirm_index: int
    confirm_label: str
    sightings: tuple[int, ...] = ()


@dataclass(slots=True)
class NewLesionTimeline:
    """Per time point index: whether a new lesion counts, and the reasons."""

    counts: dict[int, bool] = field(default_factory=dict)
    reasons: dict[int, list[Reason]] = field(default_factory=dict)
    backdates: list[Backdate] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    """Where a finding was first a candidate, and whether it has counted since."""

    index: int
    counted: bool


def _sized(finding: NewLesion) -> bool:
    return finding.long_axis_mm is not None or finding.short_axis_mm is not None


def new_lesion_timeline(case: Case, rules: CriterionRules) -> NewLesionTimeline:
    """Judge every new finding at every follow-up, and find back-dated progression.

    Parameters
    ----------
    case
        The case.
    rules
        The criterion's rules (``classify_new``, ``grown_into_new``).

    Returns
    -------
    NewLesionTimeline
        What counts at each time point and which confirmations back-date.
    """
    timeline = NewLesionTimeline()
    first_sighting: dict[str, NewLesion] = {}
    candidates: dict[str, _Candidate] = {}
    sightings: dict[str, list[int]] = {}
    for index, tp in enumerate(case.timepoints[1:], start=1):
        timeline.counts[index] = False
        timeline.reasons[index] = []
        for grown in rules.grown_into_new(case, tp):
            timeline.reasons[index].append(grown.reason)
            timeline.counts[index] = timeline.counts[index] or grown.counts
        for finding in tp.new_lesions:
            verdict = rules.classify_new(finding, tp, first_sighting.get(finding.id))
            timeline.reasons[index].append(verdict.reason)
            prior = candidates.get(finding.id)
            if verdict.counts:
                timeline.counts[index] = True
                if prior is not None and not prior.counted and prior.index < index:
                    timeline.backdates.append(
                        Backdate(
                            finding.id,
                            prior.index,
                            case.timepoints[prior.index].label,
                            index,
                            tp.label,
                            tuple(sightings.get(finding.id, [prior.index])),
                        )
                    )
            if not verdict.counts and (verdict.candidate or prior is not None):
                sightings.setdefault(finding.id, []).append(index)
            if prior is None and (verdict.candidate or verdict.counts):
                candidates[finding.id] = _Candidate(index, verdict.counts)
            elif prior is not None and verdict.counts:
                prior.counted = True
            known = first_sighting.get(finding.id)
            if known is None or (not _sized(known) and _sized(finding)):
                first_sighting[finding.id] = finding
    return timeline
