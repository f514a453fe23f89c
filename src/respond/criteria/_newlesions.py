"""New findings across the time-line: what counts where, and back-dating (A8).

An equivocal finding does not count. When a later time point confirms it (same
id, now counted), progression is dated back to the first time point that showed
it; that time point, and every later one that showed the finding before the
confirmation, is revised to PD, its earlier category kept as ``revised_from``.
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


def new_lesion_timeline(case: Case, rules: CriterionRules) -> NewLesionTimeline:
    """Judge every new finding at every follow-up, and find back-dated progression.

    Parameters
    ----------
    case
        The case.
    rules
        The criterion's rules (``classify_new``).

    Returns
    -------
    NewLesionTimeline
        What counts at each time point and which confirmations back-date.
    """
    timeline = NewLesionTimeline()
    first_seen: dict[str, tuple[int, NewLesion, bool]] = {}
    sightings: dict[str, list[int]] = {}
    for index, tp in enumerate(case.timepoints[1:], start=1):
        timeline.counts[index] = False
        timeline.reasons[index] = []
        for finding in tp.new_lesions:
            prior = first_seen.get(finding.id)
            verdict = rules.classify_new(
                finding, tp, None if prior is None else prior[1]
            )
            timeline.reasons[index].append(verdict.reason)
            if verdict.counts:
                timeline.counts[index] = True
                if prior is not None and not prior[2] and prior[0] < index:
                    first_tp = case.timepoints[prior[0]]
                    timeline.backdates.append(
                        Backdate(
                            finding.id,
                            prior[0],
                            first_tp.label,
                            index,
                            tp.label,
                            tuple(sightings.get(finding.id, [prior[0]])),
                        )
                    )
            if verdict.candidate and not verdict.counts:
                sightings.setdefault(finding.id, []).append(index)
            if prior is None and (verdict.candidate or verdict.counts):
                first_seen[finding.id] = (index, finding, verdict.counts)
            elif prior is not None and verdict.counts and not prior[2]:
                first_seen[finding.id] = (prior[0], prior[1], True)
    return timeline
