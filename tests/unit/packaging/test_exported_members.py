"""Each package's public names are exactly what it exports (``__all__``)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "respond",
    "respond.criteria",
    "respond.casefile",
    "respond.report",
    "respond.dicom",
    "respond.session",
    "respond.store",
    "respond.measure",
    "respond.pacs",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    if name == "respond.dicom":
        pytest.importorskip("pydicom", reason="the Qt-free core run has no pydicom")
    if name == "respond.store":
        pytest.importorskip("platformdirs", reason="the core run has no platformdirs")
    if name in {"respond.measure", "respond.pacs"}:
        pytest.importorskip("pydicom", reason="the Qt-free core run has no pydicom")
    module = importlib.import_module(name)
    exported = {n for n in module.__all__ if not n.startswith("__")}
    public = {
        member
        for member in vars(module)
        if not member.startswith("_")
        and not isinstance(getattr(module, member), type(importlib))
        and member not in {"annotations", "TYPE_CHECKING"}
    }
    assert exported == public
    for member in module.__all__:
        assert hasattr(module, member), f"{name}.{member} is listed but missing"


def test_criteria_imports_nothing_outside_the_standard_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, respond.criteria; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'numpy','PySide6','pydicom','SimpleITK','jsonschema','pyqtgraph'}); "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
