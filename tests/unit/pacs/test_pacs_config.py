"""pacs.json: where it is, reading, checking, and atomic rewriting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from respond.pacs import (
    PacsConfigError,
    PacsNode,
    add_node,
    config_path,
    image_cache_dir,
    load_nodes,
    remove_node,
    resolve_node,
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pacs.json"
    monkeypatch.setenv("RESPOND_PACS_CONFIG", str(path))
    return path


def dimse(name: str = "main") -> PacsNode:
    return PacsNode(name, "dimse", host="10.0.0.5", port=104, called_aet="PACS")


def test_paths_follow_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RESPOND_PACS_CONFIG", raising=False)
    monkeypatch.delenv("RESPOND_CACHE_DIR", raising=False)
    assert config_path().name == "pacs.json"
    assert config_path().parent.name == "respond"
    assert image_cache_dir().parts[-2:] == ("respond", "pacs")
    monkeypatch.setenv("RESPOND_PACS_CONFIG", str(tmp_path / "x.json"))
    monkeypatch.setenv("RESPOND_CACHE_DIR", str(tmp_path / "cache"))
    assert config_path() == tmp_path / "x.json"
    assert image_cache_dir() == tmp_path / "cache" / "pacs"


def test_no_file_no_nodes(config: Path) -> None:
    assert load_nodes() == []


def test_add_then_load_then_remove(config: Path) -> None:
    add_node(dimse())
    add_node(dimse("second"))
    assert [n.name for n in load_nodes()] == ["main", "second"]
    assert load_nodes()[0] == dimse()
    document = json.loads(config.read_text())
    assert document["format"] == "respond-pacs/1"
    remove_node("main")
    assert [n.name for n in load_nodes()] == ["second"]
    with pytest.raises(PacsConfigError, match="no PACS node named 'main'"):
        remove_node("main")
    assert not list(config.parent.glob(".pacs-*"))  # no temporary file left


def test_resolve_a_name_with_overrides(config: Path) -> None:
    add_node(dimse())
    node = resolve_node("main", calling_aet="ME", timeout=3, move_port=11112)
    assert (node.calling_aet, node.timeout) == ("ME", 3)
    assert (node.retrieve, node.move_port) == ("move", 11112)
    assert resolve_node("main") == dimse()
    with pytest.raises(
        PacsConfigError, match=r"no PACS node named 'other' .*known: main"
    ):
        resolve_node("other")


def test_every_problem_is_reported_at_once(config: Path) -> None:
    config.write_text(
        json.dumps(
            {
                "nodes": [
                    {
                        "name": "a",
                        "kind": "dimse",
                        "host": "h",
                        "port": "104",
                        "called_aet": "P",
                    },
                    {"kind": "dicomweb", "url": 7},
                    "text",
                    {
                        "name": "a",
                        "kind": "dicomweb",
                        "url": "http://h/x",
                        "tls": "yes",
                    },
                ]
            }
        )
    )
    with pytest.raises(PacsConfigError) as caught:
        load_nodes()
    lines = str(caught.value).splitlines()
    assert lines[0] == "pacs.json: node 'a': port must be an integer 1-65535"
    assert lines[1] == "nodes[1]: url must be text; name is missing"
    assert lines[2] == "nodes[2] must be an object with name and kind"
    assert lines[3] == "node 'a': tls must be true or false"


def test_the_same_name_twice(config: Path) -> None:
    entry = {"name": "a", "kind": "dicomweb", "url": "http://h/x"}
    config.write_text(json.dumps({"nodes": [entry, entry]}))
    with pytest.raises(PacsConfigError, match="node 'a': the name is used twice"):
        load_nodes()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", 'must be a JSON object with a "nodes" list'),
        ('{"nodes": {}}', 'must be a JSON object with a "nodes" list'),
        ('{"format": "respond-pacs/9", "nodes": []}', "written by another version"),
        ("{", "not valid JSON (line 1, column 2"),
    ],
)
def test_a_broken_file(config: Path, text: str, problem: str) -> None:
    config.write_text(text)
    with pytest.raises(PacsConfigError, match=re.escape(problem)):
        load_nodes()
