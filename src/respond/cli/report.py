"""``respond report``: the tumour-board PDF, DICOM SR and trial CSV of stored reads.

``respond report PATIENT_ID --pdf out.pdf --sr OUTDIR --csv out.csv`` writes any
of the three for one patient; ``respond report --all --csv out.csv`` writes the
CSV of every stored patient. ``--images DIR`` names the folders holding the
images the calipers were drawn on (key images, SR image references);
``--deidentify`` replaces name, ID and birth date by a pseudonym and shifts every
date by the same number of days (``--salt`` or ``RESPOND_DEID_SALT`` keeps the
pseudonym and shift stable across runs and sites).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from respond.errors import RespondError

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from respond.criteria.record import PatientRead
    from respond.report.document import ReportData
    from respond.report.images import ImageIndex

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
        help="write lesions per time point here and responses to OUT-response.csv",
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
        help="no name, ID or birth date; every date shifted by the same days",
    )
    report.add_argument(
        "--salt",
        help="site secret for the pseudonym and date shift (else RESPOND_DEID_SALT)",
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


def _write_csv(
    reports: list[ReportData], args: argparse.Namespace, out: TextIO
) -> None:
    from respond.report.csv_export import write_csv_files

    (lesions, count), (responses, rows) = write_csv_files(
        reports, Path(args.csv), study_id=args.study_id
    )
    out.write(f"wrote {lesions} ({count} lesion rows)\n")
    out.write(f"wrote {responses} ({rows} response rows)\n")


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
    out.write(f"wrote {written}\n")
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
        out.write(f"wrote {path}\n")


def _salt(args: argparse.Namespace, out: TextIO) -> str:
    salt = args.salt if args.salt is not None else os.environ.get("RESPOND_DEID_SALT")
    if salt or not args.deidentify:
        return salt or ""
    out.write(
        "note: no --salt or RESPOND_DEID_SALT: the pseudonym and date shift are "
        "random for this export (set a site salt to keep them stable)\n"
    )
    return secrets.token_hex(16)


def run_report(args: argparse.Namespace, out: TextIO) -> int:
    """Write the reports ``respond report`` was asked for; return the exit code."""
    from respond.cli.database import open_database
    from respond.criteria import CriteriaError
    from respond.report.document import build_report

    _check(args)
    salt = _salt(args, out)
    images = _images(args)
    with open_database(args) as store:
        ids = (
            [s.patient_id for s in store.list_patients()]
            if args.all
            else [args.patient_id]
        )
        reads = [store.load(patient_id) for patient_id in ids]
    reports = []
    for read in reads:
        try:
            reports.append(
                build_report(
                    read,
                    # only the PDF shows key images: the CSV and SR read no pixels
                    images=images if args.pdf else None,
                    deidentified=args.deidentify,
                    salt=salt,
                    extra_attributions=args.attribution,
                )
            )
        except CriteriaError as exc:
            if not args.all:
                raise
            out.write(f"skipped {read.patient.id}: {exc}\n")
    if args.csv:
        _write_csv(reports, args, out)
    if args.pdf:
        _write_pdf(reports[0], args.pdf, out)
    if args.sr:
        _write_sr(reads[0], images, args, salt, out)
    return 0
