"""Cards through a network card key rotation (issue 9), on the kiosk side.

While a rotation runs, each tap is hashed with both keys (kiosk/card_keys.py). A card known here under the
current hash and not yet under the next one is recognised as usual, and `card.rekeyed` journals its next
hash: every kiosk of the collective then knows it under both, and the hub counts it. When the hub finishes
the rotation (`network.card_key_switched`, projections_card_keys.py) the kiosks keep the next hashes only:
a card no kiosk re-keyed is then an unknown card, enrolled again by a librarian at its next tap.
UIDs are never stored: only the two hashes are.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kiosk.cardid import CardRead
from kiosk.domain import CardStatus
from kiosk.services.context import Context

CARD_COLUMNS = (
    "cards.uid_hash, cards.member_id, cards.status, cards.enrolled_at, cards.revoked_at, cards.next_uid_hash"
)


def card_hashes(card: CardRead) -> list[str]:
    return [card.uid_hash] if card.next_uid_hash is None else [card.uid_hash, card.next_uid_hash]


def find_card(conn: sqlite3.Connection, card: CardRead, columns: str = CARD_COLUMNS) -> sqlite3.Row | None:
    """The card row a tap names, with its member. A tap hashed just before this kiosk switched keys carries
    the new current hash as its `next_uid_hash`; a card enrolled elsewhere during the rotation may be
    known here under its next hash only: any of the tap's hashes, under either column, finds it. The row
    known under the tap's current hash comes first."""
    hashes = card_hashes(card)
    marks = ", ".join("?" * len(hashes))
    cursor = conn.execute(
        f"SELECT {columns}, members.* FROM cards JOIN members ON members.id = cards.member_id"
        f" WHERE cards.uid_hash IN ({marks}) OR cards.next_uid_hash IN ({marks})"
        " ORDER BY cards.uid_hash = ? DESC LIMIT 1",
        (*hashes, *hashes, card.uid_hash),
    )
    cursor.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cursor.fetchone()
    return row


def rekey(ctx: Context, card: CardRead, row: sqlite3.Row) -> bool:
    """Journal `card.rekeyed` when this tap gives an active card its next hash; whether it did.

    Revoked cards and erased members' cards are not re-keyed: after the switch they identify nobody."""
    if card.next_uid_hash is None or row["next_uid_hash"] is not None or row["uid_hash"] != card.uid_hash:
        return False
    if row["status"] != CardStatus.ACTIVE or row["erased_at"] is not None:
        return False
    payload = {"member_id": row["member_id"], "uid_hash": card.uid_hash, "next_uid_hash": card.next_uid_hash}
    ctx.write("card.rekeyed", payload)
    return True


def enrolment(card: CardRead, member_id: str, actor_id: str | None) -> dict[str, Any]:
    """`card.enrolled`'s payload; during a rotation it carries the next hash too (an optional key)."""
    payload: dict[str, Any] = {"uid_hash": card.uid_hash, "member_id": member_id, "by": actor_id}
    if card.next_uid_hash is not None:
        payload["next_uid_hash"] = card.next_uid_hash
    return payload
