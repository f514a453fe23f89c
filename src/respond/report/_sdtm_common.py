"""What the SDTM TU, TR and RS tables share: visits, evaluator, numbers, --SEQ.

Every table is a list of rows (column name -> text). A visit is a time point of
the read: ``VISITNUM`` 1 is the baseline, then 2, 3, ... in date order, and
``VISIT`` is the time point's label as recorded. Lengths are written as the
:class:`decimal.Decimal` recorded (``40.0``); sums and categories come from the
engine's assessment document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from respond.criteria.record import TimePointRecord

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from respond.criteria.record import PatientRead

__all__ = [
    "EVALUATOR",
    "MM",
    "Row",
    "Visit",
    "is_number",
    "method",
    "number_text",
    "numbered",
    "upper",
    "visits",
]

Row = dict[str, str]
"""One row of a table: column name -> cell text (unescaped)."""

EVALUATOR: Final = "INDEPENDENT ASSESSOR"
"""``--EVAL``: the reader of respond reads the images, not the investigator's form."""
_NUMBER: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[Ee][+-]?[0-9]+)?")
MM: Final = "mm"
"""``--ORRESU`` / ``--STRESU`` of every length (CDISC UNIT term)."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One time point of a read as an SDTM visit.

    Parameters
    ----------
    number
        ``VISITNUM``: 1 for the baseline, then 2, 3, ...
    record
        The time point as read.
    modality
        The DICOM Modality of its images (``CT``, ``MR``), empty when unknown.
    """

    number: int
    record: TimePointRecord
    modality: str = ""

    @property
    def name(self) -> str:
        """``VISIT``: the time point's label as recorded."""
        return self.record.label

    @property
    def date(self) -> str:
        """``--DTC``: the imaging date, ISO 8601 (``2024-03-04``)."""
        return self.record.date.isoformat()

    @property
    def link_group(self) -> str:
        """``TRLNKGRP`` / ``RSLNKGRP``: ties a visit's results to its response."""
        return f"A{self.number}"

    def columns(self, domain: str) -> Row:
        """Return ``VISITNUM``, ``VISIT`` and ``<domain>DTC`` of this visit."""
        return {
            "VISITNUM": str(self.number),
            "VISIT": self.name,
            f"{domain}DTC": self.date,
        }


def visits(
    read: PatientRead, modalities: Mapping[str, str] | None = None
) -> tuple[Visit, ...]:
    """Return the read's time points as visits, baseline first.

    ``modalities`` gives each time point's modality by time point UID.
    """
    known = modalities or {}
    return tuple(
        Visit(number, record, known.get(record.uid, ""))
        for number, record in enumerate(read.timepoints, 1)
    )


_METHODS: Final = {
    "CT": "CT SCAN",
    "MR": "MRI",
    "PT": "PET SCAN",
    "US": "ULTRASOUND",
    "CR": "X-RAY",
    "DX": "X-RAY",
}


def method(modality: str) -> str:
    """Return ``--METHOD`` (CDISC METHOD codelist) of a DICOM Modality, or empty."""
    return _METHODS.get(modality.strip().upper(), "")


def number_text(value: object) -> str:
    """Return a number as written: a Decimal as recorded, a float by its repr.

    A ``Decimal`` keeps its digits (``40.0`` stays ``40.0``). A float (the
    assessment document's sums) is written by its shortest round-trip form,
    which is the engine's exact decimal for any length recorded to 15 digits.
    ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a flag is not a number")
    if isinstance(value, (Decimal, int)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise TypeError(f"not a number: {value!r}")


def is_number(text: str) -> bool:
    """Whether a cell is a plain decimal number (``40.0``, ``-12.5``, ``5``)."""
    return _NUMBER.fullmatch(text) is not None


def upper(value: str) -> str:
    """Return a term in upper case, with surrounding spaces removed."""
    return value.strip().upper()


def numbered(rows: Iterable[Row], *, study_id: str, domain: str) -> Iterator[Row]:
    """Add ``STUDYID``, ``DOMAIN`` and ``<domain>SEQ`` (1, 2, ... per subject).

    The rows keep the order they come in, so the sequence follows the visits
    and, within a visit, the lesions in the read's order.
    """
    counters: dict[str, int] = {}
    for row in rows:
        subject = row["USUBJID"]
        counters[subject] = counters.get(subject, 0) + 1
        yield {
            "STUDYID": study_id,
            "DOMAIN": domain,
            f"{domain}SEQ": str(counters[subject]),
            **row,
        }
