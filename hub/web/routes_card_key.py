"""« Clé des cartes »: what the network card key is for, and its rotation (hub/rotation.py).

Every coordinator reads the page and the rotation's progress; only a coordinator of the whole network starts
or finishes a rotation, each time after a confirmation page, by a POST carrying the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub import rotation
from hub.web.guard import NOT_FOUND, PageError, checked_form, database, signed_in
from hub.web.render import page
from hub.web.sessions import Session

router = APIRouter()
SignedIn = Annotated[Session, Depends(signed_in)]
STEPS = ("commencer", "terminer")


def _page(request: Request, session: Session, template: str, **extra: Any) -> Response:
    network_id = session.coordinator.network_id
    return page(
        request,
        template,
        session=session,
        place=None,
        current="cle",
        rotation=rotation.status(database(request), network_id),
        may_rotate=session.coordinator.role == "network",
        **extra,
    )


@router.get("/cle-des-cartes")
def card_key(request: Request, session: SignedIn) -> Response:
    return _page(request, session, "card_key.html")


def _step_of(session: Session, step: str) -> str:
    if step not in STEPS:
        raise NOT_FOUND
    if session.coordinator.role != "network":
        raise PageError(
            403,
            "Réservé au réseau",
            "Seule une personne qui coordonne tout le réseau peut changer la clé des cartes.",
        )
    return step


@router.get("/cle-des-cartes/{step}")
def confirm(request: Request, step: str, session: SignedIn) -> Response:
    return _page(request, session, "card_key_confirm.html", step=_step_of(session, step))


@router.post("/cle-des-cartes/{step}")
async def rotate(request: Request, step: str, session: SignedIn) -> Response:
    _step_of(session, step)
    await checked_form(request, session.token)
    db, network_id = database(request), session.coordinator.network_id
    try:
        if step == "commencer":
            rotation.start(db, network_id)
            return _page(request, session, "card_key.html", started=True)
        done = rotation.finish(db, network_id)
    except rotation.RotationError as error:
        return _page(request, session, "card_key.html", refused=str(error))
    return _page(request, session, "card_key.html", finished=done)
