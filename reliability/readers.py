"""Part 4: two processes editing the same patient.

Two :mod:`reliability.reader` processes (readers A and B) open the same patient
of one database. Two kinds of episode, each on a fresh patient:

- **Interleaved** (deterministic for a seed): the driver picks, step by step, a
  reader and an edit (long axis, viable diameter, a caliper, FHSI-8, ECOG, the
  label, a non-target, a new finding, or the window's poll ``refresh_if_changed``)
  and ends some episodes with a sign-off or a decision. After each step it loads
  the patient afresh and compares with the state before the step and with what
  the acting reader had on screen (``seen``).
- **Simultaneous**: both readers make 20 edits as fast as they can at the same
  time, either of different fields (A the long axis, B the viable diameter and
  FHSI-8) or of the same field (both the long axis). The audit trail's
  before/after of each write is compared with what its writer had seen.

Every edit must land or be refused with ``StaleEditError``. Counted as lost or
reverted: a landed edit that overwrote a value its writer had not seen
(``overwrote an unseen edit``: last writer wins), a landed edit that changed a
field it did not mean to change (``reverted a committed edit``), and an edit
reported as landed that is not in the database (``edit reported but not
stored``). Also counted: a sign-off or decision on content the reader had not
seen, a refused edit that was written anyway, and a refusal when nothing had
changed (``stale refusal without a change``: spurious, but safe).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from reliability.common import EXAMPLE, Table, child_env, import_examples, kill_group
from reliability.kills import Lines
from reliability.reader import FIELDS, view

COLUMNS = (
    "edits tried",
    "landed",
    "refused as stale (StaleEditError)",
    "other refusal",
    "stale refusal without a change",
    "unexpected error (not a RespondError)",
    "reader process died",
    "hang",
    "overwrote an unseen edit",
    "reverted a committed edit",
    "edit reported but not stored",
    "refused but written",
    "signed or decided on unseen content",
)
LOST = (
    "overwrote an unseen edit",
    "reverted a committed edit",
    "edit reported but not stored",
)
WEIGHTS = {
    "long": 3,
    "viable": 2,
    "caliper-long": 2,
    "caliper-viable": 2,
    "fhsi8": 2,
    "ecog": 1,
    "label": 1,
    "n1": 1,
    "new": 1,
    "refresh": 2,
}
CONTENT = ("long", "viable", "fhsi8", "ecog", "label", "n1", "new")


class Reader:
    """One reader process."""

    def __init__(
        self, db: Path, name: str, env: dict[str, str], timeout: float
    ) -> None:
        self.name, self.timeout = name, timeout
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reliability.reader", str(db), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines = Lines(self.process)
        self.taken = 0
        self.errors = ""

    def send(self, command: dict[str, Any]) -> None:
        """Send one command."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def receive(self) -> Any:
        """The next answer; raises TimeoutError (no answer) or EOFError (it died)."""
        if not self.lines.wait_for(self.taken + 1, self.timeout, self.process):
            if self.process.poll() is None:
                raise TimeoutError(self.name)
            raise EOFError(self.name)
        self.taken += 1
        return json.loads(self.lines.lines[self.taken - 1])

    def ask(self, command: dict[str, Any]) -> Any:
        """Send a command and wait for its answer."""
        self.send(command)
        return self.receive()

    def close(self) -> str:
        """Quit (or kill) the process; return its stderr."""
        with contextlib.suppress(Exception):
            self.send({"op": "quit"})
            assert self.process.stdin is not None
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            self.process.wait()
        assert self.process.stderr is not None
        self.errors = self.process.stderr.read()
        return self.errors


def _truth(db: Path, patient: str) -> dict[str, Any]:
    from respond.store import open_store

    with open_store(db) as store:
        return view(store.load(patient))


