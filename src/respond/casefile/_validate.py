"""Check a case document against ``respond-case/1``.

Two steps. First the JSON Schema (``resources/schema/respond-case-1.schema.json``),
whose errors are reworded into plain messages. Then, only if the schema passes,
the cross-reference checks a schema cannot express (ids, roles, dates in order,
the baseline, merged lesions, sums). Every problem found is reported at once,
in document order, each with its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from respond.casefile._references import cross_references
from respond.casefile._schema_messages import schema_findings
from respond.casefile.errors import CaseFormatError, Problem

if TYPE_CHECKING:
    from respond.casefile._paths import _Found, _Path

__all__ = ["MAX_PROBLEMS", "validate_case"]

MAX_PROBLEMS: Final = 50
"""At most this many problems are listed; the rest are counted."""

_PLAIN_KEY: Final = re.compile(r"[A-Za-z0-9_+-]+\Z")


def validate_case(doc: object) -> None:
    """Check that a parsed case document follows ``respond-case/1``.

    Parameters
    ----------
    doc : object
        The parsed JSON document, as ``json.loads`` returns it; numbers may be
        ``int``, ``float`` or ``decimal.Decimal`` (``parse_float=Decimal``).

    Raises
    ------
    CaseFormatError
        If the document breaks the format. It lists every problem found, in
        document order, each with its JSON path (at most `MAX_PROBLEMS`; the
        rest are counted). Cross-reference checks run only once the document
        matches the JSON Schema.
    """
    found = schema_findings(doc)
    if not found:
        found = list(cross_references(doc))
    if found:
        raise _format_error(doc, found)


# --- the error -------------------------------------------------------------------


def _format_error(doc: object, found: list[_Found]) -> CaseFormatError:
    unique = list(dict.fromkeys(found))
    unique.sort(key=lambda item: _position(doc, item[0]))
    problems = [Problem(_format_path(path), text) for path, text in unique]
    shown = problems[:MAX_PROBLEMS]
    return CaseFormatError(shown, omitted=len(problems) - len(shown))


def _position(doc: object, path: _Path) -> tuple[int, ...]:
    """Sort key placing a path where it occurs in the document."""
    key = []
    node: object = doc
    for part in path:
        if isinstance(node, Mapping):
            keys = list(node)
            key.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            key.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            key.append(0)
            node = None
    return tuple(key)


def _format_path(path: _Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text or "(root)"
