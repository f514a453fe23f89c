"""Part 3: kill -9 loops of an editing process and of the app.

A child (:mod:`reliability.editor`, the session API; or
:mod:`reliability.app_editor`, the main window and its undo commands) edits one
patient and prints each edit once it is committed. It is killed with SIGKILL at
a random moment: while starting, or after a random number of edits, between or
inside one. Then the database is opened as respond opens it and checked:
``PRAGMA integrity_check`` is ``ok``, and every edit printed as committed is
there (the last printed long axis and FHSI-8, or the one in flight; every
printed new finding). The next child continues the numbering.

When ``respond --db PATH`` starts the desktop app, every other app cycle starts
the real app on the database instead and kills it while it starts or idles.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reliability.common import RESPOND, Table, child_env, kill_group, run
from reliability.editor import fhsi8_value, kind_of, long_value

KILL_COLUMNS = (
    "cycles",
    "killed while starting",
    "killed while editing",
    "edits committed",
    "refused edits",
    "exited by itself",
    "traceback on stderr",
    "hang",
    "database unreadable after kill",
    "lost or reverted edit",
)


@dataclass
class Ledger:
    """What the database must hold: every value printed as committed."""

    long_ok: set[Decimal] = field(default_factory=set)
    fhsi8_ok: set[int] = field(default_factory=set)
    required_new: set[str] = field(default_factory=set)
    next_n: int = 0
    committed: int = 0

    def feed(self, line: str) -> bool:
        """Take one printed line; return whether it was a committed edit."""
        parts = line.split()
        if len(parts) < 2 or not parts[0].isdigit():
            return False
        n, kind = int(parts[0]), parts[1]
        self.next_n = max(self.next_n, n + 1)
        if kind == "refused":
            return False
        if kind == "long":
            self.long_ok = {Decimal(parts[2])} if parts[2] != "None" else set()
        elif kind == "fhsi8":
            self.fhsi8_ok = {int(parts[2])}
        elif kind == "new":
            self.required_new.add(parts[2])
        self.committed += 1
        return True

    def in_flight(self) -> None:
        """After a kill: the next edit may or may not have been committed."""
        n = self.next_n
        kind = kind_of(n)
        if kind == "long":
            self.long_ok.add(long_value(n))
        elif kind == "fhsi8":
            self.fhsi8_ok.add(fhsi8_value(n))
        self.next_n = n + 1


def check(db: Path, patient: str, ledger: Ledger) -> tuple[str, str]:
    """Open the database as respond does and compare it with the ledger.

    Returns (outcome, detail): ``ok``, ``database unreadable after kill`` or
    ``lost or reverted edit``.
    """
    from respond.store import open_store

    try:
        with open_store(db) as store:
            read = store.load(patient)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except Exception as exc:
        return "database unreadable after kill", f"{type(exc).__name__}: {exc}"
    if integrity != "ok":
        return "database unreadable after kill", f"integrity_check: {integrity}"
    timepoint = read.timepoints[-1].timepoint
    target = timepoint.targets.get("T1")  # type: ignore[call-overload]
    problems = []
    long_axis = target.long_axis_mm if target else None
    if ledger.long_ok and long_axis not in ledger.long_ok:
        problems.append(
            f"T1 long axis {long_axis}, committed {sorted(map(str, ledger.long_ok))}"
        )
    fhsi8 = timepoint.clinical.fhsi8
    if ledger.fhsi8_ok and fhsi8 not in ledger.fhsi8_ok:
        problems.append(f"FHSI-8 {fhsi8}, committed {sorted(ledger.fhsi8_ok)}")
    missing = ledger.required_new - {n.id for n in timepoint.new_lesions}
    if missing:
        problems.append(f"new findings missing: {sorted(missing)[:5]}")
    if problems:
        return "lost or reverted edit", "; ".join(problems)
    return "ok", ""


class Lines:
    """Collect a child's stdout lines in a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.strip())

    def wait_for(
        self, count: int, timeout: float, process: subprocess.Popen[str]
    ) -> bool:
        """Wait until ``count`` lines arrived; False at the timeout or the child's end."""
        deadline = time.monotonic() + timeout
        while len(self.lines) < count:
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True

    def join(self) -> None:
        """Wait for the end of the output (after the child died)."""
        self._thread.join(timeout=10)


def _cycle(
    table: Table,
    row: str,
    argv: list[str],
    env: dict[str, str],
    rng: random.Random,
    ledger: Ledger,
    db: Path,
    patient: str,
    timeout: float,
    *,
    startup_s: float,
    max_edits: int,
) -> None:
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines = Lines(process)
    table.count(row, "cycles")
    hang = False
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, startup_s))
        table.count(row, "killed while starting")
    else:
        wanted = 1 + rng.randint(0, max_edits)
        if not lines.wait_for(wanted, timeout, process):
            hang = process.poll() is None
        time.sleep(rng.uniform(0.0, 0.01))
        table.count(row, "killed while editing")
    ended_by_itself = process.poll() is not None
    kill_group(process)
    process.wait()
    lines.join()
    assert process.stderr is not None
    errors = process.stderr.read()
    for line in lines.lines:
        if ledger.feed(line):
            table.count(row, "edits committed")
        elif " refused" in line:
            table.count(row, "refused edits")
            table.example("refused edits", f"{row}: {line[:200]}")
    ledger.in_flight()
    if hang:
        table.count(row, "hang")
        table.example("hang", f"{row}: no progress in {timeout:.0f} s")
    if ended_by_itself:
        table.count(row, "exited by itself")
        table.example(
            "exited by itself",
            f"{row}: exit {process.returncode}: {errors.strip()[-300:]}",
        )
    if "Traceback (most recent call last)" in errors:
        table.count(row, "traceback on stderr")
        table.example("traceback on stderr", f"{row}: {errors.strip()[-400:]}")
    outcome, detail = check(db, patient, ledger)
    if outcome != "ok":
        table.count(row, outcome)
        table.example(outcome, f"{row}, cycle {table.rows[row]['cycles']}: {detail}")
        # Start the next cycle from what is there, so one loss is counted once.
        _resync(db, patient, ledger)


