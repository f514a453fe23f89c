"""One image's modality values, read on its own (key images, SR geometry).

Loading a whole series is :func:`respond.dicom.load_series`; a report needs only
the image a caliper was drawn on, so this reads that one frame the way the
loader does: native pixels straight from their offset in the file, compressed
ones through the loader's decoder for the syntax (only that frame of a
multi-frame file, where the decoder allows it), then the frame's rescale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.dicom._codecs import Engine, engine_for, pydicom_decodes, syntax_name
from respond.dicom._decode import decode_file, open_file, read_native
from respond.dicom._rescale import modality_float32
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    import numpy as np
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
    try:
        plane, rescaled = _stored_values(frame)
    except SeriesLoadError as exc:
        raise SeriesLoadError(
            f"{exc}; check that the file is still there and readable",
            path=frame.path,
        ) from exc
    if plane.ndim != 2:
        raise SeriesLoadError(
            f"{frame.path.name}: expected one grey-level image, got an array of "
            f"shape {plane.shape}",
            path=frame.path,
        )
    if rescaled:
        return modality_float32(plane, 1.0, 0.0)
    return modality_float32(plane, frame.rescale_slope, frame.rescale_intercept)


def _stored_values(frame: FrameRef) -> tuple[NDArray[np.generic], bool]:
    """Return the frame's values and whether the decoder already rescaled them."""
    engine = engine_for(
        frame.transfer_syntax, has_offset=frame.pixel_offset is not None
    )
    if engine is Engine.NATIVE:
        return read_native(frame), False
    if engine is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no installed decoder reads "
            f"{syntax_name(frame.transfer_syntax)}",
            path=frame.path,
        )
    if (
        frame.frame is not None
        and engine is Engine.SIMPLEITK
        and pydicom_decodes(frame.transfer_syntax)
    ):
        # pydicom decodes one frame of a multi-frame file; SimpleITK all of them
        engine = Engine.PYDICOM
    with open_file(frame.path, buffered=True) as source:
        current = source.current(frame)
        decoded, rescaled = decode_file(
            frame.path, engine, source=source, index=current.frame
        )
    return decoded[0], rescaled
