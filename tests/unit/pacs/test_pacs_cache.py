"""The image cache's studies: listed with their files, size and age; removed safely."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from respond.pacs.cache import CacheError, cached_studies, remove_cached


def _file(path: Path, size: int, when: dt.datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))
    return path


OLD = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
NEW = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


def test_each_folder_is_a_study_with_its_files_size_and_newest_write(tmp_path):
    cache = tmp_path / "pacs"
    _file(cache / "1.2.3" / "1.2.3.1" / "a.dcm", 100, OLD)
    _file(cache / "1.2.3" / "1.2.3.2" / "b.dcm", 50, NEW)
    _file(cache / "1.2.4" / "1.2.4.1" / "c.dcm", 7, OLD)
    (cache / "stray.txt").write_text("not a study")
    studies = cached_studies(cache)
    # the least recently written first
    assert [s.study_uid for s in studies] == ["1.2.4", "1.2.3"]
    later = studies[1]
    assert later.files == 2
    assert later.size == 150
    assert later.written == NEW
    assert later.paths == (
        str(cache / "1.2.3" / "1.2.3.1" / "a.dcm"),
        str(cache / "1.2.3" / "1.2.3.2" / "b.dcm"),
    )


def test_a_missing_cache_holds_nothing(tmp_path):
    assert cached_studies(tmp_path / "never-made") == []


def test_removal_takes_the_whole_study_and_nothing_else(tmp_path):
    cache = tmp_path / "pacs"
    _file(cache / "1.2.3" / "s" / "a.dcm", 10, OLD)
    _file(cache / "1.2.4" / "s" / "b.dcm", 10, OLD)
    outside = _file(tmp_path / "elsewhere" / "keep.dcm", 10, OLD)
    (cache / "1.2.3" / "s" / "link").symlink_to(
        outside.parent, target_is_directory=True
    )
    first = next(s for s in cached_studies(cache) if s.study_uid == "1.2.3")
    remove_cached(cache, first)
    assert not (cache / "1.2.3").exists()
    assert (cache / "1.2.4" / "s" / "b.dcm").is_file()
    assert outside.is_file()  # a link inside a study is removed, not followed
    remove_cached(cache, first)  # already gone: nothing to do


def test_a_study_folder_of_another_cache_or_a_link_is_refused(tmp_path):
    cache = tmp_path / "pacs"
    other = tmp_path / "other"
    _file(other / "1.2.9" / "s" / "x.dcm", 10, OLD)
    study = cached_studies(other)[0]
    with pytest.raises(CacheError, match="is not a study folder of the image cache"):
        remove_cached(cache, study)
    assert (other / "1.2.9" / "s" / "x.dcm").is_file()
    cache.mkdir()
    (cache / "1.2.9").symlink_to(other / "1.2.9", target_is_directory=True)
    assert cached_studies(cache) == []  # a link is not a study of this cache


def test_an_unreadable_cache_is_named_with_what_to_do(tmp_path):
    cache = tmp_path / "pacs"
    cache.write_text("a file where the cache folder should be")
    with pytest.raises(CacheError) as caught:
        cached_studies(cache)
    assert str(cache) in str(caught.value)
    assert "RESPOND_CACHE_DIR" in str(caught.value)
