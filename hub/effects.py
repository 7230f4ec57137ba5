"""What the hub learns from a batch of new events: members, cards, erasures, flags, taps of unknown cards.

The batch's members and cards are read in a few queries, updated in memory in event order (a revocation
earlier in the batch flags an exchange later in it), then written back in a few statements: per-event
queries made pushes ten times slower, on PostgreSQL above all (one round trip each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from hub import governance_events, rotation
from hub.sql import Sql
from hub.util import iso, utcnow
from sync_client.protocol import REDACTABLE_TYPES, Envelope, canonical, redact_payload

# Events that show a member acting at a kiosk: flagged when the hub knows that member's cards were all revoked
# (or the member erased) before the act — an exchange recorded offline is kept, and flagged.
ACTS = frozenset(
    {
        "exchange.recorded",
        "exchange.confirmed",
        "exchange.declined",
        "attendance.checked_in",
        "event.registered",
    }
)


class NewEvent(Protocol):
    event: Envelope
    payload: dict[str, Any]
    row: dict[str, Any]


@dataclass
class _Card:
    member_id: str
    revoked_at: str | None
    enrolled_at: str
    stored: bool
    dirty: bool = False


@dataclass
class _Member:
    erased_at: str | None
    stored: bool
    dirty: bool = False
    collective_id: str | None = None  # their home collective, when the hub knows it


@dataclass
class Knowledge:
    """The batch's members and cards as the hub knows them, updated in memory in event order."""

    members: dict[str, _Member] = field(default_factory=dict)
    cards: dict[str, _Card] = field(default_factory=dict)
    enrolled: set[str] = field(default_factory=set)
    waiting_taps: set[str] = field(default_factory=set)  # hashes of the enrolled cards' unknown taps
    # uid_hash → card, by member: `cards_of` runs for every act of a batch (a scan of all cards made a
    # 500-event push quadratic)
    by_member: dict[str, dict[str, _Card]] = field(default_factory=dict)

    def put_card(self, uid_hash: str, card: _Card) -> None:
        self.cards[uid_hash] = card
        self.by_member.setdefault(card.member_id, {})[uid_hash] = card

    def move_card(self, uid_hash: str, card: _Card, member_id: str) -> None:
        self.by_member.get(card.member_id, {}).pop(uid_hash, None)
        card.member_id = member_id
        self.by_member.setdefault(member_id, {})[uid_hash] = card

    def cards_of(self, member_id: str) -> list[_Card]:
        return list(self.by_member.get(member_id, {}).values())


def acting_members(payload: dict[str, Any]) -> list[str]:
    found = [payload.get("member_id")]
    for part in payload.get("participants") or []:
        if isinstance(part, dict):
            found.append(part.get("member_id"))
    return [m for m in found if isinstance(m, str)]


# What a batch needs to know, read in ONE statement (one round trip on PostgreSQL): its members, their
# cards and the cards it names, and the unknown taps waiting for the cards it enrols. Each look-up is one
# index probe per key (Sql.probe): cards by member through `cards_member` only (their network checked
# here), by hash through the primary key (migration 0007). Rows are tagged; columns padded with NULLs.
# Not one `member_id IN … OR uid_hash IN …`: SQLite answers such an OR by scanning every card of the
# network, a cost that grew with the hub (1.6 ms a push at 2,000 cards).
_MEMBERS = "SELECT 'm', id, erased_at, collective_id, NULL, NULL FROM members WHERE TRUE"
_CARDS = "SELECT 'c', uid_hash, member_id, revoked_at, enrolled_at, network_id FROM cards WHERE "
_WAITING = (
    "SELECT 'u', uid_hash, NULL, NULL, NULL, NULL FROM unknown_taps"
    " WHERE network_id = ? AND resolved_member_id IS NULL"
)


def _load(sql: Sql, network_id: str, batch: list[Any]) -> Knowledge:
    member_ids: set[str] = set()
    hashes: set[str] = set()
    enrolling: set[str] = set()
    for new in batch:
        member_ids.update(acting_members(new.payload))
        uid_hash = new.payload.get("uid_hash")
        if isinstance(uid_hash, str):
            hashes.add(uid_hash)
            if new.event.type == "card.enrolled":
                enrolling.add(uid_hash)
    lookups = []
    if member_ids:
        lookups.append(sql.probe(_MEMBERS, (), "id", list(member_ids)))
        lookups.append(sql.probe(_CARDS + "TRUE", (), "member_id", list(member_ids)))
    if hashes:
        lookups.append(sql.probe(_CARDS + "network_id = ?", (network_id,), "uid_hash", list(hashes)))
    if enrolling:
        lookups.append(sql.probe(_WAITING, (network_id,), "uid_hash", list(enrolling)))
    known = Knowledge()
    if not lookups:
        return known
    rows = sql.rows(
        " UNION ALL ".join(query for query, _params in lookups),
        [param for _query, params in lookups for param in params],
    )
    for tag, key, *values in rows:
        if tag == "m":
            erased_at, home = values[0], values[1]
            known.members[key] = _Member(erased_at, stored=True, collective_id=home)
        elif tag == "c":
            member_id, revoked_at, enrolled_at, network = values
            if network == network_id and key not in known.cards:
                known.put_card(key, _Card(member_id, revoked_at, enrolled_at, stored=True))
        else:
            known.waiting_taps.add(key)
    return known


