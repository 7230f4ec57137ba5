"""A newly paired kiosk's first pull, cut part-way by the network, resumes where it stopped (DESIGN §5).

Kiosk A fills a collective on the real hub; kiosk B, freshly paired, pulls it in small pages through our
TCP proxy (fault_proxy.py), which resets the connection after the hub answered one page: B keeps the pages
it applied, with their cursor, and its next sync asks the hub from that cursor, not from 0.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub import schema as t
from sync_client.client import HubClient, HubUnavailable
from sync_client.engine import SyncEngine, read_link
from sync_client.protocol import PullResponse
from tests.hub.fault_proxy import FaultProxy
from tests.hub.kiosks import HubHandle, Kiosk

MEMBERS = 30  # with a card each: 60 events
PAGE = 7
PAGES_BEFORE_THE_CUT = 3


class CursorLog(HubClient):
    """The real HTTP client, noting the cursor of every pull it sends (what the hub was asked for)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.cursors: list[int] = []

    def pull(self, cursor: int, limit: int, kiosk_time: datetime | None = None) -> PullResponse:
        self.cursors.append(cursor)
        return super().pull(cursor, limit, kiosk_time)


def _remote_ids(kiosk: Kiosk) -> list[str]:
    rows = kiosk.store.conn.execute("SELECT id FROM journal WHERE origin = 'remote'").fetchall()
    return [row[0] for row in rows]


def _hub_last_seq(hub: HubHandle, collective: str) -> int:
    with hub.db.read() as conn:
        value: Any = conn.execute(
            select(t.collectives.c.last_seq).where(t.collectives.c.id == collective)
        ).scalar_one()
    return int(value)


def test_a_first_pull_cut_part_way_resumes_from_its_saved_cursor(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Savoirs de la Goutte-d’Or")
    a = Kiosk(tmp_path / "a", collective, name="Médiathèque")
    a.pair(hub, collective)
    for n in range(MEMBERS):
        a.card(a.member(f"Voisin {n:02d}"))
    assert a.sync().pending == 0
    end = _hub_last_seq(hub, collective)
    assert end >= 2 * MEMBERS

    b = Kiosk(tmp_path / "b", collective, name="Marché")
    b.pair(hub, collective)
    link = read_link(b.store.conn)
    assert link is not None and link.pull_cursor == 0 and not link.initial_pull_done

    # The hub answers the 4th pull, but the connection is reset before B reads it: a lost answer mid-pull.
    def plan(endpoint: str, n: int) -> str:
        return "reset_after_request" if endpoint == "pull" and n == PAGES_BEFORE_THE_CUT else "pass"

    proxy = FaultProxy(hub.server.port, plan)
    try:
        cut = CursorLog(proxy.url, link.token, connect_timeout=2, read_timeout=5)
        with pytest.raises(HubUnavailable):
            SyncEngine(b.store, cut, b.clock, pull_limit=PAGE).sync_once()
        cut.close()
        assert proxy.hits[("reset_after_request", "pull")] == 1
        assert len(cut.cursors) == PAGES_BEFORE_THE_CUT + 1

        interrupted = read_link(b.store.conn)
        assert interrupted is not None
        assert 0 < interrupted.pull_cursor < end
        assert not interrupted.initial_pull_done
        assert len(_remote_ids(b)) == PAGES_BEFORE_THE_CUT * PAGE  # the pages applied are kept
        assert interrupted.pull_cursor == cut.cursors[-1]  # saved with the last page applied

        healthy = CursorLog(proxy.url, link.token, connect_timeout=2, read_timeout=5)
        report = SyncEngine(b.store, healthy, b.clock, pull_limit=PAGE).sync_once()
        healthy.close()
    finally:
        proxy.stop()

    # Resumed from the saved cursor: nothing pulled twice, only the pages left were asked for.
    assert healthy.cursors[0] == interrupted.pull_cursor
    remaining = len(a.local_ids()) - PAGES_BEFORE_THE_CUT * PAGE
    assert (report.pulled, report.already_known, report.apply_errors) == (remaining, 0, 0)
    assert len(healthy.cursors) == -(-remaining // PAGE)
    done = read_link(b.store.conn)
    assert done is not None and done.initial_pull_done and done.pull_cursor == end == report.cursor

    # Every member and card of A is known at B, exactly once.
    remote = _remote_ids(b)
    assert len(remote) == len(set(remote)) and set(remote) == a.local_ids()
    members_sql = "SELECT id, pseudonym FROM members ORDER BY id"
    cards_sql = "SELECT uid_hash, member_id, status FROM cards ORDER BY uid_hash"
    for sql in (members_sql, cards_sql):
        assert b.store.conn.execute(sql).fetchall() == a.store.conn.execute(sql).fetchall()
    assert len(b.store.conn.execute(members_sql).fetchall()) == MEMBERS
    a.close()
    b.close()
