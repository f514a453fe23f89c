"""SDTM TR (Tumor/Lesion Results): one row per test per lesion per visit.

Tests, after the CDISC pilot data (``tr_onco_recist``, ``tr_onco``) and the
CDISC RECIST 1.1 supplement:

- ``LDIAM`` (Longest Diameter) of a non-nodal lesion, ``LPERP`` (Longest
  Perpendicular, the short axis) of a lymph node. The target's counted axis is
  written at every visit: ``TRSTRESN`` is the value the engine adds to the sum
  (:func:`respond.criteria.recist11.recist_value`), ``TRORRES`` what the reader
  recorded: a length, ``TOO SMALL TO MEASURE`` (standardised to 5 mm),
  ``0`` for a lesion gone, ``MERGED INTO T2`` (0 mm) or ``SPLIT: 6.0 + 4.5``
  (their sum). The other axis, when also measured, is a plain measurement.
- ``VLDIAM`` (sponsor-defined: Longest Diameter of Viable Tumor) of a liver
  target, the value mRECIST adds (:func:`respond.criteria.mrecist.viable_value`).
- ``SUMDIAM`` (RECIST 1.1) and ``SUMVDIAM`` (sponsor-defined, mRECIST) per
  visit: the engine's sums, ``TRGRPID`` TARGET and no ``TRLNKID``.
- ``TUMSTATE`` (Tumor State) of a non-target (PRESENT, ABSENT, UNEQUIVOCAL) and
  of a new lesion (EQUIVOCAL, UNEQUIVOCAL).
- ``VOLUME`` (sponsor-defined: Tumor Volume, mL) and ``ENHFRAC``
  (sponsor-defined: Enhancing Fraction, %, the share of the volume that
  enhances in the arterial phase) of a target measured by click-to-measure at
  that visit. Extra figures: neither criterion uses them, and a visit without
  them has no row (not NOT DONE).

A test without a result has ``TRSTAT`` NOT DONE and ``TRREASND`` (NOT
EVALUABLE: marked not evaluated; NOT RECORDED: nothing recorded at the visit;
NOT MEASURED: that length was not measured).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final, cast

from respond.criteria.categories import NonTargetStatus, Role, TargetStatus
from respond.criteria.mrecist import viable_value
from respond.criteria.recist11 import recist_value
from respond.report._sdtm_common import (
    EVALUATOR,
    MM,
    Row,
    Visit,
    is_number,
    method,
    number_text,
    numbered,
    visits,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from respond.criteria import LesionExtent
    from respond.criteria.model import (
        Lesion,
        NewLesion,
        NonTargetObservation,
        TargetMeasurement,
    )
    from respond.report.document import ReportData

__all__ = ["TESTS", "TR_COLUMNS", "tr_rows"]

TR_COLUMNS: Final = (
    "STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRGRPID", "TRLNKGRP", "TRLNKID",
    "TRTESTCD", "TRTEST", "TRORRES", "TRORRESU", "TRSTRESC", "TRSTRESN",
    "TRSTRESU", "TRSTAT", "TRREASND", "TRMETHOD", "TREVAL", "TREVALID",
    "VISITNUM", "VISIT", "TRDTC",
)  # fmt: skip
"""TR columns, in SDTMIG order."""

TESTS: Final = {
    "LDIAM": "Longest Diameter",
    "LPERP": "Longest Perpendicular",
    "VLDIAM": "Longest Diameter of Viable Tumor",
    "SUMDIAM": "Sum of Diameters",
    "SUMVDIAM": "Sum of Viable Tumor Diameters",
    "TUMSTATE": "Tumor State",
    "VOLUME": "Tumor Volume",
    "ENHFRAC": "Enhancing Fraction",
}
"""``TRTESTCD`` -> ``TRTEST``; VLDIAM, SUMVDIAM, VOLUME and ENHFRAC are
sponsor-defined."""
_TENTH: Final = Decimal("0.1")
ML: Final = "mL"
PERCENT: Final = "%"

TOO_SMALL: Final = "TOO SMALL TO MEASURE"
_STATE: Final = {
    NonTargetStatus.PRESENT: "PRESENT",
    NonTargetStatus.ABSENT: "ABSENT",
    NonTargetStatus.UNEQUIVOCAL_PROGRESSION: "UNEQUIVOCAL",
}
_SUMS: Final = (("RECIST1.1", "SUMDIAM"), ("mRECIST", "SUMVDIAM"))


def _test(code: str, lesion_id: str, group: str) -> Row:
    return {
        "TRGRPID": group,
        "TRLNKID": lesion_id,
        "TRTESTCD": code,
        "TRTEST": TESTS[code],
    }


def _length(code: str, lesion_id: str, group: str, observed: str, used: object) -> Row:
    """Return a length test: ``observed`` as recorded, ``used`` in mm."""
    row = _test(code, lesion_id, group)
    row.update(
        TRORRES=observed,
        TRORRESU=MM if is_number(observed) else "",
        TRSTRESC=number_text(used),
        TRSTRESN=number_text(used),
        TRSTRESU=MM,
    )
    return row


def _figure(code: str, lesion_id: str, value: Decimal, unit: str) -> Row:
    """Return an extra figure of a target (``VOLUME``, ``ENHFRAC``)."""
    row = _test(code, lesion_id, "TARGET")
    text = str(value)
    row.update(
        TRORRES=text,
        TRORRESU=unit,
        TRSTRESC=text,
        TRSTRESN=text,
        TRSTRESU=unit,
    )
    return row


def _extent_rows(lesion_id: str, extent: LesionExtent | None) -> Iterator[Row]:
    if extent is None:
        return
    yield _figure("VOLUME", lesion_id, extent.volume_ml, ML)
    if extent.enhancing_fraction is not None:
        percent = (extent.enhancing_fraction * 100).quantize(
            _TENTH, rounding=ROUND_HALF_UP
        )
        yield _figure("ENHFRAC", lesion_id, percent, PERCENT)


def _state(lesion_id: str, group: str, state: str) -> Row:
    row = _test("TUMSTATE", lesion_id, group)
    row.update(TRORRES=state, TRSTRESC=state)
    return row


def _not_done(code: str, lesion_id: str, group: str, reason: str) -> Row:
    row = _test(code, lesion_id, group)
    row.update(TRSTAT="NOT DONE", TRREASND=reason)
    return row


def _reason(status: TargetStatus | NonTargetStatus | None) -> str:
    if status is None:
        return "NOT RECORDED"
    if status in (TargetStatus.NOT_EVALUATED, NonTargetStatus.NOT_EVALUATED):
        return "NOT EVALUABLE"
    return "NOT MEASURED"


def _observed(m: TargetMeasurement, value: Decimal, *, viable: bool) -> str:
    """Return what the reader recorded of a target counting ``value``."""
    if m.status is TargetStatus.ABSENT:
        return "0"
    if viable and m.viable_mm is not None:
        return str(m.viable_mm)
    if m.status is TargetStatus.TOO_SMALL:
        return TOO_SMALL
    if m.merged_into is not None:
        return f"MERGED INTO {m.merged_into}"
    if m.fragments_mm and not viable:
        return "SPLIT: " + " + ".join(str(f) for f in m.fragments_mm)
    return str(value)


def _target_rows(lesion: Lesion, m: TargetMeasurement | None) -> Iterator[Row]:
    counted, other = ("LPERP", "LDIAM") if lesion.is_node else ("LDIAM", "LPERP")
    tests = [(counted, recist_value(lesion, m).value, False)]
    if lesion.is_liver:
        tests.append(("VLDIAM", viable_value(lesion, m).value, True))
    for code, value, viable in tests:
        if m is None or value is None:
            status = None if m is None else m.status
            yield _not_done(code, lesion.id, "TARGET", _reason(status))
        else:
            yield _length(
                code, lesion.id, "TARGET", _observed(m, value, viable=viable), value
            )
        if code == counted and m is not None and m.status is TargetStatus.MEASURED:
            extra = m.long_axis_mm if lesion.is_node else m.short_axis_mm
            if extra is not None and not m.fragments_mm and m.merged_into is None:
                yield _length(other, lesion.id, "TARGET", str(extra), extra)


def _non_target_rows(lesion: Lesion, o: NonTargetObservation | None) -> Iterator[Row]:
    state = None if o is None else _STATE.get(o.status)
    if state is None:
        yield _not_done(
            "TUMSTATE",
            lesion.id,
            "NON-TARGET",
            _reason(None if o is None else o.status),
        )
    else:
        yield _state(lesion.id, "NON-TARGET", state)
    if o is not None and o.short_axis_mm is not None:
        size = o.short_axis_mm
        yield _length("LPERP", lesion.id, "NON-TARGET", str(size), size)


def _new_rows(finding: NewLesion) -> Iterator[Row]:
    state = "EQUIVOCAL" if finding.equivocal else "UNEQUIVOCAL"
    yield _state(finding.id, "NEW", state)
    for code, size in (
        ("LDIAM", finding.long_axis_mm),
        ("LPERP", finding.short_axis_mm),
    ):
        if size is not None:
            yield _length(code, finding.id, "NEW", str(size), size)


def _sum_rows(block: Mapping[str, object], has_targets: bool) -> Iterator[Row]:
    for key, code in _SUMS:
        result = cast("Mapping[str, object] | None", block.get(key))
        if result is None or not has_targets:
            continue
        total = result.get("sum_mm")
        if total is None:
            yield _not_done(code, "", "TARGET", "NOT EVALUABLE")
        else:
            yield _length(code, "", "TARGET", number_text(total), total)


def _visit_rows(
    report: ReportData, visit: Visit, block: Mapping[str, object]
) -> Iterator[Row]:
    read, tp = report.read, visit.record
    targets = [lesion for lesion in read.lesions if lesion.role is Role.TARGET]
    for lesion in read.lesions:
        if lesion.role is Role.TARGET:
            yield from _target_rows(lesion, tp.target(lesion.id))
            yield from _extent_rows(lesion.id, tp.extents.get(lesion.id))
        else:
            yield from _non_target_rows(lesion, tp.non_target(lesion.id))
    yield from _sum_rows(block, bool(targets))
    for finding in tp.timepoint.new_lesions:
        yield from _new_rows(finding)


def _subject_rows(report: ReportData) -> Iterator[Row]:
    read = report.read
    blocks = cast("Sequence[Mapping[str, object]]", report.assessment["timepoints"])
    for visit, block in zip(visits(read, report.modalities), blocks, strict=True):
        common = {
            "USUBJID": read.patient.id,
            "TRLNKGRP": visit.link_group,
            "TRMETHOD": method(visit.modality),
            "TREVAL": EVALUATOR,
            "TREVALID": read.reader or "",
            **visit.columns("TR"),
        }
        for row in _visit_rows(report, visit, block):
            yield {**common, **row}


def tr_rows(reports: Iterable[ReportData], *, study_id: str) -> Iterator[Row]:
    """Return the TR rows of every report, ``TRSEQ`` numbered per subject.

    Parameters
    ----------
    reports
        The reports (read and the engine's assessment document of that read).
    study_id
        ``STUDYID`` of every row.
    """
    rows = (row for report in reports for row in _subject_rows(report))
    return numbered(rows, study_id=study_id, domain="TR")
