"""Running respond as a child process with a timeout, and classifying the outcome.

Every part of the harness runs respond (or a small script using respond's API)
as a separate process, because what is measured is what a user sees: the exit
code, the message, a crash, a hang. Outcome classes:

- ``exit 0``, ``exit 2 with message``, ``exit 2 without message``, ``other exit``
- ``exit 70``: respond's "internal error, this is a bug" exit
- ``crash signal``: the process died of a signal (SIGSEGV, SIGABRT, SIGKILL from
  the memory limit or the kernel, ...)
- ``hang``: still running at the timeout (killed, with its process group)
- ``traceback on stderr``: counted on top of the exit class
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "resources" / "examples" / "hcc-sorafenib-example.json"
RESPOND = [sys.executable, "-m", "respond"]
"""respond's command line, as the ``respond`` script runs it (same interpreter)."""

EXIT_CLASSES = (
    "exit 0",
    "exit 2 with message",
    "exit 2 without message",
    "other exit",
    "exit 70",
    "crash signal",
    "hang",
)
TRACEBACK = "traceback on stderr"
CLASSES = (*EXIT_CLASSES, TRACEBACK)
BAD = ("exit 70", "crash signal", "hang", TRACEBACK)
"""The classes whose examples are kept as reproducers."""

MEMORY_LIMIT = 4 * 1024**3
"""Address-space limit of each respond child (a file read without bound stops here)."""
OUTPUT_LIMIT = 64 * 1024
"""How much of a child's stdout and stderr is kept."""


@dataclass
class Result:
    """One finished (or killed) child process."""

    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    @property
    def outcome(self) -> str:
        """The exit class (see the module docstring)."""
        if self.timed_out:
            return "hang"
        code = self.returncode
        if code is None or code < 0:
            return "crash signal"
        if code == 70:
            return "exit 70"
        if code == 0:
            return "exit 0"
        if code == 2:
            return (
                "exit 2 with message"
                if self.stderr.strip()
                else "exit 2 without message"
            )
        return "other exit"

    @property
    def traceback(self) -> bool:
        """Whether a Python traceback reached stderr."""
        return "Traceback (most recent call last)" in self.stderr

    @property
    def detail(self) -> str:
        """The signal name for a crash, else the exit code."""
        if self.timed_out:
            return f"no exit after {self.seconds:.0f} s"
        code = self.returncode
        if code is not None and code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return f"signal {-code}"
        return f"exit {code}"

    def message(self, limit: int = 300) -> str:
        """The first lines of stderr, one line, control characters escaped."""
        text = " | ".join(line for line in self.stderr.strip().splitlines()[:4] if line)
        text = text.encode("ascii", "backslashreplace").decode("ascii")
        text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def classes(self) -> list[str]:
        """The classes this result counts in (the exit class, maybe a traceback)."""
        return [self.outcome, *([TRACEBACK] if self.traceback else [])]


def _decode(data: bytes | None) -> str:
    if not data:
        return ""
    return data[:OUTPUT_LIMIT].decode("utf-8", "backslashreplace")


