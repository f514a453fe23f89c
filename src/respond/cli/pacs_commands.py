"""``respond pacs``: talk to a PACS (DICOMweb or DIMSE) from the command line.

``respond pacs echo|find|get|send --pacs NODE`` where NODE is a name from
pacs.json or ``dicomweb:URL`` / ``dimse:AET@host:port``; ``respond pacs
add|list|remove`` manage pacs.json. Exit 0 on success, 2 with a one-paragraph
message on stderr for every PACS failure (docs/pacs.md lists them).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from respond.cli.cache_command import add_cache_command
from respond.errors import RespondError
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import TextIO

    from respond.pacs import (
        PacsClient,
        PacsNode,
        RetrieveProgress,
        RetrieveResult,
        SendResult,
        StudyHit,
    )

__all__ = ["add_pacs_commands", "run_pacs"]

EXIT_OK = 0
EXIT_FAILED = 2


def add_pacs_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``pacs`` and its subcommands."""
    pacs = commands.add_parser(
        "pacs",
        help="find, retrieve and send studies on a PACS (DICOMweb or DIMSE)",
        description=(
            "Talk to a PACS: echo, find studies, get a study into the image "
            "cache (or --out), send files (an SR, a report PDF). NODE is a name "
            "from pacs.json ('respond pacs add') or dicomweb:URL or "
            "dimse:AET@host:port. docs/pacs.md describes nodes and errors."
        ),
    )
    sub = pacs.add_subparsers(dest="pacs_command", metavar="SUBCOMMAND", required=True)
    _add_echo(sub)
    _add_find(sub)
    _add_get(sub)
    _add_send(sub)
    _add_config_commands(sub)
    add_cache_command(sub)


def _node_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pacs",
        metavar="NODE",
        required=True,
        help="a node name from pacs.json, dicomweb:URL or dimse:AET@host:port",
    )
    parser.add_argument(
        "--aet", help="respond's own (calling) AE title for DIMSE (default RESPOND)"
    )
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="default: the node's, or 30"
    )


def _add_echo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    echo = sub.add_parser("echo", help="check the PACS answers (C-ECHO or QIDO-RS)")
    _node_options(echo)
    echo.set_defaults(pacs_handler=_echo)


def _add_find(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    find = sub.add_parser("find", help="find studies (C-FIND or QIDO-RS)")
    _node_options(find)
    find.add_argument("--patient-id", default="", help="patient ID (wildcards: *)")
    find.add_argument("--name", default="", help="patient name, e.g. 'DOE^J*'")
    find.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=_date)
    find.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=_date)
    find.add_argument("--modality", default="", help="a modality in the study, e.g. CT")
    find.add_argument("--accession", default="", help="accession number")
    find.add_argument("--json", action="store_true", help="print JSON, not a table")
    find.set_defaults(pacs_handler=_find)


