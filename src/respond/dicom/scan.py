"""Examine a folder or a DICOMDIR: what is there, grouped, with its problems.

The first of the two steps (examine, then load), as Slicer's DICOM plugins do:
nothing here reads pixels. Every file is either part of an image series, a
non-image object (SR, SEG, PR, KO, RT, raw data), a DICOMDIR, or unreadable with
a reason; one bad file never stops the scan.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from respond.dicom._header import DICOMDIR_CLASS, Header, Unreadable, read_header
from respond.dicom._series import build_candidates, with_phase
from respond.dicom.errors import NotDicomError
from respond.dicom.model import (
    DicomFinding,
    NonImageObject,
    PatientEntry,
    ScanResult,
    SeriesCandidate,
    Severity,
    StudyEntry,
    UnreadableFile,
)
from respond.dicom.phase import PhaseInput, classify_phases

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


def _dicomdir_files(path: Path) -> tuple[list[Path], str]:
    """Return the files a DICOMDIR references, or why it could not be used."""
    try:
        ds = pydicom.dcmread(path, force=True)
        records = ds.DirectoryRecordSequence
    except (InvalidDicomError, AttributeError, OSError, ValueError) as exc:
        return [], f"cannot be read ({type(exc).__name__}: {exc})"
    files = []
    for record in records:
        parts = record.get("ReferencedFileID")
        if not parts:
            continue
        if isinstance(parts, str):
            parts = [parts]
        files.append(path.parent.joinpath(*[str(p) for p in parts]))
    if not files:
        return [], "references no files"
    return files, ""


def _files_to_read(
    root: Path,
) -> tuple[list[Path], list[DicomFinding], list[Path], bool]:
    """Return the files to read, findings, DICOMDIRs, and whether listed only.

    Files listed by a DICOMDIR may be missing; files found by walking exist.
    """
    findings: list[DicomFinding] = []
    if root.is_dir():
        return list(_walk(root)), findings, [], False
    header = read_header(root)
    if isinstance(header, Header) and header.sop_class == DICOMDIR_CLASS:
        files, problem = _dicomdir_files(root)
        if problem:
            findings.append(
                DicomFinding(
                    "dicomdir_unusable",
                    Severity.WARNING,
                    f"DICOMDIR {root.name} {problem}; the folder it is in was scanned "
                    "instead",
                )
            )
            return list(_walk(root.parent)), findings, [root], False
        return files, findings, [root], True
    return [root], findings, [], False


def scan(
    path: str | Path,
    *,
    on_progress: Progress | None = None,
) -> ScanResult:
    """Examine a folder (recursively), a DICOMDIR or a single file.

    Parameters
    ----------
    path
        A folder, a DICOMDIR file, or one DICOM file.
    on_progress
        Called as ``on_progress(files_done, path)`` after each file.

    Returns
    -------
    ScanResult
        Patients, studies and series with phase, warnings and readiness;
        non-image objects; unreadable files with reasons.

    Raises
    ------
    NotDicomError
        The path does not exist, or holds no DICOM file at all.
    """
    root = Path(path)
    if not root.exists():
        raise NotDicomError(root, "no such file or folder; check the path")
    files, findings, dicomdirs, is_listed = _files_to_read(root)
    return _scan_list(root, files, findings, dicomdirs, is_listed, on_progress)


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
    return _scan_list(
        Path(root), [Path(f) for f in files], [], [], True, on_progress, listed_by=""
    )


def _scan_list(
    root: Path,
    files: list[Path],
    findings: list[DicomFinding],
    dicomdirs: list[Path],
    is_listed: bool,
    on_progress: Progress | None,
    *,
    listed_by: str = "the DICOMDIR",
) -> ScanResult:
    headers: list[Header] = []
    unreadable: list[UnreadableFile] = []
    for count, file in enumerate(files, start=1):
        if is_listed and not file.is_file():
            unreadable.append(
                UnreadableFile(
                    file,
                    f"listed in {listed_by} but missing on disk"
                    if listed_by
                    else "missing on disk",
                )
            )
            continue
        result = read_header(file)
        if isinstance(result, Unreadable):
            unreadable.append(UnreadableFile(result.path, result.reason))
        elif result.sop_class == DICOMDIR_CLASS:
            dicomdirs.append(file)
        else:
            headers.append(result)
        if on_progress is not None:
            on_progress(count, file)
    if not headers and not dicomdirs:
        raise NotDicomError(
            root,
            f"holds no DICOM files ({len(files)} files looked at); point respond at "
            "the folder of a CT or MR study, or its DICOMDIR",
        )
    images = [h for h in headers if h.non_image_kind is None]
    non_image = tuple(_non_image(h) for h in headers if h.non_image_kind is not None)
    patients = _group(images, findings)
    return ScanResult(
        root=root,
        patients=patients,
        non_image=non_image,
        unreadable=tuple(unreadable),
        findings=tuple(findings),
        files_seen=len(files),
        dicomdirs=tuple(dict.fromkeys(dicomdirs)),
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
        candidates.extend(build_candidates(by_series[series_uid]))
    phases = classify_phases(
        [_phase_input(c, by_series[c.series_uid]) for c in candidates]
    )
    candidates = [with_phase(c, phases[c.key]) for c in candidates]
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
