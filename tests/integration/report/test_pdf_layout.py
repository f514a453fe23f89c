"""The PDF's layout at the extremes: 1 and 10 time points, 1 and 10 lesions.

Each report is rendered, its pages turned into images (``pdftoppm``) and text
(``pdftotext``): no ink outside the margins, headings whole on one line, the
patient line and "page N of M" on every page, rows of a table never split, the
signature block, and the key image of a new lesion with its location.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from tests.integration.report.conftest import which

from respond.criteria.categories import Action
from respond.criteria.model import LesionId
from respond.criteria.record import Decision, PatientRead, TimePointRecord
from respond.report.document import ReportData, build_report
from respond.report.images import ImageIndex

pytest.importorskip("PySide6", reason="the PDF is drawn with Qt")

from respond.pdf import write_pdf
from respond.pdf._figures import spider_marks
from respond.pdf._flow import Block, paginate

DPI = 40
STRIP_MM = 12.0  # the margins are 14 mm: ink in the outer 12 mm is out of place
SITES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
EXTREMES = [(1, 1), (1, 10), (10, 1), (10, 10)]


def _retarget(tp: TimePointRecord, read: PatientRead, count: int) -> TimePointRecord:
    """Give ``count`` targets the demo's two lesions' values and calipers in turn."""
    source = [read.lesions[i % 2].id for i in range(count)]
    ids = [LesionId(f"T{i + 1}") for i in range(count)]
    targets = {
        new: replace(tp.timepoint.targets[old], lesion_id=new)
        for new, old in zip(ids, source, strict=True)
    }
    calipers = {new: tp.calipers[old] for new, old in zip(ids, source, strict=True)}
    if any(n.id == "X1" for n in tp.timepoint.new_lesions):
        # the new lesion measured on the image of T1's long axis
        calipers[LesionId("X1")] = (tp.calipers[read.lesions[0].id][0],)
    return replace(
        tp, timepoint=replace(tp.timepoint, targets=targets), calipers=calipers
    )


def scaled_read(read: PatientRead, timepoints: int, lesions: int) -> PatientRead:
    """The demo read with ``timepoints`` time points (FU every 8 weeks) and targets."""
    records = list(read.timepoints)
    while len(records) < timepoints:
        last = records[-1]
        point = replace(
            last.timepoint,
            label=f"FU{len(records)}",
            date=last.date + dt.timedelta(days=56),
        )
        records.append(replace(last, uid=f"{last.uid}-{len(records)}", timepoint=point))
    lesion_list = tuple(
        replace(
            read.lesions[i % 2],
            id=LesionId(f"T{i + 1}"),
            site=f"segment {SITES[i % 8]}",
        )
        for i in range(lesions)
    )
    return replace(
        read,
        lesions=lesion_list,
        timepoints=tuple(_retarget(tp, read, lesions) for tp in records[:timepoints]),
    )


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        [which("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # the font's ligatures ("fi") come out as one character: read them as letters
    text = unicodedata.normalize("NFKC", text)
    return [page for page in text.split("\f") if page.strip()]


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    fields = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][-width * height :]


def ink_outside_margins(pdf: Path, folder: Path) -> list[str]:
    """Return ``page: side`` for every page with a dark pixel in a margin strip."""
    subprocess.run(
        [which("pdftoppm"), "-r", str(DPI), "-gray", str(pdf), str(folder / "p")],
        check=True,
    )
    strip = int(STRIP_MM / 25.4 * DPI)
    found = []
    for page in sorted(folder.glob("p-*.pgm")):
        width, height, pixels = _pgm(page)
        rows = [pixels[r * width : (r + 1) * width] for r in range(height)]
        sides = {
            "top": [v for row in rows[:strip] for v in row],
            "bottom": [v for row in rows[height - strip :] for v in row],
            "left": [v for row in rows for v in row[:strip]],
            "right": [v for row in rows for v in row[width - strip :]],
        }
        found += [f"{page.name}: {side}" for side, v in sides.items() if min(v) < 200]
    return found


@pytest.fixture(scope="module")
def rendered(
    demo_read: PatientRead,
    demo_images: ImageIndex,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[int, int], tuple[Path, ReportData]]:
    folder = tmp_path_factory.mktemp("layout")
    out = {}
    for timepoints, lesions in EXTREMES:
        read = scaled_read(demo_read, timepoints, lesions)
        report = build_report(read, images=demo_images)
        path = write_pdf(report, folder / f"r{timepoints}x{lesions}.pdf")
        out[(timepoints, lesions)] = (path, report)
    return out


@pytest.mark.parametrize("size", EXTREMES, ids=lambda s: f"{s[0]}tp-{s[1]}les")
def test_no_ink_outside_the_margins(
    rendered: dict[tuple[int, int], tuple[Path, ReportData]],
    size: tuple[int, int],
    tmp_path: Path,
) -> None:
    path, _ = rendered[size]
    assert ink_outside_margins(path, tmp_path) == []


def test_the_margin_check_sees_ink_in_a_margin(tmp_path: Path) -> None:
    from PySide6.QtCore import QMarginsF, QRectF
    from PySide6.QtGui import QColor, QPageSize, QPainter, QPdfWriter

    from respond.pdf._qt import ensure_gui

    ensure_gui()
    path = tmp_path / "edge.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    painter = QPainter(writer)
    right = writer.width()
    painter.fillRect(QRectF(right - 60, 2000, 30, 300), QColor("black"))
    painter.end()
    assert ink_outside_margins(path, tmp_path) == ["p-1.pgm: right"]


def _one_line(pages: list[str], words: list[str]) -> bool:
    """Whether one line of text holds every heading, whole and in order."""
    pattern = r"\s+".join(rf"(?<!\S){re.escape(w)}(?!\S)" for w in words)
    return any(re.search(pattern, line) for page in pages for line in page.splitlines())


@pytest.mark.parametrize("size", EXTREMES, ids=lambda s: f"{s[0]}tp-{s[1]}les")
def test_table_headings_are_whole_on_one_line(
    rendered: dict[tuple[int, int], tuple[Path, ReportData]], size: tuple[int, int]
) -> None:
    path, report = rendered[size]
    pages = _pages_text(path)
    labels = [tp.label for tp in report.read.timepoints]
    response = ["Time point", "Criterion", "Sum (mm)", "vs baseline", "vs nadir"]
    assert _one_line(pages, [*response, "Target", "Non-target", "New", "Overall"])
    assert _one_line(pages, ["Lesion", "Role", "Site", *labels])
    clinical = ["ECOG", "Child-Pugh", "FHSI-8", "Dose level", "Adverse events (CTCAE)"]
    assert _one_line(pages, ["Time point", *clinical])
    text = "\n".join(pages)
    for word in ("Baseline", "Target", "Non-target", "Overall", "Criterion"):
        assert re.search(rf"(?<![\w-]){word}(?![\w-])", text, re.IGNORECASE), word
    for broken in ("baselin e", "Tar get", "No n-", "tar ge t"):
        assert broken not in text


@pytest.mark.parametrize("size", EXTREMES, ids=lambda s: f"{s[0]}tp-{s[1]}les")
def test_every_page_has_the_patient_line_and_its_number(
    rendered: dict[tuple[int, int], tuple[Path, ReportData]], size: tuple[int, int]
) -> None:
    path, report = rendered[size]
    pages = _pages_text(path)
    patient = report.read.patient
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page
        assert f"ID {patient.id}" in page
        assert f"Patient {patient.name}" in page


def test_rows_of_a_time_point_stay_on_one_page(
    rendered: dict[tuple[int, int], tuple[Path, ReportData]],
) -> None:
    path, report = rendered[(10, 10)]
    pages = _pages_text(path)
    for tp in report.read.timepoints:
        label = rf"^\s*{tp.label}\s+RECIST 1\.1"
        date = rf"^\s*{tp.date.isoformat()}\s+mRECIST"
        assert any(
            re.search(label, page, re.MULTILINE) and re.search(date, page, re.MULTILINE)
            for page in pages
        ), tp.label
    for page in pages:  # a page with rows of the lesions table has its heading row
        if re.search(r"^\s*T\d+\s+target\s", page, re.MULTILINE):
            assert re.search(r"Lesion\s+Role\s+Site\s+BL", page)


class _Box(Block):
    def __init__(self, height: float, *, keep: bool = False) -> None:
        self.height = height
        self.keep_with_next = keep


def test_pagination_keeps_rows_whole_and_repeats_the_heading() -> None:
    head = _Box(10, keep=True)
    rows = [_Box(30) for _ in range(10)]
    for row in rows:
        row.header = head
    pages = paginate([_Box(50), _Box(20, keep=True), head, *rows], 100)
    for page in pages:
        assert all(p.y + p.block.height <= 100 for p in page)
    for page in pages[2:]:
        assert page[0].block is head  # the heading row starts every later page
    placed = [p.block for page in pages for p in page if p.block is not head]
    assert placed[2:] == rows


def test_signature_block_and_new_lesion_key_image(
    rendered: dict[tuple[int, int], tuple[Path, ReportData]],
) -> None:
    path, report = rendered[(10, 10)]
    text = " ".join("\n".join(_pages_text(path)).split())
    for label in ("Signature", "Reader demo", "Role", "Date", "Board's decision"):
        assert label in text
    assert "X1 (new lesion)" in text
    assert "FU2: new lesion, 12.0 mm" in text
    new = [k for k in report.key_images if k.is_new]
    assert new
    assert all(k.pixels is not None and k.series_number is not None for k in new)
    assert new[0].location_text in text
    assert re.search(r"series \d+, image \d+, slice -?\d+\.\d mm", text)


def test_a_new_lesion_without_caliper_says_so(
    demo_read: PatientRead, demo_images: ImageIndex, tmp_path: Path
) -> None:
    report = build_report(demo_read, images=demo_images)
    text = " ".join(
        "\n".join(_pages_text(write_pdf(report, tmp_path / "r.pdf"))).split()
    )
    assert "X1 (new lesion)" in text
    assert "FU2: new lesion, 12.0 mm no caliper drawn" in text


def test_board_decision_of_the_last_time_point_is_signed_for(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    decision = Decision(
        recommended_action=Action.SWITCH_SECOND_LINE,
        recommended_dose=None,
        accepted=False,
        action=Action.DISCONTINUE,
        dose_level=None,
        reason="patient declines second line",
        decided_by="Dr Board",
        decided_at="2024-05-02T10:00",
    )
    last = replace(demo_read.timepoints[-1], decision=decision)
    read = replace(demo_read, timepoints=(*demo_read.timepoints[:-1], last))
    text = " ".join(
        "\n".join(
            _pages_text(write_pdf(build_report(read), tmp_path / "d.pdf"))
        ).split()
    )
    board = "Board's decision (FU2): Stop sorafenib (discontinue; recommendation"
    assert f"{board} overridden)" in text
    assert "Dr Board 2024-05-02T10:00" in text


def test_deidentified_pages_name_the_pseudonym(
    identified_read: PatientRead, tmp_path: Path
) -> None:
    report = build_report(identified_read, deidentified=True)
    assert report.deid is not None
    pages = _pages_text(write_pdf(report, tmp_path / "anon.pdf"))
    for page in pages:
        assert f"Patient {report.deid.pseudonym} (de-identified)" in page
        assert "Doe" not in page


def test_spider_marks_each_response_and_the_new_lesion(demo_read: PatientRead) -> None:
    marks = spider_marks(build_report(demo_read), "mRECIST")
    assert marks.responses == ((0, "BL"), (56, "PR"), (112, "PD"))
    assert marks.new_lesions == ((112, "X1"),)
