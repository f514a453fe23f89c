"""Examine a folder or a DICOMDIR: what is there, grouped, with its problems.

The first of the two steps (examine, then load), as Slicer's DICOM plugins do:
nothing here reads pixels, except a few slices of CT stacks whose contrast phase
the headers do not settle (:mod:`respond.dicom.phase_image`). Every file is
either part of an image series, a non-image object (SR, SEG, PR, KO, RT, raw
data), a DICOMDIR, or unreadable with a reason; one bad file never stops the
scan, and :func:`scan` raises nothing but
:class:`~respond.dicom.errors.NotDicomError`.

A DICOMDIR (or a Philips DIRFILE) given as the path is followed to the files it
lists, and only to files inside its own folder. Whatever is wrong with it (damaged,
no records, records of the wrong type, nothing usable listed) becomes a finding
and the folder it is in is scanned instead. A DICOMDIR met while walking a folder
is only noted: the folder's own files are what count.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from respond.dicom._dicomdir import (
    ignored_finding,
    is_dicomdir,
    missing_files,
    read_listing,
    title,
    why,
)
from respond.dicom._header import Header, Unreadable, read_header
from respond.dicom._series import build_candidates, with_phase
from respond.dicom.errors import NotDicomError
from respond.dicom.model import (
    DicomFinding,
    NonImageObject,
    PatientEntry,
    Readiness,
    ScanResult,
    SeriesCandidate,
    Severity,
    StudyEntry,
    UnreadableFile,
)
from respond.dicom.phase import (
    Confidence,
    Phase,
    PhaseCall,
    PhaseInput,
    classify_phases,
)
from respond.dicom.phase_image import refine_phase

__all__ = ["scan"]

Progress = Callable[[int, Path], None]


def _walk(root: Path) -> Iterator[Path]:
    """Yield every regular file below ``root``, in a stable order."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(Path(entry.path))
                elif entry.is_file():
                    yield Path(entry.path)
            except OSError:
                continue
        stack.extend(reversed(subfolders))


def _is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (never a pipe or device, which could hang)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


# --- reading headers ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Batch:
    """What reading a list of files gave: headers, problems, DICOMDIRs, missing."""

    headers: tuple[Header, ...]
    unreadable: tuple[UnreadableFile, ...]
    dicomdirs: tuple[Path, ...]
    missing: tuple[Path, ...]

    @property
    def has_images(self) -> bool:
        """Whether any header is an image (not a non-image object)."""
        return any(h.non_image_kind is None for h in self.headers)


def _read(
    files: Sequence[Path], on_progress: Progress | None, *, is_listed: bool
) -> _Batch:
    """Read each file's header; listed files that are not regular files are missing."""
    headers: list[Header] = []
    unreadable: list[UnreadableFile] = []
    dicomdirs: list[Path] = []
    missing: list[Path] = []
    for count, file in enumerate(files, start=1):
        if is_listed and not _is_regular_file(file):
            missing.append(file)
        else:
            result = read_header(file)
            if isinstance(result, Unreadable):
                unreadable.append(UnreadableFile(result.path, result.reason))
            elif is_dicomdir(file, result):
                dicomdirs.append(file)
            else:
                headers.append(result)
        if on_progress is not None:
            on_progress(count, file)
    return _Batch(tuple(headers), tuple(unreadable), tuple(dicomdirs), tuple(missing))


# --- the entry points ---------------------------------------------------------------


def _is_folder(root: Path) -> bool:
    """Whether ``root`` is a folder (else a regular file); NotDicomError otherwise."""
    try:
        mode = os.stat(root).st_mode
    except FileNotFoundError:
        raise NotDicomError(root, "no such file or folder; check the path") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise NotDicomError(
            root, f"cannot be opened ({reason}); check the path and the permissions"
        ) from exc
    if stat.S_ISDIR(mode):
        return True
    if not stat.S_ISREG(mode):
        raise NotDicomError(
            root,
            "is not a file or folder (a device, pipe or socket); point respond at "
            "the folder of a CT or MR study, or its DICOMDIR",
        )
    return False


def scan(
    path: str | Path,
    *,
    on_progress: Progress | None = None,
) -> ScanResult:
    """Examine a folder (recursively), a DICOMDIR or a single file.

    Parameters
    ----------
    path
        A folder, a DICOMDIR (or DIRFILE) file, or one DICOM file.
    on_progress
        Called as ``on_progress(files_done, path)`` after each file.

    Returns
    -------
    ScanResult
        Patients, studies and series with phase, warnings and readiness;
        non-image objects; unreadable files with reasons; findings about the
        DICOMDIR (entries ignored, files missing, or unusable and the folder it
        is in scanned instead).

    Raises
    ------
    NotDicomError
        The path does not exist, cannot be opened, or holds no DICOM file at all.
    """
    root = Path(path)
    if _is_folder(root):
        return _scan_list(root, list(_walk(root)), on_progress)
    if is_dicomdir(root, read_header(root)):
        return _scan_dicomdir(root, on_progress)
    return _scan_list(root, [root], on_progress)


