"""The package's public names, and what it never imports."""

from __future__ import annotations

import subprocess
import sys
import types

import respond.measure


def test_all_lists_exactly_the_public_names():
    public = {
        name
        for name, value in vars(respond.measure).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in {"annotations", "TYPE_CHECKING"}
    }
    assert set(respond.measure.__all__) == public


def test_the_engine_loads_no_qt_and_no_store():
    code = (
        "import sys, respond.measure, respond.measure.phantoms; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'pyqtgraph', 'sqlite3'} or m.startswith(('respond.ui', "
        "'respond.store', 'respond.session'))); print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