def apply(conn: Connection, collective_id: str, network_id: str, batch: list[Any]) -> Knowledge:
    """What `batch` teaches the hub (rows not inserted yet: payloads and flags are set here); `write` stores
    it. Two steps so that the batch's events are inserted in between: on PostgreSQL the members and cards
    then travel with the COMMIT, where before the events' COPY they cost a round trip (hub/pg_pipeline.py)."""
    sql = Sql(conn)
    known = _load(sql, network_id, batch)
    # Whether any member is erased or any card revoked yet: until then no act can be flagged, and
    # `_flags` (13 µs an act, 30 acts in a usual push) is skipped.
    troubled = any(m.erased_at is not None for m in known.members.values()) or any(
        c.revoked_at is not None for c in known.cards.values()
    )
    for new in batch:
        event, p, row = new.event, new.payload, new.row
        at = row["corrected_at"]
        member = known.members.get(row["member_id"] or "")
        if event.type in REDACTABLE_TYPES and member is not None and member.erased_at is not None:
            row["payload"], row["redacted"] = canonical(redact_payload(event.type, p)), True
        if event.type == "member.registered" and p["member_id"] not in known.members:
            known.members[p["member_id"]] = _Member(None, stored=False, dirty=True)
        elif event.type == "member.erased":
            if _from_elsewhere(known, p["member_id"], collective_id):
                row["flags"] = json.dumps([f"{OTHER_COLLECTIVE}:{p['member_id']}"])
            else:
                _erase(sql, network_id, known, p["member_id"], at, batch)
                troubled = True
        elif event.type == "card.enrolled":
            card = known.cards.get(p["uid_hash"])
            if card is None:
                known.put_card(p["uid_hash"], _Card(p["member_id"], None, at, stored=False, dirty=True))
            elif card.revoked_at is None:  # as on the kiosks: a revoked card stays revoked
                known.move_card(p["uid_hash"], card, p["member_id"])
                card.enrolled_at, card.dirty = at, True
            known.enrolled.add(p["uid_hash"])
        elif event.type == "card.revoked":
            card = known.cards.get(p["uid_hash"])
            if card is not None and card.revoked_at is None:
                card.revoked_at, card.dirty, troubled = at, True, True
        elif event.type in ACTS and troubled:
            flags = _flags(known, p, at)
            row["flags"] = json.dumps(flags) if flags else "[]"
    return known


def write(
    conn: Connection, collective_id: str, network_id: str, batch: list[Any], known: Knowledge
) -> dict[str, str | None]:
    """Store what `apply` learned. Returns the home collective of each member the batch names who is not
    erased (hub/network.py)."""
    _flush(Sql(conn), collective_id, network_id, known)
    rotation.record(conn, collective_id, network_id, batch)  # issue 9: cards' hashes under the next key
    governance_events.apply_batch(conn, collective_id, batch)  # elections and draws (issue 8)
    return {
        member_id: member.collective_id if member.stored else collective_id
        for member_id, member in known.members.items()
        if member.erased_at is None
    }


# --- issue 9: a visitor is erased by their own collective only ---------------------------------------
# A kiosk of another collective of the network (where they were welcomed as a visitor) may not erase them:
# its `member.erased` is kept as a fact, flagged `other_collective:<id>`, and neither applied here nor
# relayed (hub/network.py reads the flag). Their own collective's erasure reaches that kiosk anyway.
OTHER_COLLECTIVE = "other_collective"


def _from_elsewhere(known: Knowledge, member_id: str, collective_id: str) -> bool:
    member = known.members.get(member_id)
    return member is not None and member.collective_id not in (None, collective_id)


def erasure_refused(row: dict[str, Any]) -> bool:
    """Whether this stored `member.erased` came from a collective that is not the member's."""
    return any(flag.startswith(OTHER_COLLECTIVE + ":") for flag in json.loads(row["flags"] or "[]"))


