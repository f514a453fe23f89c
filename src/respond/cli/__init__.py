"""The ``respond`` command line.

``respond assess CASE.json [--json]`` reads a ``respond-case/1`` file and prints
the ``respond-assessment/1`` document (``--json``) or a readable table. Bad input
is reported with the JSON path and the problem, exit code 2, no traceback.

``respond series PATH [--json]`` lists the DICOM series in a folder or DICOMDIR;
exit 0 when the folder was read, 2 when the path does not exist or holds no DICOM.
``--load`` also loads every loadable stack (value range, checksum) and exits 2
when one did not load whole.

``respond patients``, ``respond export-case PATIENT_ID -o case.json``,
``respond import-case case.json`` and ``respond assess --db PATH PATIENT_ID`` work
on the database of reads (``--db``, else ``RESPOND_DB``, else the user-data folder);
``respond init-db [PATH]`` creates an empty one. Without a command, ``respond``
(``respond --db PATH``, ``respond --demo``) starts the desktop app.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from respond import __version__
from respond.casefile import CaseFormatError, assess_case_document, read_case_file
from respond.errors import RespondError
from respond.report import format_assessment, terminal_text

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "build_parser", "run"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``respond`` command."""
    parser = argparse.ArgumentParser(
        prog="respond",
        description=(
            "Tumour response of hepatocellular carcinoma: RECIST 1.1 and mRECIST "
            "at every time point, best overall response, and decision support "
            "for sorafenib (continue, reduce, interrupt, stop, switch)."
        ),
        epilog=(
            "Without a command respond starts the desktop app: 'respond --db PATH' "
            "on that database, 'respond --demo' with the synthetic demo. "
            "Decision support only: the clinician decides."
        ),
    )
    parser.add_argument("--version", action="version", version=f"respond {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    assess = commands.add_parser(
        "assess",
        help="assess a case file (respond-case/1)",
        description=(
            "Assess a respond-case/1 file: RECIST 1.1 and mRECIST per time point "
            "with the reasons, best overall response, and the recommendation."
        ),
    )
    assess.add_argument(
        "case",
        metavar="CASE.json",
        help="the case file ('-': stdin), or with --db a stored patient's id",
    )
    assess.add_argument(
        "--db", metavar="PATH", help="assess the stored patient CASE from this database"
    )
    assess.add_argument(
        "--json",
        action="store_true",
        help="print the respond-assessment/1 JSON instead of the table",
    )
    from respond.cli.series_command import add_series_command

    add_series_command(commands)
    from respond.cli.measure_command import add_measure_command

    add_measure_command(commands)
    from respond.cli.database import add_database_commands

    add_database_commands(commands)
    from respond.cli.sr_commands import add_sr_commands

    add_sr_commands(commands)
    from respond.cli.patient_commands import add_patient_commands

    add_patient_commands(commands)
    from respond.cli.report import add_report_command

    add_report_command(commands)
    from respond.cli.pacs_commands import add_pacs_commands

    add_pacs_commands(commands)
    return parser


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    assessment: Mapping[str, object]
    if args.db:
        from respond.cli.database import stored_assessment

        assessment = stored_assessment(args)
    elif args.case == "-":
        from respond.casefile import read_case_stream

        assessment = assess_case_document(read_case_stream(sys.stdin, "<stdin>"))
    else:
        assessment = assess_case_document(read_case_file(args.case))
    if args.json:
        out.write(json.dumps(assessment, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_assessment(assessment))
    return EXIT_OK


def _report_error(exc: RespondError, source: str, err: TextIO) -> None:
    if isinstance(exc, CaseFormatError):
        count = len(exc.problems) + exc.omitted
        noun = "problem" if count == 1 else "problems"
        err.write(
            f"respond: {terminal_text(source)} is not a valid respond-case/1 file "
            f"({count} {noun}):\n"
        )
        for problem in exc.problems:
            err.write(f"  {terminal_text(problem)}\n")
        if exc.omitted:
            err.write(f"  ... and {exc.omitted} more\n")
        err.write(
            "Fix these and run again; docs/case-format.md describes the format.\n"
        )
    else:
        # messages name ids, labels and files: their control characters escaped
        err.write(f"respond: {terminal_text(exc, multiline=True)}\n")


def run(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command line and return the exit code.

    Parameters
    ----------
    argv
        The arguments (default: ``sys.argv[1:]``).
    out, err
        Where to write results and messages (default: stdout, stderr).

    Returns
    -------
    int
        0 on success, 2 for bad input (a message names the item and the problem).
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return EXIT_OK
    source = {
        "assess": lambda: args.case,
        "series": lambda: args.path,
        "import-case": lambda: args.case,
    }.get(args.command, lambda: "respond")()
    try:
        if args.command == "series":
            from respond.cli.series_command import run_series

            return run_series(args, out, err)
        if args.command == "measure":
            from respond.cli.measure_command import run_measure

            return run_measure(args, out, err)
        if args.command == "pacs":
            from respond.cli.pacs_commands import run_pacs

            return run_pacs(args, out, err)
        if args.command == "assess":
            return _assess(args, out)
        handler = getattr(args, "handler", None)
        if handler is not None:
            # commands added by their own modules set ``handler`` (set_defaults)
            return int(handler(args, out))
        from respond.cli import database

        if args.command == "patients":
            # the listing names unreadable patients on err, and still exits 0
            return database.run_patients(args, out, err)
        handlers = {
            "patients": database.run_patients,
            "export-case": database.run_export,
            "import-case": database.run_import,
        }
        return handlers[args.command](args, out)
    except RespondError as exc:
        _report_error(exc, source, err)
        return EXIT_BAD_INPUT
