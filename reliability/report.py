"""Write docs/reliability.md from the tables of one run."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from pathlib import Path

from reliability.common import REPO, Table

HEADER = Path(__file__).with_name("header.md")


def machine() -> str:
    """CPU, cores, memory, system, Python, SQLite and Qt versions."""
    cpu = platform.processor() or platform.machine()
    with_model = Path("/proc/cpuinfo")
    if with_model.exists():
        for line in with_model.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f", {int(first[1]) / 2**20:.0f} GiB RAM"
    try:
        import PySide6

        qt = f", PySide6 {PySide6.__version__}"
    except ImportError:
        qt = ""
    try:
        import respond

        version = f"respond {respond.__version__}, "
    except (ImportError, AttributeError):
        version = ""
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"{version}Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{qt}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table, clean) -> list[str]:  # type: ignore[no-untyped-def]
    """One table: a row per row, a column per outcome class that occurred."""
    lines = [f"### {table.title}", ""]
    for note in table.notes:
        lines += [f"- {_cell(clean(note))}"]
    if table.notes:
        lines.append("")
    used = [
        c
        for c in table.columns
        if any(counts[c] for counts in table.rows.values()) or c in table.always
    ]
    columns = (["runs"] if any(c["runs"] for c in table.rows.values()) else []) + used
    if table.rows:
        lines.append("| | " + " | ".join(columns) + " |")
        lines.append("| --- |" + " --- |" * len(columns))
        for row, counts in table.rows.items():
            cells = [f"{counts[c]:,}" if counts[c] else "0" for c in columns]
            lines.append(f"| {_cell(clean(row))} | " + " | ".join(cells) + " |")
        totals = [f"{sum(c[col] for c in table.rows.values()):,}" for col in columns]
        if len(table.rows) > 1:
            lines.append("| **total** | " + " | ".join(totals) + " |")
        lines.append("")
    return lines


def findings_markdown(tables: list[Table], clean) -> list[str]:  # type: ignore[no-untyped-def]
    """The kept examples of each bad class, table by table."""
    lines: list[str] = []
    for table in tables:
        if not table.examples:
            continue
        lines += [f"### {table.title}", ""]
        for outcome, examples in table.examples.items():
            lines.append(f"- **{outcome}**")
            for example in examples:
                text = clean(example)
                if len(text) > 600:
                    text = text[:597] + "..."
                lines.append(f"  - {_cell(text)}")
        lines.append("")
    return lines


def write(
    path: Path,
    *,
    parts: list[tuple[str, list[Table], float]],
    goals: list[tuple[str, int, str]],
    run_info: list[str],
    reproduce: list[str],
    work: Path,
) -> None:
    """Write the whole document."""

    def clean(text: str) -> str:
        text = text.replace(str(work), "$TMP").replace(str(REPO), ".")
        return text.replace(sys.executable, "python")

    lines = [HEADER.read_text(encoding="utf-8").rstrip(), "", "## Goals", ""]
    lines += ["| goal | measured | |", "| --- | --- | --- |"]
    for goal, measured, detail in goals:
        if goal.startswith("(not a goal"):
            status = "none" if measured == 0 else "some"
        else:
            status = "met" if measured == 0 else "**not met**"
        lines.append(
            f"| {goal} | {measured:,} | {status}{': ' + _cell(detail) if detail else ''} |"
        )
    lines += ["", "## This run", ""]
    lines += [f"- {_cell(clean(item))}" for item in run_info]
    lines += ["", "Reproduce (from the repository root):", "", "```sh"]
    lines += [clean(command) for command in reproduce]
    lines += ["```", ""]
    for title, tables, seconds in parts:
        lines += [f"## {title} ({seconds:.0f} s)", ""]
        for table in tables:
            lines += table_markdown(table, clean)
    all_tables = [t for _, tables, _ in parts for t in tables]
    findings = findings_markdown(all_tables, clean)
    if findings:
        lines += [
            "## Findings: reproducers",
            "",
            (
                "The first few examples of each bad outcome (exit 70, crash, hang, "
                "traceback, lost or reverted edit, ...), as `what was done -> what "
                "happened: message`. A case file is regenerated with `python -m "
                "reliability show-case --seed SEED --index N -o case.json`; a damaged "
                "database of a fault with a bad outcome is kept under "
                "`reliability/.out/` (git-ignored) by the run that found it."
            ),
            "",
            *findings,
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
