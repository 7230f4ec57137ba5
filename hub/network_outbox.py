"""Hub-made events for the other collectives of a network (issue 9): who a member is, and delivery.

Pull stays per collective: what a collective must learn from another one is appended to ITS hub sequence as
an event the hub makes, so the kiosks' cursors, resumable first pulls and duplicates work unchanged. Such an
event's `kiosk_id` is the collective's « hub » id (no kiosk has it, so every kiosk pulls it), its `kiosk_seq`
its hub seq, and its id comes from the fact it carries (uuid5): made again, it is recognised and skipped.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hub.sql import Sql, marks
from hub.util import iso, utcnow
from hub.wire import EVENT_COLUMNS, change_json
from sync_client.protocol import HUB_MADE_SCHEMAS, canonical

# Types only the hub writes (a kiosk pushing one is refused as `unsupported`: they are not in EVENT_TYPES).
HUB_EVENT_SCHEMAS: dict[str, int] = {
    "network.listing_shared": 1,  # a listing « visible dans le réseau », as the board shows it
    "network.listing_unshared": 1,  # withdrawn, hidden by its collective's librarian, its owner erased
    "network.member_known": 1,  # pseudonym, quartier and collective of a member named by a relayed event
    "network.relayed": 1,  # another collective's event that concerns this one (exchange, interest, erasure)
    # The card key rotation (hub/rotation.py): the next key to hash taps with, then the switch to it.
    "network.card_key_next": 1,
    "network.card_key_switched": 1,
    **HUB_MADE_SCHEMAS,  # a collective's own themes (hub/themes.py)
}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "kiosque-des-savoirs:network")


def hub_kiosk_id(collective_id: str) -> str:
    """The `kiosk_id` of the events the hub makes for `collective_id`."""
    return str(uuid.uuid5(_NAMESPACE, "hub/" + collective_id))


def fact_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Collective:
    id: str
    name: str
    quartier: str


@dataclass
class Outbox:
    """Hub-made events waiting to be appended, by collective, in the order they were made."""

    events: dict[str, list[tuple[str, str, dict[str, Any], str | None]]] = field(default_factory=dict)

    def add(
        self,
        collective_id: str,
        event_id: str,
        event_type: str,
        payload: dict[str, Any],
        member_id: str | None,
    ) -> None:
        self.events.setdefault(collective_id, []).append((event_id, event_type, payload, member_id))

    def deliver(self, sql: Sql) -> None:
        """Append each collective's events to its sequence (row locked, in id order: two pushes that
        share with each other lock in the same order), leaving out those it already has."""
        now = utcnow()
        stamp, ms = iso(now), int(now.timestamp() * 1000)
        for collective_id in sorted(self.events):
            made = self.events[collective_id]
            ids = [event_id for event_id, *_rest in made]
            known = {
                row[0] for row in sql.rows(f"SELECT id FROM events WHERE id IN ({marks(len(ids))})", ids)
            }
            fresh = [event for event in made if event[0] not in known]
            if not fresh:
                continue
            locked = " FOR UPDATE" if sql.postgres else ""
            found = sql.first("SELECT last_seq FROM collectives WHERE id = ?" + locked, (collective_id,))
            if found is None:
                continue
            seq, kiosk_id, rows = int(found[0]), hub_kiosk_id(collective_id), []
            for counter, (event_id, event_type, payload, member_id) in enumerate(fresh):
                seq += 1
                row = {
                    "collective_id": collective_id,
                    "seq": seq,
                    "id": event_id,
                    "type": event_type,
                    "schema": HUB_EVENT_SCHEMAS[event_type],
                    "kiosk_id": kiosk_id,
                    "kiosk_seq": seq,
                    "occurred_at": stamp,
                    "hlc": f"{ms:013d}-{counter:05d}-{kiosk_id}",
                    "clock_synced": True,
                    "payload": canonical(payload),
                    "received_at": stamp,
                    "skew_ms": None,
                    "corrected_at": stamp,
                    "flags": "[]",
                    "member_id": member_id,
                    "redacted": False,
                }
                row["change_json"] = change_json(row)
                rows.append(tuple(row[column] for column in EVENT_COLUMNS))
            sql.insert("events", EVENT_COLUMNS, rows)
            sql.run("UPDATE collectives SET last_seq = ? WHERE id = ?", (seq, collective_id))
        self.events.clear()


def collectives_of(sql: Sql, network_id: str) -> dict[str, Collective]:
    rows = sql.rows("SELECT id, name, quartier FROM collectives WHERE network_id = ?", (network_id,))
    return {row[0]: Collective(row[0], row[1], row[2]) for row in rows}


def member_card(sql: Sql, member_id: str, collectives: dict[str, Collective]) -> dict[str, Any] | None:
    """What another collective may know of a member: pseudonym, quartier, collective. None when the hub
    does not know the member in this network, or the member was erased."""
    found = sql.first("SELECT collective_id, erased_at FROM members WHERE id = ?", (member_id,))
    if found is None or found[1] is not None or found[0] not in collectives:
        return None
    registered = sql.first(
        "SELECT payload FROM events WHERE member_id = ? AND type = 'member.registered' AND redacted = ?"
        " ORDER BY pk LIMIT 1",
        (member_id, False),
    )
    p = json.loads(registered[0]) if registered else {}
    home = collectives[found[0]]
    return {
        "member_id": member_id,
        "pseudonym": str(p.get("pseudonym") or ""),
        "quartier": str(p.get("quartier") or home.quartier),
        "home_collective_id": home.id,
        "home_collective_name": home.name,
    }


def reached(sql: Sql, subject_id: str) -> set[str]:
    """The collectives an exchange or a member reaches beyond their own (network_reach)."""
    return {
        row[0]
        for row in sql.rows("SELECT collective_id FROM network_reach WHERE subject_id = ?", (subject_id,))
    }


def reach(sql: Sql, subject_id: str, collective_ids: set[str]) -> None:
    new = collective_ids - reached(sql, subject_id)
    sql.insert("network_reach", ("subject_id", "collective_id"), [(subject_id, c) for c in sorted(new)])
