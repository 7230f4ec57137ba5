"""Which kiosk a request comes from: its bearer token, looked up by hash, compared in constant time.

`kiosk_of` works inside a transaction already open, so a push checks its token in its own write transaction
and a pull in the read that fetches its changes: one connection and one transaction per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from hub.errors import HubError
from hub.sql import Sql
from hub.util import same_secret, secret_hash
from sync_client.protocol import ErrorCode


@dataclass(frozen=True)
class KioskAuth:
    kiosk_id: str
    name: str
    collective_id: str
    network_id: str


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HubError(401, ErrorCode.UNAUTHORIZED, "Jeton de borne absent.")
    return token


_KIOSK_SQL = (
    "SELECT k.id, k.name, k.collective_id, c.network_id, k.token_hash, k.revoked_at, c.last_seq, n.redactions"
    " FROM kiosks k JOIN collectives c ON c.id = k.collective_id JOIN networks n ON n.id = c.network_id"
    " WHERE k.token_hash = ?"
)


def kiosk_of(conn: Connection, token: str) -> KioskAuth:
    """The kiosk of `token`; 401 when it is unknown or revoked."""
    return kiosk_and_last_seq(conn, token)[0]


def kiosk_and_last_seq(conn: Connection, token: str, *, lock: bool = False) -> tuple[KioskAuth, int]:
    """`kiosk_of`, and its collective's hub sequence read in the same statement — locked for the rest of
    the transaction when `lock` (a push; PostgreSQL: SQLite has one writer at a time anyway)."""
    kiosk, last_seq, _redactions = kiosk_state(conn, token, lock=lock)
    return kiosk, last_seq


def kiosk_state(conn: Connection, token: str, *, lock: bool = False) -> tuple[KioskAuth, int, int]:
    """`kiosk_and_last_seq`, and the count of erasures applied in its network (hub/recent_changes.py)."""
    sql = Sql(conn)
    locked = " FOR UPDATE OF c" if lock and sql.postgres else ""
    row = sql.first(_KIOSK_SQL + locked, (secret_hash(token),))
    # The lookup is by hash (no timing signal about the token itself); the comparison is constant-time anyway.
    if row is None or not same_secret(row[4], token):
        raise HubError(401, ErrorCode.UNAUTHORIZED, "Jeton de borne inconnu.")
    if row[5] is not None:
        raise HubError(
            401, ErrorCode.KIOSK_REVOKED, "Cette borne a été révoquée sur le hub : appairez-la à nouveau."
        )
    return KioskAuth(row[0], row[1], row[2], row[3]), row[6], row[7]
