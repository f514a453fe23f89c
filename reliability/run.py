"""``python -m reliability``: run every part and write docs/reliability.md.

Parts: ``cases`` (the case-file fuzzer), ``db`` (database fault injection),
``kills`` (kill -9 loops of an editing process and of the app), ``readers`` (two
processes editing one patient) and ``privacy`` (identifiers in de-identified
outputs). ``--only`` runs some of them (the document then holds only those).
``python -m reliability show-case --seed S --index N`` writes one mutated case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reliability import report
from reliability.common import REPO, Table

PARTS = ("cases", "db", "kills", "readers", "privacy")
DEFAULT_SEED = 20261202
KEEP = REPO / "reliability" / ".out"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reliability",
        description="respond's reliability harness: hostile case files, database "
        "faults, kill -9 loops, two readers, de-identification; writes "
        "docs/reliability.md.",
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=1000,
        metavar="N",
        help="mutated case files, each run with assess and import-case (default 1000)",
    )
    parser.add_argument(
        "--db-faults",
        type=int,
        default=55,
        metavar="N",
        help="database fault instances: each of the 19 kinds once, then the 9 with random damage in turn; 6 commands each (default 55)",
    )
    parser.add_argument(
        "--kills",
        type=int,
        default=50,
        metavar="N",
        help="kill -9 cycles of the editing process (default 50)",
    )
    parser.add_argument(
        "--app-kills",
        type=int,
        default=None,
        metavar="N",
        help="kill -9 cycles of the app (default: half of --kills)",
    )
    parser.add_argument(
        "--two-process",
        type=int,
        default=30,
        metavar="N",
        help="interleaved two-reader episodes, plus N/5 simultaneous ones of each kind (default 30)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="per respond run; longer is a hang (default 20)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="respond processes at a time (default 2)"
    )
    parser.add_argument(
        "--only", action="append", choices=PARTS, help="run only this part (repeatable)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "docs" / "reliability.md",
        help="the document to write (default docs/reliability.md)",
    )
    parser.add_argument(
        "--keep-work", action="store_true", help="keep the temporary folder"
    )
    return parser


def show_case(argv: list[str]) -> int:
    """Write case ``--index`` of ``--seed`` to ``-o`` (or stdout) and say what it is."""
    from reliability.mutate import make_case

    parser = argparse.ArgumentParser(prog="python -m reliability show-case")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    data, kind, what = make_case(args.seed, args.index)
    print(f"case {args.index} of seed {args.seed}: {kind}: {what}", file=sys.stderr)
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _command(args: argparse.Namespace, parts: list[str]) -> str:
    words = ["python -m reliability"]
    defaults = _parser().parse_args([])
    for name in (
        "cases",
        "db_faults",
        "kills",
        "app_kills",
        "two_process",
        "seed",
        "timeout",
    ):
        value = getattr(args, name)
        if name == "app_kills" and value == max(1, args.kills // 2):
            continue
        if name == "seed" or value != getattr(defaults, name):
            words.append(
                f"--{name.replace('_', '-')} {value:g}"
                if isinstance(value, float)
                else f"--{name.replace('_', '-')} {value}"
            )
    if args.only:
        words += [f"--only {p}" for p in parts]
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["show-case"]:
        return show_case(argv[1:])
    args = _parser().parse_args(argv)
    parts = list(args.only or PARTS)
    app_kills = (
        args.app_kills if args.app_kills is not None else max(1, args.kills // 2)
    )
    args.app_kills = app_kills
    work = Path(tempfile.mkdtemp(prefix="respond-reliability-"))
    work.chmod(0o755)
    keep = KEEP / f"seed-{args.seed}"
    started_at = dt.datetime.now().astimezone()
    load_before = _load()
    done: list[tuple[str, list[Table], float]] = []
    print(f"reliability: seed {args.seed}, work folder {work}", file=sys.stderr)

    def part(title: str, function, *a):  # type: ignore[no-untyped-def]
        print(f"{title} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        tables = function(*a)
        seconds = time.monotonic() - started
        done.append((title, tables, seconds))
        print(f"{title}: {seconds:.0f} s", file=sys.stderr, flush=True)
        return tables

    try:
        if "cases" in parts:
            from reliability.cases import run_cases

            part(
                f"Case files ({args.cases:,} mutated cases)",
                run_cases,
                args.cases,
                args.seed,
                args.timeout,
                work / "cases",
                keep,
                args.workers,
            )
        if "db" in parts:
            from reliability.dbfaults import run_db_faults

            part(
                f"Database faults ({args.db_faults} instances)",
                run_db_faults,
                args.db_faults,
                args.seed,
                args.timeout,
                work / "db",
                keep,
                args.workers,
            )
        if "kills" in parts:
            from reliability.common import import_examples
            from reliability.kills import run_kills

            def setup(db: Path) -> str:
                import_examples(db, ["PAT-KILL"], work / "kills" / "setup")
                return "PAT-KILL"

            part(
                f"kill -9 loops ({args.kills} + {app_kills} kills)",
                run_kills,
                args.kills,
                app_kills,
                args.seed,
                args.timeout,
                work / "kills",
                setup,
            )
        if "readers" in parts:
            from reliability.readers import run_readers

            part(
                "Two processes, one patient",
                run_readers,
                args.two_process,
                args.seed,
                args.timeout,
                work / "readers",
            )
        if "privacy" in parts:
            from reliability.privacy import run_privacy

            part(
                "De-identification",
                run_privacy,
                work / "privacy",
                max(args.timeout, 60.0),
            )
    finally:
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    finished_at = dt.datetime.now().astimezone()
    goals = _goals(done, parts)
    total = (finished_at - started_at).total_seconds()
    run_info = [
        (
            f"Date: {started_at:%Y-%m-%d %H:%M %Z}; took {total / 60:.1f} min "
            f"({args.workers} respond processes at a time, timeout {args.timeout:g} s "
            "per run)"
        ),
        f"Machine: {report.machine()}",
        (
            f"Load average (1/5/15 min) before: {load_before}; after: {_load()} "
            "(other work on the machine slows the runs; it does not change the "
            "outcome classes)"
        ),
        f"Seed: {args.seed}; parts: {', '.join(parts)}",
        (
            "Each respond child had a 4 GiB address-space limit (a file read without "
            "bound ends there instead of taking the machine)"
        ),
    ]
    reproduce = [
        "make reliability    # the defaults, seed " + str(DEFAULT_SEED),
        ".venv/bin/" + _command(args, parts),
        (
            f".venv/bin/python -m reliability show-case --seed {args.seed} "
            "--index N -o case.json"
        ),
    ]
    report.write(
        args.out,
        parts=done,
        goals=goals,
        run_info=run_info,
        reproduce=reproduce,
        work=work,
    )
    print(f"wrote {args.out}", file=sys.stderr)
    for goal, measured, detail in goals:
        print(f"  {goal}: {measured} {detail}", file=sys.stderr)
    return 0


def _goals(
    done: list[tuple[str, list[Table], float]], parts: list[str]
) -> list[tuple[str, int, str]]:
    """The goal lines: exit 70, hangs, lost or reverted edits, identifiers."""
    tables = [t for _, ts, _ in done for t in ts]
    # "per mutation" and "per command" tables count the same runs again.
    own = [
        t
        for t in tables
        if "per mutation" not in t.title and "per command" not in t.title
    ]
    lost_columns = (
        "lost or reverted edit",
        "database unreadable after kill",
        "overwrote an unseen edit",
        "reverted a committed edit",
        "edit reported but not stored",
    )
    lost, lost_detail = 0, []
    for t in own:
        for column in lost_columns:
            if column in t.columns and t.total(column):
                lost += t.total(column)
                lost_detail.append(f"{t.title}: {column} {t.total(column)}")
    goals = [
        (
            "0 exit 70",
            sum(t.total("exit 70") for t in own),
            by_part_runs(own, "exit 70"),
        ),
        ("0 hangs", sum(t.total("hang") for t in own), by_part_runs(own, "hang")),
        ("0 lost or reverted committed edits", lost, "; ".join(lost_detail)),
    ]
    if "privacy" in parts:
        leaked = sum(t.total("identifiers found") for t in own)
        goals.append(("0 identifiers in de-identified outputs", leaked, ""))
    damaged = sum(t.total("committed edit silently lost") for t in own)
    if "db" in parts:
        goals.append(
            (
                (
                    "(not a goal line) committed edits silently lost after the file "
                    "or its WAL was damaged on purpose"
                ),
                damaged,
                "issue 12 asks for WAL checkpoints at clean exit and when idle",
            )
        )
    return goals


def by_part_runs(tables: list[Table], column: str) -> str:
    """Where a goal's count comes from (tables that do not repeat others)."""
    found = [
        f"{t.title}: {t.total(column)}"
        for t in tables
        if column in t.columns and t.total(column)
    ]
    return "; ".join(found)
