"""What a DICOMDIR (or a Philips DIRFILE) lists, read without ever raising.

Only files inside the DICOMDIR's own folder are followed; whatever is wrong
with it (damaged, no records, records of the wrong type, entries leading
outside its folder, listed files missing) is described for a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Final

import pydicom
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence as DicomSequence

from respond.dicom._header import DICOMDIR_CLASS, Header, Unreadable
from respond.dicom.model import DicomFinding, Severity, UnreadableFile

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DICOMDIR_NAMES",
    "MISSING_LISTED",
    "Listing",
    "counted",
    "ignored_finding",
    "is_dicomdir",
    "missing_files",
    "read_listing",
    "short",
    "title",
    "why",
]

# File names a DICOMDIR goes by (Philips writes DIRFILE), whatever their case.
DICOMDIR_NAMES: Final = frozenset({"DICOMDIR", "DIRFILE"})
# Files a DICOMDIR lists that are missing: this many are listed one by one.
MISSING_LISTED: Final = 20
# Ignored DICOMDIR entries quoted in the finding, and characters per quote.
_EXAMPLES: Final = 3
_QUOTE_CHARS: Final = 60
# Offsets from the DICOMDIR and from each record to other records (bytes).
_ROOT_OFFSETS: Final = (
    "OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity",
    "OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity",
)
_RECORD_OFFSETS: Final = (
    "OffsetOfTheNextDirectoryRecord",
    "OffsetOfReferencedLowerLevelDirectoryEntity",
)
# A library's error message is cut to this many characters in a finding.
_REASON_CHARS: Final = 200


def short(text: str, limit: int = _REASON_CHARS) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def why(exc: BaseException) -> str:
    return short(f"{type(exc).__name__}: {exc}")


def is_dicomdir(path: Path, header: Header | Unreadable) -> bool:
    """Whether a file is a DICOMDIR: by its SOP class, or by name when it is no image.

    A DICOMDIR or DIRFILE whose header is damaged, or lacks its SOP class, is still
    taken as one by its name, unless it holds an image of a series.
    """
    if isinstance(header, Header) and header.sop_class == DICOMDIR_CLASS:
        return True
    if path.name.upper() not in DICOMDIR_NAMES:
        return False
    return isinstance(header, Unreadable) or not (
        header.has_pixels or header.series_uid
    )


def title(path: Path) -> str:
    """Name a DICOMDIR for a message: its file name, said to be a DICOMDIR."""
    if path.name.upper() in DICOMDIR_NAMES:
        return path.name
    return f"DICOMDIR {path.name}"


# --- what a DICOMDIR lists --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    """The files a DICOMDIR lists inside its folder, and what was wrong with it.

    Attributes
    ----------
    files
        Files listed, inside the DICOMDIR's folder, each once (they may be missing).
    problem
        Why the DICOMDIR cannot be used at all; empty when it can.
    ignored
        A few entries that were ignored, each with the reason.
    ignored_count
        How many entries were ignored in all.
    """

    files: tuple[Path, ...] = ()
    problem: str = ""
    ignored: tuple[str, ...] = ()
    ignored_count: int = 0


def _records(path: Path) -> tuple[DicomSequence | None, str]:
    """Return a DICOMDIR's directory records, or why there are none to use."""
    try:
        ds = pydicom.dcmread(path, force=True)
        records = ds.get("DirectoryRecordSequence")
        if isinstance(records, DicomSequence) and _dangling(ds, records):
            return None, (
                "is cut short or damaged (its records point to records that are "
                "not there)"
            )
    except Exception as exc:  # noqa: BLE001 - boundary: any damage in a DICOMDIR becomes a finding, and its folder is scanned instead
        return None, f"cannot be read ({why(exc)})"
    if records is None:
        return None, "holds no directory records (no DirectoryRecordSequence)"
    if not isinstance(records, DicomSequence):
        kind = type(records).__name__
        return None, f"holds directory records that are not a sequence ({kind})"
    return records, ""


def _dangling(ds: Dataset, records: DicomSequence) -> bool:
    """Whether a record offset leads to no record read: the file was cut short."""
    starts = {getattr(r, "seq_item_tell", None) for r in records}
    offsets = [ds.get(keyword) for keyword in _ROOT_OFFSETS]
    offsets += [r.get(keyword) for r in records for keyword in _RECORD_OFFSETS]
    return any(isinstance(v, int) and v and v not in starts for v in offsets)


