"""Find the check's tools, or say what is missing (``make interop-tools``).

- Orthanc and its DICOMweb plugin (Debian ``orthanc``, ``orthanc-dicomweb``),
  and a C compiler for ``loopback.c``: see :mod:`interop.orthanc`;
- Chromium (Debian ``chromium``);
- Node.js 20 or newer, with ``playwright-core`` installed by ``npm ci`` into
  ``build/interop/node`` from ``interop/package.json`` and its lock file;
- OHIF Viewer's built ``dist/``, fetched by ``npm pack`` into
  ``build/interop/node/ohif-VERSION`` (the version and integrity are in
  ``interop/package.json``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from interop.orthanc import orthanc_missing

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build" / "interop"
NODE_DIR = BUILD / "node"
PACKAGE_JSON = HERE / "package.json"
CHECK_SCRIPT = HERE / "ohif_check.mjs"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
MIN_NODE = 20
INSTALL = "run `make interop-tools`"


@dataclass(frozen=True, slots=True)
class Tools:
    """The programs and files the check runs with."""

    node: str
    node_modules: Path
    chromium: str
    ohif_dist: Path
    ohif_package: str


def ohif_package() -> str:
    """Return the OHIF package pinned in interop/package.json (``@ohif/app@3.13.2``)."""
    data = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return str(data["ohif"]["package"])


def ohif_dist(package: str) -> Path:
    """Return where ``make interop-tools`` unpacks that OHIF's ``dist/``."""
    version = package.rsplit("@", 1)[-1]
    return NODE_DIR / f"ohif-{version}" / "dist"


def _node_major(node: str) -> int | None:
    try:
        result = subprocess.run(
            [node, "-p", "process.versions.node"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    try:
        return int(result.stdout.strip().split(".")[0])
    except ValueError:
        return None


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _node_problems(node: str | None) -> list[str]:
    if node is None:
        return [
            (
                f"Node.js {MIN_NODE} or newer (node, npm) is not on PATH: install it "
                f"(e.g. from nodejs.org), then {INSTALL}"
            )
        ]
    major = _node_major(node)
    if major is None or major < MIN_NODE:
        return [
            f"Node.js {MIN_NODE} or newer is needed ({node} is {major or 'unknown'})"
        ]
    if not (NODE_DIR / "node_modules" / "playwright-core" / "package.json").is_file():
        return [f"playwright-core is not installed in {NODE_DIR}: {INSTALL}"]
    return []


def find_tools() -> tuple[Tools | None, list[str]]:
    """Return the tools, or None and what is missing (each with what to do)."""
    problems: list[str] = []
    orthanc = orthanc_missing()
    if orthanc:
        problems.append(orthanc)
    chromium = _chromium()
    if chromium is None:
        problems.append(
            f"Chromium is not installed (Debian package chromium): {INSTALL}"
        )
    node = shutil.which("node")
    problems.extend(_node_problems(node))
    package = ohif_package()
    dist = ohif_dist(package)
    if not (dist / "index.html").is_file():
        problems.append(
            f"OHIF Viewer ({package}) is not unpacked in {dist.parent}: {INSTALL}"
        )
    if problems or node is None or chromium is None:
        return None, problems
    return Tools(node, NODE_DIR / "node_modules", chromium, dist, package), []
