"""The organs a reader picks from, and the lesion kind each one implies."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from respond.criteria import LesionKind

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["FINDING_ORGANS", "KIND_FOR_ORGAN", "ORGANS", "kind_for_organ"]

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
