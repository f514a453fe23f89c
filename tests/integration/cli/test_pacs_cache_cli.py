"""``respond pacs cache``: the image cache listed, and cleaned without losing a read.

The cache holds two small studies written with pydicom (as a retrieve leaves
them, one folder per study); one is a stored patient's baseline, indexed when
the patient was made from it. The other was retrieved and never read.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.cli.test_patient_cli import write_study

from respond.cli import run
from respond.store import open_store


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Cache:
    folder: Path
    db: Path
    read_uid: str
    unread_uid: str

    def respond(self, *args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = run(["pacs", "cache", *args, "--cache", str(self.folder)], out, err)
        return Result(code, out.getvalue(), err.getvalue())


def _age(folder: Path, days: float) -> None:
    stamp = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).timestamp()
    for path in folder.rglob("*"):
        os.utime(path, (stamp, stamp))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cache:
    folder = tmp_path / "pacs"
    db = tmp_path / "db.sqlite3"
    monkeypatch.setenv("RESPOND_DB", str(db))
    staging = tmp_path / "staging"
    read_uid = write_study(staging / "read", slices=3)
    unread_uid = write_study(staging / "unread", patient_id="HCC-T002", slices=3)
    folder.mkdir()
    (staging / "read").rename(folder / read_uid)
    (staging / "unread").rename(folder / unread_uid)
    made = io.StringIO()
    code = run(
        ["patient", "new", str(folder / read_uid), "--reader", "dr-test"], made, made
    )
    assert code == 0, made.getvalue()
    _age(folder / unread_uid, 40)
    return Cache(folder, db, read_uid, unread_uid)


def _indexed(db: Path, study_uid: str) -> int:
    with open_store(db, read_only=True) as store:
        return len(store.study_images(study_uid))


def test_the_listing_names_each_study_its_size_age_and_the_read_using_it(cache):
    listed = cache.respond()
    assert listed.code == 0, listed.err
    assert "2 studies" in listed.out
    rows = listed.out.splitlines()[2:]
    # the least recently written first: the unread one, retrieved 40 days ago
    assert rows[0].split()[-2:] == [cache.unread_uid, "-"]
    assert cache.read_uid in rows[1]
    assert rows[1].endswith("HCC-T001 BL")
    document = json.loads(cache.respond("--json").out)
    assert [d["study_uid"] for d in document] == [cache.unread_uid, cache.read_uid]
    assert document[1]["used_by"] == ["HCC-T001 BL"]
    assert document[1]["files"] == 6  # two series of three slices
    assert document[1]["bytes"] == sum(
        p.stat().st_size for p in (cache.folder / cache.read_uid).rglob("*.dcm")
    )
    older = cache.respond("--older-than", "30")
    assert "1 study last written over 30 days ago" in older.out
    assert cache.read_uid not in older.out


def test_clean_keeps_the_studies_a_read_uses_and_the_index_forgets_the_rest(cache):
    dry = cache.respond("--clean", "--dry-run")
    assert dry.code == 0, dry.err
    assert f"would remove {cache.unread_uid} (6 files" in dry.out
    assert f"kept {cache.read_uid}: used by HCC-T001 BL" in dry.out
    assert (cache.folder / cache.unread_uid).is_dir()
    done = cache.respond("--clean")
    assert done.code == 0, done.err
    assert "removed 1 study" in done.out
    assert not (cache.folder / cache.unread_uid).exists()
    assert (cache.folder / cache.read_uid).is_dir()
    assert _indexed(cache.db, cache.read_uid) == 6  # the read's images still found


def test_include_read_removes_a_read_study_and_its_index_rows(cache):
    assert _indexed(cache.db, cache.read_uid) == 6
    done = cache.respond("--clean", "--include-read", "--json")
    assert done.code == 0, done.err
    document = json.loads(done.out)
    assert {d["study_uid"] for d in document if d["removed"]} == {
        cache.read_uid,
        cache.unread_uid,
    }
    assert list(cache.folder.iterdir()) == []
    assert _indexed(cache.db, cache.read_uid) == 0
    with open_store(cache.db, read_only=True) as store:
        assert store.load("HCC-T001").timepoints  # the read itself is untouched


def test_older_than_spares_what_was_retrieved_lately(cache):
    done = cache.respond("--clean", "--older-than", "30", "--include-read")
    assert done.code == 0, done.err
    assert not (cache.folder / cache.unread_uid).exists()
    assert (cache.folder / cache.read_uid).is_dir()


def test_with_the_reads_unknown_nothing_is_removed(cache, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 100)
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["pacs", "cache", "--clean", "--cache", str(cache.folder), "--db", str(broken)],
        out,
        err,
    )
    assert code == 2
    assert "Traceback" not in err.getvalue()
    assert "the stored reads could not be read" in err.getvalue()
    assert "nothing removed" in err.getvalue()
    assert "--include-read" in err.getvalue()
    assert {p.name for p in cache.folder.iterdir()} == {
        cache.read_uid,
        cache.unread_uid,
    }


def test_a_bad_number_of_days_is_refused_by_name(cache, capsys):
    with pytest.raises(SystemExit) as stopped:
        cache.respond("--older-than", "soon")
    assert stopped.value.code == 2
    assert "'soon' is not a number of days" in capsys.readouterr().err
