"""A member's history: what they gave and received, newest first, pending ones with their status, never
what was cancelled or what they said did not happen for them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import ExchangeKind, ExchangeStatus, Member, ParticipantRole, Partner, Role
from kiosk.errors import KioskError
from kiosk.services import Services

T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER


@pytest.fixture
def karim(services: Services) -> Member:
    return services.members.register("Karim", "Pleyel")


@pytest.fixture
def elodie(services: Services) -> Member:
    return services.members.register("Élodie", "Floréal")


def record(
    services: Services, giver: Member, learner: Member, title: str, days_ago: int, present: bool = True
) -> str:
    return services.exchanges.record(
        giver.id,
        ExchangeKind.KNOWLEDGE,
        "cuisine",
        title,
        60,
        [Partner(T, giver.id), Partner(L, learner.id, present=present)],
        occurred_at=services.ctx.clock.now() - timedelta(days=days_ago),
    ).id


def test_given_and_received_newest_first(services: Services, karim: Member, elodie: Member) -> None:
    record(services, karim, elodie, "Couscous", days_ago=3)
    record(services, elodie, karim, "Tricot", days_ago=1)
    record(services, karim, elodie, "Vélo", days_ago=2)
    history = services.exchanges.history(karim.id)
    assert [(e.title, e.role_of(karim.id)) for e in history] == [("Tricot", L), ("Vélo", T), ("Couscous", T)]
    assert [e.title for e in services.exchanges.history(elodie.id)] == ["Tricot", "Vélo", "Couscous"]
    assert [e.title for e in services.exchanges.history(karim.id, limit=2)] == ["Tricot", "Vélo"]
    assert history[0].role_of("00000000-0000-7000-8000-000000000000") is None


def test_pending_is_shown_with_its_status_and_cancelled_is_not(
    services: Services, clock: FixedClock, karim: Member, elodie: Member
) -> None:
    librarian = services.members.register("Mme Diallo", "Centre-ville", roles=(Role.LIBRARIAN,))
    waiting = record(services, karim, elodie, "Freins", days_ago=0, present=False)
    cancelled = record(services, karim, elodie, "Doublon", days_ago=1)
    services.exchanges.cancel(cancelled, librarian.id, "Doublon")
    record(services, elodie, karim, "Couture", days_ago=2)
    for member in (karim, elodie):
        assert [(e.title, e.status) for e in services.exchanges.history(member.id)] == [
            ("Freins", ExchangeStatus.PENDING),
            ("Couture", ExchangeStatus.CONFIRMED),
        ]
    services.exchanges.decline(waiting, elodie.id)  # she says it did not happen: cancelled for both
    assert [e.title for e in services.exchanges.history(karim.id)] == ["Couture"]


def test_a_workshop_declined_by_one_learner_stays_in_the_others_history(
    services: Services, karim: Member, elodie: Member
) -> None:
    josiane = services.members.register("Josiane", "Bel-Air")
    workshop = services.exchanges.record(
        karim.id,
        ExchangeKind.KNOWLEDGE,
        "cuisine",
        "Atelier pain",
        90,
        [Partner(T, karim.id), Partner(L, elodie.id), Partner(L, josiane.id)],
    ).id
    services.exchanges.confirm(workshop, elodie.id)
    services.exchanges.decline(workshop, josiane.id)
    assert [e.id for e in services.exchanges.history(karim.id)] == [workshop]
    assert [e.id for e in services.exchanges.history(elodie.id)] == [workshop]
    assert services.exchanges.history(josiane.id) == []


def test_summary_recent_is_the_start_of_the_history(
    services: Services, karim: Member, elodie: Member
) -> None:
    for day in range(8):
        record(services, karim, elodie, f"Leçon {day}", days_ago=day)
    assert list(services.exchanges.summary(karim.id, recent=5).recent) == services.exchanges.history(
        karim.id, limit=5
    )


def test_history_of_someone_unknown_is_refused(services: Services) -> None:
    with pytest.raises(KioskError) as refused:
        services.exchanges.history("00000000-0000-7000-8000-000000000000")
    assert refused.value.code == "member.not_found"


def test_history_reads_only_the_newest_rows(services: Services, karim: Member, elodie: Member) -> None:
    """It shows at every tap: an index gives the newest first, however long the member's story."""
    for day in range(30):
        record(services, karim, elodie, f"Leçon {day}", days_ago=day)
    services.store.conn.execute("ANALYZE")
    statements: list[str] = []
    services.store.conn.set_trace_callback(statements.append)
    try:
        services.exchanges.history(karim.id, limit=3)
    finally:
        services.store.conn.set_trace_callback(None)
    [walk] = [sql for sql in statements if "ORDER BY p.occurred_at DESC" in sql]
    plan = [row[3] for row in services.store.conn.execute("EXPLAIN QUERY PLAN " + walk)]
    assert any("participants_member_recent" in step for step in plan), plan
    assert not any(step.startswith("USE TEMP B-TREE FOR ORDER BY") for step in plan), plan  # no full sort
