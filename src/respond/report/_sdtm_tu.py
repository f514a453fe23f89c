"""SDTM TU (Tumor/Lesion Identification): one row per lesion identified.

A baseline target or non-target is identified at the baseline visit; a new
lesion at the first visit that records it (the same id later is the same
finding). ``TUTESTCD`` is ``TUMIDENT`` and ``TUORRES`` / ``TUSTRESC`` are
``TARGET``, ``NON-TARGET`` or ``NEW``, as in the CDISC pilot data
(``tu_onco_recist``). ``TULNKID`` is the lesion id, which every TR row of the
lesion carries as ``TRLNKID``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from respond.criteria.categories import Role
from respond.report._sdtm_common import (
    EVALUATOR,
    Row,
    method,
    numbered,
    upper,
    visits,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from respond.criteria.model import Lesion, NewLesion
    from respond.criteria.record import PatientRead
    from respond.report._sdtm_common import Visit

__all__ = ["TU_COLUMNS", "tu_rows"]

TU_COLUMNS: Final = (
    "STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TUREFID", "TULNKID", "TUTESTCD",
    "TUTEST", "TUORRES", "TUSTRESC", "TULOC", "TUMETHOD", "TUEVAL", "TUEVALID",
    "VISITNUM", "VISIT", "TUDTC",
    # not SDTM TU variables: supplemental qualifiers (SUPPTU, QNAM = column)
    "TULOCDTL", "TUKIND",
)  # fmt: skip
"""TU columns: SDTMIG order, then respond's supplemental qualifiers."""

_NODE: Final = "LYMPH NODE"


def _location(organ: str, site: str, *, is_node: bool) -> Row:
    """Return ``TULOC`` (upper case) and ``TULOCDTL`` (the detail as recorded).

    A lymph node is located ``LYMPH NODE`` (the pilot's and admiralonco's nodal
    test); its organ, when another, goes to the detail with the site.
    """
    organ = organ.strip()
    if not is_node:
        return {"TULOC": upper(organ), "TULOCDTL": site.strip()}
    detail = [organ] if organ and upper(organ) != _NODE else []
    detail += [site.strip()] if site.strip() else []
    return {"TULOC": _NODE, "TULOCDTL": ", ".join(detail)}


def _identified(read: PatientRead, visit: Visit, group: str, reference: str) -> Row:
    return {
        "USUBJID": read.patient.id,
        "TUREFID": reference,
        "TUTESTCD": "TUMIDENT",
        "TUTEST": "Tumor Identification",
        "TUORRES": group,
        "TUSTRESC": group,
        "TUMETHOD": method(visit.modality),
        "TUEVAL": EVALUATOR,
        "TUEVALID": read.reader or "",
        **visit.columns("TU"),
    }


def _baseline_row(read: PatientRead, visit: Visit, lesion: Lesion) -> Row:
    group = "TARGET" if lesion.role is Role.TARGET else "NON-TARGET"
    row = _identified(read, visit, group, read.tracking_uids.get(lesion.id, ""))
    row.update(
        TULNKID=lesion.id,
        TUKIND=upper(lesion.kind.value.replace("_", " ")),
        **_location(lesion.organ, lesion.site, is_node=lesion.is_node),
    )
    return row


def _new_row(read: PatientRead, visit: Visit, finding: NewLesion) -> Row:
    uid = visit.record.new_lesion_uids.get(finding.id, "")
    row = _identified(read, visit, "NEW", uid)
    row.update(
        TULNKID=finding.id,
        TUKIND=upper(finding.kind.value.replace("_", " ")),
        **_location(finding.organ, finding.site, is_node=finding.is_node),
    )
    return row


def _subject_rows(read: PatientRead, modalities: Mapping[str, str]) -> Iterator[Row]:
    every = visits(read, modalities)
    if not every:
        return
    for lesion in read.lesions:
        yield _baseline_row(read, every[0], lesion)
    seen: set[str] = set()
    for visit in every:
        for finding in visit.record.timepoint.new_lesions:
            if finding.id not in seen:
                seen.add(finding.id)
                yield _new_row(read, visit, finding)


def tu_rows(
    reads: Iterable[PatientRead],
    *,
    study_id: str,
    modalities: Mapping[str, str] | None = None,
) -> Iterator[Row]:
    """Return the TU rows of every read, ``TUSEQ`` numbered per subject.

    Parameters
    ----------
    reads
        The reads, in the order their rows are written.
    study_id
        ``STUDYID`` of every row.
    modalities
        Each time point's modality by time point UID (``TUMETHOD``).
    """
    known = modalities or {}
    rows = (row for read in reads for row in _subject_rows(read, known))
    return numbered(rows, study_id=study_id, domain="TU")
