"""Keyboard-only use and a phone-sized screen, in Chromium, on every page of the coordinators."""

from __future__ import annotations

import itertools
from typing import Any

from tests.hub.kiosks import HubHandle
from tests.hub.web.conftest import SCREENSHOTS, sign_in
from tests.hub.web.world import PASSWORD, World

PAGES = ("", "activite", "themes", "membres", "bornes", "ateliers", "gouvernance")


def _focused(page: Any) -> dict[str, str]:
    info: dict[str, str] = page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id || '',"
        " text: (e.innerText || e.value || '').trim(), href: e.getAttribute('href') || ''}; }"
    )
    return info


def test_the_keyboard_alone_signs_in_and_reaches_the_menu_and_the_forms(
    hub: HubHandle, world: World, page: Any
) -> None:
    page.goto(hub.url + "/coordination/connexion")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Aller au contenu"  # the skip link comes first
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "contenu"
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "email"
    page.keyboard.type(world.coordinators["a"])
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(f"{hub.url}/coordination/collectif/{world.a}/")

    # Tab from the top: skip link, home link, sign-out, then every menu entry in order.
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    texts = [f["text"] for f in seen]
    assert texts[:3] == ["Aller au contenu", "Kiosque des savoirs", "Se déconnecter"]
    assert texts[3:11] == [
        "Vue d’ensemble",
        "Activité",
        "Thèmes",
        "Membres",
        "Bornes",
        "Ateliers",
        "Gouvernance",
        "Clé des cartes",
    ]
    # The pairing form is reached and sent with the keyboard too.
    page.goto(f"{hub.url}/coordination/collectif/{world.a}/bornes")
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Créer un code d’appairage":
            break
    else:
        raise AssertionError("the pairing button is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pairing-code")


def test_every_page_fits_a_phone_screen(hub: HubHandle, world: World, browser: Any, backend: str) -> None:
    # Not `is_mobile`: Chromium would then widen the layout viewport (and innerWidth) to fit the page.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, hub, world.coordinators["network"])
        urls = [f"{hub.url}/coordination/collectif/{world.a}/{name}" for name in PAGES]
        urls += [f"{hub.url}/coordination/reseau/{world.network}/{name}" for name in PAGES]
        urls += [f"{hub.url}/coordination/reseau/{world.network}/", f"{hub.url}/coordination/cle-des-cartes"]
        for url in urls:
            page.goto(url)
            width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1] == 390, f"{url} scrolls sideways: {width}"
            assert page.locator("h1").count() == 1
        if backend == "sqlite":
            page.goto(f"{hub.url}/coordination/collectif/{world.a}/activite")
            page.screenshot(path=str(SCREENSHOTS / "hub-activite-telephone.png"), full_page=True)
            page.goto(f"{hub.url}/coordination/collectif/{world.a}/bornes")
            page.screenshot(path=str(SCREENSHOTS / "hub-bornes-telephone.png"), full_page=True)
    finally:
        context.close()


def test_headings_are_in_order_and_every_field_has_a_label(hub: HubHandle, world: World, page: Any) -> None:
    page.goto(hub.url + "/coordination/connexion")
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => !e.labels || e.labels.length === 0).length"
    )
    assert unlabelled == 0 and page.evaluate("document.documentElement.lang") == "fr"
    sign_in(page, hub, world.coordinators["a"])
    for name in PAGES:
        page.goto(f"{hub.url}/coordination/collectif/{world.a}/{name}")
        levels = page.evaluate(
            "() => [...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])"
        )
        assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), (
            name,
            levels,
        )
        assert page.locator("main").count() == 1
        # each chart names itself (<title>, <desc>) and has its table beside it
        for figure in page.locator("figure.chart-figure").all():
            assert figure.locator("svg title").count() >= 1 and figure.locator("svg desc").count() == 1
            assert figure.locator("table").count() == 1
