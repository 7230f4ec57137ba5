"""Small helpers of the hub: time as text, secret hashing, identifiers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from sync_client.protocol import PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, milliseconds, fixed width: text order is time order on both databases."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def shift(text: str, milliseconds: int) -> str:
    return iso(parse_iso(text) + timedelta(milliseconds=milliseconds))


def secret_hash(secret: str) -> str:
    """SHA-256 is enough for random 256-bit tokens and 50-bit one-time codes: nothing to brute-force offline
    that a slow hash would protect (codes expire in minutes and are rate-limited online)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(stored_hash: str, presented: str) -> bool:
    return hmac.compare_digest(stored_hash, secret_hash(presented))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_pairing_code() -> str:
    return "".join(secrets.choice(PAIRING_CODE_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def format_code(code: str) -> str:
    """`ABCDE-FGHJK`: easier to read aloud and to type on a touch keyboard."""
    return f"{code[:5]}-{code[5:]}"


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return text[:56] or "collectif"
