"""Everything a tumour-board report shows, gathered once for every renderer.

:func:`build_report` assesses the read with the engine (the same call as
``respond assess``), de-identifies it on request, cuts the key images and finds
the attributions the images' licences require. The PDF renderer (and anything
else that presents a report) draws a :class:`ReportData`; it never re-derives a
category itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from respond import __version__
from respond.casefile import assessment_document
from respond.criteria.assess import assess
from respond.criteria.record import PatientRead
from respond.report.deid import Deidentification, deidentify
from respond.report.images import ImageIndex
from respond.report.keyimages import KeyImage, key_images

if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["ReportData", "build_report", "image_attributions"]


@dataclass(frozen=True, slots=True)
class ReportData:
    """A patient's report: the read, its assessment, key images, attributions.

    Parameters
    ----------
    read
        The read as reported (de-identified when ``deid`` is set).
    assessment
        The ``respond-assessment/1`` document of that read.
    key_images
        Each target lesion at each time point.
    attributions
        Texts the images' licences require.
    deid
        How the read was de-identified, None for an identified report.
    modalities
        Each time point's modality (``CT``, ``MR``...) by time point UID, as its
        series' images say; absent when the images were not found.
    generated
        When the report was made (ISO 8601, local time, minutes).
    version
        respond's version.
    """

    read: PatientRead
    assessment: Mapping[str, object]
    key_images: tuple[KeyImage, ...] = ()
    attributions: tuple[str, ...] = ()
    deid: Deidentification | None = None
    modalities: Mapping[str, str] = field(default_factory=dict)
    generated: str = ""
    version: str = __version__


def _attribution_table() -> tuple[dict[str, str], str]:
    from respond.assets import read_text

    doc = json.loads(read_text("report", "attributions.json"))
    return cast("dict[str, str]", doc["collections"]), cast("str", doc["tcia_default"])


def image_attributions(paths: Iterable[str]) -> tuple[str, ...]:
    """Return the attributions the images' collections require, once each.

    A collection is recognised by the name TCIA's de-identification writes in
    the private tag (0013,1010) of creator ``CTP``.
    """
    import pydicom

    table, default = _attribution_table()
    found: dict[str, str] = {}
    for path in dict.fromkeys(p for p in paths if p):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
            block = ds.private_block(0x0013, "CTP")
            collection = str(block[0x10].value).strip()
        except Exception:  # noqa: BLE001 - a damaged header only loses the lookup
            continue
        if collection and collection not in found:
            found[collection] = table.get(
                collection, default.format(collection=collection)
            )
    return tuple(found.values())


def build_report(
    read: PatientRead,
    *,
    images: ImageIndex | None = None,
    deidentified: bool = False,
    salt: str = "",
    extra_attributions: Iterable[str] = (),
    now: dt.datetime | None = None,
    with_key_images: bool = True,
) -> ReportData:
    """Gather a patient's report.

    Parameters
    ----------
    read
        The patient's read (as stored).
    images
        Where to find the images calipers were drawn on (key images); without
        it every key image says that its image was not given.
    deidentified
        Report the read as :func:`respond.report.deid.deidentify` returns it:
        pseudonym, shifted dates, controlled labels, organs and sites, no free
        text, de-identified UIDs.
    salt
        Site secret for the pseudonym and the shift (see :mod:`respond.report.deid`).
    extra_attributions
        Attribution texts to print besides the ones found in the images.
    now
        The time to print as generated (default: now).
    with_key_images
        Read the key images' pixels (the PDF shows them); False for the CSV,
        which takes only each time point's modality from ``images``.
    """
    deid = None
    index = images if images is not None else ImageIndex.empty()
    if deidentified:
        read, deid = deidentify(read, salt=salt)
        # the read now names its images by de-identified UIDs: so must the index
        index = deid.images(index)
    assessment = assessment_document(assess(read.to_case()))
    keys = key_images(read, index) if with_key_images else ()
    # the collection is a property of the series: one header per series
    one_per_series = {k.series_uid: k.image_path for k in keys if k.image_path}
    attributions = image_attributions(one_per_series.values()) + tuple(
        t for t in extra_attributions if t
    )
    moment = now or dt.datetime.now().astimezone()
    generated = moment.isoformat(timespec="minutes")
    return ReportData(
        read=read,
        assessment=assessment,
        key_images=keys,
        attributions=tuple(dict.fromkeys(attributions)),
        deid=deid,
        modalities=_modalities(read, index),
        generated=generated,
    )


def _modalities(read: PatientRead, index: ImageIndex) -> dict[str, str]:
    """Each time point's modality from its series' (or its calipers') images."""
    found: dict[str, str] = {}
    for tp in read.timepoints:
        modality = index.series_modality(tp.series_uid)
        drawn = (c for calipers in tp.calipers.values() for c in calipers)
        for caliper in drawn:
            if modality:
                break
            ref = index.find(caliper.sop_instance_uid, caliper.frame)
            modality = ref.modality if ref is not None else None
        if modality:
            found[tp.uid] = modality
    return found
