"""Sharing between the collectives of a network (issue 9), at push time.

Nothing crosses collectives unless someone chose it:
- a listing its owner marked « visible dans le réseau » goes to every other collective's board
  (`network.listing_shared`: title, description, kind, theme, format, the owner's pseudonym and quartier,
  the owner's collective), and leaves them when its owner withdraws it, their collective's librarian hides
  it, or the owner is erased (`network.listing_unshared`); a librarian restoring it shares it again;
- an exchange between members of several collectives (a visitor recognised at another collective's kiosk)
  is relayed to each of their collectives (`network.relayed`), with its later answers and cancellation, and
  the pseudonym and quartier of the other side (`network.member_known`); so is « ça m'intéresse » said
  elsewhere about a shared listing, to the owner's collective, and a member's erasure, wherever they were
  known.
Runs in the push transaction, after the batch's events are stored (hub/ingest.py), so a share is never lost
nor made twice. hub/network_outbox.py makes and delivers the events; hub/network_api.py answers look-ups.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from hub.effects import erasure_refused
from hub.network_outbox import Collective, Outbox, collectives_of, fact_id, member_card, reach, reached
from hub.sql import Sql

SHARED, HIDDEN, GONE = "shared", "hidden", "gone"
_CARD_KEYS = ("listing_id", "member_id", "kind", "theme_id", "title", "description", "format")


@dataclass
class _Push:
    sql: Sql
    collective_id: str
    network_id: str
    outbox: Outbox = field(default_factory=Outbox)
    _collectives: dict[str, Collective] | None = None
    # Known for the whole batch before its events are handled (a push runs in the hub's hot path: one
    # query per event made 200 kiosks pushing exchanges at once twice as costly): the home collectives of
    # the members it names (from hub/effects.py, which read them), the shared listings it names (`prefetch`),
    # and the collectives its exchanges already reached.
    homes: dict[str, str | None] = field(default_factory=dict)
    shared_ids: set[str] = field(default_factory=set)
    reached_by: dict[str, set[str]] = field(default_factory=dict)

    def prefetch(self, batch: list[Any]) -> None:
        listings, subjects = set(), set()
        for new in batch:
            p = new.payload
            if new.event.type in _FOLLOWS and isinstance(p.get("exchange_id"), str):
                subjects.add(p["exchange_id"])
            if isinstance(p.get("listing_id"), str):
                listings.add(p["listing_id"])
        if listings:
            among, params = self.sql.among("listing_id", sorted(listings))
            rows = self.sql.rows(f"SELECT listing_id FROM network_listings WHERE {among}", params)
            self.shared_ids = {row[0] for row in rows}
        if subjects:
            among, params = self.sql.among("subject_id", sorted(subjects))
            self.reached_by = {subject: set() for subject in subjects}
            for subject, collective in self.sql.rows(
                f"SELECT subject_id, collective_id FROM network_reach WHERE {among}", params
            ):
                self.reached_by[subject].add(collective)

    @property
    def collectives(self) -> dict[str, Collective]:
        if self._collectives is None:
            self._collectives = collectives_of(self.sql, self.network_id)
        return self._collectives

    def others(self, *but: str) -> list[str]:
        return sorted(set(self.collectives) - {self.collective_id, *but})

    def listing(self, listing_id: Any) -> tuple[str, str, str, dict[str, Any], int] | None:
        """(collective, member, status, card, version) of a shared listing, or None."""
        if not isinstance(listing_id, str) or listing_id not in self.shared_ids:
            return None
        row = self.sql.first(
            "SELECT collective_id, member_id, status, card, version FROM network_listings"
            " WHERE listing_id = ?",
            (listing_id,),
        )
        return None if row is None else (row[0], row[1], row[2], json.loads(row[3]), int(row[4]))

    def share(self, card: dict[str, Any], version: int, targets: list[str]) -> None:
        for target in targets:
            event_id = fact_id("shared", card["listing_id"], str(version), target)
            self.outbox.add(target, event_id, "network.listing_shared", card, card["member_id"])

    def unshare(self, listing_id: str, version: int, reason: str, targets: list[str]) -> None:
        for target in targets:
            event_id = fact_id("unshared", listing_id, str(version), target)
            payload = {"listing_id": listing_id, "reason": reason}
            self.outbox.add(target, event_id, "network.listing_unshared", payload, None)

    def set_status(
        self, listing_id: str, status: str, version: int, card: dict[str, Any] | None = None
    ) -> None:
        if card is None:
            self.sql.run(
                "UPDATE network_listings SET status = ?, version = ? WHERE listing_id = ?",
                (status, version, listing_id),
            )
        else:
            self.sql.run(
                "UPDATE network_listings SET status = ?, version = ?, card = ? WHERE listing_id = ?",
                (status, version, json.dumps(card, ensure_ascii=False, sort_keys=True), listing_id),
            )

    def relay(self, new: Any, targets: set[str], members: list[str]) -> None:
        """`new`'s event to `targets`, each first told who the members it names from elsewhere are."""
        envelope = {**new.event.wire(), "payload": json.loads(new.row["payload"])}
        for target in sorted((targets & set(self.collectives)) - {self.collective_id}):
            for member_id in members:
                self.introduce(member_id, target)
            event_id = fact_id("relayed", new.event.id, target)
            self.outbox.add(target, event_id, "network.relayed", {"event": envelope}, None)

    def introduce(self, member_id: str, target: str) -> None:
        card = member_card(self.sql, member_id, self.collectives)
        if card is None or card["home_collective_id"] == target or target in reached(self.sql, member_id):
            return
        reach(self.sql, member_id, {target})
        self.outbox.add(target, fact_id("known", member_id, target), "network.member_known", card, member_id)


