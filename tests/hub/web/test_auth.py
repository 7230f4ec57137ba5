"""Sign-in, sessions, CSRF and the rate limit of the coordinators' pages, on the real hub (both databases)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import update

from hub import schema as t
from hub.util import iso, utcnow
from hub.web.accounts import add_coordinator
from hub.web.sessions import blocked_for
from tests.hub.kiosks import HubHandle
from tests.hub.web.conftest import sign_in
from tests.hub.web.http import csrf_of, post_login, signed_in
from tests.hub.web.world import PASSWORD, World


def test_sign_in_lands_on_the_collective_and_a_wrong_password_is_refused_in_chromium(
    hub: HubHandle, world: World, page: Any
) -> None:
    sign_in(page, hub, world.coordinators["a"], "pas le bon mot de passe")
    assert page.locator("#login-error").inner_text() == "Adresse e-mail ou mot de passe incorrect."
    # An unknown e-mail gets the very same answer: nothing tells which addresses have an account.
    sign_in(page, hub, "personne@example.org", PASSWORD)
    assert page.locator("#login-error").inner_text() == "Adresse e-mail ou mot de passe incorrect."
    sign_in(page, hub, world.coordinators["a"])
    assert page.url == f"{hub.url}/coordination/collectif/{world.a}/"
    assert page.locator("h1").inner_text() == "Vue d’ensemble"
    page.get_by_role("button", name="Se déconnecter").click()
    assert "Vous êtes déconnecté" in page.locator("main").inner_text()
    page.goto(f"{hub.url}/coordination/collectif/{world.a}/")
    assert "/coordination/connexion" in page.url  # the session is gone


def test_the_cookie_is_httponly_samesite_and_stored_hashed(hub: HubHandle, world: World) -> None:
    session, answer = post_login(hub, world.coordinators["a"])
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/coordination" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get `Secure`
    token = session.cookies["kds_session"]
    with hub.db.read() as conn:
        stored = {row.token_hash for row in conn.execute(t.coordinator_sessions.select())}
    assert token not in stored and len(stored) >= 1


def _age_sessions(hub: HubHandle, **ago: timedelta) -> None:
    with hub.db.write() as conn:
        conn.execute(update(t.coordinator_sessions).values({k: iso(utcnow() - v) for k, v in ago.items()}))


def test_sessions_expire_after_30_idle_minutes_and_after_12_hours(fresh_hub: HubHandle) -> None:
    collective = fresh_hub.collective("Collectif expirations")
    add_coordinator(fresh_hub.db, "temps@example.org", PASSWORD, collective_id=collective)
    overview = f"{fresh_hub.url}/coordination/collectif/{collective}/"
    browser = signed_in(fresh_hub, "temps@example.org")
    assert browser.get(overview, timeout=30).status_code == 200
    _age_sessions(fresh_hub, last_seen_at=timedelta(minutes=29))
    assert browser.get(overview, timeout=30).status_code == 200  # still within the idle limit
    _age_sessions(fresh_hub, last_seen_at=timedelta(minutes=31))
    answer = browser.get(overview, timeout=30)
    assert answer.url.startswith(f"{fresh_hub.url}/coordination/connexion")
    assert "Votre session a pris fin" in answer.text
    browser = signed_in(fresh_hub, "temps@example.org")
    _age_sessions(fresh_hub, created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(minutes=1))
    assert "Votre session a pris fin" in browser.get(overview, timeout=30).text


def test_every_post_needs_the_session_csrf_token(hub: HubHandle, world: World) -> None:
    browser = signed_in(hub, world.coordinators["a"])
    kiosks = f"{hub.url}/coordination/collectif/{world.a}/bornes"
    csrf = csrf_of(browser.get(kiosks, timeout=30).text)
    for data in ({}, {"csrf": "0" * 64}):
        refused = browser.post(kiosks + "/code", data=data, timeout=30)
        assert refused.status_code == 403 and "Formulaire expiré" in refused.text
        refused = browser.post(f"{hub.url}/coordination/deconnexion", data=data, timeout=30)
        assert refused.status_code == 403
    # Another coordinator's token does not open this session's forms either.
    other = signed_in(hub, world.coordinators["network"])
    foreign = csrf_of(other.get(kiosks, timeout=30).text)
    assert browser.post(kiosks + "/code", data={"csrf": foreign}, timeout=30).status_code == 403
    assert browser.post(kiosks + "/code", data={"csrf": csrf}, timeout=30).status_code == 200
    # The sign-in form has its own token, bound to a cookie of the browser that loaded it.
    stranger = requests.post(
        f"{hub.url}/coordination/connexion",
        data={"csrf": "0" * 64, "email": world.coordinators["a"], "password": PASSWORD},
        timeout=30,
    )
    assert stranger.status_code == 403


def test_five_failures_in_ten_minutes_block_the_address_and_the_account_with_429(
    fresh_hub: HubHandle,
) -> None:
    collective = fresh_hub.collective("Collectif limites")
    add_coordinator(fresh_hub.db, "limite@example.org", PASSWORD, collective_id=collective)
    for attempt in range(5):
        _, answer = post_login(fresh_hub, "limite@example.org", f"faux {attempt}")
        assert answer.status_code == 401
    # Even the right password is refused now, in French, with the time to wait.
    _, answer = post_login(fresh_hub, "limite@example.org")
    assert answer.status_code == 429
    assert "Trop d’essais de connexion ont échoué" in answer.text
    assert 0 < int(answer.headers["Retry-After"]) <= 600
    # The account is blocked from any address (not only this one), and this address for any account.
    assert blocked_for(fresh_hub.db, "203.0.113.7", "limite@example.org") > 0
    assert blocked_for(fresh_hub.db, "127.0.0.1", "quelqu-un@example.org") > 0
    assert blocked_for(fresh_hub.db, "203.0.113.7", "quelqu-un@example.org") == 0
