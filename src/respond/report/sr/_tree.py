"""Small readers over an SR content tree held as pydicom datasets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydicom.dataset import Dataset

    from respond.report.sr.codes import Key


def _code(sequence: object) -> Key | None:
    if not sequence:
        return None
    item = sequence[0]  # type: ignore[index]
    return (str(item.CodingSchemeDesignator), str(item.CodeValue))


def concept(item: Dataset) -> Key | None:
    """Return the item's concept name."""
    return _code(item.get("ConceptNameCodeSequence"))


def meaning(item: Dataset) -> str:
    """Return the meaning of the item's concept name (for messages)."""
    sequence = item.get("ConceptNameCodeSequence")
    return str(sequence[0].CodeMeaning) if sequence else "(no concept name)"


def value_meaning(item: Dataset) -> str:
    """Return the meaning of a CODE item's value."""
    sequence = item.get("ConceptCodeSequence")
    return str(sequence[0].CodeMeaning) if sequence else ""


def children(item: Dataset) -> list[Dataset]:
    """Return the item's content items."""
    return list(item.get("ContentSequence", []))


def value_type(item: Dataset) -> str:
    """Return the item's value type (``CONTAINER``, ``NUM``, ...)."""
    return str(item.get("ValueType", ""))


def find(items: list[Dataset], name: Key, kind: str) -> Iterator[Dataset]:
    """Yield the items with this concept name and value type."""
    for item in items:
        if value_type(item) == kind and concept(item) == name:
            yield item


def first(items: list[Dataset], name: Key, kind: str) -> Dataset | None:
    """Return the first item with this concept name and value type."""
    return next(find(items, name, kind), None)


def code_value(item: Dataset) -> Key | None:
    """Return a CODE item's value."""
    return _code(item.get("ConceptCodeSequence"))


def text(item: Dataset) -> str:
    """Return a TEXT item's value."""
    return str(item.get("TextValue", ""))


def number(item: Dataset) -> tuple[Decimal, Key | None] | None:
    """Return a NUM item's value, as written, and its unit."""
    measured = item.get("MeasuredValueSequence")
    if not measured:
        return None
    raw = measured[0].get("NumericValue")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value, _code(measured[0].get("MeasurementUnitsCodeSequence"))
