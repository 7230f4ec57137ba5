"""A workshop from scheduling to the recorded exchange, by touches and card taps in the real window:
the librarian schedules it (5 places), six members register with a tap (the sixth on the waiting list,
and told so), then at the door six members and one unknown card are checked in, a revoked card is
refused, and closing records ONE confirmed exchange from the animator to the six — checked in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.demo import DEMO_REVOKED_CARD, DEMO_UNKNOWN_UID
from kiosk.domain import ExchangeStatus, ParticipantRole
from tests.ui import driver
from tests.ui.admin2_helpers import (
    dismiss_message,
    go,
    look,
    message_shown,
    open_admin_session,
    type_on,
)

MEMBERS = ("Karim", "Yvette", "Inès", "Nguyen", "Fatoumata", "Mamadou")
TITLE = "Vélo en ville"


def schedule_workshop(rig: driver.ShellRig) -> str:
    services = rig.shell.ctx.services
    open_admin_session(rig)  # Sandrine, librarian
    screen = go(rig, "workshop_new")
    look(rig.shell, "workshop_new-title-fr")
    type_on(screen.ids.title_keyboard, TITLE)
    driver.tap(screen.ids.title_next)
    assert screen.step == "theme"
    driver.tap(screen.ids.top_chips.chip_for("reparation"))
    velo = screen.ids.sub_chips.chip_for("reparation.velo")
    driver.wait_frames(3)
    driver.bring_into_view(velo)
    driver.tap(velo)
    look(rig.shell, "workshop_new-theme-fr")
    driver.tap(screen.ids.theme_next)
    assert screen.step == "animators" and screen.animator_choices == []  # a librarian does not animate
    type_on(screen.ids.animator_picker.ids.keyboard, "elo")
    [elodie] = screen.ids.animator_picker.results()
    driver.tap(elodie)
    look(rig.shell, "workshop_new-animators-fr")
    driver.tap(screen.ids.animators_next)
    assert screen.step == "when"
    driver.tap(screen.ids.time_chips.chip_for("10:00"))
    driver.tap(screen.ids.duration_chips.chip_for(90))
    look(rig.shell, "workshop_new-when-fr")
    driver.tap(screen.ids.when_next)
    assert screen.step == "place" and screen.ids.place_field.text == rig.shell.ctx.config.site.name
    driver.tap(screen.ids.place_next)
    assert screen.step == "summary"
    for _ in range(7):
        driver.tap(screen.ids.capacity_stepper.ids.minus, frames=1)
    assert screen.capacity == 5
    look(rig.shell, "workshop_new-summary-fr")
    driver.tap(screen.ids.schedule_button)
    [workshop] = [w for w in services.workshops.upcoming(20) if w.title == TITLE]
    assert workshop.capacity == 5 and workshop.duration_min == 90
    assert workshop.theme_id == "reparation.velo" and workshop.starts_at.endswith("T10:00+01:00")
    assert [services.members.get(a).pseudonym for a in workshop.animator_ids] == ["Élodie"]
    rig.shell.end_session()
    return str(workshop.id)


def register(rig: driver.ShellRig, pseudonym: str, workshop_id: str) -> Any:
    rig.tap_demo_card(pseudonym)
    screen = go(rig, "workshops")
    card = screen.card_for(workshop_id)
    assert card is not None and not card.registered
    driver.bring_into_view(card.ids.workshop_button)
    driver.tap(card.ids.workshop_button)
    return screen


def test_a_workshop_from_scheduling_to_the_recorded_exchange(kivy_window: Any, tmp_path: Path) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        services = ctx.services
        workshop_id = schedule_workshop(rig)

        # six members register with a tap; the sixth is told they are on the waiting list
        for pseudonym in MEMBERS:
            screen = register(rig, pseudonym, workshop_id)
            card = screen.card_for(workshop_id)
            assert card.registered
            member_id = rig.shell.session.member.id
            registration = services.workshops.registration(workshop_id, member_id)
            assert registration.waiting_list == (pseudonym == "Mamadou")
            if registration.waiting_list:
                assert "liste d’attente (n° 1)" in message_shown(rig.shell)
                look(rig.shell, "workshops-waiting-list-fr")
            if pseudonym == "Nguyen":
                look(rig.shell, "workshops-registered-fr")
            rig.shell.end_session()
        assert services.workshops.get(workshop_id).waiting == 1

        # at the door: Élodie, animator, opens the check-in for today's workshop
        open_admin_session(rig, "Élodie")
        screen = go(rig, "checkin")
        look(rig.shell, "checkin-pick-fr")
        row = next(row for row in screen.choice_rows() if row.value == workshop_id)
        assert row.badge == "Aujourd’hui"
        driver.tap(row)
        assert screen.step == "door" and screen.count == 0
        for pseudonym in MEMBERS:
            rig.tap_demo_card(pseudonym)
        rig.tap_demo_card("Karim")  # twice: counted once
        assert "déjà compté" in screen.last_news
        rig.tap_card(DEMO_UNKNOWN_UID)  # a card nobody enrolled: a guest
        rig.tap_card(DEMO_REVOKED_CARD.uid)  # refused, not counted
        assert message_shown(rig.shell).startswith("Cette carte a été désactivée.")
        dismiss_message(rig.shell)
        assert (screen.count, screen.guests) == (7, 1)
        assert screen.names == ", ".join(MEMBERS)
        assert rig.shell.session.member.pseudonym == "Élodie" and rig.shell.session.admin
        assert rig.shell.manager.current == "checkin"
        look(rig.shell, "checkin-door-fr")

        driver.tap(screen.ids.close_button)
        assert screen.step == "summary"
        assert screen.summary.startswith("Animé par Élodie : 6 participant·es + 1 invité·e\n1 h 30")
        look(rig.shell, "checkin-summary-fr")
        driver.tap(screen.ids.record_button)

        exchange = next(e for e in services.exchanges.recent(limit=5) if e.title == TITLE)
        assert exchange.status is ExchangeStatus.CONFIRMED
        assert exchange.duration_min == 90 and exchange.theme_id == "reparation.velo"
        names = {p.member_id: services.members.get(p.member_id).pseudonym for p in exchange.participants}
        assert [names[p.member_id] for p in exchange.side(ParticipantRole.TRANSMITTER)] == ["Élodie"]
        learners = sorted(names[p.member_id] for p in exchange.side(ParticipantRole.LEARNER))
        assert learners == sorted(MEMBERS)
        assert services.workshops.get(workshop_id).status == "held"
        assert rig.shell.manager.current != "checkin"
