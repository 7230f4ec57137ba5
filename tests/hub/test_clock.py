"""A kiosk without RTC whose clock jumps a year back, then three days forward: order survives, the hub
measures the skew of each push and its corrected times land within that measure of the true time."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub import schema as t
from kiosk.clock import parse_hlc
from tests.hub.kiosks import HubHandle, Kiosk, OffsetClock

PARIS = ZoneInfo("Europe/Paris")
LATENCY = timedelta(seconds=3)  # between recording an event and the push that measures the skew


def test_clock_jumps_keep_order_and_the_hub_corrects_times(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Horloges folles")
    clock = OffsetClock()
    a = Kiosk(tmp_path / "a", collective, clock)
    a.pair(hub, collective)
    truth: dict[str, datetime] = {}  # member id -> true time of its registration
    skews = []
    for offset in (timedelta(0), timedelta(days=-365), timedelta(days=3)):
        clock.offset = offset
        for n in range(3):
            truth[a.member(f"Heure {offset.days} {n}")] = datetime.now(PARIS)
        report = a.sync()
        assert report.skew_ms is not None
        skews.append(report.skew_ms)
    # The hub measured each jump (within the latency of the loopback).
    assert abs(skews[0]) < 2000
    assert abs(skews[1] + 365 * 86_400_000) < 2000
    assert abs(skews[2] - 3 * 86_400_000) < 2000

    rows = a.store.query("SELECT seq, hlc, occurred_at FROM journal WHERE origin = 'local' ORDER BY seq")
    stamps = [parse_hlc(row["hlc"])[0] for row in rows]
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    assert all((x.ms, x.counter) < (y.ms, y.counter) for x, y in itertools.pairwise(stamps))
    assert sorted(row["hlc"] for row in rows) == [row["hlc"] for row in rows]  # text order is time order
    assert any(row["occurred_at"] < rows[0]["occurred_at"] for row in rows)  # the wall clock did go back

    with hub.db.read() as conn:
        hub_rows = conn.execute(
            select(
                t.events.c.payload, t.events.c.occurred_at, t.events.c.corrected_at, t.events.c.skew_ms
            ).where(t.events.c.kiosk_id == a.kiosk_id, t.events.c.type == "member.registered")
        ).all()
    assert len(hub_rows) == 9
    for row in hub_rows:
        member_id = json.loads(row.payload)["member_id"]
        occurred, corrected = (
            datetime.fromisoformat(row.occurred_at),
            datetime.fromisoformat(row.corrected_at),
        )
        assert occurred - corrected == timedelta(milliseconds=row.skew_ms)  # kept both, and the measure
        assert abs(corrected - truth[member_id]) <= LATENCY
    a.close()
