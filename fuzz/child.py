"""What each case's child process does: what a user does, checked step by step.

``scan`` the folder (or DICOMDIR), build the ``series`` document (JSON, as the
command prints it, and the text), then for every series candidate
``load_series`` and ``read_frame`` of one image. Each step reports what it saw
through a :class:`Recorder`; the parent turns the reports into the case's class.

Observation classes (see ``fuzz/README.md``): ``ok``, ``refused`` (a respond
``DicomError``, or a file listed as unreadable or non-image, with its reason),
``escape`` (any other exception out of respond's API, or a document that is not
valid JSON), ``memory`` (a ``MemoryError``, even wrapped in a respond error) and
``lie`` (a series called ready or caution that does not load or does not hold
what the scan said, a file the scan left unexplained). ``decode``: a ready
series that does not load because a file's compressed pixel data is damaged
while its header (every byte before the pixel data's value) is intact, and the
load names that file and says its pixel data cannot be decoded. The scan reads
headers and the first codestream header, never the entropy-coded data, so only
decoding can find this damage; such a case is explained, and counted apart.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from respond.dicom import (
    DicomError,
    GeometryError,
    NotDicomError,
    Readiness,
    load_series,
    scan,
    scan_document,
)
from respond.dicom.frame import read_frame
from respond.report import format_scan

if TYPE_CHECKING:
    from pathlib import Path

    from respond.dicom import FrameRef, ScanResult, SeriesCandidate, Volume

MEASURABLE: Final = (Readiness.READY, Readiness.CAUTION)
"""Verdicts that promise a volume to measure on."""
LONGEST_BODY_MM: Final = 10_000.0
"""A ready series longer than 10 m across is a geometry no scanner made."""


DECODERS: Final = ("SimpleITK", "pydicom.pixels", "openjpeg", "libjpeg", "rle")
"""Imported by the parent before it forks, so no child pays for the import."""


def preload() -> None:
    """Import the pixel decoders respond may use (each child inherits them)."""
    import importlib

    for name in DECODERS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


class Recorder:
    """Send the child's reports to the parent, one JSON line each, unbuffered."""

    def __init__(self, fd: int, root: str = "") -> None:
        self.fd = fd
        self.root = root
        """A folder whose name is left out of messages (the case's own folder)."""

    def send(self, message: dict[str, object]) -> None:
        """Write one report (a step, an observation, the mutation, the end)."""
        line = json.dumps(message, default=str, ensure_ascii=True) + "\n"
        data = line.encode()
        while data:
            data = data[os.write(self.fd, data) :]

    def step(self, name: str) -> None:
        """Say what is about to run (the last step names a hang or a crash)."""
        self.send({"step": name})

    def observe(self, kind: str, where: str, message: str, reason: str = "") -> None:
        """Report one observation of class ``kind``."""
        if self.root:
            message = message.replace(self.root + os.sep, "").replace(self.root, ".")
        self.send(
            {
                "observe": kind,
                "where": where,
                "message": message[:500],
                "reason": reason,
            }
        )

    def exception(
        self, where: str, exc: BaseException, *, claims: bool = False
    ) -> None:
        """Classify an exception that left respond's API at ``where``."""
        text = f"{type(exc).__name__}: {exc}"
        if _caused_by_memory(exc):
            self.observe("memory", where, text, "MemoryError")
        elif isinstance(exc, DicomError):
            if claims:
                self.observe("lie", where, text, type(exc).__name__)
            else:
                self.observe("refused", where, text, type(exc).__name__)
        else:
            self.observe("escape", where, text, type(exc).__name__)


def _caused_by_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _pixel_description(path: Path) -> tuple[object, ...] | None:
    """Return how a file tells a decoder what to do (syntax, pixel module, element)."""
    import pydicom

    try:
        ds = pydicom.dcmread(path, defer_size=1024, force=True)
        syntax = ds.file_meta.get("TransferSyntaxUID")
        if syntax == pydicom.uid.DeflatedExplicitVRLittleEndian:
            return None  # every byte after the file meta is compressed
        pixels: Any = ds.get_item(0x7FE00010, keep_deferred=True)
        module = tuple(
            (int(tag), bytes(ds.get_item(tag, keep_deferred=True).value or b""))
            for tag in ds.keys()  # noqa: SIM118 - iterating converts each element
            if tag.group == 0x0028
        )
        where = getattr(pixels, "value_tell", None)
        return (syntax, module, where, getattr(pixels, "length", None))
    except Exception:  # noqa: BLE001 - damaged beyond reading: not intact
        return None


