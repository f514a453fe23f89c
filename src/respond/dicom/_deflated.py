"""The header of a deflated file, inflated only as far as the pixel data.

pydicom inflates a Deflated Explicit VR Little Endian file whole before it
parses the first element; for a header that is most of the cost (a 512 x 512
CT slice: 2 ms a file, in the scan and again in the loader's check). Here the
data set is inflated as the parser reads it, and the parse stops at the pixel
data, whose element header (tag, VR, length, offset in the inflated data set)
is kept as a deferred element, so the header checks see its length as they
see a native file's.

A header that inflates beyond :data:`MAX_INFLATED` bytes before its pixel
data (a "zip bomb") is refused with a reason, never allocated.

The scan also checks that the whole data set inflates and holds the pixel
data its header declares (``whole=True``): a deflated file cut short is
refused as a native one is, before it is called ready. That inflates the
file once more, with libdeflate where imagecodecs is installed (0.9 ms a
512 x 512 slice against zlib's 2.2), into one buffer of the declared size,
or through zlib in bounded steps when that size is large or wrong.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Final

from pydicom.dataelem import RawDataElement
from pydicom.dataset import FileDataset
from pydicom.filereader import (
    _read_file_meta_info,  # read_partial's own first step
    read_dataset,
    read_preamble,
)
from pydicom.tag import Tag
from pydicom.uid import DeflatedExplicitVRLittleEndian

from respond.dicom._fastheader import (
    HEAD_BYTES,
    MORE,
    deflated_data_set_start,
    parse_inflated,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import BinaryIO

    from pydicom.tag import BaseTag

    from respond.dicom._fastheader import RawDataset

__all__ = ["MAX_INFLATED", "read_deflated", "read_deflated_fast"]

MAX_INFLATED: Final = 64 * 1024 * 1024
"""How many inflated bytes a header may take before its pixel data."""

_CHUNK: Final = 65536
_ONE_BUFFER: Final = 256 * 1024 * 1024
_SLACK: Final = 65536  # elements after the pixel data (padding, signatures)
_PIXEL_TAGS: Final = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})


class _Inflating:
    """A read-only, seekable view of a deflated stream, inflated on demand."""

    def __init__(self, source: BinaryIO, name: str) -> None:
        self.name = name
        self._source = source
        self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self._data = bytearray()
        self._pos = 0
        self._ended = False

    def _fill(self, end: int) -> None:
        if end > MAX_INFLATED:
            raise ValueError(
                f"the deflated header is larger than {MAX_INFLATED // 2**20} MB "
                "before its pixel data"
            )
        while len(self._data) < end and not self._ended:
            pending = self._inflater.unconsumed_tail
            if not pending:
                pending = self._source.read(_CHUNK)
                if not pending:
                    self._data += self._inflater.flush()
                    self._ended = True
                    break
            self._data += self._inflater.decompress(pending, max(_CHUNK, end))
            if self._inflater.eof:
                self._ended = True

    def read(self, size: int = -1) -> bytes:
        end = MAX_INFLATED + 1 if size is None or size < 0 else self._pos + size
        self._fill(end)
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos}.get(whence)
        if base is None:  # from the end: everything must be inflated
            self._fill(MAX_INFLATED + 1)
            base = len(self._data)
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def read_deflated(
    stream: BinaryIO,
    path: Path,
    stop: Callable[[BaseTag, str | None, int], bool],
    *,
    whole: bool = True,
) -> FileDataset | None:
    """Read a deflated file's header, or ``None`` when the file is not deflated.

    Parameters
    ----------
    stream
        The file, open for binary reading at its start (left anywhere).
    path
        The file's path (its name in the data set).
    stop
        pydicom's ``stop_when``, for the elements before the pixel data.
    whole
        Also check that the whole data set inflates and holds the pixel data.

    Raises
    ------
    ValueError
        The header inflates beyond :data:`MAX_INFLATED`, or (``whole``) the
        data set is damaged or cut short.
    """
    preamble = read_preamble(stream, force=True)
    meta = _read_file_meta_info(stream)
    if meta.get("TransferSyntaxUID") != DeflatedExplicitVRLittleEndian:
        return None
    start = stream.tell()
    inflating = _Inflating(stream, str(path))
    pixel: RawDataElement | None = None

    def until_pixels(tag: BaseTag, vr: str | None, length: int) -> bool:
        nonlocal pixel
        if int(tag) in _PIXEL_TAGS:
            pixel = RawDataElement(
                Tag(tag), vr, length, None, inflating.tell(), False, True
            )
            return True
        return stop(tag, vr, length)

    body = read_dataset(inflating, False, True, stop_when=until_pixels)  # type: ignore[arg-type]
    if pixel is not None:
        body[pixel.tag] = pixel
    if whole:
        stream.seek(start)
        needed = None
        if pixel is not None and pixel.length != 0xFFFFFFFF:
            needed = pixel.value_tell + pixel.length
        _check_whole(stream.read(), needed)
    ds = FileDataset(str(path), body, preamble, meta, False, True)
    ds.set_original_encoding(False, True, body._character_set)
    return ds


def read_deflated_fast(
    stream: BinaryIO, head: bytes, *, whole: bool = True
) -> RawDataset | None:
    """Read an ordinary deflated file's header with the fast parser, or ``None``.

    ``head`` is the start of the file (its meta at least); ``stream`` is the
    file. The data set is inflated in growing steps until the fast parser
    reaches the pixel data. ``None``: not deflated, or a header the fast
    parser leaves to pydicom (:func:`read_deflated`).

    Raises
    ------
    ValueError
        As :func:`read_deflated`.
    """
    meta_end = deflated_data_set_start(head)
    if meta_end is None:
        return None
    stream.seek(meta_end)
    inflating = _Inflating(stream, "")
    prefix = head[:meta_end]
    want = HEAD_BYTES
    while True:
        inflating.seek(0)
        body = inflating.read(want)
        done = len(body) < want
        result = parse_inflated(prefix + body, complete=done)
        if result is not MORE:
            break
        if done or want >= MAX_INFLATED:
            return None
        want = min(MAX_INFLATED, want * 4)
    if result is None:
        return None
    header: RawDataset = result  # type: ignore[assignment]
    if whole:
        pixel = header.get_item(0x7FE00010) or header.get_item(0x7FE00008)
        needed = None
        if pixel is not None and pixel.length != 0xFFFFFFFF:
            needed = pixel.file_tell - meta_end + pixel.length
        stream.seek(meta_end)
        _check_whole(stream.read(), needed)
    return header


def _check_whole(compressed: bytes, needed: int | None) -> None:
    """Raise ``ValueError`` unless the data set inflates to ``needed`` bytes or more."""
    if needed is not None and needed <= _ONE_BUFFER:
        try:
            import imagecodecs

            size = len(
                imagecodecs.deflate_decode(compressed, raw=True, out=needed + _SLACK)
            )
        except Exception:  # noqa: BLE001 - zlib below gives the verdict
            size = -1
        if size >= needed:
            return  # libdeflate read a complete stream (it fails when cut short)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    pending = compressed
    try:
        while pending and not inflater.eof:
            total += len(inflater.decompress(pending, 2**20))
            pending = inflater.unconsumed_tail
        total += len(inflater.flush())
    except zlib.error as exc:
        raise ValueError(f"the deflated data set is damaged ({exc})") from exc
    if not inflater.eof:
        raise ValueError(
            f"the deflated data set is cut short (it ends after {total:,} bytes)"
        )
    if needed is not None and total < needed:
        raise ValueError(
            f"the deflated data set is cut short: it holds {total:,} bytes, the "
            f"pixel data ends at {needed:,}"
        )
