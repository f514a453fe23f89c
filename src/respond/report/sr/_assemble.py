"""Reassemble each lesion from its lesion group and its calipers' groups.

respond writes one lesion group per lesion (tracking identifier: the lesion id)
and one group per caliper (tracking identifier
``Cornerstone3DTools@^0.1.0:Length:<lesion id>``, see
:mod:`respond.report.sr._caliper`). A caliper's group joins the lesion group
of the id its identifier ends with; its length joins the lesion's lengths.
Reports of earlier versions hold each lesion's lengths in its one group, which
is then left as it is.

Where a caliper's length goes among the lesion's lengths of its kind (which of
a split lesion's fragments it measured) is found from its tracking UID, which
respond derives from the lesion's tracking UID, the kind and that place; when
the UID is not respond's (another writer, or UIDs replaced since), the lengths
without a caliper come first, then the calipers', in the order of the report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from respond.criteria.record import CaliperKind
from respond.report.sr import _caliper

if TYPE_CHECKING:
    from respond.report.sr._parse import Group, Length

__all__ = ["assemble"]

# a caliper's length and the tracking UID of its group ("" for the lesion group)
_Placed = tuple[str, "Length"]


def assemble(groups: list[Group]) -> list[Group]:
    """Return the lesion groups, each holding its calipers' lengths, in order.

    A caliper whose lesion has no lesion group in the report stands for the
    lesion (its group gives the lesion's identity), after the lesion groups.
    """
    lesions: list[Group] = []
    by_id: dict[str, Group] = {}
    drawn: dict[str, list[Group]] = {}
    for group in groups:
        lesion_id = _caliper.lesion_of(group.lesion_id)
        if lesion_id is None:
            lesions.append(group)
            by_id.setdefault(group.lesion_id, group)
        else:
            drawn.setdefault(lesion_id, []).append(group)
    for lesion_id, calipers in drawn.items():
        owner = by_id.get(lesion_id)
        if owner is None:
            owner = replace(calipers[0], lesion_id=lesion_id, lengths=[])
            by_id[lesion_id] = owner
            lesions.append(owner)
        placed = [(g.tracking_uid, length) for g in calipers for length in g.lengths]
        owner.lengths = _merged(owner, placed)
    return lesions


def _merged(owner: Group, drawn: list[_Placed]) -> list[Length]:
    """Return the lesion's lengths: recorded ones by kind and place, then the rest.

    The order respond's writer pairs them in: the recorded lengths (long axis,
    short axis, viable, fragments in order), then the calipers drawn without a
    recorded length.
    """
    every = [("", length) for length in owner.lengths] + drawn
    recorded = [(uid, k) for uid, k in every if k.value is not None]
    lengths: list[Length] = []
    for kind in CaliperKind:
        of_kind = [(uid, k) for uid, k in recorded if k.kind is kind]
        lengths.extend(_in_place(of_kind, owner.tracking_uid, kind))
    lengths.extend(k for _, k in every if k.value is None)
    return lengths


def _in_place(
    of_kind: list[_Placed], lesion_uid: str, kind: CaliperKind
) -> list[Length]:
    """Order one kind's recorded lengths by the place their tracking UID names."""
    slots: list[Length | None] = [None] * len(of_kind)
    rest: list[Length] = []
    for uid, length in of_kind:
        place = _place(uid, lesion_uid, kind, len(of_kind))
        if place is not None and slots[place] is None:
            slots[place] = length
        else:
            rest.append(length)
    free = iter(rest)
    return [slot if slot is not None else next(free) for slot in slots]


def _place(uid: str, lesion_uid: str, kind: CaliperKind, count: int) -> int | None:
    """Return the place respond derived a caliper's tracking UID from, if any."""
    if not uid:
        return None
    return next(
        (p for p in range(count) if _caliper.uid(lesion_uid, kind, p) == uid), None
    )