def _value(kind: str, rng: random.Random, used: set[str]) -> Any:
    if kind in ("long", "viable", "caliper-long", "caliper-viable"):
        while True:
            value = str(Decimal(rng.randint(100, 3000)) / 10)
            if value not in used:
                used.add(value)
                return value
    if kind == "fhsi8":
        return rng.randint(0, 32)
    if kind == "ecog":
        return rng.randint(0, 4)
    if kind == "label":
        return f"FU{rng.randint(2, 999)}"
    if kind == "n1":
        return rng.choice(("present", "absent", "not_evaluated"))
    if kind == "new":
        return f"Y{rng.randint(0, 10**6)}"
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        with contextlib.suppress(Exception):
            return Decimal(a) == Decimal(b)
    return a == b


def judge(
    table: Table,
    row: str,
    reader: str,
    kind: str,
    value: Any,
    answer: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    where: str,
) -> None:
    """Count one interleaved step (see the module docstring)."""
    table.count(row, "edits tried")
    seen = answer.get("seen", {})
    fields = FIELDS[kind]

    def finding(column: str, detail: str) -> None:
        table.count(row, column)
        table.example(column, f"{where}: {reader} {kind} {value!r}: {detail}")

    if not answer.get("ok"):
        if answer.get("error") == "StaleEditError":
            table.count(row, "refused as stale (StaleEditError)")
            if after != before:
                finding("refused but written", f"database {before} -> {after}")
            if seen == before:
                finding(
                    "stale refusal without a change", answer.get("message", "")[:160]
                )
        elif "traceback" in answer:
            finding(
                "unexpected error (not a RespondError)",
                f"{answer['error']}: {answer.get('message', '')[:200]}",
            )
        else:
            table.count(row, "other refusal")
            table.example(
                "other refusal",
                f"{where}: {reader} {kind}: {answer['error']}: {answer.get('message', '')[:160]}",
            )
        return
    table.count(row, "landed")
    for field in fields:
        if field == "new":
            stored = value in after["new"]
        elif field in ("signed", "decision"):
            stored = after[field] == reader
        elif kind.startswith("caliper") or field in ("long", "viable"):
            stored = _same(after[field], value)
        else:
            stored = after[field] == value
        if not stored:
            finding("edit reported but not stored", f"{field} is {after[field]!r}")
        if (
            field in CONTENT
            and field != "new"
            and not _same(seen.get(field), before[field])
        ):
            finding(
                "overwrote an unseen edit",
                f"{field}: the reader saw {seen.get(field)!r}, the database had "
                f"{before[field]!r}, now {after[field]!r}",
            )
    for other in before:
        if other not in fields and not _same(after[other], before[other]):
            finding(
                "reverted a committed edit",
                f"{other} changed {before[other]!r} -> {after[other]!r} "
                f"(the reader saw {seen.get(other)!r})",
            )
    if kind in ("sign", "decide"):
        unseen = [k for k in CONTENT if not _same(seen.get(k), before[k])]
        if unseen:
            finding(
                "signed or decided on unseen content",
                ", ".join(
                    f"{k}: saw {seen.get(k)!r}, stored {before[k]!r}" for k in unseen
                ),
            )


def _interleaved(
    table: Table,
    readers: dict[str, Reader],
    db: Path,
    patient: str,
    rng: random.Random,
    episode: int,
) -> None:
    row = "interleaved"
    for reader in readers.values():
        reader.ask({"op": "open", "patient": patient})
    used: set[str] = set()
    kinds = list(WEIGHTS)
    steps = [
        (
            rng.choice(list(readers)),
            rng.choices(kinds, weights=list(WEIGHTS.values()))[0],
        )
        for _ in range(rng.randint(6, 14))
    ]
    if rng.random() < 0.3:
        steps.append((rng.choice(list(readers)), "decide"))
    if rng.random() < 0.4:
        steps.append((rng.choice(list(readers)), "sign"))
    for step, (name, kind) in enumerate(steps):
        value = _value(kind, rng, used)
        before = _truth(db, patient)
        answer = readers[name].ask({"op": kind, "value": value})
        after = _truth(db, patient)
        judge(
            table,
            row,
            name,
            kind,
            value,
            answer,
            before,
            after,
            f"episode {episode} step {step}",
        )


