"""The check's printed result: a table, what went wrong, where the evidence is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from interop.tools import ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from interop.judge import StudyVerdict

HEADER = ("study", "SR", "expected calipers", "drawn", "read-only", "status")


def _rows(verdicts: Sequence[StudyVerdict]) -> list[tuple[str, ...]]:
    return [
        (
            v.label,
            v.sr_name,
            str(len(v.calipers)),
            str(v.drawn),
            str(v.read_only),
            "ok" if v.ok else "FAIL",
        )
        for v in verdicts
    ]


def table(verdicts: Sequence[StudyVerdict]) -> str:
    """Return the result table (one line per study).

    "drawn" counts the calipers OHIF hydrated as measurements and drew on their
    image; "read-only" those only its SR viewport drew (not hydrated).
    """
    rows = [HEADER, *_rows(verdicts)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _shown(path: str | Path) -> str:
    """Return a path relative to the repository when it is inside it."""
    resolved = Path(path).resolve()
    return (
        str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)
    )


def details(verdicts: Sequence[StudyVerdict], record: Mapping[str, Any]) -> list[str]:
    """Return what went wrong, caliper by caliper, with each failed study's log."""
    logs = {s.get("label"): s.get("consoleLog") for s in record.get("studies", [])}
    lines: list[str] = []
    for verdict in verdicts:
        if verdict.ok:
            continue
        lines.append("")
        lines.append(f"{verdict.label} ({verdict.sr_name}):")
        lines.extend(f"  - {problem}" for problem in verdict.problems)
        for caliper in verdict.calipers:
            if caliper.drawn:
                continue
            c = caliper.caliper
            lines.append(
                f"  - not drawn: {c.name!r} ({c.length_mm:g} mm, image "
                f"{c.sop_instance_uid}): " + "; ".join(caliper.reasons)
            )
        if logs.get(verdict.label):
            lines.append(f"  page's console log: {_shown(logs[verdict.label])}")
    return lines


def summary(
    verdicts: Sequence[StudyVerdict],
    screenshots: Sequence[Path],
    build: Path,
    seconds: float,
) -> str:
    """Return the closing lines: the verdict, the screenshots, the time taken."""
    total = sum(len(v.calipers) for v in verdicts)
    drawn = sum(v.drawn for v in verdicts)
    passed = sum(v.ok for v in verdicts)
    lines = [
        "",
        (
            f"{passed} of {len(verdicts)} studies pass; "
            f"{drawn} of {total} calipers drawn by OHIF."
        ),
    ]
    if screenshots:
        lines.append("screenshots: " + ", ".join(_shown(p) for p in screenshots))
    lines.append(f"console logs: {_shown(build)}/console-*.log")
    lines.append(f"finished in {seconds:.0f} s")
    return "\n".join(lines)
