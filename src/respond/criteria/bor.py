"""Best overall response across the time points (RECIST 1.1 4.4.3 and 4.6, A6, A12).

Time points after the first PD are not used. SD (or NON-CR/NON-PD) counts only when
seen at least ``sd_min_days`` after baseline. With ``confirmation_required``, a CR
or PR counts only when a later time point at least ``confirmation_min_days`` after
it holds it (CR by CR; PR by CR or PR), every one in between holding it too except
at most ``confirmation_max_ne_between`` NE time points, which are bridged (A12); an
unconfirmed CR or PR counts as SD, and a PR after a CR is progression after CR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from respond.criteria.categories import Response
from respond.criteria.result import Reason

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from respond.criteria.model import Settings

__all__ = ["Confirmation", "best_overall_response", "confirmation"]

_RULE = "RECIST1.1 4.4.3 (A6)"
_RULE_CONFIRM = "RECIST1.1 4.6.1 (A6)"
_RULE_BRIDGED = "RECIST1.1 4.6.1 (A6, A12)"
_RANK = {
    Response.CR: 4,
    Response.PR: 3,
    Response.SD: 2,
    Response.NON_CR_NON_PD: 2,
    Response.PD: 1,
    Response.NE: 0,
}


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Whether a CR or PR was confirmed, where, and which NE time points it bridged.

    ``confirmed_at`` is the label of the confirming time point (``None``: not
    confirmed); ``text`` says so for the reasons.
    """

    confirmed_at: str | None
    bridged: tuple[str, ...]
    text: str

    @property
    def rule(self) -> str:
        """The rule to cite: A12 as well when an NE was bridged."""
        return _RULE_BRIDGED if self.bridged else _RULE_CONFIRM


def _ne_labels(labels: Sequence[str]) -> str:
    return "NE at " + " and ".join(labels)


def confirmation(
    sequence: Sequence[tuple[dt.date, str, Response]], index: int, settings: Settings
) -> Confirmation:
    """Return whether the CR or PR at ``index`` is confirmed by a later time point.

    Parameters
    ----------
    sequence
        ``(date, label, overall response)`` of the follow-ups, in date order.
    index
        The time point with the CR or PR.
    settings
        ``confirmation_min_days`` and ``confirmation_max_ne_between`` (A6, A12).

    Returns
    -------
    Confirmation
        Confirmed by the first later time point at least ``confirmation_min_days``
        after it that holds it (CR by CR; PR by CR or PR), with every time point in
        between holding it, or NE at most ``confirmation_max_ne_between`` times.
    """
    date, label, response = sequence[index]
    holds = {Response.CR} if response is Response.CR else {Response.CR, Response.PR}
    allowed = settings.confirmation_max_ne_between
    bridged: list[str] = []
    head = f"{response.value} at {label}"
    for later_date, later_label, later in sequence[index + 1 :]:
        if later is Response.NE:
            bridged.append(later_label)
            if len(bridged) > allowed:
                text = (
                    f"{head} not confirmed: {_ne_labels(bridged)} in between, more "
                    f"than the {allowed} allowed (confirmation_max_ne_between, A12)"
                )
                return Confirmation(None, tuple(bridged), text)
            continue
        if later not in holds:
            text = (
                f"{head} not confirmed: {later.value} at {later_label} came before "
                "a confirming assessment"
            )
            return Confirmation(None, (), text)
        if (later_date - date).days >= settings.confirmation_min_days:
            text = f"{head} confirmed at {later_label}"
            if bridged:
                text += f" ({_ne_labels(bridged)} bridged, A12)"
            return Confirmation(later_label, tuple(bridged), text)
    text = (
        f"{head} not confirmed: no later assessment at least "
        f"{settings.confirmation_min_days} days after it holds it"
    )
    return Confirmation(None, (), text)


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
        sequence = _progression_after_cr(sequence, settings, reasons)
    best: tuple[Response, str] | None = None
    for index, (_date, label, response) in enumerate(sequence):
        counted = _counted(
            baseline_date, sequence, index, settings, has_targets, reasons
        )
        if counted is None:
            if response in (Response.SD, Response.NON_CR_NON_PD):
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
    sequence: list[tuple[dt.date, str, Response]],
    settings: Settings,
    reasons: list[Reason],
) -> list[tuple[dt.date, str, Response]]:
    """Turn a PR at the assessment after a CR (NE bridged as A12) into PD."""
    for index, (_, cr_label, response) in enumerate(sequence):
        if response is not Response.CR:
            continue
        bridged: list[str] = []
        for later_index in range(index + 1, len(sequence)):
            date, label, later = sequence[later_index]
            if later is Response.NE and len(bridged) < (
                settings.confirmation_max_ne_between
            ):
                bridged.append(label)
                continue
            if later is not Response.PR:
                break
            rule = _RULE_CONFIRM
            text = (
                f"PR at {label} after CR at {cr_label}: disease came back after CR, "
                "counted as progression (relabel the CR as PR if it was residual "
                "disease)"
            )
            if bridged:
                rule = _RULE_BRIDGED
                text += f"; {_ne_labels(bridged)} bridged (A12)"
            reasons.append(Reason(rule, text))
            return [*sequence[:later_index], (date, label, Response.PD)]
    return sequence


def _counted(
    baseline_date: dt.date,
    sequence: Sequence[tuple[dt.date, str, Response]],
    index: int,
    settings: Settings,
    has_targets: bool,
    reasons: list[Reason],
) -> Response | None:
    """Return what a time point counts as for the best response (None: nothing)."""
    date, _, response = sequence[index]
    sd_met = (date - baseline_date).days >= settings.sd_min_days
    stable = Response.SD if has_targets else Response.NON_CR_NON_PD
    if response in (Response.CR, Response.PR):
        if not settings.confirmation_required:
            return response
        confirmed = confirmation(sequence, index, settings)
        if confirmed.confirmed_at is not None:
            reasons.append(Reason(confirmed.rule, confirmed.text))
            return response
        if sd_met:
            text = f"{confirmed.text} -> counts as {stable.value}"
            reasons.append(Reason(confirmed.rule, text))
            return stable
        text = (
            f"{confirmed.text}, and seen before the SD minimum of "
            f"{settings.sd_min_days} days after baseline: does not count"
        )
        reasons.append(Reason(confirmed.rule, text))
        return None
    if response in (Response.SD, Response.NON_CR_NON_PD):
        return response if sd_met else None
    return response


def _early(label: str, response: Response, settings: Settings) -> Reason:
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
