"""Helpers of the statistics tests: a network of our own on the shared hub, kiosk clocks set by the test."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from hub import schema as t
from hub.stats.facts import Facts, Scope, load_facts
from hub.util import iso, utcnow
from kiosk.domain import ExchangeKind, ParticipantRole, Partner
from sync_client.engine import apply_remote
from sync_client.protocol import Envelope
from tests.hub.kiosks import PARIS, HubHandle, Kiosk

_networks = itertools.count(1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


class SetClock:
    """A kiosk clock the test sets, known good (NTP): the hub keeps the kiosk's times as they are, so a
    scenario can happen in the past months it describes."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def synced(self) -> bool:
        return True

    def at(self, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> None:
        self.moment = paris(year, month, day, hour, minute)


def new_network(hub: HubHandle) -> str:
    """A network of our own: the session's hub is shared, and its default network holds other tests' data."""
    network_id = f"stats-{next(_networks)}-{uuid.uuid4().hex[:6]}"
    with hub.db.write() as conn:
        conn.execute(
            insert(t.networks).values(
                id=network_id, name="Réseau de test", card_key=None, created_at=iso(utcnow())
            )
        )
    return network_id


def facts(hub: HubHandle, network_id: str, collective_id: str | None = None) -> Facts:
    with hub.db.read() as conn:
        return load_facts(conn, Scope(network_id, collective_id))


def exchange(
    kiosk: Kiosk,
    transmitter: str,
    learner: str,
    theme_id: str,
    minutes: int,
    *,
    recorder: str | None = None,
    learner_present: bool = True,
) -> str:
    """An exchange recorded now (the kiosk's clock), both present unless said otherwise."""
    return kiosk.services.exchanges.record(
        recorder or transmitter,
        ExchangeKind.KNOWLEDGE,
        theme_id,
        "Un échange",
        minutes,
        [
            Partner(ParticipantRole.TRANSMITTER, transmitter, present=True),
            Partner(ParticipantRole.LEARNER, learner, present=learner_present),
        ],
    ).id


def share_member(source: Kiosk, target: Kiosk, member_id: str) -> None:
    """The member's `member.registered`, applied at another collective's kiosk as a pulled event.

    Stands for the hub look-up of a card enrolled in another collective (issue 9, built beside this): the
    target kiosk then knows the member and can record an exchange with them.
    """
    row = source.store.query_one(
        "SELECT id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced, payload FROM journal"
        " WHERE type = 'member.registered' AND json_extract(payload, '$.member_id') = ?",
        (member_id,),
    )
    assert row is not None
    wire: dict[str, Any] = dict(row)
    wire["clock_synced"] = bool(wire["clock_synced"])
    wire["payload"] = json.loads(wire["payload"])
    with target.store.transaction() as conn:
        assert apply_remote(conn, Envelope.model_validate(wire), iso(utcnow())) == "applied"
