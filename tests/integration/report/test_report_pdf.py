"""The tumour-board PDF: its text, its pages, de-identification, failures."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pytest
from tests.integration.report.conftest import BIRTH, NAME, PATIENT_ID, which

from respond.criteria.record import PatientRead
from respond.report.document import build_report
from respond.report.images import ImageIndex

pytest.importorskip("PySide6", reason="the PDF is drawn with Qt")

from respond.pdf import PdfError, write_pdf


def _text(pdf: Path) -> str:
    return subprocess.run(
        [which("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def demo_pdf(
    demo_read: PatientRead,
    demo_images: ImageIndex,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, object]]:
    report = build_report(demo_read, images=demo_images)
    path = write_pdf(report, tmp_path_factory.mktemp("pdf") / "report.pdf")
    return path, dict(report.assessment)


def test_pdf_text_holds_categories_values_and_reasons(
    demo_pdf: tuple[Path, dict[str, object]], demo_read: PatientRead
) -> None:
    path, doc = demo_pdf
    text = _text(path)
    squashed = " ".join(text.split())
    assert demo_read.patient.id in text
    for tp in doc["timepoints"]:  # type: ignore[attr-defined]
        assert tp["label"] in text
        assert tp["date"] in text
        for key in ("RECIST1.1", "mRECIST"):
            block = tp[key]
            assert f"{block['sum_mm']}" in text
            if block["change_from_baseline_pct"]:
                assert f"{block['change_from_baseline_pct']:+.1f} %" in text
            for reason in block["reasons"]:
                # reasons wrap across lines: compare without line breaks
                assert " ".join(reason["text"].split()[:6]) in squashed
    best = doc["best_overall"]
    assert f"RECIST 1.1 {best['RECIST1.1']}" in squashed  # type: ignore[index]
    assert f"mRECIST {best['mRECIST']}" in squashed  # type: ignore[index]
    assert "switch_second_line" in text
    assert "second line available" in text
    assert "Key images" in text
    assert "LD 40.0 mm" in squashed
    assert "not signed" in text
    assert "the clinician decides" in squashed


def test_pdf_pages_render_and_are_not_blank(
    demo_pdf: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    path, _ = demo_pdf
    subprocess.run(
        [which("pdftoppm"), "-r", "30", "-gray", str(path), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) >= 3
    for page in pages:
        data = page.read_bytes()
        pixels = data[data.index(b"255\n") + 4 :]
        dark = sum(1 for value in pixels if value < 128)
        assert dark > 200, f"{page.name} is (nearly) blank"
    # a page carries the key images: many mid-grey pixels, not only text
    greys = []
    for page in pages:
        data = page.read_bytes()
        greys.append(sum(1 for v in data[data.index(b"255\n") + 4 :] if 30 < v < 220))
    assert max(greys) > 2000


def test_deidentified_pdf_holds_no_identifying_value(
    identified_read: PatientRead, demo_images: ImageIndex, tmp_path: Path
) -> None:
    identified = write_pdf(build_report(identified_read), tmp_path / "named.pdf")
    named = _text(identified)
    assert PATIENT_ID in named
    assert "Doe^Jane" in named
    report = build_report(identified_read, images=demo_images, deidentified=True)
    text = _text(write_pdf(report, tmp_path / "anon.pdf"))
    for value in (PATIENT_ID, "Doe", "Jane", NAME, BIRTH.isoformat(), "1951"):
        assert value not in text
    for tp in identified_read.timepoints:
        assert tp.date.isoformat() not in text
    assert report.deid is not None
    assert report.deid.pseudonym in text
    for tp in report.read.timepoints:
        assert tp.date.isoformat() in text


def test_report_is_readable_by_the_user_only(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    import os
    import stat

    earlier = tmp_path / "earlier.pdf"
    earlier.write_bytes(b"%PDF-old")
    earlier.chmod(0o644)
    mask = os.umask(0o022)
    try:
        path = write_pdf(build_report(demo_read), tmp_path / "r.pdf")
        replaced = write_pdf(build_report(demo_read), earlier)
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(replaced.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pdf", "r.pdf"]


def test_missing_folder_is_a_clear_error(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    with pytest.raises(PdfError, match="does not exist"):
        write_pdf(build_report(demo_read), tmp_path / "nowhere" / "r.pdf")


def test_failed_write_keeps_the_previous_report(
    demo_read: PatientRead, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(b"%PDF-previous")

    def refuse(self: Path, other: Path) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(PdfError, match="cannot write"):
        write_pdf(build_report(demo_read), target)
    assert target.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_warnings_are_written_as_text(demo_read: PatientRead, tmp_path: Path) -> None:
    from dataclasses import replace

    baseline = demo_read.timepoints[0]
    no_arterial = replace(
        baseline, timepoint=replace(baseline.timepoint, arterial_phase=False)
    )
    read = replace(demo_read, timepoints=(no_arterial, *demo_read.timepoints[1:]))
    report = build_report(read)
    assert report.assessment["warnings"]
    text = _text(write_pdf(report, tmp_path / "w.pdf"))
    squashed = " ".join(text.split())
    for warning in report.assessment["warnings"]:  # type: ignore[attr-defined]
        assert f"[{warning['code']}]" in squashed
    assert "{'code'" not in text


def test_a_folder_that_refuses_the_file_is_a_clear_error(
    demo_read: PatientRead, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PdfError, match="choose a folder you can write to"):
        write_pdf(build_report(demo_read), tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_each_rule_of_the_recommendation_names_its_source(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    from dataclasses import replace

    report = build_report(demo_read)
    recommendation = dict(
        cast("Mapping[str, object]", report.assessment["recommendation"])
    )
    recommendation["rules"] = [
        {
            "rule": "hypertension grade 3",
            "text": "interrupt until grade 1 or less",
            "source": "sorafenib label",
            "effect": "interrupt",
        },
        {"rule": "radiologic progression", "text": "none at FU2"},
    ]
    assessment = {**report.assessment, "recommendation": recommendation}
    text = _text(write_pdf(replace(report, assessment=assessment), tmp_path / "s.pdf"))
    squashed = " ".join(text.split())
    assert (
        "hypertension grade 3 [sorafenib label]: interrupt until grade 1 or less"
        in squashed
    )
    assert "radiologic progression: none at FU2" in squashed
