"""Recording exchanges: both parties confirm, the absent one at their next tap; workshops; cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import (
    Confirmation,
    ExchangeKind,
    ExchangeStatus,
    Member,
    ParticipantRole,
    Partner,
    Role,
)
from kiosk.errors import KioskError
from kiosk.services import Services

T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER


@pytest.fixture
def karim(services: Services) -> Member:
    return services.members.register("Karim", "Les Hauts")


@pytest.fixture
def elodie(services: Services) -> Member:
    return services.members.register("Élodie", "Centre")


def bike_lesson(services: Services, recorder: Member, learner: Member, present: bool) -> str:
    exchange = services.exchanges.record(
        recorder.id,
        ExchangeKind.KNOWLEDGE,
        "reparation.velo",
        "Régler ses freins",
        60,
        [Partner(T, recorder.id), Partner(L, learner.id, present=present)],
    )
    return exchange.id


def test_both_present_is_confirmed_at_once(services: Services, karim: Member, elodie: Member) -> None:
    exchange = services.exchanges.get(bike_lesson(services, karim, elodie, present=True))
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert services.exchanges.summary(karim.id).minutes_given == 60
    assert services.exchanges.summary(elodie.id).minutes_received == 60


def test_absent_partner_confirms_at_next_tap(services: Services, karim: Member, elodie: Member) -> None:
    exchange_id = bike_lesson(services, karim, elodie, present=False)
    assert services.exchanges.get(exchange_id).status is ExchangeStatus.PENDING
    # Not counted until confirmed: recognition follows agreement.
    assert services.exchanges.summary(karim.id).minutes_given == 0
    pending = services.exchanges.summary(elodie.id).pending_confirmations
    assert [item.id for item in pending] == [exchange_id]
    assert services.exchanges.pending_for(karim.id) == []

    confirmed = services.exchanges.confirm(exchange_id, elodie.id)
    assert confirmed.status is ExchangeStatus.CONFIRMED
    assert services.exchanges.summary(karim.id).minutes_given == 60
    assert services.exchanges.summary(elodie.id).pending_confirmations == ()
    with pytest.raises(KioskError) as twice:
        services.exchanges.confirm(exchange_id, elodie.id)
    assert twice.value.code == "exchange.nothing_to_confirm"


def test_declined_one_to_one_is_cancelled(services: Services, karim: Member, elodie: Member) -> None:
    exchange_id = bike_lesson(services, karim, elodie, present=False)
    declined = services.exchanges.decline(exchange_id, elodie.id)
    assert declined.status is ExchangeStatus.CANCELLED
    assert declined.cancel_reason == "declined"
    assert services.exchanges.summary(karim.id).exchanges_given == 0


def test_workshop_one_to_many(services: Services, karim: Member) -> None:
    learners = [services.members.register(f"Apprenant {n}", "Centre") for n in range(5)]
    partners = [Partner(T, karim.id)] + [Partner(L, m.id, present=n < 3) for n, m in enumerate(learners)]
    exchange = services.exchanges.record(
        karim.id, ExchangeKind.KNOWLEDGE, "numerique.smartphone", "Atelier smartphone", 90, partners
    )
    assert len(exchange.side(L)) == 5
    assert exchange.status is ExchangeStatus.PENDING
    services.exchanges.confirm(exchange.id, learners[3].id)
    after = services.exchanges.decline(exchange.id, learners[4].id)
    # One learner said no: the workshop still happened for the others.
    assert after.status is ExchangeStatus.CONFIRMED
    answers = {p.member_id: p.confirmation for p in after.participants}
    assert answers[learners[4].id] is Confirmation.DECLINED
    assert services.exchanges.summary(karim.id).minutes_given == 90
    assert services.exchanges.summary(learners[4].id).minutes_received == 0


def test_guest_passer_by_counts_as_a_side(services: Services, karim: Member) -> None:
    exchange = services.exchanges.record(
        karim.id,
        ExchangeKind.SERVICE,
        "reparation.velo",
        "Chaîne remise en place",
        15,
        [Partner(T, karim.id), Partner(L, guest_name="Un passant")],
    )
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert exchange.side(L)[0].pseudonym == "Un passant"


@pytest.mark.parametrize("minutes", [0, -5, 721, 10_000])
def test_durations_out_of_range(services: Services, karim: Member, elodie: Member, minutes: int) -> None:
    with pytest.raises(KioskError) as refused:
        services.exchanges.record(
            karim.id,
            ExchangeKind.KNOWLEDGE,
            "cuisine",
            "Tarte",
            minutes,
            [Partner(T, karim.id), Partner(L, elodie.id)],
        )
    assert refused.value.code == "exchange.invalid_duration"


def test_needs_both_sides_and_distinct_people(services: Services, karim: Member, elodie: Member) -> None:
    with pytest.raises(KioskError) as one_side:
        services.exchanges.record(
            karim.id, ExchangeKind.KNOWLEDGE, "cuisine", "Tarte", 30, [Partner(T, karim.id)]
        )
    assert one_side.value.code == "exchange.needs_both_sides"
    with pytest.raises(KioskError) as both:
        services.exchanges.record(
            karim.id,
            ExchangeKind.KNOWLEDGE,
            "cuisine",
            "Tarte",
            30,
            [Partner(T, karim.id), Partner(L, karim.id), Partner(L, elodie.id)],
        )
    assert both.value.code == "exchange.same_person_both_sides"
    with pytest.raises(KioskError) as outsider:
        services.exchanges.record(
            karim.id, ExchangeKind.KNOWLEDGE, "cuisine", "Tarte", 30, [Partner(L, elodie.id)]
        )
    assert outsider.value.code == "exchange.recorder_not_participant"


def test_unknown_theme_and_future_date(
    services: Services, karim: Member, elodie: Member, clock: FixedClock
) -> None:
    partners = [Partner(T, karim.id), Partner(L, elodie.id)]
    with pytest.raises(KioskError) as theme:
        services.exchanges.record(karim.id, ExchangeKind.KNOWLEDGE, "astrologie", "Horoscope", 30, partners)
    assert theme.value.code == "theme.not_found"
    with pytest.raises(KioskError) as future:
        services.exchanges.record(
            karim.id,
            ExchangeKind.KNOWLEDGE,
            "cuisine",
            "Tarte",
            30,
            partners,
            occurred_at=clock.now() + timedelta(days=2),
        )
    assert future.value.code == "exchange.in_future"
    yesterday = services.exchanges.record(
        karim.id,
        ExchangeKind.KNOWLEDGE,
        "cuisine",
        "Tarte",
        30,
        partners,
        occurred_at=clock.now() - timedelta(days=1),
    )
    assert yesterday.occurred_at.startswith("2026-11-24")


def test_cancel_by_recorder_within_ten_minutes_only(
    services: Services, karim: Member, elodie: Member, clock: FixedClock
) -> None:
    first = bike_lesson(services, karim, elodie, present=True)
    clock.advance(minutes=9)
    with pytest.raises(KioskError) as not_recorder:
        services.exchanges.cancel(first, elodie.id, "erreur")
    assert not_recorder.value.code == "exchange.cancel_too_late"
    with pytest.raises(KioskError) as no_reason:
        services.exchanges.cancel(first, karim.id, "  ")
    assert no_reason.value.code == "exchange.reason_required"
    cancelled = services.exchanges.cancel(first, karim.id, "saisi deux fois")
    assert cancelled.status is ExchangeStatus.CANCELLED
    assert cancelled.cancel_reason == "saisi deux fois"

    second = bike_lesson(services, karim, elodie, present=True)
    clock.advance(minutes=11)
    with pytest.raises(KioskError) as late:
        services.exchanges.cancel(second, karim.id, "erreur")
    assert late.value.code == "exchange.cancel_too_late"
    librarian = services.members.register("Mme Diallo", "Centre", roles=(Role.LIBRARIAN,))
    assert services.exchanges.cancel(second, librarian.id, "doublon").status is ExchangeStatus.CANCELLED
    with pytest.raises(KioskError) as again:
        services.exchanges.cancel(second, librarian.id, "doublon")
    assert again.value.code == "exchange.cancelled"


def test_summary_themes_and_recent(services: Services, karim: Member, elodie: Member) -> None:
    for minutes in (30, 45):
        bike_lesson(services, karim, elodie, present=True)
        services.exchanges.record(
            elodie.id,
            ExchangeKind.KNOWLEDGE,
            "langues.anglais",
            "Conversation",
            minutes,
            [Partner(T, elodie.id), Partner(L, karim.id, present=True)],
        )
    summary = services.exchanges.summary(karim.id)
    assert (summary.exchanges_given, summary.minutes_given) == (2, 120)
    assert (summary.exchanges_received, summary.minutes_received) == (2, 75)
    assert set(summary.themes) == {"reparation.velo", "langues.anglais"}
    assert len(summary.recent) == 4


def test_between_dates(services: Services, karim: Member, elodie: Member, clock: FixedClock) -> None:
    bike_lesson(services, karim, elodie, present=True)
    found = services.exchanges.between("2026-11-25", "2026-11-26")
    assert len(found) == 1
    assert services.exchanges.between("2026-11-26", "2026-11-27") == []


def test_hlc_counter_overflow_moves_to_next_millisecond() -> None:
    from kiosk.clock import HLC_COUNTER_MAX, HlcState, format_hlc, hlc_receive, hlc_tick

    full = HlcState(1_000, HLC_COUNTER_MAX)
    after = hlc_tick(full, wall_ms=5)  # the wall clock is far behind
    assert after == HlcState(1_001, 0)
    assert format_hlc(after, "k") > format_hlc(full, "k")
    assert hlc_receive(full, HlcState(1_000, HLC_COUNTER_MAX), wall_ms=5) == HlcState(1_001, 0)


def test_unknown_listing_and_erased_member_answers(services: Services, karim: Member, elodie: Member) -> None:
    with pytest.raises(KioskError) as listing:
        services.exchanges.record(
            karim.id,
            ExchangeKind.KNOWLEDGE,
            "cuisine",
            "Tarte",
            30,
            [Partner(T, karim.id), Partner(L, elodie.id)],
            listing_id="no-such-listing",
        )
    assert listing.value.code == "listing.not_found"
    exchange_id = bike_lesson(services, karim, elodie, present=False)
    services.members.erase(elodie.id, actor_id=elodie.id)
    with pytest.raises(KioskError) as erased:
        services.exchanges.confirm(exchange_id, elodie.id)
    assert erased.value.code == "member.erased"
