"""The readable assessment table: each rule of the recommendation names its source."""

from __future__ import annotations

from respond.report.text import format_assessment


def _doc(rules: list[dict[str, str]]) -> dict[str, object]:
    return {
        "patient": {"id": "P-1"},
        "timepoints": [],
        "best_overall": {},
        "progression": {},
        "recommendation": {
            "action": "interrupt",
            "dose_level": None,
            "rules": rules,
            "notes": [],
        },
        "warnings": [],
    }


def test_a_rule_names_its_source_in_brackets() -> None:
    text = format_assessment(
        _doc(
            [
                {
                    "rule": "hypertension grade 3",
                    "text": "interrupt until grade 1 or less",
                    "source": "sorafenib label",
                    "effect": "interrupt",
                },
                {"rule": "radiologic progression", "text": "none"},
            ]
        )
    )
    assert (
        "  1. hypertension grade 3 [sorafenib label]: interrupt until grade 1 or less"
        in text.splitlines()
    )
    assert "  2. radiologic progression: none" in text.splitlines()


def test_an_empty_source_adds_no_brackets() -> None:
    text = format_assessment(_doc([{"rule": "r", "text": "t", "source": ""}]))
    assert "  1. r: t" in text.splitlines()
