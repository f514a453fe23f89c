"""Split one series into stacks a volume can be built from, and sort them.

A series is split when it mixes orientations, image sizes or pixel spacings, and
when images repeat positions because it holds several acquisitions (or times,
echoes, series numbers, multi-frame files): the first key that separates the
images into stacks without repeated positions is used. Localizers form their own
stack. Within a stack, images are sorted along the slice normal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom.errors import GeometryError
from respond.dicom.geometry import analyze_stack, normal_from_orientation
from respond.dicom.model import FrameRef

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["Stack", "split_series"]

_POSITION_TOLERANCE_MM = 0.01


@dataclass(frozen=True, slots=True)
class Stack:
    """Images of one series that form one volume, sorted along the normal."""

    frames: tuple[FrameRef, ...]
    is_localizer: bool
    split_reason: str = ""


def _geometry_key(frame: FrameRef) -> tuple[object, ...]:
    orientation = (
        None
        if frame.orientation is None
        else tuple(round(v, 3) for v in frame.orientation)
    )
    spacing = (
        None
        if frame.pixel_spacing is None
        else tuple(round(v, 4) for v in frame.pixel_spacing)
    )
    return (frame.rows, frame.columns, orientation, spacing)


def _has_repeats(frames: Sequence[FrameRef]) -> bool:
    positions = [f.position for f in frames if f.position is not None]
    if len(positions) < 2 or frames[0].orientation is None:
        return False
    try:
        normal = normal_from_orientation(np.asarray(frames[0].orientation, dtype=float))
    except GeometryError:
        return False  # reported as bad_geometry for the stack
    offsets = np.sort(np.asarray(positions, dtype=float) @ normal)
    return bool(np.any(np.diff(offsets) < _POSITION_TOLERANCE_MM))


_SPLIT_KEYS: tuple[tuple[str, Callable[[FrameRef, object], object]], ...] = (
    ("acquisition number", lambda f, extra: f.acquisition_number),
    ("temporal position", lambda f, extra: f.temporal_index),
    ("series number", lambda f, extra: extra),
    ("multi-frame file", lambda f, extra: str(f.path) if f.frame is not None else None),
)


def _split_repeats(
    frames: list[FrameRef], series_numbers: dict[str, int | None]
) -> tuple[list[list[FrameRef]], str]:
    for name, key in _SPLIT_KEYS:
        groups: dict[object, list[FrameRef]] = defaultdict(list)
        for frame in frames:
            groups[key(frame, series_numbers.get(frame.sop_instance_uid))].append(frame)
        if len(groups) < 2 or None in groups:
            continue
        parts = [groups[k] for k in sorted(groups, key=str)]
        if not any(_has_repeats(part) for part in parts):
            return parts, f"split by {name}: the series repeats positions"
    return [frames], ""


def _sorted(frames: list[FrameRef]) -> tuple[FrameRef, ...]:
    positioned = [f for f in frames if f.position is not None]
    if len(positioned) != len(frames) or frames[0].orientation is None:
        return tuple(
            sorted(
                frames,
                key=lambda f: (
                    f.instance_number or 0,
                    -1 if f.frame is None else f.frame,
                ),
            )
        )
    try:
        analysis = analyze_stack(
            np.asarray([f.position for f in frames], dtype=float),
            np.asarray(frames[0].orientation, dtype=float),
            np.asarray(frames[0].pixel_spacing or (1.0, 1.0), dtype=float),
        )
    except GeometryError:
        # Orientation or spacing unusable: keep the acquisition order; the
        # stack is reported as bad_geometry (not measurable).
        return tuple(
            sorted(frames, key=lambda f: (f.instance_number or 0, f.frame or 0))
        )
    return tuple(frames[i] for i in analysis.order)


def split_series(
    frames: Sequence[FrameRef],
    localizer: Callable[[FrameRef], bool],
    series_numbers: dict[str, int | None],
) -> list[Stack]:
    """Split a series' images into stacks, each sorted along its normal.

    Parameters
    ----------
    frames
        Every image of the series (duplicates of one SOP instance removed).
    localizer
        Tells whether an image is a localizer.
    series_numbers
        SeriesNumber per SOP instance (some series reuse one UID across numbers).

    Returns
    -------
    list of Stack
        The stacks, largest first.
    """
    groups: dict[tuple[object, ...], list[FrameRef]] = defaultdict(list)
    for frame in frames:
        groups[(localizer(frame), *_geometry_key(frame))].append(frame)
    stacks = []
    mixed = len(groups) > 1
    for key, members in groups.items():
        is_localizer = bool(key[0])
        parts, reason = ([members], "")
        if _has_repeats(members):
            parts, reason = _split_repeats(members, series_numbers)
        if mixed and not reason:
            reason = "split by orientation, size or pixel spacing"
        for part in parts:
            stacks.append(Stack(_sorted(part), is_localizer, reason))
    stacks.sort(key=lambda s: (s.is_localizer, -len(s.frames)))
    return stacks