def _add_get(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    get = sub.add_parser(
        "get", help="retrieve a study (WADO-RS, C-GET or C-MOVE) into a folder"
    )
    _node_options(get)
    get.add_argument("study", metavar="STUDY_UID", help="the StudyInstanceUID")
    get.add_argument(
        "--series", metavar="UID", action="append", default=[],
        help="only this series (repeatable)",
    )  # fmt: skip
    get.add_argument(
        "--out", metavar="DIR", type=Path, help="default: respond's image cache"
    )
    get.add_argument(
        "--move-port", type=int, metavar="PORT",
        help="DIMSE: retrieve with C-MOVE to respond's storage SCP on this port",
    )  # fmt: skip
    get.set_defaults(pacs_handler=_get)


def _add_send(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    send = sub.add_parser(
        "send", help="store DICOM files (and report PDFs) on the PACS"
    )
    _node_options(send)
    send.add_argument(
        "files", metavar="FILE", nargs="+", type=Path,
        help="DICOM files; a .pdf is sent as Encapsulated PDF",
    )  # fmt: skip
    send.add_argument(
        "--like", metavar="SR.dcm", type=Path,
        help="the DICOM file giving a PDF its patient and study "
        "(default: the first DICOM FILE)",
    )  # fmt: skip
    send.set_defaults(pacs_handler=_send)


def _add_config_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    add = sub.add_parser("add", help="add a node to pacs.json")
    add.add_argument("name", metavar="NAME")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--dicomweb", metavar="URL", help="the DICOMweb root URL")
    where.add_argument(
        "--dimse", metavar="AET@HOST:PORT", help="the PACS's DIMSE address"
    )
    add.add_argument(
        "--aet", help="respond's calling AE title (DIMSE; default RESPOND)"
    )
    add.add_argument("--retrieve", choices=("get", "move"), default="get")
    add.add_argument("--move-port", type=int, metavar="PORT")
    add.add_argument("--move-host", default="127.0.0.1", metavar="ADDRESS")
    add.add_argument("--tls", action="store_true", help="DIMSE over TLS")
    add.add_argument("--ca-file", metavar="PEM")
    add.add_argument("--cert-file", metavar="PEM")
    add.add_argument("--key-file", metavar="PEM")
    add.add_argument("--auth", choices=("none", "basic", "bearer"), default="none")
    add.add_argument("--username", default="")
    add.add_argument("--secret-env", metavar="VAR", help="variable holding the secret")
    add.add_argument(
        "--secret-file", metavar="PATH", help="file (mode 0600) holding it"
    )
    add.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS")
    add.add_argument("--replace", action="store_true", help="overwrite a node")
    add.set_defaults(pacs_handler=_add)
    listing = sub.add_parser(
        "list", help="list the nodes of pacs.json (secrets masked)"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(pacs_handler=_list)
    remove = sub.add_parser("remove", help="remove a node from pacs.json")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(pacs_handler=_remove)


def _date(text: str) -> object:
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def run_pacs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``respond pacs SUBCOMMAND``; PacsError reaches the caller's report."""
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.pacs_handler
    return handler(args, out, err)


def _node(args: argparse.Namespace) -> PacsNode:
    from respond.pacs import resolve_node

    return resolve_node(
        args.pacs,
        calling_aet=args.aet,
        timeout=args.timeout,
        move_port=getattr(args, "move_port", None),
    )


def _client(args: argparse.Namespace) -> PacsClient:
    from respond.pacs import connect

    return connect(_node(args))


def _echo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client = _client(args)
    elapsed = client.echo()
    out.write(f"{terminal_text(client.node.label)} answered in {elapsed:.1f} ms\n")
    return EXIT_OK


def _find(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import StudyQuery

    query = StudyQuery(
        patient_id=args.patient_id,
        patient_name=args.name,
        date_from=args.date_from,
        date_to=args.date_to,
        modality=args.modality,
        accession=args.accession,
    )
    hits = _client(args).find_studies(query)
    if args.json:
        out.write(json.dumps([_hit_json(h) for h in hits], indent=2) + "\n")
    else:
        out.write(_study_table(hits))
    return EXIT_OK


def _hit_json(hit: StudyHit) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(hit)
    for key in ("birth_date", "study_date"):
        value = data[key]
        data[key] = None if value is None else value.isoformat()
    data["modalities"] = list(hit.modalities)
    return data


_COLUMNS = (
    "date",
    "patient id",
    "name",
    "modality",
    "series",
    "images",
    "description",
    "study uid",
)


def _study_table(hits: Sequence[StudyHit]) -> str:
    if not hits:
        return "no study found\n"
    rows = [_COLUMNS] + [_study_row(h) for h in hits]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in rows
    ]
    noun = "study" if len(hits) == 1 else "studies"
    return "\n".join(line.rstrip() for line in lines) + f"\n{len(hits)} {noun}\n"


def _study_row(hit: StudyHit) -> tuple[str, ...]:
    def count(value: int | None) -> str:
        return "?" if value is None else str(value)

    cells = (
        hit.study_date.isoformat() if hit.study_date else "",
        hit.patient_id,
        hit.patient_name,
        "/".join(hit.modalities),
        count(hit.series_count),
        count(hit.instance_count),
        hit.description[:40],
        hit.study_uid,
    )
    return tuple(terminal_text(c) for c in cells)


class _ProgressLine:
    """Progress on stderr: a line at most every half second, and the last."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self._last = 0.0

    def __call__(self, progress: RetrieveProgress) -> None:
        now = time.monotonic()
        final = progress.total is not None and progress.done >= progress.total
        if not final and now - self._last < 0.5 and progress.done > 1:
            return
        self._last = now
        total = "?" if progress.total is None else str(progress.total)
        megabytes = progress.bytes_received / 1e6
        self.err.write(f"  {progress.done}/{total} instances, {megabytes:.1f} MB\n")
        self.err.flush()


def _get(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import image_cache_dir

    client = _client(args)
    dest = args.out if args.out is not None else image_cache_dir()
    study = terminal_text(args.study)
    err.write(f"retrieving study {study} from {terminal_text(client.node.label)}\n")
    try:
        result = client.retrieve_study(
            args.study,
            dest,
            progress=_ProgressLine(err),
            series_uids=args.series or None,
        )
    except KeyboardInterrupt:
        err.write("respond: interrupted; the complete files received are kept\n")
        return EXIT_FAILED
    out.write(f"{result.folder}\n")
    return _get_summary(result, err)


def _get_summary(result: RetrieveResult, err: TextIO) -> int:
    noun = "instance" if len(result.files) == 1 else "instances"
    err.write(
        f"retrieved {len(result.files)} {noun} "
        f"({result.bytes_received / 1e6:.1f} MB) into {result.folder}\n"
    )
    if result.failed:
        err.write(
            f"respond: the PACS reported {result.failed} failed sub-operations: "
            "those instances are missing; try again, or look at the PACS's log\n"
        )
        return EXIT_FAILED
    return EXIT_OK


def _send(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client = _client(args)
    with tempfile.TemporaryDirectory(prefix="respond-send-") as temp:
        paths, names = _prepare_files(args.files, args.like, Path(temp))
        result = client.send(paths)
    return _send_summary(result, names, out, err)


def _prepare_files(
    files: Sequence[Path], like: Path | None, temp: Path
) -> tuple[list[Path], dict[Path, Path]]:
    """Return the files to send (PDFs wrapped), and each one's name as given."""
    from respond.pacs import encapsulate_pdf

    pdfs = [f for f in files if f.suffix.lower() == ".pdf"]
    reference = like or next((f for f in files if f.suffix.lower() != ".pdf"), None)
    if pdfs and reference is None:
        raise RespondError(
            "a report PDF needs --like FILE: a DICOM file (e.g. respond's SR) "
            "of the same patient and study, whose patient and study it takes"
        )
    paths, names = [], {}
    for index, path in enumerate(files):
        sent = path
        if path in pdfs:
            assert reference is not None
            sent = encapsulate_pdf(path, reference, temp / f"pdf-{index}.dcm")
        paths.append(sent)
        names[sent] = path
    return paths, names


def _send_summary(
    result: SendResult, names: dict[Path, Path], out: TextIO, err: TextIO
) -> int:
    for path in result.sent:
        out.write(f"stored {terminal_text(names.get(path, path))}\n")
    for failure in result.failed:
        shown = terminal_text(names.get(failure.path, failure.path))
        err.write(f"respond: not stored {shown}: {terminal_text(failure.reason)}\n")
    total = len(result.sent) + len(result.failed) + len(result.not_sent)
    if result.ok:
        return EXIT_OK
    err.write(f"respond: {len(result.sent)} of {total} files stored\n")
    return EXIT_FAILED


def _add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import PacsNode, add_node, parse_inline_spec

    common = {
        "tls": args.tls, "ca_file": args.ca_file, "cert_file": args.cert_file,
        "key_file": args.key_file, "timeout": args.timeout,
    }  # fmt: skip
    if args.dicomweb:
        node = PacsNode(
            args.name, "dicomweb", url=args.dicomweb, auth=args.auth,
            username=args.username, secret_env=args.secret_env,
            secret_file=args.secret_file, **common,
        )  # fmt: skip
    else:
        spec = parse_inline_spec(
            f"dimse:{args.dimse}", calling_aet=args.aet or "RESPOND"
        )
        assert spec is not None
        node = PacsNode(
            args.name, "dimse", host=spec.host, port=spec.port,
            called_aet=spec.called_aet, calling_aet=spec.calling_aet,
            retrieve=args.retrieve, move_port=args.move_port,
            move_host=args.move_host, **common,
        )  # fmt: skip
    path = add_node(node, replace=args.replace)
    out.write(f"added {terminal_text(node.label)} to {path}\n")
    return EXIT_OK


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import config_path, load_nodes

    nodes = load_nodes()
    if args.json:
        out.write(json.dumps([n.masked() for n in nodes], indent=2) + "\n")
        return EXIT_OK
    if not nodes:
        out.write(f"no PACS node in {config_path()}: add one with 'respond pacs add'\n")
    for node in nodes:
        out.write(terminal_text(f"{node.name}: {node.address}{_extras(node)}") + "\n")
    return EXIT_OK


def _extras(node: PacsNode) -> str:
    parts = []
    if node.kind == "dimse":
        parts.append(f"as {node.calling_aet}")
        if node.retrieve == "move":
            parts.append(f"C-MOVE to {node.move_host}:{node.move_port}")
    if node.tls:
        parts.append("TLS")
    if node.auth != "none":
        source = (
            "secret ***" if node.secret
            else f"secret from ${node.secret_env}" if node.secret_env
            else f"secret from {node.secret_file}"
        )  # fmt: skip
        who = f" {node.username}" if node.username else ""
        parts.append(f"{node.auth}{who}, {source}")
    return f" ({'; '.join(parts)})" if parts else ""


def _remove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from respond.pacs import remove_node

    path = remove_node(args.name)
    out.write(f"removed node '{terminal_text(args.name)}' from {path}\n")
    return EXIT_OK
