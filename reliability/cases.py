"""Part 1: the case-file fuzzer.

Each mutated case (``reliability.mutate``) is given to ``respond assess`` (every
other one with ``--json``) and to ``respond import-case`` into a fresh database.
When the import succeeds, ``respond patients`` and ``respond export-case`` run on
that database: a stored value the engine cannot handle must not break them.
Special files (a symlink to /dev/zero, a FIFO, a directory, ...) are given to
both commands as well. Each child has an address-space limit
(``common.MEMORY_LIMIT``), so a file read without bound ends there instead of
taking the machine.
"""

from __future__ import annotations

import collections
import csv
import io
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability.common import (
    BAD,
    CLASSES,
    EXAMPLE,
    RESPOND,
    Result,
    Table,
    child_env,
    memory_limited,
    pool_map,
    run,
)
from reliability.mutate import KINDS, SPECIAL_FILES, Obj, Raw, dump, make_case, parse

IMPORTED = re.compile(r"imported patient (.+?): ")


def _respond(args: list[str]) -> list[str]:
    return memory_limited([*RESPOND, *args])


def _one_case(job: tuple[int, int, float, Path, Path]) -> dict[str, object]:
    seed, index, timeout, work, keep = job
    data, kind, what = make_case(seed, index)
    folder = work / f"case-{index}"
    folder.mkdir(parents=True, exist_ok=True)
    case = folder / "case.json"
    case.write_bytes(data)
    env = child_env(folder / "home")
    as_json = index % 2 == 1
    assess = run(
        _respond(["assess", *(["--json"] if as_json else []), str(case)]),
        timeout=timeout,
        env=env,
        cwd=folder,
    )
    db = folder / "reads.sqlite3"
    imported = run(
        _respond(["import-case", "--db", str(db), str(case)]),
        timeout=timeout,
        env=env,
        cwd=folder,
    )
    after: list[tuple[str, Result]] = []
    if imported.outcome == "exit 0":
        after.append(
            (
                "patients after an import",
                run(_respond(["patients", "--db", str(db)]), timeout=timeout, env=env),
            )
        )
        found = IMPORTED.search(imported.stdout)
        if found:
            after.append(
                (
                    "export-case after an import",
                    run(
                        _respond(
                            ["export-case", "--db", str(db), found.group(1), "-o", "-"]
                        ),
                        timeout=timeout,
                        env=env,
                    ),
                )
            )
    bad = any(
        outcome in BAD
        for result in (assess, imported, *(r for _, r in after))
        for outcome in result.classes()
    )
    if bad and len(data) <= 8_000_000:
        (keep / f"case-{seed}-{index}.json").write_bytes(data)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "index": index,
        "kind": kind,
        "what": what,
        "assess": assess,
        "assess_args": "assess --json" if as_json else "assess",
        "import": imported,
        "after": after,
    }


def _special(work: Path, name: str) -> tuple[Path, Path | None]:
    """Make a special file; return (path given to respond, stdin file or None)."""
    folder = work / "special" / name.split()[0].lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "case.json"
    if path.exists() or path.is_symlink():
        return path, None
    if name == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    elif name == "symlink to /dev/urandom":
        path.symlink_to("/dev/urandom")
    elif name == "FIFO (no writer)":
        os.mkfifo(path)
    elif name == "directory":
        path.mkdir()
    elif name == "symlink loop":
        path.symlink_to(path)
    elif name == "stdin from /dev/zero":
        return Path("-"), Path("/dev/zero")
    return path, None