def pixels_only_changed(damaged: Path, original: Path | None) -> bool:
    """Whether the damage leaves the file's pixel description as it was.

    The transfer syntax, every Image Pixel module element (group 0028, as raw
    bytes) and the Pixel Data element's position and length are the
    original's (read with pydicom), so whatever else changed, a decoder is
    told what it was told before; a deflated file never qualifies.
    """
    if original is None or not damaged.is_file():
        return False
    before = _pixel_description(original)
    return before is not None and _pixel_description(damaged) == before


def exercise(
    target: Path,
    folder: Path,
    damaged: list[Path],
    rec: Recorder,
    *,
    pixels_damaged: list[Path] = (),  # type: ignore[assignment]
) -> None:
    """Run what a user runs on ``target`` (in ``folder``) and report each step.

    ``pixels_damaged``: the damaged files whose header is intact (only their
    pixel data's value changed).
    """
    rec.step("scan")
    try:
        result = scan(target)
    except NotDicomError as exc:
        rec.observe("refused", "scan", str(exc), "NotDicomError")
        return
    except Exception as exc:  # noqa: BLE001 - classifying every escape is the point
        rec.exception("scan", exc)
        return
    _document(result, rec)
    if target.is_dir():
        _accounted(result, folder, rec)
    _listed(result, damaged, rec)
    for candidate in result.series:
        _candidate(candidate, damaged, rec, list(pixels_damaged))


def _document(result: ScanResult, rec: Recorder) -> None:
    rec.step("scan_document")
    try:
        doc = scan_document(result)
        json.dumps(doc, ensure_ascii=False, allow_nan=False)
        format_scan(doc)
    except ValueError as exc:
        rec.observe("escape", "scan_document", f"not valid JSON: {exc}", "invalid JSON")
    except Exception as exc:  # noqa: BLE001
        rec.exception("scan_document", exc)


def _accounted(result: ScanResult, folder: Path, rec: Recorder) -> None:
    """Check that each regular file is accounted for.

    In a series, a non-image object, unreadable (with a reason), a DICOMDIR, or
    an ignored duplicate: anything else was left unexplained.
    """
    places = {f.path for c in result.series for f in c.frames}
    places |= {item.path for item in result.non_image}
    places |= {item.path for item in result.unreadable}
    places |= set(result.dicomdirs)
    copies = " ".join(
        f.message for f in result.findings if f.code == "duplicate_instance"
    )
    for root, _, names in os.walk(folder):
        for name in names:
            path = folder.joinpath(root, name)
            if path.is_file() and path not in places and name not in copies:
                rec.observe(
                    "lie",
                    "scan",
                    f"{path.relative_to(folder)} is in no series, not non-image, not "
                    "unreadable, not a DICOMDIR and not a duplicate",
                    "file unexplained",
                )
    for item in result.unreadable:
        if not item.reason.strip():
            rec.observe(
                "lie",
                "scan",
                f"{item.path.name} unreadable without a reason",
                "no reason",
            )


def _listed(result: ScanResult, damaged: list[Path], rec: Recorder) -> None:
    """Damaged files the scan set aside, with the reason it gave."""
    for item in result.unreadable:
        if item.path in damaged:
            rec.observe("refused", "scan", item.reason, "unreadable file")
    for other in result.non_image:
        if other.path in damaged:
            rec.observe(
                "refused",
                "scan",
                f"{other.kind}: {other.sop_class}",
                "non-image object",
            )


def _codes(candidate: SeriesCandidate) -> str:
    codes = sorted({f.code for f in candidate.findings if f.severity.value == "error"})
    return f"{candidate.readiness.value}" + (f": {', '.join(codes)}" if codes else "")


def _found_by_decoding(message: str, pixels_damaged: list[Path]) -> bool:
    """Whether a load error names a file whose header is intact as undecodable."""
    return "pixel data cannot be decoded" in message and any(
        f"{path.name}: pixel data cannot be decoded" in message
        for path in pixels_damaged
    )


