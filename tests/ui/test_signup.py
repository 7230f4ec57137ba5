"""A passer-by signs up by touches only, in a real 800×480 Kivy window (Xvfb), on a real demo store: the
real shell fed by the app's EventPump (tests/ui/driver.py), `UnitTestTouch` on the actual widgets and
keyboard keys, the member pass read back from the framebuffer with zxing-cpp and shown to the kiosk as a
QR scanner would — the proof that it logs them in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from hardware.events import QrScanned
from hardware.printer import PrinterWorker
from hardware.qr import SCREEN_MODULE_PX
from hardware.simulated import SimulatedPrinter
from kiosk.domain import Identified
from kiosk.quartiers import load_quartiers
from tests.ui import driver
from tests.ui.conftest import render, save_screenshot
from tests.ui.driver import ShellRig, demo_context, shell_rig, tap, wait_frames

# --- driving the window ----------------------------------------------------------------------------------


def key(keyboard: Any, action: str, value: str = "") -> Any:
    for candidate in keyboard.visible_keys():
        if candidate.spec.action == action and (not value or candidate.spec.value == value):
            return candidate
    raise AssertionError(f"no {action} {value!r} key on the {keyboard.page} page")


def type_on_keyboard(keyboard: Any, text: str) -> None:
    """Type `text` key by key: shift for capitals, the accents and digits pages when needed."""
    for char in text:
        if char == " ":
            tap(key(keyboard, "space"))
            continue
        page = "digits" if char.isdigit() else "accents" if char.lower() in "éèêàâçùûôîï" else "letters"
        if keyboard.page != page:
            tap(key(keyboard, "page", page))
        if char.isupper():
            tap(key(keyboard, "shift"))
        tap(key(keyboard, "char", char.lower()))


def slide_until_shown(scroll: Any, widget: Any) -> None:
    """A finger sliding up across a scrolling list, a little every frame, once or twice as a hand does."""
    from kivy.tests.common import UnitTestTouch

    x, y = scroll.to_window(scroll.center_x, scroll.y + scroll.height * 0.2)
    for _ in range(3):
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        # past ScrollView's scroll_distance at once: if the first move came only after a slow frame
        # (a loaded machine), beyond its scroll_timeout, the view would take the touch for a tap
        touch.touch_move(x, y + 40)
        for part in range(1, 11):
            touch.touch_move(x, y + 40 + (scroll.height * 0.8 - 40) * part / 10)
            wait_frames(1)
        touch.touch_up()
        wait_frames(30)  # the list glides to rest
        if in_view(widget, scroll):
            return
    raise AssertionError(f"{widget.text!r} never came into view")


def in_view(widget: Any, scroll: Any) -> bool:
    """Wholly inside the scrolling list's visible box (window coordinates)."""
    bottom = widget.to_window(widget.x, widget.y)[1]
    view_bottom = scroll.to_window(scroll.x, scroll.y)[1]
    return bool(bottom >= view_bottom - 1 and bottom + widget.height <= view_bottom + scroll.height + 1)


def decoded(frame: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(frame)]


class Kiosk:
    """The shell rig with the sign-up routes, and the few moves every test here makes."""

    def __init__(self, rig: ShellRig) -> None:
        self.rig = rig
        self.shell = rig.shell
        self.services = self.shell.ctx.services
        # until the lead adds them to screens/routes.py
        self.shell.routes.update(
            signup="screens.signup:SignupScreen", member_pass="screens.member_pass:MemberPassScreen"
        )

    @property
    def screen(self) -> Any:
        return self.shell.manager.current_screen

    def step(self) -> Any:
        return self.screen.current_step

    def step_name(self) -> str:
        return type(self.step()).__name__

    def back(self, expected: str) -> Any:
        """« Retour » in the frame; the step it lands on must be `expected`."""
        tap(self.screen.ids.back_button)
        assert self.step_name() == expected
        return self.step()

    def look(self, name: str, language: str, step: str = "") -> Image.Image:
        """On `step` (the step widget's class, when given); a screenshot for a person to look at; no
        label clipped and no layout crowded at 800×480."""
        from screens.widgets.fit import clipped_labels, describe

        assert not step or self.step_name() == step

        frame = render(self.shell.get_root_window())
        save_screenshot(frame, f"{name}-{language}-800x480.png")
        clipped = clipped_labels(self.shell)
        assert clipped == [], f"{name} ({language}):\n{describe(clipped)}"
        crowd = driver.crowded(self.shell)
        assert crowd == [], f"{name} ({language}):\n{driver.describe_crowded(crowd)}"
        return frame

    def session_id(self) -> str | None:
        member = self.shell.session.member
        return None if member is None else str(member.id)

    def show_pass_to_scanner(self, text: str) -> None:
        self.rig.events.put(QrScanned(text=text, source="test"))
        self.rig.drain()


