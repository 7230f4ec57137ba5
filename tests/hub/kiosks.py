"""Test kiosks: real stores and services (kiosk core), paired with a real hub over HTTP."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hub import admin
from hub.db import Database
from kiosk.clock import HlcState, format_hlc
from kiosk.config import Config, load_config, with_data_dir
from kiosk.domain import Role
from kiosk.services import Services, open_services
from sync_client.client import HubClient
from sync_client.engine import SyncEngine, SyncReport, read_link
from sync_client.pairing import pair_kiosk
from tests.hub.servers import HubServer

PARIS = ZoneInfo("Europe/Paris")
_uids = itertools.count(0x10000000)


class OffsetClock:
    """The real clock, moved by `offset`: a Pi without RTC whose time jumps. Never 'synced' by itself."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(PARIS) + self.offset

    def synced(self) -> bool:
        return False


@dataclass
class HubHandle:
    server: HubServer
    db: Database

    @property
    def url(self) -> str:
        return self.server.url

    def collective(self, name: str = "Collectif", quartier: str = "Belleville") -> str:
        return admin.add_collective(self.db, name, quartier).id

    def code(self, collective_id: str) -> str:
        return admin.create_pairing_code(self.db, collective_id)[0]


class Kiosk:
    def __init__(
        self, folder: Path, collective_id: str, clock: Any | None = None, name: str = "Borne"
    ) -> None:
        base: Config = with_data_dir(load_config(None), folder)
        self.config = replace(base, collective=replace(base.collective, id=collective_id))
        self.clock = clock or OffsetClock()
        self.services: Services = open_services(self.config, self.clock)
        self.name = name
        self.hub_url: str | None = None

    @property
    def store(self) -> Any:
        return self.services.store

    @property
    def kiosk_id(self) -> str:
        return self.services.kiosk_id

    def pair(self, hub: HubHandle, collective_id: str) -> None:
        client = HubClient(hub.url)
        try:
            pair_kiosk(self.store, client, hub.code(collective_id), self.name)
        finally:
            client.close()
        self.hub_url = hub.url
        # The network's card key may have replaced ours: services read it at opening.
        self.reopen()

    def reopen(self) -> None:
        self.services.close()
        self.services = open_services(self.config, self.clock)

    def client(self, url: str | None = None) -> HubClient:
        link = read_link(self.store.conn)
        assert link is not None
        return HubClient(url or link.hub_url, link.token)

    def sync(self, url: str | None = None) -> SyncReport:
        client = self.client(url)
        try:
            return SyncEngine(self.store, client, self.clock).sync_once()
        finally:
            client.close()

    def close(self) -> None:
        self.services.close()

    # A little activity -------------------------------------------------------------------------------

    def member(self, pseudonym: str, *roles: Role) -> str:
        return self.services.members.register(pseudonym, "Belleville", roles=(Role.MEMBER, *roles)).id

    def card(self, member_id: str) -> bytes:
        uid = next(_uids).to_bytes(4, "big") + b"\x01\x02\x03"
        self.services.cards.enrol(self.services.cards.read(uid), member_id)
        return uid

    def pending(self) -> int:
        row = self.store.conn.execute("SELECT count(*) FROM journal WHERE origin = 'local' AND pushed = 0")
        return int(row.fetchone()[0])

    def local_ids(self) -> set[str]:
        rows = self.store.conn.execute("SELECT id FROM journal WHERE origin = 'local'").fetchall()
        return {row[0] for row in rows}


def state(kiosk: Kiosk) -> dict[str, list[tuple[Any, ...]]]:
    """The projected state a person sees, comparable between kiosks (no local row numbers)."""
    queries = {
        "members": "SELECT id, collective_id, pseudonym, quartier, roles, contact, erased_at FROM members",
        "cards": "SELECT uid_hash, member_id, status, revoked_at FROM cards",
        "listings": "SELECT id, member_id, kind, theme_id, title, description, status FROM listings",
        "exchanges": "SELECT id, kind, theme_id, title, duration_min, status, cancel_reason FROM exchanges",
        "participants": "SELECT exchange_id, position, member_id, role, confirmation"
        " FROM exchange_participants",
        "journal": "SELECT id, type, kiosk_id, seq, payload FROM journal",
    }
    conn = kiosk.store.conn
    return {name: sorted(conn.execute(sql).fetchall()) for name, sql in queries.items()}


def record_exchange(kiosk: Kiosk, transmitter: str, learner: str, *, present: bool = True) -> str:
    from kiosk.domain import ExchangeKind, ParticipantRole, Partner

    exchange = kiosk.services.exchanges.record(
        transmitter,
        ExchangeKind.KNOWLEDGE,
        "cuisine.quotidien",
        "Pâte à crêpes",
        60,
        [
            Partner(ParticipantRole.TRANSMITTER, transmitter),
            Partner(ParticipantRole.LEARNER, learner, present=present),
        ],
    )
    return exchange.id


def wire_event(
    kiosk_id: str,
    seq: int,
    event_type: str,
    payload: dict[str, Any],
    at: str = "2026-11-26T10:00:00.000+01:00",
) -> dict[str, Any]:
    """An event as a kiosk sends it, made by hand (what no kiosk would record, or a test's own journal)."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "schema": 1,
        "kiosk_id": kiosk_id,
        "seq": seq,
        "occurred_at": at,
        "hlc": format_hlc(HlcState(1_795_000_000_000 + seq, 0), kiosk_id),
        "clock_synced": True,
        "payload": payload,
    }
