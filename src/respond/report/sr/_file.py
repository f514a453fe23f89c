"""Open one SR file: refuse a damaged file, then parse its content.

pydicom reads lazily and stops quietly at the end of a file, so a file cut
short or damaged inside would otherwise lose content without a word, or fail
later with an error that names neither the file nor the problem.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from pydicom import dcmread
from pydicom.datadict import keyword_for_tag
from pydicom.dataelem import RawDataElement
from pydicom.errors import InvalidDicomError

from respond.report.sr._parse import (
    SR_CLASSES,
    Document,
    ParseError,
    parse,
    sop_class_name,
)
from respond.report.sr.errors import SRImportError

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset

_UNDEFINED_LENGTH = 0xFFFFFFFF
# What pydicom raises on a damaged file. It reads lazily, so most of these
# surface on first access to an element, after dcmread returned.
_DAMAGED = (
    AttributeError,
    IndexError,
    InvalidDicomError,
    KeyError,
    NotImplementedError,
    OSError,
    OverflowError,
    TypeError,
    ValueError,
    struct.error,
)


def read_document(path: Path) -> Document:
    """Read and parse one SR file.

    Raises
    ------
    SRImportError
        The file is unreadable, not an SR, or not a TID 1500 report.
    """
    if path.is_dir():
        raise SRImportError(path, "is a folder", "pass the SR files inside it")
    try:
        ds = dcmread(path)
    except _DAMAGED as exc:
        raise SRImportError(
            path, f"cannot be read as DICOM ({exc})", "check the path and the file"
        ) from exc
    if str(ds.get("SOPClassUID", "")) not in SR_CLASSES:
        raise SRImportError(path, f"is not a DICOM SR ({sop_class_name(ds)})")
    try:
        _check_complete(ds, path)
        return parse(ds)
    except ParseError as exc:
        raise SRImportError(path, str(exc)) from exc
    except _DAMAGED as exc:
        raise SRImportError(
            path,
            f"is damaged ({type(exc).__name__}: {exc})",
            "copy the file again from where it was written",
        ) from exc


def _check_complete(ds: Dataset, path: Path) -> None:
    """Refuse a file cut short: an element holding fewer bytes than its length.

    pydicom stops quietly at the end of a file, so a truncated report would
    otherwise lose its last items without a word. Decoding every element here
    also makes other damage surface before the content is interpreted.

    Raises
    ------
    SRImportError
        An element is cut short.
    """
    for tag in ds.keys():  # noqa: SIM118 (iterating a Dataset decodes its elements)
        raw = ds.get_item(tag)
        if (
            isinstance(raw, RawDataElement)
            and raw.value is not None
            and raw.length != _UNDEFINED_LENGTH
            and len(raw.value) < raw.length
        ):
            raise SRImportError(
                path,
                f"is cut short: element {raw.tag} {keyword_for_tag(raw.tag)} "
                f"holds {len(raw.value)} of its {raw.length} bytes",
                "copy the file again from where it was written",
            )
        element = ds[tag]
        if element.VR == "SQ":
            for item in element.value:
                _check_complete(item, path)
