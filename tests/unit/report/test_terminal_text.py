"""Terminal output: control characters in patients' text are shown escaped."""

from __future__ import annotations

import pytest

from respond.report import format_assessment, format_scan, terminal_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Doe\x1b[31m^Jane", "Doe\\x1b[31m^Jane"),
        ("over\rwritten", "over\\rwritten"),
        ("back\x08space", "back\\x08space"),
        ("two\nlines", "two\\nlines"),
        ("tab\there", "tab\\there"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("lone \ud800", "lone \\ud800"),
        ("Müller^Hans P\\Q", "Müller^Hans P\\Q"),
    ],
)
def test_control_characters_are_escaped(text: str, shown: str) -> None:
    assert terminal_text(text) == shown
    assert terminal_text(text).encode("utf-8")  # printable on any UTF-8 terminal


def test_a_message_keeps_its_lines_but_not_its_escapes() -> None:
    assert terminal_text("a\x1b[2J\nb\r", multiline=True) == "a\\x1b[2J\nb\\r"


def test_the_assessment_table_escapes_ids_and_labels() -> None:
    doc = {
        "patient": {"id": "P\x1b[31m1"},
        "timepoints": [
            {
                "label": "BL\rFU9",
                "date": "2024-01-01",
                "RECIST1.1": {
                    "sum_mm": 10.0,
                    "change_from_baseline_pct": None,
                    "change_from_nadir_pct": None,
                    "target": None,
                    "non_target": None,
                    "new_lesions": None,
                    "overall": None,
                    "reasons": [{"rule": "R1", "text": "T1\nfake line"}],
                },
            }
        ],
        "best_overall": {"RECIST1.1": None},
        "progression": {},
        "recommendation": {"action": "review", "dose_level": None, "rules": []},
        "warnings": [],
    }
    doc["recommendation"]["notes"] = []  # type: ignore[index]
    text = format_assessment(doc)
    assert "\x1b" not in text
    assert "\r" not in text
    assert "P\\x1b[31m1" in text
    assert "BL\\rFU9" in text
    assert "T1\\nfake line" in text


def test_the_series_listing_escapes_header_text() -> None:
    doc = {
        "root": "/data",
        "files_seen": 1,
        "patients": [{"id": "P\x1b]0;title\x07", "name": "Doe\r^Jane", "studies": []}],
        "findings": [],
        "non_image": [],
        "unreadable": [{"path": "a\x1b[1m.dcm", "reason": "bad"}],
    }
    text = format_scan(doc)
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\r" not in text
    assert "P\\x1b]0;title\\x07 Doe\\r^Jane" in text
