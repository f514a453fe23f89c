"""Query keys and hits, the same for QIDO-RS (JSON) and C-FIND (datasets).

Both answers are first turned into ``{keyword: [text, ...]}``; the hits are
built from that.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from pydicom.datadict import keyword_for_tag, tag_for_keyword

from respond.pacs.errors import PacsError
from respond.pacs.model import SeriesHit, StudyHit

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pydicom import Dataset

    from respond.pacs.model import StudyQuery

Values = dict[str, list[str]]

STUDY_FIELDS: Final = (
    "StudyInstanceUID", "PatientID", "PatientName", "PatientBirthDate",
    "PatientSex", "StudyDate", "StudyTime", "StudyDescription",
    "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedSeries",
    "NumberOfStudyRelatedInstances",
)  # fmt: skip
SERIES_FIELDS: Final = (
    "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
    "NumberOfSeriesRelatedInstances",
)  # fmt: skip


def date_range(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """Return the DICOM range matching value: ``A-B``, ``A-``, ``-B`` or empty."""
    if date_from is None and date_to is None:
        return ""
    if date_from == date_to and date_from is not None:
        return f"{date_from:%Y%m%d}"
    start = "" if date_from is None else f"{date_from:%Y%m%d}"
    end = "" if date_to is None else f"{date_to:%Y%m%d}"
    return f"{start}-{end}"


def study_filters(query: StudyQuery) -> dict[str, str]:
    """Return the matching keys of ``query`` (keyword -> value), empty ones left out.

    Raises
    ------
    PacsError
        A value holds a backslash (the DICOM value separator) or a control
        character, or the date range ends before it starts.
    """
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise PacsError(
            f"the date range {query.date_from} to {query.date_to} ends before "
            "it starts: swap --from and --to"
        )
    filters = {
        "PatientID": query.patient_id,
        "PatientName": query.patient_name,
        "StudyDate": date_range(query.date_from, query.date_to),
        "ModalitiesInStudy": query.modality.upper(),
        "AccessionNumber": query.accession,
    }
    for key, value in filters.items():
        if "\\" in value or any(ord(c) < 32 for c in value):
            raise PacsError(
                f"the {key} to search for holds a backslash or a control "
                "character: remove it"
            )
    return {key: value.strip() for key, value in filters.items() if value.strip()}


def values_from_json(item: Mapping[str, object]) -> Values:
    """``{keyword: [text...]}`` of one DICOM JSON object (QIDO-RS answer)."""
    out: Values = {}
    for tag, element in item.items():
        try:
            keyword = keyword_for_tag(int(tag, 16))
        except ValueError:
            continue
        if not keyword or not isinstance(element, dict):
            continue
        raw = element.get("Value", [])
        out[keyword] = [_json_text(v) for v in raw] if isinstance(raw, list) else []
    return out


def _json_text(value: object) -> str:
    if isinstance(value, dict):  # a person name
        return str(value.get("Alphabetic", ""))
    return "" if value is None else str(value)


def values_from_dataset(ds: Dataset, keywords: Iterable[str]) -> Values:
    """``{keyword: [text...]}`` of a C-FIND identifier."""
    out: Values = {}
    for keyword in keywords:
        if keyword not in ds:
            continue
        element = ds[keyword]
        if element.value is None or element.value == "":
            continue
        value = element.value
        items = list(value) if element.VM > 1 else [value]
        out[keyword] = [str(v) for v in items]
    return out


def _first(values: Values, keyword: str) -> str:
    found = values.get(keyword) or [""]
    return found[0].strip()


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _count(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def study_hit(values: Values) -> StudyHit:
    """Return the :class:`StudyHit` of one answer."""
    modalities = tuple(
        m.strip() for m in values.get("ModalitiesInStudy", []) if m.strip()
    )
    return StudyHit(
        study_uid=_first(values, "StudyInstanceUID"),
        patient_id=_first(values, "PatientID"),
        patient_name=_first(values, "PatientName"),
        birth_date=_date(_first(values, "PatientBirthDate")),
        sex=_first(values, "PatientSex"),
        study_date=_date(_first(values, "StudyDate")),
        study_time=_first(values, "StudyTime"),
        description=_first(values, "StudyDescription"),
        accession=_first(values, "AccessionNumber"),
        modalities=modalities,
        series_count=_count(_first(values, "NumberOfStudyRelatedSeries")),
        instance_count=_count(_first(values, "NumberOfStudyRelatedInstances")),
    )


def series_hit(values: Values) -> SeriesHit:
    """Return the :class:`SeriesHit` of one answer."""
    return SeriesHit(
        series_uid=_first(values, "SeriesInstanceUID"),
        modality=_first(values, "Modality"),
        number=_count(_first(values, "SeriesNumber")),
        description=_first(values, "SeriesDescription"),
        instance_count=_count(_first(values, "NumberOfSeriesRelatedInstances")),
    )


def sort_studies(hits: Iterable[StudyHit]) -> list[StudyHit]:
    """Newest study first, then by patient."""
    return sorted(
        (h for h in hits if h.study_uid),
        key=lambda h: (-(h.study_date or dt.date.min).toordinal(), h.patient_id),
    )


def sort_series(hits: Iterable[SeriesHit]) -> list[SeriesHit]:
    """By series number (unnumbered last), then UID."""
    return sorted(
        (h for h in hits if h.series_uid),
        key=lambda h: (h.number is None, h.number or 0, h.series_uid),
    )


def tag_hex(keyword: str) -> str:
    """``00100020`` for ``PatientID``: the DICOM JSON key of a keyword."""
    tag = tag_for_keyword(keyword)
    assert tag is not None, keyword
    return f"{tag:08X}"
