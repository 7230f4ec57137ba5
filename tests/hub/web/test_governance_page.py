"""The coordinators' governance page with elections, in Chromium, on the real hub (SQLite and PostgreSQL).

One collective of a network of its own, one real kiosk (the booth) paired with the hub: three elections
held there by the librarian and synced — « Médiation de quartier » (2 seats, 6 voters: published), one
with 3 voters (closed, its secret kept) and one still open. Chloé, elected, then asks to be erased: the
page ranks her, never by name. The expected ranking is made by the ballots cast below (every voter gives
each candidate the same grade), not read from the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub import admin
from hub.web.accounts import add_coordinator
from hub.web.governance_views import ERASED_CANDIDATE
from kiosk.domain import Role
from tests.hub.kiosks import HubHandle, Kiosk, OffsetClock
from tests.hub.stats_helpers import new_network
from tests.hub.web.conftest import SCREENSHOTS, sign_in, table
from tests.hub.web.world import PASSWORD

MEDIATION, TREASURY, NETWORK_SEAT = "Médiation de quartier", "Trésorerie", "Représentation au réseau"
# grades 0 (« À rejeter ») to 6 (« Excellent »): every voter gives Bruno 5, Chloé 4 and Amina 2
GRADES = {"Bruno": 5, "Chloé": 4, "Amina": 2}


@dataclass
class Booth:
    collective: str
    name: str
    coordinator: str


def _elections(kiosk: Kiosk, clock: OffsetClock) -> None:
    people = {name: kiosk.member(name) for name in ("Amina", "Bruno", "Chloé", "Dalila", "Étienne")}
    lea = kiosk.member("Léa", Role.LIBRARIAN)
    elections = kiosk.services.elections
    # Announced two hours back, candidacies closed half an hour later (the vote open since), closing in
    # an hour of real time: votes are cast now, and the librarian closes two hours on.
    clock.offset = timedelta(hours=-2)
    until = clock.now() + timedelta(minutes=30)
    soon, later = datetime.now(UTC) + timedelta(hours=1), datetime.now(UTC) + timedelta(days=3)
    mediation = elections.announce(lea, MEDIATION, None, 2, "kiosk", until, until, soon)
    treasury = elections.announce(lea, TREASURY, None, 1, "kiosk", until, until, soon)
    seat = elections.announce(lea, NETWORK_SEAT, None, 1, "kiosk", until, until, later)
    for name in GRADES:
        elections.stand(mediation.id, people[name])
    elections.stand(treasury.id, people["Dalila"])
    elections.stand(seat.id, people["Étienne"])
    clock.offset = timedelta(0)
    for voter in (lea, *people.values()):
        elections.cast(mediation.id, voter, {people[name]: grade for name, grade in GRADES.items()})
    for voter in (lea, people["Amina"], people["Bruno"]):
        elections.cast(treasury.id, voter, {people["Dalila"]: 6})
    clock.offset = timedelta(hours=2)
    elections.close(lea, mediation.id)
    elections.close(lea, treasury.id)
    clock.offset = timedelta(0)
    kiosk.services.members.erase(people["Chloé"], lea)  # elected, then erased at her request


@pytest.fixture
def booth(hub: HubHandle, tmp_path: Path) -> Iterator[Booth]:
    tag = uuid.uuid4().hex[:6]
    network = new_network(hub)
    collective = admin.add_collective(hub.db, f"Collectif de la Chapelle {tag}", "La Chapelle", network)
    clock = OffsetClock()
    kiosk = Kiosk(tmp_path / "booth", collective.id, clock, name="Borne de la MJC")
    try:
        kiosk.pair(hub, collective.id)
        _elections(kiosk, clock)
        kiosk.sync()
        email = f"gouvernance-{tag}@example.org"
        add_coordinator(hub.db, email, PASSWORD, collective_id=collective.id)
        yield Booth(collective.id, collective.name, email)
    finally:
        kiosk.close()


def test_the_governance_page_ranks_a_published_election_by_pseudonym(
    hub: HubHandle, booth: Booth, page: Any, backend: str
) -> None:
    sign_in(page, hub, booth.coordinator)
    page.goto(f"{hub.url}/coordination/collectif/{booth.collective}/gouvernance")

    assert table(page, "#elections-table") == [  # the vote still open first
        [NETWORK_SEAT, booth.name, "vote ouvert", "0", "—"],
        [MEDIATION, booth.name, "close", "6", "publié : voir le classement"],
        [TREASURY, booth.name, "close", "3", "secret gardé (trop peu de votants)"],
    ]
    heading = page.locator("#classement-1")
    assert heading.inner_text() == f"Classement de « {MEDIATION} » au jugement majoritaire (2 sièges)"
    assert table(page, "#classement-1-table") == [
        ["1", "Bruno", "Très bien", "élu·e"],
        ["2", ERASED_CANDIDATE, "Bien", "élu·e"],
        ["3", "Amina", "Passable", "—"],
    ]
    assert page.locator("table.ranking").count() == 1  # nothing of the secret election is shown
    main = page.locator("main").inner_text()
    assert "Chloé" not in main  # erased: ranked, never named
    assert "Dalila" not in main  # the only candidate of the election whose secret is kept
    assert "Étienne" not in main  # standing in a vote still open

    # the keyboard alone reaches the link to the ranking, and follows it
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText") == "publié : voir le classement":
            break
    else:
        raise AssertionError("the link to the ranking is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/gouvernance#classement-1")
    if backend == "sqlite":  # one picture is enough
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"{hub.url}/coordination/collectif/{booth.collective}/gouvernance")
        page.screenshot(path=str(SCREENSHOTS / "hub-gouvernance.png"), full_page=True)


def test_the_ranking_fits_a_phone_and_its_headings_are_in_order(
    hub: HubHandle, booth: Booth, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, hub, booth.coordinator)
        page.goto(f"{hub.url}/coordination/collectif/{booth.collective}/gouvernance")
        assert page.locator("#classement-1-table tbody tr").count() == 3
        width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == 390, f"the page scrolls sideways: {width}"
        levels = page.evaluate(
            "() => [...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])"
        )
        assert levels == [1, 2, 2, 3]
    finally:
        context.close()
