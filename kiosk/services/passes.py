"""Member passes: the signed QR a member shows instead of a card, verified offline by any kiosk.

This kiosk signs with its own Ed25519 key, kept in its store. The public half is journaled
(`pass.key_published`) the first time a pass is issued, so it reaches the other kiosks of the collective
through the hub and they accept this kiosk's passes offline; their keys arrive the same way. Revocations
are journaled too (`pass.revoked`, and every erasure): a pass issued before its member's revocation moment
is refused everywhere after sync.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.domain import Identification, Identified, Role
from kiosk.errors import KioskError, codes
from kiosk.passes import (
    PassClaims,
    PassRefusal,
    generate_signing_key,
    issue_pass,
    key_id_for,
    private_key_from_hex,
    private_key_to_hex,
    public_key_from_hex,
    public_key_to_hex,
    verify_pass,
)
from kiosk.services.context import Context

# Refusals that mean "this pass belongs to someone, but no longer works": shown like a revoked card.
_REVOKED = (PassRefusal.REVOKED,)


class Passes:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def issue(self, member_id: str) -> str:
        """A new pass for a member (at sign-up, or to replace a lost one after `revoke`)."""
        member = self.ctx.member(member_id)
        with self.ctx.store.transaction() as conn:
            key = self._signing_key(conn)
        return issue_pass(
            key, key_id_for(key.public_key()), member.id, self.ctx.collective_id, self.ctx.clock.now()
        )

    def revoke(self, member_id: str, actor_id: str) -> None:
        """Every pass this member holds stops working (lost or shared pass). The member or staff may ask."""
        self.ctx.member(member_id)
        if actor_id != member_id:
            self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        self.ctx.write("pass.revoked", {"member_id": member_id, "by": actor_id})

    def identify(self, text: str) -> Identification:
        """Who shows this pass? MEMBER, REVOKED (revoked pass or erased member), or INVALID_PASS with
        the refusal to show (forged, altered, unknown signer, another collective, not a pass at all)."""
        check = verify_pass(
            text, self.trusted_keys(), self._is_revoked, expected_collective=self.ctx.collective_id
        )
        if check.reason in _REVOKED:
            return Identification(Identified.REVOKED, refusal=check.error())
        if not check.ok or check.claims is None:
            return Identification(Identified.INVALID_PASS, refusal=check.error())
        try:
            member = self.ctx.member(check.claims.member_id)
        except KioskError as error:
            if error.code == codes.MEMBER_ERASED.code:
                return Identification(Identified.REVOKED, refusal=error)
            # Signed by a trusted kiosk for a member whose sign-up has not synced here yet.
            return Identification(Identified.UNKNOWN, refusal=error)
        return Identification(Identified.MEMBER, member=member)

    def trusted_keys(self) -> dict[str, Ed25519PublicKey]:
        keys = {
            key_id: public_key_from_hex(public)
            for key_id, public in self.ctx.store.conn.execute("SELECT key_id, public_key FROM pass_keys")
        }
        row = self.ctx.store.conn.execute("SELECT pass_signing_key FROM kiosk_state").fetchone()
        if row and row[0]:
            own = private_key_from_hex(row[0]).public_key()
            keys[key_id_for(own)] = own
        return keys

    def _is_revoked(self, claims: PassClaims) -> bool:
        row = self.ctx.store.conn.execute(
            "SELECT revoked_before FROM pass_revocations WHERE member_id = ?", (claims.member_id,)
        ).fetchone()
        return row is not None and claims.issued_at < datetime.fromisoformat(row[0])

    def _signing_key(self, conn: sqlite3.Connection) -> Ed25519PrivateKey:
        """This kiosk's key, created and published on first use (inside the caller's transaction)."""
        row = conn.execute("SELECT pass_signing_key FROM kiosk_state").fetchone()
        if row and row[0]:
            return private_key_from_hex(row[0])
        key = generate_signing_key()
        conn.execute("UPDATE kiosk_state SET pass_signing_key = ?", (private_key_to_hex(key),))
        self.ctx.write_in(
            conn,
            "pass.key_published",
            {"key_id": key_id_for(key.public_key()), "public_key": public_key_to_hex(key.public_key())},
        )
        return key
