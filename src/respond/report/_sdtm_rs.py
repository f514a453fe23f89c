"""SDTM RS (Disease Response): one row per response test per visit per criterion.

At every follow-up visit (the baseline has no response) and for each criterion
the engine computed (``RSCAT`` ``RECIST 1.1``, as in the CDISC pilot data, and
``mRECIST``), the tests of the pilot's ``rs_onco``:

- ``TRGRESP`` Target Response (CR, PR, SD, PD, NE), when there are targets;
- ``NTRGRESP`` Non-target Response (CR, NON-CR/NON-PD, PD, NE), when there are
  non-targets;
- ``NEWLPROG`` New Lesion Progression, when a new lesion was recorded:
  UNEQUIVOCAL when the criterion counts it as progression, EQUIVOCAL otherwise;
- ``OVRLRESP`` Overall Response, with ``RSLNKGRP`` linking it to the visit's TR
  rows (``TRLNKGRP``).

Every category is the engine's (:func:`respond.criteria.assess`), never derived
here. A back-dated progression keeps the category it replaced in ``REVFROM``
(a supplemental qualifier, SUPPRS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, cast

from respond.report._sdtm_common import EVALUATOR, Row, numbered, visits

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from respond.report._sdtm_common import Visit
    from respond.report.document import ReportData

__all__ = ["CATEGORIES", "RS_COLUMNS", "RS_TESTS", "rs_rows"]

RS_COLUMNS: Final = (
    "STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSLNKGRP", "RSTESTCD", "RSTEST",
    "RSCAT", "RSORRES", "RSSTRESC", "RSSTAT", "RSREASND", "RSEVAL", "RSEVALID",
    "VISITNUM", "VISIT", "RSDTC",
    # not an SDTM RS variable: a supplemental qualifier (SUPPRS, QNAM = column)
    "REVFROM",
)  # fmt: skip
"""RS columns: SDTMIG order, then respond's supplemental qualifier."""

CATEGORIES: Final = (("RECIST1.1", "RECIST 1.1"), ("mRECIST", "mRECIST"))
"""The assessment document's criterion key -> ``RSCAT``."""

RS_TESTS: Final = {
    "TRGRESP": "Target Response",
    "NTRGRESP": "Non-target Response",
    "NEWLPROG": "New Lesion Progression",
    "OVRLRESP": "Overall Response",
}
"""``RSTESTCD`` -> ``RSTEST``."""

_Doc = Mapping[str, object]


def _result(code: str, value: object) -> Row:
    row = {"RSTESTCD": code, "RSTEST": RS_TESTS[code]}
    if value is None:
        row.update(RSSTAT="NOT DONE", RSREASND="NOT ASSESSED")
    else:
        row.update(RSORRES=str(value), RSSTRESC=str(value))
    return row


def _new_lesion_result(block: _Doc, has_finding: bool) -> Row | None:
    counted = block.get("new_lesions")
    if counted is True:
        return _result("NEWLPROG", "UNEQUIVOCAL")
    if has_finding:
        return _result("NEWLPROG", "EQUIVOCAL")
    return None


def _criterion_rows(block: _Doc, visit: Visit) -> Iterator[Row]:
    for code, key in (("TRGRESP", "target"), ("NTRGRESP", "non_target")):
        if block.get(key) is not None:
            yield _result(code, block[key])
    has_finding = bool(visit.record.timepoint.new_lesions)
    new = _new_lesion_result(block, has_finding)
    if new is not None:
        yield new
    overall = _result("OVRLRESP", block.get("overall"))
    overall["RSLNKGRP"] = visit.link_group
    revised = block.get("revised_from")
    overall["REVFROM"] = "" if revised is None else str(revised)
    yield overall


def _subject_rows(report: ReportData) -> Iterator[Row]:
    read = report.read
    blocks = cast("Sequence[_Doc]", report.assessment["timepoints"])
    pairs = list(zip(visits(read), blocks, strict=True))[1:]
    for visit, timepoint in pairs:
        common = {
            "USUBJID": read.patient.id,
            "RSEVAL": EVALUATOR,
            "RSEVALID": read.reader or "",
            **visit.columns("RS"),
        }
        for key, category in CATEGORIES:
            block = cast("_Doc | None", timepoint.get(key))
            if block is None:
                continue
            for row in _criterion_rows(block, visit):
                yield {**common, "RSCAT": category, **row}


def rs_rows(reports: Iterable[ReportData], *, study_id: str) -> Iterator[Row]:
    """Return the RS rows of every report, ``RSSEQ`` numbered per subject.

    Parameters
    ----------
    reports
        The reports (read and the engine's assessment document of that read).
    study_id
        ``STUDYID`` of every row.
    """
    rows = (row for report in reports for row in _subject_rows(report))
    return numbered(rows, study_id=study_id, domain="RS")
