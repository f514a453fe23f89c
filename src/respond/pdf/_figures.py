"""The report's pictures: spider plots and waterfalls, and the key images."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from respond.pdf._compose import CRITERIA, Composer, Doc
from respond.pdf._flow import ImageCell, ImageRow
from respond.pdf._keyimage import key_image_picture
from respond.pdf._plots import SpiderMarks, spider_image, waterfall_image
from respond.pdf._text import Run
from respond.report.keyimages import uncut_new_lesions
from respond.report.plotdata import change_curves, waterfall

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.pdf._flow import Block
    from respond.report.document import ReportData
    from respond.report.keyimages import KeyImage

__all__ = ["key_images", "plots", "spider_marks"]

_EXPLAIN = (
    "Spider: per cent change from baseline of each target lesion (thin) and of the "
    "sum (thick); dashed lines at -30 % (PR) and +20 % (PD); above the plot each "
    "time point's overall response; a red triangle and dotted line where a new "
    "lesion first appeared. Waterfall: the best change after baseline, largest "
    "first. mRECIST uses the viable (arterially enhancing) diameter of liver targets."
)


def spider_marks(report: ReportData, key: str) -> SpiderMarks:
    """Return each time point's overall response and the new lesions' first days."""
    read = report.read
    timepoints = cast("Sequence[Doc]", report.assessment["timepoints"])
    start = read.timepoints[0].date
    responses, new = [], []
    seen: set[str] = set()
    for record, tp in zip(read.timepoints, timepoints, strict=True):
        day = (record.date - start).days
        block = cast("Doc | None", tp.get(key))
        overall = block.get("overall") if block else None
        responses.append(
            (day, "BL" if day == 0 and not overall else str(overall or "-"))
        )
        first = [n.id for n in record.timepoint.new_lesions if n.id not in seen]
        seen.update(first)
        if first:
            new.append((day, ", ".join(first)))
    return SpiderMarks(tuple(responses), tuple(new))


def plots(compose: Composer, report: ReportData) -> list[Block]:
    """Return a spider plot and a waterfall per criterion, side by side."""
    doc = report.assessment
    timepoints = cast("Sequence[Doc]", doc["timepoints"])
    if not timepoints:
        return []
    blocks: list[Block] = [compose.heading("Change from baseline")]
    if len(timepoints) < 2:
        blocks.append(compose.paragraph("No follow-up yet: no change to plot."))
        return blocks
    for key, name in CRITERIA:
        block = cast("Doc | None", timepoints[0].get(key))
        if block is None or block.get("sum_mm") is None:
            continue  # not computed, or no baseline sum (e.g. mRECIST without arterial)
        curves = change_curves(report.read, key, doc)
        spider = spider_image(
            curves, f"{name}: change of target lesions", spider_marks(report, key)
        )
        bars = waterfall_image(waterfall(report.read, key, doc), f"{name}: best change")
        cells = [ImageCell(spider), ImageCell(bars)]
        blocks.append(ImageRow(compose.canvas, cells, columns=2, width=compose.width))
    blocks.append(compose.paragraph(_EXPLAIN, small=True))
    return blocks


def _caption(key: KeyImage, *, named: bool) -> tuple[Run, ...]:
    """Return the caption: lesion (when not under its heading), values, location."""
    name = f"{key.lesion_id}{' (new)' if key.is_new else ''}, " if named else ""
    runs = [Run(f"{name}{key.timepoint_label}", bold=True), Run(f": {key.values_text}")]
    if key.location_text:
        runs.append(Run(f"\n{key.location_text}", colour="#444444"))
    if key.pixels is None:
        runs.append(Run(f"\n{key.missing or 'no image'}", colour="#b71c1c"))
    return tuple(runs)


def _rows(
    compose: Composer, keys: Sequence[KeyImage], per_row: int, *, named: bool
) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(keys), per_row):
        cells = [
            ImageCell(key_image_picture(k), _caption(k, named=named))
            for k in keys[start : start + per_row]
        ]
        blocks.append(
            ImageRow(compose.canvas, cells, columns=per_row, width=compose.width)
        )
    return blocks


def _by_lesion(report: ReportData) -> dict[tuple[bool, str], list[KeyImage]]:
    """Group the key images by lesion (targets, then new lesions as first seen)."""
    order = {tp.label: n for n, tp in enumerate(report.read.timepoints)}
    found = (*report.key_images, *uncut_new_lesions(report.read))
    groups: dict[tuple[bool, str], list[KeyImage]] = {}
    for key in sorted(found, key=lambda k: k.is_new):  # stable: targets first
        groups.setdefault((key.is_new, key.lesion_id), []).append(key)
    new = [k.id for tp in report.read.timepoints for k in tp.timepoint.new_lesions]
    for keys in groups.values():
        keys.sort(key=lambda k: order.get(k.timepoint_label, 0))
    return dict(
        sorted(
            groups.items(),
            key=lambda g: (g[0][0], new.index(g[0][1]) if g[0][0] else 0),
        )
    )


def key_images(compose: Composer, report: ReportData) -> list[Block]:
    """Return the key images lesion by lesion: targets, then new lesions.

    Each lesion gets a heading and its own rows (3 images a row, 4 from four
    time points on); when no lesion has more than two images they flow four
    a row across lesions, each caption naming its lesion. A new lesion
    without a caliper has a cell that says so.
    """
    by_lesion = _by_lesion(report)
    if not by_lesion:
        return []
    blocks = [compose.heading("Key images")]
    if max(len(keys) for keys in by_lesion.values()) <= 2:
        keys = [k for group in by_lesion.values() for k in group]
        return blocks + _rows(compose, keys, 4, named=True)
    per_row = 3 if len(report.read.timepoints) <= 3 else 4
    for (is_new, lesion_id), keys in by_lesion.items():
        title = f"{lesion_id} (new lesion)" if is_new else lesion_id
        blocks.append(compose.heading(title, level=3))
        blocks += _rows(compose, keys, per_row, named=False)
    return blocks
