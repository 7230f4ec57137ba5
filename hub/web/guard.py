"""Who is asking, and what they may see: the session cookie, the CSRF check of every form, the scope of a
page (one collective, or a whole network) checked against the coordinator's role."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Connection, select
from starlette.datastructures import FormData

from hub import schema as t
from hub.db import Database
from hub.stats.model import Facts, Scope
from hub.web.facts_cache import FactsCache
from hub.web.sessions import Session, find_session, same_csrf

PREFIX = "/coordination"
SESSION_COOKIE = "kds_session"
LOGIN_COOKIE = "kds_connexion"  # the sign-in form's own CSRF secret, before any session exists


class LoginRequired(Exception):
    """No live session: the handler sends the browser to the sign-in page (and back here afterwards)."""

    def __init__(self, path: str, expired: bool) -> None:
        super().__init__(path)
        self.path = path
        self.expired = expired


class PageError(Exception):
    """A refusal shown as a page in French (403, 404, 429…)."""

    def __init__(self, status: int, title: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.retry_after = retry_after


NOT_FOUND = PageError(
    404, "Page introuvable", "Cette page n’existe pas, ou elle ne fait pas partie de votre espace."
)


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def scope_facts(request: Request, conn: Connection, scope: Scope) -> Facts:
    """The facts of `scope`, through the web app's cache (hub/web/facts_cache.py)."""
    cache: FactsCache = request.app.state.facts
    return cache.facts(conn, scope)


def address(request: Request) -> str:
    return request.client.host if request.client else "inconnue"


def signed_in(request: Request) -> Session:
    """The request's live session, or LoginRequired (FastAPI dependency)."""
    token = request.cookies.get(SESSION_COOKIE)
    session = find_session(database(request), token)
    if session is None:
        raise LoginRequired(request.url.path, expired=token is not None)
    return session


async def checked_form(request: Request, secret: str | None) -> FormData:
    """The posted form, once its CSRF token matches `secret` (the session's, or the sign-in form's):
    403 otherwise."""
    form = await request.form()
    presented = form.get("csrf")
    if secret is None or not same_csrf(secret, presented if isinstance(presented, str) else None):
        raise PageError(
            403,
            "Formulaire expiré",
            "Ce formulaire n’est plus valable (page trop ancienne ou envoyée d’ailleurs). "
            "Rechargez la page et recommencez.",
        )
    return form


@dataclass(frozen=True)
class Place:
    """The scope of a page as the coordinator sees it: its title and the base of its links."""

    scope: Scope
    title: str
    quartier: str | None
    base: str

    @property
    def is_network(self) -> bool:
        return self.scope.collective_id is None


def place_of(db: Database, session: Session, kind: str, key: str) -> Place:
    """The collective (`collectif`) or network (`reseau`) `key`, if this coordinator sees it; 404 otherwise
    (the same answer as for one that does not exist: no one learns the other collectives' ids)."""
    coordinator = session.coordinator
    with db.read() as conn:
        if kind == "collectif":
            row = conn.execute(select(t.collectives).where(t.collectives.c.id == key)).first()
            if row is None or not coordinator.sees(row.network_id, row.id):
                raise NOT_FOUND
            return Place(
                Scope(row.network_id, row.id), row.name, row.quartier, f"{PREFIX}/collectif/{row.id}"
            )
        if kind == "reseau":
            row = conn.execute(select(t.networks).where(t.networks.c.id == key)).first()
            if row is None or not coordinator.sees(row.id, None):
                raise NOT_FOUND
            return Place(Scope(row.id), row.name, None, f"{PREFIX}/reseau/{row.id}")
    raise NOT_FOUND
