"""DICOMweb sign-in against an Orthanc that asks for one: 401s, and no secret shown.

The secret must appear nowhere: not on stdout or stderr, not in any log record
(every logger at DEBUG), not in the messages, the nodes' repr, nor pacs.json.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pacsbuild import SECRET, USER, Liver, Pacs, orthanc

from respond.cli import run
from respond.pacs import PacsError, PacsNode, connect, load_nodes

ENV = "RESPOND_TEST_PACS_SECRET"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, liver: Liver) -> Iterator[Pacs]:
    """An Orthanc with HTTP basic authentication (one user)."""
    with orthanc(tmp_path_factory.mktemp("guarded"), users={USER: SECRET}) as running:
        running.server.rest(
            "/instances",
            data=next(iter(liver.files.values())).read_bytes(),
            method="POST",
        )
        yield running


@pytest.fixture
def everything(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[list[str]]:
    """Every text written anywhere during the test, checked for the secret after."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    yield texts
    captured = capfd.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert SECRET not in text


def respond(texts: list[str], *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    texts += [out.getvalue(), err.getvalue()]
    return code, out.getvalue() + err.getvalue()


def add(texts: list[str], guarded: Pacs, name: str, *options: str) -> None:
    code, text = respond(
        texts, "pacs", "add", name, "--dicomweb", guarded.server.dicomweb, *options
    )
    assert code == 0, text


@pytest.mark.usefixtures("pacs_env")
def test_no_login_is_http_401(guarded: Pacs, everything: list[str]) -> None:
    code, text = respond(
        everything, "pacs", "echo", "--pacs", f"dicomweb:{guarded.server.dicomweb}"
    )
    assert code == 2
    assert "failed: HTTP 401 Unauthorized: the server asks for a login" in text


def test_a_wrong_secret_is_http_401(
    guarded: Pacs,
    everything: list[str],
    pacs_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, "wrong-" + SECRET)  # the secret inside a wrong one
    add(everything, guarded, "guarded", "--auth", "basic", "--username", USER,
        "--secret-env", ENV)  # fmt: skip
    code, text = respond(everything, "pacs", "find", "--pacs", "guarded")
    assert code == 2
    assert (
        "HTTP 401 Unauthorized: check the user name and secret (user "
        f"'{USER}', secret from the environment variable {ENV})"
    ) in text
    assert "wrong-" not in text  # the secret tried is not shown either


def test_the_right_secret_from_the_environment(
    guarded: Pacs, liver: Liver, everything: list[str], pacs_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv(ENV, SECRET)
    add(everything, guarded, "guarded", "--auth", "basic", "--username", USER,
        "--secret-env", ENV)  # fmt: skip
    code, text = respond(everything, "pacs", "find", "--pacs", "guarded", "--json")
    assert code == 0, text
    assert liver.study_uid in text
    code, text = respond(everything, "pacs", "list")
    assert code == 0
    assert f"basic {USER}, secret from ${ENV}" in text
    assert SECRET not in pacs_env.read_text()
    (node,) = load_nodes()
    everything += [repr(node), str(node)]


def test_the_right_secret_from_a_file(
    guarded: Pacs, everything: list[str], pacs_env: Path, tmp_path: Path
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o644)
    add(everything, guarded, "guarded", "--auth", "basic", "--username", USER,
        "--secret-file", str(secret_file))  # fmt: skip
    code, text = respond(everything, "pacs", "echo", "--pacs", "guarded")
    assert code == 2
    assert (
        f"can be read by other users (mode 644): run 'chmod 600 {secret_file}'" in text
    )
    secret_file.chmod(0o600)
    code, text = respond(everything, "pacs", "echo", "--pacs", "guarded")
    assert code == 0, text


def test_a_secret_given_by_a_program_is_never_shown(
    guarded: Pacs, everything: list[str]
) -> None:
    node = PacsNode(
        "prog", "dicomweb", url=guarded.server.dicomweb, auth="bearer", secret=SECRET
    )
    everything += [repr(node), str(node), str(node.masked())]
    with pytest.raises(PacsError) as caught:  # Orthanc takes no bearer token
        connect(node).echo()
    everything.append(str(caught.value))
    assert "HTTP 401" in str(caught.value)
    assert "secret='***'" in repr(node)
    assert os.environ.get(ENV) is None
