"""Checks of the gaps between the sorted slices of a stack.

Duplicate positions, slices off the stack (at a place no scanner reaches, or
beyond a far gap), uneven spacing and holes of missing slices, each reported
as a :class:`~respond.dicom.stack_geometry.GeometryFinding`, with the typical
gap they are measured against. The tolerances and array types are re-exported
by :mod:`respond.dicom.stack_geometry`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from respond.dicom._stack_findings import GeometryFinding, _finding, _listed, _mm

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# Gaps: below DUPLICATE_TOLERANCE_MM is one position; off the median by more
# than 1 % and 0.01 mm is uneven; within 10 % of the median of a multiple
# >= 2 is a hole.
DUPLICATE_TOLERANCE_MM: Final = 0.01
UNEVEN_FRACTION: Final = 0.01
MISSING_FRACTION: Final = 0.1
# Off the stack: a coordinate beyond MAX_COORDINATE_MM (100 m) is no place in any
# scanner, so that position is damaged (displaced); a gap over FAR_GAP_MULTIPLE
# typical gaps and over FAR_GAP_MM cuts the stack, and only its largest part is
# taken as the stack (the rest is separated). Neither is a hole of missing slices.
FAR_GAP_MM: Final = 100.0
FAR_GAP_MULTIPLE: Final = 10.0
MAX_COORDINATE_MM: Final = 1e5


def _duplicates(offsets: FloatArray, gaps: FloatArray) -> list[GeometryFinding]:
    same = np.flatnonzero(gaps < DUPLICATE_TOLERANCE_MM)
    runs = np.split(same, np.flatnonzero(np.diff(same) > 1) + 1) if len(same) else []
    findings = []
    for run in runs:
        slices = tuple(range(int(run[0]), int(run[-1]) + 2))
        findings.append(
            _finding(
                "duplicate_positions",
                slices,
                listed=_listed(slices),
                offset=_mm(offsets[run[0]]),
            )
        )
    return findings


def _typical(gaps: FloatArray) -> float | None:
    """Return the lower median of the gaps that are not duplicates, or None."""
    real = np.sort(gaps[gaps >= DUPLICATE_TOLERANCE_MM])
    return float(real[(len(real) - 1) // 2]) if len(real) else None


def _main_block(
    offsets: FloatArray, is_physical: npt.NDArray[np.bool_]
) -> tuple[IntArray, float]:
    """Return the sorted indices of the stack proper, and the typical gap.

    Slices at a non-physical coordinate are left out, and the rest is cut at every
    gap over ``FAR_GAP_MULTIPLE`` typical gaps and over ``FAR_GAP_MM``: the largest
    part (the first of equals) is the stack.
    """
    kept = np.flatnonzero(is_physical)
    typical = _typical(np.diff(offsets[kept]))
    if typical is None:
        return kept, 0.0
    limit = max(FAR_GAP_MM, FAR_GAP_MULTIPLE * typical)
    runs = np.split(kept, np.flatnonzero(np.diff(offsets[kept]) > limit) + 1)
    return max(runs, key=len), typical


def _subject(slices: IntArray, is_all: bool) -> dict[str, str]:
    """Words for a group of sorted slices: who, and the verbs that agree."""
    count, listed = len(slices), _listed(slices)
    if count == 1:
        who = "The image" if is_all else f"An image (sorted slice {listed})"
        return {
            "subject": who,
            "lie": "lies",
            "whose": "its position is",
            "they": "it belongs",
        }
    who = (
        f"All {count} images" if is_all else f"{count} images (sorted slices {listed})"
    )
    return {
        "subject": who,
        "lie": "lie",
        "whose": "their positions are",
        "they": "they belong",
    }


def _outside(
    offsets: FloatArray, positions: FloatArray, main: IntArray, typical: float
) -> list[GeometryFinding]:
    """Report slices off the stack: at a non-physical place, or beyond a far gap."""
    outside = np.setdiff1d(np.arange(len(offsets)), main)
    far_off = np.abs(positions[outside]).max(axis=1) > MAX_COORDINATE_MM
    findings = []
    if np.any(far_off):
        damaged = outside[far_off]
        extreme = float(np.abs(positions[damaged]).max())
        findings.append(
            _finding(
                "displaced_slices",
                tuple(int(k) for k in damaged),
                at=_mm(extreme),
                **_subject(damaged, len(damaged) == len(offsets)),
            )
        )
    if np.any(~far_off):
        apart = outside[~far_off]
        before = np.maximum(offsets[main[0]] - offsets[apart], 0)
        beyond = np.maximum(offsets[apart] - offsets[main[-1]], 0)
        distance = float((before + beyond).max())
        words = _subject(apart, is_all=False)
        findings.append(
            _finding(
                "separated_slices",
                tuple(int(k) for k in apart),
                distance=("up to " if len(apart) > 1 else "") + _mm(distance),
                multiple=f"{distance / typical:.0f}",
                typical=_mm(typical),
                **words,
            )
        )
    return findings


def _expected(start: float, typical: float, count: int) -> str:
    """Where the missing slices of one hole belong: a position, or a range."""
    first, last = start + typical, start + typical * count
    if count == 1:
        return f"at {_mm(first)} mm"
    return f"at {count} positions from {_mm(first)} to {_mm(last)} mm"


def _spacing(
    offsets: FloatArray, gaps: FloatArray, typical: float, slices: IntArray
) -> tuple[list[GeometryFinding], int]:
    """Check the gaps of the main block; ``slices`` maps its indices to sorted ones."""
    real = gaps >= DUPLICATE_TOLERANCE_MM
    limit = max(UNEVEN_FRACTION * typical, DUPLICATE_TOLERANCE_MM)
    odd = np.flatnonzero(real & (np.abs(gaps - typical) > limit))
    if not len(odd):
        return [], 0
    low, high = _mm(gaps[real].min()), _mm(gaps[real].max())
    concerned = tuple(int(slices[k]) for k in np.union1d(odd, odd + 1))
    findings = [
        _finding("uneven_spacing", concerned, low=low, high=high, typical=_mm(typical))
    ]
    missing = 0
    for k in (int(k) for k in odd):
        times = round(float(gaps[k]) / typical)
        if times < 2 or abs(gaps[k] - times * typical) > MISSING_FRACTION * typical:
            continue
        missing += times - 1
        k0, k1 = int(slices[k]), int(slices[k + 1])
        values = {
            "count": f"{times - 1} slice{'s' if times > 2 else ''}",
            "gap": _mm(gaps[k]),
            "multiple": times,
            "typical": _mm(typical),
            "expected": _expected(float(offsets[k]), typical, times - 1),
        }
        findings.append(_finding("missing_slices", (k0, k1), k=k0, k1=k1, **values))
    return findings, missing
