"""Check that OHIF Viewer draws respond's SR calipers (``make interop``).

``python -m interop`` writes the synthetic demo (DICOM) and respond's SRs of
its read, stores them into a real Orthanc by STOW-RS, serves OHIF Viewer's built
app with a proxy to Orthanc's DICOMweb on one origin, and has headless Chromium
open each study in OHIF, load its SR and report what OHIF drew. Exit 0 when
every caliper of every SR is drawn on its image with its label and length; 1
when one is not; 2 when the check could not run (a tool missing, the demo not
written).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interop import dicomweb
from interop.browser import BrowserError, check_input, run_check
from interop.data import Data, DataError, prepare
from interop.judge import StudyVerdict, judge_study
from interop.ohif_config import app_config_js
from interop.orthanc import Orthanc, running_orthanc
from interop.report import details, summary, table
from interop.tools import BUILD, ROOT, Tools, find_tools
from interop.web import WebServer, serving

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SCREENSHOTS = ROOT / "docs" / "screenshots"
# Orthanc's DICOMweb plugin, without a fixed "Host": the URLs it writes take the
# request's Host, which the proxy passes on (the browser's origin)
DICOMWEB = {"Enable": True, "Root": "/dicom-web/", "EnableWado": True}


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m interop", description=__doc__)
    parser.add_argument(
        "--screenshots",
        type=Path,
        default=SCREENSHOTS,
        help="folder for ohif-<time point>.png (default docs/screenshots)",
    )
    parser.add_argument(
        "--no-screenshots", action="store_true", help="take no screenshot"
    )
    parser.add_argument(
        "--sr",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="check these SR files instead of the ones respond writes (e.g. a "
        "changed copy; they must reference the demo's images, or --images)",
    )
    parser.add_argument(
        "--images",
        type=Path,
        nargs="+",
        metavar="FOLDER",
        help="with --sr: store the DICOM files under these folders instead of the "
        "demo (a real patient's studies and respond's SRs of its read)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds OHIF may take for one step (default 60)",
    )
    args = parser.parse_args(argv)
    if args.images and not args.sr:
        parser.error("--images needs --sr: the SRs of a read of those images")
    return args


@contextlib.contextmanager
def _servers(tools: Tools, work: Path) -> Iterator[tuple[WebServer, Orthanc]]:
    """OHIF's web server and Orthanc, the first proxying /dicom-web to the second."""
    with (
        serving(tools.ohif_dist, app_config_js(), work / "web.log") as web,
        running_orthanc(work / "orthanc", extra={"DicomWeb": DICOMWEB}) as pacs,
    ):
        web.proxy_to(pacs.url)
        yield web, pacs


def _observe(
    tools: Tools, data: Data, work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    screenshots = None if args.no_screenshots else args.screenshots.resolve()
    with _servers(tools, work) as (web, pacs):
        files = [*data.images, *data.reports]
        stored = dicomweb.store(pacs.dicomweb, files)
        _say(f"stored {stored} instances into Orthanc by STOW-RS; OHIF at {web.url}")
        request = check_input(
            tools, web.url, data.studies, screenshots, BUILD, args.timeout
        )
        budget = 120 + 4 * args.timeout * max(1, len(data.studies))
        return run_check(tools, request, work, budget)


def _verdicts(data: Data, record: dict[str, Any]) -> list[StudyVerdict]:
    observed = {s.get("label"): s for s in record.get("studies", [])}
    fatal = record.get("fatal")
    verdicts = []
    for study in data.studies:
        seen = observed.get(study.label) or {"fatal": fatal or "not checked"}
        verdicts.append(
            judge_study(study.label, study.sr_path.name, study.calipers, seen)
        )
    return verdicts


def _shrink(paths: Sequence[Path]) -> None:
    """Re-save the screenshots as 256-colour PNG (Pillow, when installed).

    A quarter of the size, and the CT greys and OHIF's few colours survive.
    """
    try:
        from PIL import Image
    except ImportError:
        return
    for path in paths:
        if path.is_file():
            with Image.open(path) as image:
                small = image.convert("RGB").quantize(
                    256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
                )
            small.save(path, optimize=True)


def run(args: argparse.Namespace) -> int:
    """Run the check; return the exit code."""
    started = time.monotonic()
    tools, missing = find_tools()
    if tools is None:
        _say("interop: cannot run, missing:\n" + "\n".join(f"  - {m}" for m in missing))
        return 2
    work = BUILD / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _say(f"OHIF {tools.ohif_package}, {tools.chromium}, Orthanc; work folder {work}")
    try:
        data = prepare(work, args.sr, args.images)
        record = _observe(tools, data, work, args)
    except (DataError, dicomweb.StowError, BrowserError, RuntimeError, OSError) as exc:
        _say(f"interop: the check could not run: {exc}")
        return 2
    verdicts = _verdicts(data, record)
    shots = [
        Path(s["screenshot"]) for s in record.get("studies", []) if s.get("screenshot")
    ]
    _shrink(shots)
    _say("")
    _say(table(verdicts))
    for line in details(verdicts, record):
        _say(line)
    _say(summary(verdicts, shots, BUILD, time.monotonic() - started))
    return 0 if verdicts and all(v.ok for v in verdicts) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m interop``."""
    return run(_arguments(argv))


if __name__ == "__main__":
    sys.exit(main())
