"""The librarian screens' scenes for `make screenshots` (helper admin1): the PIN pad (wrong PIN, locked),
the admin home, enrolling a card, a lost card, moderation, cancelling an exchange, erasing a member.

`ADMIN1_SCENES` is a list of `Walk`s (scripts/screenshot_scenes.py) for scripts/screenshots.py to play
with the others. Each walk starts from Accueil at rest and enters the admin space as a librarian does:
the demo librarian's card on the simulated reader, then the demo PIN on the pad. Scenes run once per
language on the same store, French first: the ones that write (an enrolment, a hidden listing, a
cancellation, an erasure) photograph the states before the write, or write to something the English run
finds again.
"""

from __future__ import annotations

from screenshot_scenes import Move, Stage, Walk, go, key, steps, tap, type_on, walk

NEW_CARD = bytes.fromhex("04D1E2F3A4B5C6")
LIBRARIAN = "Sandrine"


def _pin_key(value: str) -> Move:
    def play(stage: Stage) -> None:
        stage.tap(next(key for key in stage.widget("pad").children if key.value == value))

    return play


def _type_pin(pin: str) -> Move:
    return steps(*(_pin_key(digit) for digit in pin), tap("ok_key"))


def _unlock(stage: Stage) -> None:
    """The lock-out is kept in the store: a walk after the locked scene starts with the lock lifted."""
    stage.ctx.services.store.conn.execute("DELETE FROM admin_pin_failures")


def _ensure_pin(stage: Stage) -> None:
    from kiosk.demo import DEMO_ADMIN_PIN

    admin = stage.ctx.services.admin
    member_id = stage.member_id(LIBRARIAN)
    if not admin.has_pin(member_id):
        admin.set_pin(member_id, DEMO_ADMIN_PIN)


def _enter(stage: Stage) -> None:
    from kiosk.demo import DEMO_ADMIN_PIN

    _ensure_pin(stage)
    _unlock(stage)
    stage.tap_card(LIBRARIAN)
    go("admin_pin")(stage)
    _type_pin(DEMO_ADMIN_PIN)(stage)


def _tile(route: str) -> Move:
    return lambda stage: stage.tap(stage.shell.current.tile_for(route))


def _new_card(stage: Stage) -> None:
    stage.tap_uid(NEW_CARD)


def _pick(typed: str, pseudonym: str) -> Move:
    return steps(type_on("keyboard", typed), _result(pseudonym))


def _result(pseudonym: str) -> Move:
    def play(stage: Stage) -> None:
        stage.tap(next(b for b in stage.widget("picker").results() if b.member.pseudonym == pseudonym))

    return play


def _first_quartier(stage: Stage) -> None:
    stage.tap(stage.widget("quartier_chips").chips()[0])


def _first_row(stage: Stage) -> None:
    stage.tap(stage.widget("rows").children[-1])  # the first row: Kivy keeps children last-added first


def _first_active_card(stage: Stage) -> None:
    stage.tap(next(row for row in reversed(stage.widget("card_rows").children) if not row.badge))


def _reason(value: str) -> Move:
    return lambda stage: stage.tap(stage.widget("reasons").ids.chips.chip_for(value))


PIN_WALK: list[tuple[str, Move]] = [
    ("admin_pin", steps(_ensure_pin, _unlock, lambda stage: stage.tap_card(LIBRARIAN), go("admin_pin"))),
    ("admin_pin-wrong", _type_pin("1357")),
    ("admin_pin-locked", steps(*([_type_pin("1357")] * 4))),
]
ENROL_WALK: list[tuple[str, Move]] = [
    ("admin_home", _enter),
    ("admin_enrol", _tile("admin_enrol")),
    ("admin_enrol-refused", lambda stage: stage.tap_card("Inès")),
    ("admin_enrol-pick", steps(tap("refused_again"), _new_card, type_on("keyboard", "yv"))),
    ("admin_enrol-new-name", steps(tap("new_member_button"), type_on("name_keyboard", "Paulette"))),
    ("admin_enrol-new-quartier", key("name_keyboard", "enter")),
    ("admin_enrol-confirm", steps(_first_quartier, tap("quartier_next"))),
]
LOST_CARD_WALK: list[tuple[str, Move]] = [
    ("admin_lost_card", steps(_enter, _tile("admin_lost_card"))),
    ("admin_lost_card-cards", _pick("kar", "Karim")),
    ("admin_lost_card-reason", _first_active_card),
]
MODERATION_WALK: list[tuple[str, Move]] = [
    ("admin_listings", steps(_enter, _tile("admin_listings"))),
    ("admin_listings-detail", steps(_first_row, _reason("Doublon"))),
    ("admin_listings-reason-typed", _reason("__other__")),
]
EXCHANGES_WALK: list[tuple[str, Move]] = [
    ("admin_exchanges", steps(_enter, _tile("admin_exchanges"))),
    ("admin_exchanges-detail", steps(_first_row, _reason("Saisi par erreur"))),
    ("admin_exchanges-confirm", tap("cancel_button")),
]
ERASE_WALK: list[tuple[str, Move]] = [
    ("admin_erase", steps(_enter, _tile("admin_erase"), type_on("keyboard", "in"))),
    ("admin_erase-preview", _result("Inès")),
    ("admin_erase-confirm", tap("erase_first")),
]

ADMIN1_SCENES: list[Walk] = [
    walk("admin_pin", PIN_WALK),
    walk("admin_enrol", ENROL_WALK),
    walk("admin_lost_card", LOST_CARD_WALK),
    walk("admin_listings", MODERATION_WALK),
    walk("admin_exchanges", EXCHANGES_WALK),
    walk("admin_erase", ERASE_WALK),
]
