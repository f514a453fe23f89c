"""Run cases in forked children with limits; classify what each one did.

The parent imports respond, pydicom, numpy and SimpleITK once and forks a child
per case (at most ``workers`` at a time), so a case costs a fork, not a Python
start. Each child gets an address-space limit (``RLIMIT_AS``), a CPU-time limit
and no core files; the parent kills it at the wall-clock timeout. Its peak
resident memory comes from ``wait4`` (``ru_maxrss``), so it is measured even
when the child is killed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fuzz.child import Recorder, exercise, pixels_only_changed, preload
from fuzz.mutate import DEFAULT_SEED, make_case
from fuzz.seeds import REPO, seed_sources

CLASSES: Final = (
    "ok",
    "refused",
    "decode",
    "lie",
    "escape",
    "memory",
    "crash",
    "hang",
    "harness error",
)
BAD: Final = ("hang", "crash", "memory", "escape", "lie")
"""The goal: none of these. Their cases are kept as reproducers."""
RANK: Final = {
    name: rank
    for rank, name in enumerate(
        (
            "hang",
            "crash",
            "memory",
            "escape",
            "lie",
            "harness error",
            "decode",
            "refused",
            "ok",
        )
    )
}
KEEP_LIMIT: Final = 64 * 2**20
"""Files larger than this (sparse multi-GB files) are described, not copied."""
HARNESS_EXIT: Final = 3

Body = Callable[[int, Path, Recorder], None]
"""What a child runs for a case: (number, case folder, recorder)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-child limits."""

    timeout_s: float = 20.0
    """Wall clock: a child still running then is a hang."""
    address_space: int = 0
    """``RLIMIT_AS`` in bytes; 0: the parent's size at start + ``headroom``."""
    headroom: int = 3 * 2**29
    """Address space allowed beyond the parent's (1.5 GiB)."""
    spike: int = 2**30
    """Peak resident memory above this is a memory spike (1 GiB)."""

    def address_space_bytes(self) -> int:
        """Return the ``RLIMIT_AS`` each child gets."""
        return self.address_space or vm_size() + self.headroom


