"""Best overall response across the time points (RECIST 1.1 4.4.3 and 4.6, A6).

Time points after the first PD are not used. SD (or NON-CR/NON-PD) counts only when
seen at least ``sd_min_days`` after baseline. With ``confirmation_required``, a CR
or PR counts only when the first later time point at least
``confirmation_min_days`` after it (and every one in between) holds it; an
unconfirmed CR or PR counts as SD, and a PR after a CR is progression after CR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria.categories import Response
from respond.criteria.result import Reason

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from respond.criteria.model import Settings

__all__ = ["best_overall_response"]

_RULE = "RECIST1.1 4.4.3 (A6)"
_RULE_CONFIRM = "RECIST1.1 4.6.1 (A6)"
_RANK = {
    Response.CR: 4,
    Response.PR: 3,
    Response.SD: 2,
    Response.NON_CR_NON_PD: 2,
    Response.PD: 1,
    Response.NE: 0,
}


def best_overall_response(
    baseline_date: dt.date,
    responses: Sequence[tuple[dt.date, str, Response]],
    settings: Settings,
    *,
    has_targets: bool = True,
) -> tuple[Response | None, list[Reason]]:
    """Return the best overall response and why.

    Parameters
    ----------
    baseline_date
        Date of the baseline imaging.
    responses
        ``(date, label, overall response)`` of every follow-up, in date order.
    settings
        Confirmation and SD-duration settings.
    has_targets
        Whether there is target disease; without it an unconfirmed response
        counts as NON-CR/NON-PD rather than SD.

    Returns
    -------
    tuple
        The best overall response (``None`` without follow-up) and the reasons.
    """
    if not responses:
        return None, [Reason(_RULE, "no follow-up yet")]
    sequence = _until_progression(list(responses))
    reasons: list[Reason] = []
    if settings.confirmation_required:
        sequence = _progression_after_cr(sequence, reasons)
    best: tuple[Response, str] | None = None
    for index, (_date, label, response) in enumerate(sequence):
        counted = _counted(baseline_date, sequence, index, settings, has_targets)
        if counted is None:
            if response is not Response.NE:
                reasons.append(_early(label, response, settings))
            continue
        if best is None or _RANK[counted] > _RANK[best[0]]:
            best = (counted, label)
    if best is None or _RANK[best[0]] < _RANK[Response.SD]:
        return _fallback(sequence, reasons)
    reasons.append(Reason(_RULE, f"best response {best[0].value} at {best[1]}"))
    return best[0], reasons


def _until_progression(
    responses: list[tuple[dt.date, str, Response]],
) -> list[tuple[dt.date, str, Response]]:
    for index, (_, _, response) in enumerate(responses):
        if response is Response.PD:
            return responses[: index + 1]
    return responses


def _progression_after_cr(
    sequence: list[tuple[dt.date, str, Response]], reasons: list[Reason]
) -> list[tuple[dt.date, str, Response]]:
    for index in range(len(sequence) - 1):
        if sequence[index][2] is Response.CR and sequence[index + 1][2] is Response.PR:
            date, label, _ = sequence[index + 1]
            reasons.append(
                Reason(
                    _RULE_CONFIRM,
                    f"PR at {label} after CR at {sequence[index][1]}: disease came "
                    "back after CR, counted as progression (relabel the CR as PR "
                    "if it was residual disease)",
                )
            )
            return [*sequence[: index + 1], (date, label, Response.PD)]
    return sequence


def _counted(
    baseline_date: dt.date,
    sequence: Sequence[tuple[dt.date, str, Response]],
    index: int,
    settings: Settings,
    has_targets: bool,
) -> Response | None:
    """Return what a time point counts as for the best response (None: nothing)."""
    date, _, response = sequence[index]
    sd_met = (date - baseline_date).days >= settings.sd_min_days
    stable = Response.SD if has_targets else Response.NON_CR_NON_PD
    if response in (Response.CR, Response.PR):
        if not settings.confirmation_required or _confirmed(sequence, index, settings):
            return response
        return stable if sd_met else None
    if response in (Response.SD, Response.NON_CR_NON_PD):
        return response if sd_met else None
    return response


def _confirmed(
    sequence: Sequence[tuple[dt.date, str, Response]], index: int, settings: Settings
) -> bool:
    date, _, response = sequence[index]
    holds = {Response.CR} if response is Response.CR else {Response.CR, Response.PR}
    for later_date, _, later in sequence[index + 1 :]:
        if later not in holds:
            return False
        if (later_date - date).days >= settings.confirmation_min_days:
            return True
    return False


def _early(label: str, response: Response, settings: Settings) -> Reason:
    if response in (Response.CR, Response.PR):
        text = (
            f"{response.value} at {label} not confirmed and seen before "
            f"{settings.sd_min_days} days: does not count"
        )
        return Reason(_RULE_CONFIRM, text)
    text = (
        f"{response.value} at {label} seen before the SD minimum of "
        f"{settings.sd_min_days} days after baseline: does not count"
    )
    return Reason(_RULE, text)


def _fallback(
    sequence: Sequence[tuple[dt.date, str, Response]], reasons: list[Reason]
) -> tuple[Response, list[Reason]]:
    for _, label, response in sequence:
        if response is Response.PD:
            reasons.append(Reason(_RULE, f"nothing better before PD at {label} -> PD"))
            return Response.PD, reasons
    reasons.append(Reason(_RULE, "no evaluable response that counts -> NE"))
    return Response.NE, reasons
