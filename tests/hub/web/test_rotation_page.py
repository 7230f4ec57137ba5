"""The card key rotation from the coordinators' page « Clé des cartes », in Chromium, with a real kiosk: start
(after a confirmation page), progress as a card is re-keyed at the kiosk, finish (the page says how many cards
become unknown); a collective's coordinator reads the page but cannot rotate; a POST without the session's
CSRF token is refused. Each test makes its own network: the shared world's key never changes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hub import admin
from hub import schema as t
from hub.util import iso, utcnow
from hub.web.accounts import add_coordinator
from kiosk.domain import Identified
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.web.conftest import SCREENSHOTS, sign_in
from tests.hub.web.world import PASSWORD


def _figures(page: Any) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#rotation-progress li").all_inner_texts()]


def test_a_network_coordinator_starts_follows_and_finishes_a_rotation(
    hub: HubHandle, page: Any, browser: Any, tmp_path: Path, backend: str
) -> None:
    network_id = "page-cle-" + uuid.uuid4().hex[:8]
    with hub.db.write() as conn:
        conn.execute(
            insert(t.networks).values(id=network_id, name="Réseau de l’Est", created_at=iso(utcnow()))
        )
    collective = admin.add_collective(hub.db, f"Collectif {network_id}", "Belleville", network_id).id
    boss = f"reseau-{network_id}@example.org"
    add_coordinator(hub.db, boss, PASSWORD, network_id=network_id)
    local = f"collectif-{network_id}@example.org"
    add_coordinator(hub.db, local, PASSWORD, collective_id=collective)
    kiosk = Kiosk(tmp_path / "k", collective, name="Borne de la MJC")
    try:
        kiosk.pair(hub, collective)
        karim, omar = kiosk.member("Karim"), kiosk.member("Omar")
        uid_karim, uid_omar = kiosk.card(karim), kiosk.card(omar)
        kiosk.sync()

        sign_in(page, hub, boss)
        page.goto(hub.url + "/coordination/cle-des-cartes")
        assert "Aucun changement de clé en cours" in page.locator("#rotation-state").inner_text()
        page.get_by_role("link", name="Commencer un changement de clé…").click()
        assert page.locator("h1").inner_text() == "Commencer le changement de la clé des cartes ?"
        assert "Rien ne change pour les membres" in page.locator("main").inner_text()
        page.get_by_role("button", name="Oui, commencer le changement").click()
        assert "Le changement de clé a commencé" in page.get_by_role("status").inner_text()
        assert _figures(page) == [
            "2 cartes actives dans le réseau",
            "0 déjà passées sur une borne depuis le début",
            "2 pas encore passées",
        ]

        kiosk.sync()  # the kiosk learns the next key, then Karim taps: re-keyed
        services = kiosk.services
        recognised = services.cards.identify(services.cards.read(uid_karim)).member
        assert recognised is not None and recognised.id == karim
        kiosk.sync()
        page.goto(hub.url + "/coordination/cle-des-cartes")
        assert _figures(page)[1:] == ["1 déjà passées sur une borne depuis le début", "1 pas encore passées"]
        if backend == "sqlite":
            page.screenshot(path=str(SCREENSHOTS / "hub-cle-des-cartes.png"), full_page=True)

        page.get_by_role("link", name="Terminer le changement de clé…").click()
        consequences = " ".join(page.locator("#finish-consequences").inner_text().split())
        assert "1 carte(s) déjà passée(s) sur une borne resteront reconnues partout" in consequences
        assert "1 carte(s) jamais passée(s) deviendront inconnues" in consequences
        page.get_by_role("button", name="Oui, terminer le changement").click()
        done = " ".join(page.get_by_role("status").inner_text().split())
        assert "1 carte(s) restent reconnues ; 1 carte(s) devront être enrôlées à nouveau" in done
        assert "Aucun changement de clé en cours" in page.locator("#rotation-state").inner_text()

        kiosk.sync()  # the switch reaches the kiosk
        services = kiosk.services
        recognised = services.cards.identify(services.cards.read(uid_karim)).member
        assert recognised is not None and recognised.id == karim
        assert services.cards.identify(services.cards.read(uid_omar)).outcome is Identified.UNKNOWN

        # A form posted without the session's token changes nothing
        forged = page.request.post(hub.url + "/coordination/cle-des-cartes/commencer", form={"csrf": "x"})
        assert forged.status == 403
        page.goto(hub.url + "/coordination/cle-des-cartes")
        assert "Aucun changement de clé en cours" in page.locator("#rotation-state").inner_text()

        # A collective's coordinator reads the page, but the rotation belongs to the network
        other = browser.new_context(locale="fr-FR")
        try:
            theirs = other.new_page()
            sign_in(theirs, hub, local)
            theirs.goto(hub.url + "/coordination/cle-des-cartes")
            assert theirs.get_by_role("link", name="Commencer un changement de clé…").count() == 0
            assert "Seule une personne qui coordonne tout le réseau" in theirs.locator("main").inner_text()
            assert theirs.goto(hub.url + "/coordination/cle-des-cartes/commencer").status == 403
        finally:
            other.close()
    finally:
        kiosk.close()