def _candidate(
    candidate: SeriesCandidate,
    damaged: list[Path],
    rec: Recorder,
    pixels_damaged: list[Path],
) -> None:
    claims = candidate.readiness in MEASURABLE
    where = f"load_series {candidate.key[-12:]} ({_codes(candidate)})"
    rec.step(where)
    volume: Volume | None = None
    try:
        volume = load_series(candidate)
    except DicomError as exc:
        if claims and _found_by_decoding(str(exc), pixels_damaged):
            rec.observe(
                "decode",
                where,
                f"{type(exc).__name__}: {exc}",
                "compressed pixel data damaged behind an intact header",
            )
        elif claims or _caused_by_memory(exc):
            rec.exception(where, exc, claims=claims)
        else:
            rec.observe(
                "refused",
                where,
                f"{type(exc).__name__}: {exc}",
                f"{type(exc).__name__} ({_codes(candidate)})",
            )
    except Exception as exc:  # noqa: BLE001
        rec.exception(where, exc)
    if volume is not None:
        _volume(candidate, volume, claims, where, rec, pixels_damaged)
    _frame(candidate, volume, damaged, claims, rec)


def _volume(
    candidate: SeriesCandidate,
    volume: Volume,
    claims: bool,
    where: str,
    rec: Recorder,
    pixels_damaged: list[Path],
) -> None:
    expected = (candidate.image_count, candidate.rows, candidate.columns)
    if volume.shape != expected:
        rec.observe(
            "lie",
            where,
            f"volume {volume.shape}, the scan said {expected}",
            "volume unlike the scan",
        )
        return
    failed = volume.unreadable_slices
    if failed and len(failed) == candidate.image_count:
        kind = "lie" if claims else "refused"
        if claims and all(
            _found_by_decoding(str(reason), pixels_damaged)
            for reason in failed.values()
        ):
            kind = "decode"
        rec.observe(
            kind,
            where,
            f"no slice readable: {next(iter(failed.values()))}",
            "every slice unreadable",
        )
        return
    if failed:
        rec.observe("refused", where, next(iter(failed.values())), "unreadable slice")
    if claims:
        _measurable(candidate, volume, where, rec)


def _measurable(
    candidate: SeriesCandidate, volume: Volume, where: str, rec: Recorder
) -> None:
    """Check that a ready (or caution) volume measures finite, human-sized lengths."""
    k, i, j = (n - 1 for n in volume.shape)
    try:
        across = volume.distance_mm((0.0, 0.0, 0.0), (float(k), float(i), float(j)))
    except GeometryError as exc:
        rec.observe(
            "lie",
            where,
            f"{candidate.readiness.value} but {exc}",
            "measurable without geometry",
        )
        return
    except Exception as exc:  # noqa: BLE001
        rec.exception(f"distance_mm {candidate.key[-12:]}", exc)
        return
    if not math.isfinite(across):
        rec.observe(
            "lie",
            where,
            f"{candidate.readiness.value}, distance {across}",
            "non-finite distance",
        )
    elif candidate.readiness is Readiness.READY and across > LONGEST_BODY_MM:
        rec.observe("lie", where, f"ready, {across:.3g} mm across", "absurd size")
    middle = volume.shape[0] // 2
    values = volume.slice_values(middle)
    if values.dtype.kind == "f" and not bool(
        __import__("numpy").isfinite(values).all()
    ):
        rec.observe(
            "lie",
            where,
            f"{candidate.readiness.value}, slice {middle} holds non-finite values",
            "non-finite values",
        )


def _frame(
    candidate: SeriesCandidate,
    volume: Volume | None,
    damaged: list[Path],
    claims: bool,
    rec: Recorder,
) -> None:
    """Read one image on its own: the damaged file's when it is in the series."""
    frames = candidate.frames
    index = next(
        (n for n, f in enumerate(frames) if f.path in damaged), len(frames) // 2
    )
    frame: FrameRef = frames[index]
    where = f"read_frame {frame.path.name}"
    rec.step(where)
    loaded = volume is not None and index not in volume.unreadable_slices
    try:
        plane = read_frame(frame)
    except DicomError as exc:
        if claims and loaded:
            rec.observe(
                "lie",
                where,
                f"load_series read it, read_frame did not: {exc}",
                "read_frame refused a loaded slice",
            )
        else:
            rec.exception(where, exc)
        return
    except Exception as exc:  # noqa: BLE001
        rec.exception(where, exc)
        return
    if plane.shape != (candidate.rows, candidate.columns):
        rec.observe(
            "lie",
            where,
            f"image {plane.shape}, the scan said {(candidate.rows, candidate.columns)}",
            "image unlike the scan",
        )
    elif claims and not bool(np.isfinite(plane).all()):
        rec.observe(
            "lie",
            where,
            f"{candidate.readiness.value}, the image holds non-finite values",
            "non-finite values",
        )
