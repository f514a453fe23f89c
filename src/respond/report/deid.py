"""De-identified reports: nothing a person typed or a scanner wrote reaches the output.

:func:`deidentify` returns a copy of a read for export in which every value is
either computed (measurements, categories), shifted (dates), derived with a
secret (pseudonym, UIDs, reader names) or taken from a controlled vocabulary:

- the patient is named by a pseudonym (``ANON-`` and 8 hex digits); name, birth
  date and sex are dropped;
- every date and time (imaging, sign-off, decision) moves back by the same
  number of days (30-364), so intervals and order are kept;
- time point labels become ``BL``, ``FU1``, ``FU2`` ... in date order (a label is
  free text and may hold a name or an unshifted date);
- lesion ids become ``T1``, ``N1``, ``X1`` ... (targets, non-targets and new
  findings, in the order recorded);
- organs are kept when they are one of the known organs (:data:`ORGANS`,
  optionally with left/right/bilateral), else become ``other``; sites keep only
  what they name from a controlled list (Couinaud segments, liver and lung
  lobes, lymph node stations), the rest is dropped;
- notes, a non-target's justification and a clinician's reason become
  :data:`REMOVED` (empty ones stay empty);
- readers, signers and clinicians become ``READER-`` and 8 hex digits;
- Study, Series and SOP Instance UIDs, tracking UIDs and time point keys are
  replaced by UIDs derived from the originals with a per-patient secret
  (``2.25.`` and a 128-bit number, :meth:`Deidentification.uid`): the same
  original always gets the same replacement, so one patient's PDF, CSV and SR
  still refer to each other and to images de-identified the same way, while
  nobody without the salt can compute the originals or check a guess;
- a Child-Pugh class is kept only in its controlled form (``A5``), an adverse
  event only under a known term.

The pseudonym, date shift, UIDs and reader names all derive from a salt (a site
secret): the same salt gives the same values in every export. ``respond report``
takes it from ``--salt`` or ``RESPOND_DEID_SALT``, else from the salt file kept
beside the database (:func:`stored_salt`, made on first use, mode 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from respond.criteria.categories import Role
from respond.criteria.model import LesionId, Patient
from respond.criteria.vocabulary import lookup
from respond.errors import RespondError
from respond.report._files import private_temporary

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from respond.criteria.model import (
        Clinical,
        Lesion,
        NewLesion,
        NonTargetObservation,
        TargetMeasurement,
    )
    from respond.criteria.record import (
        Caliper,
        Decision,
        PatientRead,
        TimePointRecord,
    )
    from respond.report.images import ImageIndex

__all__ = [
    "ORGANS",
    "OTHER_ORGAN",
    "REMOVED",
    "SALT_SUFFIX",
    "UNKNOWN_TERM",
    "DamagedSaltError",
    "Deidentification",
    "caliper_images",
    "deidentify",
    "organ",
    "salt_path",
    "site",
    "stored_salt",
    "timepoint_label",
]

REMOVED: Final = "(free text removed)"
SALT_SUFFIX: Final = ".deid-salt"
OTHER_ORGAN: Final = "other"
UNKNOWN_TERM: Final = "unrecognised_term"
_MIN_SHIFT, _SPAN = 30, 335  # shift 30..364 days: dates cannot be guessed by +/- a week
_UID_ROOT: Final = "2.25."

ORGANS: Final = frozenset(
    {
        # the desktop app's choices (baseline lesions and new findings)
        "liver", "lymph node", "lung", "adrenal", "peritoneum", "portal vein",
        "bone", "other", "peritoneum (ascites)", "pleura (effusion)",
        # the finding sites of the SR (docs/sr.md)
        "pleura", "adrenal gland", "spleen", "kidney", "pancreas", "stomach",
        "brain", "abdomen",
        # other common sites of disease
        "abdominal wall", "chest wall", "soft tissue", "muscle", "skin",
        "omentum", "mesentery", "retroperitoneum", "diaphragm", "mediastinum",
        "pericardium", "heart", "hepatic vein", "inferior vena cava", "bile duct",
        "gallbladder", "colon", "small bowel", "bowel", "esophagus", "duodenum",
        "bladder", "ovary", "uterus", "prostate", "breast", "thyroid", "spine",
    }
)  # fmt: skip
"""The organs a de-identified report keeps (lower case); any other becomes ``other``."""

_ORGAN_SYNONYMS: Final = {
    "lymph nodes": "lymph node", "node": "lymph node", "nodes": "lymph node",
    "lungs": "lung", "adrenals": "adrenal", "adrenal glands": "adrenal gland",
    "kidneys": "kidney", "bones": "bone", "skeleton": "bone", "ovaries": "ovary",
    "breasts": "breast", "ascites": "peritoneum (ascites)",
    "pleural effusion": "pleura (effusion)", "hepatic": "liver",
}  # fmt: skip
_LATERALITY: Final = ("left", "right", "bilateral")

# Sites: what a de-identified report keeps of the free text, in this order.
_SEGMENTS: Final = ("I", "II", "III", "IV", "IVa", "IVb", "V", "VI", "VII", "VIII")
_SEGMENT_NAMES: Final = {
    **{name.lower(): name for name in _SEGMENTS},
    **dict(
        zip(
            ("1", "2", "3", "4", "4a", "4b", "5", "6", "7", "8"), _SEGMENTS, strict=True
        )
    ),
}
_SEGMENT_WORDS: Final = frozenset({"segment", "segments", "seg", "segs", "couinaud"})
_TOKENS: Final = re.compile(r"[\s/,;+&.()\-]+")
_SITE_TERMS: Final = (
    # lymph node stations (abdomen, chest, elsewhere)
    ("porta hepatis", r"porta hepatis"),
    ("hepatic hilum", r"hepatic hilum|liver hilum"),
    ("hepatoduodenal ligament", r"hepatoduodenal(?: ligament)?"),
    ("portocaval", r"portocaval|portacaval"),
    ("aortocaval", r"aortocaval"),
    ("celiac", r"c(?:o)?eliac"),
    ("para-aortic", r"para[- ]?aortic"),
    ("paracaval", r"para[- ]?caval"),
    ("retrocaval", r"retro[- ]?caval"),
    ("retrocrural", r"retro[- ]?crural"),
    ("retroperitoneal", r"retroperitoneal"),
    ("peripancreatic", r"peri[- ]?pancreatic"),
    ("gastrohepatic", r"gastrohepatic"),
    ("common hepatic artery", r"common hepatic artery"),
    ("mesenteric", r"mesenteric"),
    ("iliac", r"iliac"),
    ("inguinal", r"inguinal"),
    ("pelvic", r"pelvic"),
    ("cardiophrenic", r"cardiophrenic|paracardiac"),
    ("paraesophageal", r"para[- ]?o?esophageal"),
    ("mediastinal", r"mediastinal"),
    ("subcarinal", r"subcarinal"),
    ("paratracheal", r"para[- ]?tracheal"),
    ("hilar", r"hilar|(?<!hepatic )(?<!liver )hilum"),
    ("supraclavicular", r"supraclavicular"),
    ("axillary", r"axillary"),
    ("cervical", r"cervical"),
    # lobes
    ("caudate lobe", r"caudate(?: lobe)?"),
    ("right lobe", r"right (?:hepatic )?lobe"),
    ("left lobe", r"left (?:hepatic )?lobe"),
    ("right upper lobe", r"right upper lobe|rul"),
    ("right middle lobe", r"right middle lobe|rml|middle lobe"),
    ("right lower lobe", r"right lower lobe|rll"),
    ("left upper lobe", r"left upper lobe|lul"),
    ("left lower lobe", r"left lower lobe|lll"),
    ("lingula", r"lingula"),
    ("subcapsular", r"subcapsular"),
    ("dome", r"dome"),
)
_SITE_PATTERNS: Final = tuple(
    (name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in _SITE_TERMS
)
_CHILD_PUGH: Final = re.compile(r"[ABC](?:[5-9]|1[0-5])?")


def _segments(text: str) -> list[str]:
    """Return the Couinaud segments a site names.

    ``S7``, ``seg 4a`` and ``segment VII/VIII`` name segments anywhere; bare
    numerals (``VII``, ``8``) only when the whole site is segments, so that a
    stray ``I`` or house number is not taken for one.
    """
    tokens = [t for t in _TOKENS.split(text.lower()) if t]
    found: list[str] = []
    listed = False  # just after "segment", in its list ("segments 7 and 8")
    bare: list[str] = []
    only_segments = bool(tokens)
    for token in tokens:
        name = None
        if token in _SEGMENT_WORDS:
            listed = True
            continue
        if token == "and":
            continue
        for prefix in ("seg", "s"):
            if token.startswith(prefix) and token[len(prefix) :] in _SEGMENT_NAMES:
                name = _SEGMENT_NAMES[token[len(prefix) :]]
                break
        if name is None and token in _SEGMENT_NAMES:
            if listed:
                name = _SEGMENT_NAMES[token]
            else:
                bare.append(_SEGMENT_NAMES[token])
                continue
        if name is None:
            listed = False
            only_segments = False
            continue
        found.append(name)
    if only_segments:
        found.extend(bare)
    return [s for s in _SEGMENTS if s in found]


def site(text: str) -> str:
    """Return what a de-identified report keeps of a site: controlled terms only.

    Couinaud segments (``VII/VIII``), then lobes and lymph node stations in a
    fixed order, joined by ``, ``; anything else is dropped (``""``).
    """
    if not text.strip():
        return ""
    lowered = " ".join(text.lower().split())
    parts = []
    if segments := _segments(lowered):
        parts.append("segment " + "/".join(segments))
    parts.extend(name for name, pattern in _SITE_PATTERNS if pattern.search(lowered))
    return ", ".join(parts)


def organ(text: str) -> str:
    """Return a known organ (lower case, with its side), ``other``, or ``""``."""
    words = text.strip().lower().split()
    if not words:
        return ""
    side = words[0] if words[0] in _LATERALITY else ""
    name = " ".join(words[1:] if side else words)
    name = _ORGAN_SYNONYMS.get(name, name)
    if name not in ORGANS:
        return OTHER_ORGAN
    return f"{side} {name}" if side and name != OTHER_ORGAN else name


def timepoint_label(order: int) -> str:
    """Return the label of the time point at ``order`` (0: ``BL``, 1: ``FU1`` ...)."""
    return "BL" if order == 0 else f"FU{order}"


def _scrub(text: str) -> str:
    return REMOVED if text else text


def _digest(patient_id: str, salt: str) -> bytes:
    return hashlib.sha256(f"{salt}\x00{patient_id}".encode()).digest()


def _mac(key: bytes, *parts: str) -> bytes:
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Deidentification:
    """How a read was de-identified.

    Parameters
    ----------
    pseudonym
        The patient ID written instead of the real one.
    day_shift
        Days every date was moved back.
    key
        The patient's secret (from the salt and the ID) for UIDs.
    staff_key
        The site's secret (from the salt alone) for readers' names, so a
        reader gets the same pseudonym for every patient.
    """

    pseudonym: str
    day_shift: int
    key: bytes = field(default=b"", repr=False)
    staff_key: bytes = field(default=b"", repr=False)

    @classmethod
    def of(cls, patient_id: str, salt: str) -> Deidentification:
        """Return the de-identification of a patient under a salt."""
        digest = _digest(patient_id, salt)
        return cls(
            pseudonym=f"ANON-{digest[:4].hex().upper()}",
            day_shift=_MIN_SHIFT + int.from_bytes(digest[4:6], "big") % _SPAN,
            key=_mac(salt.encode(), "respond-uid", patient_id),
            staff_key=_mac(salt.encode(), "respond-staff"),
        )

    def date(self, value: dt.date) -> dt.date:
        """Return a date shifted back."""
        return value - dt.timedelta(days=self.day_shift)

    def timestamp(self, text: str) -> str:
        """Return an ISO 8601 date or date-time shifted back.

        Text that is not a date cannot be shifted and could reveal one: it
        becomes empty.
        """
        if not text:
            return text
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return self.date(dt.date.fromisoformat(text)).isoformat()
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return ""
        return (moment - dt.timedelta(days=self.day_shift)).isoformat()

    def uid(self, original: str) -> str:
        """Return the UID that replaces ``original`` ("" stays "").

        ``2.25.`` and the integer of a UUID (RFC 9562 version 8, "custom")
        whose 122 free bits are the first bits of HMAC-SHA256(patient key,
        original): at most 44 characters, the same for the same original and
        salt, and not computable without the salt.
        """
        if not original:
            return original
        raw = bytearray(_mac(self.key, "uid", original)[:16])
        raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122/9562 variant
        return f"{_UID_ROOT}{int.from_bytes(raw, 'big')}"

    def key_of(self, original: str) -> str:
        """Return the opaque key (32 hex digits) that replaces a time point's key."""
        return _mac(self.key, "key", original)[:16].hex() if original else original

    def person(self, name: str | None) -> str:
        """Return the pseudonym of a reader or clinician ("" stays "")."""
        if not name:
            return ""
        return f"READER-{_mac(self.staff_key, 'person', name)[:4].hex().upper()}"

    def images(self, index: ImageIndex) -> ImageIndex:
        """Return the image index under de-identified UIDs (same files)."""
        return index.renamed(self.uid)


