"""The organs a reader picks from, the lesion kind each implies, liver segments."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from respond.criteria import LesionKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "COUINAUD_SEGMENTS",
    "FINDING_ORGANS",
    "KIND_FOR_ORGAN",
    "ORGANS",
    "format_segments",
    "kind_for_organ",
    "parse_segments",
]

ORGANS: Final = (
    "liver",
    "lymph node",
    "lung",
    "adrenal",
    "peritoneum",
    "portal vein",
    "bone",
    "other",
)
"""The organs offered for a baseline lesion."""

FINDING_ORGANS: Final = ("peritoneum (ascites)", "pleura (effusion)")
"""Extra choices for a new finding: effusions (the bracket names the kind)."""

KIND_FOR_ORGAN: Final[Mapping[str, LesionKind]] = MappingProxyType(
    {
        "liver": LesionKind.HCC,
        "lymph node": LesionKind.NODE,
        "portal vein": LesionKind.PORTAL_VEIN_THROMBUS,
        "peritoneum (ascites)": LesionKind.ASCITES,
        "pleura (effusion)": LesionKind.PLEURAL_EFFUSION,
    }
)
"""The kind an organ choice implies; any other organ is `LesionKind.OTHER`."""


def kind_for_organ(organ: str) -> LesionKind:
    """Return the lesion kind an organ choice implies (OTHER when none)."""
    return KIND_FOR_ORGAN.get(organ.strip(), LesionKind.OTHER)


COUINAUD_SEGMENTS: Final = ("I", "II", "III", "IVa", "IVb", "V", "VI", "VII", "VIII")
"""The liver's Couinaud segments, in their order; a site lists them ``VII/VIII``."""

_SEGMENT_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{name.lower(): name for name in COUINAUD_SEGMENTS},
        **dict(
            zip(
                ("1", "2", "3", "4a", "4b", "5", "6", "7", "8"),
                COUINAUD_SEGMENTS,
                strict=True,
            )
        ),
    }
)
_FILLER_WORDS: Final = frozenset({"segment", "segments", "seg", "and"})
_SEPARATORS: Final = re.compile(r"[\s/,;+&.\-]+")


def _segment_of(token: str) -> str | None:
    """Return the segment a token names (``VIII``, ``8``, ``S8``, ``s4a``)."""
    name = _SEGMENT_NAMES.get(token)
    if name is None and token.startswith("s"):
        name = _SEGMENT_NAMES.get(token[1:])
    return name


def parse_segments(site: str) -> tuple[tuple[str, ...], bool]:
    """Return the Couinaud segments a site names, in order, and if that is all.

    ``"segment VIII"`` and ``"S7/S8"`` are segments only; ``"dome of VIII"``
    names VIII but says more; a bare ``"IV"`` is not a segment (IVa or IVb).
    """
    found: set[str] = set()
    is_complete = True
    for token in _SEPARATORS.split(site.strip().lower()):
        if not token or token in _FILLER_WORDS:
            continue
        name = _segment_of(token)
        if name is None:
            is_complete = False
        else:
            found.add(name)
    return tuple(s for s in COUINAUD_SEGMENTS if s in found), is_complete


def format_segments(segments: Iterable[str]) -> str:
    """Return segments as a site, in Couinaud order: ``"VII/VIII"``.

    Raises
    ------
    ValueError
        For a name that is not a Couinaud segment.
    """
    chosen = set(segments)
    unknown = chosen.difference(COUINAUD_SEGMENTS)
    if unknown:
        raise ValueError(
            f"not Couinaud segments: {sorted(unknown)}; one of {COUINAUD_SEGMENTS}"
        )
    return "/".join(s for s in COUINAUD_SEGMENTS if s in chosen)
