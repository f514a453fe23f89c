"""The Modality LUT (0028,3000): stored values to modality values by a table.

An image with a Modality LUT Sequence has its modality values looked up in
that table, not rescaled (PS3.3 C.11.1): the LUT Descriptor gives the number of
entries (0 means 65536), the first stored value mapped, and the bits per entry;
stored values below the first mapped value take the first entry, those above
the last take the last entry. Enhanced (multi-frame) objects may give a table
per frame in their functional groups; the top-level sequence holds otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Final

import numpy as np
from numpy.typing import NDArray

from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset

__all__ = ["LUT_RANGE", "ModalityLut", "lut_from_dataset", "read_modality_luts"]

LUT_RANGE: Final = (0, 65535)
"""Every value a Modality LUT can give (its entries are unsigned, 8 or 16 bits)."""
_SEQUENCE: Final = "ModalityLUTSequence"


@dataclass(frozen=True, slots=True, eq=False)
class ModalityLut:
    """One Modality LUT, checked.

    Attributes
    ----------
    first_mapped
        The stored value that maps to the first entry.
    table
        The entries, shape ``(entries,)``, uint8 or uint16.
    """

    first_mapped: int
    table: NDArray[np.unsignedinteger[Any]]

    def apply(self, stored: NDArray[np.generic]) -> NDArray[np.unsignedinteger[Any]]:
        """Return the modality values of stored values (same shape)."""
        index = stored.astype(np.int64)
        index -= self.first_mapped
        np.clip(index, 0, len(self.table) - 1, out=index)
        values: NDArray[np.unsignedinteger[Any]] = self.table[index]
        return values


class _Malformed(ValueError):
    """The LUT's values do not make a table (the message says why)."""


def _descriptor(item: Dataset, is_signed: bool) -> tuple[int, int, int]:
    values = item.get("LUTDescriptor")
    if values is None:
        raise _Malformed("it has no LUT Descriptor (0028,3002)")
    try:
        entries, first, bits = (int(v) for v in values)
    except (TypeError, ValueError):
        raise _Malformed(
            f"its LUT Descriptor is {values!r}, not three numbers"
        ) from None
    # The descriptor is US or SS: read back as the other, values wrap.
    entries = (entries % 65536) or 65536
    if is_signed and first >= 32768:
        first -= 65536
    elif not is_signed and first < 0:
        first += 65536
    if not 8 <= bits <= 16:
        raise _Malformed(f"its LUT Descriptor gives {bits} bits per entry (8 to 16)")
    return entries, first, bits


def _entries(item: Dataset, entries: int, bits: int, little: bool) -> NDArray[Any]:
    data = item.get("LUTData")
    if data is None:
        raise _Malformed("it has no LUT Data (0028,3006)")
    if isinstance(data, bytes | bytearray):
        if len(data) in (2 * entries, 2 * entries + 2) and len(data) >= 2:
            order = "<" if little else ">"
            return np.frombuffer(bytes(data[: 2 * entries]), dtype=f"{order}u2")
        if bits <= 8 and len(data) in (entries, entries + 1):
            return np.frombuffer(bytes(data[:entries]), dtype=np.uint8)
        raise _Malformed(
            f"its LUT Data holds {len(data)} bytes for {entries} entries of {bits} bits"
        )
    values = [data] if isinstance(data, int) else list(data)
    if len(values) != entries:
        raise _Malformed(
            f"its LUT Data holds {len(values)} entries, its descriptor {entries}"
        )
    table = np.asarray(values, dtype=np.int64)
    if table.min() < 0 or table.max() > 65535:
        raise _Malformed("its LUT Data holds values outside 0 to 65535")
    return table


def _parse(item: Dataset, is_signed: bool, little: bool) -> ModalityLut:
    entries, first, bits = _descriptor(item, is_signed)
    table = _entries(item, entries, bits, little)
    dtype = np.uint8 if int(table.max(initial=0)) <= 255 and bits <= 8 else np.uint16
    return ModalityLut(first, table.astype(dtype))


def _lut_item(group: Dataset | None) -> Dataset | None:
    """Return the Modality LUT item of a functional group (or one level down)."""
    if group is None:
        return None
    found = group.get(_SEQUENCE)
    if found:
        return found[0]  # type: ignore[no-any-return]
    for element in group:
        if element.VR != "SQ" or not element.value:
            continue
        nested = element.value[0].get(_SEQUENCE)
        if nested:
            return nested[0]  # type: ignore[no-any-return]
    return None


def _first(ds: Dataset, keyword: str, index: int = 0) -> Dataset | None:
    items = ds.get(keyword)
    if not items or index >= len(items):
        return None
    return items[index]  # type: ignore[no-any-return]


def lut_from_dataset(ds: Dataset, index: int | None, path: Path) -> ModalityLut:
    """Return the Modality LUT of one image (frame ``index`` of a multi-frame).

    Raises
    ------
    SeriesLoadError
        The image has no Modality LUT, or its LUT is malformed.
    """
    item = None
    if index is not None:
        item = _lut_item(_first(ds, "PerFrameFunctionalGroupsSequence", index))
        item = item or _lut_item(_first(ds, "SharedFunctionalGroupsSequence"))
    if item is None:
        item = _first(ds, _SEQUENCE)
    where = "" if index is None else f" (frame {index + 1})"
    if item is None:
        raise SeriesLoadError(
            f"{path.name}{where}: the scan found a Modality LUT (0028,3000) that "
            "is not there now; scan the folder again",
            path=path,
        )
    is_signed = str(ds.get("PixelRepresentation", 0)) == "1"
    little = bool(getattr(ds, "original_encoding", (None, True))[1] is not False)
    try:
        return _parse(item, is_signed, little)
    except _Malformed as exc:
        raise SeriesLoadError(
            f"{path.name}{where}: its Modality LUT cannot be used: {exc}. The "
            "image's values cannot be known without it; the file is damaged",
            path=path,
        ) from exc


def read_modality_luts(
    stream: BinaryIO, path: Path, indices: set[int | None]
) -> dict[int | None, ModalityLut]:
    """Read the Modality LUT of images of one file (frame indices, or ``None``).

    Parameters
    ----------
    stream
        The file, open for reading (its position is moved).
    path
        The file, for messages.
    indices
        The frames whose tables to read (``None``: a single-frame file); the
        file is not read when there are none.

    Raises
    ------
    SeriesLoadError
        The header cannot be read again, or a LUT is missing or malformed.
    """
    import pydicom

    if not indices:
        return {}
    try:
        stream.seek(0)
        ds = pydicom.dcmread(stream, stop_before_pixels=True, force=True)
    except Exception as exc:  # any damage in a header becomes a reason
        raise SeriesLoadError(
            f"{path.name}: its header cannot be read again for its Modality LUT "
            f"({type(exc).__name__}: {exc}); the file is damaged",
            path=path,
        ) from exc
    return {index: lut_from_dataset(ds, index, path) for index in indices}
