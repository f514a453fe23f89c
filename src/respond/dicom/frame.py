"""One image's modality values, read on its own (key images, SR geometry).

Loading a whole series is :func:`respond.dicom.load_series`; a report needs only
the image a caliper was drawn on, so this reads one file (one frame of a
multi-frame file) through pydicom and applies that frame's rescale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef

__all__ = ["read_frame"]


def read_frame(frame: FrameRef) -> NDArray[np.float32]:
    """Return one image's modality values (HU for CT) as a rows x columns array.

    Parameters
    ----------
    frame
        The image, as the scan listed it.

    Raises
    ------
    SeriesLoadError
        The file cannot be read or decoded any more (moved, changed, damaged,
        or compressed with a syntax no installed decoder handles).
    """
    import pydicom

    try:
        ds = pydicom.dcmread(frame.path, force=True)
        pixels = ds.pixel_array
    except Exception as exc:
        raise SeriesLoadError(
            f"{frame.path.name}: the image cannot be decoded ({exc}); "
            "check that the file is still there and readable"
        ) from exc
    plane = np.asarray(pixels)
    if frame.frame is not None and plane.ndim == 3 and plane.shape[0] > frame.frame:
        plane = plane[frame.frame]
    if plane.ndim != 2:
        raise SeriesLoadError(
            f"{frame.path.name}: expected one grey-level image, got an array of "
            f"shape {plane.shape}"
        )
    values = plane.astype(np.float32) * np.float32(frame.rescale_slope)
    values += np.float32(frame.rescale_intercept)
    return values
