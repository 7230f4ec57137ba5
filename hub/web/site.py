"""The coordinators' pages as an application mounted under /coordination on the hub (hub/app.py).

An application of its own, not a router: its refusals are French HTML pages, while the API's stay JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.db import Database
from hub.web import routes_auth, routes_kiosks, routes_stats
from hub.web.facts_cache import FactsCache
from hub.web.guard import PREFIX, SESSION_COOKIE, LoginRequired, PageError
from hub.web.render import SECURITY_HEADERS, STATIC, page


def create_web_app(db: Database) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.db = db
    app.state.facts = FactsCache()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(routes_auth.router)
    app.include_router(routes_kiosks.router)
    app.include_router(routes_stats.router)

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, error: LoginRequired) -> Response:
        query = {"suite": error.path} | ({"expiree": "1"} if error.expired else {})
        response = RedirectResponse(f"{PREFIX}/connexion?{urlencode(query)}", status_code=303)
        if error.expired:
            response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    @app.exception_handler(PageError)
    async def refused(request: Request, error: PageError) -> Response:
        response = page(request, "error.html", error.status, error=error)
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return await refused(request, PageError(404, "Page introuvable", "Cette page n’existe pas."))
        return await refused(request, PageError(error.status_code, "Requête refusée", str(error.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, _error: RequestValidationError) -> Response:
        return await refused(
            request, PageError(400, "Requête invalide", "Cette adresse ou ce formulaire est incomplet.")
        )

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """The pages' headers on every answer (redirects too); the style sheet may be cached."""
        response = await call_next(request)
        static = "/static/" in request.url.path
        for name, value in SECURITY_HEADERS.items():
            if not (static and name == "Cache-Control"):
                response.headers.setdefault(name, value)
        return response

    return app
