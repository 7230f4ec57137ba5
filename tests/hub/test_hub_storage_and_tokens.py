"""Where and how the hub keeps what it is given: its default SQLite file (WAL, synchronous=FULL), kiosk tokens
kept only as hashes and checked in constant time, and the hub's own `received_at` stamp on each event."""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import select

from bench.hub_bench import envelopes, pair_raw
from hub import admin
from hub import schema as t
from hub import util as hub_util
from hub.auth import kiosk_of
from hub.db import DB_ENV, Database, resolve_url
from tests.hub.kiosks import HubHandle

PULL = "/api/v1/sync/pull"
HUB_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")  # hub/util.iso: UTC, milliseconds


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_db_the_hub_uses_a_durable_sqlite_file_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv(DB_ENV, raising=False)
    folder = tmp_path / "kiosque-des-savoirs-hub"
    url = resolve_url(None)
    assert url.startswith("sqlite:///")
    path = Path(url.removeprefix("sqlite:///"))
    assert path.parent == folder

    db = Database(None)
    try:
        admin.init(db)
        assert path.is_file()
        with db.read() as conn:
            # This SQLite build's default is also FULL (DEFAULT_SYNCHRONOUS=2): what this guards against is
            # a weaker setting (NORMAL loses acknowledged events on a power cut in WAL mode).
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        db.dispose()
    # WAL is a property of the file: a connection of its own, which sets nothing, reads it.
    with sqlite3.connect(path) as fresh:
        assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    fresh.close()

    elsewhere = f"sqlite:///{tmp_path / 'ailleurs.sqlite3'}"
    monkeypatch.setenv(DB_ENV, elsewhere)
    assert resolve_url(None) == elsewhere
    assert resolve_url(f"sqlite:///{tmp_path / 'option.sqlite3'}").endswith("option.sqlite3")  # --db first
    assert resolve_url("postgresql://hub@db.example/hub") == "postgresql+psycopg://hub@db.example/hub"
    assert resolve_url("postgres://hub@db.example/hub") == "postgresql+psycopg://hub@db.example/hub"


def test_kiosk_tokens_are_kept_only_as_hashes_and_checked_in_constant_time(
    hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    collective = hub.collective("Jetons hachés")
    kiosk_id, token = pair_raw(hub.url, hub.db, collective, "borne-jeton")
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    with hub.db.read() as conn:
        row = conn.execute(select(t.kiosks).where(t.kiosks.c.id == kiosk_id)).one()
        every_value = [str(value) for kiosk in conn.execute(select(t.kiosks)).all() for value in kiosk]
    assert row.token_hash == token_hash
    assert not any(token in value for value in every_value)
    if hub.db.is_sqlite:
        database = Path(str(hub.db.engine.url.database))
        stored = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
        assert token_hash.encode() in stored  # the bytes read are where the kiosk's row lives…
        assert token.encode() not in stored  # …and the token itself is nowhere in the database

    # The one spy of this file: timing differences are too small and noisy to measure in a test, so we check
    # that the presented token's hash is compared with hmac.compare_digest (spied in hub.util's namespace).
    compared: list[tuple[str, str]] = []

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return hmac.compare_digest(a, b)

    monkeypatch.setattr(hub_util, "hmac", SimpleNamespace(compare_digest=spy))
    with hub.db.read() as conn:
        assert kiosk_of(conn, token).kiosk_id == kiosk_id
    assert compared == [(token_hash, token_hash)]

    last = token[-1]
    near_miss = token[:-1] + ("A" if last != "A" else "B")
    assert requests.get(hub.url + PULL, headers=_bearer(token), timeout=5).status_code == 200
    refused = requests.get(hub.url + PULL, headers=_bearer(near_miss), timeout=5)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"


def test_the_hub_stamps_received_at_and_keeps_occurred_at_as_sent(hub: HubHandle) -> None:
    collective = hub.collective("Heure de réception")
    writer_id, writer = pair_raw(hub.url, hub.db, collective, "émettrice")
    _, reader = pair_raw(hub.url, hub.db, collective, "lectrice")
    occurred_at = "2026-11-26T10:17:42.123+01:00"  # the kiosk's local time, offset included
    event = {**envelopes(writer_id, 1, collective=collective)[0], "occurred_at": occurred_at}

    now = datetime.now(UTC)
    before = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the hub's stamp is cut to ms
    push = hub.url + "/api/v1/sync/push"
    pushed = requests.post(push, json={"events": [event]}, headers=_bearer(writer), timeout=10)
    after = datetime.now(UTC)
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "accepted"

    with hub.db.read() as conn:
        row = conn.execute(select(t.events).where(t.events.c.id == event["id"])).one()
    assert HUB_TIME.match(row.received_at), row.received_at
    assert before <= datetime.fromisoformat(row.received_at) <= after
    assert row.occurred_at == occurred_at

    pulled = requests.get(hub.url + PULL, headers=_bearer(reader), timeout=5).json()["changes"]
    assert [change["event"]["id"] for change in pulled] == [event["id"]]
    assert pulled[0]["received_at"] == row.received_at
    assert pulled[0]["event"]["occurred_at"] == occurred_at
