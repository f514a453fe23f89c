"""``respond series PATH [--json] [--load]``: list, and check, the DICOM series.

Without ``--load`` it lists what the scan found (exit 0 once the folder was
read). With ``--load`` it also loads every stack the scan called loadable, as
the viewer would, and reads one image of each on its own, as reports do
(:func:`respond.dicom.frame.read_frame`), checking that both agree. Per stack
it reports loaded or the problem, the value range in modality units (HU for
CT) and a checksum of the voxels: the command a PACS administrator runs to see
that a folder is readable. Exit 0 when every loadable stack loaded whole, 2
(with the reasons on stderr) when any did not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from respond.errors import RespondError
from respond.report import terminal_text

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from respond.dicom import SeriesCandidate, Volume
    from respond.dicom.document import Json

__all__ = ["StackCheck", "add_series_command", "check_stack", "run_series"]

EXIT_OK = 0
EXIT_NOT_LOADED = 2
CHECKSUM_DIGITS = 16
Status = Literal["loaded", "incomplete", "failed", "not_loadable"]


@dataclass(frozen=True, slots=True)
class StackCheck:
    """What loading one stack gave.

    Attributes
    ----------
    status
        ``loaded`` (every slice), ``incomplete`` (some slices unreadable),
        ``failed`` (no volume, or the image read alone disagrees) or
        ``not_loadable`` (the scan said so; not loaded).
    low, high
        The lowest and highest modality value of the readable slices.
    checksum
        The first 16 hex digits of the SHA-256 of the voxels (little-endian,
        in ``dtype``, slice by slice along the normal).
    """

    key: str
    label: str
    images: int
    status: Status
    problems: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    dtype: str = ""
    checksum: str = ""

    @property
    def is_ok(self) -> bool:
        """Whether the stack loaded whole, or was not meant to be loaded."""
        return self.status in ("loaded", "not_loadable")


def add_series_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``series``."""
    series = commands.add_parser(
        "series",
        help="list (and with --load check) the DICOM series in a folder or DICOMDIR",
        description=(
            "Examine a folder (recursively), a DICOMDIR or a file: patients, "
            "studies and series with contrast phase, images, spacing, warnings and "
            "readiness; non-image objects; files that could not be read. With "
            "--load, also load every loadable stack and report per stack: loaded "
            "or the problem, value range and checksum (exit 2 if any failed)."
        ),
    )
    series.add_argument("path", metavar="PATH", help="folder, DICOMDIR or file")
    series.add_argument(
        "--json", action="store_true", help="print the respond-series/1 JSON"
    )
    series.add_argument(
        "--load",
        action="store_true",
        help="load every loadable stack and read one image of each alone: "
        "loaded or the problem, value range and checksum; exit 2 if any failed",
    )


def _label(candidate: SeriesCandidate) -> str:
    number = "" if candidate.series_number is None else f"#{candidate.series_number} "
    text = f"{number}{candidate.modality} {candidate.description}".strip()
    _, split, part = candidate.key.partition("#")
    return f"{text} (stack {part})" if split else text


def _value_range(volume: Volume, readable: list[int]) -> tuple[float, float]:
    import numpy as np  # here: the parser is built without numpy

    if volume.is_rescaled:
        values = volume.voxels[readable]
        return float(values.min()), float(values.max())
    ends = [volume.slice_values(k) for k in readable]
    return (
        min(float(np.min(plane)) for plane in ends),
        max(float(np.max(plane)) for plane in ends),
    )


def _checksum(volume: Volume) -> str:
    import numpy as np  # here: the parser is built without numpy

    voxels = volume.voxels
    little = np.ascontiguousarray(voxels, dtype=voxels.dtype.newbyteorder("<"))
    return hashlib.sha256(little.data).hexdigest()[:CHECKSUM_DIGITS]


