"""A kiosk asks the hub who tapped a card it does not know (issue 9): a member of another collective of the
same network, visiting. `GET /api/v1/network/cards/{uid_hash}` → pseudonym, quartier, collective; never
contact details, never a card of another network, never a revoked card or an erased member.

Bounded: LOOKUPS_PER_MINUTE per kiosk (a stall sees a few visitors a minute; a kiosk trying card hashes in
bulk gets 429). The count is kept per hub process: with several workers the bound is per worker, still a
bound. No `from __future__ import annotations`: FastAPI reads the endpoint annotations at run time.
"""

import threading
import time
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from hub.auth import KioskAuth
from hub.db import Database
from hub.errors import HubError
from hub.network_outbox import collectives_of, member_card
from hub.sql import Sql
from hub.sync import authenticate
from sync_client.protocol import API_PREFIX, ErrorBody, ErrorCode, NetworkMember

LOOKUPS_PER_MINUTE = 30
UNKNOWN_CARD = "unknown_card"

router = APIRouter(tags=["réseau"])
_bearer = HTTPBearer(auto_error=False, description="The kiosk token received at pairing.")
_recent: dict[str, deque[float]] = {}
_recent_lock = threading.Lock()


def _kiosk(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> KioskAuth:
    header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
    db: Database = request.app.state.db
    return authenticate(db, header)


def _count_lookup(kiosk_id: str) -> None:
    """429 beyond LOOKUPS_PER_MINUTE look-ups of this kiosk in the last minute."""
    now = time.monotonic()
    with _recent_lock:
        times = _recent.setdefault(kiosk_id, deque())
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= LOOKUPS_PER_MINUTE:
            raise HubError(
                429,
                ErrorCode.TOO_MANY_ATTEMPTS,
                "Trop de cartes demandées au hub : patientez une minute.",
                retry_after=max(1, int(times[0] + 60 - now) + 1),
            )
        times.append(now)


def find_member(conn: Connection, auth: KioskAuth, uid_hash: str) -> NetworkMember | None:
    """The active card's member, if of a collective of the kiosk's network and not erased."""
    sql = Sql(conn)
    found = sql.first(
        "SELECT member_id FROM cards WHERE network_id = ? AND uid_hash = ? AND revoked_at IS NULL",
        (auth.network_id, uid_hash),
    )
    if found is None:
        return None
    card = member_card(sql, str(found[0]), collectives_of(sql, auth.network_id))
    return None if card is None else NetworkMember(**card)


_ANSWERS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (401, 404, 422, 429)}
UidHash = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]


@router.get(f"{API_PREFIX}/network/cards/{{uid_hash}}", response_model=NetworkMember, responses=_ANSWERS)
def look_up_card(
    uid_hash: UidHash, request: Request, auth: Annotated[KioskAuth, Depends(_kiosk)]
) -> Response:
    """Who this card belongs to, when it is a member of a collective of this kiosk's network."""
    _count_lookup(auth.kiosk_id)
    db: Database = request.app.state.db
    with db.read() as conn:
        member = find_member(conn, auth, uid_hash)
    if member is None:
        body = ErrorBody(code=UNKNOWN_CARD, message="Carte inconnue du réseau.")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=404)
    return Response(member.model_dump_json(), media_type="application/json")
