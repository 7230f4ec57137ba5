"""Kiosk management in Chromium: the pairing code shown (and its QR) pairs a real kiosk; revoking a kiosk
from its page makes its next sync fail with 401 `kiosk_revoked`."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from hub.web.accounts import add_coordinator
from sync_client.client import HubClient, HubUnauthorized
from sync_client.pairing import pair_kiosk
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.web.conftest import SCREENSHOTS, sign_in, table
from tests.hub.web.world import PASSWORD

_count = itertools.count(1)


def _own_collective(hub: HubHandle, name: str) -> tuple[str, str]:
    """A collective and its coordinator for this test alone: the shared world's kiosks stay as they are."""
    n = next(_count)
    collective = hub.collective(f"{name} {n}")
    email = f"bornes-{n}-{collective}@example.org"
    add_coordinator(hub.db, email, PASSWORD, collective_id=collective)
    return collective, email


def test_the_pairing_code_shown_pairs_a_real_kiosk(
    hub: HubHandle, page: Any, tmp_path: Path, backend: str
) -> None:
    collective, email = _own_collective(hub, "Collectif appairage")
    sign_in(page, hub, email)
    page.goto(f"{hub.url}/coordination/collectif/{collective}/bornes")
    page.get_by_role("button", name="Créer un code d’appairage").click()
    code = page.locator("#pairing-code").inner_text()
    assert len(code) == 11 and code[5] == "-"
    assert "Valable une seule fois" in page.locator("main").inner_text()
    # The QR, as a phone camera or the kiosk's scanner reads it: the hub's address and the same code.
    page.locator(".qr-box").screenshot(path=str(tmp_path / "qr.png"))
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))
    assert len(found) == 1
    link = urlsplit(found[0].text)
    assert f"{link.scheme}://{link.netloc}" == hub.url and parse_qs(link.query)["code"] == [code]
    if backend == "sqlite":
        page.screenshot(path=str(SCREENSHOTS / "hub-code-appairage.png"), full_page=True)

    kiosk = Kiosk(tmp_path / "new", collective, name="Borne de la bibliothèque")
    try:
        client = HubClient(hub.url)
        try:
            pair_kiosk(kiosk.store, client, code.replace("-", ""), kiosk.name)
        finally:
            client.close()
        kiosk.reopen()
        kiosk.sync()
        page.goto(f"{hub.url}/coordination/collectif/{collective}/bornes")
        assert [row[0] for row in table(page, "#kiosks-table")] == ["Borne de la bibliothèque"]
    finally:
        kiosk.close()


def test_revoking_a_kiosk_from_its_page_stops_its_sync(
    hub: HubHandle, page: Any, tmp_path: Path, backend: str
) -> None:
    collective, email = _own_collective(hub, "Collectif révocation")
    kiosk = Kiosk(tmp_path / "doomed", collective, name="Borne volée")
    try:
        kiosk.pair(hub, collective)
        kiosk.sync()
        sign_in(page, hub, email)
        page.goto(f"{hub.url}/coordination/collectif/{collective}/bornes")
        page.get_by_role("link", name="Révoquer Borne volée").click()
        assert page.locator("h1").inner_text() == "Révoquer la borne « Borne volée » ?"
        if backend == "sqlite":
            page.screenshot(path=str(SCREENSHOTS / "hub-revoquer.png"), full_page=True)
        page.get_by_role("button", name="Oui, révoquer cette borne").click()
        assert "La borne « Borne volée » est révoquée" in page.locator("main").inner_text()
        row = next(row for row in table(page, "#kiosks-table") if row[0] == "Borne volée")
        assert row[4] == "retirée"
        with pytest.raises(HubUnauthorized) as refused:
            kiosk.sync()
        assert refused.value.status == 401 and refused.value.code == "kiosk_revoked"
    finally:
        kiosk.close()
