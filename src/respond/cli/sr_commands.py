"""``respond import-sr``: store reads rebuilt from DICOM SR measurement reports.

``respond import-sr FILE... [--images DIR ...] [--db PATH] [--replace]
[--reader NAME]`` reads TID 1500 reports (one per time point, e.g. written by
``respond report --sr``), groups them by patient and stores each patient's read.
With ``--images`` the calipers come back from the reports' image coordinates;
without, only the lengths. A patient already stored is refused unless
``--replace``. Bad files exit 2 with a message naming the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.cli.database import (
    add_db_option,
    database_path,
    open_database,
    reader_name,
)
from respond.errors import RespondError

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

__all__ = ["PatientStoredError", "add_sr_commands", "run_import_sr"]


class PatientStoredError(RespondError):
    """A patient in the reports is already stored and ``--replace`` was not given."""


def add_sr_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``import-sr``."""
    imported = commands.add_parser(
        "import-sr",
        help="store the reads held in DICOM SR measurement reports (TID 1500)",
        description=(
            "Rebuild patients' reads from DICOM SR measurement reports, one per "
            "time point (as 'respond report --sr' writes them), and store them."
        ),
    )
    imported.add_argument("files", metavar="FILE", nargs="+", help="SR files")
    imported.add_argument(
        "--images",
        metavar="DIR",
        action="extend",
        nargs="+",
        default=[],
        help="folders holding the measured images (restores the calipers)",
    )
    imported.add_argument(
        "--replace",
        action="store_true",
        help="replace a patient with the same id (the old read stays in the audit)",
    )
    imported.add_argument("--reader", help="who imports (default: the login name)")
    add_db_option(imported)
    imported.set_defaults(handler=run_import_sr)


def run_import_sr(args: argparse.Namespace, out: TextIO) -> int:
    """Store the reads rebuilt from the SR files.

    Raises
    ------
    respond.report.sr.SRImportError
        A file is not a TID 1500 report respond can read.
    PatientStoredError
        A patient is already stored and ``--replace`` was not given.
    """
    from respond.report.images import ImageIndex
    from respond.report.sr import import_sr

    images = ImageIndex.from_folders(args.images) if args.images else None
    reads = import_sr(args.files, images)
    who = reader_name(args)
    path = database_path(args)
    with open_database(args) as store:
        stored = {summary.patient_id for summary in store.list_patients()}
        if not args.replace:
            # refuse before writing anything, so a batch is all or nothing
            for read in reads:
                if read.patient.id in stored:
                    raise PatientStoredError(
                        f"patient {read.patient.id} is already in {path}; pass "
                        "--replace to replace it (the old read stays in the audit)"
                    )
        for read in reads:
            if read.patient.id in stored:
                store.delete_patient(read.patient.id, who=who)
            store.create_patient(read, who=who)
    for read in reads:
        calipers = sum(
            len(drawn) for tp in read.timepoints for drawn in tp.calipers.values()
        )
        out.write(
            f"imported patient {read.patient.id}: {len(read.lesions)} lesions, "
            f"{len(read.timepoints)} time points, {calipers} calipers into {path}\n"
        )
    return 0
