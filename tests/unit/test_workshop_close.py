"""A workshop from scheduling to the recorded exchange: registration with a waiting list, check-in of members
and guests at the door (in the order they came), and closing it as ONE exchange, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import ExchangeStatus, Member, ParticipantRole, Role
from kiosk.errors import KioskError
from kiosk.replay import snapshot
from kiosk.services import Services
from tests.checks import differences, replayed_snapshot

PSEUDONYMS = ("Karim", "Yvette", "Inès", "Nguyen", "Lucas", "Josiane", "Marcel")


@pytest.fixture
def crew(services: Services) -> dict[str, Member]:
    register = services.members.register
    people = {
        "lib": register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)),
        "ani": register("Élodie", "Belleville", roles=(Role.ANIMATOR,)),
    }
    people.update({name: register(name, "Belleville") for name in PSEUDONYMS})
    return people


def schedule(services: Services, crew: dict[str, Member], starts: datetime, capacity: int = 6) -> str:
    return services.workshops.schedule(
        crew["lib"].id, "Atelier smartphone", "numerique.smartphone", starts, 120, capacity, [crew["ani"].id],
        place="Salle 2",
    ).id  # fmt: skip


def test_six_members_and_a_guest_become_one_confirmed_exchange(
    services: Services, clock: FixedClock, crew: dict[str, Member]
) -> None:
    workshops = services.workshops
    workshop_id = schedule(services, crew, clock.now() + timedelta(days=3))
    assert services.workshops.get(workshop_id).places_left == 6
    for name in PSEUDONYMS:
        workshops.register(workshop_id, crew[name].id)
    workshops.register(workshop_id, crew["lib"].id)
    workshops.unregister(workshop_id, crew["lib"].id)
    full = workshops.get(workshop_id)
    assert (full.registered, full.waiting, full.places_left) == (6, 1, 0)
    assert workshops.registration(workshop_id, crew["Marcel"].id).waiting_list
    assert [w.id for w in workshops.upcoming(5)] == [workshop_id]

    clock.advance(days=3)  # the day: every check-in at the same clock second still keeps its order
    counts = [workshops.check_in(workshop_id, crew[name].id) for name in PSEUDONYMS[:6]]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert workshops.check_in(workshop_id, crew["Karim"].id) == 6  # twice is once
    assert workshops.check_in_guest(workshop_id) == 7
    assert workshops.present(workshop_id) == [(crew[n].id, n) for n in PSEUDONYMS[:6]]
    assert workshops.guests(workshop_id) == 1

    clock.advance(hours=2)
    exchange = workshops.close_as_exchange(workshop_id, crew["ani"].id)
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert (exchange.title, exchange.theme_id, exchange.duration_min) == (
        "Atelier smartphone",
        "numerique.smartphone",
        120,
    )
    assert [p.member_id for p in exchange.side(ParticipantRole.TRANSMITTER)] == [crew["ani"].id]
    assert [p.pseudonym for p in exchange.side(ParticipantRole.LEARNER)] == list(PSEUDONYMS[:6])
    assert exchange.recorded_by == crew["ani"].id
    assert datetime.fromisoformat(exchange.occurred_at) == clock.now() - timedelta(hours=2)
    held = workshops.get(workshop_id)
    assert held.status == "held"
    assert workshops.upcoming(5) == []
    summary = services.exchanges.summary(crew["ani"].id)
    assert (summary.exchanges_given, summary.minutes_given) == (1, 120)
    assert services.exchanges.summary(crew["Yvette"].id).minutes_received == 120
    journaled = services.store.query("SELECT payload FROM journal WHERE type = 'exchange.recorded'")
    assert len(journaled) == 1 and workshop_id in journaled[0]["payload"]

    with pytest.raises(KioskError) as twice:
        workshops.close_as_exchange(workshop_id, crew["lib"].id)
    assert twice.value.code == "workshop.already_closed"
    with pytest.raises(KioskError) as late:
        workshops.check_in(workshop_id, crew["Marcel"].id)
    assert late.value.code == "workshop.already_closed"
    assert services.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 1


def test_closing_is_for_staff_and_needs_someone_present(
    services: Services, clock: FixedClock, crew: dict[str, Member]
) -> None:
    workshop_id = schedule(services, crew, clock.now())
    with pytest.raises(KioskError) as nobody:
        services.workshops.close_as_exchange(workshop_id, crew["ani"].id)
    assert nobody.value.code == "workshop.nobody_present"
    services.workshops.check_in_guest(workshop_id)
    services.workshops.check_in(workshop_id, crew["ani"].id)  # the animator tapped in too: not a learner
    with pytest.raises(KioskError) as only_guests:
        services.workshops.close_as_exchange(workshop_id, crew["ani"].id)
    assert only_guests.value.code == "workshop.nobody_present"
    services.workshops.check_in(workshop_id, crew["Karim"].id)
    with pytest.raises(KioskError) as member:
        services.workshops.close_as_exchange(workshop_id, crew["Karim"].id)
    assert member.value.code == "auth.not_allowed"
    exchange = services.workshops.close_as_exchange(workshop_id, crew["lib"].id)
    assert exchange.recorded_by is None  # the librarian who closed it did not take part
    assert [p.member_id for p in exchange.participants] == [crew["ani"].id, crew["Karim"].id]


def test_an_unknown_card_counts_once_as_a_guest(
    services: Services, clock: FixedClock, crew: dict[str, Member]
) -> None:
    workshop_id = schedule(services, crew, clock.now())
    unknown = services.cards.read(b"\x04\x10\x20\x30\x40\x50\x60").uid_hash
    assert services.workshops.check_in_guest(workshop_id, unknown) == 1
    assert services.workshops.check_in_guest(workshop_id, unknown) == 1
    assert services.workshops.check_in_guest(workshop_id) == 2  # a passer-by without a card
    assert services.workshops.guests(workshop_id) == 2
    payloads = [row["payload"] for row in services.store.query("SELECT payload FROM journal")]
    assert not any(unknown in payload for payload in payloads)  # the guest id does not reveal the card


def test_a_closed_workshop_survives_a_rebuild_from_the_journal(
    services: Services, clock: FixedClock, config: Config, tmp_path: Path, crew: dict[str, Member]
) -> None:
    workshop_id = schedule(services, crew, clock.now() - timedelta(hours=2))
    for name in ("Nguyen", "Karim", "Inès"):
        services.workshops.check_in(workshop_id, crew[name].id)
    services.workshops.check_in_guest(workshop_id)
    services.workshops.close_as_exchange(workshop_id, crew["ani"].id)
    replayed = replayed_snapshot(services.store, config, tmp_path / "replay")
    own = snapshot(services.store)
    assert replayed == own, differences(own, replayed)
    assert [name for _, name in services.workshops.present(workshop_id)] == ["Nguyen", "Karim", "Inès"]
