"""Page tests: headless Chromium (Debian's, driven by Playwright) and a small network on the real hub.

`browser` is started once for the session and closed at its end; `world` is built once per hub (SQLite and
PostgreSQL), each test then opens its own browser context (its own cookies)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hub.kiosks import HubHandle
from tests.hub.web.world import PASSWORD, World, build_world

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
_tags = itertools.count(1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium absent (/usr/bin/chromium): install the Debian `chromium` package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def world(hub: HubHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(hub, tmp_path_factory.mktemp("world"), f"w{next(_tags)}")
    yield built
    built.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Any, hub: HubHandle, email: str, password: str = PASSWORD) -> None:
    page.goto(hub.url + "/coordination/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def table(page: Any, selector: str) -> list[list[str]]:
    """The rows of a table as the page shows them (header cells included), whitespace collapsed."""
    rows: list[list[str]] = page.eval_on_selector(
        selector,
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))",
    )
    return [[" ".join(cell.split()) for cell in row] for row in rows]
