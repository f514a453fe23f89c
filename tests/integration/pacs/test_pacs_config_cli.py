"""``respond pacs add|list|remove`` and pacs.json mistakes (no PACS needed)."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

from respond.cli import run


def respond(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_add_list_remove(pacs_env: Path) -> None:
    code, out, err = respond(
        "pacs", "add", "main", "--dimse", "PACS@10.0.0.5:104", "--aet", "RESPOND1",
        "--retrieve", "move", "--move-port", "11112",
    )  # fmt: skip
    assert code == 0, err
    assert out == f"added PACS node 'main' (DIMSE PACS@10.0.0.5:104) to {pacs_env}\n"
    code, out, err = respond(
        "pacs", "add", "web", "--dicomweb", "https://pacs.example/dicom-web",
        "--auth", "bearer", "--secret-file", "~/.respond-token", "--ca-file", "ca.pem",
    )  # fmt: skip
    assert code == 0, err
    assert stat.S_IMODE(pacs_env.stat().st_mode) == 0o600
    document = json.loads(pacs_env.read_text())
    assert document["nodes"][0] == {
        "name": "main", "kind": "dimse", "host": "10.0.0.5", "port": 104,
        "called_aet": "PACS", "calling_aet": "RESPOND1", "retrieve": "move",
        "move_port": 11112,
    }  # fmt: skip
    code, out, _ = respond("pacs", "list")
    assert out.splitlines() == [
        "main: DIMSE PACS@10.0.0.5:104 (as RESPOND1; C-MOVE to 127.0.0.1:11112)",
        (
            "web: DICOMweb https://pacs.example/dicom-web (bearer, secret from "
            "~/.respond-token)"
        ),
    ]
    code, out, err = respond("pacs", "remove", "main")
    assert (code, out) == (0, f"removed node 'main' from {pacs_env}\n")
    assert [n["name"] for n in json.loads(pacs_env.read_text())["nodes"]] == ["web"]


def test_a_name_taken_needs_replace(pacs_env: Path) -> None:
    args = ("pacs", "add", "a", "--dicomweb", "http://h:8042/dicom-web")
    assert respond(*args)[0] == 0
    code, _, err = respond(*args)
    assert code == 2
    assert "a node named 'a' exists: choose another name, or pass --replace" in err
    assert respond(*args, "--replace")[0] == 0


def test_a_secret_the_user_wrote_in_the_file_is_masked_and_kept(pacs_env: Path) -> None:
    pacs_env.parent.mkdir(parents=True)
    node = {
        "name": "x", "kind": "dicomweb", "url": "http://h/dicom-web",
        "auth": "basic", "username": "me", "secret": "hunter2-in-clear",
    }  # fmt: skip
    pacs_env.write_text(json.dumps({"nodes": [node]}))
    code, out, _ = respond("pacs", "list", "--json")
    assert code == 0
    assert json.loads(out)[0]["secret"] == "***"
    assert "hunter2" not in respond("pacs", "list")[1]
    respond("pacs", "add", "y", "--dicomweb", "http://other/dicom-web")
    assert json.loads(pacs_env.read_text())["nodes"][0] == node  # left as written


def test_a_wrong_field_is_named(pacs_env: Path) -> None:
    pacs_env.parent.mkdir(parents=True)
    nodes = [
        {"name": "x", "kind": "dimse", "host": "h", "port": 70000, "called_aet": "P"},
        {"name": "y", "kind": "dicomweb", "url": "ftp://h", "prot": 1},
        {"name": "z", "kind": "dicomweb", "url": "http://u:pw@h/dicom-web"},
    ]
    pacs_env.write_text(json.dumps({"nodes": nodes}))
    code, out, err = respond("pacs", "echo", "--pacs", "x")
    assert (code, out) == (2, "")
    assert err.splitlines()[:4] == [
        "respond: pacs.json: node 'x': port must be an integer 1-65535",
        "node 'y': unknown field 'prot' (did you mean 'port'?)",
        (
            "node 'z': url must not hold a user name or password: put the user "
            "name in 'username' and the secret in secret_env or secret_file"
        ),
        (
            f"Fix {pacs_env} (docs/pacs.md describes each field) or remove the "
            "node with 'respond pacs remove NAME'."
        ),
    ]
    assert "pw" not in err.replace("password", "")
    assert "Traceback" not in err


def test_a_file_that_is_not_json(pacs_env: Path) -> None:
    pacs_env.parent.mkdir(parents=True)
    pacs_env.write_text('{"nodes": [')
    code, _, err = respond("pacs", "list")
    assert code == 2
    assert err.startswith(f"respond: {pacs_env}: not valid JSON (line 1, column 12")


def test_an_unknown_node_and_a_bad_spec(pacs_env: Path) -> None:
    code, _, err = respond("pacs", "echo", "--pacs", "nowhere")
    assert code == 2
    assert f"no PACS node named 'nowhere' in {pacs_env} (known: none)" in err
    code, _, err = respond("pacs", "find", "--pacs", "dimse:ORTHANC@host")
    assert code == 2
    assert "a DIMSE node is written dimse:AET@host:port" in err
    code, _, err = respond("pacs", "echo", "--pacs", "dimse:A_TITLE_TOO_LONG_X@h:104")
    assert code == 2
    assert "called_aet 'A_TITLE_TOO_LONG_X' is longer than 16 characters" in err
