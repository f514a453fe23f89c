"""Read case files, and assess a case document end to end."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from respond.casefile._limits import (
    MAX_CASE_BYTES,
    MAX_DEPTH,
    MAX_VALUES,
    json_hooks,
    text_shape,
)
from respond.casefile._reader import build_case
from respond.casefile._validate import validate_case
from respond.casefile._writer import assessment_document
from respond.casefile.errors import CaseFormatError, CaseReadError, Problem
from respond.criteria import CriteriaError, assess

if TYPE_CHECKING:
    from collections.abc import Mapping

    from respond.casefile._writer import JsonValue
    from respond.criteria import Case


def parse_case_text(text: str, source: str = "case") -> object:
    """Parse JSON text, keeping every number exactly as written.

    Parameters
    ----------
    text
        The JSON text.
    source
        Name of the file or stream, for the message.

    Returns
    -------
    object
        The document; non-integer numbers are :class:`~decimal.Decimal`. A
        number beyond respond's limits, ``NaN``, a repeated key or a lone
        surrogate is left for :func:`~respond.casefile.validate_case` to
        report with its JSON path.

    Raises
    ------
    CaseReadError
        The text is not JSON (the message gives line and column), nests
        arrays and objects deeper than `MAX_DEPTH` levels or lists more than
        `MAX_VALUES` values.
    """
    depth, commas = text_shape(text)
    if depth > MAX_DEPTH:
        raise CaseReadError(source, _too_deep(f"{depth} levels"))
    if commas >= MAX_VALUES:
        raise CaseReadError(
            source,
            f"lists more than {MAX_VALUES:,} values in its arrays and objects; "
            f"respond reads at most {MAX_VALUES:,} (a case file has a few thousand)",
        )
    try:
        return json.loads(text, **json_hooks())  # type: ignore[arg-type]
    except json.JSONDecodeError as exc:
        raise CaseReadError(
            source,
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "fix the file there",
        ) from exc
    except RecursionError as exc:  # the scan above should make this unreachable
        raise CaseReadError(source, _too_deep("too many levels")) from exc
    except ValueError as exc:
        raise CaseReadError(source, f"{exc}; write a number") from exc


def _too_deep(depth: str) -> str:
    return (
        f"arrays and objects are nested {depth} deep; respond reads at most "
        f"{MAX_DEPTH} levels (a case file needs about 7)"
    )


def _too_large(size: str) -> str:
    return (
        f"is larger than the {MAX_CASE_BYTES // 1_000_000} MB limit of a case file "
        f"({size}); give a respond-case/1 file"
    )


def _decode(data: bytes, source: str | Path) -> str:
    if len(data) > MAX_CASE_BYTES:
        raise CaseReadError(source, _too_large(f"more than {MAX_CASE_BYTES} bytes"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseReadError(
            source, f"not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON"
        ) from exc


_KINDS: Final = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _check_regular(file: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise CaseReadError(file, "is a folder; give a case file (.json)")
    if not stat.S_ISREG(info.st_mode):
        raise CaseReadError(
            file,
            f"is {_kind(info.st_mode)}, not a regular file; respond reads case "
            "files only from regular files",
        )
    if info.st_size > MAX_CASE_BYTES:
        raise CaseReadError(file, _too_large(f"{info.st_size} bytes"))
    if info.st_size == 0:
        raise CaseReadError(
            file,
            "is empty (0 bytes; special files such as those under /proc also "
            "report 0); give a respond-case/1 file",
        )


def _read_bytes(file: Path) -> bytes:
    """Read a regular file of at most `MAX_CASE_BYTES`, never blocking.

    The file is checked before it is opened (a FIFO or a device is never
    opened), opened without blocking and checked again, and at most one byte
    more than the limit is read.
    """
    try:
        _check_regular(file, file.stat())
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(file, flags | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise CaseReadError(file, "no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise CaseReadError(file, "is a folder; give a case file (.json)") from exc
    except OSError as exc:
        raise CaseReadError(
            file, f"cannot be read ({exc.strerror or exc}); check its permissions"
        ) from exc
    with os.fdopen(descriptor, "rb") as stream:
        try:
            _check_regular(file, os.fstat(descriptor))
            return stream.read(MAX_CASE_BYTES + 1)
        except OSError as exc:
            raise CaseReadError(
                file, f"cannot be read ({exc.strerror or exc}); check its permissions"
            ) from exc


def read_case_file(path: str | Path) -> object:
    """Read a case file's JSON.

    Only a regular file is read (not a folder, FIFO, device or socket, nor a
    link to one), of at most `MAX_CASE_BYTES` bytes: reading never blocks and
    never exhausts memory.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    object
        The parsed document (not yet validated).

    Raises
    ------
    CaseReadError
        The file is missing, not a regular file, empty, too large, unreadable,
        not UTF-8 or not JSON.
    """
    file = Path(path)
    return parse_case_text(_decode(_read_bytes(file), file), str(file))


def read_case_stream(stream: IO[bytes] | IO[str], source: str = "<stdin>") -> object:
    """Read a case from a stream (standard input), at most `MAX_CASE_BYTES`.

    Parameters
    ----------
    stream
        A binary or text stream; a text stream with a binary ``buffer`` (such as
        ``sys.stdin``) is read through the buffer.
    source
        Name of the stream, for the message.

    Returns
    -------
    object
        The parsed document (not yet validated).

    Raises
    ------
    CaseReadError
        More than `MAX_CASE_BYTES` bytes, not UTF-8, or not JSON.
    """
    raw = getattr(stream, "buffer", stream)
    try:
        data = raw.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise CaseReadError(source, f"cannot be read ({exc.strerror or exc})") from exc
    if isinstance(data, str):
        if len(data) > MAX_CASE_BYTES:
            raise CaseReadError(source, _too_large(f"more than {MAX_CASE_BYTES} bytes"))
        text = data
    else:
        text = _decode(data, source)
    return parse_case_text(text, source)


def load_case(doc: object) -> Case:
    """Validate a document and build the engine's case from it.

    Parameters
    ----------
    doc
        A parsed ``respond-case/1`` document.

    Returns
    -------
    Case
        The case.

    Raises
    ------
    CaseFormatError
        The document breaks the format; every problem is named by its JSON path.
    """
    validate_case(doc)
    try:
        return build_case(doc)  # type: ignore[arg-type]
    except CriteriaError as exc:
        raise CaseFormatError((Problem("(root)", str(exc)),)) from exc


def assess_case_document(doc: Mapping[str, object] | object) -> dict[str, JsonValue]:
    """Assess a ``respond-case/1`` document and return ``respond-assessment/1``.

    Parameters
    ----------
    doc
        The parsed case (numbers may be int, float or Decimal).

    Returns
    -------
    dict
        The assessment document, JSON-ready.

    Raises
    ------
    CaseFormatError
        The document breaks the format.
    """
    return assessment_document(assess(load_case(doc)))
