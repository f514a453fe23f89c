"""The overall time-point response: targets, non-targets and new lesions combined.

RECIST 1.1 section 4.4.1, table 1 (target disease) and table 2 (non-target disease
only); mRECIST uses the same table on its own target and non-target categories.
"""

from __future__ import annotations

from respond.criteria.categories import Response
from respond.criteria.result import Reason

__all__ = ["overall_response"]

_TABLE_1 = "RECIST1.1 4.4.1 table 1"
_TABLE_2 = "RECIST1.1 4.4.1 table 2"


def overall_response(
    target: Response | None, non_target: Response | None, has_new_lesion: bool
) -> tuple[Response, Reason]:
    """Combine the three parts into the overall response.

    Parameters
    ----------
    target
        Target category, ``None`` when there are no target lesions.
    non_target
        Non-target category, ``None`` when there are no non-target lesions.
    has_new_lesion
        Whether an unequivocal new lesion counts at this time point.

    Returns
    -------
    tuple of Response and Reason
        The overall category and the table row that gave it.

    With neither target nor non-target disease under a criterion (possible under
    mRECIST, which does not count a porta hepatis node below 20 mm), the result is
    PD with a new lesion and NE otherwise.
    """
    table = _TABLE_2 if target is None else _TABLE_1
    if target is Response.PD:
        return Response.PD, Reason(table, "target PD -> overall PD")
    if non_target is Response.PD:
        return Response.PD, Reason(table, "non-target PD -> overall PD")
    if has_new_lesion:
        return Response.PD, Reason(table, "new lesion -> overall PD")
    if target is None:
        if non_target is None:
            return Response.NE, Reason(
                _TABLE_2, "no baseline disease counts under this criterion -> NE"
            )
        return non_target, Reason(
            _TABLE_2,
            f"non-target disease only: non-target {non_target.value}, no new lesion "
            f"-> {non_target.value}",
        )
    if target is Response.CR:
        if non_target in (None, Response.CR):
            return Response.CR, Reason(
                _TABLE_1, "target CR, non-target CR or none, no new lesion -> CR"
            )
        label = "not all evaluated" if non_target is Response.NE else "non-CR/non-PD"
        return Response.PR, Reason(
            _TABLE_1, f"target CR with non-target {label}, no new lesion -> PR"
        )
    nt = "none" if non_target is None else non_target.value
    return target, Reason(
        _TABLE_1,
        f"target {target.value}, non-target {nt}, no new lesion -> {target.value}",
    )
