"""Card identity: UIDs are never stored, only HMAC-SHA256(network card key, uid).

A UID is clonable and proves little: a card identifies a person for low-stakes acts only (DESIGN §6).
Phones and privacy-mode DESFire cards present a fresh random 4-byte UID starting with 0x08 at every tap;
such a UID can never identify anyone twice, so it is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

VALID_UID_LENGTHS = (4, 7, 10)
RANDOM_UID_FIRST_BYTE = 0x08


def new_card_key() -> bytes:
    return secrets.token_bytes(32)


def is_random_uid(uid: bytes) -> bool:
    return len(uid) == 4 and uid[0] == RANDOM_UID_FIRST_BYTE


def card_key_id(card_key: bytes) -> str:
    """Names a card key without revealing it: the hub's rotation events say which key they replace."""
    return hashlib.sha256(b"kiosque-des-savoirs/card-key/" + card_key).hexdigest()[:32]


def uid_hash(card_key: bytes, uid: bytes) -> str:
    return hmac.new(card_key, uid, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CardRead:
    """What the core learns from a tap: the keyed hash, and whether the UID was a random one."""

    uid_hash: str
    random_uid: bool = False
    # During a card key rotation: the hash under the network's next key (kiosk/card_keys.py).
    next_uid_hash: str | None = None

    @classmethod
    def from_uid(cls, card_key: bytes, uid: bytes, next_key: bytes | None = None) -> CardRead:
        following = uid_hash(next_key, uid) if next_key is not None else None
        return cls(uid_hash=uid_hash(card_key, uid), random_uid=is_random_uid(uid), next_uid_hash=following)
