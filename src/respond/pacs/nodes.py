"""PACS nodes: where a PACS is, how to reach it, and how respond signs in.

A :class:`PacsNode` is either DICOMweb (``url``, the QIDO/WADO/STOW root) or
DIMSE (``host``, ``port``, the PACS's ``called_aet`` and respond's own
``calling_aet``). Its secret (a password or a bearer token) is never stored in
the node's text: it is read when needed from the environment variable named by
``secret_env`` or from ``secret_file`` (mode 0600); ``repr()`` and ``str()`` show
``***`` for it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from respond.pacs.errors import PacsConfigError

__all__ = [
    "DEFAULT_CALLING_AET",
    "DEFAULT_TIMEOUT",
    "MASK",
    "PacsNode",
    "ae_title_problem",
    "parse_inline_spec",
]

DEFAULT_CALLING_AET: Final = "RESPOND"
DEFAULT_TIMEOUT: Final = 30.0
MASK: Final = "***"
Kind = Literal["dicomweb", "dimse"]
Auth = Literal["none", "basic", "bearer"]
Retrieve = Literal["get", "move"]
_SPEC = re.compile(
    r"^(?P<aet>[^@]+)@(?P<host>[^:@]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d+)$"
)


def ae_title_problem(value: str) -> str | None:
    """Why ``value`` is not a valid AE title (1-16 characters), or None."""
    if not value.strip():
        return "must not be empty"
    if len(value) > 16:
        return f"'{value[:20]}' is longer than 16 characters"
    if any(ord(c) < 32 or ord(c) > 126 or c == "\\" for c in value):
        return "may hold printable ASCII characters only, and no backslash"
    return None


def _port_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        return "must be an integer 1-65535"
    return None


@dataclass(frozen=True)
class PacsNode:
    """One PACS, as respond reaches it.

    Parameters
    ----------
    name
        What the user calls it (the key in pacs.json).
    kind
        ``"dicomweb"`` or ``"dimse"``.
    url
        DICOMweb: the QIDO/WADO/STOW root, e.g. ``http://127.0.0.1:8042/dicom-web``.
    host, port, called_aet
        DIMSE: the PACS's address and AE title.
    calling_aet
        DIMSE: respond's own AE title (default ``RESPOND``).
    retrieve
        DIMSE: ``"get"`` (C-GET, default) or ``"move"`` (C-MOVE to respond's own
        storage SCP on ``move_host:move_port``, with AE title ``calling_aet``;
        the PACS must know it as a destination).
    tls, ca_file, cert_file, key_file
        TLS (DIMSE over TLS; for DICOMweb an ``https://`` URL, verified with
        ``ca_file`` or the system's certificates; ``cert_file`` and ``key_file``
        give respond's own certificate when the server asks for one).
    auth, username, secret_env, secret_file, secret
        DICOMweb authentication: ``"none"``, ``"basic"`` (``username`` and a
        password) or ``"bearer"`` (a token). The secret comes from ``secret``
        (set by a program, never printed), else the environment variable
        ``secret_env``, else the file ``secret_file`` (readable by its owner only).
    timeout
        Seconds to wait for a connection or an answer (default 30).
    """

    name: str
    kind: Kind
    url: str = ""
    host: str = ""
    port: int = 0
    called_aet: str = ""
    calling_aet: str = DEFAULT_CALLING_AET
    retrieve: Retrieve = "get"
    move_port: int | None = None
    move_host: str = "127.0.0.1"
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    auth: Auth = "none"
    username: str = ""
    secret_env: str | None = None
    secret_file: str | None = None
    secret: str | None = field(default=None, repr=False, compare=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            inline = str(self.name).startswith(("dicomweb:", "dimse:"))
            who = f"--pacs {self.name}" if inline else f"node '{self.name}'"
            raise PacsConfigError(f"{who}: {'; '.join(problems)}", node=self.name)

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "secret":
                value = MASK if value else None
            if value != item.default or item.name in {"name", "kind"}:
                shown.append(f"{item.name}={value!r}")
        return f"PacsNode({', '.join(shown)})"

    __str__ = __repr__

    @property
    def address(self) -> str:
        """``DICOMweb URL`` or ``DIMSE AET@host:port``: where the node is."""
        if self.kind == "dicomweb":
            return f"DICOMweb {self.url}"
        return f"DIMSE {self.called_aet}@{self.host}:{self.port}"

    @property
    def label(self) -> str:
        """The node in messages: its name and address (never its secret)."""
        if self.name.startswith(("dicomweb:", "dimse:")):
            return f"PACS {self.address}"  # given inline on the command line
        return f"PACS node '{self.name}' ({self.address})"

    @property
    def has_secret(self) -> bool:
        """True when the node is set to sign in with a secret."""
        return self.auth != "none"

    def resolve_secret(self) -> str | None:
        """Return the secret (None when ``auth`` is ``"none"``).

        Raises
        ------
        PacsConfigError
            The environment variable is not set, or the file is missing,
            unreadable, empty or readable by other users.
        """
        if self.auth == "none":
            return None
        if self.secret:
            return self.secret
        if self.secret_env:
            value = os.environ.get(self.secret_env, "")
            if value:
                return value
            raise self.config_error(
                f"the secret is read from the environment variable "
                f"{self.secret_env}, which is not set: set it before running "
                "respond, or give the node a secret_file"
            )
        assert self.secret_file is not None  # checked by __post_init__
        return _read_secret_file(self, Path(self.secret_file).expanduser())

    def config_error(self, problem: str) -> PacsConfigError:
        """Return a :class:`PacsConfigError` naming this node."""
        return PacsConfigError(f"{self.label}: {problem}", node=self.name)

    def masked(self) -> dict[str, object]:
        """Return the node's pacs.json entry, with ``secret: ***`` if it holds one."""
        data = self.to_mapping()
        if self.secret:
            data["secret"] = MASK
        return data

    def to_mapping(self) -> dict[str, object]:
        """Return the node's pacs.json entry: the fields that are not defaults.

        Never the secret itself: only where to read it (``secret_env``,
        ``secret_file``).
        """
        data: dict[str, object] = {"name": self.name, "kind": self.kind}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in data or item.name == "secret":
                continue
            if value != item.default:
                data[item.name] = value
        return data


def _read_secret_file(node: PacsNode, path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
            raise node.config_error(
                f"the secret file {path} can be read by other users (mode "
                f"{stat.S_IMODE(mode):o}): run 'chmod 600 {path}'"
            )
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise node.config_error(
            f"cannot read the secret file {path} ({exc.strerror or exc}): "
            "check the path in secret_file"
        ) from None
    if not value:
        raise node.config_error(f"the secret file {path} is empty")
    return value


def _problems(node: PacsNode) -> list[str]:
    problems: list[str] = []
    if not isinstance(node.name, str) or not node.name.strip():
        problems.append("name must be a non-empty text")
    if node.kind == "dicomweb":
        problems += _dicomweb_problems(node)
    elif node.kind == "dimse":
        problems += _dimse_problems(node)
    else:
        problems.append(f"kind must be 'dicomweb' or 'dimse', not {node.kind!r}")
    problems += _auth_problems(node)
    timeout = node.timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        problems.append("timeout must be a number of seconds")
    elif not 0 < timeout <= 3600:
        problems.append("timeout must be more than 0 and at most 3600 seconds")
    for key in ("ca_file", "cert_file", "key_file", "secret_env", "secret_file"):
        value = getattr(node, key)
        if value is not None and (not isinstance(value, str) or not value):
            problems.append(f"{key} must be a non-empty text")
    if node.key_file and not node.cert_file:
        problems.append("key_file needs cert_file (respond's own certificate)")
    return problems


def _dicomweb_problems(node: PacsNode) -> list[str]:
    parts = urlsplit(node.url) if isinstance(node.url, str) else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            "url must be an http:// or https:// URL, e.g. http://host:8042/dicom-web"
        ]
    problems = []
    if parts.username or parts.password:
        problems.append(
            "url must not hold a user name or password: put the user name in "
            "'username' and the secret in secret_env or secret_file"
        )
    if parts.query or parts.fragment:
        problems.append("url must be the DICOMweb root, without '?' or '#'")
    if node.tls and parts.scheme != "https":
        problems.append("tls needs an https:// URL")
    return problems


def _dimse_problems(node: PacsNode) -> list[str]:
    problems = []
    if not isinstance(node.host, str) or not node.host.strip():
        problems.append("host must be a host name or an IP address")
    if (problem := _port_problem(node.port)) is not None:
        problems.append(f"port {problem}")
    for key in ("called_aet", "calling_aet"):
        value = getattr(node, key)
        problem = ae_title_problem(value) if isinstance(value, str) else "must be text"
        if problem:
            problems.append(f"{key} {problem}")
    if node.retrieve not in {"get", "move"}:
        problems.append(f"retrieve must be 'get' or 'move', not {node.retrieve!r}")
    if node.retrieve == "move" and node.move_port is None:
        problems.append("retrieve 'move' needs move_port (respond's storage port)")
    if node.move_port is not None and (p := _port_problem(node.move_port)):
        problems.append(f"move_port {p}")
    if node.auth != "none":
        problems.append("auth applies to DICOMweb only: DIMSE nodes use 'none'")
    return problems


def _auth_problems(node: PacsNode) -> list[str]:
    if node.auth not in {"none", "basic", "bearer"}:
        return [f"auth must be 'none', 'basic' or 'bearer', not {node.auth!r}"]
    if node.auth == "none":
        return []
    problems = []
    if node.auth == "basic" and not node.username:
        problems.append("auth 'basic' needs a username")
    if not (node.secret or node.secret_env or node.secret_file):
        problems.append(
            f"auth '{node.auth}' needs secret_env (an environment variable "
            "holding the secret) or secret_file (a file of mode 0600)"
        )
    return problems


def parse_inline_spec(
    spec: str,
    *,
    calling_aet: str = DEFAULT_CALLING_AET,
    timeout: float = DEFAULT_TIMEOUT,
    move_port: int | None = None,
) -> PacsNode | None:
    """Return the node of ``dicomweb:URL`` or ``dimse:AET@host:port``, else None.

    ``move_port`` makes a DIMSE node retrieve with C-MOVE to that port.

    Raises
    ------
    PacsConfigError
        The spec starts with ``dicomweb:`` or ``dimse:`` but is malformed.
    """
    kind, _, rest = spec.partition(":")
    if kind == "dicomweb":
        return PacsNode(name=spec, kind="dicomweb", url=rest, timeout=timeout)
    if kind != "dimse":
        return None
    match = _SPEC.match(rest)
    if match is None:
        raise PacsConfigError(
            f"--pacs {spec}: a DIMSE node is written dimse:AET@host:port, "
            "e.g. dimse:ORTHANC@127.0.0.1:4242"
        )
    return PacsNode(
        name=spec,
        kind="dimse",
        host=match["host"].strip("[]"),
        port=int(match["port"]),
        called_aet=match["aet"],
        calling_aet=calling_aet,
        retrieve="get" if move_port is None else "move",
        move_port=move_port,
        timeout=timeout,
    )