def _frame_problem(volume: Volume, k: int) -> str | None:
    """Read slice ``k`` alone, as reports do; say how it disagrees, if it does."""
    import numpy as np  # here: the parser is built without numpy

    from respond.dicom.frame import read_frame

    frame = volume.frames[k]
    try:
        alone = read_frame(frame)
    except RespondError as exc:
        return f"image {k + 1} read alone: {exc}"
    loaded = np.asarray(volume.slice_values(k), dtype=np.float64)
    if alone.shape != loaded.shape or not np.allclose(
        alone, loaded, rtol=1e-5, atol=1e-3
    ):
        worst = (
            float(np.max(np.abs(alone - loaded)))
            if alone.shape == loaded.shape
            else float("nan")
        )
        return (
            f"image {k + 1} ({frame.path.name}) read alone differs from the loaded "
            f"slice (by up to {worst:g})"
        )
    return None


def check_stack(candidate: SeriesCandidate) -> StackCheck:
    """Load one stack and read one of its images alone; report what came of it.

    Parameters
    ----------
    candidate
        The stack, from the scan.

    Returns
    -------
    StackCheck
        Loaded or the problems, the value range and the checksum.
    """
    from respond.dicom import Readiness, Severity, load_series

    label, images = _label(candidate), candidate.image_count
    if candidate.readiness is Readiness.NOT_LOADABLE:
        reasons = tuple(
            f.message for f in candidate.findings if f.severity is Severity.ERROR
        )
        return StackCheck(candidate.key, label, images, "not_loadable", reasons)
    try:
        volume = load_series(candidate)
    except RespondError as exc:
        return StackCheck(candidate.key, label, images, "failed", (str(exc),))
    problems = [
        f"image {k + 1} unreadable: {reason}"
        for k, reason in sorted(volume.unreadable_slices.items())
    ]
    readable = [k for k in range(images) if k not in volume.unreadable_slices]
    low, high = _value_range(volume, readable)
    status: Status = "incomplete" if problems else "loaded"
    alone = _frame_problem(volume, readable[len(readable) // 2])
    if alone is not None:
        problems.append(alone)
        status = "failed"
    return StackCheck(
        candidate.key,
        label,
        images,
        status,
        tuple(problems),
        low,
        high,
        volume.voxels.dtype.name,
        _checksum(volume),
    )


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _check_document(checks: list[StackCheck]) -> Json:
    return {
        "loaded": sum(c.status == "loaded" for c in checks),
        "not_loaded": sum(not c.is_ok for c in checks),
        "stacks": [
            {
                "key": c.key,
                "label": c.label,
                "images": c.images,
                "status": c.status,
                "problems": list(c.problems),
                "min": _number(c.low),
                "max": _number(c.high),
                "dtype": c.dtype or None,
                "sha256": c.checksum or None,
            }
            for c in checks
        ],
    }


def _check_line(check: StackCheck) -> str:
    images = "1 image" if check.images == 1 else f"{check.images} images"
    text = f"  {check.label} ({images}): {check.status}"
    if check.low is not None and check.high is not None:
        text += (
            f", values {_number(check.low):g} to {_number(check.high):g}, "
            f"sha256 {check.checksum} ({check.dtype})"
        )
    lines = [terminal_text(text)]
    lines.extend(f"    {terminal_text(problem)}" for problem in check.problems)
    return "\n".join(lines)


def _check_text(checks: list[StackCheck]) -> str:
    loadable = [c for c in checks if c.status != "not_loadable"]
    whole = sum(c.status == "loaded" for c in loadable)
    lines = [f"load check: {whole} of {len(loadable)} loadable stacks loaded whole"]
    lines.extend(_check_line(c) for c in checks)
    return "\n".join(lines) + "\n"


def run_series(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``respond series``; return the exit code.

    Raises
    ------
    RespondError
        The path does not exist or holds no DICOM (the caller reports it).
    """
    from respond.dicom import scan, scan_document
    from respond.report import format_scan

    result = scan(args.path)
    doc = scan_document(result)
    checks = [check_stack(c) for c in result.series] if args.load else []
    if args.load:
        doc["load"] = _check_document(checks)
    if args.json:
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_scan(doc))
        if args.load:
            out.write(_check_text(checks))
    failed = [c for c in checks if not c.is_ok]
    for check in failed:
        err.write(
            terminal_text(
                f"respond: {check.label} was not loaded whole: "
                + "; ".join(check.problems),
                multiline=True,
            )
            + "\n"
        )
    return EXIT_NOT_LOADED if failed else EXIT_OK
