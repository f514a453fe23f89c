"""Count the results and write them: a terminal summary and a markdown page."""

from __future__ import annotations

import collections
import os
import platform
import re
import statistics
from dataclasses import dataclass, field
from typing import Final

from fuzz.runner import BAD, CLASSES, Result

GOALS: Final = (
    ("0 hangs", "hang"),
    ("0 crashes", "crash"),
    ("0 memory spikes above 1 GiB", "memory"),
    ("0 escapes", "escape"),
    ("0 lies (every non-loading file explained)", "lie"),
)


@dataclass
class Tally:
    """Counts per class, per kind of damage and per seed; bad cases grouped."""

    by_class: collections.Counter[str] = field(default_factory=collections.Counter)
    by_kind: dict[str, collections.Counter[str]] = field(default_factory=dict)
    by_seed: dict[str, collections.Counter[str]] = field(default_factory=dict)
    refusals: collections.Counter[str] = field(default_factory=collections.Counter)
    groups: dict[tuple[str, str, str], list[Result]] = field(default_factory=dict)
    peaks: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, result: Result) -> None:
        """Count one case."""
        self.by_class[result.outcome] += 1
        kind = result.kind
        seed = str(result.mutation.get("seed", "?"))
        self.by_kind.setdefault(kind, collections.Counter())[result.outcome] += 1
        self.by_seed.setdefault(seed, collections.Counter())[result.outcome] += 1
        if result.outcome == "refused":
            self.refusals[result.reason or "?"] += 1
        if result.outcome in (*BAD, "harness error"):
            key = (result.outcome, kind, _pattern(result))
            self.groups.setdefault(key, []).append(result)
        self.peaks.append(result.peak_bytes)
        self.seconds.append(result.seconds)

    @property
    def cases(self) -> int:
        """Cases counted."""
        return sum(self.by_class.values())

    @property
    def goal_met(self) -> bool:
        """No hang, crash, memory spike, escape or lie."""
        return not any(self.by_class[c] for c in BAD)

    def top(self, limit: int = 15) -> list[tuple[int, Result]]:
        """Return the largest groups of bad cases: (count, first case), worst first."""
        order = {
            name: n
            for n, name in enumerate(
                ("hang", "crash", "memory", "escape", "lie", "harness error")
            )
        }
        groups = sorted(
            self.groups.values(),
            key=lambda g: (order[g[0].outcome], -len(g), g[0].case),
        )
        return [(len(g), min(g, key=lambda r: r.case)) for g in groups[:limit]]


def _pattern(result: Result) -> str:
    """Blur numbers and paths in the message, to group alike cases."""
    text = re.sub(r"[\w.-]*/[\w./-]*", "<path>", result.message)
    text = re.sub(r"\d+(\.\d+)?(e[+-]?\d+)?", "N", text)
    where = re.sub(r"\s.*", "", result.where)
    return f"{where}: {result.reason}: {text[:80]}"


def machine() -> str:
    """CPU, cores, memory, system and Python."""
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            memory = f", {int(meminfo.readline().split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        memory = ""
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(title: str, rows: dict[str, collections.Counter[str]]) -> list[str]:
    used = [c for c in CLASSES if any(r[c] for r in rows.values()) or c in BAD]
    lines = [f"| {title} | cases | " + " | ".join(used) + " |"]
    lines.append("| --- | ---: |" + " ---: |" * len(used))
    for name in sorted(rows):
        counts = rows[name]
        cells = [f"{counts[c]:,}" for c in used]
        lines.append(
            f"| {_cell(name)} | {sum(counts.values()):,} | " + " | ".join(cells) + " |"
        )
    total = collections.Counter[str]()
    for counts in rows.values():
        total.update(counts)
    lines.append(
        f"| **total** | **{sum(total.values()):,}** | "
        + " | ".join(f"**{total[c]:,}**" for c in used)
        + " |"
    )
    return lines


def markdown(tally: Tally, info: list[str]) -> str:
    """Return the results page: goals, classes, per kind and seed, reproducers."""
    lines = ["## Goals", "", "| goal | measured | |", "| --- | ---: | --- |"]
    for goal, name in GOALS:
        count = tally.by_class[name]
        lines.append(f"| {goal} | {count:,} | {'met' if count == 0 else 'not met'} |")
    lines += ["", "## This run", ""] + [f"- {_cell(line)}" for line in info] + [""]
    total = max(1, tally.cases)
    lines += [
        "## Outcome classes",
        "",
        "| class | cases | share |",
        "| --- | ---: | ---: |",
    ]
    for name in CLASSES:
        if tally.by_class[name] or name in BAD or name in ("ok", "refused", "decode"):
            count = tally.by_class[name]
            lines.append(f"| {name} | {count:,} | {100 * count / total:.1f} % |")
    lines += ["", "## Per kind of damage", "", *_table("damage", tally.by_kind)]
    lines += ["", "## Per seed", "", *_table("seed", tally.by_seed)]
    lines += ["", "## Refusals by reason", "", "| reason | cases |", "| --- | ---: |"]
    for reason, count in tally.refusals.most_common(20):
        lines.append(f"| {_cell(reason)} | {count:,} |")
    lines += ["", "## Top reproducers", ""]
    top = tally.top(25)
    if not top:
        lines.append("None: no case was a hang, crash, memory spike, escape or lie.")
    for count, result in top:
        lines.append(f"- {count:,} x {_cell(result.line())[:400]}")
    return "\n".join(lines) + "\n"


def summary_lines(tally: Tally) -> list[str]:
    """Return a few lines for the terminal."""
    counts = ", ".join(
        f"{c} {tally.by_class[c]:,}" for c in CLASSES if tally.by_class[c]
    )
    peak = max(tally.peaks, default=0) / 2**20
    median = statistics.median(tally.peaks) / 2**20 if tally.peaks else 0.0
    lines = [
        f"{tally.cases:,} cases: {counts}",
        f"peak resident memory: median {median:.0f} MiB, max {peak:.0f} MiB",
        "goal "
        + ("met" if tally.goal_met else "NOT met")
        + ": "
        + ", ".join(f"{name} {tally.by_class[name]}" for _, name in GOALS),
    ]
    lines += [f"  {count} x {r.line()[:300]}" for count, r in tally.top(10)]
    return lines
