"""``python -m fuzz``: damaged copies of real DICOM files, each in a forked child.

``--cases N`` runs cases 0 to N-1 (``--start`` moves the window), prints
progress and a summary, writes ``results.md`` and ``results.jsonl`` under
``--out`` and keeps every bad case there (``reproducers/<class>/case-N``).
``--case N`` runs one case and keeps its whole folder. The exit code is 0 when
no case was a hang, crash, memory spike, escape or lie, 1 otherwise, 2 when the
shared data is missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from fuzz import report
from fuzz.mutate import DEFAULT_SEED
from fuzz.runner import BAD, Limits, Result, keep, run_cases, vm_size
from fuzz.seeds import REPO, missing


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fuzz",
        description="respond's DICOM fuzz harness: damaged copies of the shared "
        "files, scanned and loaded in forked children with time and memory limits.",
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=200,
        metavar="N",
        help="cases 0 .. N-1 (default 200)",
    )
    parser.add_argument(
        "--start",
        type=int,
        default=0,
        metavar="K",
        help="first case number (default 0)",
    )
    parser.add_argument(
        "--case",
        type=int,
        metavar="N",
        help="run this one case and keep its folder under --out",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="children at a time (default 2)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="per case; longer is a hang (default 20)",
    )
    parser.add_argument(
        "--memory-headroom-mib",
        type=int,
        default=1536,
        metavar="MIB",
        help="address space each child may add to the parent's "
        "(RLIMIT_AS; default 1536)",
    )
    parser.add_argument(
        "--spike-mib",
        type=int,
        default=1024,
        metavar="MIB",
        help="peak resident memory counted as a spike (default 1024)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "build" / "fuzz",
        help="results and reproducers (default build/fuzz)",
    )
    return parser


def _progress(done: int, total: int, started: float, tally: report.Tally) -> None:
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    left = (total - done) / rate if rate else 0.0
    counts = " ".join(f"{c} {n}" for c, n in sorted(tally.by_class.items()))
    sys.stderr.write(
        f"  {done:,}/{total:,} cases, {elapsed / 60:.1f} min, {rate:.1f}/s, "
        f"~{left / 60:.1f} min left: {counts}\n"
    )
    sys.stderr.flush()


def one_case(args: argparse.Namespace, limits: Limits) -> int:
    """Run case ``--case`` and keep its folder; print what happened."""
    work = args.out
    work.mkdir(parents=True, exist_ok=True)
    (result,) = run_cases(
        [args.case], work, workers=1, limits=limits, seed_value=args.seed
    )
    sys.stdout.write(
        json.dumps(dataclasses.asdict(result), indent=1, default=str) + "\n"
    )
    sys.stderr.write(result.line() + f"\nfolder kept: {work / f'case-{args.case}'}\n")
    return 1 if result.outcome in BAD else 0


def main(argv: list[str] | None = None) -> int:
    """Run the harness; return the exit code (0: goal met, 1: not met, 2: no data)."""
    args = _parser().parse_args(argv)
    problem = missing()
    if problem:
        sys.stderr.write(f"fuzz: {problem}; nothing to run\n")
        return 2
    limits = Limits(
        timeout_s=args.timeout,
        headroom=args.memory_headroom_mib * 2**20,
        spike=args.spike_mib * 2**20,
    )
    if args.case is not None:
        return one_case(args, limits)
    args.out.mkdir(parents=True, exist_ok=True)
    kept = args.out / "reproducers"
    if kept.exists():
        shutil.rmtree(kept)
    work = Path(tempfile.mkdtemp(prefix="respond-fuzz-"))
    numbers = range(args.start, args.start + args.cases)
    tally = report.Tally()
    started_at = dt.datetime.now().astimezone()
    started = time.monotonic()
    last = started
    address = vm_size() + limits.headroom
    sys.stderr.write(
        f"fuzz: {args.cases:,} cases from {args.start}, seed {args.seed}, "
        f"{args.workers} workers, timeout {args.timeout:g} s, address space "
        f"{address / 2**30:.2f} GiB per child; work folder {work}\n"
    )
    try:
        with open(args.out / "results.jsonl", "w", encoding="utf-8") as lines:
            for result in run_cases(
                numbers, work, workers=args.workers, limits=limits, seed_value=args.seed
            ):
                tally.add(result)
                _save(result, lines)
                if result.outcome in (*BAD, "harness error"):
                    keep(result, work, kept)
                shutil.rmtree(work / f"case-{result.case}", ignore_errors=True)
                if time.monotonic() - last > 10 or tally.cases == args.cases:
                    last = time.monotonic()
                    _progress(tally.cases, args.cases, started, tally)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    info = _info(args, started_at, seconds, address, tally)
    (args.out / "results.md").write_text(
        "# DICOM fuzz results\n\n" + report.markdown(tally, info), encoding="utf-8"
    )
    for line in report.summary_lines(tally):
        sys.stderr.write(line + "\n")
    sys.stderr.write(f"wrote {args.out / 'results.md'}; reproducers in {kept}\n")
    return 0 if tally.goal_met else 1


def _save(result: Result, lines: object) -> None:
    mutation = result.mutation
    row = {
        "case": result.case,
        "class": result.outcome,
        "reason": result.reason,
        "where": result.where,
        "message": result.message[:300],
        "kind": mutation.get("kind"),
        "seed": mutation.get("seed"),
        "file": mutation.get("file"),
        "what": mutation.get("what"),
        "seconds": round(result.seconds, 3),
        "peak_mib": round(result.peak_bytes / 2**20, 1),
    }
    lines.write(json.dumps(row) + "\n")  # type: ignore[attr-defined]


def _info(
    args: argparse.Namespace,
    started_at: dt.datetime,
    seconds: float,
    address: int,
    tally: report.Tally,
) -> list[str]:
    peak = max(tally.peaks, default=0) / 2**20
    slowest = max(tally.seconds, default=0.0)
    rate = tally.cases / max(seconds, 1e-9)
    command = ".venv/bin/python -m fuzz"
    return [
        (
            f"Date: {started_at:%Y-%m-%d %H:%M %Z}; {tally.cases:,} cases (from case "
            f"{args.start}) in {seconds / 60:.1f} min, {rate:.1f} cases/s with "
            f"{args.workers} workers"
        ),
        f"Machine: {report.machine()}",
        (
            f"Seed {args.seed}; per case: timeout {args.timeout:g} s (wall clock and "
            f"CPU), address space {address / 2**30:.2f} GiB, spike above "
            f"{args.spike_mib} MiB peak resident memory"
        ),
        (
            f"Peak resident memory of a case: max {peak:.0f} MiB (children start as a "
            f"fork of a parent with respond imported); slowest case {slowest:.1f} s"
        ),
        (
            f"Reproduce: `{command} --cases {args.cases} --start {args.start} "
            f"--seed {args.seed}`; one case: `{command} --case N --seed {args.seed}`"
        ),
    ]
