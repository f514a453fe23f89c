"""Split one series into stacks a volume can be built from, and sort them.

A series is split when it mixes orientations, image sizes or pixel spacings,
when the frames of an enhanced multi-frame object differ in image type
(magnitude and phase, ASL label and control), when images have header errors
the others do not (they never join sound images), and when images repeat
positions because it holds several image types, stacks or acquisitions (or
times, series numbers, multi-frame files): the first key that separates the
images into stacks without repeated positions is used, else the keys in turn.
Localizers and screen captures form their own stacks. Within a stack, images
are sorted along the slice normal.

Nothing depends on the order the files were found in: frames are put in a
content order first (SOP instance UID, frame number), and stacks are ordered
by kind, size and their first frame's content key, so a folder and a DICOMDIR
listing the same files give the same stacks under the same names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom.errors import GeometryError
from respond.dicom.geometry import analyze_stack, normal_from_orientation
from respond.dicom.model import FrameRef, Severity

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["CAPTURE", "LOCALIZER", "Stack", "split_series"]

_POSITION_TOLERANCE_MM = 0.01
LOCALIZER = "localizer"
CAPTURE = "capture"


@dataclass(frozen=True, slots=True)
class Stack:
    """Images of one series that form one volume, sorted along the normal.

    ``kind`` is ``""`` for acquired images, :data:`LOCALIZER` or :data:`CAPTURE`.
    """

    frames: tuple[FrameRef, ...]
    kind: str = ""
    split_reason: str = ""

    @property
    def is_localizer(self) -> bool:
        """Localizer (scout) images."""
        return self.kind == LOCALIZER

    @property
    def is_capture(self) -> bool:
        """Captures of a screen (secondary capture, screen save)."""
        return self.kind == CAPTURE


def content_key(frame: FrameRef) -> tuple[str, int, str]:
    """Return a frame's place in an order independent of file discovery."""
    return (
        frame.sop_instance_uid,
        -1 if frame.frame is None else frame.frame,
        str(frame.path),
    )


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


def _errors(frame: FrameRef) -> tuple[str, ...]:
    """Return the codes of the frame's header errors (such images stand apart)."""
    if not frame.header_findings:
        return ()
    return tuple(
        sorted({f.code for f in frame.header_findings if f.severity is Severity.ERROR})
    )


def _frame_kind(frame: FrameRef) -> tuple[str, ...] | None:
    """Return an enhanced frame's image type; classic images are not split by it."""
    return None if frame.frame is None else frame.image_type


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
    ("image type", lambda f, extra: f.image_type or None),
    ("stack", lambda f, extra: f.stack_id),
    ("acquisition number", lambda f, extra: f.acquisition_number),
    ("temporal position", lambda f, extra: f.temporal_index),
    ("series number", lambda f, extra: extra),
    ("multi-frame file", lambda f, extra: str(f.path) if f.frame is not None else None),
)
_SplitKey = Callable[[FrameRef, object], object]


def _split_by(
    frames: list[FrameRef], key: _SplitKey, series_numbers: dict[str, int | None]
) -> list[list[FrameRef]] | None:
    """Group the frames by ``key``; ``None`` when it does not separate them."""
    groups: dict[object, list[FrameRef]] = defaultdict(list)
    for frame in frames:
        groups[key(frame, series_numbers.get(frame.sop_instance_uid))].append(frame)
    if len(groups) < 2 or None in groups:
        return None
    return [groups[k] for k in sorted(groups, key=str)]


def _split_repeats(
    frames: list[FrameRef], series_numbers: dict[str, int | None]
) -> tuple[list[list[FrameRef]], str]:
    for name, key in _SPLIT_KEYS:
        parts = _split_by(frames, key, series_numbers)
        if parts is not None and not any(_has_repeats(part) for part in parts):
            return parts, f"split by {name}: the series repeats positions"
    # No key alone separates them (e.g. magnitude and phase at several times):
    # split by each key in turn while positions still repeat.
    parts, used = [frames], []
    for name, key in _SPLIT_KEYS:
        next_parts = []
        for part in parts:
            split = _split_by(part, key, series_numbers) if _has_repeats(part) else None
            next_parts.extend(split or [part])
        if len(next_parts) > len(parts):
            used.append(name)
        parts = next_parts
        if not any(_has_repeats(part) for part in parts):
            break
    if not used:
        return [frames], ""
    return parts, f"split by {' and '.join(used)}: the series repeats positions"


def _sorted(frames: list[FrameRef]) -> tuple[FrameRef, ...]:
    frames = sorted(frames, key=content_key)
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


def _mixed_reason(keys: Sequence[tuple[object, ...]]) -> str:
    """Why the group keys differ: kind, image type, header errors, geometry."""
    reasons = [
        reason
        for index, reason in (
            (0, "localizer or screen capture images"),
            (1, "image type of the enhanced frames"),
            (2, "header errors in some images"),
        )
        if len({key[index] for key in keys}) > 1
    ]
    if len({key[3:] for key in keys}) > 1 or not reasons:
        reasons.append("orientation, size or pixel spacing")
    return f"split by {', '.join(reasons)}"


def split_series(
    frames: Sequence[FrameRef],
    kind: Callable[[FrameRef], str],
    series_numbers: dict[str, int | None],
) -> list[Stack]:
    """Split a series' images into stacks, each sorted along its normal.

    Parameters
    ----------
    frames
        Every image of the series (duplicates of one SOP instance removed), in
        any order.
    kind
        Tells an image's kind: ``""``, :data:`LOCALIZER` or :data:`CAPTURE`.
    series_numbers
        SeriesNumber per SOP instance (some series reuse one UID across numbers).

    Returns
    -------
    list of Stack
        The stacks: acquired images first, then the largest, then by the
        first frame's SOP instance UID.
    """
    groups: dict[tuple[object, ...], list[FrameRef]] = defaultdict(list)
    for frame in frames:
        key = (kind(frame), _frame_kind(frame), _errors(frame), *_geometry_key(frame))
        groups[key].append(frame)
    stacks = []
    mixed = _mixed_reason(list(groups)) if len(groups) > 1 else ""
    for key, members in groups.items():
        parts, reason = ([members], "")
        if _has_repeats(members):
            parts, reason = _split_repeats(members, series_numbers)
        for part in parts:
            stacks.append(Stack(_sorted(part), str(key[0]), reason or mixed))
    stacks.sort(
        key=lambda s: (
            bool(s.kind),
            -len(s.frames),
            min(content_key(f) for f in s.frames),
        )
    )
    return stacks
