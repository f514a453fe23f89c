"""The input limits of a case file, and step zero of the case check.

A case file may come from anywhere, so before its content is checked against
the schema, respond makes sure the document is something it can look at
safely: not nested too deeply, every number within what decimal arithmetic
handles, no key given twice, no text holding a lone surrogate. The JSON parser
hooks here leave a marker where a number cannot be read, so that the problem is
reported with its JSON path like every other one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from respond.casefile._paths import _Found, _Path

__all__ = [
    "MAX_CASE_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_VALUES",
    "content_findings",
    "id_problem",
    "json_hooks",
    "name_problem",
    "text_shape",
]

MAX_CASE_BYTES: Final = 10_000_000
"""A case file (or standard input) holds at most this many bytes (10 MB)."""

MAX_DEPTH: Final = 64
"""Arrays and objects nest at most this deep (a case needs 7 levels)."""

MAX_VALUES: Final = 50_000
"""A case file lists at most this many items in its arrays and objects together."""

MAX_DIGITS: Final = 25
"""A number has at most this many significant digits."""

MAX_EXPONENT: Final = 25
"""A number other than 0 is at least 1e-25 and less than 1e+25 in size."""

MAX_ID_LENGTH: Final = 64
"""An id (patient, lesion, new lesion) has at most this many characters."""

MAX_NAME_LENGTH: Final = 200
"""A person's name (patient, reader) has at most this many characters."""

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_NUMBER: Final = re.compile(r"-?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?)([0-9]*))?\Z")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS: Final = re.compile(r"[^\[\]{}]+")
_RANGES_DOC: Final = "each field's range is in docs/case-format.md"
_INT_BITS: Final = 83
"""An int of more bits is 1e25 or more in size (2 ** 83 < 1e25 < 2 ** 84)."""


# --- numbers ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefusedNumber:
    """A number in the JSON text that respond does not read, as written."""

    text: str
    reason: str


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def number_problem(text: str) -> str | None:
    """Say why a JSON number literal is beyond respond's limits, or None.

    The literal is checked as text, before any conversion, so that neither a
    huge exponent nor thousands of digits cost time or memory.
    """
    match = _NUMBER.match(text)
    if match is None:  # pragma: no cover - the JSON scanner passes numbers only
        return f"{_shown(text)} is not a number"
    whole, fraction, sign, exponent = match.groups()
    digits = (whole + (fraction or "")).lstrip("0")
    if len(digits) > MAX_DIGITS:
        return (
            f"the number {_shown(text)} has {len(digits)} significant digits; "
            f"respond reads at most {MAX_DIGITS}"
        )
    exponent = (exponent or "").lstrip("0")
    if len(exponent) > 6:
        return _out_of_range(text)
    power = int(sign + exponent) if exponent else 0
    if digits:
        leading = (
            len(whole) if whole.strip("0") else -(len(fraction or "") - len(digits))
        )
        # ``leading`` is where the first significant digit sits: 3 for 123,
        # 0 for 0.5, -2 for 0.005; the size is then about 10 ** (leading - 1).
        if not -MAX_EXPONENT <= power + leading - 1 < MAX_EXPONENT:
            return _out_of_range(text)
    elif not -MAX_EXPONENT <= power - len(fraction or "") < MAX_EXPONENT:
        return _out_of_range(text)
    return None


def _out_of_range(text: str) -> str:
    return (
        f"the number {_shown(text)} is out of range: respond reads numbers between "
        f"1e-{MAX_EXPONENT} and 1e+{MAX_EXPONENT} in size ({_RANGES_DOC})"
    )


def decimal_problem(value: Decimal) -> str | None:
    """Say why a Decimal is beyond respond's limits, or None (NaN is the schema's)."""
    if not value.is_finite():
        return None
    return number_problem(str(value))


def _parse_float(text: str) -> Decimal | RefusedNumber:
    problem = number_problem(text)
    return Decimal(text) if problem is None else RefusedNumber(text, problem)


def _parse_int(text: str) -> int | RefusedNumber:
    problem = number_problem(text)
    return int(text) if problem is None else RefusedNumber(text, problem)


def _parse_constant(text: str) -> RefusedNumber:
    return RefusedNumber(text, f"{text} is not a JSON number; write a number")


# --- objects -----------------------------------------------------------------------


class _RepeatedKeys(dict[str, object]):
    """A JSON object in which some key was given more than once."""

    repeated: dict[str, int]


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    doc = dict(pairs)
    if len(doc) == len(pairs):
        return doc
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    repeated = _RepeatedKeys(doc)
    repeated.repeated = {key: n for key, n in counts.items() if n > 1}
    return repeated


def json_hooks() -> dict[str, object]:
    """Return the keyword arguments for :func:`json.loads` that read a case file.

    Non-integer numbers become :class:`~decimal.Decimal` exactly as written;
    a number beyond the limits, ``NaN`` or ``Infinity`` becomes a marker that
    :func:`content_findings` reports; an object that repeats a key remembers
    which keys it repeated.
    """
    return {
        "parse_float": _parse_float,
        "parse_int": _parse_int,
        "parse_constant": _parse_constant,
        "object_pairs_hook": _object,
    }


