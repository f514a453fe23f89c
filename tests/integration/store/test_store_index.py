"""The image index: scans recorded by root, files found by study or series, forgotten.

The index is not part of any read: no audit entry, no patient's ``updated_at``
moves. Each call is one transaction.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import small_read

from respond.criteria.imaging import IndexedImage

if TYPE_CHECKING:
    from respond.store import SqliteStore

A, B = "/data/exports/2026-01", "/media/cd/DICOMDIR"
STUDY, OTHER = "1.2.3.100", "1.2.3.200"


def image(
    root: str, name: str, study: str = STUDY, series: str = "1", size: int = 10
) -> IndexedImage:
    return IndexedImage(
        f"{root}/{name}",
        "P1",
        study,
        f"{study}.{series}",
        f"{study}.{series}.{name}",
        size=size,
        mtime_ns=1_700_000_000_000_000_000,
    )


def paths(found: list[IndexedImage]) -> list[str]:
    return [i.path for i in found]


def test_a_study_is_found_across_roots_by_root_then_path(store: SqliteStore) -> None:
    store.index_images(B, [image(B, "b2"), image(B, "b1", series="2")])
    store.index_images(A, [image(A, "a2"), image(A, "a1"), image(A, "x", OTHER)])
    assert paths(store.study_images(STUDY)) == [
        f"{A}/a1",
        f"{A}/a2",
        f"{B}/b1",
        f"{B}/b2",
    ]
    assert store.study_images(STUDY)[0] == image(A, "a1")
    assert paths(store.series_images(f"{STUDY}.2")) == [f"{B}/b1"]
    assert paths(store.study_images(OTHER)) == [f"{A}/x"]
    assert store.study_images("1.2.3.999") == []


def test_a_complete_scan_replaces_what_its_root_held(store: SqliteStore) -> None:
    store.index_images(A, [image(A, "a1"), image(A, "a2")])
    store.index_images(B, [image(B, "b1")])
    store.index_images(A, [image(A, "a2", size=99), image(A, "a3")])
    assert paths(store.study_images(STUDY)) == [f"{A}/a2", f"{A}/a3", f"{B}/b1"]
    assert store.study_images(STUDY)[0].size == 99


def test_a_partial_scan_adds_and_updates_only(store: SqliteStore) -> None:
    store.index_images(A, [image(A, "a1"), image(A, "a2")])
    store.index_images(A, [image(A, "a2", size=99), image(A, "a3")], complete=False)
    found = store.study_images(STUDY)
    assert paths(found) == [f"{A}/a1", f"{A}/a2", f"{A}/a3"]
    assert [i.size for i in found] == [10, 99, 10]


def test_a_path_given_twice_counts_once_the_last_way(store: SqliteStore) -> None:
    store.index_images(A, [image(A, "a1"), image(A, "a1", size=5)])
    assert [i.size for i in store.study_images(STUDY)] == [5]


def test_a_file_under_two_roots_is_listed_once(store: SqliteStore) -> None:
    store.index_images(A, [image(A, "a1")])
    store.index_images(f"{A}/DICOMDIR", [image(A, "a1")])
    assert paths(store.study_images(STUDY)) == [f"{A}/a1"]
    assert [count for _, _, count in store.indexed_roots()] == [1, 1]


def test_indexed_roots_count_files_and_keep_the_scan_time(store: SqliteStore) -> None:
    store.index_images(B, [image(B, "b1")])
    store.index_images(A, [image(A, "a1"), image(A, "a2")])
    store.index_images("/empty", [])
    roots = store.indexed_roots()
    assert [(root, count) for root, _, count in roots] == [
        (A, 2),
        ("/empty", 0),
        (B, 1),
    ]
    assert roots[0][1] == "2026-11-24T08:00:02.000+00:00"
    assert roots[2][1] == "2026-11-24T08:00:01.000+00:00"
    store.index_images(B, [image(B, "b1")], complete=False)
    assert store.indexed_roots()[2][1] == "2026-11-24T08:00:04.000+00:00"


def test_forgotten_files_leave_every_root(store: SqliteStore) -> None:
    store.index_images(A, [image(A, "a1"), image(A, "a2")])
    store.index_images(f"{A}/DICOMDIR", [image(A, "a1")])
    store.index_images(B, [image(B, "b1")])
    store.index_images("/empty", [])
    store.forget_images([f"{A}/a1", f"{B}/b1", f"{B}/b1", "/not/indexed"])
    assert paths(store.study_images(STUDY)) == [f"{A}/a2"]
    # Roots left empty go; a root scanned empty and not touched stays.
    assert [(root, count) for root, _, count in store.indexed_roots()] == [
        (A, 1),
        ("/empty", 0),
    ]
    store.forget_images([])
    assert len(store.indexed_roots()) == 2


def test_the_index_is_not_audited_and_touches_no_patient(store: SqliteStore) -> None:
    store.create_patient(small_read("P1"), who="importer")
    (before,) = store.list_patients()
    trail = store.audit()
    store.index_images(A, [image(A, "a1")])
    store.forget_images([f"{A}/a1"])
    assert store.audit() == trail
    assert store.list_patients() == [before]


def test_bad_arguments_are_refused_before_writing(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="root must name"):
        store.index_images("", [image(A, "a1")])
    with pytest.raises(TypeError, match="IndexedImage, got str"):
        store.index_images(A, [image(A, "a1"), "a2"])  # type: ignore[list-item]
    assert store.indexed_roots() == []
    with pytest.raises(TypeError, match="got the str"):
        store.forget_images(f"{A}/a1")


def test_a_hundred_thousand_files_in_one_transaction(store: SqliteStore) -> None:
    many = [image(A, f"{n:06d}", series=str(n % 4), size=n) for n in range(100_000)]
    started = time.perf_counter()
    store.index_images(A, many)
    store.index_images(A, many[1:])
    found = store.series_images(f"{STUDY}.1")
    store.forget_images([i.path for i in many[:50_000]])
    elapsed = time.perf_counter() - started
    assert len(found) == 25_000
    assert store.indexed_roots()[0][2] == 50_000
    assert len(store.study_images(STUDY)) == 50_000
    # Generous: a few seconds on a busy machine; row by row commits take minutes.
    assert elapsed < 60, f"{elapsed:.1f} s"
