"""« Enregistrer un échange » and its receipt, driven like a person would, in the real 800×480 window.

Real shell, real demo store, cards tapped on the simulated reader through the app's EventPump, touches
by `UnitTestTouch` at the widgets' window positions (tests/ui/driver.py). What the wizard recorded is
read back from the store through the services. Screenshots of every step go to build/screenshots/.
"""

from __future__ import annotations

import zxingcpp

from hardware.qr import receipt_payload
from kiosk.demo import DEMO_UNKNOWN_UID
from kiosk.domain import Confirmation, ExchangeKind, ExchangeStatus, ParticipantRole
from screens.record_flow import Step
from tests.ui import driver, record_helpers
from tests.ui.conftest import save_screenshot
from tests.ui.record_helpers import Kiosk, start_wizard, walk_every_step

record_kiosk = record_helpers.record_kiosk  # the fixture, used by name below

ENTER_RECORD = "J’enregistre un échange"  # member home's button (screens/member_home.py)


def current_step(kiosk: Kiosk) -> Step:
    assert kiosk.screen.name == "record", kiosk.screen.name
    return Step(kiosk.wizard.ids.steps.current)


def sentence_on_show(kiosk: Kiosk) -> str:
    """The summary's sentence, its non-breaking spaces read as plain ones."""
    return str(kiosk.step().ids.sentence.text).replace("\u00a0", " ")


def exchanges_of(kiosk: Kiosk, pseudonym: str) -> list[str]:
    return [exchange.id for exchange in kiosk.services.exchanges.history(kiosk.member(pseudonym).id)]


def saved_exchange_id(kiosk: Kiosk) -> str:
    assert kiosk.screen.name == "receipt", f"on {kiosk.screen.name}: {driver.texts(kiosk.screen)}"
    flow = kiosk.wizard.flow
    assert flow is None or flow.saved is not None
    exchange = kiosk.screen._exchange
    assert exchange is not None
    return str(exchange.id)


