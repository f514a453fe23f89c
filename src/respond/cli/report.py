"""``respond report``: the tumour-board PDF, DICOM SR and trial CSV of stored reads.

``respond report PATIENT_ID --pdf out.pdf --sr OUTDIR --csv out.csv`` writes any
of the three for one patient; ``respond report --all --csv out.csv`` writes the
CSV of every stored patient. ``--images DIR`` names the folders holding the
images the calipers were drawn on (key images, SR image references);
``--deidentify`` writes no identifying value (pseudonym, every date shifted by
the same number of days, controlled labels, organs and sites, no free text,
replaced UIDs; see :mod:`respond.report.deid`). The salt behind the pseudonym,
shift and UIDs comes from ``--salt``, else ``RESPOND_DEID_SALT``, else the salt
file beside the database (made on first use), so repeated exports of a patient
agree. Files written are readable by the user only (0600).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from respond.errors import RespondError
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import TextIO

    from respond.criteria.record import PatientRead
    from respond.report.document import ReportData
    from respond.report.images import ImageIndex
    from respond.session.ports import ImageCatalog

__all__ = ["ReportOptionsError", "add_report_command"]


class ReportOptionsError(RespondError):
    """The options of ``respond report`` do not say what to write, or contradict."""


def add_report_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``report``."""
    from respond.cli.database import add_db_option

    report = commands.add_parser(
        "report",
        help="write a stored patient's PDF report, DICOM SR or CSV",
        description=(
            "Write the tumour-board PDF (--pdf), one DICOM SR (TID 1500) per time "
            "point (--sr) and the trial CSV (--csv) of a stored patient; --all "
            "writes the CSV of every patient."
        ),
    )
    report.add_argument("patient_id", metavar="PATIENT_ID", nargs="?")
    report.add_argument("--all", action="store_true", help="every stored patient (CSV)")
    report.add_argument("--pdf", metavar="OUT.pdf", help="write the PDF report here")
    report.add_argument("--sr", metavar="OUTDIR", help="write the DICOM SR files here")
    report.add_argument(
        "--csv",
        metavar="OUT.csv",
        help=(
            "write SDTM TU, TR and RS tables beside OUT.csv: OUT-tu.csv, "
            "OUT-tr.csv and OUT-rs.csv"
        ),
    )
    report.add_argument(
        "--images",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder with the images the calipers were drawn on (repeatable)",
    )
    report.add_argument(
        "--deidentify",
        action="store_true",
        help="no identifying value: pseudonym, shifted dates, controlled labels, "
        "organs and sites, no free text, replaced UIDs",
    )
    report.add_argument(
        "--salt",
        help="site secret for the pseudonym, date shift and UIDs (else "
        "RESPOND_DEID_SALT, else the salt file beside the database)",
    )
    report.add_argument("--study-id", default="", help="STUDYID column of the CSV")
    report.add_argument(
        "--attribution",
        action="append",
        default=[],
        help="an attribution text to print in the PDF (repeatable)",
    )
    add_db_option(report)
    report.set_defaults(handler=run_report)


def _check(args: argparse.Namespace) -> None:
    if not (args.pdf or args.sr or args.csv):
        raise ReportOptionsError(
            "report: say what to write: --pdf OUT.pdf, --sr OUTDIR and/or --csv OUT.csv"
        )
    if args.all and args.patient_id:
        raise ReportOptionsError("report: give a PATIENT_ID or --all, not both")
    if not args.all and not args.patient_id:
        raise ReportOptionsError("report: give the PATIENT_ID (see 'respond patients')")
    if args.all and (args.pdf or args.sr):
        raise ReportOptionsError(
            "report: --all writes the CSV only; "
            "write PDFs and SRs one patient at a time"
        )


def _images(args: argparse.Namespace) -> ImageIndex:
    from respond.report.images import ImageIndex

    if not args.images:
        return ImageIndex.empty()
    return ImageIndex.from_folders(args.images)


def _indexed_folders(store: ImageCatalog, reads: Sequence[PatientRead]) -> list[str]:
    """Return the folders where the database's image index found the reads' studies."""
    folders: dict[str, None] = {}
    for read in reads:
        for record in read.timepoints:
            if record.study_uid:
                for image in store.study_images(record.study_uid):
                    folders.setdefault(os.path.dirname(image.path), None)
    return list(folders)


def _images_of(
    args: argparse.Namespace, read: PatientRead, folders: Sequence[str]
) -> ImageIndex:
    """``--images`` when given; else the indexed folders of the read's studies."""
    from respond.report.images import ImageIndex

    if args.images:
        return _images(args)
    return ImageIndex.for_read(read, folders=[f for f in folders if os.path.isdir(f)])


