"""The pages' facts are read again exactly when what they come from changed (or after FRESH_S seconds).

A real hub database (SQLite file, the hub's migrations); `load_facts` is the real one, only counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub import admin
from hub.db import Database
from hub.stats import facts as stats_facts
from hub.stats.facts import Scope
from hub.sync import pair
from hub.web import facts_cache
from hub.web.facts_cache import FactsCache
from sync_client.protocol import PairRequest


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    admin.init(database)
    yield database
    database.dispose()


def test_facts_are_reused_until_a_kiosk_or_an_event_changes(db: Database, monkeypatch: Any) -> None:
    calls: list[Scope] = []
    real = stats_facts.load_facts

    def counted(conn: Any, scope: Scope) -> Any:
        calls.append(scope)
        return real(conn, scope)

    monkeypatch.setattr(facts_cache, "load_facts", counted)
    collective = admin.add_collective(db, "Cache", "Belleville")
    network = Scope(collective.network_id)
    cache = FactsCache(fresh_s=0.0)  # no grace period: only a change may trigger a new reading

    with db.read() as conn:
        first = cache.facts(conn, network)
        assert cache.facts(conn, network) is first
    assert len(calls) == 1

    code, _ = admin.create_pairing_code(db, collective.id)
    paired = pair(db, PairRequest(code=code, kiosk_name="Borne"), "127.0.0.1")
    with db.read() as conn:
        again = cache.facts(conn, network)
    assert len(calls) == 2 and again is not first
    assert [k.id for k in again.kiosks] == [paired.kiosk_id]

    admin.revoke_kiosk(db, paired.kiosk_id)
    with db.read() as conn:
        revoked = cache.facts(conn, network)
        assert cache.facts(conn, Scope(collective.network_id, collective.id)) is not revoked
    assert len(calls) == 4
    assert revoked.kiosks[0].revoked_at is not None


def test_within_the_grace_period_new_activity_waits_but_kiosk_changes_do_not(db: Database) -> None:
    collective = admin.add_collective(db, "Cache 2", "Belleville")
    scope = Scope(collective.network_id, collective.id)
    cache = FactsCache(fresh_s=3600.0)
    with db.read() as conn:
        assert cache.facts(conn, scope).kiosks == ()
    code, _ = admin.create_pairing_code(db, collective.id)
    pair(db, PairRequest(code=code, kiosk_name="Borne"), "127.0.0.1")
    with db.read() as conn:
        first_kiosks = cache.facts(conn, scope).kiosks
    assert len(first_kiosks) == 1  # paired: shown at once, grace period or not
    with db.write() as conn:  # a sync of that kiosk (what every push writes): may wait
        conn.exec_driver_sql("UPDATE kiosks SET last_seen_at = '2026-11-26T08:00:00.000Z'")
    with db.read() as conn:
        assert cache.facts(conn, scope).kiosks == first_kiosks
    admin.revoke_kiosk(db, first_kiosks[0].id)
    with db.read() as conn:
        assert cache.facts(conn, scope).kiosks[0].revoked_at is not None  # revoked: shown at once
