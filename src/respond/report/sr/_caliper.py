"""How a caliper's measurement group is named: tracking identifier, UID and label.

Every caliper (a two-point line the reader drew) is a measurement group of its
own, tracked the way OHIF Viewer's Length tool tracks its measurements, so that
OHIF draws it (see docs/sr.md, "Made for viewers"):

- Tracking Identifier ``Cornerstone3DTools@^0.1.0:Length:<lesion id>``, which
  names the lesion the caliper belongs to;
- a Tracking Unique Identifier of its own, derived from the lesion's tracking
  UID and the caliper's role (its kind and its place among the lesion's lengths
  of that kind), so the same caliper role has the same UID in every report;
- a Comment, the label a viewer shows: ``T1 long axis``, ``T3 fragment 2``.
"""

from __future__ import annotations

import hashlib
from typing import Final

from respond.criteria.record import CaliperKind

__all__ = ["TRACKING_PREFIX", "label", "lesion_of", "tracking_identifier", "uid"]

TRACKING_PREFIX: Final = "Cornerstone3DTools@^0.1.0:Length"
"""The tracking identifier OHIF's Length adapter claims (its prefix)."""

_WORDS: Final = {
    CaliperKind.LONG_AXIS: "long axis",
    CaliperKind.SHORT_AXIS: "short axis",
    CaliperKind.VIABLE: "viable",
    CaliperKind.FRAGMENT: "fragment",
}


def tracking_identifier(lesion_id: str) -> str:
    """Return the tracking identifier of a caliper of a lesion."""
    return f"{TRACKING_PREFIX}:{lesion_id}"


def lesion_of(identifier: str) -> str | None:
    """Return the lesion id a caliper's tracking identifier names, else None."""
    head, colon, lesion_id = identifier.partition(f"{TRACKING_PREFIX}:")
    if head or not colon or not lesion_id:
        return None
    return lesion_id


def uid(lesion_uid: str, kind: CaliperKind, position: int) -> str:
    """Return the tracking UID of a caliper, the same for the same role.

    ``2.25.`` and the integer of a UUID (RFC 9562 version 8, "custom") whose
    free bits are the first bits of SHA-256 of the lesion's tracking UID, the
    caliper's kind and its position among the lesion's lengths of that kind
    (0 for the first): at most 44 characters.
    """
    text = f"{lesion_uid}\n{kind.value}\n{position}".encode()
    raw = bytearray(hashlib.sha256(text).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122/9562 variant
    return f"2.25.{int.from_bytes(raw, 'big')}"


def label(lesion_id: str, kind: CaliperKind, position: int) -> str:
    """Return the caliper's label: ``T1 long axis``, ``T3 fragment 2``.

    Fragments are numbered from 1; a second caliper of another kind (drawn
    twice) gets its number too.
    """
    text = f"{lesion_id} {_WORDS[kind]}"
    if kind is CaliperKind.FRAGMENT or position:
        text += f" {position + 1}"
    return text
