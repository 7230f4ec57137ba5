"""admin2's scenes for `make screenshots`: sync and health, pairing, export, settings, maintenance, and the
workshops (schedule, members' registration, check-in). scripts/screenshots.py plays `admin_system_scenes()`
like its own lists (`[*SHELL_SCENES, *FLOW_SCENES, *admin_system_scenes()]`); each walk is skipped while
its route is not in screens/routes.py.

An admin session is opened as the kiosk does it — the staff card on the simulated reader — then marked as
the PIN screen marks it (`Session.admin`), so these scenes do not depend on the PIN screen's own walk. The
scenes run twice (French, English) on the same store: none of them schedules or closes a workshop.
"""

from __future__ import annotations

from screenshot_scenes import Move, Stage, Walk, card, chip, go, scene, steps, tap, type_on, walk


def admin(pseudonym: str = "Sandrine") -> Move:
    def play(stage: Stage) -> None:
        stage.tap_card(pseudonym)
        stage.shell.session.admin = True

    return play


def _sync_status(stage: Stage) -> None:
    from datetime import timedelta

    from sync_client.worker import SyncState, SyncStatus

    ago = (stage.ctx.clock.now() - timedelta(minutes=3)).isoformat()
    stage.ctx.sync_status = lambda: SyncStatus(SyncState.OFFLINE, 4, 0, ago, "timeout", "unavailable")
    stage.ctx.hub_url = lambda: "https://hub.collectifs.example"
    stage.ctx.device_status = lambda: {"reader": "ready", "printer": "paper_low"}


def _hub_unreachable(stage: Stage) -> None:
    """What a kiosk without network gets when pairing (the app's pairing answers on the Kivy thread)."""
    from screens.context import PairOutcome

    def pair(_url: str, _code: str, done: object) -> None:
        done(PairOutcome(False, "Hub injoignable : ConnectError", "network"))  # type: ignore[operator]

    stage.ctx.pair_with_hub = pair


def _no_sync_status(stage: Stage) -> None:
    stage.ctx.sync_status = lambda: None
    stage.ctx.hub_url = lambda: None
    stage.ctx.device_status = lambda: {}


def _today_workshop(stage: Stage) -> None:
    """Today's workshop to check in at (made once: the scenes run twice on the same store)."""
    from datetime import datetime, time

    services = stage.ctx.services
    title = "Atelier vélo du mercredi"
    if not any(w.title == title for w in services.workshops.upcoming(30)):
        now = stage.ctx.clock.now()
        starts = datetime.combine(now.date(), time(14, 0), tzinfo=now.tzinfo)
        services.workshops.schedule(
            stage.member_id("Sandrine"), title, "reparation.velo", starts, 90, 8, [stage.member_id("Élodie")]
        )


def _open_today(stage: Stage) -> None:
    screen = stage.shell.current
    stage.tap(screen.choice_rows()[0])


def _door_taps(stage: Stage) -> None:
    from kiosk.demo import DEMO_UNKNOWN_UID

    for pseudonym in ("Karim", "Yvette", "Inès"):
        stage.tap_card(pseudonym)
    stage.tap_uid(DEMO_UNKNOWN_UID)


ADMIN_SYSTEM_WALKS: list[Walk] = [
    scene("admin_sync", steps(_sync_status, admin(), go("admin_sync")), "admin_sync"),
    scene("admin_sync-not-paired", steps(_no_sync_status, admin(), go("admin_sync")), "admin_sync"),
    walk(
        "admin_pair",
        [
            (
                "admin_pair",
                steps(
                    _no_sync_status, admin(), go("admin_pair"), type_on("address_keyboard", "hub.example.org")
                ),
            ),
            ("admin_pair-code", tap("address_next")),
            (
                "admin_pair-failed",
                steps(_hub_unreachable, type_on("code_keyboard", "ABCDE-FGHJK"), tap("code_next")),
            ),
        ],
    ),
    walk(
        "admin_export",
        [
            ("admin_export", steps(admin(), go("admin_export"))),
            ("admin_export-done", steps(chip("quick", "this_year"), tap("export_button"))),
        ],
    ),
    walk(
        "admin_settings",
        [
            ("admin_settings", steps(admin(), go("admin_settings"))),
            (
                "admin_settings-typing",
                lambda stage: stage.tap(stage.widget("site_name_row").ids.setting_edit),
            ),
        ],
    ),
    scene("admin_maintenance", steps(admin(), go("admin_maintenance")), "admin_maintenance"),
    walk(
        "workshop_new",
        [
            ("workshop_new", steps(admin(), go("workshop_new"), type_on("title_keyboard", "Vélo en ville"))),
            ("workshop_new-theme", steps(tap("title_next"), chip("top_chips", "reparation"))),
            ("workshop_new-animators", steps(tap("theme_next"), type_on("keyboard", "elo"))),
            (
                "workshop_new-when",
                steps(
                    lambda stage: stage.tap(stage.widget("animator_picker").results()[0]),
                    tap("animators_next"),
                ),
            ),
            ("workshop_new-place", tap("when_next")),
            ("workshop_new-summary", tap("place_next")),
        ],
    ),
    scene("workshops", steps(card("Karim"), go("workshops")), "workshops"),
    scene("workshops-passer-by", go("workshops"), "workshops"),
    walk(
        "checkin",
        [
            ("checkin", steps(_today_workshop, admin("Élodie"), go("checkin"))),
            ("checkin-door", steps(_open_today, _door_taps)),
            ("checkin-summary", tap("close_button")),
        ],
    ),
]


def admin_system_scenes() -> list[Walk]:
    return list(ADMIN_SYSTEM_WALKS)
