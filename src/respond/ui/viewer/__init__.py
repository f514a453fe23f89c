"""The image viewer: one slice of a volume, window/level, overlays and calipers.

`SliceView` shows a `respond.dicom.Volume`; `CaliperItem` lines are keyed by
measurement key (``lesion|kind|index``; the lesion labels the line) and report
edits once per drag, in voxel indices ``(k, i, j)``. Only a press on a caliper's
end or line (a few screen pixels) moves it; a press beside it draws a new one.
"""

from respond.ui.viewer.calipers import (
    CALIPER_COLOURS,
    CALIPER_KINDS,
    PROPOSAL_KEY_PREFIX,
    CaliperEdit,
    CaliperItem,
    CaliperKind,
    IndexPoint,
    format_length,
    is_proposal_key,
)
from respond.ui.viewer.cursor import CursorInfo
from respond.ui.viewer.reformat_view import ReformatView
from respond.ui.viewer.slice_view import SliceView
from respond.ui.viewer.windowing import WINDOW_PRESETS, WindowPreset

__all__ = [
    "CALIPER_COLOURS",
    "CALIPER_KINDS",
    "PROPOSAL_KEY_PREFIX",
    "WINDOW_PRESETS",
    "CaliperEdit",
    "CaliperItem",
    "CaliperKind",
    "CursorInfo",
    "IndexPoint",
    "ReformatView",
    "SliceView",
    "WindowPreset",
    "format_length",
    "is_proposal_key",
]
