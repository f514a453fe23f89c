"""respond.pacs exports exactly its public names, and imports no network library."""

from __future__ import annotations

import importlib
import subprocess
import sys


def test_all_lists_exactly_the_public_names() -> None:
    module = importlib.import_module("respond.pacs")
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and name not in {"annotations", "TYPE_CHECKING"}
    }
    assert set(module.__all__) == public
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_importing_the_package_loads_no_protocol_library() -> None:
    code = (
        "import sys, respond.pacs; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pydicom', 'pynetdicom', 'dicomweb_client', 'requests', 'PySide6'})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
