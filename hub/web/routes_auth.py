"""Sign-in, sign-out and the home page (a network coordinator chooses a collective or the whole network)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hub import schema as t
from hub.web.accounts import check_password
from hub.web.guard import (
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    PageError,
    address,
    checked_form,
    database,
    signed_in,
)
from hub.web.render import page
from hub.web.sessions import (
    ABSOLUTE_LIMIT,
    Session,
    blocked_for,
    close_session,
    csrf_token,
    forget_failures,
    open_session,
    record_failure,
)

router = APIRouter()
SignedIn = Annotated[Session, Depends(signed_in)]
WRONG = "Adresse e-mail ou mot de passe incorrect."


def _safe_next(target: str | None) -> str:
    """Back to the page asked for before signing in, only if it is one of ours (no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX + "/"


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _login_page(request: Request, status: int = 200, error: str | None = None, email: str = "") -> Response:
    secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        status,
        csrf=csrf_token(secret),
        error=error,
        email=email,
        next=_safe_next(request.query_params.get("suite")),
        expired=request.query_params.get("expiree") == "1",
        signed_out=request.query_params.get("sortie") == "1",
    )
    _set_cookie(request, response, LOGIN_COOKIE, secret, None)
    return response


@router.get("/connexion")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/connexion")
async def login(request: Request) -> Response:
    form = await checked_form(request, request.cookies.get(LOGIN_COOKIE))
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    db = database(request)
    wait = blocked_for(db, address(request), email)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise PageError(
            429,
            "Trop de tentatives",
            f"Trop d’essais de connexion ont échoué. Par sécurité, réessayez dans {minutes} minute"
            f"{'s' if minutes > 1 else ''}. Si vous avez oublié votre mot de passe, demandez à "
            "l’administrateur du hub de vous en donner un nouveau.",
            retry_after=wait,
        )
    coordinator = check_password(db, email, password) if email and password else None
    if coordinator is None:
        record_failure(db, address(request), email)
        return _login_page(request, 401, WRONG, email)
    forget_failures(db, email)
    session = open_session(db, coordinator)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, session.token, int(ABSOLUTE_LIMIT.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/deconnexion")
async def logout(request: Request, session: SignedIn) -> Response:
    await checked_form(request, session.token)
    close_session(database(request), session.token)
    response = RedirectResponse(f"{PREFIX}/connexion?sortie=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/")
def home(request: Request, session: SignedIn) -> Response:
    coordinator = session.coordinator
    if coordinator.role == "collective":
        return RedirectResponse(f"{PREFIX}/collectif/{coordinator.collective_id}/", status_code=303)
    with database(request).read() as conn:
        network = conn.execute(select(t.networks).where(t.networks.c.id == coordinator.network_id)).one()
        collectives = conn.execute(
            select(t.collectives)
            .where(t.collectives.c.network_id == coordinator.network_id)
            .order_by(t.collectives.c.name)
        ).all()
    return page(request, "home.html", session=session, network=network, collectives=collectives)
