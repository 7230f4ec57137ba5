"""What every service shares: the store, the clock, this kiosk's identity, and the one way to write."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from kiosk import journal, projections
from kiosk.card_keys import CardKeyRing
from kiosk.clock import Clock
from kiosk.domain import Member, Role
from kiosk.errors import KioskError, codes
from kiosk.journal import Event
from kiosk.store import Store


@dataclass
class Context:
    store: Store
    clock: Clock
    collective_id: str
    site_id: str
    keys: CardKeyRing  # shared with the reader threads; follows a card key rotation (kiosk/card_keys.py)

    @property
    def card_key(self) -> bytes:
        return self.keys.current

    def write(self, event_type: str, payload: dict[str, Any]) -> Event:
        """Journal the event and apply it to the state, in one durable transaction."""
        with self.store.transaction() as conn:
            return self.write_in(conn, event_type, payload)

    def write_in(self, conn: sqlite3.Connection, event_type: str, payload: dict[str, Any]) -> Event:
        event = journal.append(conn, event_type, payload, self.clock.now(), self.clock.synced())
        projections.apply(conn, event)
        return event

    def now_iso(self) -> str:
        return self.clock.now().isoformat(timespec="milliseconds")

    # Reading members is needed by almost every service.
    def member(self, member_id: str, *, allow_erased: bool = False) -> Member:
        row = self.store.query_one("SELECT * FROM members WHERE id = ?", (member_id,))
        if row is None:
            raise KioskError(codes.MEMBER_NOT_FOUND)
        member = member_from_row(row)
        if member.is_erased and not allow_erased:
            raise KioskError(codes.MEMBER_ERASED)
        return member

    def require_role(self, actor_id: str, *roles: Role) -> Member:
        actor = self.member(actor_id)
        if not actor.has_role(*roles):
            raise KioskError(codes.NOT_ALLOWED)
        return actor

    def require_librarian(self, actor_id: str) -> Member:
        """Librarian-only acts (moderation, erasure, PINs of others): animators are told to ask one."""
        actor = self.member(actor_id)
        if not actor.has_role(Role.LIBRARIAN):
            raise KioskError(codes.LIBRARIANS_ONLY)
        return actor


def member_from_row(row: sqlite3.Row) -> Member:
    return Member(
        id=row["id"],
        collective_id=row["collective_id"],
        pseudonym=row["pseudonym"],
        quartier=row["quartier"],
        roles=tuple(Role(role) for role in json.loads(row["roles"])),
        languages=tuple(json.loads(row["languages"])),
        contact=row["contact"],
        consent_at=row["consent_at"],
        registered_at=row["registered_at"],
        erased_at=row["erased_at"],
        home_collective=row["home_collective"],  # issue 9: a member of another collective
    )
