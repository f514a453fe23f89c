"""PacsNode: checks, inline specs, masking and reading the secret."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from respond.pacs import PacsConfigError, PacsNode, parse_inline_spec

SECRET = "correct-horse-battery"


def web(**changes: object) -> PacsNode:
    node = PacsNode("web", "dicomweb", url="http://127.0.0.1:8042/dicom-web")
    return replace(node, **changes)  # type: ignore[arg-type]


def test_inline_dimse_spec() -> None:
    node = parse_inline_spec(
        "dimse:ORTHANC@127.0.0.1:4242", calling_aet="ME", timeout=5
    )
    assert node is not None
    assert (node.kind, node.host, node.port) == ("dimse", "127.0.0.1", 4242)
    assert (node.called_aet, node.calling_aet, node.retrieve) == (
        "ORTHANC",
        "ME",
        "get",
    )
    assert node.timeout == 5
    assert node.label == "PACS DIMSE ORTHANC@127.0.0.1:4242"


def test_inline_dimse_spec_with_move_and_ipv6() -> None:
    node = parse_inline_spec("dimse:PACS@[::1]:104", move_port=11112)
    assert node is not None
    assert (node.host, node.retrieve, node.move_port) == ("::1", "move", 11112)


def test_inline_dicomweb_spec() -> None:
    node = parse_inline_spec("dicomweb:https://pacs.example/dicom-web")
    assert node is not None
    assert (node.kind, node.url) == ("dicomweb", "https://pacs.example/dicom-web")
    assert node.label == "PACS DICOMweb https://pacs.example/dicom-web"


def test_a_name_is_not_an_inline_spec() -> None:
    assert parse_inline_spec("orthanc") is None


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("dimse:ORTHANC@host", "a DIMSE node is written dimse:AET@host:port"),
        ("dimse:host:104", "a DIMSE node is written dimse:AET@host:port"),
        ("dimse:A@h:0", "port must be an integer 1-65535"),
        ("dimse:A@h:65536", "port must be an integer 1-65535"),
        ("dimse:ABCDEFGHIJKLMNOPQ@h:104", "is longer than 16 characters"),
        ("dicomweb:ftp://h/x", "url must be an http:// or https:// URL"),
        ("dicomweb:http://h/dicom-web?x=1", "without '?' or '#'"),
    ],
)
def test_bad_inline_specs(spec: str, problem: str) -> None:
    with pytest.raises(PacsConfigError, match=re.escape(problem)) as caught:
        parse_inline_spec(spec)
    assert str(caught.value).startswith(f"--pacs {spec}: ")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"kind": "dicom"}, "kind must be 'dicomweb' or 'dimse'"),
        ({"name": " "}, "name must be a non-empty text"),
        ({"auth": "digest"}, "auth must be 'none', 'basic' or 'bearer'"),
        ({"auth": "basic", "secret_env": "X"}, "auth 'basic' needs a username"),
        ({"auth": "bearer"}, "auth 'bearer' needs secret_env"),
        ({"timeout": 0}, "timeout must be more than 0"),
        ({"timeout": "30"}, "timeout must be a number of seconds"),
        ({"key_file": "k.pem"}, "key_file needs cert_file"),
        ({"tls": True}, "tls needs an https:// URL"),
        ({"url": "http://me:pw@h/dicom-web"}, "url must not hold a user name"),
    ],
)
def test_node_problems_are_named(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(PacsConfigError, match=problem) as caught:
        web(**changes)
    assert str(caught.value).startswith("node '")


def test_dimse_problems() -> None:
    with pytest.raises(PacsConfigError) as caught:
        PacsNode("d", "dimse", host="", port=True, called_aet="", retrieve="move")  # type: ignore[arg-type]
    message = str(caught.value)
    for problem in (
        "host must be a host name",
        "port must be an integer 1-65535",
        "called_aet must not be empty",
        "retrieve 'move' needs move_port",
    ):
        assert problem in message


def test_repr_and_str_mask_the_secret() -> None:
    node = web(auth="basic", username="u", secret=SECRET)
    for text in (repr(node), str(node), str(node.masked()), str(node.to_mapping())):
        assert SECRET not in text
    assert "secret='***'" in repr(node)
    assert node.masked()["secret"] == "***"
    assert "secret" not in node.to_mapping()
    assert repr(web()) == (
        "PacsNode(name='web', kind='dicomweb', url='http://127.0.0.1:8042/dicom-web')"
    )


def test_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    node = web(auth="bearer", secret_env="RESPOND_TEST_TOKEN")
    monkeypatch.delenv("RESPOND_TEST_TOKEN", raising=False)
    with pytest.raises(PacsConfigError, match="RESPOND_TEST_TOKEN, which is not set"):
        node.resolve_secret()
    monkeypatch.setenv("RESPOND_TEST_TOKEN", SECRET)
    assert node.resolve_secret() == SECRET
    assert web().resolve_secret() is None


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_secret_from_a_file_of_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(f"{SECRET}\n")
    node = web(auth="basic", username="u", secret_file=str(path))
    path.chmod(0o640)
    with pytest.raises(PacsConfigError, match="can be read by other users") as caught:
        node.resolve_secret()
    assert SECRET not in str(caught.value)
    path.chmod(0o600)
    assert node.resolve_secret() == SECRET
    path.write_text("\n")
    with pytest.raises(PacsConfigError, match="is empty"):
        node.resolve_secret()
    missing = web(auth="basic", username="u", secret_file=str(tmp_path / "none"))
    with pytest.raises(PacsConfigError, match="cannot read the secret file"):
        missing.resolve_secret()