def _write_csv(
    reports: list[ReportData], args: argparse.Namespace, out: TextIO
) -> None:
    from respond.report.csv_export import write_csv_files

    for table in write_csv_files(reports, Path(args.csv), study_id=args.study_id):
        out.write(
            f"wrote {terminal_text(table.path)} ({table.rows} {table.domain} rows)\n"
        )


def _write_pdf(report: ReportData, path: str, out: TextIO) -> None:
    try:
        from respond.pdf import write_pdf
    except ImportError as exc:
        raise ReportOptionsError(
            "report: the PDF needs Qt (PySide6), which is not installed here; "
            "install respond with its desktop dependencies"
        ) from exc
    written = write_pdf(report, path)
    missing = sum(1 for key in report.key_images if key.pixels is None)
    out.write(f"wrote {terminal_text(written)}\n")
    if missing:
        out.write(
            f"note: {missing} of {len(report.key_images)} key images are not shown "
            "(their cells say why; pass --images with the series folders)\n"
        )


def _write_sr(
    read: PatientRead,
    images: ImageIndex,
    args: argparse.Namespace,
    salt: str,
    out: TextIO,
) -> None:
    from respond.report.sr import write_sr

    folder = Path(args.sr)
    # write_sr makes the folder once every document is built. It de-identifies
    # the stored read itself (the same salt gives the PDF's and CSV's pseudonym
    # and shift) and marks the files as de-identified.
    paths = write_sr(read, images, folder, deidentified=args.deidentify, salt=salt)
    for path in paths:
        out.write(f"wrote {terminal_text(path)}\n")


def _salt(args: argparse.Namespace, out: TextIO) -> str:
    """Return the salt: ``--salt``, ``RESPOND_DEID_SALT``, else the stored one.

    Raises
    ------
    respond.report.deid.DamagedSaltError
        The salt file holds something else.
    """
    from respond.cli.database import database_path
    from respond.report.deid import salt_path, stored_salt

    salt = args.salt if args.salt is not None else os.environ.get("RESPOND_DEID_SALT")
    if salt or not args.deidentify:
        return salt or ""
    path = salt_path(database_path(args))
    shown = terminal_text(path)
    try:
        salt, made = stored_salt(path)
    except OSError as exc:
        out.write(
            f"note: no --salt or RESPOND_DEID_SALT, and the salt file {shown} "
            f"cannot be read or made ({exc.strerror or exc}): the pseudonym, date "
            "shift and UIDs are random for this export (set a site salt to keep "
            "them stable)\n"
        )
        return secrets.token_hex(32)
    if made:
        out.write(
            f"note: made the de-identification salt {shown}; keep it as private "
            "as the database, and keep it: with it every export gives a patient "
            "the same pseudonym, date shift and UIDs\n"
        )
    return salt


def run_report(args: argparse.Namespace, out: TextIO) -> int:
    """Write the reports ``respond report`` was asked for; return the exit code."""
    from respond.cli.database import (
        UNASSESSABLE,
        PatientsLeftOutError,
        UnreadablePatientError,
        load_readable,
        open_database,
    )
    from respond.criteria import CriteriaError
    from respond.report.document import build_report

    _check(args)
    with open_database(args, read_only=True) as store:
        ids = (
            [s.patient_id for s in store.list_patients()]
            if args.all
            else [args.patient_id]
        )
        if args.all:
            # one unreadable patient never hides the others: named at the end
            reads, left_out = load_readable(store, ids)
        else:
            reads, left_out = [store.load(args.patient_id)], []
        folders = [] if args.images else _indexed_folders(store, reads)
    salt = _salt(args, out)
    reports = []
    images = _images(args) if args.images else None
    for read in reads:
        try:
            reports.append(
                build_report(
                    read,
                    images=images
                    if images is not None
                    else _images_of(args, read, folders),
                    # only the PDF shows key images: the CSV and SR read no pixels
                    with_key_images=bool(args.pdf),
                    deidentified=args.deidentify,
                    salt=salt,
                    extra_attributions=args.attribution,
                )
            )
        except CriteriaError as exc:
            if not args.all:
                raise
            out.write(terminal_text(f"skipped {read.patient.id}: {exc}") + "\n")
        except UNASSESSABLE as exc:
            left = UnreadablePatientError(read.patient.id, exc)
            if not args.all:
                raise left from exc
            left_out.append(left)
    if args.csv:
        _write_csv(reports, args, out)
    if args.pdf:
        _write_pdf(reports[0], args.pdf, out)
    if args.sr:
        index = images if images is not None else _images_of(args, reads[0], folders)
        _write_sr(reads[0], index, args, salt, out)
    if left_out:
        raise PatientsLeftOutError(left_out, len(reports), "the CSV")
    return 0
