"""Garbage is collected on the GUI thread only, when its counts are due."""

from __future__ import annotations

import gc

from respond.ui.gc_guard import MainThreadCollector


def test_collection_moves_to_the_gui_threads_timer(qapp) -> None:
    was_enabled = gc.isenabled()
    collector = MainThreadCollector(interval_ms=10)
    collector.thresholds = (0, 1_000_000, 1_000_000)
    try:
        collector.start()
        assert not gc.isenabled()
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        collected_before = gc.get_stats()[0]["collections"]
        collector.check()
        assert gc.get_stats()[0]["collections"] == collected_before + 1
    finally:
        collector.stop()
        if not was_enabled:
            gc.disable()
    assert was_enabled or not gc.isenabled()
