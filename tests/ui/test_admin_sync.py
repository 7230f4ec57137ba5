"""The sync and health screen: what the worker last said, in words (« il y a 3 minutes », the last problem),
the hub's address, reader and printer; it refreshes by itself every 2 s while shown; « Synchroniser
maintenant » asks the worker. The statuses are SyncStatus values as the worker publishes them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sync_client.worker import SyncState, SyncStatus
from tests.ui import driver
from tests.ui.admin2_helpers import dismiss_message, go, look, message_shown, open_admin_session

HUB = "https://hub.collectifs.example"


def test_sync_screen_says_the_state_in_words_and_syncs_on_demand(kivy_window: Any, tmp_path: Path) -> None:
    asked: list[int] = []
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        three_minutes_ago = (ctx.clock.now() - timedelta(minutes=3)).isoformat()
        status = [SyncStatus(SyncState.OK, 3, 0, three_minutes_ago)]
        ctx.sync_status = lambda: status[0]
        ctx.hub_url = lambda: HUB
        ctx.device_status = lambda: {"reader": "ready", "printer": "paper_out"}
        ctx.sync_now = lambda: asked.append(1)
        open_admin_session(rig)
        screen = go(rig, "admin_sync")
        texts = driver.texts(screen)
        for expected in (
            "3 changements attendent d’être envoyés au hub.",
            "il y a 3 minutes",
            "Aucun",
            HUB,
            "Prêt",
            "Plus de papier",
        ):
            assert expected in texts, (expected, texts)
        look(rig.shell, "admin_sync-fr")

        driver.tap(screen.ids.sync_button)
        assert asked == [1]
        assert message_shown(rig.shell).startswith("Synchronisation demandée")
        dismiss_message(rig.shell)

        # the worker reports trouble: the screen says it within its 2-second refresh, without a touch
        status[0] = SyncStatus(SyncState.OFFLINE, 5, 0, three_minutes_ago, "timeout", "unavailable", None, 30)
        driver.wait_until(lambda: "Le hub ne répond pas" in screen.problem, timeout=6)
        assert screen.pending == "5 changements attendent d’être envoyés au hub."
        look(rig.shell, "admin_sync-offline-fr")

        driver.tap(screen.ids.header.ids.header_back)  # leaving stops the refresh
        driver.wait_frames(2)
        assert rig.shell.manager.current == "member_home" and screen._tick is None


def test_not_paired_offers_pairing(kivy_window: Any, tmp_path: Path) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        open_admin_session(rig)
        screen = go(rig, "admin_sync")
        assert screen.problem == "Cette borne n’est pas encore appairée à un hub."
        driver.tap(screen.ids.sync_button)
        assert rig.shell.manager.current == "admin_pair"


def test_admin_screens_refuse_a_member_session(kivy_window: Any, tmp_path: Path) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Karim")  # a member, no admin session
        for route in ("admin_sync", "admin_export", "admin_settings", "checkin", "workshop_new"):
            rig.shell.go(route)
            driver.wait_frames(3)
            assert rig.shell.manager.current == "member_home", route
