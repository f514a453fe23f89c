"""Between a stored read and the ``respond-case/1`` case it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria import PatientRead, TimePointRecord
from respond.session.ids import new_tracking_uid, new_uid

if TYPE_CHECKING:
    from respond.criteria import Case

__all__ = ["read_from_case"]


def read_from_case(case: Case) -> PatientRead:
    """Return a new read holding a case; every lesion gets a tracking UID.

    Parameters
    ----------
    case
        The engine's case (e.g. from a ``respond-case/1`` file).

    Returns
    -------
    PatientRead
        The read: ``read.to_case() == case``. A new finding listed at several time
        points keeps one tracking UID.
    """
    finding_uids: dict[str, str] = {}
    timepoints = []
    for timepoint in case.timepoints:
        uids = {}
        for finding in timepoint.new_lesions:
            uids[finding.id] = finding_uids.setdefault(finding.id, new_tracking_uid())
        timepoints.append(
            TimePointRecord(uid=new_uid(), timepoint=timepoint, new_lesion_uids=uids)
        )
    return PatientRead(
        patient=case.patient,
        lesions=case.lesions,
        tracking_uids={lesion.id: new_tracking_uid() for lesion in case.lesions},
        timepoints=tuple(timepoints),
        settings=case.settings,
        reader=case.reader,
    )
