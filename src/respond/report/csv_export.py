"""CSV for trials: lesion measurements (CDISC TR/TU) and responses (CDISC RS).

Two tables, with column names after SDTM practice so a data manager can map
them without a key:

``lesions``: one row per lesion per time point. ``USUBJID``, ``VISIT``,
``VISITNUM``, ``TRDTC`` (imaging date), ``TRLNKID`` (lesion id, stable across
time points), ``TRLNKGRP`` (TARGET, NON-TARGET, NEW), ``TULOC`` (organ),
``TULAT`` (site detail), ``TUMTYPE`` (respond's lesion kind), ``TUNODE``
(Y/N), ``TRUID`` (the DICOM tracking UID), ``LDIAM``, ``SAXIS``, ``VLDIAM``
(longest, short-axis and viable-tumour diameters, mm; ``SAXIS`` also on a
non-target node whose short axis was measured), ``FRAGDIAM`` (fragment
diameters, mm, ``;``-separated), ``TRSTAT`` (target status: measured, too
small, disappeared, not evaluable, merged, split), ``TUMSTATE`` (non-target
status, new-lesion state), ``TREVAL`` (INDEPENDENT ASSESSOR), ``TREVALID``
(the reader).

``response``: one row per time point per criterion. ``RSCAT`` (RECIST 1.1,
mRECIST), ``SUMDIAM``, ``BLSUMDIA`` (baseline sum), ``NADIR``, ``PCBSD`` and
``PCNSD`` (per cent change from the baseline and the nadir sum), ``TRGRESP``,
``NTRGRESP``, ``NEWLPROG`` (Y/N), ``OVRLRESP``, ``REVFROM`` (the category a
back-dated progression replaced), ``BESTRESP`` (the best overall response, on
every row of the criterion), ``RSREASON`` (the engine's reasons, ``|``-joined).

Decimals are written as recorded (``40.0``), never through binary floating point.
The clinical status (dose level and form, adverse events) and the sorafenib
recommendation are not part of either table.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, so a label or an organ typed
as ``=HYPERLINK(...)`` would run on the data manager's computer (CSV
injection). Every text cell that starts with one of those characters (or their
full-width forms) gets a leading apostrophe, which spreadsheets read as "this
is text" (:func:`csv_cell`). Number columns (:data:`NUMBER_COLUMNS`) hold
numbers only and keep their sign: ``-12.5`` stays a number.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING, Final, cast

from respond.criteria.categories import Role
from respond.errors import RespondError
from respond.report._files import private_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path
    from typing import TextIO

    from respond.report.document import ReportData

__all__ = [
    "LESION_COLUMNS",
    "NUMBER_COLUMNS",
    "RESPONSE_COLUMNS",
    "CsvWriteError",
    "csv_cell",
    "response_csv_path",
    "write_csv_files",
    "write_lesions_csv",
    "write_response_csv",
]

LESION_COLUMNS = (
    "STUDYID", "USUBJID", "VISIT", "VISITNUM", "TRDTC", "TRLNKID", "TRLNKGRP",
    "TULOC", "TULAT", "TUMTYPE", "TUNODE", "TRUID", "LDIAM", "SAXIS", "VLDIAM",
    "FRAGDIAM", "TRORRESU", "TRSTAT", "TUMSTATE", "TREVAL", "TREVALID",
)  # fmt: skip
RESPONSE_COLUMNS = (
    "STUDYID", "USUBJID", "VISIT", "VISITNUM", "RSDTC", "RSCAT", "SUMDIAM",
    "BLSUMDIA", "NADIR", "PCBSD", "PCNSD", "TRGRESP", "NTRGRESP", "NEWLPROG",
    "OVRLRESP", "REVFROM", "BESTRESP", "RSREASON",
)  # fmt: skip
NUMBER_COLUMNS: Final = frozenset(
    {"VISITNUM", "LDIAM", "SAXIS", "VLDIAM", "FRAGDIAM", "SUMDIAM", "BLSUMDIA",
     "NADIR", "PCBSD", "PCNSD"}
)  # fmt: skip
"""Columns of numbers (``FRAGDIAM``: numbers joined by ``;``), never escaped."""
_NUMBER: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[Ee][+-]?[0-9]+)?")
_FORMULA_START: Final = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)
_CRITERIA = (("RECIST1.1", "RECIST 1.1"), ("mRECIST", "mRECIST"))
_Doc = dict[str, object]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _role_group(role: Role) -> str:
    return "TARGET" if role is Role.TARGET else "NON-TARGET"


def _lesion_rows(report: ReportData, study_id: str) -> Iterable[dict[str, str]]:
    read = report.read
    for number, tp in enumerate(read.timepoints, start=1):
        common = {
            "STUDYID": study_id,
            "USUBJID": read.patient.id,
            "VISIT": tp.label,
            "VISITNUM": str(number),
            "TRDTC": tp.date.isoformat(),
            "TRORRESU": "mm",
            "TREVAL": "INDEPENDENT ASSESSOR",
            "TREVALID": read.reader or "",
        }
        for lesion in read.lesions:
            row = dict(common)
            row.update(
                TRLNKID=lesion.id,
                TRLNKGRP=_role_group(lesion.role),
                TULOC=lesion.organ,
                TULAT=lesion.site,
                TUMTYPE=lesion.kind.value,
                TUNODE=_text(lesion.is_node),
                TRUID=read.tracking_uids.get(lesion.id, ""),
            )
            target = tp.target(lesion.id)
            if target is not None:
                row.update(
                    LDIAM=_text(target.long_axis_mm),
                    SAXIS=_text(target.short_axis_mm),
                    VLDIAM=_text(target.viable_mm),
                    FRAGDIAM=";".join(str(f) for f in target.fragments_mm),
                    TRSTAT=target.status.value.upper(),
                )
            observation = tp.non_target(lesion.id)
            if observation is not None:
                row["TUMSTATE"] = observation.status.value.upper()
                if observation.short_axis_mm is not None:
                    row["SAXIS"] = _text(observation.short_axis_mm)
            if target is None and observation is None:
                row["TRSTAT"] = "NOT RECORDED"
            yield row
        for finding in tp.timepoint.new_lesions:
            yield {
                **common,
                "TRLNKID": finding.id,
                "TRLNKGRP": "NEW",
                "TULOC": finding.organ,
                "TULAT": finding.site,
                "TUMTYPE": finding.kind.value,
                "TUNODE": _text(finding.is_node),
                "TRUID": tp.new_lesion_uids.get(finding.id, ""),
                "LDIAM": _text(finding.long_axis_mm),
                "SAXIS": _text(finding.short_axis_mm),
                "TUMSTATE": "EQUIVOCAL" if finding.equivocal else "UNEQUIVOCAL",
            }


def _response_rows(report: ReportData, study_id: str) -> Iterable[dict[str, str]]:
    doc = cast("_Doc", report.assessment)
    best = cast("Mapping[str, object]", doc.get("best_overall") or {})
    timepoints = cast("Sequence[_Doc]", doc["timepoints"])
    for key, category in _CRITERIA:
        for number, tp in enumerate(timepoints, start=1):
            block = cast("_Doc | None", tp.get(key))
            if block is None:
                continue
            reasons = cast("Sequence[Mapping[str, str]]", block.get("reasons") or ())
            yield {
                "STUDYID": study_id,
                "USUBJID": report.read.patient.id,
                "VISIT": str(tp["label"]),
                "VISITNUM": str(number),
                "RSDTC": str(tp["date"]),
                "RSCAT": category,
                "SUMDIAM": _text(block.get("sum_mm")),
                "BLSUMDIA": _text(block.get("baseline_sum_mm")),
                "NADIR": _text(block.get("nadir_mm")),
                "PCBSD": _text(block.get("change_from_baseline_pct")),
                "PCNSD": _text(block.get("change_from_nadir_pct")),
                "TRGRESP": _text(block.get("target")),
                "NTRGRESP": _text(block.get("non_target")),
                "NEWLPROG": _text(block.get("new_lesions")),
                "OVRLRESP": _text(block.get("overall")),
                "REVFROM": _text(block.get("revised_from")),
                "BESTRESP": _text(best.get(key)),
                "RSREASON": " | ".join(f"{r['rule']}: {r['text']}" for r in reasons),
            }


def csv_cell(column: str, value: str) -> str:
    """Return a cell as written: text that a spreadsheet would run is escaped.

    A number in a number column is left as it is (``-12.5``); any other cell
    starting with ``= + - @``, a tab or a carriage return (or the full-width
    forms U+FF1D, U+FF0B, U+FF0D, U+FF20) gets a leading apostrophe.
    """
    if column in NUMBER_COLUMNS and all(
        _NUMBER.fullmatch(part) for part in value.split(";")
    ):
        return value
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _write(
    out: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, str]]
) -> int:
    writer = csv.DictWriter(
        out, fieldnames=list(columns), restval="", lineterminator="\n"
    )
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: csv_cell(column, v) for column, v in row.items()})
        count += 1
    return count


def write_lesions_csv(
    reports: Iterable[ReportData], out: TextIO, *, study_id: str = ""
) -> int:
    """Write one row per lesion per time point for every report; return the rows."""
    return _write(
        out, LESION_COLUMNS, (row for r in reports for row in _lesion_rows(r, study_id))
    )


def write_response_csv(
    reports: Iterable[ReportData], out: TextIO, *, study_id: str = ""
) -> int:
    """Write one row per time point per criterion for every report; return the rows."""
    return _write(
        out,
        RESPONSE_COLUMNS,
        (row for r in reports for row in _response_rows(r, study_id)),
    )


class CsvWriteError(RespondError):
    """A CSV file could not be written where asked."""


def response_csv_path(path: Path) -> Path:
    """Return where the response table goes beside the lesion table."""
    return path.with_name(f"{path.stem}-response{path.suffix or '.csv'}")


def write_csv_files(
    reports: Sequence[ReportData], lesions: Path, *, study_id: str = ""
) -> tuple[tuple[Path, int], tuple[Path, int]]:
    """Write the lesions CSV and, beside it, the responses CSV.

    Each file is written whole or not at all (a temporary file renamed into
    place), readable by the user only (mode 0600).

    Returns
    -------
    tuple
        ``((lesions path, rows), (responses path, rows))``.

    Raises
    ------
    CsvWriteError
        A file could not be written (the message names it).
    """
    responses = response_csv_path(lesions)
    counts = []
    for path, write in ((lesions, write_lesions_csv), (responses, write_response_csv)):
        try:
            with private_text(path, newline="") as handle:
                counts.append(write(reports, handle, study_id=study_id))
        except OSError as exc:
            raise CsvWriteError(
                f"cannot write {path} ({exc.strerror or exc}); check the folder "
                "exists and is writable"
            ) from exc
    return (lesions, counts[0]), (responses, counts[1])