def run_cases(
    count: int, seed: int, timeout: float, work: Path, keep: Path, workers: int = 2
) -> list[Table]:
    """Run the fuzzer; return the tables (by command, by mutation, special files)."""
    by_command = Table("Case files: outcome per command")
    by_kind = Table(
        "Case files: outcome per mutation (assess and import-case runs)",
        with_examples=False,
    )
    by_kind.columns = (*by_kind.columns, "assess and import-case disagree")
    disagree = by_command
    keep.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        by_kind.rows.setdefault(kind, collections.Counter())
    jobs = [(seed, i, timeout, work, keep) for i in range(count)]
    done = 0
    for item in pool_map(_one_case, jobs, workers):
        done += 1
        if done % 50 == 0 or done == count:
            print(f"  cases: {done}/{count}", file=sys.stderr, flush=True)
        index, kind, what = item["index"], item["kind"], item["what"]
        label = f"case {index} ({what})"
        assess, imported = item["assess"], item["import"]
        assert isinstance(assess, Result) and isinstance(imported, Result)
        by_command.add(
            str(item["assess_args"]),
            assess,
            f"{label}: respond {item['assess_args']} case.json",
        )
        by_command.add(
            "import-case",
            imported,
            f"{label}: respond import-case --db reads.sqlite3 case.json",
        )
        for name, result in item["after"]:  # type: ignore[attr-defined]
            by_command.add(
                name, result, f"{label}: respond {name.split()[0]} after the import"
            )
        by_kind.add(str(kind), assess, f"{label}: assess")
        by_kind.add(str(kind), imported, f"{label}: import-case")
        if (assess.outcome == "exit 0") != (imported.outcome == "exit 0"):
            by_kind.count(str(kind), "assess and import-case disagree")
            disagree.example(
                "assess and import-case disagree",
                f"{label}: assess {assess.detail}, import-case {imported.detail}"
                + (f": {imported.message(160)}" if imported.stderr.strip() else "")
                + (
                    f" / assess: {assess.message(160)}" if assess.stderr.strip() else ""
                ),
            )
    special = Table("Special files given as the case file")
    by_kind.notes.append(
        "Disagreements (one command exits 0, the other does not) are listed in the "
        "findings under the per-command table."
    )
    env = child_env(work / "special-home")
    for name in SPECIAL_FILES:
        path, stdin = _special(work, name)
        runs = [
            ("assess", ["assess", str(path)]),
            (
                "import-case",
                ["import-case", "--db", str(work / "special-reads.sqlite3"), str(path)],
            ),
        ]
        results = list(
            pool_map(
                lambda args, stdin=stdin: run(
                    _respond(args[1]), timeout=timeout, env=env, stdin_file=stdin
                ),
                runs,
                workers,
            )
        )
        for (command, _), result in zip(runs, results, strict=True):
            special.add(f"{name}: {command}", result, f"{name}: respond {command}")
    anchors = run_anchors(timeout, work / "anchors", workers)
    return [anchors, by_command, by_kind, special]


# -- inputs named in issue 12: always run, each with what is expected -------------


def _get(node: Any, *keys: str | int) -> Any:
    for key in keys:
        node = (
            node[key] if isinstance(key, int) else next(v for k, v in node if k == key)
        )
    return node


def _put(obj: Any, key: str, value: Any) -> None:
    for pair in obj:
        if pair[0] == key:
            pair[1] = value
            return
    obj.append([key, value])


def _rename_lesion(doc: Any, old: str, new: str) -> None:
    for lesion in _get(doc, "lesions"):
        if _get(lesion, "id") == old:
            _put(lesion, "id", new)
    for timepoint in _get(doc, "timepoints"):
        for part in ("targets", "non_targets"):
            for pair in _get(timepoint, part):
                if pair[0] == old:
                    pair[0] = new


def _duplicate_t1(doc: Any) -> None:
    targets = _get(doc, "timepoints", 1, "targets")
    targets.append(["T1", Obj([["long_axis_mm", 80.0], ["viable_mm", 50.0]])])


ANCHORS: list[tuple[str, Callable[[Any], None], str]] = [
    (
        "settings.sd_min_days = 1E999999999 (spun the CPU)",
        lambda d: _put(_get(d, "settings"), "sd_min_days", Raw("1E999999999")),
        "refused",
    ),
    (
        "baseline T1 long_axis_mm = 1e1000",
        lambda d: _put(
            _get(d, "timepoints", 0, "targets", "T1"), "long_axis_mm", Raw("1e1000")
        ),
        "refused",
    ),
    (
        "T1 long_axis_mm = 1E-99999999999999999999",
        lambda d: _put(
            _get(d, "timepoints", 1, "targets", "T1"),
            "long_axis_mm",
            Raw("1E-99999999999999999999"),
        ),
        "refused",
    ),
    (
        "settings.confirmation_min_days = 2^63",
        lambda d: _put(_get(d, "settings"), "confirmation_min_days", Raw(str(2**63))),
        "refused",
    ),
    (
        "a lesion note nested 990 levels deep",
        lambda d: _put(_get(d, "lesions", 0), "note", Raw("[" * 990 + "1" + "]" * 990)),
        "refused",
    ),
    (
        "lone surrogate \\ud800 in the patient's name",
        lambda d: _put(_get(d, "patient"), "name", "Synthetic \ud800 Example"),
        "refused",
    ),
    (
        "duplicate key T1 at FU1 (the second 30 mm larger)",
        _duplicate_t1,
        "refused naming T1",
    ),
    (
        "lesion id of 300 characters",
        lambda d: _rename_lesion(d, "T2", "T" * 300),
        "refused",
    ),
    ("lesion id P\\Q\\R", lambda d: _rename_lesion(d, "T2", "P\\Q\\R"), "refused"),
    ("lesion id .hidden", lambda d: _rename_lesion(d, "T2", ".hidden"), "refused"),
    (
        "lesion id with a terminal escape (ESC[31m)",
        lambda d: _rename_lesion(d, "T2", "T2\x1b[31m"),
        "refused, no raw control character on the terminal",
    ),
    (
        "T1 long_axis_mm = 4.9999999999999999999999",
        lambda d: _put(
            _get(d, "timepoints", 1, "targets", "T1"),
            "long_axis_mm",
            Raw("4.9999999999999999999999"),
        ),
        "refused, or exported with the same digits",
    ),
    (
        "organ '=1+1' (a CSV formula)",
        lambda d: _put(_get(d, "lesions", 0), "organ", "=1+1"),
        "refused, or escaped in the CSV",
    ),
]


