"""The nodes file, ``pacs.json``: read, checked, and rewritten atomically.

It lives in respond's user config folder (``platformdirs.user_config_dir``),
unless ``RESPOND_PACS_CONFIG`` names another file::

    {
        "format": "respond-pacs/1",
        "nodes": [
            {
                "name": "orthanc",
                "kind": "dicomweb",
                "url": "http://127.0.0.1:8042/dicom-web",
                "auth": "basic",
                "username": "respond",
                "secret_env": "RESPOND_PACS_PASSWORD",
            },
            {
                "name": "pacs",
                "kind": "dimse",
                "host": "10.0.0.5",
                "port": 104,
                "called_aet": "PACS",
                "calling_aet": "RESPOND",
            },
        ],
    }

Every problem is reported at once, naming the node and the field, e.g.
``pacs.json: node 'pacs': port must be an integer 1-65535``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import platformdirs

from respond.pacs.errors import PacsConfigError
from respond.pacs.nodes import PacsNode, parse_inline_spec

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CACHE_ENV",
    "CONFIG_ENV",
    "CONFIG_FORMAT",
    "add_node",
    "config_path",
    "image_cache_dir",
    "load_nodes",
    "remove_node",
    "resolve_node",
]

CONFIG_ENV: Final = "RESPOND_PACS_CONFIG"
CONFIG_FORMAT: Final = "respond-pacs/1"
CACHE_ENV: Final = "RESPOND_CACHE_DIR"
_TEXT = {
    "name", "kind", "url", "host", "called_aet", "calling_aet", "retrieve",
    "move_host", "auth", "username",
}  # fmt: skip
_OPTIONAL_TEXT = {"ca_file", "cert_file", "key_file", "secret_env", "secret_file"}
_KNOWN = {item.name for item in fields(PacsNode)}


def config_path() -> Path:
    """Return the nodes file: ``$RESPOND_PACS_CONFIG``, else the config folder's."""
    override = os.environ.get(CONFIG_ENV, "")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("respond", appauthor=False)) / "pacs.json"


def image_cache_dir() -> Path:
    """Return where retrieved studies go: ``<user cache>/respond/pacs``.

    ``$RESPOND_CACHE_DIR`` replaces ``<user cache>/respond`` (the images then go
    to ``$RESPOND_CACHE_DIR/pacs``). The folder may not exist yet.
    """
    root = os.environ.get(CACHE_ENV, "")
    if root:
        return Path(root).expanduser() / "pacs"
    return Path(platformdirs.user_cache_dir("respond", appauthor=False)) / "pacs"


def _read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"format": CONFIG_FORMAT, "nodes": []}
    except (OSError, UnicodeDecodeError) as exc:
        raise PacsConfigError(
            f"{path}: cannot be read ({exc}): check the file's permissions"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PacsConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}): fix the file, or move it away to start again"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise PacsConfigError(
            f'{path}: must be a JSON object with a "nodes" list, e.g. '
            '{"format": "respond-pacs/1", "nodes": []}; docs/pacs.md shows one'
        )
    if document.get("format", CONFIG_FORMAT) != CONFIG_FORMAT:
        raise PacsConfigError(
            f"{path}: format {document.get('format')!r} is not {CONFIG_FORMAT!r}: "
            "it was written by another version of respond"
        )
    return document


