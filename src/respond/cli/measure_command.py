"""``respond measure FOLDER --series UID --at=X,Y,Z``: click-to-measure from the shell.

Loads one series of a folder (or DICOMDIR), segments the lesion around the
point (patient LPS mm) and prints the proposed calipers: the longest diameter
and its perpendicular on the slice of largest extent, the viable (arterially
enhancing) diameter with ``--arterial-series`` or when the series itself is
arterial, the volume and the enhancing fraction (:mod:`respond.measure`).
``--json`` prints them as JSON with each line's end points. Exit 0 with a
proposal, 2 with a one-line message for a missing folder, an unknown series,
a point outside the volume or nothing lesion-like at it.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from respond.errors import RespondError
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from respond.dicom import ScanResult, SeriesCandidate, Volume
    from respond.dicom.document import Json
    from respond.measure import Line, Proposal

__all__ = ["add_measure_command", "proposal_document", "run_measure"]

EXIT_OK = 0


def add_measure_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``measure``."""
    measure = commands.add_parser(
        "measure",
        help="propose a lesion's calipers from one point inside it",
        description=(
            "Segment the lesion around a point of a series and propose its "
            "calipers: longest diameter and perpendicular short axis on the "
            "slice where it is longest, the viable diameter (mRECIST) with an "
            "arterial phase, the volume and the enhancing fraction. A proposal "
            "to review, not a measurement: the reader decides."
        ),
    )
    measure.add_argument("folder", metavar="FOLDER", help="folder, DICOMDIR or file")
    measure.add_argument(
        "--series", required=True, metavar="UID", help="the series to measure on"
    )
    measure.add_argument(
        "--at",
        required=True,
        metavar="X,Y,Z",
        help="a point inside the lesion, patient LPS mm (write --at=-70,-15,0 "
        "when X is negative)",
    )
    measure.add_argument(
        "--arterial-series",
        metavar="UID",
        help="the arterial phase of the same study, for the viable diameter",
    )
    measure.add_argument(
        "--max-diameter",
        type=float,
        default=100.0,
        metavar="MM",
        help="the largest lesion looked for (default 100 mm)",
    )
    measure.add_argument(
        "--json", action="store_true", help="print the proposal as JSON"
    )


def parse_point(text: str) -> tuple[float, float, float]:
    """Parse ``X,Y,Z`` (mm); RespondError with what was wrong."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise RespondError(
            f"--at {text!r} is not a point: give X,Y,Z in patient mm, "
            "e.g. --at=-70.5,-15,0"
        )
    return (values[0], values[1], values[2])


def find_series(result: ScanResult, folder: str, uid: str) -> SeriesCandidate:
    """Return the stack ``uid`` names (a series UID, or ``UID#n`` for a part)."""
    exact = [c for c in result.series if c.key == uid]
    if exact:
        return exact[0]
    stacks = [c for c in result.series if c.series_uid == uid]
    if len(stacks) == 1:
        return stacks[0]
    if stacks:
        keys = ", ".join(c.key for c in stacks)
        raise RespondError(
            f"series {uid} has {len(stacks)} stacks ({keys}): name one with --series"
        )
    known = ", ".join(sorted({c.series_uid for c in result.series})) or "none"
    raise RespondError(f"{folder} has no series {uid} (its series: {known})")


def _load(result: ScanResult, folder: str, uid: str) -> tuple[SeriesCandidate, Volume]:
    from respond.dicom import load_series

    candidate = find_series(result, folder, uid)
    return candidate, load_series(candidate)


def _line_document(line: Line | None) -> Json:
    if line is None:
        return None
    return {
        "length_mm": float(line.length_mm),
        "start_mm": list(line.start_mm),
        "end_mm": list(line.end_mm),
    }


def proposal_document(proposal: Proposal, volume: Volume) -> Json:
    """Return the proposal as JSON: lengths in mm, lines' end points in LPS mm."""
    frame = volume.frames[proposal.slice_index]

    def length(line: Line | None) -> float | None:
        return None if line is None else float(line.length_mm)

    return {
        "series_uid": volume.series_uid,
        "slice_index": proposal.slice_index,
        "sop_instance_uid": frame.sop_instance_uid,
        "frame": frame.frame,
        "seed_index": list(proposal.seed_index),
        "long_axis_mm": length(proposal.long_axis),
        "short_axis_mm": length(proposal.short_axis),
        "viable_mm": length(proposal.viable),
        "volume_ml": round(proposal.volume_ml, 2),
        "enhancing_fraction": None
        if proposal.enhancing_fraction is None
        else round(proposal.enhancing_fraction, 3),
        "mask_voxels": proposal.mask_voxels,
        "long_axis": _line_document(proposal.long_axis),
        "short_axis": _line_document(proposal.short_axis),
        "viable": _line_document(proposal.viable),
    }


def _point_text(point: tuple[float, float, float]) -> str:
    return "(" + ", ".join(f"{v:.1f}" for v in point) + ")"


def _line_text(name: str, line: Line | None, absent: str) -> str:
    if line is None:
        return f"  {name:<11} {absent}"
    return (
        f"  {name:<11} {line.length_mm} mm  from {_point_text(line.start_mm)} "
        f"to {_point_text(line.end_mm)}"
    )


def proposal_text(proposal: Proposal, volume: Volume, arterial: bool) -> str:
    """Return the readable block ``respond measure`` prints."""
    k = proposal.slice_index
    fraction = proposal.enhancing_fraction
    lines = [
        "proposed calipers (review them before recording)",
        f"  series      {volume.series_uid}",
        (
            f"  slice       index {k} (image {k + 1} of {volume.shape[0]}, "
            f"SOP instance {volume.frames[k].sop_instance_uid})"
        ),
        _line_text("long axis", proposal.long_axis, ""),
        _line_text("short axis", proposal.short_axis, "none (one voxel wide)"),
        _line_text(
            "viable",
            proposal.viable,
            "nothing enhances on this slice" if arterial else "no arterial phase",
        ),
        f"  volume      {proposal.volume_ml:.1f} mL",
        "  enhancing   "
        + (
            "no arterial phase" if fraction is None else f"{fraction:.0%} of the volume"
        ),
    ]
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def run_measure(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``respond measure``; return the exit code.

    Raises
    ------
    RespondError
        Bad input: the caller prints the message and exits 2.
    """
    from respond.dicom import scan
    from respond.dicom.phase import is_arterial
    from respond.measure import propose

    point = parse_point(args.at)
    result = scan(args.folder)
    candidate, volume = _load(result, args.folder, args.series)
    arterial: Volume | None = None
    if args.arterial_series:
        arterial = _load(result, args.folder, args.arterial_series)[1]
    elif is_arterial(candidate.phase.phase):
        arterial = volume
    proposal = propose(
        volume, point, arterial=arterial, max_diameter_mm=args.max_diameter
    )
    if args.json:
        doc = proposal_document(proposal, volume)
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(proposal_text(proposal, volume, arterial is not None))
    return EXIT_OK
