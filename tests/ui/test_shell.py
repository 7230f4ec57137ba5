"""The shell in the real 800×480 window on demo data: cards and passes through the app's own event path,
banners, calm messages, inactivity, and recovery from errors (tests/ui/test_app.py: the app around it)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hardware.events import QrScanned, ReaderState, ReaderStatus
from hardware.printer import PrinterWorker
from hardware.receipts import Qr, Slip, Text
from hardware.simulated import SimulatedPrinter
from kiosk.demo import DEMO_PHONE_UID, DEMO_REVOKED_CARD, DEMO_UNKNOWN_UID
from sync_client.worker import SyncState, SyncStatus
from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import (
    demo_context,
    every_text,
    find,
    find_all,
    shell_rig,
    tap,
    wait_frames,
    wait_until,
)


def journal_types(ctx: Any) -> list[str]:
    return [row[0] for row in ctx.services.store.conn.execute("SELECT type FROM journal ORDER BY seq")]


def message_text(shell: Any) -> str:
    message = shell.overlays.message
    return "" if message is None else str(message.text)


def test_a_card_tap_through_the_event_queue_opens_that_members_home(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        assert rig.shell.manager.current == "accueil"
        rig.tap_demo_card("Karim")
        assert rig.shell.manager.current == "member_home"
        assert rig.shell.session.member is not None and rig.shell.session.member.pseudonym == "Karim"
        find(rig.shell, text="Bonjour Karim")
        assert list(rig.shell.sounds.played) == ["success"]

        # another member's card: the session switches to them
        rig.tap_demo_card("Yvette")
        assert find(rig.shell, widget_id="greeting").text == "Bonjour Yvette"
        assert rig.shell.session.member is not None and rig.shell.session.member.pseudonym == "Yvette"


@pytest.mark.parametrize(
    ("uid", "words", "journaled"),
    [
        (DEMO_UNKNOWN_UID, "pas encore enregistrée", True),
        (DEMO_REVOKED_CARD.uid, "a été désactivée", False),
        (DEMO_PHONE_UID, "Ce n’est pas une carte du kiosque", False),
    ],
    ids=["unknown", "revoked", "random-uid"],
)
def test_cards_that_identify_nobody_get_a_calm_message_and_the_refusal_tone(
    kivy_window: Any, tmp_path: Path, uid: bytes, words: str, journaled: bool
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        before = journal_types(ctx).count("card.unknown_tapped")
        rig.tap_card(uid)
        assert words in message_text(rig.shell)
        assert rig.shell.manager.current == "accueil"
        assert rig.shell.session.member is None
        assert list(rig.shell.sounds.played) == ["refusal"]
        assert journal_types(ctx).count("card.unknown_tapped") == before + (1 if journaled else 0)
        if uid == DEMO_UNKNOWN_UID:
            save_screenshot(render(kivy_window), "shell-unknown-card-test.png")
        # « D'accord » by touch closes it
        tap(find(rig.shell.overlays, widget_id="ok_button"))
        assert rig.shell.overlays.message is None


def test_a_member_pass_shown_to_the_scanner_opens_their_home_and_a_stranger_qr_is_refused(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        member = ctx.services.members.register("Noémie", "Les Hauts")
        rig.events.put(QrScanned(text=ctx.services.passes.issue(member.id), source="keyboard"))
        rig.drain()
        assert find(rig.shell, widget_id="greeting").text == "Bonjour Noémie"
        assert find(rig.shell, text="Bienvenue dans le collectif !")

        rig.shell.end_session()
        rig.events.put(QrScanned(text="https://example.org/une-affiche", source="keyboard"))
        rig.drain()
        assert rig.shell.session.member is None
        assert message_text(rig.shell)  # the pass service's own reason, translated
        assert list(rig.shell.sounds.played)[-1] == "refusal"


def test_an_unknown_card_during_a_session_keeps_the_session(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Inès")
        rig.tap_card(DEMO_UNKNOWN_UID)
        assert "pas encore enregistrée" in message_text(rig.shell)
        assert rig.shell.manager.current == "member_home"
        assert rig.shell.session.member is not None and rig.shell.session.member.pseudonym == "Inès"
        # a touch beside the message closes it too
        tap(find(rig.shell, widget_id="finish_button", shown_only=False), frames=2)
        assert rig.shell.overlays.message is None
        assert rig.shell.manager.current == "member_home"  # that touch went to the message, not behind it


def test_the_reader_banner_shows_while_the_reader_is_unplugged_and_goes_on_recovery(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        assert rig.shell.banners.shown() == {}
        rig.reader.unplug()
        rig.drain()
        assert rig.shell.banners.shown() == {
            "reader": "Lecteur de cartes débranché — les cartes ne sont pas lues pour l’instant"
        }
        banner = find(rig.shell, contains="Lecteur de cartes débranché")
        assert banner.top == pytest.approx(kivy_window.height)  # at the top, pushing the screen down
        assert rig.shell.manager.top == pytest.approx(banner.y)
        rig.reader.tap(DEMO_UNKNOWN_UID)  # an unplugged reader sees nothing
        rig.drain()
        assert rig.shell.overlays.message is None

        rig.reader.plug()
        rig.drain()
        assert rig.shell.banners.shown() == {}
        assert rig.shell.manager.top == pytest.approx(kivy_window.height)

        # pcscd stopping is the same for the person in front of the kiosk
        rig.events.put(ReaderStatus(reader="", state=ReaderState.SERVICE_DOWN))
        rig.drain()
        assert "reader" in rig.shell.banners.shown()
        rig.events.put(ReaderStatus(reader="ACS ACR122U", state=ReaderState.READY))
        rig.drain()
        assert rig.shell.banners.shown() == {}


def test_sync_and_printer_banners_follow_their_status_events(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        # what SyncWorker publishes on the same queue when the hub cannot be reached
        rig.events.put(SyncStatus(SyncState.OFFLINE, pending=12, rejected=0, last_success_at=None))
        rig.drain()
        assert (
            rig.shell.banners.shown()["sync"]
            == "Hors ligne — 12 enregistrements en attente d’envoi, rien n’est perdu"
        )
        rig.events.put(SyncStatus(SyncState.SYNCING, pending=12, rejected=0, last_success_at=None))
        rig.drain()
        assert "sync" in rig.shell.banners.shown()  # while it tries again, the news stays
        rig.events.put(SyncStatus(SyncState.OK, pending=0, rejected=0, last_success_at="2026-11-25T10:00"))
        rig.drain()
        assert "sync" not in rig.shell.banners.shown()

        # a real printer worker on a simulated printer that runs out of paper
        printer = SimulatedPrinter(tmp_path / "printed")
        worker = PrinterWorker(printer, rig.events)
        worker.start()
        try:
            printer.paper_out = True
            worker.check()
            wait_until(lambda: rig.drain(frames=1) > 0 and "printer" in rig.shell.banners.shown(), timeout=5)
            assert "sans papier" in rig.shell.banners.shown()["printer"]
            # a print asked for meanwhile fails: the person is told, calmly, and keeps the QR on screen
            worker.submit(Slip("pass", (Text("Bienvenue"), Qr("KDS1.test"))))
            wait_until(lambda: rig.drain(frames=1) >= 0 and rig.shell.overlays.message is not None, timeout=5)
            assert message_text(rig.shell) == (
                "L’imprimante n’a plus de papier. "
                "Votre QR code reste affiché à l’écran : vous pouvez le photographier."
            )
            rig.shell.overlays.hide_message()
            printer.paper_out = False
            worker.check()
            wait_until(
                lambda: rig.drain(frames=1) >= 0 and "printer" not in rig.shell.banners.shown(), timeout=5
            )
        finally:
            worker.stop()

        rig.shell.switch_language("en")
        rig.events.put(SyncStatus(SyncState.OFFLINE, pending=1, rejected=0, last_success_at=None))
        rig.drain()
        assert rig.shell.banners.shown()["sync"] == "Offline — 1 record waiting to be sent, nothing is lost"


def test_inactivity_counts_down_then_wipes_every_screen_and_resets_the_language(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path, inactivity_seconds=1) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        shell.countdown_seconds = 2
        rig.tap_demo_card("Fatoumata")
        shell.switch_language("en")
        wait_until(lambda: shell.counting_down, timeout=5)
        question = find(shell.overlays, widget_id="question")
        assert question.text == "Are you still there?"
        save_screenshot(render(kivy_window), "shell-countdown-test.png")

        # « Je continue », by touch: the countdown goes, the session stays
        tap(find(shell.overlays, widget_id="continue_button"))
        assert not shell.counting_down and shell.overlays.countdown is None
        assert shell.session.member is not None and shell.manager.current == "member_home"

        # a card during the countdown: someone is there, the countdown goes
        wait_until(lambda: shell.counting_down, timeout=5)
        rig.tap_demo_card("Fatoumata")
        assert not shell.counting_down and shell.overlays.countdown is None
        assert shell.session.member is not None

        # then nobody touches anything: the countdown runs out
        wait_until(lambda: shell.counting_down, timeout=5)
        wait_until(lambda: shell.session.member is None, timeout=6)
        wait_frames(2)
        assert shell.manager.current == "accueil"
        assert shell.overlays.countdown is None
        assert find(shell, widget_id="call").text == "Touchez l’écran ou passez votre carte"  # French again
        leftovers = [text for text in every_text(shell) if "Fatoumata" in text]
        assert leftovers == []
        # at rest, Accueil stays as it is: no countdown for an empty kiosk
        time.sleep(1.2)
        wait_frames(3)
        assert not shell.counting_down


_screens: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """Two faulty screens for the recovery test, built on first use: Kivy may only be imported once the
    kivy_window fixture has set its environment (tests/ui/conftest.py)."""
    if name not in ("BrokenScreen", "UnpreparableScreen"):
        raise AttributeError(name)
    if not _screens:
        from screens.base import KioskScreen
        from screens.widgets.buttons import BigButton

        class BrokenScreen(KioskScreen):
            """A screen with a bug in a button handler, to show what the person sees when code fails."""

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                button = BigButton(text="Bouton défectueux")
                button.bind(on_release=self.fail)
                self.add_widget(button)

            def fail(self, *_args: object) -> None:
                raise RuntimeError("a bug in a screen")

        class UnpreparableScreen(KioskScreen):
            def prepare(self, **_params: Any) -> None:
                raise RuntimeError("a bug while filling a screen")

        _screens.update(BrokenScreen=BrokenScreen, UnpreparableScreen=UnpreparableScreen)
    return _screens[name]


def test_an_unexpected_error_shows_a_calm_message_and_goes_back_to_accueil(
    kivy_window: Any, tmp_path: Path
) -> None:
    from screens.recovery import RecoveryHandler

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        shell.routes["broken"] = f"{__name__}:BrokenScreen"
        shell.routes["unpreparable"] = f"{__name__}:UnpreparableScreen"
        rig.tap_demo_card("Nguyen")

        # an error while a screen is filled: caught by the shell itself; the person who was there reads
        # it in their language, and Accueil is back in the kiosk's own
        shell.switch_language("en")
        shell.go("unpreparable")
        assert shell.manager.current == "accueil" and shell.session.member is None
        assert message_text(shell).startswith("Something went wrong")
        assert find(shell.current, widget_id="board_button", shown_only=False).text == "Voir les savoirs"
        shell.overlays.hide_message()

        # an error in a button handler: raised in Kivy's loop, caught by the ExceptionManager hook
        rig.tap_demo_card("Nguyen")
        shell.go("broken")
        handler = RecoveryHandler(shell)
        handler.install()
        try:
            tap(find(shell, text="Bouton défectueux"))
        finally:
            handler.remove()
        assert shell.manager.current == "accueil" and shell.session.member is None
        assert "Un petit souci est survenu" in message_text(shell)
        assert not any("Traceback" in text or "RuntimeError" in text for text in every_text(shell))

        # a route nobody answers yet: a calm word, and the person stays where they were
        rig.tap_demo_card("Nguyen")
        shell.go("no-such-screen")
        assert shell.manager.current == "member_home"
        assert "pas encore disponible" in message_text(shell)


def test_the_demo_help_overlay_lists_the_shortcuts_in_both_languages(
    kivy_window: Any, tmp_path: Path
) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.shell.overlays.toggle_help()
        wait_frames(2)
        assert find(rig.shell.overlays, widget_id="title").text == "Démonstration — raccourcis clavier"
        assert "débrancher" in find(rig.shell.overlays, widget_id="lines").text
        rig.shell.switch_language("en")
        wait_frames(2)
        assert "unplug" in find(rig.shell.overlays, widget_id="lines").text
        tap(find(rig.shell.overlays, widget_id="close_button"))
        assert rig.shell.overlays.help is None


def test_nothing_is_clipped_in_the_shell_overlays_and_banners(kivy_window: Any, tmp_path: Path) -> None:
    from screens.widgets.fit import clipped_labels, describe

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        shell = rig.shell
        rig.reader.unplug()
        rig.events.put(SyncStatus(SyncState.OFFLINE, pending=12, rejected=0, last_success_at=None))
        shell.printer_status("paper_out")
        rig.drain()
        for language in ("fr", "en"):
            shell.switch_language(language)
            for show in (
                lambda: shell.overlays.show_message(shell_unknown_card_text(), "error"),
                lambda: shell.overlays.show_countdown(10),
                shell.overlays.toggle_help,
            ):
                show()
                wait_frames(3)
                clipped = clipped_labels(shell)
                assert clipped == [], describe(clipped)
                shell.overlays.dismiss_all()
                if shell.overlays.help is not None:
                    shell.overlays.toggle_help()


def shell_unknown_card_text() -> str:
    from kiosk.i18n import _
    from screens.overlays import UNKNOWN_CARD

    return _(UNKNOWN_CARD)


def test_every_text_helper_sees_screens_that_are_not_shown(kivy_window: Any, tmp_path: Path) -> None:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        rig.tap_demo_card("Élodie")
        rig.shell.go("accueil")
        wait_frames(2)
        assert find_all(rig.shell, text="Bonjour Élodie") == []  # not on screen…
        assert "Bonjour Élodie" in every_text(rig.shell)  # …but still in a kept screen until wiped


def visit_signup_then_a_member_board(rig: Any) -> None:
    """A passer-by types a letter of their pseudonym, then a member taps their card and opens the board:
    real touches; no widget of those screens is kept here once this returns."""
    accueil = rig.shell.manager.get_screen("accueil")
    tap(accueil)  # wakes it: the choices appear
    tap(accueil.ids.signup_button)
    tap(rig.shell.current.current_step.ids.start_button)
    keyboard = rig.shell.current.current_step.ids.keyboard
    tap(next(key for key in keyboard.visible_keys() if key.spec.value == "z"))
    assert rig.shell.current.current_step.ids.field.text == "z"
    rig.tap_demo_card("Karim")
    tap(rig.shell.current.ids.board_button)
    assert rig.shell.manager.current == "board"


def test_a_session_that_ends_releases_its_screens_and_their_memory(kivy_window: Any, tmp_path: Path) -> None:
    """Screens stay while the visit lasts; when it ends only Accueil and member home are kept, and once
    Accueil is drawn the others are really freed (screens/memory.py): the sign-up screen too, whose text
    field Kivy's TextInput._adjust_viewport holds after typing, and the board the transition switched from."""
    import weakref

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        visit_signup_then_a_member_board(rig)
        manager = rig.shell.manager
        assert set(manager.screen_names) == {"accueil", "signup", "member_home", "board"}
        left = {s.name: weakref.ref(s) for s in manager.screens if s.name in ("signup", "board")}

        rig.shell.end_session()
        assert set(manager.screen_names) == {"accueil", "member_home"} and manager.current == "accueil"
        wait_until(lambda: all(ref() is None for ref in left.values()), timeout=5)
        # the next person gets fresh screens, built again on demand
        rig.tap_demo_card("Yvette")
        assert (
            manager.current == "member_home"
            and find(rig.shell, widget_id="greeting").text == "Bonjour Yvette"
        )
