"""The card keys a tap is hashed with: the network's current key and, while a rotation runs, its next one.

One `CardKeyRing` per kiosk process is shared by the reader threads (they hash each UID as it is read) and
the services (they read the store). Its keys are one immutable `CardKeys` value replaced whole, so a reader
thread sees either the old pair or the new one, never half of each, without a lock. The sync worker changes
the keys in the store (hub events `network.card_key_next`, `network.card_key_switched`); `load` brings the
ring in line from the store, on the Kivy thread, at each tap and after each sync: no restart.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk.cardid import CardRead, uid_hash


@dataclass(frozen=True)
class CardKeys:
    current: bytes
    next: bytes | None = None

    def read(self, uid: bytes) -> CardRead:
        """The tap as the core sees it: its hash under each key (the UID itself is dropped here)."""
        return CardRead.from_uid(self.current, uid, self.next)

    def hashes(self, uid: bytes) -> tuple[str, str | None]:
        following = uid_hash(self.next, uid) if self.next is not None else None
        return uid_hash(self.current, uid), following


def stored_keys(conn: sqlite3.Connection) -> CardKeys:
    current, following = conn.execute(
        "SELECT card_key, next_card_key FROM kiosk_state WHERE id = 1"
    ).fetchone()
    return CardKeys(bytes.fromhex(current), bytes.fromhex(following) if following else None)


class CardKeyRing:
    """The kiosk's card keys, read by any thread, replaced by `set` or `load`."""

    def __init__(self, keys: CardKeys | bytes) -> None:
        self._keys = keys if isinstance(keys, CardKeys) else CardKeys(keys)

    @property
    def keys(self) -> CardKeys:
        return self._keys

    @property
    def current(self) -> bytes:
        return self._keys.current

    def set(self, keys: CardKeys) -> None:
        self._keys = keys  # one assignment: atomic for the reader threads

    def load(self, conn: sqlite3.Connection) -> bool:
        """Take the keys the store holds now; whether they changed."""
        keys = stored_keys(conn)
        if keys == self._keys:
            return False
        self._keys = keys
        return True

    def read(self, uid: bytes) -> CardRead:
        return self._keys.read(uid)


def ring_of(card_key: bytes | CardKeyRing) -> CardKeyRing:
    """What a reader adapter takes: the kiosk's shared ring, or one fixed key (`kiosk tap`, tests)."""
    return card_key if isinstance(card_key, CardKeyRing) else CardKeyRing(card_key)
