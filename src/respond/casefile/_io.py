"""Read case files, and assess a case document end to end."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

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
        The document; non-integer numbers are :class:`~decimal.Decimal`.

    Raises
    ------
    CaseReadError
        The text is not JSON; the message gives line and column.
    """

    def _constant(name: str) -> object:
        raise ValueError(f"{name} is not a JSON number")

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise CaseReadError(
            source,
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "fix the file there",
        ) from exc
    except ValueError as exc:
        raise CaseReadError(source, f"{exc}; write a number") from exc


def read_case_file(path: str | Path) -> object:
    """Read a case file's JSON.

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
        The file is missing, unreadable, not UTF-8 or not JSON.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CaseReadError(file, "no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise CaseReadError(file, "is a folder; give a case file (.json)") from exc
    except UnicodeDecodeError as exc:
        raise CaseReadError(
            file, f"not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON"
        ) from exc
    except OSError as exc:
        raise CaseReadError(
            file, f"cannot be read ({exc.strerror}); check its permissions"
        ) from exc
    return parse_case_text(text, str(file))


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