def test_a_one_hour_exchange_with_a_partner_who_taps_is_in_both_histories(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    assert current_step(kiosk) is Step.LISTING
    kiosk.touch_text("Anglais pour voyager")
    assert current_step(kiosk) is Step.PARTNERS
    kiosk.tap_card("Karim")
    assert current_step(kiosk) is Step.DURATION  # his tap moved on by itself
    assert "Avec Karim." in kiosk.step().ids.partners_line.text
    kiosk.touch_text("1 h")
    assert current_step(kiosk) is Step.SUMMARY
    assert sentence_on_show(kiosk) == (
        "Vous avez transmis « Anglais pour voyager » à Karim, 1 h, aujourd’hui."
    )
    kiosk.touch_text("Enregistrer")

    exchange_id = saved_exchange_id(kiosk)
    exchange = kiosk.services.exchanges.get(exchange_id)
    assert exchange.status is ExchangeStatus.CONFIRMED and exchange.duration_min == 60
    assert exchange.kind is ExchangeKind.KNOWLEDGE
    assert [(p.pseudonym, p.role) for p in exchange.participants] == [
        ("Inès", ParticipantRole.TRANSMITTER),
        ("Karim", ParticipantRole.LEARNER),
    ]
    assert exchange_id in exchanges_of(kiosk, "Inès") and exchange_id in exchanges_of(kiosk, "Karim")
    assert kiosk.after_writes == 1  # the sync worker was woken once, after the write
    assert kiosk.screen.ids.status.text == "Confirmé par vous deux."
    # The receipt's QR, read back from the framebuffer, names this exchange.
    frame = kiosk.frame()
    assert [code.text for code in zxingcpp.read_barcodes(frame)] == [receipt_payload(exchange_id)]
    kiosk.touch_text("Terminé")
    assert kiosk.screen.name == "member_home"


def test_five_touches_after_the_card_tap(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    kiosk.tap_card("Yvette")
    assert kiosk.screen.name == "member_home"
    before = exchanges_of(kiosk, "Yvette")
    if type(kiosk.screen).__name__ == "StandInScreen":
        # member home cannot be imported yet: open the wizard as its button does, and count that touch
        start_wizard(kiosk, "Yvette")
        kiosk.touches += 1
    else:
        kiosk.touch_text(ENTER_RECORD)
    assert kiosk.screen.name == "record"
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Tarte aux pommes de grand-mère")
    kiosk.tap_card("Karim")  # a card, not a touch
    kiosk.touch_text("1 h 30")
    kiosk.touch_text("Enregistrer")
    assert kiosk.touches == 5
    exchange_id = saved_exchange_id(kiosk)
    assert exchange_id not in before and exchange_id in exchanges_of(kiosk, "Yvette")
    assert kiosk.services.exchanges.get(exchange_id).duration_min == 90


def record_with_absent_karim(kiosk: Kiosk) -> str:
    start_wizard(kiosk, "Yvette")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Tarte aux pommes de grand-mère")
    kiosk.touch_text("Mon partenaire est absent")
    assert current_step(kiosk) is Step.SEARCH
    step = kiosk.step()
    kiosk.type_text(step.ids.keyboard, "kar")
    assert step.ids.field.text == "kar"
    kiosk.touch_text("Karim")
    assert current_step(kiosk) is Step.PARTNERS
    assert driver.find_all(kiosk.step(), text="confirmera plus tard")
    kiosk.touch_text("Continuer")
    kiosk.touch_text("2 h")
    assert kiosk.step().ids.waiting.text == "Karim confirmera l’échange à son prochain passage."
    kiosk.touch_text("Enregistrer")
    exchange_id = saved_exchange_id(kiosk)
    assert kiosk.screen.ids.status.text == "Karim confirmera l’échange à son prochain passage."
    kiosk.touch_text("Terminé")
    return exchange_id


def test_an_absent_partner_confirms_at_his_next_tap(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    exchange_id = record_with_absent_karim(kiosk)
    assert kiosk.services.exchanges.get(exchange_id).status is ExchangeStatus.PENDING
    kiosk.tap_card("Karim")  # his next tap: his home opens, with the exchange waiting for his answer
    karim = kiosk.member("Karim")
    assert kiosk.shell.session.member.id == karim.id
    assert exchange_id in [e.id for e in kiosk.services.exchanges.pending_for(karim.id)]
    confirmed = kiosk.services.exchanges.confirm(exchange_id, karim.id)
    assert confirmed.status is ExchangeStatus.CONFIRMED
    assert exchange_id in exchanges_of(kiosk, "Karim")


def test_an_absent_partner_may_decline(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    exchange_id = record_with_absent_karim(kiosk)
    kiosk.tap_card("Karim")
    karim = kiosk.member("Karim")
    declined = kiosk.services.exchanges.decline(exchange_id, karim.id)
    assert {p.pseudonym: p.confirmation for p in declined.participants}["Karim"] is Confirmation.DECLINED
    assert declined.status is not ExchangeStatus.CONFIRMED
    assert exchange_id not in exchanges_of(kiosk, "Karim")  # it did not happen for him
    assert exchange_id not in [e.id for e in kiosk.services.exchanges.pending_for(karim.id)]


def test_a_workshop_with_one_transmitter_and_five_learners_tapping(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    learners = ["Karim", "Yvette", "Inès", "Nguyen", "Élodie"]
    start_wizard(kiosk, "Fatoumata")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Bien débuter avec sa machine à coudre")
    for name in learners:
        kiosk.tap_card(name)
    assert current_step(kiosk) is Step.DURATION
    assert kiosk.step().ids.partners_line.text.startswith("Avec Karim, Yvette, Inès, Nguyen et Élodie.")
    kiosk.tap_card("Karim")  # a second tap changes nothing
    kiosk.touch_text("2 h")
    kiosk.touch_text("Enregistrer")
    exchange = kiosk.services.exchanges.get(saved_exchange_id(kiosk))
    assert [p.pseudonym for p in exchange.side(ParticipantRole.LEARNER)] == learners
    assert [p.pseudonym for p in exchange.side(ParticipantRole.TRANSMITTER)] == ["Fatoumata"]
    assert {p.confirmation for p in exchange.participants} == {Confirmation.CONFIRMED}
    assert kiosk.screen.ids.status.text == "Confirmé par tout le monde."
    for name in [*learners, "Fatoumata"]:
        assert exchange.id in exchanges_of(kiosk, name)


def test_back_at_every_step_keeps_what_was_entered(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Karim")
    kiosk.touch_text("J’ai rendu un service")
    assert current_step(kiosk) is Step.THEME  # Karim's only listing is a request
    kiosk.touch(kiosk.step().ids.themes.chip_for("entraide"))
    kiosk.touch(kiosk.step().ids.subthemes.chip_for("entraide.demenagement"))
    field = kiosk.step().ids.field
    assert field.text == "Coup de main (déménagement…)"
    while field.text:
        kiosk.touch(kiosk.key(kiosk.step().ids.keyboard, "backspace"))
    kiosk.type_text(kiosk.step().ids.keyboard, "Monter une armoire")
    kiosk.touch_text("Continuer")
    kiosk.touch_text("Une personne non inscrite")
    kiosk.type_text(kiosk.step().ids.keyboard, "Paulette")
    kiosk.touch_text("Ajouter")
    assert current_step(kiosk) is Step.PARTNERS
    kiosk.touch_text("Continuer")
    kiosk.touch(kiosk.step().ids.plus)
    kiosk.touch(kiosk.step().ids.plus)
    kiosk.touch(kiosk.step().ids.days.chip_for("1"))
    kiosk.touch_text("Continuer")
    expected = "Vous avez rendu service à Paulette : « Monter une armoire », 1 h 30, hier."
    assert sentence_on_show(kiosk) == expected

    back = kiosk.wizard.ids.back_button
    kiosk.touch(back)
    assert current_step(kiosk) is Step.DURATION
    assert kiosk.step().ids.duration_label.text == "1 h 30" and kiosk.step().ids.days.selected == ["1"]
    kiosk.touch(back)
    assert current_step(kiosk) is Step.PARTNERS
    assert driver.find_all(kiosk.step(), text="Paulette") and driver.find_all(kiosk.step(), text="sans carte")
    kiosk.touch(back)
    assert current_step(kiosk) is Step.TITLE and kiosk.step().ids.field.text == "Monter une armoire"
    kiosk.touch(back)
    assert current_step(kiosk) is Step.SUBTHEME
    assert kiosk.step().ids.subthemes.selected == ["entraide.demenagement"]
    kiosk.touch(back)
    assert current_step(kiosk) is Step.THEME and kiosk.step().ids.themes.selected == ["entraide"]
    kiosk.touch(back)
    assert current_step(kiosk) is Step.KIND and kiosk.step().selected == "service_given"
    # and forward again: every answer is still there
    kiosk.touch_text("J’ai rendu un service")
    kiosk.touch(kiosk.step().ids.themes.chip_for("entraide"))
    kiosk.touch(kiosk.step().ids.subthemes.chip_for("entraide.demenagement"))
    kiosk.touch_text("Continuer")
    kiosk.touch_text("Continuer")
    kiosk.touch_text("Continuer")
    assert sentence_on_show(kiosk) == expected
    kiosk.touch_text("Enregistrer")
    exchange = kiosk.services.exchanges.get(saved_exchange_id(kiosk))
    guest = exchange.side(ParticipantRole.LEARNER)[0]
    assert (guest.guest_name, exchange.kind, exchange.duration_min) == ("Paulette", ExchangeKind.SERVICE, 90)
    # « Retour » on the first step leaves the wizard for the member's home
    start_wizard(kiosk, "Karim")
    kiosk.touch(kiosk.wizard.ids.back_button)
    assert kiosk.screen.name == "member_home"


def test_cancel_asks_first_once_something_was_entered(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    before = kiosk.services.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("Annuler")  # nothing entered yet: no question
    assert kiosk.screen.name == "member_home"
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Annuler")
    assert kiosk.screen.name == "record" and kiosk.wizard.asking_cancel
    save_screenshot(kiosk.frame(), "record-cancel-fr-800x480.png")
    kiosk.touch_text("Non, je continue")
    assert current_step(kiosk) is Step.LISTING and not kiosk.wizard.asking_cancel
    kiosk.touch_text("Annuler")
    kiosk.touch_text("Oui, abandonner")
    assert kiosk.screen.name == "member_home"
    assert kiosk.services.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0] == before


def test_own_and_unknown_cards_are_refused_calmly(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Anglais pour voyager")
    kiosk.tap_card("Inès")
    assert kiosk.message() == "C’est votre carte : faites passer celle de l’autre personne."
    assert current_step(kiosk) is Step.PARTNERS and kiosk.wizard.flow.partners == []
    kiosk.dismiss_message()
    kiosk.rig.tap_card(DEMO_UNKNOWN_UID)
    assert kiosk.message().startswith("Cette carte n’est pas encore enregistrée.")
    assert kiosk.screen.name == "record" and kiosk.shell.session.member.pseudonym == "Inès"
    kiosk.dismiss_message()
    assert kiosk.shell.sounds.played[-1] == "refusal"


def test_printing_the_receipt(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Anglais pour voyager")
    kiosk.tap_card("Karim")
    kiosk.touch_text("30 min")
    kiosk.touch_text("Enregistrer")
    exchange_id = saved_exchange_id(kiosk)
    kiosk.touch_text("Imprimer")
    (slip,) = kiosk.slips
    assert slip.kind == "receipt" and slip.qr_payload == receipt_payload(exchange_id)
    printed = kiosk.printer.printed[0].read_text(encoding="utf-8")
    assert "Anglais pour voyager" in printed and "Transmis par : Inès" in printed
    assert "Appris par : Karim" in printed
    # A kiosk without a printer shows no « Imprimer » at all.
    kiosk.shell.ctx.print_slip = None
    kiosk.shell.go("receipt", exchange_id=exchange_id)
    driver.wait_frames(2)
    assert not driver.find_all(kiosk.screen, text="Imprimer")
    assert driver.find_all(kiosk.screen, text="Terminé")


# --- every step, in both languages: nothing clipped, every target big enough, screenshots -------------


def test_every_step_fits_at_800x480_in_french(record_kiosk: Kiosk) -> None:
    walk_every_step(record_kiosk, "fr")
    exchange = record_kiosk.services.exchanges.get(saved_exchange_id(record_kiosk))
    assert exchange.title == "Vélo" and exchange.duration_min == 75
    assert {p.pseudonym: p.confirmation for p in exchange.participants} == {
        "Karim": Confirmation.CONFIRMED,
        "Inès": Confirmation.PENDING,
        "Paulette": Confirmation.CONFIRMED,
    }
    assert record_kiosk.screen.ids.status.text == "Inès confirmera l’échange à son prochain passage."


def test_every_step_fits_at_800x480_in_english(record_kiosk: Kiosk) -> None:
    walk_every_step(record_kiosk, "en")
    exchange = record_kiosk.services.exchanges.get(saved_exchange_id(record_kiosk))
    assert exchange.title == "Bicycle"  # the title prefilled from the theme, in English
    assert record_kiosk.screen.ids.status.text == (
        "Inès will confirm the exchange next time they tap their card."
    )


def test_a_language_switch_changes_the_step_texts_at_once(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Yvette")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Tarte aux pommes de grand-mère")
    kiosk.touch_text("Mon partenaire est absent")
    kiosk.type_text(kiosk.step().ids.keyboard, "kar")
    kiosk.touch_text("Karim")
    wizard = kiosk.wizard
    assert (wizard.ids.question.text, wizard.ids.progress.text) == ("Avec qui ?", "Étape 3 sur 5")
    kiosk.shell.switch_language("en")
    driver.wait_frames(2)
    assert (wizard.ids.question.text, wizard.ids.progress.text) == ("Who with?", "Step 3 of 5")
    step = kiosk.step()
    assert step.ids.tap_now.text == "Tap your cards now"
    assert step.ids.who_taps.text == "The people who learned tap their cards, one after the other."
    assert driver.find_all(step, text="will confirm later") and driver.find_all(
        step, text="My partner is not here"
    )
    kiosk.touch_text("Continue")
    assert kiosk.step().ids.day_question.text == "Which day?"
    assert [chip.text for chip in kiosk.step().ids.days.chips()] == [
        "Today",
        "Yesterday",
        "2 days ago",
        "Sunday 22",
    ]
    kiosk.touch_text("1 h")
    assert sentence_on_show(kiosk) == "You taught “Tarte aux pommes de grand-mère” to Karim, 1 h, today."
    assert kiosk.step().ids.waiting.text == "Karim will confirm the exchange next time they tap their card."
    kiosk.shell.switch_language("fr")
    driver.wait_frames(2)
    assert sentence_on_show(kiosk) == (
        "Vous avez transmis « Tarte aux pommes de grand-mère » à Karim, 1 h, aujourd’hui."
    )
    assert wizard.ids.question.text == "C’est bien ça ?"


def test_the_end_of_a_session_wipes_the_wizard_and_the_receipt(record_kiosk: Kiosk) -> None:
    kiosk = record_kiosk
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Anglais pour voyager")
    kiosk.tap_card("Karim")
    kiosk.touch_text("1 h")
    kiosk.touch_text("Enregistrer")
    receipt = kiosk.screen
    assert "Karim" in receipt.sentence
    start_wizard(kiosk, "Inès")
    kiosk.touch_text("J’ai transmis un savoir")
    kiosk.touch_text("Anglais pour voyager")
    kiosk.tap_card("Yvette")
    wizard = kiosk.wizard  # the shell releases the session's screens after wiping them: keep hold of it
    kiosk.shell.end_session()  # what inactivity does after its countdown
    driver.wait_frames(2)
    assert "record" not in kiosk.shell.manager.screen_names  # released: the next person gets a new one
    # every step, shown or not (the inner ScreenManager holds only the current one as a child)
    roots = [wizard, receipt, *wizard.steps.values()]
    left = [text for root in roots for text in driver.texts(root, shown_only=False)]
    personal = [text for text in left if any(name in text for name in ("Inès", "Karim", "Yvette", "Anglais"))]
    assert personal == [] and wizard.flow is None and receipt.qr_payload == ""
