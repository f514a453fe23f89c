"""Check a case document against ``respond-case/1``.

Three steps. First what must be safe before anything else looks at the document
(nesting depth, numbers within respond's limits, no key given twice, no lone
surrogate in text). Then the JSON Schema
(``resources/schema/respond-case-1.schema.json``), whose errors are reworded into
plain messages. Then, only if the schema passes, the cross-reference checks a
schema cannot express (ids, roles, dates in order, the baseline, merged lesions,
sums). Each step runs only when the one before found nothing. Every problem found
is reported at once, in document order, each with its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from respond.casefile._limits import content_findings
from respond.casefile._references import cross_references
from respond.casefile._schema_messages import schema_findings
from respond.casefile.errors import CaseFormatError, Problem

if TYPE_CHECKING:
    from respond.casefile._paths import _Found, _Path

__all__ = ["MAX_PROBLEMS", "format_error", "validate_case"]

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
        rest are counted). The schema is checked only once the document is
        safe to look at (see `respond.casefile._limits`), and the
        cross-reference checks run only once the document matches the schema.
    """
    found = content_findings(doc)
    if not found:
        found = schema_findings(doc)
    if not found:
        found = list(cross_references(doc))
    if found:
        raise format_error(doc, found)


# --- the error -------------------------------------------------------------------


def format_error(doc: object, found: list[_Found]) -> CaseFormatError:
    """Return the error listing `found` in document order, at most `MAX_PROBLEMS`."""
    unique = list(dict.fromkeys(found))
    places: dict[int, dict[object, int]] = {}
    unique.sort(key=lambda item: _position(doc, item[0], places))
    problems = [Problem(_format_path(path), text) for path, text in unique]
    shown = problems[:MAX_PROBLEMS]
    return CaseFormatError(shown, omitted=len(problems) - len(shown))


def _position(
    doc: object, path: _Path, places: dict[int, dict[object, int]]
) -> tuple[int, ...]:
    """Sort key placing a path where it occurs in the document.

    `places` caches each object's key positions, so that many problems in one
    large object are sorted in linear time.
    """
    key = []
    node: object = doc
    for part in path:
        if isinstance(node, Mapping):
            if id(node) not in places:
                places[id(node)] = {name: i for i, name in enumerate(node)}
            where = places[id(node)]
            key.append(where.get(part, len(where)))
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
            # printable keys as written; others escaped, so that the message can
            # always be printed and never carries a control character
            shown = part if len(part) <= 40 else part[:37] + "..."
            text += f"[{json.dumps(shown, ensure_ascii=not shown.isprintable())}]"
    return text or "(root)"