def _simultaneous(
    table: Table,
    readers: dict[str, Reader],
    db: Path,
    patient: str,
    rng: random.Random,
    same: bool,
) -> None:
    row = "simultaneous, same field" if same else "simultaneous, different fields"
    for reader in readers.values():
        reader.ask({"op": "open", "patient": patient})
    used: set[str] = set()
    plans: dict[str, list[list[Any]]] = {}
    for name in readers:
        plan = []
        for _ in range(20):
            if same or name == "Reader A":
                kind = "long"
            else:
                kind = rng.choice(("viable", "caliper-viable", "fhsi8"))
            plan.append(
                [
                    kind,
                    _value(kind, rng, used) if kind != "fhsi8" else rng.randint(0, 32),
                ]
            )
        plans[name] = plan
    for name, reader in readers.items():
        reader.send({"op": "run", "ops": plans[name]})
    answers = {}
    for name, reader in readers.items():
        answers[name] = reader.receive()
    _judge_audit(table, row, db, patient, plans, answers, same)


def _judge_audit(
    table: Table,
    row: str,
    db: Path,
    patient: str,
    plans: dict[str, list[list[Any]]],
    answers: dict[str, list[dict[str, Any]]],
    same: bool,
) -> None:
    """Check each landed write against its audit entry (before/after)."""
    from respond.store import open_store

    with open_store(db) as store:
        audit = [e for e in store.audit(patient) if e.who in plans]
        final = view(store.load(patient))
    last: dict[str, Any] = {}
    used: set[int] = set()
    for name, plan in plans.items():
        for (kind, value), answer in zip(plan, answers[name], strict=True):
            table.count(row, "edits tried")
            if not answer.get("ok"):
                if answer.get("error") == "StaleEditError":
                    table.count(row, "refused as stale (StaleEditError)")
                elif "traceback" in answer:
                    table.count(row, "unexpected error (not a RespondError)")
                    table.example(
                        "unexpected error (not a RespondError)",
                        f"{row}: {name} {kind}: {answer['error']}: {answer.get('message', '')[:200]}",
                    )
                else:
                    table.count(row, "other refusal")
                    table.example(
                        "other refusal",
                        f"{row}: {name} {kind}: {answer['error']}: {answer.get('message', '')[:160]}",
                    )
                continue
            table.count(row, "landed")
            field = FIELDS[kind][0]
            last[field] = value
            entry = _entry(audit, used, name, field, value)
            if entry is None:
                table.count(row, "edit reported but not stored")
                table.example(
                    "edit reported but not stored",
                    f"{row}: {name} {kind} {value}: no audit entry",
                )
                continue
            before, after = entry
            seen = answer["seen"]
            if not _same(before.get(field), seen.get(field)):
                table.count(row, "overwrote an unseen edit")
                table.example(
                    "overwrote an unseen edit",
                    f"{row}: {name} wrote {field} {value}: saw {seen.get(field)!r}, "
                    f"the database had {before.get(field)!r}",
                )
            for other in before:
                if other != field and not _same(before[other], after.get(other)):
                    table.count(row, "reverted a committed edit")
                    table.example(
                        "reverted a committed edit",
                        f"{row}: {name} wrote {field} {value} and changed {other} "
                        f"{before[other]!r} -> {after.get(other)!r}",
                    )
    if not same:
        for field in ("long", "viable", "fhsi8"):
            if field in last and not _same(final[field], last[field]):
                owner = [
                    n
                    for n, plan in plans.items()
                    if any(FIELDS[k][0] == field for k, _ in plan)
                ]
                if len(owner) == 1:
                    table.count(row, "reverted a committed edit")
                    table.example(
                        "reverted a committed edit",
                        f"{row}: {field} is {final[field]!r} at the end, its only writer "
                        f"{owner[0]} last committed {last[field]!r}",
                    )


