"""Part 2: database fault injection.

A database with five patients is prepared with ``respond import-case``; patient
PAT-ALPHA is then edited by :mod:`reliability.editor`, which is killed with
SIGKILL so that its committed edits sit in the WAL (the "WAL" copy). A clean
copy has the WAL checkpointed into the main file. Each fault instance takes a
fresh copy, damages it in one way and runs six commands on it:

``patients``, ``assess --db`` (PAT-BRAVO), ``export-case`` (PAT-ALPHA, whose
committed edits are compared with what the editor printed), ``report --csv``
(PAT-BRAVO), ``report --all --csv`` and ``import-case`` (a write).

Besides the exit classes it counts: a command that exits 0 on damaged data
without a word while patients are missing (``silently incomplete``); an
export that exits 0 without an edit the editor had printed as committed
(``committed edit silently lost``); an ``import-case`` that exits 0 into a file
``PRAGMA integrity_check`` calls damaged (``write accepted into a damaged
file``); and, where the data is intact but the medium is read-only, full or
locked, a read command that fails (``read failed on intact data``) or a read
whose message says a change was not saved (``'not saved' said on a read``).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from reliability.common import (
    CLASSES,
    RESPOND,
    Result,
    Table,
    as_unprivileged,
    child_env,
    chown_tree,
    example_case,
    import_examples,
    kill_group,
    pool_map,
    run,
)
from reliability.kills import Ledger, Lines

PATIENTS = ["PAT-ALPHA", "PAT-BRAVO", "PAT-CHARLIE", "PAT-DELTA", "PAT-ECHO"]
EDITED, ASSESSED, DAMAGED_ROW = "PAT-ALPHA", "PAT-BRAVO", "PAT-CHARLIE"
EXTRA = (
    "silently incomplete",
    "damaged value read without a word",
    "committed edit silently lost",
    "write accepted into a damaged file",
    "read failed on intact data",
    "'not saved' said on a read",
)
COLUMNS = (*CLASSES, *EXTRA)
READ_COMMANDS = (
    "patients",
    "assess --db",
    "export-case",
    "report --csv",
    "report --all",
)

FAULTS = (
    "truncated (random length)",
    "truncated to zero bytes",
    "truncated at a page boundary",
    "header bytes flipped",
    "b-tree page bytes flipped",
    "WAL bytes flipped",
    "WAL truncated",
    "garbage bytes in a text column",
    "engine-breaking value in a column",
    "foreign SQLite database",
    "read-only file",
    "read-only folder",
    "folder not searchable",
    "read-only file system",
    "path is a directory",
    "path is a FIFO",
    "disk full",
    "locked (BEGIN EXCLUSIVE elsewhere)",
    "locked (exclusive locking mode elsewhere)",
)
ROW_FAULTS = {"garbage bytes in a text column", "engine-breaking value in a column"}
"""Faults in one patient's rows: assess, export and report then name that patient."""
INTACT = {
    "read-only file",
    "read-only folder",
    "read-only file system",
    "disk full",
    "locked (BEGIN EXCLUSIVE elsewhere)",
}
"""Faults that leave the data intact and readable: the read commands should work.

(In exclusive locking mode no other connection can read, whatever respond does.)
"""
RANDOM_FAULTS = (
    "truncated (random length)",
    "truncated at a page boundary",
    "header bytes flipped",
    "b-tree page bytes flipped",
    "WAL bytes flipped",
    "WAL truncated",
    "garbage bytes in a text column",
    "engine-breaking value in a column",
    "disk full",
)
"""The kinds whose damage is drawn at random: repeated after one round of all."""

HOLDER = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "mode":
    c.execute("PRAGMA locking_mode=EXCLUSIVE")
    c.execute("BEGIN IMMEDIATE")
    c.execute("CREATE TABLE IF NOT EXISTS reliability_lock (x)")
else:
    c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


