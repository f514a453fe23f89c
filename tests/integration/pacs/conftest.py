"""Fixtures of the PACS tests: one real Orthanc for the test run, holding the liver CT.

Orthanc starts in about 0.1 s; the liver CT is uploaded through its REST API, so
it holds the original files byte for byte. Tests that kill a server start their
own (``pacsbuild.orthanc``). pacs.json and the image cache go to tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pacsbuild import Liver, Pacs, load_liver, orthanc, upload


@pytest.fixture(scope="session")
def liver() -> Liver:
    return load_liver()


@pytest.fixture(scope="session")
def pacs(tmp_path_factory: pytest.TempPathFactory, liver: Liver) -> Iterator[Pacs]:
    """The test run's Orthanc, holding the liver CT."""
    with orthanc(tmp_path_factory.mktemp("orthanc")) as running:
        upload(running.server, list(liver.files.values()))
        yield running


@pytest.fixture
def pacs_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pacs.json and the image cache in tmp_path; returns pacs.json's path."""
    config = tmp_path / "config" / "pacs.json"
    monkeypatch.setenv("RESPOND_PACS_CONFIG", str(config))
    monkeypatch.setenv("RESPOND_CACHE_DIR", str(tmp_path / "cache"))
    return config
