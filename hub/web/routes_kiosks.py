"""Kiosk management: the kiosks of a scope, a pairing code with its QR, revoking a kiosk, and the card key
procedure. Every change is a POST carrying the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from hub import admin
from hub import schema as t
from hub.stats.dashboard import kiosk_health
from hub.util import format_code, utcnow
from hub.web import routes_card_key
from hub.web.guard import NOT_FOUND, Place, checked_form, database, place_of, scope_facts, signed_in
from hub.web.render import page
from hub.web.sessions import Session
from hub.web.stats_views import kiosk_use

router = APIRouter()
# The colour of a kiosk's state word (hub/stats/operations.py codes): fine, worth a look, out of service.
TONES = {"up_to_date": "ok", "late": "warn", "silent": "warn", "never": "warn", "revoked": "off"}
SignedIn = Annotated[Session, Depends(signed_in)]


def pairing_qr(payload: str) -> Markup:
    """The pairing link as an inline SVG QR code (black on white, quiet zone included)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    svg: str = image.to_string(encoding="unicode")
    # Sized by the page's style sheet, named for screen readers.
    svg = (
        svg.replace(
            "<svg ",
            '<svg class="qr" role="img" aria-label="QR code du lien d’appairage" ',
            1,
        )
        .replace(' width="', ' data-width="', 1)
        .replace(' height="', ' data-height="', 1)
    )
    return Markup(svg)


@router.get("/{kind}/{key}/bornes")
def kiosks_page(request: Request, kind: str, key: str, session: SignedIn) -> Response:
    place = place_of(database(request), session, kind, key)
    return _kiosks(request, session, place)


def _kiosks(request: Request, session: Session, place: Place, **extra: Any) -> Response:
    with database(request).read() as conn:
        facts = scope_facts(request, conn, place.scope)
    return page(
        request,
        "kiosks.html",
        session=session,
        place=place,
        current="bornes",
        kiosks=kiosk_health(facts, utcnow()),
        use=kiosk_use(facts),
        tones=TONES,
        **extra,
    )


@router.post("/collectif/{key}/bornes/code")
async def pairing_code(request: Request, key: str, session: SignedIn) -> Response:
    db = database(request)
    place = place_of(db, session, "collectif", key)
    await checked_form(request, session.token)
    assert place.scope.collective_id is not None
    code, expires_at = admin.create_pairing_code(db, place.scope.collective_id)
    hub_url = f"{request.url.scheme}://{request.url.netloc}"
    link = f"{hub_url}/?code={format_code(code)}"
    return page(
        request,
        "pairing.html",
        session=session,
        place=place,
        current="bornes",
        code=format_code(code),
        expires_at=expires_at,
        hub_url=hub_url,
        qr=pairing_qr(link),
    )


def _visible_kiosk(request: Request, session: Session, kiosk_id: str) -> tuple[Any, Place]:
    db = database(request)
    with db.read() as conn:
        row = conn.execute(select(t.kiosks).where(t.kiosks.c.id == kiosk_id)).first()
    if row is None:
        raise NOT_FOUND
    return row, place_of(db, session, "collectif", row.collective_id)


@router.get("/bornes/{kiosk_id}/revoquer")
def revoke_form(request: Request, kiosk_id: str, session: SignedIn) -> Response:
    kiosk, place = _visible_kiosk(request, session, kiosk_id)
    return page(request, "revoke.html", session=session, place=place, current="bornes", kiosk=kiosk)


@router.post("/bornes/{kiosk_id}/revoquer")
async def revoke(request: Request, kiosk_id: str, session: SignedIn) -> Response:
    kiosk, place = _visible_kiosk(request, session, kiosk_id)
    await checked_form(request, session.token)
    revoked = admin.revoke_kiosk(database(request), kiosk_id)
    return _kiosks(request, session, place, revoked=kiosk.name if revoked else None)


# « Clé des cartes » and its rotation (issue 9): their own module.
router.include_router(routes_card_key.router)