def _flip(
    data: bytearray, rng: random.Random, start: int, end: int, count: int
) -> list[int]:
    spots = []
    for _ in range(count):
        if end <= start:
            break
        spot = rng.randrange(start, end)
        data[spot] ^= rng.randrange(1, 256)
        spots.append(spot)
    return sorted(spots)


class Bases:
    """The prepared databases: clean (no WAL) and with a WAL of committed edits."""

    def __init__(self, work: Path, timeout: float) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        wal_db = work / "wal" / "reads.sqlite3"
        wal_db.parent.mkdir(parents=True, exist_ok=True)
        import_examples(wal_db, PATIENTS, work / "setup")
        self.ledger = Ledger({Decimal("50.0")}, {22})
        self.notes: list[str] = []
        self._edit_and_kill(wal_db, timeout)
        wal = wal_db.with_name(wal_db.name + "-wal")
        self.wal_size = wal.stat().st_size if wal.exists() else 0
        shm = wal_db.with_name(wal_db.name + "-shm")
        with contextlib.suppress(FileNotFoundError):
            shm.unlink()
        self.wal_db = wal_db
        clean = work / "clean" / "reads.sqlite3"
        clean.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(wal_db, clean)
        if wal.exists():
            shutil.copy(wal, clean.with_name(clean.name + "-wal"))
        conn = sqlite3.connect(clean)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                clean.with_name(clean.name + suffix).unlink()
        self.clean_db = clean
        self.page_size = 4096
        self.new_case = work / "new.json"
        self.new_case.write_bytes(example_case("PAT-NEW"))

    def _edit_and_kill(self, db: Path, timeout: float) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "reliability.editor", str(db), EDITED, "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(self.work / "home"),
            start_new_session=True,
        )
        lines = Lines(process)
        lines.wait_for(1 + 30, timeout, process)
        kill_group(process)
        process.wait()
        lines.join()
        for line in lines.lines:
            self.ledger.feed(line)
        self.ledger.in_flight()
        self.notes.append(
            f"Set-up: {self.ledger.committed} edits of {EDITED} committed by an "
            "editing process, then kill -9"
        )