def share_batch(
    conn: Connection, collective_id: str, network_id: str, batch: list[Any], homes: dict[str, str | None]
) -> None:
    """What the batch's new events (stored already) mean for the other collectives of the network.
    `homes`: the home collective of the members the batch names (not erased), from hub/effects.py."""
    if not any(new.event.type in _HANDLERS for new in batch):
        return  # no query at all for an ordinary batch
    push = _Push(Sql(conn), collective_id, network_id, homes=homes)
    push.prefetch(batch)
    for new in batch:
        handler = _HANDLERS.get(new.event.type)
        if handler is not None:
            handler(push, new)
    push.outbox.deliver(push.sql)


def backfill(conn: Connection, collective_id: str, network_id: str) -> None:
    """A collective that joined after listings were shared gets those still shared (at each pairing:
    events it already has are recognised by their id and not made again)."""
    push = _Push(Sql(conn), collective_id, network_id)
    rows = push.sql.rows(
        "SELECT card, version FROM network_listings"
        " WHERE network_id = ? AND status = ? AND collective_id <> ?",
        (network_id, SHARED, collective_id),
    )
    for card, version in rows:
        push.share(json.loads(card), int(version), [collective_id])
    push.outbox.deliver(push.sql)


def _published(push: _Push, new: Any) -> None:
    p = new.payload
    if p.get("network_visible") is not True or push.listing(p.get("listing_id")) is not None:
        return
    owner = member_card(push.sql, str(p.get("member_id")), push.collectives)
    if owner is None or owner["home_collective_id"] != push.collective_id or new.row["redacted"]:
        return  # a member of another collective publishing here: shared by no one's choice of this one
    card = {**{key: p[key] for key in _CARD_KEYS}, **owner}
    push.sql.insert(
        "network_listings",
        ("listing_id", "network_id", "collective_id", "member_id", "status", "card", "version"),
        [
            (
                card["listing_id"],
                push.network_id,
                push.collective_id,
                card["member_id"],
                SHARED,
                json.dumps(card, ensure_ascii=False, sort_keys=True),
                1,
            )
        ],
    )
    push.shared_ids.add(card["listing_id"])
    push.share(card, 1, push.others())


def _withdrawn(push: _Push, new: Any) -> None:
    found = push.listing(new.payload.get("listing_id"))
    if found is None:
        return
    home, _member, status, card, version = found
    moderated = bool(new.payload.get("moderated"))
    if moderated and home != push.collective_id:
        return  # another collective's librarian: off their board only
    if status == SHARED:  # by its owner, wherever they were: off every board, their collective's too
        push.set_status(card["listing_id"], HIDDEN if moderated else GONE, version + 1)
        push.unshare(card["listing_id"], version + 1, "hidden" if moderated else "withdrawn", push.others())
    elif status == HIDDEN and not moderated:
        push.set_status(card["listing_id"], GONE, version)


