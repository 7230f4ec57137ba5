"""The UI benchmark runs end to end with tiny numbers, so that its code cannot rot (`make bench` prints the
real figures; none is asserted here, and no wall time either).

It starts its own Xvfb, the bare « Bonjour » app and the kiosk in their own processes, a real hub, and checks
that every part produced its figures: both cold starts, RSS at each checkpoint, a visit that went where its
script said (no step missed: a screen whose widgets changed shows up here), and a sync that really
delivered the other kiosk's events to the kiosk's store while the frames were timed.
"""

from __future__ import annotations

import shutil

import pytest

from bench.ui_bench import SMOKE, run


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (Debian package `xvfb`)")
def test_the_ui_benchmark_runs_end_to_end_on_tiny_numbers() -> None:
    lines: list[str] = []
    results = run(SMOKE, out=lines.append)

    start = results["cold_start"]
    assert len(start["hello_s"]) == len(start["kiosk_s"]) == SMOKE.runs
    assert all(seconds > 0 for seconds in start["hello_s"] + start["kiosk_s"])
    assert start["hello_rss"] > 0

    memory = results["memory"]
    first, last = SMOKE.checkpoints
    assert sorted(memory["rss"]) == [0, first, last]
    visit = memory["visit"]
    assert visit["interactions"] == last
    # Every step found its widget and led where the script says, unless the app itself raised (a kiosk
    # bug: the bench prints it; the kiosk's own UI tests are where it gets fixed).
    assert visit["misses"] == [], visit["misses"]
    assert len(visit["broken"]) <= len(visit["errors"])
    assert visit["kinds"].get("carte", 0) > 0 and visit["kinds"].get("toucher", 0) > 0

    frames = results["frames"]
    assert frames["sync_state"] == "ok"
    assert frames["received"] == SMOKE.events  # the sync really ran, during the measured period
    assert frames["sync_seconds"] is not None and frames["sync_seconds"] <= frames["seconds"]
    intervals = frames["intervals_ns"]
    assert len(intervals) > SMOKE.taps and 0 < frames["during_sync"] <= len(intervals)

    text = "\n".join(lines)
    for label in ("rapport", "écart à « Bonjour »", "croissance", "toute la mesure : pire"):
        assert label in text, text
    assert ("ERREURS de l’appli" in text) == bool(visit["errors"]), text