def _erase(sql: Sql, network_id: str, known: Knowledge, member_id: str, at: str, batch: list[Any]) -> None:
    """GDPR erasure reaches the hub's copies too, exactly as it reaches each kiosk's journal."""
    member = known.members.setdefault(member_id, _Member(None, stored=False))
    if member.erased_at is None:
        member.erased_at, member.dirty = at, True
    for card in known.cards_of(member_id):
        if card.revoked_at is None:
            card.revoked_at, card.dirty = at, True
    stored = sql.rows(
        "SELECT pk, type, payload FROM events WHERE member_id = ? AND redacted = ?", (member_id, False)
    )
    if stored:  # the pulls' caches of recent changes are stale now, in every hub process
        sql.send("UPDATE networks SET redactions = redactions + 1 WHERE id = ?", (network_id,))
    for pk, event_type, text in stored:
        redacted = canonical(redact_payload(event_type, json.loads(text)))
        sql.send(  # change_json NULL: rebuilt by the next pull
            "UPDATE events SET payload = ?, redacted = ?, change_json = NULL WHERE pk = ?",
            (redacted, True, pk),
        )
    for new in batch:  # earlier events of this batch, not inserted yet
        if new.row["member_id"] == member_id and not new.row["redacted"]:
            new.row["payload"] = canonical(redact_payload(new.event.type, new.payload))
            new.row["redacted"] = True


def _flags(known: Knowledge, payload: dict[str, Any], at: str) -> list[str]:
    """`member_erased:<id>` (erased before the act), `card_revoked:<id>` (every card revoked before it)."""
    flags: list[str] = []
    for member_id in acting_members(payload):
        member = known.members.get(member_id)
        if member is not None and member.erased_at is not None and member.erased_at <= at:
            flags.append(f"member_erased:{member_id}")
            continue
        revoked = [card.revoked_at for card in known.cards_of(member_id)]
        if revoked and all(r is not None and r <= at for r in revoked):
            flags.append(f"card_revoked:{member_id}")
    return flags


def _flush(sql: Sql, collective_id: str, network_id: str, known: Knowledge) -> None:
    fresh = [(k, collective_id, m.erased_at) for k, m in known.members.items() if m.dirty and not m.stored]
    sql.insert("members", ("id", "collective_id", "erased_at"), fresh)
    erased = [(m.erased_at, k) for k, m in known.members.items() if m.dirty and m.stored]
    if erased:
        sql.run_many("UPDATE members SET erased_at = ? WHERE id = ?", erased)
    new_cards = [
        (network_id, h, c.member_id, collective_id, c.enrolled_at, c.revoked_at)
        for h, c in known.cards.items()
        if c.dirty and not c.stored
    ]
    columns = ("network_id", "uid_hash", "member_id", "collective_id", "enrolled_at", "revoked_at")
    sql.insert("cards", columns, new_cards)
    changed = [
        (c.member_id, c.enrolled_at, c.revoked_at, network_id, h)
        for h, c in known.cards.items()
        if c.dirty and c.stored
    ]
    if changed:
        sql.run_many(
            "UPDATE cards SET member_id = ?, enrolled_at = ?, revoked_at = ?"
            " WHERE network_id = ? AND uid_hash = ?",
            changed,
        )
    # Taps of the cards enrolled now that a kiosk could not recognise are resolved: no tap is lost.
    for uid_hash in sorted(known.enrolled & known.waiting_taps):
        sql.send(
            "UPDATE unknown_taps SET resolved_member_id = ?, resolved_at = ?"
            " WHERE network_id = ? AND uid_hash = ? AND resolved_member_id IS NULL",
            (known.cards[uid_hash].member_id, iso(utcnow()), network_id, uid_hash),
        )


def record_taps(conn: Connection, network_id: str, batch: list[Any]) -> None:
    """`card.unknown_tapped`: kept to resolve (after the events are inserted: a tap refers to its event)."""
    taps = [new for new in batch if new.event.type == "card.unknown_tapped"]
    if not taps:
        return
    sql = Sql(conn)
    for new in taps:
        uid_hash = new.payload["uid_hash"]
        found = sql.first(
            "SELECT member_id FROM cards WHERE network_id = ? AND uid_hash = ?", (network_id, uid_hash)
        )
        owner = found[0] if found else None
        sql.insert(
            "unknown_taps",
            ("event_id", "network_id", "uid_hash", "tapped_at", "resolved_member_id", "resolved_at"),
            [
                (
                    new.event.id,
                    network_id,
                    uid_hash,
                    new.row["corrected_at"],
                    owner,
                    iso(utcnow()) if owner else None,
                )
            ],
        )
