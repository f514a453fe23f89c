"""Which engine decodes which transfer syntax, fastest first.

Measured in ``bench/`` (issue: DICOM loading): reading native pixel bytes straight
into a preallocated array beats SimpleITK on uncompressed data, and pydicom's RLE
decoder (pylibjpeg-rle) beats it on RLE; SimpleITK/GDCM wins on JPEG 2000 and on
lossless JPEG. pydicom's pylibjpeg plugins cover what SimpleITK cannot read.

imagecodecs (``bench/decoders.py``) beats all of them on JPEG (lossless with
pydicom's values, lossy with GDCM's), JPEG-LS, JPEG 2000, RLE and deflate: the
loader asks :func:`fast_engine_for`, which chooses it where it is installed
and otherwise answers as :func:`engine_for`.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from pydicom.uid import UID

from respond.dicom import _fastcodecs

__all__ = [
    "Engine",
    "engine_for",
    "fast_engine_for",
    "is_lossy",
    "pydicom_decodes",
    "syntax_name",
]

NATIVE = frozenset(
    {
        "1.2.840.10008.1.2",
        "1.2.840.10008.1.2.1",
        "1.2.840.10008.1.2.2",
    }
)
GDCM_PREFERRED = frozenset(
    {
        "1.2.840.10008.1.2.4.57",  # JPEG Lossless, process 14
        "1.2.840.10008.1.2.4.70",  # JPEG Lossless, process 14 SV1
        "1.2.840.10008.1.2.4.90",  # JPEG 2000 lossless
        "1.2.840.10008.1.2.4.91",  # JPEG 2000
    }
)
LOSSY = frozenset(
    {
        "1.2.840.10008.1.2.4.50",  # JPEG baseline
        "1.2.840.10008.1.2.4.51",  # JPEG extended
        "1.2.840.10008.1.2.4.81",  # JPEG-LS near-lossless
        "1.2.840.10008.1.2.4.91",  # JPEG 2000 (may be lossy)
        "1.2.840.10008.1.2.4.203",  # HTJ2K (may be lossy)
    }
)


class Engine(Enum):
    """A pixel decoding path."""

    NATIVE = "native"
    """Read the pixel bytes directly into the volume (no decoding)."""
    PYDICOM = "pydicom"
    """pydicom's pixel handlers (pylibjpeg plugins, RLE, deflate)."""
    SIMPLEITK = "simpleitk"
    """SimpleITK's GDCM reader."""
    IMAGECODECS = "imagecodecs"
    """imagecodecs' decoders, frame by frame (:mod:`respond.dicom._fastcodecs`)."""


def syntax_name(uid: str) -> str:
    """Return a transfer syntax's name, e.g. ``JPEG 2000 Image Compression``."""
    if not uid:
        return "unknown transfer syntax (no file meta)"
    name = UID(uid).name
    return name if name != uid else f"unknown transfer syntax {uid}"


@cache
def pydicom_decodes(uid: str) -> bool:
    """Whether an installed pydicom decoder reads a (compressed) transfer syntax."""
    from pydicom.pixels.decoders.base import get_decoder

    try:
        return bool(get_decoder(uid).is_available)
    except (NotImplementedError, ValueError, KeyError):
        return False


def engine_for(uid: str, *, has_offset: bool = True) -> Engine | None:
    """Return the fastest engine that decodes a transfer syntax, or ``None``.

    Parameters
    ----------
    uid
        Transfer syntax UID (empty: no file meta, read as implicit little endian).
    has_offset
        Whether the scan recorded the file offset of the pixel data.
    """
    if (uid in NATIVE or not uid) and has_offset:
        return Engine.NATIVE
    if uid in GDCM_PREFERRED:
        return Engine.SIMPLEITK
    if uid and pydicom_decodes(uid):
        return Engine.PYDICOM
    if uid in NATIVE or not uid:
        return Engine.PYDICOM
    return None


def fast_engine_for(uid: str, *, has_offset: bool = True) -> Engine | None:
    """Return the fastest engine for a transfer syntax, imagecodecs included.

    imagecodecs for JPEG, JPEG-LS, JPEG 2000, RLE and deflate when it is
    installed; otherwise (and for every other syntax) :func:`engine_for`'s
    answer.

    Parameters
    ----------
    uid
        Transfer syntax UID (empty: no file meta, read as implicit little endian).
    has_offset
        Whether the scan recorded the file offset of the pixel data.
    """
    if _fastcodecs.decodes(uid):
        return Engine.IMAGECODECS
    return engine_for(uid, has_offset=has_offset)


def is_lossy(uid: str) -> bool:
    """Whether a transfer syntax may have lost information."""
    return uid in LOSSY
