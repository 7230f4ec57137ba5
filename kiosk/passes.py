"""Signed member passes: a QR that any kiosk verifies offline (DESIGN §6).

Text form: `KDS1.<payload>.<signature>`, both parts unpadded base64url. The Ed25519 signature covers the
ASCII text `KDS1.<payload>`, so the version prefix and the exact encoding are signed too: a pass cannot be
replayed under another version, and there is exactly one accepted spelling of each pass (the decoder also
refuses non-canonical base64, whose spare bits would otherwise let a changed character still verify).

Payload v1 (binary, big-endian, 39 bytes for a 15-character collective id):

    issued_at   4 bytes   Unix seconds (UTC; good until 2106)
    member_id  16 bytes   the member's UUID
    key_id      4 bytes   first 4 bytes of SHA-256 of the signer's raw public key (shown as 8 hex digits)
    collective  rest      the collective id, ASCII slug of 1 to 64 characters

Binary rather than JSON keeps a typical pass at ~144 characters, i.e. a version 8 QR (49 modules), which
stays legible at 4 px per module on a 7" screen and on 58 mm paper. No expiry date on purpose: a Pi has no
real-time clock, and a kiosk whose clock is wrong must not start refusing every pass; passes end through
revocation, which syncs down from the hub.

`verify_pass` never raises on bad input: every refusal is a `PassCheck` with a `PassRefusal` reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import struct
import uuid
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import ErrorKind, KioskError
from kiosk.pass_errors import PASS_ERRORS, PassRefusal

__all__ = [
    "MAX_PASS_CHARS",
    "PASS_PREFIX",
    "PassCheck",
    "PassClaims",
    "PassRefusal",
    "generate_signing_key",
    "issue_pass",
    "key_id_for",
    "load_private_key",
    "private_key_from_hex",
    "private_key_from_pem",
    "private_key_to_hex",
    "private_key_to_pem",
    "public_key_from_hex",
    "public_key_to_hex",
    "revoked_before",
    "save_private_key",
    "verify_pass",
]

VERSION = 1
PASS_PREFIX = f"KDS{VERSION}."
MAX_PASS_CHARS = 512  # refused before any parsing: a scanner or camera can deliver anything
SIGNATURE_BYTES = 64

_HEAD = struct.Struct(">I16s4s")
_COLLECTIVE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # same rule as kiosk.config for collective ids
_KEY_ID = re.compile(r"^[0-9a-f]{8}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_VERSIONED = re.compile(r"^KDS(\d{1,3})\.")


@dataclass(frozen=True)
class PassClaims:
    """What a verified pass says. `pass_id` is stable for one pass, for revocation lists."""

    member_id: str
    collective_id: str
    issued_at: datetime
    key_id: str
    pass_id: str


@dataclass(frozen=True)
class PassCheck:
    """Result of `verify_pass`: `claims` when accepted, `reason` when refused (claims may still be set
    for REVOKED and WRONG_COLLECTIVE, whose signature was good)."""

    reason: PassRefusal | None
    claims: PassClaims | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def error_kind(self) -> ErrorKind | None:
        return PASS_ERRORS[self.reason] if self.reason is not None else None

    def error(self) -> KioskError:
        """The structured error to show for a refusal (its `.text()` is translated at display time)."""
        if self.reason is None:
            raise ValueError("an accepted pass has no error")
        return KioskError(PASS_ERRORS[self.reason])


# --- keys -------------------------------------------------------------------------------------------


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(public_key: Ed25519PublicKey) -> str:
    """8 hex digits derived from the key itself, so nobody has to invent (or clash on) key names."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:8]


def public_key_to_hex(public_key: Ed25519PublicKey) -> str:
    """The 32 raw bytes as hex: what the hub sends down in its list of trusted keys."""
    return _raw_public(public_key).hex()


def public_key_from_hex(text: str) -> Ed25519PublicKey:
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes (64 hex digits)")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_to_hex(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    ).hex()