def scan_files(
    files: Sequence[str | Path],
    *,
    root: str | Path,
    on_progress: Progress | None = None,
) -> ScanResult:
    """Examine a list of files (e.g. a study's files found in the image index).

    Files that are missing are listed as unreadable ("missing on disk"), so the
    caller can drop them from its index.

    Parameters
    ----------
    files
        The files to read.
    root
        What the result names as its root (the folder they were found under).
    on_progress
        Called as ``on_progress(files_done, path)`` after each file.

    Raises
    ------
    NotDicomError
        None of the files is a readable DICOM file.
    """
    paths = [Path(f) for f in files]
    batch = _read(paths, on_progress, is_listed=True)
    missing = [UnreadableFile(f, "missing on disk") for f in batch.missing]
    return _assemble(Path(root), batch, len(paths), missing=missing)


def _scan_list(
    root: Path,
    files: list[Path],
    on_progress: Progress | None,
    *,
    findings: Sequence[DicomFinding] = (),
    dicomdirs: Sequence[Path] = (),
) -> ScanResult:
    batch = _read(files, on_progress, is_listed=False)
    return _assemble(root, batch, len(files), findings=findings, dicomdirs=dicomdirs)


def _scan_dicomdir(path: Path, on_progress: Progress | None) -> ScanResult:
    """Follow a DICOMDIR to its files; fall back to its folder when it is no use."""
    listing = read_listing(path)
    findings = ignored_finding(path, listing)
    problem = listing.problem
    if not problem:
        batch = _read(listing.files, on_progress, is_listed=True)
        if batch.has_images:
            missing, missing_findings = missing_files(path, batch.missing)
            return _assemble(
                path,
                batch,
                len(listing.files),
                findings=[*findings, *missing_findings],
                dicomdirs=[path],
                missing=missing,
            )
        problem = _nothing_usable(batch, len(listing.files))
    findings.append(
        DicomFinding(
            "dicomdir_unusable",
            Severity.WARNING,
            f"{title(path)} {problem}; the folder it is in was scanned instead",
        )
    )
    files = [f for f in _walk(path.parent) if f != path]
    return _scan_list(path, files, on_progress, findings=findings, dicomdirs=[path])


def _nothing_usable(batch: _Batch, listed: int) -> str:
    """Say why the files a DICOMDIR lists hold no image."""
    parts = [
        f"{len(batch.missing)} missing on disk" if batch.missing else "",
        f"{len(batch.unreadable)} unreadable" if batch.unreadable else "",
        f"{len(batch.headers)} not images" if batch.headers else "",
        f"{len(batch.dicomdirs)} DICOMDIRs" if batch.dicomdirs else "",
    ]
    return f"lists no image ({listed} files: {', '.join(p for p in parts if p)})"


def _assemble(
    root: Path,
    batch: _Batch,
    files_seen: int,
    *,
    findings: Sequence[DicomFinding] = (),
    dicomdirs: Sequence[Path] = (),
    missing: Sequence[UnreadableFile] = (),
) -> ScanResult:
    """Group what was read into a result; NotDicomError when there is no DICOM."""
    every_dicomdir = (*dicomdirs, *batch.dicomdirs)
    if not batch.headers and not every_dicomdir:
        damaged = [
            u for u in batch.unreadable if not u.reason.startswith("not a DICOM file")
        ]
        if damaged:
            raise NotDicomError(
                root,
                f"holds no readable DICOM files ({files_seen} files looked at; "
                f"{len(damaged)} could not be read, e.g. {damaged[0].path.name}: "
                f"{damaged[0].reason}); copy the study again from its source",
            )
        raise NotDicomError(
            root,
            f"holds no DICOM files ({files_seen} files looked at); point respond at "
            "the folder of a CT or MR study, or its DICOMDIR",
        )
    found = list(findings)
    images = [h for h in batch.headers if h.non_image_kind is None]
    patients = _group(images, found)
    return ScanResult(
        root=root,
        patients=patients,
        non_image=tuple(
            _non_image(h) for h in batch.headers if h.non_image_kind is not None
        ),
        unreadable=(*missing, *batch.unreadable),
        findings=tuple(found),
        files_seen=files_seen,
        dicomdirs=tuple(dict.fromkeys(every_dicomdir)),
    )


def _non_image(header: Header) -> NonImageObject:
    return NonImageObject(
        path=header.path,
        kind=header.non_image_kind or "other",
        sop_class=header.sop_class_name or header.sop_class,
        series_uid=header.series_uid,
        study_uid=header.study_uid,
        patient_id=header.patient_id,
        description=header.series_description,
    )


