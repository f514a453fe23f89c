"""The scan as a JSON-ready document (``respond series --json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.dicom._codecs import syntax_name

if TYPE_CHECKING:
    from pathlib import Path

    from respond.dicom.model import DicomFinding, ScanResult, SeriesCandidate

__all__ = ["SERIES_FORMAT", "scan_document"]

SERIES_FORMAT = "respond-series/1"
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def _relative(path: Path, root: Path) -> str:
    base = root if root.is_dir() else root.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _finding(finding: DicomFinding) -> Json:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
    }


def _series(candidate: SeriesCandidate) -> Json:
    phase = candidate.phase
    return {
        "key": candidate.key,
        "series_uid": candidate.series_uid,
        "number": candidate.series_number,
        "description": candidate.description,
        "modality": candidate.modality,
        "images": candidate.image_count,
        "rows": candidate.rows,
        "columns": candidate.columns,
        "pixel_spacing_mm": None
        if candidate.pixel_spacing is None
        else list(candidate.pixel_spacing),
        "spacing_mm": candidate.spacing_mm,
        "slice_thickness_mm": candidate.slice_thickness,
        "orientation": candidate.orientation_label,
        "phase": {
            "phase": phase.phase.value,
            "confidence": phase.confidence.value,
            "contrast": phase.is_contrast,
            "evidence": list(phase.evidence),
        },
        "readiness": candidate.readiness.value,
        "localizer": candidate.is_localizer,
        "split_reason": candidate.split_reason or None,
        "transfer_syntaxes": [syntax_name(t) for t in candidate.transfer_syntaxes],
        "warnings": [_finding(f) for f in candidate.findings],
    }


def scan_document(result: ScanResult) -> dict[str, Json]:
    """Return a scan result as a JSON-ready document.

    Parameters
    ----------
    result
        What :func:`respond.dicom.scan` found.

    Returns
    -------
    dict
        Patients, studies, series (phase, images, spacing, warnings, readiness),
        non-image objects and unreadable files with reasons; file paths are
        relative to the folder scanned.
    """
    root = result.root
    return {
        "format": SERIES_FORMAT,
        "root": root.name or root.as_posix(),
        "files_seen": result.files_seen,
        "patients": [
            {
                "id": patient.id,
                "name": patient.name,
                "studies": [
                    {
                        "uid": study.uid,
                        "date": study.date,
                        "description": study.description,
                        "series": [_series(s) for s in study.series],
                    }
                    for study in patient.studies
                ],
            }
            for patient in result.patients
        ],
        "non_image": [
            {
                "path": _relative(item.path, root),
                "kind": item.kind,
                "sop_class": item.sop_class,
                "series_uid": item.series_uid,
                "description": item.description,
            }
            for item in result.non_image
        ],
        "unreadable": [
            {"path": _relative(item.path, root), "reason": item.reason}
            for item in result.unreadable
        ],
        "findings": [_finding(f) for f in result.findings],
        "dicomdirs": [_relative(p, root) for p in result.dicomdirs],
    }