def _unknown_field(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(_KNOWN), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "docs/pacs.md lists the fields"
    return f"unknown field '{key}' ({hint})"


def _wrong_type(key: str, value: object) -> str | None:
    if key in _TEXT and not isinstance(value, str):
        return f"{key} must be text"
    if key in _OPTIONAL_TEXT | {"secret"} and not isinstance(value, str | None):
        return f"{key} must be text"
    if key == "tls" and not isinstance(value, bool):
        return "tls must be true or false"
    return None


def _type_problems(entry: Mapping[str, object]) -> list[str]:
    problems = []
    for key, value in entry.items():
        problem = _unknown_field(key) if key not in _KNOWN else _wrong_type(key, value)
        if problem:
            problems.append(problem)
    for key in ("name", "kind"):
        if key not in entry:
            problems.append(f"{key} is missing")
    return problems


def _node_from_entry(index: int, entry: object) -> PacsNode | str:
    """Return the node of one entry, or the problems found in it."""
    if not isinstance(entry, dict):
        return f"nodes[{index}] must be an object with name and kind"
    name = entry.get("name")
    who = f"node '{name}'" if isinstance(name, str) and name else f"nodes[{index}]"
    problems = _type_problems(entry)
    if problems:
        return f"{who}: {'; '.join(problems)}"
    try:
        return PacsNode(**entry)
    except PacsConfigError as exc:
        return str(exc)


def _nodes_of(document: Mapping[str, Any], path: Path) -> dict[str, PacsNode]:
    nodes: dict[str, PacsNode] = {}
    problems: list[str] = []
    for index, entry in enumerate(document["nodes"]):
        node = _node_from_entry(index, entry)
        if isinstance(node, str):
            problems.append(node)
        elif node.name in nodes:
            problems.append(f"node '{node.name}': the name is used twice")
        else:
            nodes[node.name] = node
    if problems:
        raise PacsConfigError(
            f"{path.name}: " + "\n".join(problems) + f"\nFix {path} "
            "(docs/pacs.md describes each field) or remove the node with "
            "'respond pacs remove NAME'."
        )
    return nodes


def load_nodes(path: Path | None = None) -> list[PacsNode]:
    """Return the nodes of pacs.json, in its order (none when there is no file).

    Raises
    ------
    PacsConfigError
        The file is unreadable, not JSON, or a node is wrong (every problem
        named, with the node and the field).
    """
    path = config_path() if path is None else path
    return list(_nodes_of(_read_document(path), path).values())


def _write_document(document: Mapping[str, Any], path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    fd, temp = tempfile.mkstemp(prefix=".pacs-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600)  # it may name secret files, or hold a secret
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def add_node(
    node: PacsNode, *, replace: bool = False, path: Path | None = None
) -> Path:
    """Add ``node`` to pacs.json (the other entries kept as they are).

    Raises
    ------
    PacsConfigError
        A node of that name exists and ``replace`` is False, or the file is wrong.
    """
    path = config_path() if path is None else path
    document = _read_document(path)
    existing = _nodes_of(document, path)
    if node.name in existing and not replace:
        raise PacsConfigError(
            f"{path.name}: a node named '{node.name}' exists: choose another "
            "name, or pass --replace to overwrite it"
        )
    entries = [e for e in document["nodes"] if e.get("name") != node.name]
    document = {
        **document,
        "format": CONFIG_FORMAT,
        "nodes": [*entries, node.to_mapping()],
    }
    _write_document(document, path)
    return path


def remove_node(name: str, *, path: Path | None = None) -> Path:
    """Remove the node ``name`` from pacs.json.

    Raises
    ------
    PacsConfigError
        No node has that name.
    """
    path = config_path() if path is None else path
    document = _read_document(path)
    entries = [e for e in document["nodes"] if not _named(e, name)]
    if len(entries) == len(document["nodes"]):
        raise PacsConfigError(_unknown_node(name, document, path))
    _write_document({**document, "nodes": entries}, path)
    return path


def _named(entry: object, name: str) -> bool:
    return isinstance(entry, dict) and entry.get("name") == name


def _unknown_node(name: str, document: Mapping[str, Any], path: Path) -> str:
    names = [e.get("name") for e in document["nodes"] if isinstance(e, dict)]
    known = ", ".join(str(n) for n in names) if names else "none"
    return (
        f"no PACS node named '{name}' in {path} (known: {known}): add it with "
        "'respond pacs add', or give dicomweb:URL or dimse:AET@host:port"
    )


def resolve_node(
    spec: str,
    *,
    calling_aet: str | None = None,
    timeout: float | None = None,
    move_port: int | None = None,
    path: Path | None = None,
) -> PacsNode:
    """Return the node of ``--pacs``: an inline spec, or a name in pacs.json.

    ``calling_aet``, ``timeout`` and ``move_port``, when given, override the
    node's own.

    Raises
    ------
    PacsConfigError
        A malformed spec, an unknown name, or a wrong pacs.json.
    """
    inline = parse_inline_spec(
        spec,
        calling_aet=calling_aet or "RESPOND",
        timeout=30.0 if timeout is None else timeout,
        move_port=move_port,
    )
    if inline is not None:
        return inline
    path = config_path() if path is None else path
    document = _read_document(path)
    nodes = _nodes_of(document, path)
    if spec not in nodes:
        raise PacsConfigError(_unknown_node(spec, document, path))
    return _override(nodes[spec], calling_aet, timeout, move_port)


def _override(
    node: PacsNode,
    calling_aet: str | None,
    timeout: float | None,
    move_port: int | None,
) -> PacsNode:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if calling_aet is not None and node.kind == "dimse":
        changes["calling_aet"] = calling_aet
    if timeout is not None:
        changes["timeout"] = timeout
    if move_port is not None and node.kind == "dimse":
        changes.update(retrieve="move", move_port=move_port)
    return replace(node, **changes) if changes else node
