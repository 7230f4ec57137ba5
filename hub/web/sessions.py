"""Coordinators' sessions, CSRF tokens and the sign-in rate limit.

The cookie holds a random token; the hub keeps only its SHA-256 (a stolen database opens no session). A
session ends after 30 idle minutes or 12 hours in all, whichever comes first, or at sign-out. The CSRF
token of a form is an HMAC of the session token: only the browser holding the cookie can know it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from hub import schema as t
from hub.db import Database
from hub.util import iso, parse_iso, secret_hash, utcnow
from hub.web.accounts import Coordinator, coordinator_by_id, normalise_email

IDLE_LIMIT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)
# Touching the session on every page would be a write per click: once a minute is precise enough.
TOUCH_EVERY = timedelta(minutes=1)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Session:
    token: str
    coordinator: Coordinator

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def same_csrf(secret: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(csrf_token(secret), presented)


def open_session(db: Database, coordinator: Coordinator) -> Session:
    token = secrets.token_urlsafe(32)
    now = iso(utcnow())
    with db.write() as conn:
        conn.execute(
            insert(t.coordinator_sessions).values(
                token_hash=secret_hash(token), coordinator_id=coordinator.id, created_at=now, last_seen_at=now
            )
        )
    return Session(token, coordinator)


def _expired(created_at: str, last_seen_at: str, now: datetime) -> bool:
    return now - parse_iso(last_seen_at) > IDLE_LIMIT or now - parse_iso(created_at) > ABSOLUTE_LIMIT


def find_session(db: Database, token: str | None) -> Session | None:
    """The live session of a cookie token (its idle time restarts), or None: unknown, expired, removed."""
    if not token:
        return None
    token_hash = secret_hash(token)
    now = utcnow()
    with db.read() as conn:
        row = conn.execute(
            select(t.coordinator_sessions).where(t.coordinator_sessions.c.token_hash == token_hash)
        ).first()
        coordinator = coordinator_by_id(conn, row.coordinator_id) if row else None
    if row is None or coordinator is None:
        return None
    if _expired(row.created_at, row.last_seen_at, now):
        close_session(db, token)
        return None
    if now - parse_iso(row.last_seen_at) >= TOUCH_EVERY:
        with db.write() as conn:
            conn.execute(
                update(t.coordinator_sessions)
                .where(t.coordinator_sessions.c.token_hash == token_hash)
                .values(last_seen_at=iso(now))
            )
    return Session(token, coordinator)


def close_session(db: Database, token: str) -> None:
    with db.write() as conn:
        conn.execute(
            delete(t.coordinator_sessions).where(t.coordinator_sessions.c.token_hash == secret_hash(token))
        )


# The sign-in rate limit -------------------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def blocked_for(db: Database, address: str, email: str) -> int:
    """Seconds until this address or this e-mail may try again (0: now): 5 failures in 10 minutes block."""
    since = _now_ms() - int(FAILURE_WINDOW.total_seconds() * 1000)
    f = t.login_failures
    waits = []
    with db.read() as conn:
        for column, value in ((f.c.address, address), (f.c.email, normalise_email(email))):
            count, oldest = conn.execute(
                select(func.count(), func.min(f.c.at_ms)).where(column == value, f.c.at_ms > since)
            ).one()
            if count >= MAX_FAILURES:
                waits.append(max(1, (int(oldest) - since) // 1000 + 1))
    return max(waits, default=0)


def record_failure(db: Database, address: str, email: str) -> None:
    with db.write() as conn:
        conn.execute(
            insert(t.login_failures).values(address=address, email=normalise_email(email), at_ms=_now_ms())
        )
        # Old failures count for nothing: forget them as we go.
        stale = _now_ms() - 2 * int(FAILURE_WINDOW.total_seconds() * 1000)
        conn.execute(delete(t.login_failures).where(t.login_failures.c.at_ms < stale))


def forget_failures(db: Database, email: str) -> None:
    """After a successful sign-in, the account's failures are forgiven (the address's are not)."""
    with db.write() as conn:
        conn.execute(delete(t.login_failures).where(t.login_failures.c.email == normalise_email(email)))
