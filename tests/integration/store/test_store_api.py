"""The store's public surface: its exports, the session's port, its imports."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import subprocess
import sys

import pytest

import respond.store
from respond.session import ports
from respond.store import SqliteStore, records


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, member in vars(respond.store).items()
        if not name.startswith("_")
        and not inspect.ismodule(member)
        and name not in {"annotations", "TYPE_CHECKING"}
    }
    assert set(respond.store.__all__) == public
    for name in respond.store.__all__:
        assert hasattr(respond.store, name), f"respond.store.{name} is missing"


def _protocol_methods() -> list[str]:
    return sorted(
        name
        for name, member in vars(ports.ReadStore).items()
        if inspect.isfunction(member) and not name.startswith("_")
    )


@pytest.mark.parametrize("name", _protocol_methods())
def test_sqlite_store_has_every_port_method_with_its_signature(name: str) -> None:
    wanted = inspect.signature(getattr(ports.ReadStore, name))
    found = inspect.signature(getattr(SqliteStore, name))
    assert [(p.name, p.kind, p.default) for p in found.parameters.values()] == [
        (p.name, p.kind, p.default) for p in wanted.parameters.values()
    ]


def _catalog_methods() -> list[str]:
    catalog = getattr(ports, "ImageCatalog", None)
    return sorted(
        name
        for name, member in vars(catalog or object).items()
        if inspect.isfunction(member) and not name.startswith("_")
    )


@pytest.mark.parametrize("name", _catalog_methods())
def test_sqlite_store_has_every_image_catalog_method(name: str) -> None:
    wanted = inspect.signature(getattr(ports.ImageCatalog, name))
    found = inspect.signature(getattr(SqliteStore, name))
    assert [(p.name, p.kind, p.default) for p in found.parameters.values()] == [
        (p.name, p.kind, p.default) for p in wanted.parameters.values()
    ]


@pytest.mark.parametrize("name", ["AuditEntry", "PatientSummary"])
def test_records_have_the_fields_of_the_port_types(name: str) -> None:
    port_fields = [(f.name, f.type) for f in dataclasses.fields(getattr(ports, name))]
    store_fields = [
        (f.name, f.type) for f in dataclasses.fields(getattr(records, name))
    ]
    assert [n for n, _ in store_fields] == [n for n, _ in port_fields]


def test_the_store_imports_neither_the_session_nor_the_gui() -> None:
    code = (
        "import sys, respond.store\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'pyqtgraph', 'pydicom', 'SimpleITK', 'numpy', 'psygnal'} "
        "or m.startswith('respond.session') or m.startswith('respond.dicom'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_error_tree_roots_in_respond_error() -> None:
    errors = importlib.import_module("respond.store.errors")
    from respond.errors import RespondError

    tree = errors.__doc__ or ""
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), RespondError)
        assert name in tree, f"{name} is missing from the drawn tree"
