"""The record wizard's rules without a window: steps, « Retour », partners, and what reaches the store.

Every test runs on a fresh demo collective (real store, real services): the flow's `save` goes through
`services.exchanges.record` and the tests read the result back from the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.clock import FixedClock
from kiosk.config import load_config, with_data_dir
from kiosk.demo import DEMO_CARD_KEY, DEMO_CARDS, generate_demo
from kiosk.domain import (
    Confirmation,
    ExchangeKind,
    ExchangeStatus,
    ListingKind,
    Member,
    ParticipantRole,
)
from kiosk.errors import KioskError
from kiosk.services import Services, open_services
from kiosk.themes import load_catalogue
from screens.record_flow import NO_DURATION, NO_PARTNER, RecordFlow, Step, TapOutcome
from screens.record_steps.wording import Kind, day_choice_text, day_text, duration_text
from tests.conftest import PARIS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)  # a Wednesday


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Services]:
    config = with_data_dir(load_config(None), tmp_path / "data")
    config = replace(config, security=replace(config.security, card_key=DEMO_CARD_KEY.hex()))
    services = open_services(config, FixedClock(NOW))
    generate_demo(services)
    yield services
    services.close()
    i18n.set_language("fr")


def member(services: Services, pseudonym: str) -> Member:
    card = next(card for card in DEMO_CARDS if card.pseudonym == pseudonym)
    found = services.cards.identify(services.cards.read(card.uid)).member
    assert found is not None
    return found


def new_flow(services: Services, pseudonym: str) -> RecordFlow:
    recorder = member(services, pseudonym)
    return RecordFlow(recorder, services.listings.of_member(recorder.id), load_catalogue(), NOW)


def plain(text: str) -> str:
    """The sentence with its non-breaking spaces (kept for line wrapping) read as plain ones."""
    return text.replace("\u00a0", " ")


def step_of(flow: RecordFlow) -> Step:
    """The current step, read afresh (mypy would otherwise keep an earlier assert's narrowing)."""
    return flow.step


def listing_id_of(services: Services, exchange_id: str) -> str | None:
    row = services.store.query_one("SELECT listing_id FROM exchanges WHERE id = ?", (exchange_id,))
    return None if row is None else row[0]


def test_each_kind_fixes_the_exchange_kind_and_the_recorder_side() -> None:
    assert (Kind.TAUGHT.exchange_kind, Kind.TAUGHT.recorder_role) == (
        ExchangeKind.KNOWLEDGE,
        ParticipantRole.TRANSMITTER,
    )
    assert (Kind.LEARNED.exchange_kind, Kind.LEARNED.recorder_role) == (
        ExchangeKind.KNOWLEDGE,
        ParticipantRole.LEARNER,
    )
    assert (Kind.SERVICE_GIVEN.exchange_kind, Kind.SERVICE_GIVEN.partner_role) == (
        ExchangeKind.SERVICE,
        ParticipantRole.LEARNER,
    )
    assert Kind.SERVICE_RECEIVED.listing_kind is ListingKind.REQUEST
    assert Kind.TAUGHT.listing_kind is ListingKind.OFFER


def test_the_fast_path_from_a_listing_records_a_confirmed_exchange(demo: Services) -> None:
    flow = new_flow(demo, "Yvette")
    karim = member(demo, "Karim")
    flow.choose_kind(Kind.TAUGHT)
    assert step_of(flow) is Step.LISTING
    (tarte,) = flow.listings()
    flow.choose_listing(tarte.id)
    assert (step_of(flow), flow.theme_id, flow.title) == (Step.PARTNERS, tarte.theme_id, tarte.title)
    assert flow.partner_tapped(karim) is TapOutcome.ADDED
    assert step_of(flow) is Step.DURATION  # the partner's tap moved on by itself
    flow.choose_duration(60)
    assert step_of(flow) is Step.SUMMARY
    assert plain(flow.summary()) == f"Vous avez transmis « {tarte.title} » à Karim, 1 h, aujourd’hui."
    exchange = flow.save(demo)
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert (exchange.kind, exchange.duration_min, exchange.title) == (ExchangeKind.KNOWLEDGE, 60, tarte.title)
    assert [(p.pseudonym, p.role, p.confirmation) for p in exchange.participants] == [
        ("Yvette", ParticipantRole.TRANSMITTER, Confirmation.CONFIRMED),
        ("Karim", ParticipantRole.LEARNER, Confirmation.CONFIRMED),
    ]
    assert listing_id_of(demo, exchange.id) == tarte.id
    # Both see it in their recognition.
    for pseudonym in ("Yvette", "Karim"):
        recent = demo.exchanges.summary(member(demo, pseudonym).id).recent
        assert exchange.id in [item.id for item in recent]


def test_the_catalogue_path_prefills_the_title_with_the_theme(demo: Services) -> None:
    flow = new_flow(demo, "Karim")  # Karim has no offer: « J'ai transmis » opens the catalogue
    flow.choose_kind(Kind.TAUGHT)
    assert step_of(flow) is Step.THEME and flow.listings() == []
    flow.choose_top_theme("reparation")
    assert step_of(flow) is Step.SUBTHEME
    assert "reparation.velo" in [theme.id for theme in flow.subthemes()]
    flow.choose_theme("reparation.velo")
    assert step_of(flow) is Step.TITLE
    assert flow.title == "Vélo"
    with pytest.raises(KioskError) as error:
        flow.set_title(" x ")
    assert error.value.code == "listing.invalid_title" and step_of(flow) is Step.TITLE
    flow.set_title("Régler ses freins")
    assert (step_of(flow), flow.title) == (Step.PARTNERS, "Régler ses freins")
    # A typed title survives a change of sub-theme; a prefilled one follows it.
    flow.back()
    flow.back()
    flow.choose_theme("reparation.bois")
    assert flow.title == "Régler ses freins"


def test_services_list_the_helping_theme_first(demo: Services) -> None:
    flow = new_flow(demo, "Karim")
    flow.choose_kind(Kind.SERVICE_GIVEN)
    assert step_of(flow) is Step.THEME  # Karim's only listing is a request: nothing fits a service given
    assert flow.top_themes()[0].id == "entraide"
    flow.back()
    flow.choose_kind(Kind.TAUGHT)
    assert flow.top_themes()[0].id == "cuisine"


def test_back_walks_the_path_taken_and_keeps_every_entry(demo: Services) -> None:
    flow = new_flow(demo, "Karim")
    inès = member(demo, "Inès")
    flow.choose_kind(Kind.LEARNED)
    assert step_of(flow) is Step.LISTING  # Karim's request fits « J'ai appris »
    flow.other_theme()
    flow.choose_top_theme("numerique")
    flow.choose_theme("numerique.smartphone")
    flow.set_title("Envoyer des photos")
    flow.partner_tapped(inès)
    flow.adjust_duration(+30)
    flow.choose_day(1)
    flow.duration_done()
    assert step_of(flow) is Step.SUMMARY
    walked = []
    while flow.back():
        walked.append(step_of(flow))
    assert walked == [
        Step.DURATION,
        Step.PARTNERS,
        Step.TITLE,
        Step.SUBTHEME,
        Step.THEME,
        Step.LISTING,
        Step.KIND,
    ]
    assert flow.kind is Kind.LEARNED and flow.theme_id == "numerique.smartphone"
    assert flow.title == "Envoyer des photos" and [p.name for p in flow.partners] == ["Inès"]
    assert (flow.duration_min, flow.days_ago) == (90, 1)
    assert flow.has_entries


def test_taps_refuse_the_recorder_and_duplicates_and_confirm_an_absent_partner(demo: Services) -> None:
    flow = new_flow(demo, "Inès")
    karim, yvette = member(demo, "Karim"), member(demo, "Yvette")
    flow.choose_kind(Kind.TAUGHT)
    flow.choose_listing(flow.listings()[0].id)
    assert flow.partner_tapped(flow.recorder) is TapOutcome.OWN_CARD
    assert flow.partners == [] and step_of(flow) is Step.PARTNERS
    flow.search_absent()
    assert flow.search_results(demo.members.find("in")) == [
        found for found in demo.members.find("in") if found.pseudonym != "Inès"
    ]
    with pytest.raises(KioskError):
        flow.pick_absent(flow.recorder)
    assert flow.pick_absent(karim) is TapOutcome.ADDED
    assert step_of(flow) is Step.PARTNERS and flow.waiting_names() == ["Karim"]
    assert flow.partner_tapped(karim) is TapOutcome.NOW_PRESENT  # he came after all
    assert flow.waiting_names() == [] and step_of(flow) is Step.PARTNERS
    assert flow.partner_tapped(karim) is TapOutcome.ALREADY_THERE
    assert flow.partner_tapped(yvette) is TapOutcome.ADDED
    assert step_of(flow) is Step.PARTNERS  # not the first partner: stay for more cards
    assert flow.partner_names() == "Karim et Yvette"
    flow.remove_partner(1)
    assert [p.name for p in flow.partners] == ["Karim"]
    # « Retour » from the partners step goes back to the listings, not into the search
    flow.back()
    assert step_of(flow) is Step.LISTING


def test_an_absent_partner_confirms_or_declines_at_their_next_tap(demo: Services) -> None:
    karim, yvette = member(demo, "Karim"), member(demo, "Yvette")
    results = {}
    for answer in ("confirm", "decline"):
        flow = new_flow(demo, "Yvette")
        flow.choose_kind(Kind.TAUGHT)
        flow.choose_listing(flow.listings()[0].id)
        flow.search_absent()
        flow.pick_absent(karim)
        flow.partners_done()
        flow.choose_duration(90)
        assert flow.waiting_names() == ["Karim"]
        exchange = flow.save(demo)
        assert exchange.status is ExchangeStatus.PENDING
        assert exchange.id in [item.id for item in demo.exchanges.pending_for(karim.id)]
        answered = getattr(demo.exchanges, answer)(exchange.id, karim.id)
        results[answer] = answered
        assert exchange.id not in [item.id for item in demo.exchanges.pending_for(karim.id)]
    assert results["confirm"].status is ExchangeStatus.CONFIRMED
    declined = {p.pseudonym: p.confirmation for p in results["decline"].participants}
    assert declined == {"Yvette": Confirmation.CONFIRMED, "Karim": Confirmation.DECLINED}
    assert results["decline"].status is not ExchangeStatus.CONFIRMED
    assert yvette.id in {p.member_id for p in results["decline"].participants}


def test_a_workshop_with_five_learners_tapping(demo: Services) -> None:
    flow = new_flow(demo, "Fatoumata")
    learners = [member(demo, name) for name in ("Karim", "Yvette", "Inès", "Nguyen", "Élodie")]
    flow.choose_kind(Kind.TAUGHT)
    flow.choose_listing(flow.listings()[0].id)
    for learner in learners:
        assert flow.partner_tapped(learner) is TapOutcome.ADDED
    assert step_of(flow) is Step.DURATION  # the first card moved on; the others joined on the way
    flow.choose_duration(120)
    assert plain(flow.summary()).startswith(
        "Vous avez transmis « Bien débuter avec sa machine à coudre » à Karim,"
    )
    exchange = flow.save(demo)
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert len(exchange.side(ParticipantRole.LEARNER)) == 5
    assert {p.confirmation for p in exchange.participants} == {Confirmation.CONFIRMED}


def test_a_passer_by_without_a_card_is_vouched_for(demo: Services) -> None:
    flow = new_flow(demo, "Karim")
    flow.choose_kind(Kind.SERVICE_GIVEN)
    flow.choose_top_theme("entraide")
    flow.choose_theme("entraide.demenagement")
    flow.set_title("Monter une armoire")
    flow.add_guest_step()
    assert step_of(flow) is Step.GUEST
    with pytest.raises(KioskError):
        flow.add_guest("  7 ")
    flow.add_guest("  Paulette  ")
    assert step_of(flow) is Step.PARTNERS and flow.partners[0].guest
    flow.partners_done()
    assert step_of(flow) is Step.DURATION
    with pytest.raises(KioskError) as error:
        flow.duration_done()  # nothing chosen yet
    assert error.value.kind is NO_DURATION and step_of(flow) is Step.DURATION
    flow.adjust_duration(-15)
    assert flow.duration_min == 45
    flow.duration_done()
    assert plain(flow.summary()) == (
        "Vous avez rendu service à Paulette : « Monter une armoire », 45 min, aujourd’hui."
    )
    exchange = flow.save(demo)
    assert exchange.kind is ExchangeKind.SERVICE and exchange.status is ExchangeStatus.CONFIRMED
    guest = exchange.side(ParticipantRole.LEARNER)[0]
    assert (guest.member_id, guest.guest_name) == (None, "Paulette")


def test_missing_answers_are_refused_with_a_reason(demo: Services) -> None:
    flow = new_flow(demo, "Yvette")
    before = demo.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
    with pytest.raises(KioskError) as error:
        flow.save(demo)
    assert error.value.code == "record.not_ready"
    flow.choose_kind(Kind.TAUGHT)
    flow.choose_listing(flow.listings()[0].id)
    with pytest.raises(KioskError) as error:
        flow.partners_done()
    assert error.value.kind is NO_PARTNER and step_of(flow) is Step.PARTNERS
    with pytest.raises(KioskError):
        flow.save(demo)
    assert demo.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0] == before


