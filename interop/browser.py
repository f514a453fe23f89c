"""Run ``ohif_check.mjs`` (Node.js, playwright-core, Chromium); read its record."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from typing import TYPE_CHECKING, Any

from interop.tools import CHECK_SCRIPT, Tools

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from interop.data import Study


class BrowserError(RuntimeError):
    """The browser script could not run or gave no record."""


def check_input(
    tools: Tools,
    base_url: str,
    studies: Sequence[Study],
    screenshots: Path | None,
    log_dir: Path,
    timeout_s: float,
) -> dict[str, object]:
    """Return what the browser script reads (INPUT.json)."""
    return {
        "baseUrl": base_url,
        "chromium": tools.chromium,
        "nodeModules": str(tools.node_modules),
        "logDir": str(log_dir),
        "timeoutMs": int(timeout_s * 1000),
        "studies": [
            {
                **study.as_json(),
                "screenshot": (
                    None
                    if screenshots is None
                    else str(screenshots / f"ohif-{_file_part(study.label)}.png")
                ),
            }
            for study in studies
        ],
    }


def run_check(
    tools: Tools, request: dict[str, object], work: Path, timeout_s: float
) -> dict[str, Any]:
    """Run the browser script; return its record (``{"fatal", "studies"}``).

    Raises
    ------
    BrowserError
        Node.js failed, timed out, or wrote no record.
    """
    source = work / "check-input.json"
    target = work / "check-output.json"
    source.write_text(json.dumps(request, indent=1), encoding="utf-8")
    target.unlink(missing_ok=True)
    temp = work / "browser-tmp"  # Chromium's fresh profiles go here
    temp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TMPDIR=str(temp))
    process = subprocess.Popen(
        [tools.node, str(CHECK_SCRIPT), str(source), str(target)],
        env=env,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise BrowserError(
            f"the browser check took longer than {timeout_s:.0f} s and was stopped"
        ) from None
    if not target.is_file():
        raise BrowserError(
            f"the browser check (node {CHECK_SCRIPT.name}) failed (exit {code}) "
            "and wrote no record"
        )
    record: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return record


def _file_part(label: str) -> str:
    """``respond measurements BL`` -> ``respond-measurements-BL``."""
    return "-".join(re.findall(r"[A-Za-z0-9._]+", label)) or "study"