def _lesion_ids(read: PatientRead) -> dict[str, str]:
    """Return new lesion ids: T1.., N1.., X1.. in the order recorded."""
    ids: dict[str, str] = {}
    counts = {"T": 0, "N": 0, "X": 0}

    def number(original: str, prefix: str) -> None:
        if original not in ids:
            counts[prefix] += 1
            ids[original] = f"{prefix}{counts[prefix]}"

    for lesion in read.lesions:
        number(lesion.id, "T" if lesion.role is Role.TARGET else "N")
    for tp in read.timepoints:
        for finding in tp.timepoint.new_lesions:
            number(finding.id, "X")
    # references to no recorded lesion (not storable, but kept apart all the same)
    counts["U"] = 0
    for tp in read.timepoints:
        point = tp.timepoint
        for ref in (
            *point.targets,
            *(t.merged_into for t in point.targets.values() if t.merged_into),
            *point.non_targets,
            *tp.calipers,
            *tp.new_lesion_uids,
        ):
            number(ref, "U")
    for ref in read.tracking_uids:
        number(ref, "U")
    return ids


@dataclass(frozen=True, slots=True)
class _Mapper:
    """Applies one de-identification to every part of a read."""

    info: Deidentification
    ids: Mapping[str, str]

    def lesion_id(self, original: str) -> LesionId:
        return LesionId(self.ids[original])

    def lesion(self, lesion: Lesion) -> Lesion:
        return replace(
            lesion,
            id=self.lesion_id(lesion.id),
            organ=organ(lesion.organ),
            site=site(lesion.site),
            note=_scrub(lesion.note),
        )

    def target(self, lesion_id: str, target: TargetMeasurement) -> TargetMeasurement:
        merged = target.merged_into
        return replace(
            target,
            merged_into=None if merged is None else self.lesion_id(merged),
            note=_scrub(target.note),
            lesion_id=self.lesion_id(lesion_id),
        )

    def observation(self, observation: NonTargetObservation) -> NonTargetObservation:
        return replace(observation, note=_scrub(observation.note))

    def finding(self, finding: NewLesion) -> NewLesion:
        return replace(
            finding,
            id=self.lesion_id(finding.id),
            organ=organ(finding.organ),
            site=site(finding.site),
            note=_scrub(finding.note),
        )

    def caliper(self, caliper: Caliper) -> Caliper:
        return replace(
            caliper,
            series_uid=self.info.uid(caliper.series_uid),
            sop_instance_uid=self.info.uid(caliper.sop_instance_uid),
        )

    def decision(self, decision: Decision | None) -> Decision | None:
        if decision is None:
            return None
        return replace(
            decision,
            decided_at=self.info.timestamp(decision.decided_at),
            reason=_scrub(decision.reason),
            decided_by=self.info.person(decision.decided_by),
        )

    def timepoint(self, order: int, tp: TimePointRecord) -> TimePointRecord:
        point = tp.timepoint
        point = replace(
            point,
            label=timepoint_label(order),
            date=self.info.date(point.date),
            targets={
                self.lesion_id(k): self.target(k, v) for k, v in point.targets.items()
            },
            non_targets={
                self.lesion_id(k): self.observation(v)
                for k, v in point.non_targets.items()
            },
            new_lesions=tuple(self.finding(n) for n in point.new_lesions),
            clinical=_clinical(point.clinical),
        )
        return replace(
            tp,
            uid=self.info.key_of(tp.uid),
            timepoint=point,
            study_uid=self.info.uid(tp.study_uid),
            series_uid=self.info.uid(tp.series_uid),
            calipers={
                self.lesion_id(k): tuple(self.caliper(c) for c in drawn)
                for k, drawn in tp.calipers.items()
            },
            new_lesion_uids={
                self.lesion_id(k): self.info.uid(v)
                for k, v in tp.new_lesion_uids.items()
            },
            signed_by=self.info.person(tp.signed_by),
            signed_at=self.info.timestamp(tp.signed_at),
            decision=self.decision(tp.decision),
            extents={self.lesion_id(k): v for k, v in tp.extents.items()},
        )