def test_duration_steps_stay_within_bounds_and_the_day_goes_back(demo: Services) -> None:
    flow = new_flow(demo, "Karim")
    flow.adjust_duration(+15)
    assert flow.duration_min == 75  # from one hour, the usual length
    for _ in range(100):
        flow.adjust_duration(-15)
    assert flow.duration_min == 15
    for _ in range(100):
        flow.adjust_duration(+15)
    assert flow.duration_min == 12 * 60
    flow.choose_day(99)
    assert flow.days_ago == 3
    assert flow.day_moment() == NOW - timedelta(days=3)
    assert day_text(3, flow.day_moment()) == "le dimanche 22 novembre"
    assert [day_choice_text(n, NOW - timedelta(days=n)) for n in range(4)] == [
        "Aujourd’hui",
        "Hier",
        "Avant-hier",
        "Dimanche 22",
    ]
    assert [duration_text(m) for m in (15, 60, 90, 180)] == ["15 min", "1 h", "1 h 30", "3 h"]


def test_a_past_day_is_recorded_on_that_day_and_saving_twice_records_once(demo: Services) -> None:
    flow = new_flow(demo, "Yvette")
    flow.choose_kind(Kind.TAUGHT)
    flow.choose_listing(flow.listings()[0].id)
    flow.partner_tapped(member(demo, "Karim"))
    flow.choose_day(1)
    flow.choose_duration(30)
    before = demo.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
    first = flow.save(demo)
    assert flow.save(demo) == first
    assert demo.store.conn.execute("SELECT count(*) FROM exchanges").fetchone()[0] == before + 1
    assert first.occurred_at.startswith((NOW - timedelta(days=1)).date().isoformat())
    assert not flow.has_entries  # saved: leaving asks nothing


def test_the_summary_and_a_prefilled_title_follow_the_language(demo: Services) -> None:
    flow = new_flow(demo, "Karim")
    flow.choose_kind(Kind.LEARNED)
    flow.other_theme()
    flow.choose_top_theme("jardinage")
    flow.choose_theme("jardinage.potager")
    flow.set_title(flow.title)
    flow.partner_tapped(member(demo, "Nguyen"))
    flow.partner_tapped(member(demo, "Yvette"))
    flow.choose_day(3)
    flow.choose_duration(60)
    assert plain(flow.summary()) == (
        "Vous avez appris « Potager » avec Nguyen et Yvette, 1 h, le dimanche 22 novembre."
    )
    i18n.set_language("en")
    flow.refresh_language()
    assert flow.title == "Vegetable garden"
    assert "1\u00a0h," in flow.summary()  # never « 1 » at a line's end and « h » on the next
    assert plain(flow.summary()) == (
        "You learned “Vegetable garden” with Nguyen and Yvette, 1 h, on Sunday 22 November."
    )
