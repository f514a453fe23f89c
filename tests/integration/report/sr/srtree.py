"""Walk a written SR: content items by concept, and every value of every element."""

from __future__ import annotations

from collections.abc import Iterator

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence


def items(node: Dataset) -> Iterator[Dataset]:
    """Every content item below ``node``, depth first."""
    for child in node.get("ContentSequence", []):
        yield child
        yield from items(child)


def named(node: Dataset, value: str, scheme: str) -> list[Dataset]:
    """Content items below ``node`` with this concept name."""
    return [
        item
        for item in items(node)
        if "ConceptNameCodeSequence" in item
        and item.ConceptNameCodeSequence[0].CodeValue == value
        and item.ConceptNameCodeSequence[0].CodingSchemeDesignator == scheme
    ]


def code_of(item: Dataset) -> tuple[str, str]:
    code = item.ConceptCodeSequence[0]
    return (code.CodingSchemeDesignator, code.CodeValue)


def all_values(ds: Dataset) -> Iterator[str]:
    """The text of every element value, in every nested sequence."""
    for element in ds.iterall():
        if isinstance(element.value, Sequence):
            continue
        if isinstance(element.value, bytes):
            yield element.value.decode("latin-1")
        else:
            yield str(element.value)
