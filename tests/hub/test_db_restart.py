"""PostgreSQL restarted under a running hub (every pooled connection cut): the next pushes and pulls
succeed, nothing lost. A pooled connection is pinged only after an idle while (hub/db.py); a connection
found lost by a push's or a pull's statement is replaced and the work runs again. Both ways are tested:
connections never pinged (the retry alone) and always pinged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub import admin
from hub import schema as t
from hub.db import PING_ENV, Database
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.servers import HubServer, PostgresCluster, postgres_bin

pytestmark = pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL binaries absent")


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    own = PostgresCluster()  # our own: restarting the session's would cut every other test's hub
    yield own
    own.stop()


@pytest.mark.parametrize("ping_after", ["3600", "0"], ids=["retry-only", "ping-always"])
def test_a_restarted_postgresql_loses_no_sync(
    cluster: PostgresCluster, ping_after: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PING_ENV, ping_after)  # the hub's processes and this test's Database
    url = cluster.create_database("restart")
    db = Database(url)
    admin.init(db)
    server = HubServer(url, workers=2, log=tmp_path / "hub.log")
    server.start()
    hub = HubHandle(server, db)
    kiosks: list[Kiosk] = []
    try:
        collective = hub.collective("Redémarrage")
        a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
        kiosks += [a, b]
        for kiosk in kiosks:
            kiosk.pair(hub, collective)
        for round_ in range(6):  # both workers' pools warm: several connections each
            a.card(a.member(f"Avant {round_}"))
            assert a.sync().pending == 0
            b.sync()
        cluster.restart()
        for round_ in range(6):
            a.card(a.member(f"Après {round_}"))
            report = a.sync()
            assert report.pushed == 2 and report.pending == 0
            assert b.sync().pulled == 2
        counting = Database(url)  # this test's own pool was cut too (its reads are not retried)
        with counting.read() as conn:
            stored = conn.execute(
                select(func.count()).select_from(t.events).where(t.events.c.collective_id == collective)
            ).scalar_one()
        counting.dispose()
        assert stored == len(a.local_ids()) == 24
    finally:
        for kiosk in kiosks:
            kiosk.close()
        server.stop()
        db.dispose()