def _clinical(clinical: Clinical) -> Clinical:
    grade = clinical.child_pugh
    if grade is not None and _CHILD_PUGH.fullmatch(grade.strip()) is None:
        grade = None
    events = tuple(
        event
        if lookup(event.term.strip()) is not None
        else replace(event, term=UNKNOWN_TERM)
        for event in clinical.adverse_events
    )
    return replace(
        clinical,
        child_pugh=None if grade is None else grade.strip(),
        adverse_events=events,
    )


def deidentify(
    read: PatientRead, *, salt: str = ""
) -> tuple[PatientRead, Deidentification]:
    """Return the read without identifying values, and how it was changed.

    Parameters
    ----------
    read
        The patient's read.
    salt
        Site secret mixed into the pseudonym, the shift, the UIDs and the
        readers' pseudonyms; with the same salt the same patient always gets
        the same values. Without one a random salt is drawn: a hash of the ID
        alone could be recomputed by anyone who guesses the ID, so the values
        then differ per call.
    """
    info = Deidentification.of(read.patient.id, salt or secrets.token_hex(16))
    mapper = _Mapper(info, _lesion_ids(read))
    anonymous = replace(
        read,
        patient=Patient(id=info.pseudonym, name=None, birth_date=None),
        lesions=tuple(mapper.lesion(les) for les in read.lesions),
        tracking_uids={
            mapper.lesion_id(k): info.uid(v) for k, v in read.tracking_uids.items()
        },
        timepoints=tuple(
            mapper.timepoint(order, tp) for order, tp in enumerate(read.timepoints)
        ),
        reader=info.person(read.reader) or None,
    )
    return anonymous, info


