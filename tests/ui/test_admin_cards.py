"""Cards at the librarian's desk, in a real 800×480 window on a real demo store: new cards tapped on the
simulated reader (through the app's EventPump, as in `kiosk run --demo`), members found by typing on the
on-screen keyboard, every choice a UnitTestTouch. Enrol a card for an existing member and for a new one;
a card already someone's is refused with its owner's name; a lost card revoked and replaced in one flow,
after which the old card is refused at the kiosk like any revoked card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.demo import DEMO_REVOKED_CARD, DEMO_UNKNOWN_UID
from kiosk.domain import CardStatus, Identified
from tests.ui.admin_helpers import AdminKiosk, admin_kiosk, type_on_keyboard
from tests.ui.driver import bring_into_view, find, tap, wait_until

NEW_CARD = bytes.fromhex("04D1E2F3A4B5C6")  # a blank card, never enrolled
ANOTHER_NEW_CARD = bytes.fromhex("04ABCDEF012345")


def identify(kiosk: AdminKiosk, uid: bytes) -> Any:
    return kiosk.services.cards.identify(kiosk.services.cards.read(uid))


def search_member(kiosk: AdminKiosk, typed: str, pseudonym: str) -> None:
    picker = kiosk.screen.ids.picker
    type_on_keyboard(picker.ids.keyboard, typed)
    tap(next(button for button in picker.results() if button.member.pseudonym == pseudonym))


def test_enrol_a_card_for_an_existing_member(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_enrol")
        assert screen.step == "wait"
        kiosk.look("admin_enrol-fr")

        kiosk.rig.tap_card(NEW_CARD)
        assert kiosk.current == "admin_enrol" and screen.step == "pick"
        assert kiosk.shell.session.admin  # the card did not open anyone's session
        type_on_keyboard(screen.ids.picker.ids.keyboard, "yv")
        kiosk.look("admin_enrol-pick-fr")
        tap(next(b for b in screen.ids.picker.results() if b.member.pseudonym == "Yvette"))
        assert screen.step == "confirm"
        assert "Yvette" in screen.ids.summary_text.text
        kiosk.look("admin_enrol-confirm-fr")
        tap(screen.ids.enrol_button)

        assert screen.step == "done" and "Yvette" in screen.ids.done_message.text
        kiosk.look("admin_enrol-done-fr")
        found = identify(kiosk, NEW_CARD)
        assert found.outcome is Identified.MEMBER and found.member.pseudonym == "Yvette"
        events = kiosk.services.store.query("SELECT payload FROM journal WHERE type = 'card.enrolled'")
        assert any(kiosk.member_id("Sandrine") in row[0] for row in events)  # the librarian, journaled

        # the new card now opens Yvette's home, once out of the admin screen
        tap(screen.ids.done_header.ids.header_back)
        assert kiosk.current == "admin_home"
        tap(kiosk.screen.ids.finish_button)
        kiosk.rig.tap_card(NEW_CARD)
        assert kiosk.current == "member_home" and kiosk.shell.session.member.pseudonym == "Yvette"


def test_enrol_a_card_for_a_new_member(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_enrol")
        kiosk.rig.tap_card(NEW_CARD)
        tap(screen.ids.new_member_button)
        assert screen.step == "new_name"
        type_on_keyboard(screen.ids.name_keyboard, "Karim")  # taken: said on the step
        tap(find(screen.ids.name_keyboard, text="Suivant"))
        assert screen.step == "new_name" and "déjà pris" in screen.ids.name_hint.text
        kiosk.look("admin_enrol-name-taken-fr")
        screen.ids.name_field.text = ""
        type_on_keyboard(screen.ids.name_keyboard, "Paulette")
        tap(find(screen.ids.name_keyboard, text="Suivant"))

        assert screen.step == "new_quartier"
        chips = screen.ids.quartier_chips
        assert screen.ids.quartier_next.disabled
        first = chips.chips()[0]
        tap(first)
        kiosk.look("admin_enrol-quartier-fr")
        tap(screen.ids.quartier_next)
        assert screen.step == "confirm" and "Paulette" in screen.ids.summary_text.text
        tap(screen.ids.enrol_button)

        assert screen.step == "done"
        found = identify(kiosk, NEW_CARD)
        assert found.outcome is Identified.MEMBER
        assert found.member.pseudonym == "Paulette" and found.member.quartier == first.value


def test_a_card_already_enrolled_or_revoked_is_refused(kivy_window: Any, tmp_path: Path) -> None:
    from screens.tr import tr

    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_enrol")
        kiosk.rig.tap_demo_card("Inès")  # hers already
        assert kiosk.current == "admin_enrol" and screen.step == "refused"
        assert "déjà attribuée à Inès" in screen.ids.refusal_text.text  # the librarian sees whose
        assert kiosk.shell.session.member.pseudonym == "Sandrine" and kiosk.shell.session.admin
        kiosk.look("admin_enrol-refused-fr")
        tr.switch("en")
        kiosk.look("admin_enrol-refused-en")
        assert "Inès" in screen.ids.refusal_text.text
        tr.switch("fr")

        tap(screen.ids.refused_again)
        assert screen.step == "wait"
        kiosk.rig.tap_card(DEMO_REVOKED_CARD.uid)  # Karim's old card, lost
        assert screen.step == "refused" and "désactivée" in screen.ids.refusal_text.text

        # a refusal changed nothing: Inès keeps her card
        assert identify(kiosk, _uid("Inès")).member.pseudonym == "Inès"
        # and a blank card still enrols after a refusal
        kiosk.rig.tap_card(DEMO_UNKNOWN_UID)
        assert screen.step == "pick"


def _uid(pseudonym: str) -> bytes:
    from tests.ui.driver import demo_uid

    return demo_uid(pseudonym)


def test_a_lost_card_is_revoked_and_replaced_and_the_old_one_refused(
    kivy_window: Any, tmp_path: Path
) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_lost_card")
        assert screen.step == "search"
        search_member(kiosk, "ine", "Inès")
        assert screen.step == "cards"
        rows = screen.ids.card_rows.children
        assert len(rows) == 1 and rows[0].badge == ""
        kiosk.look("admin_lost_card-cards-fr")
        tap(rows[0])

        assert screen.step == "reason"
        reasons = screen.ids.reasons
        assert reasons.reason == "Carte perdue"  # the usual case, chosen already
        tap(reasons.ids.chips.chip_for("Carte volée"))
        assert reasons.reason == "Carte volée"
        kiosk.look("admin_lost_card-reason-fr")
        tap(screen.ids.revoke_button)

        assert screen.step == "replace"
        old_uid = _uid("Inès")
        assert identify(kiosk, old_uid).outcome is Identified.REVOKED  # at once, before any new card
        kiosk.look("admin_lost_card-replace-fr")
        kiosk.rig.tap_demo_card("Karim")  # someone else's card: refused, the flow waits
        assert screen.step == "replace" and "Karim" in screen.ids.replace_problem.text
        kiosk.rig.tap_card(NEW_CARD)
        assert screen.step == "done"
        kiosk.look("admin_lost_card-done-fr")
        new = identify(kiosk, NEW_CARD)
        assert new.outcome is Identified.MEMBER and new.member.pseudonym == "Inès"
        cards = kiosk.services.cards.of_member(kiosk.member_id("Inès"))
        assert [card.status for card in cards] == [CardStatus.REVOKED, CardStatus.ACTIVE]
        revoked = kiosk.services.store.query("SELECT payload FROM journal WHERE type = 'card.revoked'")
        assert any("Carte volée" in row[0] for row in revoked)

        # out of the admin space, the old card is refused with the words that send to a librarian
        tap(screen.ids.done_button)
        tap(kiosk.screen.ids.finish_button)
        kiosk.rig.tap_card(old_uid)
        assert kiosk.current == "accueil" and not kiosk.shell.session.active
        wait_until(lambda: "désactivée" in kiosk.message())
        assert "bibliothécaire" in kiosk.message()
        kiosk.look("admin_lost_card-old-card-refused-fr")


def test_leaving_after_the_revocation_only(kivy_window: Any, tmp_path: Path) -> None:
    with admin_kiosk(kivy_window, tmp_path) as kiosk:
        kiosk.enter_admin()
        screen = kiosk.open_tile("admin_lost_card")
        search_member(kiosk, "kar", "Karim")
        rows = list(reversed(screen.ids.card_rows.children))
        assert [row.badge for row in rows] == ["Désactivée", ""]  # his old card, lost before; the current one
        active = rows[1]
        bring_into_view(active)
        tap(active)
        tap(screen.ids.revoke_button)
        assert "n’a plus de carte" in screen.ids.revoked_text.text
        tap(screen.ids.without_button)
        assert kiosk.current == "admin_home"
        assert identify(kiosk, _uid("Karim")).outcome is Identified.REVOKED
        assert all(
            c.status is CardStatus.REVOKED for c in kiosk.services.cards.of_member(kiosk.member_id("Karim"))
        )
