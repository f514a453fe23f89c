"""CSV for trials: SDTM TU, TR and RS, as the CDISC pilot data lay them out.

``respond report --csv OUT.csv`` (and File > Export > CSV) writes three
long-format tables beside each other, named by their SDTM domain:

``OUT-tu.csv``
    TU, one row per lesion identified: ``TUTESTCD`` TUMIDENT, ``TUORRES``
    TARGET / NON-TARGET / NEW, ``TULNKID``, ``TULOC`` (:mod:`._sdtm_tu`).
``OUT-tr.csv``
    TR, one row per test per lesion per visit: LDIAM, LPERP, VLDIAM, SUMDIAM,
    SUMVDIAM, TUMSTATE; NOT DONE with a reason; VOLUME and ENHFRAC where
    click-to-measure measured them (:mod:`._sdtm_tr`).
``OUT-rs.csv``
    RS, one row per response test per follow-up visit per criterion:
    TRGRESP, NTRGRESP, NEWLPROG, OVRLRESP with ``RSCAT`` RECIST 1.1 or mRECIST
    (:mod:`._sdtm_rs`).

Every row has ``STUDYID`` (``--study-id``), ``DOMAIN``, ``USUBJID``, ``--SEQ``
(1, 2, ... per subject), ``VISITNUM``, ``VISIT`` and an ISO 8601 ``--DTC``.
Lengths are written as recorded (``40.0``), never through binary floating
point. The clinical status (dose, adverse events) and the sorafenib
recommendation are in none of the tables.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, so a label or an organ typed
as ``=HYPERLINK(...)`` would run on the data manager's computer (CSV
injection). Every text cell that starts with one of those characters (or their
full-width forms) gets a leading apostrophe, which spreadsheets read as "this
is text" (:func:`csv_cell`). Number columns (:data:`NUMBER_COLUMNS`) hold
numbers only and keep their sign.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

from respond.errors import RespondError
from respond.report._files import private_text
from respond.report._sdtm_common import is_number
from respond.report._sdtm_rs import RS_COLUMNS, rs_rows
from respond.report._sdtm_tr import TR_COLUMNS, tr_rows
from respond.report._sdtm_tu import TU_COLUMNS, tu_rows

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import TextIO

    from respond.report.document import ReportData

__all__ = [
    "NUMBER_COLUMNS",
    "RS_COLUMNS",
    "TR_COLUMNS",
    "TU_COLUMNS",
    "CsvFile",
    "CsvWriteError",
    "csv_cell",
    "sdtm_csv_paths",
    "write_csv_files",
    "write_rs_csv",
    "write_tr_csv",
    "write_tu_csv",
]

NUMBER_COLUMNS: Final = frozenset({"VISITNUM", "TUSEQ", "TRSEQ", "RSSEQ", "TRSTRESN"})
"""Columns of numbers, never escaped."""
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


def csv_cell(column: str, value: str) -> str:
    """Return a cell as written: text that a spreadsheet would run is escaped.

    A number in a number column is left as it is (``-12.5``); any other cell
    starting with ``= + - @``, a tab or a carriage return (or the full-width
    forms U+FF1D, U+FF0B, U+FF0D, U+FF20) gets a leading apostrophe.
    """
    if column in NUMBER_COLUMNS and is_number(value):
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


def write_tu_csv(
    reports: Iterable[ReportData], out: TextIO, *, study_id: str = ""
) -> int:
    """Write TU (one row per lesion identified) for every report; return the rows."""
    every = list(reports)
    modalities = {uid: m for report in every for uid, m in report.modalities.items()}
    rows = tu_rows(
        (report.read for report in every), study_id=study_id, modalities=modalities
    )
    return _write(out, TU_COLUMNS, rows)


def write_tr_csv(
    reports: Iterable[ReportData], out: TextIO, *, study_id: str = ""
) -> int:
    """Write TR (one row per test per lesion per visit); return the rows."""
    return _write(out, TR_COLUMNS, tr_rows(reports, study_id=study_id))


def write_rs_csv(
    reports: Iterable[ReportData], out: TextIO, *, study_id: str = ""
) -> int:
    """Write RS (one row per response test per visit per criterion); return the rows."""
    return _write(out, RS_COLUMNS, rs_rows(reports, study_id=study_id))


class CsvWriteError(RespondError):
    """A CSV file could not be written where asked."""


class CsvFile(NamedTuple):
    """One table written: its SDTM domain, where it went and how many rows."""

    domain: str
    path: Path
    rows: int


_WRITERS: Final = (("TU", write_tu_csv), ("TR", write_tr_csv), ("RS", write_rs_csv))


def sdtm_csv_paths(path: Path) -> dict[str, Path]:
    """Return where each table goes: ``OUT.csv`` -> ``OUT-tu.csv``, ``-tr``, ``-rs``."""
    suffix = path.suffix or ".csv"
    return {
        domain: path.with_name(f"{path.stem}-{domain.lower()}{suffix}")
        for domain, _ in _WRITERS
    }


def _tables(
    reports: Sequence[ReportData], path: Path, study_id: str
) -> Iterator[CsvFile]:
    paths = sdtm_csv_paths(path)
    for domain, write in _WRITERS:
        target = paths[domain]
        try:
            with private_text(target, newline="") as handle:
                rows = write(reports, handle, study_id=study_id)
        except OSError as exc:
            raise CsvWriteError(
                f"cannot write {target} ({exc.strerror or exc}); check the folder "
                "exists and is writable"
            ) from exc
        yield CsvFile(domain, target, rows)


def write_csv_files(
    reports: Sequence[ReportData], path: Path, *, study_id: str = ""
) -> tuple[CsvFile, ...]:
    """Write the TU, TR and RS tables beside ``path`` (see :func:`sdtm_csv_paths`).

    Each file is written whole or not at all (a temporary file renamed into
    place), readable by the user only (mode 0600).

    Parameters
    ----------
    reports
        The patients' reports, written in this order.
    path
        The name asked for: ``OUT.csv`` gives ``OUT-tu.csv``, ``OUT-tr.csv``
        and ``OUT-rs.csv``; ``OUT.csv`` itself is not written.
    study_id
        ``STUDYID`` of every row.

    Returns
    -------
    tuple of CsvFile
        TU, TR and RS, in that order.

    Raises
    ------
    CsvWriteError
        A file could not be written (the message names it).
    """
    return tuple(_tables(reports, Path(path), study_id))
