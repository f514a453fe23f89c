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


CALIPER = "Cornerstone3DTools@^0.1.0:Length:"
"""The tracking identifier of a caliper's group, less the lesion id."""


def identifier(group: Dataset) -> str:
    """A measurement group's tracking identifier."""
    (ident,) = [
        item
        for item in group.ContentSequence
        if item.ConceptNameCodeSequence[0].CodeValue == "112039"
    ]
    return str(ident.TextValue)


def tracking_uid(group: Dataset) -> str:
    """A measurement group's tracking UID."""
    (uid,) = [
        item
        for item in group.ContentSequence
        if item.ConceptNameCodeSequence[0].CodeValue == "112040"
    ]
    return str(uid.UID)


def container(root: Dataset, value: str, scheme: str) -> Dataset | None:
    """The report's container with this concept name, if any."""
    return next(
        (
            item
            for item in root.ContentSequence
            if item.ValueType == "CONTAINER"
            and (
                item.ConceptNameCodeSequence[0].CodingSchemeDesignator,
                item.ConceptNameCodeSequence[0].CodeValue,
            )
            == (scheme, value)
        ),
        None,
    )


def caliper_groups(root: Dataset) -> list[Dataset]:
    """The groups in "Imaging Measurements" (one per caliper)."""
    drawn = container(root, "126010", "DCM")
    return [] if drawn is None else named(drawn, "125007", "DCM")


def lesion_groups(root: Dataset) -> list[Dataset]:
    """The lesion groups (tracked by the lesion id), wherever they are."""
    return [g for g in named(root, "125007", "DCM") if CALIPER not in identifier(g)]
