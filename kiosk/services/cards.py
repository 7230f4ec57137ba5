"""Cards: enrol, revoke, identify. Only the keyed hash of a UID ever reaches the store."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from kiosk.cardid import CardRead
from kiosk.domain import Card, CardStatus, Identification, Identified, Role
from kiosk.errors import KioskError, codes
from kiosk.services import card_keys
from kiosk.services.context import Context, member_from_row

# A card held on the reader is read again and again: one tap every 10 seconds is reported, not each read.
UNKNOWN_TAP_INTERVAL = timedelta(seconds=10)
LOST_CARD_REASON = "Carte perdue"


def card_from_row(row: sqlite3.Row) -> Card:
    return Card(
        uid_hash=row["uid_hash"],
        member_id=row["member_id"],
        status=CardStatus(row["status"]),
        enrolled_at=row["enrolled_at"],
        revoked_at=row["revoked_at"],
    )


class Cards:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def read(self, uid: bytes) -> CardRead:
        """What the hardware layer hands over, from a raw UID (kept in memory only)."""
        self.ctx.keys.load(self.ctx.store.conn)  # a rotation's keys, as the sync worker left them
        return self.ctx.keys.read(uid)

    def identify(self, card: CardRead) -> Identification:
        """Who is this? A member, an unknown card, a revoked card, or a refused random UID."""
        if card.random_uid:
            return Identification(Identified.RANDOM_UID)
        self.ctx.keys.load(self.ctx.store.conn)  # the readers hash the next tap with the keys of now
        row = card_keys.find_card(self.ctx.store.conn, card)
        if row is None:
            return Identification(Identified.UNKNOWN)
        card_keys.rekey(self.ctx, card, row)  # during a card key rotation (issue 9)
        found = card_from_row(row)
        if found.status is CardStatus.REVOKED or row["erased_at"] is not None:
            return Identification(Identified.REVOKED, card=found)
        return Identification(Identified.MEMBER, member=member_from_row(row), card=found)

    def record_unknown_tap(self, uid_hash: str) -> bool:
        """Journal a tap of a card this kiosk does not know (`card.unknown_tapped`): the hub tells whose it
        is once its enrolment arrives from another kiosk; here, `unknown_card_taps` keeps its first and
        last tap. Returns whether it was journaled: the same card within 10 s of its last reported tap is not.

        Never for a random UID (a phone): its hash changes at every tap, so nothing would be rate-limited.
        """
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as conn:
            row = conn.execute(
                "SELECT last_tapped_at FROM unknown_card_taps WHERE uid_hash = ?", (uid_hash,)
            ).fetchone()
            # A clock that went back since (no RTC on a Pi) must not silence the card: only 0 ≤ gap < 10 s.
            gap = None if row is None else now - datetime.fromisoformat(row[0])
            if gap is not None and timedelta(0) <= gap < UNKNOWN_TAP_INTERVAL:
                return False
            payload = {"uid_hash": uid_hash, "site_id": self.ctx.site_id}
            self.ctx.write_in(conn, "card.unknown_tapped", payload)
        return True

    def enrol(self, card: CardRead, member_id: str, actor_id: str | None = None) -> Card:
        if card.random_uid:
            raise KioskError(codes.RANDOM_UID)
        if actor_id is not None:
            self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        member = self.ctx.member(member_id)
        with self.ctx.store.transaction() as conn:
            existing = card_keys.find_card(conn, card, "cards.status AS card_status")
            if existing is not None:
                if existing["card_status"] == CardStatus.REVOKED:
                    raise KioskError(codes.CARD_REVOKED)
                raise KioskError(codes.CARD_ALREADY_ENROLLED, pseudonym=existing["pseudonym"])
            self.ctx.write_in(conn, "card.enrolled", card_keys.enrolment(card, member.id, actor_id))
        return self.get(card.uid_hash)

    def replace(self, old_uid_hash: str, new_card: CardRead, actor_id: str) -> Card:
        """A lost card: revoke it (« Carte perdue ») and enrol `new_card` to the same member, all or nothing.

        The old card is then refused everywhere once synced; a refused new card leaves the old one as it was.
        """
        old = self.get(old_uid_hash)
        with self.ctx.store.transaction():  # enrol and revoke join it: one commit, or none
            if old.status is CardStatus.ACTIVE:
                self.revoke(old.uid_hash, LOST_CARD_REASON, actor_id)
            return self.enrol(new_card, old.member_id, actor_id)

    def revoke(self, uid_hash: str, reason: str, actor_id: str | None = None) -> Card:
        if actor_id is not None:
            self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        card = self.get(uid_hash)
        if card.status is CardStatus.ACTIVE:
            payload: dict[str, Any] = {"uid_hash": uid_hash, "reason": reason.strip(), "by": actor_id}
            following = self._next_hash(uid_hash)
            if following is not None:  # re-keyed: refused under the next key too, wherever the switch is
                payload["next_uid_hash"] = following
            self.ctx.write("card.revoked", payload)
        return self.get(uid_hash)

    def _next_hash(self, uid_hash: str) -> str | None:
        row = self.ctx.store.query_one("SELECT next_uid_hash FROM cards WHERE uid_hash = ?", (uid_hash,))
        return None if row is None else row["next_uid_hash"]

    def get(self, uid_hash: str) -> Card:
        row = self.ctx.store.query_one("SELECT * FROM cards WHERE uid_hash = ?", (uid_hash,))
        if row is None:
            raise KioskError(codes.CARD_NOT_FOUND)
        return card_from_row(row)

    def of_member(self, member_id: str) -> list[Card]:
        rows = self.ctx.store.query(
            "SELECT * FROM cards WHERE member_id = ? ORDER BY enrolled_at", (member_id,)
        )
        return [card_from_row(row) for row in rows]