@pytest.fixture
def kiosk(kivy_window: Any, tmp_path: Path) -> Iterator[Kiosk]:
    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        yield Kiosk(rig)


def start_signup(kiosk: Kiosk) -> None:
    """From Accueil, as a passer-by does: wake it with a touch, then « S'inscrire », then « Commencer »."""
    assert kiosk.shell.manager.current == "accueil"
    accueil = kiosk.screen
    tap(accueil)  # wakes it: the choices appear
    tap(accueil.ids.signup_button)
    assert kiosk.shell.manager.current == "signup"
    tap(kiosk.step().ids.start_button)
    assert kiosk.step().title == "Votre pseudonyme"


def choose(kiosk: Kiosk, value: str) -> None:
    chip = kiosk.step().ids.chips.chip_for(value)
    assert chip is not None, value
    tap(chip)


# --- the flows -------------------------------------------------------------------------------------------


def walk_to_consent(kiosk: Kiosk, pseudonym: str) -> str:
    """Pseudonym, the quartier list's second name, French + Arabic; returns the quartier."""
    start_signup(kiosk)
    keyboard = kiosk.step().ids.keyboard
    type_on_keyboard(keyboard, pseudonym)
    assert kiosk.step().ids.field.text == pseudonym
    tap(key(keyboard, "enter"))
    assert kiosk.step().title == "Votre quartier"
    quartier = load_quartiers(kiosk.shell.ctx.config)[1]
    choose(kiosk, quartier)
    tap(kiosk.step().ids.next_button)
    assert kiosk.step().title == "Les langues que vous parlez"
    choose(kiosk, "ar")  # French is ticked already
    tap(kiosk.step().ids.next_button)
    assert kiosk.step().title == "Un moyen de vous joindre ?"
    return quartier


def test_a_passer_by_signs_up_by_touches_and_their_pass_logs_them_in(kiosk: Kiosk) -> None:
    quartier = walk_to_consent(kiosk, "Zoé M")
    tap(kiosk.step().ids.no_button)  # « Non, merci »: no contact
    summary = kiosk.step()
    assert (summary.pseudonym, summary.quartier, summary.languages) == ("Zoé M", quartier, "français, arabe")
    tap(summary.ids.register_button)

    assert kiosk.shell.manager.current == "member_pass"
    screen = kiosk.screen
    frame = kiosk.look("member_pass-no-printer", "fr")
    qr = screen.ids.qr
    assert qr.fits and qr.module_px >= SCREEN_MODULE_PX
    [payload] = decoded(frame)
    found = kiosk.services.passes.identify(payload)
    assert payload == screen.pass_text and found.outcome is Identified.MEMBER
    member = found.member
    assert member is not None
    assert (member.pseudonym, member.quartier, member.languages) == ("Zoé M", quartier, ("ar", "fr"))
    assert member.contact is None and member.consent_at is None
    assert screen.ids.greeting.text == "Bienvenue, Zoé M !"
    assert screen.ids.print_button.opacity == 0 and screen.ids.print_button.disabled  # no printer here
    # the sign-up screen kept nothing for the next person
    signup = kiosk.shell.manager.get_screen("signup")
    assert signup.flow.pseudonym == ""
    assert not any("Zoé" in text for text in driver.texts(signup, shown_only=False))

    tap(screen.ids.continue_button)
    assert (kiosk.shell.manager.current, kiosk.session_id()) == ("member_home", member.id)

    # Later, at any kiosk of the collective: the pass read by the QR scanner opens their home.
    kiosk.shell.end_session()
    wait_frames()
    assert (kiosk.shell.manager.current, kiosk.session_id()) == ("accueil", None)
    kiosk.show_pass_to_scanner(payload)
    assert (kiosk.shell.manager.current, kiosk.session_id()) == ("member_home", member.id)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_step_fits_800x480_in_both_languages_and_consent_records_the_contact(
    kiosk: Kiosk, language: str
) -> None:
    kiosk.shell.switch_language(language)
    tap(kiosk.screen)
    tap(kiosk.screen.ids.signup_button)
    kiosk.look("signup-welcome", language)
    tap(kiosk.step().ids.start_button)

    kiosk.look("signup-pseudonym", language, "PseudonymStep")
    keyboard = kiosk.step().ids.keyboard
    assert keyboard.layout == ("qwerty" if language == "en" else "azerty")
    type_on_keyboard(keyboard, "Léa")  # a demo member already goes by Léa
    tap(key(keyboard, "enter"))
    kiosk.look("signup-pseudonym-taken", language, "PseudonymStep")
    assert ("déjà pris" if language == "fr" else "already taken") in kiosk.step().ids.message.text
    type_on_keyboard(keyboard, " B")
    tap(key(keyboard, "enter"))

    kiosk.look("signup-quartier", language, "QuartierStep")
    tap(kiosk.step().ids.next_button)  # nothing chosen yet: told, not moved
    assert kiosk.step_name() == "QuartierStep" and kiosk.screen.problem_text
    quartier = load_quartiers(kiosk.shell.ctx.config)[-1]  # « Autre quartier », below the fold
    scroll, chip = kiosk.step().ids.scroll, kiosk.step().ids.chips.chip_for(quartier)
    assert not in_view(chip, scroll)
    slide_until_shown(scroll, chip)
    kiosk.look("signup-quartier-slid", language)
    tap(chip)
    assert kiosk.step().ids.chips.selected == [quartier]
    assert kiosk.screen.problem_text == ""
    tap(kiosk.step().ids.next_button)

    kiosk.look("signup-languages", language, "LanguagesStep")
    assert kiosk.step().ids.chips.chip_for("ar").text == ("arabe" if language == "fr" else "Arabic")
    choose(kiosk, "snk")
    tap(kiosk.step().ids.next_button)

    kiosk.look("signup-consent", language, "ConsentStep")
    tap(kiosk.step().ids.yes_button)

    keyboard = kiosk.step().ids.keyboard
    assert kiosk.step_name() == "ContactStep" and keyboard.page == "digits"  # phone numbers are usual
    type_on_keyboard(keyboard, "06 12")
    tap(key(keyboard, "enter"))
    kiosk.look("signup-contact-wrong", language, "ContactStep")
    assert kiosk.screen.problem_text
    type_on_keyboard(keyboard, " 34 56 78")
    tap(key(keyboard, "enter"))

    kiosk.look("signup-summary", language, "SignupSummaryStep")
    assert kiosk.step().contact == "06 12 34 56 78"
    tap(kiosk.step().ids.register_button)

    assert kiosk.shell.manager.current == "member_pass"
    frame = kiosk.look("member_pass", language)
    [payload] = decoded(frame)
    member = kiosk.services.passes.identify(payload).member
    assert member is not None
    assert (member.pseudonym, member.quartier, member.languages) == ("Léa B", quartier, ("fr", "snk"))
    assert (member.contact, member.consent_at) == ("06 12 34 56 78", kiosk.shell.ctx.clock.now().isoformat())
    expected = "Welcome, Léa B!" if language == "en" else "Bienvenue, Léa B !"
    assert kiosk.screen.ids.greeting.text == expected


