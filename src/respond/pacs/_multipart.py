"""Reading a ``multipart/related`` answer part by part, refusing a cut one.

Only parts closed by a boundary are given out, and an answer that ends
before its closing boundary (``--boundary--``) raises
:class:`TruncatedAnswer`: a server that dies mid-transfer never yields a
part cut short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class TruncatedAnswer(requests.exceptions.ChunkedEncodingError):
    """The multipart answer ended before its closing boundary."""


def boundary_of(content_type: str) -> bytes | None:
    """Return the boundary of a ``multipart/related`` content type, else None."""
    media_type, *params = (p.strip() for p in content_type.split(";"))
    if media_type.lower() != "multipart/related":
        return None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"').encode("latin-1")
    return None


def _body(segment: bytes) -> bytes | None:
    """Return the body of one part (its headers dropped); None for the preamble."""
    end = segment.find(b"\r\n\r\n")
    if end < 0:
        return None
    return segment[end + 4 :]


def iter_parts(chunks: Iterable[bytes], boundary: bytes) -> Iterator[bytes]:
    """Yield the body of each part of a multipart message read in chunks.

    Raises
    ------
    TruncatedAnswer
        The chunks ended before the closing boundary.
    """
    delimiter = b"\r\n--" + boundary
    buffer = bytearray(b"\r\n")  # the first boundary has no CRLF before it
    start, first, after_boundary = 0, True, False
    for chunk in chunks:
        buffer += chunk
        while True:
            if after_boundary:  # "--" right after a boundary closes the message
                if len(buffer) < 2:
                    break
                if buffer.startswith(b"--"):
                    return
                after_boundary = False
            index = buffer.find(delimiter, start)
            if index < 0:
                break
            segment = bytes(buffer[:index])
            del buffer[: index + len(delimiter)]
            start, after_boundary = 0, True
            if not first and (body := _body(segment)) is not None:
                yield body
            first = False
        start = max(0, len(buffer) - len(delimiter))
    raise TruncatedAnswer("the multipart answer ended before its closing boundary")