def private_key_from_hex(text: str) -> Ed25519PrivateKey:
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes (64 hex digits)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key_to_pem(private_key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, readable by `openssl pkey`. Not encrypted: the file's permissions protect it."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the PEM file does not hold an Ed25519 private key")
    return key


def save_private_key(path: Path, private_key: Ed25519PrivateKey) -> None:
    """Write the key readable by its owner only; atomic, so a power cut never leaves half a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_key_to_pem(private_key))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    return private_key_from_pem(path.read_bytes())


# --- issuing ----------------------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode_canonical(text: str) -> bytes | None:
    """Strict unpadded base64url: None unless `text` is the one encoding of the bytes it decodes to."""
    if not _B64URL.match(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64encode(data) == text else None


def issue_pass(
    private_key: Ed25519PrivateKey,
    key_id: str,
    member_id: str,
    collective_id: str,
    issued_at: datetime,
) -> str:
    """Sign a pass. Raises ValueError on arguments that could not be verified later (a programming error,
    not something a person typed)."""
    if not _KEY_ID.match(key_id):
        raise ValueError(f"key_id must be 8 lowercase hex digits (see key_id_for), got {key_id!r}")
    if key_id != key_id_for(private_key.public_key()):
        raise ValueError("key_id does not belong to this private key")
    if not _COLLECTIVE.match(collective_id):
        raise ValueError(f"collective_id must be a lowercase slug, got {collective_id!r}")
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    seconds = int(issued_at.timestamp())
    if not 0 <= seconds < 2**32:
        raise ValueError("issued_at is out of range")
    member = uuid.UUID(member_id)  # raises ValueError for a non-UUID id
    payload = _HEAD.pack(seconds, member.bytes, bytes.fromhex(key_id)) + collective_id.encode("ascii")
    signed = PASS_PREFIX + _b64encode(payload)
    signature = private_key.sign(signed.encode("ascii"))
    return f"{signed}.{_b64encode(signature)}"


# --- verifying --------------------------------------------------------------------------------------


def _refuse(reason: PassRefusal, claims: PassClaims | None = None) -> PassCheck:
    return PassCheck(reason=reason, claims=claims)


def _parse_payload(payload: bytes) -> PassClaims | None:
    if not _HEAD.size + 1 <= len(payload) <= _HEAD.size + 64:
        return None
    seconds, member_raw, key_raw = _HEAD.unpack_from(payload)
    try:
        collective = payload[_HEAD.size :].decode("ascii")
    except UnicodeDecodeError:
        return None
    if not _COLLECTIVE.match(collective):
        return None
    return PassClaims(
        member_id=str(uuid.UUID(bytes=member_raw)),
        collective_id=collective,
        issued_at=datetime.fromtimestamp(seconds, UTC),
        key_id=key_raw.hex(),
        pass_id=_b64encode(hashlib.sha256(payload).digest()[:12]),
    )


RevocationCheck = Callable[[PassClaims], bool] | Container[str]


def verify_pass(
    text: str,
    trusted_keys: Mapping[str, Ed25519PublicKey],
    revoked: RevocationCheck = (),
    expected_collective: str | None = None,
) -> PassCheck:
    """Check a scanned text. `trusted_keys` maps key ids to public keys (the hub's and paired kiosks');
    `revoked` is either a container of revoked `pass_id`s or a predicate on the claims (see
    `revoked_before`). The order of checks means a forged pass is always reported as such, even when it
    names a revoked member or another collective."""
    if not isinstance(text, str) or len(text) > MAX_PASS_CHARS:
        return _refuse(PassRefusal.OVERSIZED if isinstance(text, str) else PassRefusal.MALFORMED)
    text = text.strip()
    versioned = _VERSIONED.match(text)
    if versioned is None:
        return _refuse(PassRefusal.MALFORMED)
    if int(versioned.group(1)) != VERSION:
        return _refuse(PassRefusal.UNKNOWN_VERSION)
    parts = text.split(".")
    if len(parts) != 3:
        return _refuse(PassRefusal.MALFORMED)
    payload = _b64decode_canonical(parts[1])
    signature = _b64decode_canonical(parts[2])
    if payload is None or signature is None or len(signature) != SIGNATURE_BYTES:
        return _refuse(PassRefusal.MALFORMED)
    claims = _parse_payload(payload)
    if claims is None:
        return _refuse(PassRefusal.MALFORMED)
    public_key = trusted_keys.get(claims.key_id)
    if public_key is None:
        return _refuse(PassRefusal.UNKNOWN_KEY)
    try:
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        return _refuse(PassRefusal.BAD_SIGNATURE)
    is_revoked = revoked(claims) if callable(revoked) else claims.pass_id in revoked
    if is_revoked:
        return _refuse(PassRefusal.REVOKED, claims)
    if expected_collective is not None and claims.collective_id != expected_collective:
        return _refuse(PassRefusal.WRONG_COLLECTIVE, claims)
    return PassCheck(reason=None, claims=claims)


def revoked_before(cutoffs: Mapping[str, datetime]) -> Callable[[PassClaims], bool]:
    """A revocation predicate from `member_id → moment`: passes issued before it are revoked.

    This is the natural store shape: issuing a new pass, or revoking a member's cards, records one
    moment per member, and every older pass of that member stops working everywhere after the next sync.
    """

    def check(claims: PassClaims) -> bool:
        cutoff = cutoffs.get(claims.member_id)
        return cutoff is not None and claims.issued_at < cutoff

    return check