def _components(value: object) -> list[str] | None:
    """Return a ReferencedFileID's components as text, or None if it is not text."""
    items: list[object]
    if isinstance(value, str | bytes):
        items = [value]
    elif isinstance(value, MultiValue | list | tuple):
        items = list(value)
    else:
        return None
    parts = []
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("latin-1")
        if not isinstance(item, str):
            return None
        parts.append(item.strip())
    return parts


def _inside(folder: Path, parts: list[str]) -> Path | None:
    r"""Join path components under ``folder``; None when they would leave it.

    ``..`` anywhere, or an absolute first component (``/``, ``\\``, a drive
    letter), leaves the folder; ``/`` and ``\\`` inside a component separate
    folders, as some writers use them.
    """
    pieces: list[str] = []
    for index, part in enumerate(parts):
        text = part.replace("\\", "/")
        if index == 0 and (text.startswith("/") or PureWindowsPath(text).drive):
            return None
        for piece in text.split("/"):
            if piece == ".." or "\0" in piece:
                return None
            if piece not in ("", "."):
                pieces.append(piece)
    return folder.joinpath(*pieces) if pieces else None


def _record_file(folder: Path, record: object) -> tuple[Path | None, str]:
    """Return the file a directory record references, or why it is ignored.

    Records that reference no file (patient, study and series records) give
    ``(None, "")``.
    """
    try:
        if not isinstance(record, Dataset):
            return None, f"a record that is not a dataset ({type(record).__name__})"
        value = record.get("ReferencedFileID")
        if value is None or value == "":
            return None, ""
        parts = _components(value)
        if parts is None:
            return None, f"a ReferencedFileID that is not text ({type(value).__name__})"
        target = _inside(folder, parts)
    except Exception as exc:  # noqa: BLE001 - boundary: one damaged record is ignored with a finding, the others are used
        return None, f"a damaged record ({why(exc)})"
    if target is None:
        quoted = short("/".join(parts), _QUOTE_CHARS)
        return None, f"'{quoted}' leads outside its folder"
    return target, ""


def read_listing(path: Path) -> Listing:
    """Read what a DICOMDIR lists; every problem is described, none is raised."""
    records, problem = _records(path)
    if records is None:
        return Listing(problem=problem)
    files: dict[Path, None] = {}
    ignored: list[str] = []
    count = 0
    for record in records:
        target, why = _record_file(path.parent, record)
        if target is not None:
            files[target] = None
        elif why:
            count += 1
            if len(ignored) < _EXAMPLES:
                ignored.append(why)
    if not files:
        problem = "lists no file" if len(records) else "holds no directory records"
        if count:
            ignored_entries = counted(count, "entry", "entries")
            problem = f"lists no file it can use ({ignored_entries} ignored)"
    return Listing(tuple(files), problem, tuple(ignored), count)


def ignored_finding(path: Path, listing: Listing) -> list[DicomFinding]:
    if not listing.ignored_count:
        return []
    more = listing.ignored_count - len(listing.ignored)
    examples = "; ".join(listing.ignored) + (f"; and {more} more" if more > 0 else "")
    return [
        DicomFinding(
            "dicomdir_entries_ignored",
            Severity.WARNING,
            f"{title(path)}: {counted(listing.ignored_count, 'entry', 'entries')} "
            f"ignored ({examples}). "
            "Only files inside the DICOMDIR's folder are read; if images are "
            "missing, point respond at the folder that holds them.",
        )
    ]


def missing_files(
    path: Path, missing: Sequence[Path]
) -> tuple[list[UnreadableFile], list[DicomFinding]]:
    """Return one finding for listed files missing on disk, and the first few."""
    if not missing:
        return [], []
    listed = [
        UnreadableFile(file, f"listed in {path.name} but missing on disk")
        for file in missing[:MISSING_LISTED]
    ]
    first = ""
    if len(missing) > MISSING_LISTED:
        first = f" (the first {MISSING_LISTED} are listed as unreadable)"
    files = counted(len(missing), "file that is", "files that are")
    finding = DicomFinding(
        "dicomdir_missing_files",
        Severity.WARNING,
        f"{title(path)} lists {files} not on disk{first}: "
        "series may be incomplete. Copy the whole disc or folder again, or point "
        "respond at the folder that holds the images.",
    )
    return listed, [finding]