def test_back_keeps_every_entry_and_declining_consent_forgets_the_contact(kiosk: Kiosk) -> None:
    quartier = walk_to_consent(kiosk, "Noé")
    tap(kiosk.step().ids.yes_button)
    type_on_keyboard(kiosk.step().ids.keyboard, "0612345678")

    kiosk.back("ConsentStep")  # the typed number kept for now
    assert kiosk.back("LanguagesStep").ids.chips.selected == ["fr", "ar"]
    assert kiosk.back("QuartierStep").ids.chips.selected == [quartier]
    assert kiosk.back("PseudonymStep").ids.field.text == "Noé"
    type_on_keyboard(kiosk.step().ids.keyboard, "mi")  # typed, not confirmed: still kept by « Retour »
    tap(kiosk.back("WelcomeStep").ids.start_button)
    assert kiosk.step().ids.field.text == "Noémi"

    tap(key(kiosk.step().ids.keyboard, "enter"))
    assert kiosk.step().ids.chips.selected == [quartier]
    tap(kiosk.step().ids.next_button)
    tap(kiosk.step().ids.next_button)
    tap(kiosk.step().ids.yes_button)
    assert kiosk.step().ids.field.text == "0612345678"  # kept while they make up their mind
    tap(kiosk.back("ConsentStep").ids.no_button)  # finally « Non, merci »
    assert kiosk.step_name() == "SignupSummaryStep" and kiosk.step().contact == ""
    tap(kiosk.back("ConsentStep").ids.no_button)  # no contact step on the way back after « Non, merci »
    tap(kiosk.step().ids.register_button)

    member = kiosk.services.passes.identify(kiosk.screen.pass_text).member
    assert member is not None and member.pseudonym == "Noémi" and member.quartier == quartier
    stored = kiosk.services.store.conn.execute(
        "SELECT contact, consent_at, consent_version FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    assert tuple(stored) == (None, None, None)


def test_cancel_goes_back_to_accueil_and_forgets_the_entries(kiosk: Kiosk) -> None:
    walk_to_consent(kiosk, "Inès B")
    tap(kiosk.screen.ids.cancel_button)
    assert kiosk.shell.manager.current == "accueil"
    signup = kiosk.shell.manager.get_screen("signup")
    assert not any("Inès" in text for text in driver.every_text(kiosk.shell))
    start_signup(kiosk)
    assert kiosk.step().ids.field.text == ""
    assert kiosk.services.members.find("Inès B") == []

    # « Retour » on the welcome leaves the sign-up the way it came
    type_on_keyboard(kiosk.step().ids.keyboard, "Ophélie")
    kiosk.back("WelcomeStep")
    tap(kiosk.screen.ids.back_button)
    assert kiosk.shell.manager.current == "accueil"

    # the draft waits behind « Commencer » until the session ends (what inactivity does): then it is wiped
    assert signup.flow.pseudonym == "Ophélie"
    kiosk.shell.end_session()
    wait_frames()
    assert signup.flow.pseudonym == ""
    assert not any("Ophélie" in text for text in driver.every_text(kiosk.shell))
    assert all(step.ids.get("field") is None or step.ids.field.text == "" for step in signup._steps.values())


def test_the_language_switch_follows_on_the_step_shown(kiosk: Kiosk) -> None:
    start_signup(kiosk)
    step = kiosk.step()
    type_on_keyboard(step.ids.keyboard, "x")
    tap(key(step.ids.keyboard, "enter"))
    title, progress = kiosk.screen.ids.title, kiosk.screen.ids.progress
    assert "entre 2 et 40" in step.ids.message.text
    assert (title.text, progress.text) == ("Votre pseudonyme", "Étape 1 sur 5")

    kiosk.shell.switch_language("en")
    wait_frames()
    assert (title.text, progress.text) == ("Your pseudonym", "Step 1 of 5")
    assert "2 to 40" in step.ids.message.text  # the reason, computed in Python, follows too
    assert step.ids.keyboard.layout == "qwerty"
    assert key(step.ids.keyboard, "enter").text == "Next"
    assert step.ids.field.text == "x"  # what was typed stays
    assert kiosk.screen.ids.cancel_button.text == "Cancel"

    kiosk.shell.switch_language("fr")
    wait_frames()
    assert (title.text, key(step.ids.keyboard, "enter").text) == ("Votre pseudonyme", "Suivant")


def test_printing_the_pass_gives_a_slip_whose_qr_logs_the_member_in(kiosk: Kiosk, tmp_path: Path) -> None:
    printer = SimulatedPrinter(tmp_path / "printed")
    worker = PrinterWorker(printer, kiosk.rig.events)  # its news reaches the shell through the app's pump
    worker.start()
    kiosk.shell.ctx.print_slip = worker.submit
    try:
        walk_to_consent(kiosk, "Yanis")
        tap(kiosk.step().ids.no_button)
        tap(kiosk.step().ids.register_button)
        screen = kiosk.screen
        assert screen.ids.print_button.opacity == 1 and not screen.ids.print_button.disabled
        kiosk.look("member_pass-printer", "fr")
        tap(screen.ids.print_button)
        assert screen.ids.print_button.disabled  # no second slip from a second tap
        driver.wait_until(lambda: kiosk.rig.drain(frames=1) >= 0 and not screen.printing)  # printer thread
        assert not screen.ids.print_button.disabled
        assert any("Votre pass est imprimé" in text for text in driver.texts(kiosk.shell))
    finally:
        worker.stop()

    [slip] = printer.printed
    assert "Yanis" in slip.read_text(encoding="utf-8")
    with Image.open(slip.with_suffix(".png")) as image:
        [payload] = decoded(image.convert("RGB"))
    assert payload == screen.pass_text  # the slip carries the pass shown on screen
    found = kiosk.services.passes.identify(payload)
    assert found.member is not None and found.member.pseudonym == "Yanis"


def test_with_the_offline_banner_the_typing_step_still_fits(kiosk: Kiosk) -> None:
    """At the market the kiosk is often offline: its banner takes room above every screen."""
    kiosk.shell.sync_status("offline", 3)
    start_signup(kiosk)
    kiosk.look("signup-pseudonym-offline", "fr")
    step = kiosk.step()
    keyboard, field = step.ids.keyboard, step.ids.field
    assert keyboard.y >= 0 and keyboard.top <= field.y and field.top <= kiosk.screen.top  # on screen, apart
    type_on_keyboard(keyboard, "Léa")
    tap(key(keyboard, "enter"))  # taken: the longest message, three lines beside the field
    kiosk.look("signup-pseudonym-offline-taken", "fr")
    assert step.ids.message.y >= keyboard.top
