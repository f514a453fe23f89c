"""Retrieved files: safe names, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from respond.pacs import RetrieveProgress
from respond.pacs._files import InstanceWriter, safe_component
from respond.pacs._multipart import TruncatedAnswer, boundary_of, iter_parts


def test_safe_components() -> None:
    assert safe_component("1.2.840.10008.1") == "1.2.840.10008.1"
    assert safe_component(" 1.2.3\x00") == "1.2.3"
    for hostile in ("../../etc", "1.2/3", "..", "1" * 65, "", "1..2"):
        name = safe_component(hostile)
        assert name.startswith("x")
        assert len(name) == 33
        assert "/" not in name
        assert ".." not in name


def test_writer_layout_progress_and_no_temporary_file(tmp_path: Path) -> None:
    seen: list[RetrieveProgress] = []
    writer = InstanceWriter(tmp_path, "1.2", seen.append)
    writer.total = 2
    first = writer.write("1.2", "1.2.3", "1.2.3.4", b"DICM-ish")
    writer.report()
    assert first == tmp_path / "1.2" / "1.2.3" / "1.2.3.4.dcm"
    assert first.read_bytes() == b"DICM-ish"
    assert seen == [RetrieveProgress(1, 2, 8, first)]
    writer.close()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["1.2.3.4.dcm"]
    result = writer.result(failed=1)
    assert (result.files, result.failed, result.folder) == (
        (first,),
        1,
        tmp_path / "1.2",
    )


def test_a_failed_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = InstanceWriter(tmp_path, "1.2")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("respond.pacs._files.os.replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        writer.write("1.2", "1.3", "1.4", b"data")
    writer.close()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert writer.count == 0


def _message(*parts: bytes, boundary: bytes = b"b0und", close: bool = True) -> bytes:
    body = b"".join(
        b"--"
        + boundary
        + b"\r\nContent-Type: application/dicom\r\n\r\n"
        + part
        + b"\r\n"
        for part in parts
    )
    return body + (b"--" + boundary + b"--\r\n" if close else b"")


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_multipart_parts_in_any_chunking(size: int) -> None:
    parts = [b"first\r\n--b0un", b"", b"x" * 5000]
    message = _message(*parts)
    chunks = [message[i : i + size] for i in range(0, len(message), size)]
    assert list(iter_parts(chunks, b"b0und")) == parts


def test_a_multipart_answer_cut_short_raises_and_never_yields_the_cut_part() -> None:
    message = _message(b"whole", b"cut short")
    cut = message[: message.index(b"cut short") + 3]
    parts = iter_parts([cut], b"b0und")
    assert next(parts) == b"whole"
    with pytest.raises(TruncatedAnswer):
        next(parts)
    with pytest.raises(TruncatedAnswer):
        list(iter_parts([_message(b"a", close=False)], b"b0und"))


def test_boundary_of() -> None:
    assert (
        boundary_of('multipart/related; type="application/dicom"; boundary="ab c"')
        == b"ab c"
    )
    assert boundary_of("multipart/related; boundary=xyz") == b"xyz"
    assert boundary_of("application/dicom") is None
    assert boundary_of("multipart/related; type=x") is None