def caliper_images(read: PatientRead) -> Iterable[tuple[str, int | None]]:
    """Yield the images (SOP instance UID, frame) a read's calipers were drawn on."""
    for tp in read.timepoints:
        for drawn in tp.calipers.values():
            for caliper in drawn:
                yield caliper.sop_instance_uid, caliper.frame


class DamagedSaltError(RespondError):
    """The salt file exists but does not hold a salt respond wrote."""


_SALT = re.compile(r"[0-9a-f]{64}")


def salt_path(database: Path) -> Path:
    """Return the salt file of a database: beside it, named after it."""
    return database.with_name(database.name + SALT_SUFFIX)


def _make_salt(path: Path) -> bool:
    """Put a new salt file in place unless one appeared meanwhile; say if made."""
    content = secrets.token_hex(32) + "\n"
    temporary = private_temporary(path)
    try:
        temporary.write_text(content, encoding="ascii")
        try:
            os.link(temporary, path)  # whole, or not at all if it exists
        except FileExistsError:
            return False  # another export made it first: use theirs
        except OSError:
            # no hard links on this file system: an exclusive create instead
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(content)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def stored_salt(path: Path) -> tuple[str, bool]:
    """Return the salt kept in ``path`` and whether it was made just now.

    The first call makes it: 256 random bits as 64 hex digits, in a file only
    the user can read (0600), put in place atomically (two exports starting at
    once get the same salt). Keep the file as private as the database, and keep
    it: a new salt gives every patient a new pseudonym, shift and UIDs.

    Raises
    ------
    OSError
        The file can neither be read nor made (e.g. a read-only folder).
    DamagedSaltError
        The file holds something else; it is not replaced, since that would
        silently change every pseudonym.
    """
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        text = None
    if text is None:
        made = _make_salt(path)
        text = path.read_text(encoding="ascii", errors="replace").strip()
    else:
        made = False
    if _SALT.fullmatch(text) is None:
        raise DamagedSaltError(
            f"{path} does not hold a de-identification salt (64 hex digits); "
            "restore it from a backup, or pass --salt, or delete it to start "
            "new pseudonyms"
        )
    return text, made
