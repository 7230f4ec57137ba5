"""Each push tells the hub how many events the kiosk still has to send (X-Kiosk-Pending): the coordinators'
page shows a kiosk that cannot empty its queue. Real kiosk store, real hub over HTTP, both databases."""

from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import select

from hub import schema as t
from sync_client.engine import SyncEngine
from sync_client.protocol import API_PREFIX, KIOSK_PENDING_HEADER
from tests.hub.kiosks import HubHandle, Kiosk


def _reported(hub: HubHandle, kiosk_id: str) -> int | None:
    with hub.db.read() as conn:
        value: int | None = conn.execute(
            select(t.kiosks.c.pending_events).where(t.kiosks.c.id == kiosk_id)
        ).scalar_one()
    return value


def test_each_push_reports_what_is_left_and_a_full_sync_reports_zero(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Pending", "Belleville")
    kiosk = Kiosk(tmp_path / "k", collective)
    try:
        kiosk.pair(hub, collective)
        for n in range(7):
            kiosk.member(f"Voisin {n}")
        total = kiosk.pending()
        assert total >= 7
        assert _reported(hub, kiosk.kiosk_id) is None  # paired, never pushed

        client = kiosk.client()
        try:
            engine = SyncEngine(kiosk.store, client, kiosk.clock, batch_events=3)
            batch = engine._pending(3)
            client.push([wire for _, wire in batch], kiosk_time=kiosk.clock.now(), remaining=total - 3)
        finally:
            client.close()
        assert _reported(hub, kiosk.kiosk_id) == total - 3

        kiosk.sync()
        assert kiosk.pending() == 0
        assert _reported(hub, kiosk.kiosk_id) == 0
    finally:
        kiosk.close()


def test_an_odd_or_missing_header_is_ignored_not_refused(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Pending odd", "Belleville")
    kiosk = Kiosk(tmp_path / "k", collective)
    try:
        kiosk.pair(hub, collective)
        kiosk.member("Voisine")
        client = kiosk.client()
        token = client.token
        engine_rows = SyncEngine(kiosk.store, client, kiosk.clock)._pending(10)
        client.close()
        for header in ("-4", "beaucoup", "9" * 40):
            answer = requests.post(
                f"{hub.url}{API_PREFIX}/sync/push",
                json={"events": [wire for _, wire in engine_rows]},
                headers={"Authorization": f"Bearer {token}", KIOSK_PENDING_HEADER: header},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            assert _reported(hub, kiosk.kiosk_id) is None
    finally:
        kiosk.close()