@dataclass
class Result:
    """One case: its class, where and why, its cost, and the damage done."""

    case: int
    outcome: str
    where: str = ""
    message: str = ""
    reason: str = ""
    seconds: float = 0.0
    peak_bytes: int = 0
    mutation: dict[str, object] = field(default_factory=dict)
    observations: list[dict[str, str]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The kind of damage (or ``?`` when the child died before saying)."""
        return str(self.mutation.get("kind", "?"))

    def line(self) -> str:
        """One line: mutation -> class at step: message."""
        what = self.mutation.get("what", "")
        seed = self.mutation.get("seed", "?")
        return (
            f"case {self.case}: {self.kind} [{seed}] {what} -> {self.outcome}"
            + (f" in {self.where}" if self.where else "")
            + (f": {self.message}" if self.message else "")
        )


def vm_size() -> int:
    """Return the virtual memory size of the harness in bytes (``VmSize``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def respond_body(seed_value: int) -> Body:
    """Return the real case's body: damage a seed, then run what a user runs."""

    def body(number: int, home: Path, rec: Recorder) -> None:
        folder = home / "data"
        folder.mkdir()
        rec.root = str(folder)
        rec.step("mutate")
        try:
            mutation = make_case(number, folder, seed_value)
        except Exception as exc:  # noqa: BLE001 - a harness bug, reported as such
            rec.send({"harness": f"mutation failed: {type(exc).__name__}: {exc}"})
            os._exit(HARNESS_EXIT)
        rec.send({"mutation": dataclasses.asdict(mutation)})
        damaged = [
            folder / p for p in [mutation.file.split(" (")[0], *mutation.touched]
        ]
        sources = seed_sources(
            mutation.seed, folder, dicomdir=mutation.dicomdir or "DICOMDIR"
        )
        inside = [p for p in damaged if pixels_only_changed(p, sources.get(p))]
        exercise(folder / mutation.scan, folder, damaged, rec, pixels_damaged=inside)

    return body


def _child(number: int, home: Path, body: Body, fd: int, limits: Limits) -> None:
    """Run the forked child: limits, quiet output, the body, a last report.

    Never returns: the child ends in ``os._exit``.
    """
    code = 0
    try:
        address = limits.address_space_bytes()
        resource.setrlimit(resource.RLIMIT_AS, (address, address))
        cpu = max(1, int(limits.timeout_s))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        output = os.open(home / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(output, 1)
        os.dup2(output, 2)
        faulthandler.enable()
        warnings.simplefilter("ignore")
        rec = Recorder(fd)
        body(number, home, rec)
        rec.send({"done": True})
    except BaseException:  # noqa: BLE001 - the child must end in os._exit
        code = HARNESS_EXIT
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
    finally:
        os._exit(code)


@dataclass
class _Running:
    number: int
    pid: int
    fd: int
    home: Path
    started: float
    buffer: bytes = b""
    killed: bool = False


def run_cases(
    numbers: Iterable[int],
    work: Path,
    *,
    workers: int = 2,
    limits: Limits | None = None,
    body: Body | None = None,
    seed_value: int = DEFAULT_SEED,
) -> Iterator[Result]:
    """Run each case in a forked child, ``workers`` at a time; yield the results.

    Results come in the order the children finish. The case folders stay in
    ``work`` (``case-N``) until the caller removes or keeps them.
    """
    limits = limits or Limits()
    limits = dataclasses.replace(limits, address_space=limits.address_space_bytes())
    body = body or respond_body(seed_value)
    preload()
    pending = iter(numbers)
    running: dict[int, _Running] = {}
    try:
        yield from _loop(pending, running, work, body, limits, workers)
    finally:
        for pid, child in running.items():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(child.fd)


def _loop(
    pending: Iterator[int],
    running: dict[int, _Running],
    work: Path,
    body: Body,
    limits: Limits,
    workers: int,
) -> Iterator[Result]:
    exhausted = False
    while running or not exhausted:
        while not exhausted and len(running) < workers:
            number = next(pending, None)
            if number is None:
                exhausted = True
                break
            started = _start(number, work, body, limits)
            running[started.pid] = started
        if not running:
            break
        _read(running, 0.05)
        now = time.monotonic()
        for pid, child in list(running.items()):
            if not child.killed and now - child.started > limits.timeout_s:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                child.killed = True
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == 0:
                continue
            del running[pid]
            child.buffer += _drain(child.fd)
            os.close(child.fd)
            yield _classify(child, status, usage, limits, now)


def _start(number: int, work: Path, body: Body, limits: Limits) -> _Running:
    home = work / f"case-{number}"
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(number, home, body, write_fd, limits)
    os.close(write_fd)
    os.set_blocking(read_fd, False)
    return _Running(number, pid, read_fd, home, time.monotonic())


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _read(running: dict[int, _Running], timeout: float) -> None:
    by_fd = {child.fd: child for child in running.values()}
    ready, _, _ = select.select(list(by_fd), [], [], timeout)
    for fd in ready:
        by_fd[fd].buffer += _drain(fd)


def _classify(
    child: _Running,
    status: int,
    usage: resource.struct_rusage,
    limits: Limits,
    now: float,
) -> Result:
    """Turn a finished child's reports, exit status and usage into its result."""
    result = Result(
        child.number,
        "ok",
        seconds=now - child.started,
        peak_bytes=usage.ru_maxrss * 1024,
    )
    step, done, harness = _reports(child, result)
    worst = min(
        result.observations, key=lambda o: RANK.get(o["observe"], 99), default=None
    )
    if worst is not None:
        result.outcome, result.where = worst["observe"], worst["where"]
        result.message, result.reason = worst["message"], worst["reason"]
    cpu = usage.ru_utime + usage.ru_stime
    signalled = os.WIFSIGNALED(status)
    number = os.WTERMSIG(status) if signalled else 0
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 0
    if (
        child.killed
        or number == signal.SIGXCPU
        or (number == signal.SIGKILL and cpu >= max(1, int(limits.timeout_s)))
    ):
        what = "timeout" if child.killed else "CPU limit"
        _set(result, "hang", step, f"{what} after {result.seconds:.1f} s", "hang")
    elif number == signal.SIGKILL:
        _set(result, "memory", step, "killed (SIGKILL)", "killed")
    elif signalled:
        name = signal.Signals(number).name
        _set(result, "crash", step, f"{name}: {_tail(child.home)}", name)
    elif harness or exit_code == HARNESS_EXIT:
        _set(result, "harness error", step, harness or _tail(child.home), "harness")
    elif not done:
        _set(result, "crash", step, f"exit {exit_code} before the end", "exit")
    elif result.peak_bytes > limits.spike and RANK[result.outcome] > RANK["memory"]:
        peak = result.peak_bytes / 2**20
        _set(result, "memory", step, f"peak {peak:.0f} MiB", "spike")
    return result


def _reports(child: _Running, result: Result) -> tuple[str, bool, str]:
    """Read the child's reports into ``result``; return (last step, done, harness)."""
    step, done, harness = "", False, ""
    for raw in child.buffer.decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if "step" in message:
            step = message["step"]
        elif "mutation" in message:
            result.mutation = message["mutation"]
        elif "observe" in message:
            result.observations.append(message)
        elif "harness" in message:
            harness = message["harness"]
        elif "done" in message:
            done = True
    return step, done, harness


def _set(result: Result, outcome: str, where: str, message: str, reason: str) -> None:
    result.outcome, result.where, result.message, result.reason = (
        outcome,
        where,
        message,
        reason,
    )


def _tail(home: Path) -> str:
    try:
        text = (home / "stderr.txt").read_text(errors="replace")
    except OSError:
        return ""
    text = text.replace(str(REPO) + os.sep, "").replace(str(home) + os.sep, "")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-3:])[-300:]


def keep(result: Result, work: Path, out: Path) -> Path:
    """Copy a case's damaged files, its stderr and a JSON description to ``out``."""
    home = work / f"case-{result.case}"
    target = out / result.outcome.replace(" ", "-") / f"case-{result.case:05d}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    notes = {}
    mutation = result.mutation
    files = [str(mutation.get("file", ""))]
    files += [str(p) for p in mutation.get("touched", []) or []]  # type: ignore[attr-defined]
    for relative in dict.fromkeys(f for f in files if f):
        notes[relative] = _copy(home / "data" / relative, target / "data" / relative)
    if (home / "stderr.txt").is_file():
        shutil.copyfile(home / "stderr.txt", target / "stderr.txt")
    description = dataclasses.asdict(result)
    description["files"] = notes
    description["reproduce"] = (
        f"python -m fuzz --case {result.case} --seed {mutation.get('seed_value', '')}"
    )
    (target / "case.json").write_text(json.dumps(description, indent=1, default=str))
    return target


def _copy(source: Path, target: Path) -> str:
    """Copy a regular file; describe the rest (FIFOs, symlinks, sparse giants)."""
    import stat

    try:
        info = source.lstat()
    except OSError as exc:
        return f"not there ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return f"symlink to {os.readlink(source)}"
    if stat.S_ISFIFO(info.st_mode):
        return "FIFO"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > KEEP_LIMIT:
        return f"{info.st_size:,} bytes (not copied: rebuild it with --case)"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return f"{info.st_size:,} bytes"
