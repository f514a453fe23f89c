"""How a recorded measurement is written for a reader (PDF, captions, navigator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria.categories import TargetStatus

if TYPE_CHECKING:
    from respond.criteria.model import TargetMeasurement

__all__ = ["target_values_text"]


def target_values_text(target: TargetMeasurement | None) -> str:
    """Return a target's recorded values, e.g. ``LD 23.9 mm, viable 14.1 mm``.

    A status other than measured ("too small", "absent", "not evaluated")
    follows any lengths; a time point without an entry says "not recorded".
    """
    if target is None:
        return "not recorded"
    parts = [
        f"{label} {value} mm"
        for label, value in (
            ("LD", target.long_axis_mm),
            ("SA", target.short_axis_mm),
            ("viable", target.viable_mm),
        )
        if value is not None
    ]
    if target.fragments_mm:
        parts.append(
            "fragments " + " + ".join(f"{f}" for f in target.fragments_mm) + " mm"
        )
    if target.merged_into:
        parts.append(f"merged into {target.merged_into}")
    if not parts or target.status is not TargetStatus.MEASURED:
        parts.append(target.status.value.replace("_", " "))
    return ", ".join(parts)