def run(
    argv: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    stdin_file: Path | None = None,
) -> Result:
    """Run ``argv`` in its own process group; kill the group at the timeout."""
    started = time.monotonic()
    source = open(stdin_file, "rb") if stdin_file else None  # noqa: SIM115
    process = subprocess.Popen(
        argv,
        stdin=source or (subprocess.PIPE if stdin is not None else subprocess.DEVNULL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(process)
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            out, err = b"", b""
    finally:
        if source is not None:
            source.close()
    return Result(
        argv,
        process.returncode,
        _decode(out),
        _decode(err),
        time.monotonic() - started,
        timed_out,
    )


def kill_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGKILL a child started with ``start_new_session`` and everything it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment that keeps respond's files inside ``home``.

    No ``RESPOND_DB`` (every command gets ``--db``), no ``RESPOND_DEBUG`` (a
    traceback on stderr is a finding, not a setting); Qt offscreen.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RESPOND_", "XDG_", "QT_", "PYTHON"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        RESPOND_READER="Reliability Reader",
        RESPOND_DEID_SALT="reliability-salt",
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
        LC_ALL="C.UTF-8",
    )
    env.update(extra)
    return env


def memory_limited(argv: list[str], limit: int = MEMORY_LIMIT) -> list[str]:
    """Prefix ``argv`` so the child gets an address-space limit."""
    if shutil.which("prlimit"):
        return ["prlimit", f"--as={limit}", "--", *argv]
    return ["sh", "-c", f'ulimit -v {limit // 1024}; exec "$@"', "sh", *argv]


def is_root() -> bool:
    """Whether this process runs as root (permissions would not apply to it)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


UNPRIVILEGED = 65534
"""The uid and gid a root harness drops to where file permissions must apply."""


def as_unprivileged(argv: list[str]) -> list[str]:
    """Run ``argv`` as an ordinary user: root ignores read-only modes."""
    if not is_root():
        return argv
    return [
        "setpriv",
        f"--reuid={UNPRIVILEGED}",
        f"--regid={UNPRIVILEGED}",
        "--clear-groups",
        *argv,
    ]


def chown_tree(path: Path, uid: int = UNPRIVILEGED) -> None:
    """Give a folder (and what is in it) to ``uid`` when the harness is root."""
    if not is_root():
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, uid)
        for name in dirs + files:
            with contextlib.suppress(FileNotFoundError):
                os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


@dataclass
class Table:
    """Counts of outcome classes per row, with a few examples per bad class."""

    title: str
    columns: tuple[str, ...] = CLASSES
    rows: dict[str, collections.Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    keep: int = 4
    always: tuple[str, ...] = ("exit 70", "hang")
    """Columns shown even when every count is 0 (the goals)."""
    with_examples: bool = True
    """Whether bad results are kept as examples (off for tables that repeat others)."""

    def count(self, row: str, outcome: str, n: int = 1) -> None:
        """Add ``n`` to one cell (a row is created on first use)."""
        self.rows.setdefault(row, collections.Counter())[outcome] += n

    def add(self, row: str, result: Result, what: str = "") -> None:
        """Count a result in its classes; keep it as an example if it is bad."""
        self.rows.setdefault(row, collections.Counter())["runs"] += 1
        for outcome in result.classes():
            self.count(row, outcome)
            if outcome in BAD:
                self.example(
                    outcome,
                    f"{row}: {what} -> {result.detail}"
                    + (f": {result.message()}" if result.stderr.strip() else ""),
                )

    def example(self, outcome: str, text: str) -> None:
        """Keep an example of a class (the first few)."""
        if not self.with_examples:
            return
        kept = self.examples.setdefault(outcome, [])
        if len(kept) < self.keep:
            kept.append(text)

    def total(self, outcome: str) -> int:
        """The column's sum."""
        return sum(counts[outcome] for counts in self.rows.values())


def pool_map(function, items, workers: int = 2):  # type: ignore[no-untyped-def]
    """Map over ``items`` with at most ``workers`` threads (each runs one child)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(function, items)


def example_case(patient_id: str) -> bytes:
    """The example case with another patient id."""
    import json

    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case["patient"]["id"] = patient_id
    return json.dumps(case, indent=1).encode()


def import_examples(db: Path, ids: list[str], work: Path, timeout: float = 60) -> None:
    """Create ``db`` with the example case stored under each id (respond import-case)."""
    work.mkdir(parents=True, exist_ok=True)
    for patient_id in ids:
        case = work / f"{patient_id}.json"
        case.write_bytes(example_case(patient_id))
        result = run(
            [*RESPOND, "import-case", "--db", str(db), str(case)],
            timeout=timeout,
            env=child_env(work / "home"),
        )
        if result.outcome != "exit 0":
            raise RuntimeError(
                f"setting up {db.name}: import of {patient_id} gave {result.detail}: "
                f"{result.message()}"
            )
