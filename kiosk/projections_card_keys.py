"""The network card key rotation (issue 9): what a kiosk keeps of it.

- `network.card_key_next` (made by the hub when a coordinator starts a rotation): the next key, kept beside
  the current one when it replaces this kiosk's current key (`replaces` names it: a kiosk paired later,
  replaying an older rotation, has a newer key already and leaves its keys alone);
- `card.rekeyed` (written at a kiosk, kiosk/services/card_keys.py): the card's hash under the next key;
- `network.card_key_switched` (the coordinator finished): the next key becomes the current one, each card
  is known under its next hash only, and a card never re-keyed is forgotten (an unknown card at its next tap).
"""

from __future__ import annotations

import sqlite3

from kiosk.cardid import card_key_id
from kiosk.journal import Event
from kiosk.projections import projects


@projects("network.card_key_next")
def _card_key_next(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    (current,) = conn.execute("SELECT card_key FROM kiosk_state WHERE id = 1").fetchone()
    if card_key_id(bytes.fromhex(current)) == p["replaces"]:
        conn.execute("UPDATE kiosk_state SET next_card_key = ? WHERE id = 1", (p["next_card_key"],))


@projects("card.rekeyed")
def _card_rekeyed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    known = conn.execute(
        "UPDATE cards SET next_uid_hash = coalesce(next_uid_hash, ?) WHERE uid_hash = ?",
        (p["next_uid_hash"], p["uid_hash"]),
    ).rowcount
    if known:
        return
    # Pushed late, after this kiosk switched keys (or about a card it never had): the card is known under
    # the key it was re-keyed to — as the next hash too while a rotation still runs here.
    following = p["next_uid_hash"]
    conn.execute(
        "INSERT INTO cards (uid_hash, member_id, status, enrolled_at, next_uid_hash)"
        " SELECT :next, m.id, 'active', :at, CASE WHEN s.next_card_key IS NULL THEN NULL ELSE :next END"
        " FROM members m, kiosk_state s WHERE m.id = :member AND m.erased_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM cards WHERE uid_hash = :next OR next_uid_hash = :next)",
        {"next": following, "at": event.occurred_at, "member": p["member_id"]},
    )


@projects("network.card_key_switched")
def _card_key_switched(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    (following,) = conn.execute("SELECT next_card_key FROM kiosk_state WHERE id = 1").fetchone()
    if following is not None and card_key_id(bytes.fromhex(following)) == p["card_key_id"]:
        conn.execute("UPDATE kiosk_state SET card_key = next_card_key, next_card_key = NULL WHERE id = 1")
    # Old hashes are dropped whatever this kiosk's keys: a kiosk paired after this rotation replays it.
    conn.execute("DELETE FROM cards WHERE next_uid_hash IS NULL")
    conn.execute("UPDATE cards SET uid_hash = next_uid_hash, next_uid_hash = NULL")