def _unprivileged_ok() -> bool:
    """Whether an ordinary user can mount a tmpfs in a user namespace."""
    probe = ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"]
    if not shutil.which("unshare"):
        return False
    try:
        done = subprocess.run(
            as_unprivileged(probe) if os.geteuid() == 0 else probe,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class Fault:
    """One fault instance: a folder with a damaged copy and the commands to run."""

    def __init__(
        self, bases: Bases, index: int, kind: str, seed: int, tmpfs: bool
    ) -> None:
        self.bases, self.index, self.kind, self.tmpfs = bases, index, kind, tmpfs
        self.rng = random.Random(f"{seed}:db:{index}")
        self.folder = bases.work / f"fault-{index}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.data = self.folder / "data"
        self.db = self.data / "reads.sqlite3"
        self.home = self.folder / "home"
        self.out = self.folder / "out"
        for path in (self.data, self.home, self.out):
            path.mkdir(parents=True)
        self.prefix: list[str] = []
        self.holder: subprocess.Popen[str] | None = None
        self.what = kind

    # -- making the fault -------------------------------------------------------
    def _copy(self, wal: bool) -> None:
        source = self.bases.wal_db if wal else self.bases.clean_db
        shutil.copy(source, self.db)
        source_wal = source.with_name(source.name + "-wal")
        if wal and source_wal.exists():
            shutil.copy(source_wal, self.db.with_name(self.db.name + "-wal"))

    def make(self) -> None:
        kind, rng = self.kind, self.rng
        wal = kind.startswith("WAL")
        self._copy(wal)
        db = self.db
        size = db.stat().st_size
        if kind == "truncated (random length)":
            cut = rng.randrange(0, size)
            os.truncate(db, cut)
            self.what = f"{kind}: {cut} of {size} bytes kept"
        elif kind == "truncated to zero bytes":
            os.truncate(db, 0)
        elif kind == "truncated at a page boundary":
            pages = size // self.bases.page_size
            keep = rng.randrange(1, pages)
            os.truncate(db, keep * self.bases.page_size)
            self.what = f"{kind}: {keep} of {pages} pages kept"
        elif kind == "header bytes flipped":
            data = bytearray(db.read_bytes())
            spots = _flip(data, rng, 0, 100, rng.choice((1, 1, 2, 4)))
            db.write_bytes(bytes(data))
            self.what = f"{kind} at {spots}"
        elif kind == "b-tree page bytes flipped":
            data = bytearray(db.read_bytes())
            page = rng.randrange(0, size // self.bases.page_size)
            start = page * self.bases.page_size + (100 if page == 0 else 0)
            spots = _flip(
                data,
                rng,
                start,
                (page + 1) * self.bases.page_size,
                rng.choice((1, 2, 8, 32)),
            )
            db.write_bytes(bytes(data))
            self.what = f"{kind}: page {page + 1}, offsets {spots[:8]}"
        elif wal:
            self._wal_fault()
        elif kind == "garbage bytes in a text column":
            self._garbage()
        elif kind == "engine-breaking value in a column":
            self._bad_value()
        elif kind == "foreign SQLite database":
            db.unlink()
            conn = sqlite3.connect(db)
            conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
            conn.execute("INSERT INTO notes (text) VALUES ('not respond')")
            conn.commit()
            conn.close()
        elif kind in ("read-only file", "read-only folder", "folder not searchable"):
            chown_tree(self.folder)
            if kind == "read-only file":
                db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            elif kind == "read-only folder":
                self.data.chmod(0o555)
            else:
                self.data.chmod(0o600)
            self.prefix = as_unprivileged([])
        elif kind == "read-only file system":
            self.prefix = [
                "unshare",
                "-rm",
                "sh",
                "-c",
                'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"',
                str(self.data),
            ]
        elif kind == "path is a directory":
            db.unlink()
            db.mkdir()
        elif kind == "path is a FIFO":
            db.unlink()
            os.mkfifo(db)
        elif kind == "disk full":
            self._disk_full(size)
        elif kind.startswith("locked"):
            self._lock("mode" if "locking mode" in kind else "exclusive")

    def _wal_fault(self) -> None:
        wal = self.db.with_name(self.db.name + "-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            self.what = (
                f"{self.kind}: no WAL was left after the kill (nothing to damage)"
            )
            return
        size = wal.stat().st_size
        if self.kind == "WAL truncated":
            cut = self.rng.randrange(0, size)
            os.truncate(wal, cut)
            self.what = f"{self.kind}: {cut} of {size} bytes kept"
            return
        data = bytearray(wal.read_bytes())
        where = self.rng.choice(("WAL header", "a frame header", "a frame's page"))
        frame = 24 + self.bases.page_size
        frames = (size - 32) // frame
        if where == "WAL header" or frames < 1:
            spots = _flip(data, self.rng, 0, 32, 1)
        else:
            n = self.rng.randrange(frames)
            start = 32 + n * frame
            if where == "a frame header":
                spots = _flip(data, self.rng, start, start + 24, 1)
            else:
                spots = _flip(
                    data, self.rng, start + 24, start + frame, self.rng.choice((1, 4))
                )
        wal.write_bytes(bytes(data))
        self.what = f"{self.kind}: {where} at {spots[:4]} of {size} bytes"

    def _garbage(self) -> None:
        conn = sqlite3.connect(self.db)
        table, column = self.rng.choice(
            (
                ("patient", "name"),
                ("lesion", "organ"),
                ("timepoint", "label"),
                ("timepoint", "date"),
                ("target", "long_axis_mm"),
                ("target", "status"),
                ("new_lesion", "finding_id"),
                ("clinical", "child_pugh"),
            )
        )
        blob = bytes(
            self.rng.randrange(256) for _ in range(self.rng.choice((1, 8, 64)))
        )
        conn.execute(
            f"UPDATE {table} SET {column} = CAST(? AS TEXT) "
            "WHERE rowid = (SELECT rowid FROM "
            + table
            + " WHERE patient_id = ? LIMIT 1)",
            (blob, DAMAGED_ROW),
        )
        conn.commit()
        conn.close()
        self.what = (
            f"{self.kind}: {table}.{column} of {DAMAGED_ROW} = {len(blob)} random bytes"
        )

    def _bad_value(self) -> None:
        conn = sqlite3.connect(self.db)
        table, column, value = self.rng.choice(
            (
                ("target", "long_axis_mm", "1e1000"),
                ("target", "long_axis_mm", "NaN"),
                ("target", "long_axis_mm", "-5"),
                ("target", "long_axis_mm", "abc"),
                ("target", "viable_mm", "1E999999999"),
                ("patient", "sd_min_days", 2**62),
                ("patient", "confirmation_min_days", -1),
                ("clinical", "fhsi8", 99),
                ("timepoint", "date", "2026-02-30"),
            )
        )
        conn.execute(
            f"UPDATE {table} SET {column} = ? WHERE rowid = "
            f"(SELECT rowid FROM {table} WHERE patient_id = ? LIMIT 1)",
            (value, DAMAGED_ROW),
        )
        conn.commit()
        conn.close()
        self.what = f"{self.kind}: {table}.{column} of {DAMAGED_ROW} = {value!r}"

    def _disk_full(self, size: int) -> None:
        spare = self.rng.choice((0, 0, 4096, 16384, 65536))
        seed_copy = self.folder / "seed.sqlite3"
        shutil.move(self.db, seed_copy)
        if self.tmpfs:
            megabytes = max(1, (size + spare) // 2**20 + 1)
            script = (
                'mount -t tmpfs -o size="$1"m tmpfs "$2" && cp "$3" "$2/reads.sqlite3" '
                '&& (dd if=/dev/zero of="$2/fill" bs=4096 2>/dev/null; '
                'truncate -s -"$4" "$2/fill") && shift 4 && exec "$@"'
            )
            self.prefix = [
                "unshare",
                "-rm",
                "sh",
                "-c",
                script,
                "sh",
                str(megabytes),
                str(self.data),
                str(seed_copy),
                str(spare),
            ]
            self.what = f"{self.kind}: tmpfs of {megabytes} MiB, {spare} bytes left"
        else:
            shutil.copy(seed_copy, self.db)
            limit = size + spare
            self.prefix = [
                "sh",
                "-c",
                'trap "" XFSZ; exec prlimit --fsize="$0" -- "$@"',
                str(limit),
            ]
            self.what = f"{self.kind}: RLIMIT_FSIZE {limit} bytes (file size + {spare})"

    def _lock(self, how: str) -> None:
        self.holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(self.db), how],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.holder.stdout is not None
        if self.holder.stdout.readline().strip() != "locked":
            self.what = f"{self.kind}: the holder could not take the lock"

    def release(self) -> None:
        """End the lock holder; make the folder removable again."""
        if self.holder is not None:
            with contextlib.suppress(Exception):
                assert self.holder.stdin is not None
                self.holder.stdin.close()
                self.holder.wait(timeout=10)
            if self.holder.poll() is None:
                self.holder.kill()
        with contextlib.suppress(OSError):
            self.data.chmod(0o755)

    # -- the commands -----------------------------------------------------------
    def commands(self) -> list[tuple[str, list[str]]]:
        db, out = str(self.db), self.out
        one_row = self.kind in ROW_FAULTS
        assessed = DAMAGED_ROW if one_row else ASSESSED
        exported = DAMAGED_ROW if one_row else EDITED
        return [
            ("patients", ["patients", "--db", db]),
            ("assess --db", ["assess", "--db", db, assessed]),
            ("export-case", ["export-case", "--db", db, exported, "-o", "-"]),
            (
                "report --csv",
                ["report", "--db", db, assessed, "--csv", str(out / "r.csv")],
            ),
            (
                "report --all",
                ["report", "--all", "--db", db, "--csv", str(out / "all.csv")],
            ),
            ("import-case", ["import-case", "--db", db, str(self.bases.new_case)]),
        ]


def _exported_edits_lost(result: Result, ledger: Ledger) -> str:
    """What a successful export of PAT-ALPHA lacks of the committed edits."""
    try:
        case = json.loads(result.stdout)
        timepoint = case["timepoints"][-1]
        long_axis = timepoint["targets"]["T1"].get("long_axis_mm")
        fhsi8 = timepoint.get("clinical", {}).get("fhsi8")
        findings = {n["id"] for n in timepoint.get("new_lesions", [])}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
    problems = []
    if ledger.long_ok and Decimal(str(long_axis)) not in ledger.long_ok:
        problems.append(
            f"T1 long axis {long_axis} (committed {sorted(map(str, ledger.long_ok))})"
        )
    if ledger.fhsi8_ok and fhsi8 not in ledger.fhsi8_ok:
        problems.append(f"FHSI-8 {fhsi8} (committed {sorted(ledger.fhsi8_ok)})")
    missing = ledger.required_new - findings
    if missing:
        problems.append(f"{len(missing)} committed new findings missing")
    return "; ".join(problems)


def _integrity(db: Path) -> str:
    if not db.is_file() or db.stat().st_size == 0:
        return "ok"
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"{type(exc).__name__}: {exc}"


def _keep_copy(fault: Fault) -> Path:
    """Copy the damaged files before respond touches them."""
    pristine = fault.folder / "pristine"
    pristine.mkdir()
    for name in ("reads.sqlite3", "reads.sqlite3-wal"):
        source = fault.data / name
        if source.is_file() and not source.is_symlink():
            with contextlib.suppress(OSError):
                shutil.copy(source, pristine / name)
    return pristine


def _run_fault(
    job: tuple[Bases, int, str, int, float, bool, Path],
) -> tuple[Fault, list[tuple[str, Result]], list[tuple[str, str, str]]]:
    bases, index, kind, seed, timeout, tmpfs, keep = job
    fault = Fault(bases, index, kind, seed, tmpfs)
    results: list[tuple[str, Result]] = []
    findings: list[tuple[str, str, str]] = []
    try:
        fault.make()
        pristine = _keep_copy(fault)
        env = child_env(fault.home)
        if kind in ("read-only file", "read-only folder", "folder not searchable"):
            chown_tree(fault.home)
            chown_tree(fault.out)
        for name, args in fault.commands():
            result = run([*fault.prefix, *RESPOND, *args], timeout=timeout, env=env)
            results.append((name, result))
            if (
                name == "patients"
                and result.outcome == "exit 0"
                and not result.stderr.strip()
            ):
                missing = [p for p in PATIENTS if p not in result.stdout]
                if missing:
                    findings.append(
                        (
                            name,
                            "silently incomplete",
                            f"{len(missing)} patients not listed",
                        )
                    )
            if (
                kind == "engine-breaking value in a column"
                and name in ("assess --db", "export-case", "report --csv")
                and result.outcome == "exit 0"
                and not result.stderr.strip()
            ):
                findings.append(
                    (name, "damaged value read without a word", "exit 0, no message")
                )
            if (
                name == "export-case"
                and result.outcome == "exit 0"
                and kind not in ROW_FAULTS
            ):
                lost = _exported_edits_lost(result, bases.ledger)
                if lost:
                    findings.append((name, "committed edit silently lost", lost))
            if name in READ_COMMANDS and kind in INTACT and result.outcome != "exit 0":
                findings.append(
                    (
                        name,
                        "read failed on intact data",
                        f"{result.detail}: {result.message(200)}",
                    )
                )
            if name in READ_COMMANDS and "not saved" in result.stderr:
                findings.append(
                    (name, "'not saved' said on a read", result.message(200))
                )
        fault.release()
        imported = results[-1][1] if results else None
        if imported is not None and imported.outcome == "exit 0" and kind not in INTACT:
            integrity = _integrity(fault.db)
            if integrity != "ok":
                findings.append(
                    (
                        "import-case",
                        "write accepted into a damaged file",
                        f"integrity_check: {integrity[:160]}",
                    )
                )
        bad = findings or any(
            c in ("exit 70", "crash signal", "hang", "traceback on stderr")
            for _, result in results
            for c in result.classes()
        )
        if bad and any(pristine.iterdir()):
            target = keep / f"db-fault-{seed}-{index}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(pristine, target)
    finally:
        fault.release()
        with contextlib.suppress(OSError):
            subprocess.run(
                ["chmod", "-R", "u+rwX", str(fault.folder)],
                check=False,
                capture_output=True,
            )
    return fault, results, findings


def run_db_faults(
    count: int, seed: int, timeout: float, work: Path, keep: Path, workers: int = 2
) -> list[Table]:
    """Run ``count`` fault instances (the kinds in turn); return two tables."""
    print("  db faults: preparing the databases", file=sys.stderr, flush=True)
    bases = Bases(work, timeout)
    tmpfs = _unprivileged_ok()
    by_fault = Table(
        "Database faults: outcome per fault (6 commands each)", columns=COLUMNS
    )
    by_command = Table(
        "Database faults: outcome per command", columns=COLUMNS, with_examples=False
    )
    by_fault.notes.extend(bases.notes)
    by_fault.notes.append(
        "Commands, on `reads.sqlite3` (5 patients): `respond patients`; `respond assess "
        f"--db reads.sqlite3 {ASSESSED}`; `respond export-case --db reads.sqlite3 {EDITED} -o -`; "
        f"`respond report --db reads.sqlite3 {ASSESSED} --csv r.csv`; `respond report --all "
        "--db reads.sqlite3 --csv all.csv`; `respond import-case --db reads.sqlite3 new.json`. "
        f"For the faults in one patient's rows, assess, export-case and report name {DAMAGED_ROW}"
    )
    by_fault.notes.append(
        f"WAL left by the killed editor: {bases.wal_size} bytes"
        + ("" if bases.wal_size else " (the WAL faults had nothing to damage)")
    )
    by_fault.notes.append(
        "Disk full: "
        + (
            "a tmpfs of a few MiB, mounted in a user namespace (no root needed), filled with a file"
            if tmpfs
            else "RLIMIT_FSIZE at the database's size (SIGXFSZ ignored): no tmpfs without root here"
        )
        + "; the reports are written to another file system, so the read commands "
        "measure the database side"
    )
    if os.geteuid() == 0:
        by_fault.notes.append(
            f"The harness ran as root: read-only file and folder commands ran as uid {65534} (setpriv), "
            "because root ignores file modes"
        )
    keep.mkdir(parents=True, exist_ok=True)
    kinds = list(FAULTS[:count]) + [
        RANDOM_FAULTS[i % len(RANDOM_FAULTS)] for i in range(count - len(FAULTS))
    ]
    jobs = [
        (bases, i, kind, seed, timeout, tmpfs, keep) for i, kind in enumerate(kinds)
    ]
    for kind in FAULTS[: min(count, len(FAULTS))]:
        by_fault.rows.setdefault(kind, collections.Counter())
    done = 0
    for fault, results, findings in pool_map(_run_fault, jobs, workers):
        done += 1
        if done % 10 == 0 or done == count:
            print(f"  db faults: {done}/{count}", file=sys.stderr, flush=True)
        for name, result in results:
            what = f"fault {fault.index} ({fault.what}): respond {name}"
            by_fault.add(fault.kind, result, what)
            by_command.add(name, result, what)
        for name, column, detail in findings:
            by_fault.count(fault.kind, column)
            by_command.count(name, column)
            text = f"fault {fault.index} ({fault.what}): respond {name}: {detail}"
            by_fault.example(column, text)
        shutil.rmtree(fault.folder, ignore_errors=True)
        time.sleep(0)
    return [by_fault, by_command]
