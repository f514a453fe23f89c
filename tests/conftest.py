"""Shared fixtures: where the repository, its resources and the shared data are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_CASE = REPO / "resources" / "examples" / "hcc-sorafenib-example.json"
SHARED = REPO.parent / "shared"


@pytest.fixture
def example_case_path() -> Path:
    """The bundled example case file."""
    return EXAMPLE_CASE
