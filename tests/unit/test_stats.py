"""The attract screen's counts: this calendar month in Paris (whatever offset an exchange was written with),
confirmed exchanges only, listings on the board, workshops to come — each read through an index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import CollectiveStats, ExchangeKind, ListingKind, Member, ParticipantRole, Partner, Role
from kiosk.services import Services
from kiosk.services.stats import month_bounds

PARIS = ZoneInfo("Europe/Paris")
T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER


def lesson(
    services: Services,
    giver: Member,
    learner: Member,
    minutes: int,
    when: datetime | None = None,
    present: bool = True,
) -> str:
    return services.exchanges.record(
        giver.id,
        ExchangeKind.KNOWLEDGE,
        "reparation.velo",
        "Régler ses freins",
        minutes,
        [Partner(T, giver.id), Partner(L, learner.id, present=present)],
        occurred_at=when,
    ).id


def test_an_empty_collective_counts_nothing(services: Services) -> None:
    assert services.stats.overview() == CollectiveStats(
        month="2026-11",
        exchanges_this_month=0,
        minutes_this_month=0,
        active_members=0,
        active_offers=0,
        active_requests=0,
        upcoming_workshops=0,
    )


def test_confirmed_exchanges_of_this_paris_month(services: Services) -> None:
    karim = services.members.register("Karim", "Pleyel")
    elodie = services.members.register("Élodie", "Floréal")
    josiane = services.members.register("Josiane", "Bel-Air")
    services.members.register("Samir", "La Plaine")  # took part in nothing this month
    lesson(services, karim, elodie, 60)
    # Written by a kiosk whose clock runs in UTC: 23:30 UTC on 31 October is 00:30 on 1 November in Paris.
    lesson(services, elodie, josiane, 45, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    # Not this month in Paris: 22:30 UTC on 31 October is 23:30 on the 31st there.
    lesson(services, karim, josiane, 30, datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
    lesson(services, josiane, karim, 90, datetime(2026, 10, 15, 18, 0, tzinfo=PARIS))  # last month
    waiting = lesson(services, josiane, karim, 120, present=False)  # pending: not counted yet
    cancelled = lesson(services, karim, elodie, 240)
    services.exchanges.cancel(cancelled, karim.id, "Erreur de saisie")
    guest = services.exchanges.record(
        karim.id, ExchangeKind.SERVICE, "entraide.courses", "Courses", 30,
        [Partner(T, karim.id), Partner(L, guest_name="Lucie")],
    )  # fmt: skip
    stats = services.stats.overview()
    assert (stats.exchanges_this_month, stats.minutes_this_month) == (3, 60 + 45 + 30)
    assert stats.hours_this_month == 2  # 2 h 15
    assert stats.active_members == 3  # Karim, Élodie, Josiane; guests are not members
    services.exchanges.confirm(waiting, karim.id)
    assert services.stats.overview().exchanges_this_month == 4
    assert guest.status == "confirmed"


def test_a_member_who_declined_is_not_counted_active(services: Services) -> None:
    animator = services.members.register("Anim", "Pleyel", roles=(Role.ANIMATOR,))
    learners = [services.members.register(name, "Pleyel") for name in ("Léa", "Noé", "Zoé")]
    workshop = services.exchanges.record(
        animator.id,
        ExchangeKind.KNOWLEDGE,
        "cuisine",
        "Atelier pain",
        90,
        [Partner(T, animator.id), *(Partner(L, m.id) for m in learners)],
    )
    services.exchanges.confirm(workshop.id, learners[0].id)
    services.exchanges.confirm(workshop.id, learners[1].id)
    services.exchanges.decline(workshop.id, learners[2].id)  # she was not there
    stats = services.stats.overview()
    assert (stats.exchanges_this_month, stats.active_members) == (1, 3)


def test_listings_on_the_board_and_workshops_to_come(services: Services, clock: FixedClock) -> None:
    karim = services.members.register("Karim", "Pleyel")
    librarian = services.members.register("Mme Diallo", "Centre-ville", roles=(Role.LIBRARIAN,))
    for title in ("Freins", "Crêpes", "Tricot"):
        services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", title)
    withdrawn = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Soupe")
    services.listings.withdraw(withdrawn.id, karim.id)
    services.listings.publish(karim.id, ListingKind.REQUEST, "numerique.smartphone", "WhatsApp")
    now = clock.now()
    for hours in (-3, -1, 1, 24 * 20):  # two past, two to come
        services.workshops.schedule(
            librarian.id, "Atelier", "cuisine", now + timedelta(hours=hours), 60, 10, []
        )
    stats = services.stats.overview()
    assert (stats.active_offers, stats.active_requests, stats.upcoming_workshops) == (3, 1, 2)
    clock.advance(hours=2)
    assert services.stats.overview().upcoming_workshops == 1


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        (datetime(2026, 11, 25, 10, 0), "2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"),
        (datetime(2026, 12, 31, 23, 59), "2026-12-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"),
        # Summer time starts on 29 March: each bound has its own offset.
        (datetime(2026, 3, 1, 0, 0), "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"),
        (datetime(2026, 10, 31, 23, 0), "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
    ],
)
def test_month_bounds_in_paris(now: datetime, start: str, end: str) -> None:
    bounds = month_bounds(now.replace(tzinfo=PARIS))
    assert (bounds[0].isoformat(), bounds[1].isoformat()) == (start, end)


def test_summer_month_in_paris(services: Services, clock: FixedClock) -> None:
    karim = services.members.register("Karim", "Pleyel")
    elodie = services.members.register("Élodie", "Floréal")
    clock.current = datetime(2027, 7, 20, 12, 0, tzinfo=PARIS)
    lesson(services, karim, elodie, 60, datetime(2027, 6, 30, 22, 30, tzinfo=UTC))  # 1 July, 00:30 Paris
    lesson(services, karim, elodie, 60, datetime(2027, 6, 30, 21, 30, tzinfo=UTC))  # 30 June, 23:30 Paris
    stats = services.stats.overview()
    assert (stats.month, stats.exchanges_this_month) == ("2027-07", 1)


def test_every_count_walks_an_index(services: Services, clock: FixedClock) -> None:
    """What runs on the attract screen every few minutes never scans a whole table (query plans)."""
    karim = services.members.register("Karim", "Pleyel")
    elodie = services.members.register("Élodie", "Floréal")
    for day in range(40):
        lesson(services, karim, elodie, 30, clock.now() - timedelta(days=day))
        services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", f"Recette {day}")
    services.store.conn.execute("ANALYZE")  # the planner sees a store with data, as on a kiosk in use
    statements: list[str] = []
    services.store.conn.set_trace_callback(statements.append)
    try:
        services.stats.overview()
    finally:
        services.store.conn.set_trace_callback(None)
    assert len(statements) == 4
    for sql in statements:
        plan = [row[3] for row in services.store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not [step for step in plan if step.startswith("SCAN")], (sql, plan)
