"""`python scripts/screenshot_hub.py [--out DIR]`: the coordinators' pages of the hub, in headless Chromium.

Starts a hub of its own (SQLite in a temporary folder, uvicorn on a free port of 127.0.0.1, stopped by its
pid), pairs three real kiosks and syncs a little activity (tests/hub/web/world.py), then signs in as a
collective coordinator and as a network coordinator and writes build/screenshots/hub-<page>.png at 1280×800
(whole page) and hub-<page>-telephone.png at 390×844. Called by scripts/screenshots.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub import admin  # noqa: E402
from hub.db import Database  # noqa: E402
from tests.hub.kiosks import HubHandle  # noqa: E402
from tests.hub.servers import HubServer  # noqa: E402
from tests.hub.web.conftest import CHROMIUM, sign_in  # noqa: E402
from tests.hub.web.world import World, build_world  # noqa: E402

PAGES = {
    "vue-ensemble": "",
    "activite": "activite",
    "themes": "themes",
    "membres": "membres",
    "bornes": "bornes",
    "ateliers": "ateliers",
    "gouvernance": "gouvernance",
}
SIZES = {"": (1280, 800), "-telephone": (390, 844)}


def _one_size(
    browser: Any, hub: HubHandle, world: World, out: Path, suffix: str, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR")
    page = context.new_page()

    def shot(name: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(url)
        page.screenshot(path=str(out / f"hub-{name}{suffix}.png"), full_page=True)
        print(f"hub-{name}{suffix}.png")

    shot("connexion", f"{hub.url}/coordination/connexion")
    sign_in(page, hub, world.coordinators["a"])
    for name, path in PAGES.items():
        shot(name, f"{hub.url}/coordination/collectif/{world.a}/{path}")
    shot("cle-des-cartes", f"{hub.url}/coordination/cle-des-cartes")
    page.goto(f"{hub.url}/coordination/collectif/{world.a}/bornes")
    page.get_by_role("button", name="Créer un code d’appairage").click()
    shot("code-appairage")
    context.clear_cookies()
    sign_in(page, hub, world.coordinators["network"])
    shot("accueil-reseau", f"{hub.url}/coordination/")
    shot("vue-reseau", f"{hub.url}/coordination/reseau/{world.network}/")
    context.close()


def capture(hub: HubHandle, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    world = build_world(hub, Path(tempfile.mkdtemp()), "demo")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                for suffix, size in SIZES.items():
                    _one_size(browser, hub, world, out, suffix, size)
            finally:
                browser.close()
    finally:
        world.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("Chromium absent (/usr/bin/chromium) : paquet Debian « chromium ».", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        db = Database(url)
        admin.init(db)
        db.dispose()
        server = HubServer(url, log=Path(folder) / "hub.log")
        server.start()
        try:
            capture(HubHandle(server, Database(url)), args.out)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
