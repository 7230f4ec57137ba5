"""The hub's HTTP API (protocol v1, DESIGN §5) as a FastAPI application.

No `from __future__ import annotations` here: FastAPI reads the endpoint annotations at run time, and they
name dependencies local to `create_app`.
"""

import gc
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub import __version__, governance, network_api, web
from hub.auth import KioskAuth, bearer_token
from hub.db import DB_ENV, Database
from hub.errors import HubError
from hub.fastpath import json_body, query_int, with_fast_path
from hub.ingest import push, push_for_token
from hub.sync import authenticate, pair, pull_for_token, pull_json
from hub.util import iso, utcnow
from hub.writes_first import WritesFirst
from sync_client.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    KIOSK_PENDING_HEADER,
    KIOSK_TIME_HEADER,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_PULL_LIMIT,
    ErrorBody,
    ErrorCode,
    Health,
    PairRequest,
    PairResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
)

log = logging.getLogger("kiosk_hub")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 409, 413, 422, 429, 503)
}
_bearer = HTTPBearer(auto_error=False, description="The kiosk token received at pairing.")


def _error(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(code=code, message=message)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


class BodyLimit:
    """Refuse request bodies over the batch limit with 413 before anything parses them (chunked ones too)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BATCH_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(
            413, ErrorCode.BATCH_TOO_LARGE, f"Lot trop gros : {self.limit} octets au plus par requête."
        )
        await response(scope, receive, send)


def _json(model: BaseModel) -> Response:
    """Serialised by pydantic in one pass: FastAPI would validate the answer again before serialising it,
    which doubled the cost of a 2,000-change pull page (the models still document the answer)."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def kiosk_skew(header: str | None) -> int | None:
    """Kiosk clock minus hub clock, in ms, from the kiosk's `X-Kiosk-Time`; None when absent or unreadable."""
    if not header:
        return None
    try:
        sent = datetime.fromisoformat(header)
    except ValueError:
        return None
    if sent.tzinfo is None:
        return None
    return int((sent - utcnow()).total_seconds() * 1000)


def kiosk_pending(header: str | None) -> int | None:
    """The kiosk's `X-Kiosk-Pending` (events left to send after this push); None when absent or odd."""
    if header is None or not header.isdigit() or len(header) > 12:
        return None
    return int(header)


def create_app(db: Database | None = None) -> FastAPI:
    database = db or Database(os.environ.get(DB_ENV))
    app = FastAPI(
        title="Kiosque des savoirs — hub",
        version=__version__,
        description="Synchronisation des bornes d’un collectif (protocole v1).",
    )
    app.state.db = database

    @app.exception_handler(HubError)
    async def hub_error(_request: Request, error: HubError) -> JSONResponse:
        body = ErrorBody(code=error.code, message=error.message, retry_after=error.retry_after)
        return JSONResponse(
            body.model_dump(exclude_none=True), status_code=error.status, headers=error.headers()
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(422, ErrorCode.INVALID_REQUEST, f"Requête invalide ({where}: {first.get('msg', '')}).")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals (a body that is not JSON at all, an unknown path) in our error format.
        code = ErrorCode.INVALID_REQUEST if error.status_code < 500 else ErrorCode.INTERNAL
        status = 422 if error.status_code == 400 else error.status_code
        return _error(status, code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(OperationalError)
    async def unavailable(_request: Request, error: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", error)
        return _error(
            503, ErrorCode.UNAVAILABLE, "Base du hub indisponible, réessayez.", {"Retry-After": "5"}
        )

    def kiosk(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> KioskAuth:
        header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
        return authenticate(database, header)

    def check_collective(kiosk: KioskAuth, collective_id: str | None) -> None:
        if collective_id is not None and collective_id != kiosk.collective_id:
            raise HubError(403, ErrorCode.FORBIDDEN, "Une borne ne lit et n’écrit que dans son collectif.")

    KioskTime = Annotated[
        str | None, Header(alias=KIOSK_TIME_HEADER, description="Kiosk wall clock (ISO 8601 with offset).")
    ]

    @app.get(f"{API_PREFIX}/health", response_model=Health, responses={503: {"model": ErrorBody}})
    def health() -> Health:
        database.ping()
        return Health(version=__version__, database=database.kind, hub_time=iso(utcnow()))

    # `next_card_key` is left out when there is no rotation: a kiosk of an earlier version refuses a field
    # it does not know.
    @app.post(
        f"{API_PREFIX}/pair", response_model=PairResponse, response_model_exclude_none=True, responses=_ERRORS
    )
    def pair_kiosk(body: PairRequest, request: Request) -> PairResponse:
        address = request.client.host if request.client else "unknown"
        return pair(database, body, address)

    # Push and pull, every kiosk's sync: a fast path (hub/fastpath.py) for ordinary requests, in front of
    # FastAPI's declared routes (the documentation, and every request the fast path leaves to them).
    # tests/hub/test_hot_paths.py checks that both answer alike.
    writes_first = WritesFirst()  # pulls wait for the pushes under way (hub/writes_first.py)

    async def fast_push(request: Request) -> Response | None:
        async with writes_first.push():
            return await _fast_push(request)

    async def _fast_push(request: Request) -> Response | None:
        raw = await json_body(request)
        if raw is None:
            return None
        try:
            body = PushRequest.model_validate_json(raw)
        except ValidationError:
            return None  # FastAPI's validation answers, in its words
        if len(body.events) > MAX_BATCH_EVENTS:
            return None  # 413, after the token and collective checks, as the declared route does
        token = bearer_token(request.headers.get("authorization"))
        skew_ms = kiosk_skew(request.headers.get(KIOSK_TIME_HEADER))
        pending = kiosk_pending(request.headers.get(KIOSK_PENDING_HEADER))
        text = await push_for_token(
            database,
            token,
            body.events,
            skew_ms,
            lambda auth: check_collective(auth, body.collective_id),
            pending,
        )
        return Response(text, media_type="application/json")

    async def fast_pull(request: Request) -> Response | None:
        cursor = query_int(request, "cursor", 0, 0, 2**62)
        limit = query_int(request, "limit", DEFAULT_PULL_LIMIT, 1, MAX_PULL_LIMIT)
        collective = request.query_params.get("collective")
        if cursor is None or limit is None or (collective is not None and len(collective) > 64):
            return None
        token = bearer_token(request.headers.get("authorization"))
        await writes_first.before_pull()
        text = await pull_for_token(
            database, token, cursor, limit, lambda auth: check_collective(auth, collective)
        )
        return Response(text, media_type="application/json")

    def push_events(
        body: PushRequest,
        auth: Annotated[KioskAuth, Depends(kiosk)],
        kiosk_time: KioskTime = None,
        kiosk_pending_events: Annotated[
            str | None,
            Header(alias=KIOSK_PENDING_HEADER, description="Events the kiosk still has to send after these."),
        ] = None,
    ) -> Response:
        check_collective(auth, body.collective_id)
        if len(body.events) > MAX_BATCH_EVENTS:
            raise HubError(
                413, ErrorCode.BATCH_TOO_LARGE, f"Lot trop gros : {MAX_BATCH_EVENTS} évènements au plus."
            )
        pending = kiosk_pending(kiosk_pending_events)
        return _json(push(database, auth, body.events, kiosk_skew(kiosk_time), pending))

    def pull_changes(
        auth: Annotated[KioskAuth, Depends(kiosk)],
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
        collective: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        check_collective(auth, collective)
        return Response(pull_json(database, auth, cursor, limit), media_type="application/json")

    app.router.add_api_route(
        f"{API_PREFIX}/sync/push",
        push_events,
        methods=["POST"],
        response_model=PushResponse,
        responses=_ERRORS,
        route_class_override=with_fast_path(fast_push),
    )
    app.router.add_api_route(
        f"{API_PREFIX}/sync/pull",
        pull_changes,
        methods=["GET"],
        response_model=PullResponse,
        responses=_ERRORS,
        route_class_override=with_fast_path(fast_pull),
    )

    @app.get(f"{API_PREFIX}/kiosk", response_model=WhoAmI, responses=_ERRORS)
    def who_am_i(auth: Annotated[KioskAuth, Depends(kiosk)], kiosk_time: KioskTime = None) -> WhoAmI:
        return WhoAmI(
            kiosk_id=auth.kiosk_id,
            kiosk_name=auth.name,
            collective_id=auth.collective_id,
            hub_time=iso(utcnow()),
            skew_ms=kiosk_skew(kiosk_time),
        )

    app.include_router(governance.router)  # elections and published draws (issue 8)
    app.mount(web.PREFIX, web.create_web_app(database))  # coordinators' pages (issue 9), HTML errors
    app.include_router(network_api.router)  # issue 9: a visiting member's card, looked up by a kiosk
    app.add_middleware(BodyLimit)
    return app


def settle_gc() -> None:
    """Leave the objects of a started hub (modules, models, tables: about 120,000) out of the garbage
    collector's passes, and run its young-generation pass less often: parsing and storing 200 pushes at
    once allocates a great many short-lived objects, and the collector's passes over everything were a
    tenth of the hub's CPU in that burst. Request data is freed by reference counting anyway."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 50)


def factory() -> FastAPI:
    """For `uvicorn --factory hub.app:factory` (several worker processes): database from $KIOSK_HUB_DB."""
    app = create_app()
    settle_gc()
    return app