def _resync(db: Path, patient: str, ledger: Ledger) -> None:
    from respond.store import open_store

    with contextlib.suppress(Exception), open_store(db) as store:
        timepoint = store.load(patient).timepoints[-1].timepoint
        target = timepoint.targets.get("T1")  # type: ignore[call-overload]
        ledger.long_ok = {target.long_axis_mm} if target else set()
        ledger.fhsi8_ok = {timepoint.clinical.fhsi8}
        ledger.required_new &= {n.id for n in timepoint.new_lesions}


def app_supports_db(work: Path, db: Path, timeout: float = 8.0) -> tuple[bool, str]:
    """Whether ``respond --db PATH`` starts the app (else it is a usage error)."""
    home = work / "probe-home"
    result = run(
        [*RESPOND, "--db", str(db)],
        timeout=timeout,
        env=child_env(home),
    )
    if result.timed_out:
        return True, "respond --db PATH started the app (still running after the probe)"
    return False, (
        f"respond --db PATH is not supported ({result.detail}: {result.message(200)})"
    )


def run_kills(
    editor_kills: int,
    app_kills: int,
    seed: int,
    timeout: float,
    work: Path,
    setup: callable,  # type: ignore[valid-type]
) -> list[Table]:
    """Run both loops, each on its own database, side by side (one core each)."""
    always = ("hang", "database unreadable after kill", "lost or reverted edit")
    editor = Table(
        "kill -9 of an editing process (session API)",
        columns=KILL_COLUMNS,
        always=always,
    )
    app = Table(
        "kill -9 of the app (main window, undo commands)",
        columns=KILL_COLUMNS,
        always=always,
    )
    work.mkdir(parents=True, exist_ok=True)
    editor_db, app_db = work / "editor.sqlite3", work / "app.sqlite3"
    patient = setup(editor_db)
    setup(app_db)
    supported, probe = app_supports_db(work, work / "probe.sqlite3")
    app.notes.append(probe + ".")
    if supported:
        app.notes.append(
            "The real app makes no edits here: it is killed 0.1 to 3 s after its start "
            "(starting, or idle at the patient list), then the database is checked"
        )
    env = child_env(work / "home")

    def editor_loop() -> None:
        rng = random.Random(f"{seed}:editor")
        ledger = Ledger({Decimal("50.0")}, {22})
        for _ in range(editor_kills):
            argv = [
                sys.executable,
                "-m",
                "reliability.editor",
                str(editor_db),
                patient,
                str(ledger.next_n),
            ]
            _cycle(
                editor,
                "editor",
                argv,
                env,
                rng,
                ledger,
                editor_db,
                patient,
                timeout,
                startup_s=0.6,
                max_edits=60,
            )

    def app_loop() -> None:
        rng = random.Random(f"{seed}:app")
        ledger = Ledger({Decimal("50.0")}, {22})
        for cycle in range(app_kills):
            if supported and cycle % 2 == 1:
                _real_app_cycle(app, rng, ledger, app_db, patient, env)
                continue
            argv = [
                sys.executable,
                "-m",
                "reliability.app_editor",
                str(app_db),
                patient,
                str(ledger.next_n),
                str(work / "app-settings.ini"),
            ]
            _cycle(
                app,
                "main window",
                argv,
                env,
                rng,
                ledger,
                app_db,
                patient,
                timeout,
                startup_s=2.5,
                max_edits=40,
            )

    threads = [threading.Thread(target=editor_loop), threading.Thread(target=app_loop)]
    for thread in threads:
        thread.start()
    last = time.monotonic()
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        if time.monotonic() - last > 30:
            last = time.monotonic()
            done_e = editor.rows.get("editor", {}).get("cycles", 0)
            done_a = sum(c.get("cycles", 0) for c in app.rows.values())
            print(
                f"  kills: editor {done_e}/{editor_kills}, app {done_a}/{app_kills}",
                file=sys.stderr,
                flush=True,
            )
    for thread in threads:
        thread.join()
    return [editor, app]


def _real_app_cycle(
    table: Table,
    rng: random.Random,
    ledger: Ledger,
    db: Path,
    patient: str,
    env: dict[str, str],
) -> None:
    row = "respond --db (real app)"
    process = subprocess.Popen(
        [*RESPOND, "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    table.count(row, "cycles")
    time.sleep(rng.uniform(0.1, 3.0))
    ended = process.poll() is not None
    kill_group(process)
    _, errors = process.communicate()
    table.count(row, "killed while starting")
    if ended:
        table.count(row, "exited by itself")
        table.example("exited by itself", f"{row}: {errors.strip()[-300:]}")
    if "Traceback (most recent call last)" in errors:
        table.count(row, "traceback on stderr")
    outcome, detail = check(db, patient, ledger)
    if outcome != "ok":
        table.count(row, outcome)
        table.example(outcome, f"{row}: {detail}")
        _resync(db, patient, ledger)