def _hidden(push: _Push, new: Any) -> None:
    found = push.listing(new.payload.get("listing_id"))
    if found is None or found[0] != push.collective_id or found[2] != SHARED:
        return  # hidden elsewhere: off that collective's board only
    push.set_status(found[3]["listing_id"], HIDDEN, found[4] + 1)
    push.unshare(found[3]["listing_id"], found[4] + 1, "hidden", push.others())


def _restored(push: _Push, new: Any) -> None:
    found = push.listing(new.payload.get("listing_id"))
    if found is None or found[0] != push.collective_id or found[2] != HIDDEN:
        return
    push.set_status(found[3]["listing_id"], SHARED, found[4] + 1)
    push.share(found[3], found[4] + 1, push.others())


def _erased(push: _Push, new: Any) -> None:
    if erasure_refused(new.row):
        return  # issue 9: another collective's kiosk erasing a visitor: kept, flagged, not shared
    member_id = str(new.payload["member_id"])
    rows = push.sql.rows(
        "SELECT listing_id, version FROM network_listings WHERE member_id = ?",
        (member_id,),
    )
    for listing_id, version in rows:
        # every other board, even one it left already: the kiosks blank what their journal kept of it
        blank = {"listing_id": listing_id, "member_id": member_id, "title": "", "description": ""}
        push.set_status(listing_id, GONE, int(version) + 1, blank)
        push.unshare(listing_id, int(version) + 1, "erased", push.others())
    push.relay(new, reached(push.sql, member_id), [])


def _exchange_recorded(push: _Push, new: Any) -> None:
    members = [
        part["member_id"]
        for part in new.payload.get("participants") or []
        if isinstance(part, dict) and isinstance(part.get("member_id"), str)
    ]
    # Most exchanges are between members of one collective: known from the batch's prefetch, no query.
    if all(push.homes.get(member_id, push.collective_id) == push.collective_id for member_id in members):
        return
    homes: dict[str, str] = {}
    for member_id in members:
        card = member_card(push.sql, member_id, push.collectives)
        if card is not None:
            homes[member_id] = card["home_collective_id"]
    targets = set(homes.values()) - {push.collective_id}
    if not targets:
        return
    exchange_id = str(new.payload["exchange_id"])
    reach(push.sql, exchange_id, {push.collective_id, *targets})
    push.reached_by[exchange_id] = reached(push.sql, exchange_id)
    push.relay(new, targets, [m for m in members if m in homes])


def _exchange_followed(push: _Push, new: Any) -> None:
    exchange_id = new.payload.get("exchange_id")
    if isinstance(exchange_id, str):
        known = push.reached_by.get(exchange_id)  # the prefetch, kept up to date by `_exchange_recorded`
        push.relay(new, known if known is not None else reached(push.sql, exchange_id), [])


def _interest(push: _Push, new: Any) -> None:
    found = push.listing(new.payload.get("listing_id"))
    if found is not None and found[0] != push.collective_id:
        push.relay(new, {found[0]}, [str(new.payload["member_id"])])


def _visited(push: _Push, new: Any) -> None:
    """A kiosk here recognised a member of another collective: their erasure must reach this one."""
    reach(push.sql, str(new.payload["member_id"]), {push.collective_id})


_FOLLOWS = ("exchange.confirmed", "exchange.declined", "exchange.cancelled")
_HANDLERS: dict[str, Callable[[_Push, Any], None]] = {
    "listing.published": _published,
    "listing.withdrawn": _withdrawn,
    "listing.hidden": _hidden,
    "listing.restored": _restored,
    "member.erased": _erased,
    "member.visited": _visited,
    "exchange.recorded": _exchange_recorded,
    "exchange.confirmed": _exchange_followed,
    "exchange.declined": _exchange_followed,
    "exchange.cancelled": _exchange_followed,
    "listing.interest_expressed": _interest,
}