# --- grouping -----------------------------------------------------------------------


def _dedupe(headers: Sequence[Header], findings: list[DicomFinding]) -> list[Header]:
    seen: dict[str, Header] = {}
    kept = []
    for header in headers:
        uid = header.sop_instance_uid
        if uid and uid in seen:
            findings.append(
                DicomFinding(
                    "duplicate_instance",
                    Severity.INFO,
                    f"{header.path.name} is the same image (SOP instance {uid}) as "
                    f"{seen[uid].path.name}; the copy is ignored",
                    header.series_uid,
                )
            )
            continue
        if uid:
            seen[uid] = header
        kept.append(header)
    return kept


def _group(
    images: Sequence[Header], findings: list[DicomFinding]
) -> tuple[PatientEntry, ...]:
    by_patient: dict[str, list[Header]] = defaultdict(list)
    for header in _dedupe(images, findings):
        by_patient[header.patient_id].append(header)
    patients = []
    for patient_id in sorted(by_patient):
        members = by_patient[patient_id]
        by_study: dict[str, list[Header]] = defaultdict(list)
        for header in members:
            by_study[header.study_uid].append(header)
        studies = [_study(uid, by_study[uid]) for uid in by_study]
        studies.sort(key=lambda s: (s.date, s.time, s.uid))
        first = members[0]
        patients.append(
            PatientEntry(
                patient_id,
                first.patient_name,
                tuple(studies),
                birth_date=first.patient_birth_date,
                sex=first.patient_sex,
            )
        )
    return tuple(patients)


def _study(uid: str, headers: Sequence[Header]) -> StudyEntry:
    by_series: dict[str, list[Header]] = defaultdict(list)
    for header in headers:
        by_series[header.series_uid].append(header)
    candidates: list[SeriesCandidate] = []
    for series_uid in by_series:
        candidates.extend(_candidates(by_series[series_uid]))
    phases = classify_phases(
        [_phase_input(c, by_series[c.series_uid]) for c in candidates]
    )
    candidates = [with_phase(c, refine_phase(c, phases[c.key])) for c in candidates]
    candidates.sort(
        key=lambda c: (c.series_number is None, c.series_number or 0, c.key)
    )
    first = headers[0]
    return StudyEntry(
        uid=uid,
        date=first.study_date,
        time=first.study_time,
        description=first.study_description,
        series=tuple(candidates),
    )


def _candidates(headers: Sequence[Header]) -> list[SeriesCandidate]:
    """Build one series' candidates; a failure stays that series' finding."""
    try:
        return build_candidates(headers)
    except Exception as exc:  # noqa: BLE001 - boundary: whatever one series' headers hold, the scan of the others goes on
        return [_unexamined(headers, exc)]


def _unexamined(headers: Sequence[Header], exc: Exception) -> SeriesCandidate:
    """Return a series whose examination failed: listed with why, never measured."""
    first = headers[0]
    frames = sorted(
        (f for h in headers for f in h.frames),
        key=lambda f: (f.instance_number or 0, str(f.path), f.frame or 0),
    )
    finding = DicomFinding(
        "series_not_examined",
        Severity.ERROR,
        f"the {len(frames)} images of this series (first file {first.path.name}) "
        f"could not be examined ({why(exc)}): their geometry is unknown, so "
        "nothing can be measured on them; please report this with the files",
        first.series_uid,
    )
    return SeriesCandidate(
        key=first.series_uid,
        series_uid=first.series_uid,
        study_uid=first.study_uid,
        patient_id=first.patient_id,
        modality=first.modality,
        description=first.series_description,
        series_number=first.series_number,
        sop_class=first.sop_class_name or first.sop_class,
        rows=first.rows,
        columns=first.columns,
        frames=tuple(frames),
        spacing_mm=None,
        pixel_spacing=None,
        slice_thickness=None,
        orientation_label="unknown",
        phase=PhaseCall(Phase.UNKNOWN, Confidence.NONE, (), None),
        findings=(finding,),
        readiness=Readiness.NOT_MEASURABLE,
        sop_class_uid=first.sop_class,
    )


def _phase_input(candidate: SeriesCandidate, headers: Sequence[Header]) -> PhaseInput:
    header = next(
        (h for h in headers if h.path == candidate.frames[0].path), headers[0]
    )
    return PhaseInput(
        key=candidate.key,
        modality=header.modality,
        description=header.series_description,
        protocol=header.protocol,
        series_number=candidate.series_number,
        contrast_agent=header.contrast_agent,
        contrast_route=header.contrast_route,
        contrast_start=header.contrast_start,
        acquisition_time=header.acquisition_time,
        series_time=header.series_time,
        content_time=header.content_time,
        image_type=header.image_type,
        is_localizer=candidate.is_localizer,
    )
