"""Store DICOM files into a DICOMweb server by STOW-RS (PS3.18 10.5).

One HTTP POST of ``multipart/related; type="application/dicom"`` to
``{root}/studies`` per batch of files; the server's answer (DICOM JSON) names the
instances it refused.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

FAILED_SOP_SEQUENCE = "00081198"
REFERENCED_SOP_SEQUENCE = "00081199"
FAILURE_REASON = "00081197"
SOP_INSTANCE_UID = "00081155"


class StowError(RuntimeError):
    """The server refused a batch, or some of its instances."""


@dataclass(frozen=True, slots=True)
class StowResult:
    """What the server said it stored."""

    stored: int
    failed: tuple[str, ...]


def multipart_body(parts: Iterable[bytes], boundary: str) -> bytes:
    """Return a multipart/related body of ``application/dicom`` parts."""
    chunks: list[bytes] = []
    for part in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode()
        )
        chunks.append(part)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def _sequence(answer: dict[str, object], tag: str) -> list[dict[str, object]]:
    element = answer.get(tag)
    if not isinstance(element, dict):
        return []
    value = element.get("Value", [])
    return (
        [item for item in value if isinstance(item, dict)]
        if isinstance(value, list)
        else []
    )


def _uid(item: dict[str, object]) -> str:
    element = item.get(SOP_INSTANCE_UID)
    if isinstance(element, dict):
        value = element.get("Value")
        if isinstance(value, list) and value:
            return str(value[0])
    return "?"


def parse_answer(body: bytes) -> StowResult:
    """Read a STOW-RS answer (DICOM JSON): how many stored, which failed."""
    if not body.strip():
        return StowResult(0, ())
    answer = json.loads(body)
    if isinstance(answer, list):
        answer = answer[0] if answer else {}
    if not isinstance(answer, dict):
        return StowResult(0, ())
    stored = len(_sequence(answer, REFERENCED_SOP_SEQUENCE))
    failed = tuple(_uid(item) for item in _sequence(answer, FAILED_SOP_SEQUENCE))
    return StowResult(stored, failed)


def store(root: str, files: Sequence[Path], *, batch: int = 48) -> int:
    """POST ``files`` to ``{root}/studies`` in batches; return how many were stored.

    Raises
    ------
    StowError
        A request failed or the server refused an instance.
    """
    stored = 0
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        result = _post(f"{root}/studies", [path.read_bytes() for path in chunk])
        if result.failed:
            raise StowError(
                f"STOW-RS to {root}/studies refused {len(result.failed)} instance(s): "
                + ", ".join(result.failed[:5])
            )
        if result.stored != len(chunk):
            raise StowError(
                f"STOW-RS to {root}/studies stored {result.stored} of {len(chunk)} "
                f"instances (files {chunk[0].name} to {chunk[-1].name})"
            )
        stored += result.stored
    return stored


def _post(url: str, parts: list[bytes]) -> StowResult:
    boundary = f"respond-{uuid.uuid4().hex}"
    request = urllib.request.Request(
        url,
        data=multipart_body(parts, boundary),
        method="POST",
        headers={
            "Content-Type": (
                f'multipart/related; type="application/dicom"; boundary={boundary}'
            ),
            "Accept": "application/dicom+json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return parse_answer(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise StowError(f"STOW-RS to {url} failed: HTTP {exc.code} {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise StowError(f"STOW-RS to {url} failed: {exc}") from exc
