"""One image's modality values, read on its own (key images, SR geometry).

Loading a whole series is :func:`respond.dicom.load_series`; a report needs only
the image a caliper was drawn on, so this reads that one frame the way the
loader does: native pixels straight from their offset in the file, compressed
ones through the loader's decoder for the syntax (only that frame of a
multi-frame file, where the decoder allows it), then the frame's rescale or
its Modality LUT. Whatever a damaged file causes leaves as a SeriesLoadError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import (
    Engine,
    fast_engine_for,
    pydicom_decodes,
    syntax_name,
)
from respond.dicom._decode import decode_file, empty_plane, open_file
from respond.dicom._modality_lut import read_modality_luts
from respond.dicom._rescale import modality_float32
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.dicom._decode import OpenFile
    from respond.dicom.model import FrameRef

__all__ = ["read_frame"]


def read_frame(frame: FrameRef) -> NDArray[np.float32]:
    """Return one image's modality values (HU for CT) as a rows x columns array.

    The values are the stored values rescaled, or looked up in the image's
    Modality LUT when it has one (``frame.modality_lut``), as the loader gives
    them.

    Parameters
    ----------
    frame
        The image, as the scan listed it.

    Raises
    ------
    SeriesLoadError
        The file cannot be read or decoded any more (moved, changed, damaged,
        or compressed with a syntax no installed decoder handles), or its
        header is damaged (no image size, a frame that is not in the file, a
        malformed Modality LUT). Nothing else leaves this function.
    """
    if not frame.has_pixels:
        # as the loader: a file the scan found without pixel data is not decoded
        raise SeriesLoadError(
            f"{frame.path.name}: no pixel data in the file; the image must be sent "
            "again in full",
            path=frame.path,
        )
    try:
        return _modality_values(frame)
    except SeriesLoadError as exc:
        raise SeriesLoadError(
            f"{exc}; check that the file is still there and readable",
            path=frame.path,
        ) from exc
    except Exception as exc:
        # The DICOM layer's boundary for key images and reports: whatever a
        # damaged file causes leaves as a typed error.
        raise SeriesLoadError(
            f"{frame.path.name}: the image cannot be read ({type(exc).__name__}: "
            f"{exc}); its header may be damaged",
            path=frame.path,
        ) from exc


def _modality_values(frame: FrameRef) -> NDArray[np.float32]:
    engine = fast_engine_for(
        frame.transfer_syntax, has_offset=frame.pixel_offset is not None
    )
    if engine is None:
        raise SeriesLoadError(
            f"{frame.path.name}: no installed decoder reads "
            f"{syntax_name(frame.transfer_syntax)}",
            path=frame.path,
        )
    if engine is Engine.SIMPLEITK and (
        frame.modality_lut
        or (frame.frame is not None and pydicom_decodes(frame.transfer_syntax))
    ):
        # pydicom gives stored values (SimpleITK rescales them, and decodes
        # every frame of a multi-frame file where pydicom decodes the one asked)
        engine = Engine.PYDICOM
    with open_file(frame.path, buffered=engine is not Engine.NATIVE) as source:
        plane, rescaled = _stored_values(source, frame, engine)
        if plane.ndim != 2:
            raise SeriesLoadError(
                f"{frame.path.name}: expected one grey-level image, got an array of "
                f"shape {plane.shape}",
                path=frame.path,
            )
        if frame.modality_lut:
            index = source.current(frame).frame
            lut = read_modality_luts(source.stream, frame.path, {index})[index]
            return lut.apply(plane).astype(np.float32)
    if rescaled:
        return modality_float32(plane, 1.0, 0.0)
    return modality_float32(plane, frame.rescale_slope, frame.rescale_intercept)


def _stored_values(
    source: OpenFile, frame: FrameRef, engine: Engine
) -> tuple[NDArray[np.generic], bool]:
    """Return the frame's values and whether the decoder already rescaled them."""
    if engine is Engine.NATIVE:
        plane = empty_plane(frame)
        source.read_native_into(frame, plane)
        return plane, False
    current = source.current(frame)
    decoded, rescaled = decode_file(
        frame.path, engine, source=source, index=current.frame
    )
    return decoded[0], rescaled