def _entry(
    audit: list[Any], used: set[int], who: str, field: str, value: Any
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The audit entry of ``who``'s next write of ``value`` into ``field``, flattened.

    Entries are taken in order and each only once (``used``), so a value written
    twice by the same reader matches its own entry each time.
    """
    for entry in audit:
        if entry.id in used or entry.who != who or not entry.after:
            continue
        try:
            before = _flat(json.loads(entry.before)) if entry.before else {}
            after = _flat(json.loads(entry.after))
        except (ValueError, TypeError):
            continue
        if field in after and _same(after[field], value):
            used.add(entry.id)
            return before, after
    return None


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """The followed fields of a target or clinical audit record."""
    measurement = data.get("measurement")
    if isinstance(measurement, dict):
        return {
            "long": measurement.get("long_axis_mm"),
            "viable": measurement.get("viable_mm"),
        }
    if "fhsi8" in data:
        return {"fhsi8": data.get("fhsi8"), "ecog": data.get("ecog")}
    return {}


def _patients(db: Path, ids: list[str], work: Path) -> None:
    """Store the example under each id (store API; the command line if that fails)."""
    try:
        from respond.casefile import load_case, read_case_file
        from respond.session import read_from_case
        from respond.store import open_store

        read = read_from_case(load_case(read_case_file(EXAMPLE)))
        with open_store(db) as store:
            for patient in ids:
                store.create_patient(
                    dataclasses.replace(
                        read, patient=dataclasses.replace(read.patient, id=patient)
                    ),
                    who="reliability set-up",
                )
    except Exception:
        db.unlink(missing_ok=True)
        import_examples(db, ids, work / "setup")


def run_readers(episodes: int, seed: int, timeout: float, work: Path) -> list[Table]:
    """Run the interleaved and simultaneous episodes; return one table."""
    table = Table(
        "Two processes editing one patient",
        columns=COLUMNS,
        always=("hang", *LOST, "signed or decided on unseen content"),
    )
    work.mkdir(parents=True, exist_ok=True)
    db = work / "readers.sqlite3"
    simultaneous = max(1, episodes // 5)
    ids = [f"E-{i:03d}" for i in range(episodes + 2 * simultaneous)]
    _patients(db, ids, work)
    env = child_env(work / "home")
    rng = random.Random(f"{seed}:readers")
    readers: dict[str, Reader] = {}

    def start() -> None:
        for name in ("Reader A", "Reader B"):
            readers[name] = Reader(db, name, env, timeout)

    def restart(problem: str) -> None:
        table.count(
            "interleaved" if "interleaved" in problem else problem.split(":")[0],
            "hang" if "Timeout" in problem else "reader process died",
        )
        for reader in readers.values():
            errors = reader.close()
            if errors.strip():
                table.example(
                    "reader process died", f"{problem}: {errors.strip()[-400:]}"
                )
        start()

    start()
    started = time.monotonic()
    for episode in range(episodes + 2 * simultaneous):
        patient = ids[episode]
        try:
            if episode < episodes:
                _interleaved(table, readers, db, patient, rng, episode)
            else:
                same = (episode - episodes) % 2 == 1
                _simultaneous(table, readers, db, patient, rng, same)
        except (TimeoutError, EOFError) as exc:
            restart(
                f"interleaved episode {episode}: {type(exc).__name__} {exc}"
                if episode < episodes
                else f"simultaneous: {type(exc).__name__} {exc}"
            )
        if episode % 10 == 9:
            print(
                f"  two readers: {episode + 1}/{len(ids)} episodes "
                f"({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    for reader in readers.values():
        errors = reader.close()
        if "Traceback" in errors:
            table.example("reader process died", errors.strip()[-400:])
    return [table]
