"""The readable listing ``respond series`` prints without ``--json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from respond.report.text import terminal_text

__all__ = ["format_scan"]

_Doc = Mapping[str, object]


def _spacing(series: _Doc) -> str:
    pixel = cast("Sequence[float] | None", series["pixel_spacing_mm"])
    between = series["spacing_mm"]
    inplane = "?" if pixel is None else f"{pixel[0]:g} x {pixel[1]:g}"
    through = "-" if between is None else f"{float(cast('float', between)):.2f}"
    return f"{inplane} / {through} mm"


def _series_lines(series: _Doc) -> list[str]:
    phase = cast("_Doc", series["phase"])
    number = series["number"]
    head = (
        f"    #{number if number is not None else '?'} "
        f"{series['modality']} {series['description'] or '(no description)'}: "
        f"{series['images']} images {series['rows']}x{series['columns']}, "
        f"{series['orientation']}, {_spacing(series)}, "
        f"phase {phase['phase']} ({phase['confidence']}), {series['readiness']}"
        + (", localizer" if series["localizer"] else "")
    )
    lines = [head]
    if series["split_reason"]:
        lines.append(f"        {series['split_reason']}")
    for evidence in cast("Sequence[str]", phase["evidence"]):
        lines.append(f"        phase evidence: {evidence}")
    for warning in cast("Sequence[_Doc]", series["warnings"]):
        lines.append(
            f"        [{warning['severity']}] {warning['code']}: {warning['message']}"
        )
    return lines


def format_scan(doc: Mapping[str, object]) -> str:
    """Return a ``respond-series/1`` document as a readable listing.

    Parameters
    ----------
    doc
        The scan document.

    Returns
    -------
    str
        Patients, studies and series with phase, spacing, warnings and readiness;
        non-image objects; unreadable files with reasons.
    """
    lines = [f"{doc['root']}: {doc['files_seen']} files"]
    for patient in cast("Sequence[_Doc]", doc["patients"]):
        lines.append(f"patient {patient['id'] or '(no id)'} {patient['name']}".rstrip())
        for study in cast("Sequence[_Doc]", patient["studies"]):
            lines.append(
                f"  study {study['date'] or '(no date)'} "
                f"{study['description'] or ''}".rstrip()
            )
            for series in cast("Sequence[_Doc]", study["series"]):
                lines.extend(_series_lines(series))
    for finding in cast("Sequence[_Doc]", doc["findings"]):
        lines.append(f"[{finding['severity']}] {finding['code']}: {finding['message']}")
    non_image = cast("Sequence[_Doc]", doc["non_image"])
    if non_image:
        lines.append("not images (listed, not loaded):")
        lines.extend(
            f"  {item['kind']}: {item['path']} ({item['sop_class']})"
            for item in non_image
        )
    unreadable = cast("Sequence[_Doc]", doc["unreadable"])
    if unreadable:
        lines.append("could not be read:")
        lines.extend(f"  {item['path']}: {item['reason']}" for item in unreadable)
    # DICOM headers and file names are anyone's text: each line escaped whole
    return "\n".join(terminal_text(line) for line in lines) + "\n"