def _anchor(
    job: tuple[int, float, Path],
) -> tuple[str, str, list[tuple[str, Result]], list[str]]:
    index, timeout, work = job
    name, change, expected = ANCHORS[index]
    folder = work / f"anchor-{index}"
    folder.mkdir(parents=True, exist_ok=True)
    doc = parse(EXAMPLE.read_text(encoding="utf-8"))
    change(doc)
    case = folder / "case.json"
    case.write_bytes(dump(doc).encode("utf-8", "surrogatepass"))
    env = child_env(folder / "home")
    db = folder / "reads.sqlite3"
    results = [
        ("assess", run(_respond(["assess", str(case)]), timeout=timeout, env=env)),
        (
            "import-case",
            run(
                _respond(["import-case", "--db", str(db), str(case)]),
                timeout=timeout,
                env=env,
            ),
        ),
    ]
    problems = []
    for command, result in results:
        if "terminal escape" in name and "\x1b" in result.stdout + result.stderr:
            problems.append(f"{command}: a raw ESC reached the terminal")
        if (
            expected.startswith("refused naming")
            and result.outcome == "exit 2 with message"
            and "T1" not in result.stderr
        ):
            problems.append(f"{command}: refused without naming T1")
        if expected in ("refused", "refused naming T1") and result.outcome == "exit 0":
            problems.append(f"{command}: accepted (exit 0)")
        if "terminal escape" in name and result.outcome == "exit 0":
            problems.append(f"{command}: accepted (exit 0)")
    imported = results[1][1]
    if imported.outcome == "exit 0" and "exported" in expected:
        export = run(
            _respond(["export-case", "--db", str(db), "HCC-0001", "-o", "-"]),
            timeout=timeout,
            env=env,
        )
        results.append(("export-case", export))
        if "4.9999999999999999999999" not in export.stdout:
            problems.append(
                "export-case: the stored digits 4.9999999999999999999999 changed"
            )
    if imported.outcome == "exit 0" and "CSV" in expected:
        out = folder / "r.csv"
        report = run(
            _respond(["report", "--db", str(db), "HCC-0001", "--csv", str(out)]),
            timeout=timeout,
            env=env,
        )
        results.append(("report --csv", report))
        if out.exists():
            cells = [
                c
                for row in csv.reader(io.StringIO(out.read_text(errors="replace")))
                for c in row
            ]
            if any(c.startswith("=1+1") for c in cells):
                problems.append("report --csv: a cell starts with =1+1 (not escaped)")
    shutil.rmtree(folder, ignore_errors=True)
    return name, expected, results, problems


def run_anchors(timeout: float, work: Path, workers: int = 2) -> Table:
    """The inputs issue 12 names, each with its expectation."""
    table = Table(
        "Inputs named in issue 12 (always run; expected: refused with exit 2, or the check)",
        columns=(*CLASSES, "expectation not met"),
        always=("exit 70", "hang", "expectation not met"),
    )
    jobs = [(i, timeout, work) for i in range(len(ANCHORS))]
    for name, expected, results, problems in pool_map(_anchor, jobs, workers):
        row = f"{name} [{expected}]"
        for command, result in results:
            table.add(row, result, f"{name}: respond {command}")
        for problem in problems:
            table.count(row, "expectation not met")
            table.example("expectation not met", f"{name}: {problem}")
    return table
