"""Every statistics page of a collective and of the network, in Chromium, with the figures the kiosks'
activity should give (tests/hub/web/world.py), and a screenshot of each page; the pages of another
collective stay closed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hub import schema as t
from hub.stats.calendar import last_months
from hub.util import utcnow
from hub.web.render import month_label
from tests.hub.kiosks import HubHandle
from tests.hub.web.conftest import SCREENSHOTS, sign_in, table
from tests.hub.web.http import signed_in
from tests.hub.web.world import World

PAGES = ("", "activite", "themes", "membres", "bornes", "ateliers", "gouvernance")


def _shot(page: Any, backend: str, name: str) -> None:
    if backend == "sqlite":  # one set of pictures is enough
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"hub-{name}.png"), full_page=True)


def test_the_collective_pages_show_its_figures(hub: HubHandle, world: World, page: Any, backend: str) -> None:
    sign_in(page, hub, world.coordinators["a"])
    base = f"{hub.url}/coordination/collectif/{world.a}"
    this_month, four_months_ago = (month_label(m) for m in last_months(utcnow(), 5)[::-4][:2])

    page.goto(base + "/")
    figures = [" ".join(text.split()) for text in page.locator("#key-figures li").all_inner_texts()]
    assert (
        "5 Membres" in figures and "4 Actifs ces 90 jours" in figures and "2 Échanges sur 12 mois" in figures
    )
    assert "2 Heures partagées sur 12 mois" in figures and "33 % Réciprocité" in figures
    assert table(page, "#trend-table")[-1] == [this_month, "2", "3"]
    assert page.locator("svg.chart title").first.text_content() == "Échanges et membres actifs par mois"
    _shot(page, backend, "vue-ensemble")

    page.goto(base + "/activite")
    registrations, exchanges, hours = (table(page, f"#activity-{n}-table") for n in (1, 2, 3))
    assert registrations[-1] == [this_month, "4"] and [four_months_ago, "1"] in registrations
    assert exchanges[-1] == [this_month, "2"] and hours[-1] == [this_month, "2,0"]
    assert len(registrations) == 12 and page.locator("svg.chart").count() == 3
    _shot(page, backend, "activite")

    page.goto(base + "/themes")
    assert table(page, "#themes-table") == [
        ["Cuisine du quotidien", "1", "1", "1", "0,0"],
        ["Potager", "1", "0", "0", "—"],
    ]
    _shot(page, backend, "themes")

    page.goto(base + "/membres")
    assert "33\u202f%" in page.locator("#reciprocity-text").inner_text()
    assert table(page, "#reciprocity-table") == [
        ["Transmettent seulement", "1"],
        ["Apprennent seulement", "1"],
        ["Transmettent et apprennent", "1"],
    ]
    assert page.locator("#inactive-list li").all_inner_texts() == ["Gaspard"]
    assert page.locator("#without-offer-list li").all_inner_texts() == ["Gaspard", "Léa", "Ben", "Chloé"]
    _shot(page, backend, "membres")

    page.goto(base + "/bornes")
    kiosks = table(page, "#kiosks-table")
    assert [row[0] for row in kiosks] == ["Borne de la MJC", "Borne du marché"]
    assert all(row[4] == "à jour" for row in kiosks)
    # The heat map's table adds up to every event the collective's kiosks sent to the hub.
    use = table(page, "#use-table")
    with hub.db.read() as conn:
        sent = conn.execute(select(func.count()).where(t.events.c.collective_id == world.a)).scalar_one()
    assert sum(int(cell) for row in use for cell in row[1:]) == sent > 0
    assert page.locator("svg.chart rect.heat-4").count() >= 1
    _shot(page, backend, "bornes")

    page.goto(base + "/ateliers")
    row = table(page, "#workshops-table")[0]
    assert row[0] == "Atelier pain" and row[2:] == ["10", "2", "1", "50 %"]
    _shot(page, backend, "ateliers")

    page.goto(base + "/gouvernance")
    assert table(page, "#pools-table") == [
        [
            "Jardin partagé",
            f"Savoirs de Belleville {world.a.rsplit('-', 1)[1]}",
            "Jardinage",
            "2",
            "2",
            "appel aux volontaires",
            "—",
        ]
    ]
    _shot(page, backend, "gouvernance-tirages")  # hub-gouvernance.png: test_governance_page.py (elections)

    page.goto(f"{hub.url}/coordination/cle-des-cartes")
    assert "Comment se passe un changement de clé" in page.locator("main").inner_text()
    _shot(page, backend, "cle-des-cartes")


def test_the_network_coordinator_chooses_and_sees_every_collective(
    hub: HubHandle, world: World, page: Any, backend: str
) -> None:
    sign_in(page, hub, world.coordinators["network"])
    assert page.locator("h1").inner_text().startswith("Réseau")
    _shot(page, backend, "accueil-reseau")
    page.get_by_role("link", name="Tout le réseau").click()
    rows = {row[0]: row[1:] for row in table(page, "#collectives-table")}
    a_name = next(
        name for name in rows if name.startswith(f"Savoirs de Belleville {world.a.rsplit('-', 1)[1]} ")
    )
    b_name = next(
        name for name in rows if name.startswith("Entraide de la Goutte d’Or " + world.a.rsplit("-", 1)[1])
    )
    assert rows[a_name] == ["5", "2", "2,0"] and rows[b_name] == ["2", "1", "1,0"]
    _shot(page, backend, "vue-reseau")
    page.goto(f"{hub.url}/coordination/reseau/{world.network}/bornes")
    names = [row[0] for row in table(page, "#kiosks-table")]
    assert {"Borne du marché", "Borne de la MJC", "Borne Goutte d’Or"} <= set(names)
    for name in PAGES:
        page.goto(f"{hub.url}/coordination/collectif/{world.b}/{name}")
        assert page.locator("h1").count() == 1 and "Goutte" in page.locator(".place").inner_text()


def test_a_collective_coordinator_never_sees_another_collective(hub: HubHandle, world: World) -> None:
    browser = signed_in(hub, world.coordinators["a"])
    assert browser.get(f"{hub.url}/coordination/collectif/{world.a}/membres", timeout=30).status_code == 200
    for name in PAGES:
        answer = browser.get(f"{hub.url}/coordination/collectif/{world.b}/{name}", timeout=30)
        assert answer.status_code == 404 and "Zoé" not in answer.text and "Goutte" not in answer.text
    assert browser.get(f"{hub.url}/coordination/reseau/{world.network}/", timeout=30).status_code == 404
    goutte = world.kiosks["goutte"].kiosk_id
    assert browser.get(f"{hub.url}/coordination/bornes/{goutte}/revoquer", timeout=30).status_code == 404
    page = browser.get(f"{hub.url}/coordination/collectif/{world.a}/bornes", timeout=30).text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    forged = {"csrf": csrf}
    assert (
        browser.post(f"{hub.url}/coordination/bornes/{goutte}/revoquer", data=forged, timeout=30).status_code
        == 404
    )
    assert (
        browser.post(
            f"{hub.url}/coordination/collectif/{world.b}/bornes/code", data=forged, timeout=30
        ).status_code
        == 404
    )
    # and the network overview's list of collectives is not in A's pages
    assert "Goutte" not in browser.get(f"{hub.url}/coordination/collectif/{world.a}/", timeout=30).text