def text_shape(text: str) -> tuple[int, int]:
    """Return how deep a JSON text nests and how many values it lists, unparsed.

    Returns
    -------
    tuple of int
        The depth of arrays and objects (an unclosed bracket counts as open)
        and the number of commas, which separate the items of arrays and
        objects; brackets and commas inside strings are not counted. The work is
        a few passes over the text in C: a 10 MB file takes well under a second.
    """
    # Drop escaped backslashes, then escaped quotes: what is left splits at the
    # quotes into outside (even) and inside (odd) parts of strings.
    plain = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(plain.split('"')[::2])
    brackets = _NOT_BRACKETS.sub("", outside)
    depth = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    return depth, outside.count(",")


# --- ids -----------------------------------------------------------------------------


def id_problem(text: str) -> str | None:
    r"""Say which rule an id breaks, or None (length is the schema's).

    An id is printable text, does not start with ``.`` and holds no path
    separator (``/`` or ``\\``), because ids name files and appear in reports.
    """
    if text.startswith("."):
        return 'must not start with "."'
    for char in text:
        if char in "/\\":
            return 'must not contain "/" or "\\" (ids name files)'
        if not char.isprintable():
            return (
                f"must hold printable characters only, found U+{ord(char):04X} "
                "(a control or invisible character)"
            )
    return None


def name_problem(text: str, limit: int = MAX_NAME_LENGTH) -> str | None:
    """Say why a name given on the command line cannot be recorded, or None.

    A name is at most `limit` characters of printable text (no control
    character, no lone surrogate from undecodable bytes).
    """
    if len(text) > limit:
        return f"must be at most {limit} characters long, got {len(text)} characters"
    for char in text:
        if not char.isprintable():
            return (
                f"must hold printable characters only, found U+{ord(char):04X} "
                "(a control or invisible character, or a byte that is not UTF-8)"
            )
    return None


# --- the walk ------------------------------------------------------------------------


def content_findings(doc: object) -> list[_Found]:
    """Check what must be safe before the schema looks at a document.

    Parameters
    ----------
    doc
        A parsed document (from :func:`json.loads` with :func:`json_hooks`, or
        built in memory).

    Returns
    -------
    list of tuple
        One ``(path, text)`` finding per problem, in document order: nesting
        deeper than `MAX_DEPTH`, numbers beyond the limits (or NaN), keys given
        twice, text holding a lone surrogate.
    """
    return list(_walk(doc))


def _walk(doc: object) -> Iterator[_Found]:
    if isinstance(doc, Mapping | list):
        yield from _container(doc, ())
    else:
        yield from _value_findings((), doc)


def _container(
    node: Mapping[object, object] | list[object], path: _Path
) -> Iterator[_Found]:
    if len(path) >= MAX_DEPTH:
        yield (
            path,
            (
                f"is nested more than {MAX_DEPTH} levels deep; respond reads at most "
                f"{MAX_DEPTH} levels of arrays and objects"
            ),
        )
        return
    if isinstance(node, Mapping):
        yield from _object_findings(path, node)
        items: Iterable[tuple[object, object]] = node.items()
    else:
        items = enumerate(node)
    for key, value in items:
        if isinstance(value, Mapping | list):
            yield from _container(value, (*path, _part(key)))
        elif isinstance(value, RefusedNumber | Decimal | int | str) and not (
            isinstance(value, str) and value.isascii()
        ):
            yield from _value_findings((*path, _part(key)), value)


def _part(key: object) -> str | int:
    return key if isinstance(key, str | int) else str(key)


def _object_findings(path: _Path, node: Mapping[object, object]) -> Iterator[_Found]:
    repeated = getattr(node, "repeated", {})
    for key in node:
        where = (*path, _part(key))
        if isinstance(key, str) and _SURROGATE.search(key):
            yield where, f"the key {_surrogate_text(key)}"
        if key in repeated:
            yield (
                where,
                (
                    f"the key {_quoted(key)} is given {repeated[key]} times in this "
                    "object; give it once (otherwise one value silently replaces the "
                    "other)"
                ),
            )


def _value_findings(path: _Path, node: object) -> Iterator[_Found]:
    if isinstance(node, RefusedNumber):
        yield path, node.reason
    elif isinstance(node, Decimal):
        problem = decimal_problem(node)
        if problem is not None:
            yield path, problem
    elif isinstance(node, int) and node.bit_length() > _INT_BITS:
        # built in memory: too large to be written out (or to be shown) at all
        yield (
            path,
            (
                f"the number is out of range: respond reads numbers between "
                f"1e-{MAX_EXPONENT} and 1e+{MAX_EXPONENT} in size ({_RANGES_DOC})"
            ),
        )
    elif isinstance(node, str) and not node.isascii() and _SURROGATE.search(node):
        yield path, _surrogate_text(node)


def _quoted(key: object) -> str:
    text = str(key)
    return json.dumps(text if len(text) <= 40 else text[:37] + "...")


def _surrogate_text(text: str) -> str:
    found = _SURROGATE.search(text)
    code = ord(found.group()) if found else 0
    return (
        f"holds a lone surrogate (\\u{code:04x}), which is not a character; "
        "write the text as UTF-8 characters"
    )
