"""Librarian mode: who is staff, their admin PINs, and the kiosk-wide lock-out after wrong PINs.

A PIN is short (4 to 8 digits): its hash could be brute-forced anywhere it travelled, so PINs live in local
tables only (schema V7) — never journaled, never synced, and not part of a replay. A PIN is set on each
kiosk (by a librarian there, or `kiosk` set-up). Wrong PINs are counted for the whole kiosk, in the store
(a restart does not reset them): after `security.admin_pin_attempts` of them the admin mode is locked for
`ADMIN_LOCK_SECONDS`, and while locked no PIN is even checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from datetime import datetime, timedelta

from kiosk.domain import Member, PinCheck, Role
from kiosk.errors import KioskError, codes
from kiosk.services.context import Context

ADMIN_LOCK_SECONDS = 300
PIN_MIN_DIGITS, PIN_MAX_DIGITS = 4, 8
# scrypt's cost: ~16 MiB and a few tens of ms per check on a Raspberry Pi 4; stored with each hash so it
# can be raised later without locking anyone out.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_LOCK = timedelta(seconds=ADMIN_LOCK_SECONDS)


def _hash(pin: str, salt: bytes, params: str) -> bytes:
    n, r, p = (int(part.split("=")[1]) for part in params.split(","))
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


_PARAMS = f"n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}"
# Compared against when a member has no PIN, so that a check costs the same either way.
_DUMMY_SALT = secrets.token_bytes(16)


def check_pin_format(pin: str) -> str:
    if not (PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS and pin.isascii() and pin.isdigit()):
        raise KioskError(codes.PIN_FORMAT)
    return pin


class AdminAccess:
    def __init__(self, ctx: Context, max_attempts: int = 5) -> None:
        self.ctx = ctx
        self.max_attempts = max_attempts

    @staticmethod
    def is_staff(member: Member) -> bool:
        return not member.is_erased and member.has_role(Role.LIBRARIAN, Role.ANIMATOR)

    @staticmethod
    def is_librarian(member: Member) -> bool:
        return not member.is_erased and member.has_role(Role.LIBRARIAN)

    def set_pin(self, member_id: str, pin: str, actor_id: str | None = None) -> None:
        """Set (or change) a staff member's PIN. By themself, a librarian, or the set-up (`actor_id` None)."""
        member = self.ctx.member(member_id)
        if actor_id is not None and actor_id != member_id:
            self.ctx.require_librarian(actor_id)
        if not self.is_staff(member):
            raise KioskError(codes.PIN_NOT_STAFF)
        check_pin_format(pin)
        salt = secrets.token_bytes(16)
        digest = _hash(pin, salt, _PARAMS)
        with self.ctx.store.transaction() as conn:
            conn.execute(
                "INSERT INTO admin_pins (member_id, salt, hash, params, set_at, set_by)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (member_id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,"
                " params = excluded.params, set_at = excluded.set_at, set_by = excluded.set_by",
                (member.id, salt.hex(), digest.hex(), _PARAMS, self.ctx.now_iso(), actor_id),
            )

    def has_pin(self, member_id: str) -> bool:
        row = self.ctx.store.query_one("SELECT 1 FROM admin_pins WHERE member_id = ?", (member_id,))
        return row is not None

    def lock_state(self) -> PinCheck:
        """How the lock-out stands now (ok is always False: nothing was checked)."""
        with self.ctx.store.transaction() as conn:
            failures, locked_until = self._state(conn, self.ctx.clock.now())
        return PinCheck(False, self._left(failures, locked_until), locked_until)

    def check_pin(self, member_id: str, pin: str) -> PinCheck:
        """Whether `pin` opens the admin mode for this staff member. A wrong one counts towards the lock."""
        now = self.ctx.clock.now()
        locked = self._locked(now)
        if locked is not None:
            return locked
        # Hashed outside any transaction: scrypt takes a while on a Pi, and the sync worker writes too.
        row = self.ctx.store.conn.execute(
            "SELECT p.salt, p.hash, p.params, m.roles, m.erased_at FROM admin_pins p"
            " JOIN members m ON m.id = p.member_id WHERE p.member_id = ?",
            (member_id,),
        ).fetchone()
        salt, stored, params = (
            (bytes.fromhex(row[0]), bytes.fromhex(row[1]), row[2]) if row else (_DUMMY_SALT, b"", _PARAMS)
        )
        staff = (
            row is not None and row[4] is None and bool({"librarian", "animator"} & set(json.loads(row[3])))
        )
        matches = hmac.compare_digest(_hash(pin, salt, params), stored)
        with self.ctx.store.transaction() as conn:
            failures, locked_until = self._state(conn, now)
            if locked_until is not None:  # locked meanwhile: the lock wins
                return PinCheck(False, 0, locked_until)
            if matches and staff:
                conn.execute("DELETE FROM admin_pin_failures")
                return PinCheck(True, self.max_attempts, None)
            failures += 1
            locked_until = now + _LOCK if failures >= self.max_attempts else None
            conn.execute(
                "INSERT INTO admin_pin_failures (id, failures, last_failure_at, locked_until)"
                " VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,"
                " last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
                (failures, now.isoformat(), locked_until.isoformat() if locked_until else None),
            )
        return PinCheck(False, self._left(failures, locked_until), locked_until)

    def _locked(self, now: datetime) -> PinCheck | None:
        with self.ctx.store.transaction() as conn:
            _, locked_until = self._state(conn, now)
        return None if locked_until is None else PinCheck(False, 0, locked_until)

    def _state(self, conn: sqlite3.Connection, now: datetime) -> tuple[int, datetime | None]:
        """(wrong PINs so far, end of the lock or None). An ended lock starts a fresh count."""
        row = conn.execute("SELECT failures, locked_until FROM admin_pin_failures WHERE id = 1").fetchone()
        if row is None:
            return 0, None
        failures, until_text = int(row[0]), row[1]
        if until_text is None:
            return failures, None
        until = datetime.fromisoformat(until_text)
        if now >= until:
            conn.execute("DELETE FROM admin_pin_failures")
            return 0, None
        if until - now > _LOCK:
            # The clock went back (no RTC on a Pi): the lock lasts its five minutes from now, not hours.
            until = now + _LOCK
            conn.execute("UPDATE admin_pin_failures SET locked_until = ? WHERE id = 1", (until.isoformat(),))
        return failures, until

    def _left(self, failures: int, locked_until: datetime | None) -> int:
        return 0 if locked_until is not None else max(0, self.max_attempts - failures)
