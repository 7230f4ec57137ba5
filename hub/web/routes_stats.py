"""The statistics pages of a scope (one collective, or a whole network): overview, activity, themes,
members, workshops, governance. The kiosks page is in routes_kiosks.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.util import utcnow
from hub.web import stats_views as views
from hub.web.governance_views import governance
from hub.web.guard import NOT_FOUND, database, place_of, scope_facts, signed_in
from hub.web.render import page
from hub.web.sessions import Session

router = APIRouter()
SignedIn = Annotated[Session, Depends(signed_in)]
TEMPLATES = {
    "": "overview.html",
    "activite": "activity.html",
    "themes": "themes.html",
    "membres": "members.html",
    "ateliers": "workshops.html",
    "gouvernance": "governance.html",
}


@router.get("/{kind}/{key}/")
@router.get("/{kind}/{key}/{name}")
def stats_page(request: Request, kind: str, key: str, session: SignedIn, name: str = "") -> Response:
    if name not in TEMPLATES:
        raise NOT_FOUND
    db = database(request)
    place = place_of(db, session, kind, key)
    now = utcnow()
    with db.read() as conn:
        facts = scope_facts(request, conn, place.scope)
        if name == "":
            context = views.overview(facts, now)
        elif name == "activite":
            context = views.activity(facts, now)
        elif name == "themes":
            context = views.themes(facts)
        elif name == "membres":
            context = views.members(conn, facts, now)
        elif name == "ateliers":
            context = views.workshops(facts)
        else:
            context = governance(conn, facts)
    return page(request, TEMPLATES[name], session=session, place=place, current=name, **context)
