"""``respond import-sr``: store reads rebuilt from DICOM SR measurement reports.

``respond import-sr FILE... [--images DIR]... [--db PATH] [--replace]
[--reader NAME]`` reads TID 1500 reports (one per time point, e.g. written by
``respond report --sr``), groups them by patient and stores each patient's read.
With ``--images`` (repeatable) the calipers come back from the reports' image
coordinates; without, only the lengths, and the command says how many calipers
were left behind. Every file is read and every read checked before anything is
stored; a patient already stored is refused unless ``--replace``. Bad files exit
2 with a message naming the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.cli.database import (
    add_db_option,
    database_path,
    open_database,
    reader_name,
)
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from respond.criteria import PatientRead
    from respond.store import SqliteStore

__all__ = ["add_sr_commands", "run_import_sr"]


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
        action="append",
        default=[],
        help="a folder holding the measured images, to restore the calipers "
        "(repeatable)",
    )
    imported.add_argument(
        "--replace",
        action="store_true",
        help="replace a patient with the same id (the old read stays in the audit)",
    )
    imported.add_argument("--reader", help="who imports (default: the login name)")
    add_db_option(imported)
    imported.set_defaults(handler=run_import_sr)


def _refuse_stored(store: SqliteStore, reads: list[PatientRead]) -> None:
    """Refuse the batch if a patient of it is stored, before anything is written.

    Raises
    ------
    respond.store.PatientExistsError
        The first patient of the batch already stored.
    """
    from respond.store import PatientExistsError

    stored = {summary.patient_id for summary in store.list_patients()}
    for read in reads:
        if read.patient.id in stored:
            raise PatientExistsError(read.patient.id)


def run_import_sr(args: argparse.Namespace, out: TextIO) -> int:
    """Store the reads rebuilt from the SR files.

    Raises
    ------
    respond.report.sr.SRImportError
        A file is not a TID 1500 report respond can read.
    respond.store.InvalidReadError
        A read rebuilt from the files cannot be stored (e.g. a dangling lesion
        reference); nothing is stored.
    respond.store.PatientExistsError
        A patient is already stored and ``--replace`` was not given; nothing
        is stored.
    """
    from respond.report.sr import load_sr
    from respond.store import check_read

    imported = load_sr(args.files, image_folders=args.images)
    reads = imported.reads
    for read in reads:
        check_read(read)
    who = reader_name(args)
    path = database_path(args)
    with open_database(args) as store:
        if not args.replace:
            _refuse_stored(store, reads)
        for read in reads:
            # one transaction per patient: a failure leaves its old read in place
            store.create_patient(read, who=who, replace=args.replace)
    for read in reads:
        calipers = sum(
            len(drawn) for tp in read.timepoints for drawn in tp.calipers.values()
        )
        line = (
            f"imported patient {read.patient.id}: {len(read.lesions)} lesions, "
            f"{len(read.timepoints)} time points, {calipers} calipers into {path}"
        )
        out.write(terminal_text(line) + "\n")
    if missing := imported.calipers_not_restored:
        where = (
            "their images are not in the --images folders"
            if args.images
            else "pass --images with the folders of the measured images"
        )
        out.write(
            f"note: {missing} calipers were not restored, only their lengths "
            f"({where})\n"
        )
    return 0
