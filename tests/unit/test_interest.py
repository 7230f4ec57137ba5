"""« Ça m'intéresse »: recorded once, refused on one's own or a withdrawn listing, shown to the owner newest
first until seen — at every kiosk of the collective — and the matches for a member's own requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import journal
from kiosk.clock import FixedClock
from kiosk.config import Config, with_data_dir
from kiosk.domain import ListingKind, Member, Role
from kiosk.errors import KioskError
from kiosk.services import Services, open_services
from sync_client.engine import apply_remote
from sync_client.protocol import REQUIRED_KEYS, Envelope
from tests.checks import check_all

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def karim(services: Services) -> Member:
    return services.members.register("Karim", "Pleyel")


@pytest.fixture
def elodie(services: Services) -> Member:
    return services.members.register("Élodie", "Floréal")


def events_of(services: Services, event_type: str) -> list[dict[str, object]]:
    rows = services.store.conn.execute(
        "SELECT payload FROM journal WHERE type = ? ORDER BY pos", (event_type,)
    ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_an_interest_is_recorded_once_and_shown_to_the_owner(
    services: Services, karim: Member, elodie: Member
) -> None:
    offer = services.listings.publish(karim.id, ListingKind.OFFER, "reparation.velo", "Régler ses freins")
    interest = services.listings.express_interest(offer.id, elodie.id)
    assert (interest.listing_id, interest.member_id, interest.seen) == (offer.id, elodie.id, False)
    assert interest.expressed_at == "2026-11-25T09:00:00.000Z"  # 10:00 in Paris, as UTC text
    again = services.listings.express_interest(offer.id, elodie.id)
    assert again == interest
    assert events_of(services, "listing.interest_expressed") == [
        {"interest_id": interest.id, "listing_id": offer.id, "member_id": elodie.id}
    ]
    assert services.listings.interest_of(offer.id, elodie.id) == interest
    assert services.listings.interest_of(offer.id, karim.id) is None
    [notice] = services.listings.interests_for(karim.id)
    assert (notice.interest_id, notice.listing_id, notice.listing_title, notice.listing_kind) == (
        interest.id,
        offer.id,
        "Régler ses freins",
        ListingKind.OFFER,
    )
    assert (notice.member_id, notice.pseudonym, notice.seen) == (elodie.id, "Élodie", False)
    assert services.listings.interests_for(elodie.id) == []  # notices go to the listing's owner only


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("own", "listing.own_interest"),
        ("withdrawn", "listing.not_active"),
        ("hidden", "listing.not_active"),
        ("unknown listing", "listing.not_found"),
        ("erased member", "member.erased"),
    ],
)
def test_refusals_change_nothing(
    services: Services, karim: Member, elodie: Member, case: str, code: str
) -> None:
    offer = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    listing_id, member_id = offer.id, elodie.id
    if case == "own":
        member_id = karim.id
    elif case == "withdrawn":
        services.listings.withdraw(offer.id, karim.id)
    elif case == "hidden":
        librarian = services.members.register("Mme Diallo", "Centre-ville", roles=(Role.LIBRARIAN,))
        services.listings.withdraw(offer.id, librarian.id, "hors sujet")
    elif case == "unknown listing":
        listing_id = "00000000-0000-7000-8000-000000000000"
    else:
        services.members.erase(elodie.id, elodie.id)
    before = services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    with pytest.raises(KioskError) as refused:
        services.listings.express_interest(listing_id, member_id)
    assert refused.value.code == code
    assert services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == before
    assert services.store.conn.execute("SELECT count(*) FROM listing_interests").fetchone()[0] == 0


def test_own_listing_refusal_is_calm_in_both_languages(services: Services, karim: Member) -> None:
    offer = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    with pytest.raises(KioskError) as refused:
        services.listings.express_interest(offer.id, karim.id)
    assert refused.value.text("fr").startswith("C’est votre annonce.")
    assert refused.value.text("en").startswith("This is your own listing.")


def test_notices_are_newest_first_and_leave_out_withdrawn_listings_and_erased_members(
    services: Services, clock: FixedClock, karim: Member, elodie: Member
) -> None:
    josiane = services.members.register("Josiane", "Bel-Air")
    samir = services.members.register("Samir", "La Plaine")
    bike = services.listings.publish(karim.id, ListingKind.OFFER, "reparation.velo", "Freins")
    bread = services.listings.publish(karim.id, ListingKind.REQUEST, "cuisine", "Pain au levain")
    soup = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Soupe")
    for listing, member in [(bike, elodie), (bread, josiane), (bike, samir), (soup, elodie)]:
        services.listings.express_interest(listing.id, member.id)
        clock.advance(minutes=5)
    assert [(n.listing_title, n.pseudonym) for n in services.listings.interests_for(karim.id)] == [
        ("Soupe", "Élodie"),
        ("Freins", "Samir"),
        ("Pain au levain", "Josiane"),
        ("Freins", "Élodie"),
    ]
    assert len(services.listings.interests_for(karim.id, limit=2)) == 2
    services.listings.withdraw(soup.id, karim.id)
    services.members.erase(samir.id, samir.id)
    assert [(n.listing_title, n.pseudonym) for n in services.listings.interests_for(karim.id)] == [
        ("Pain au levain", "Josiane"),
        ("Freins", "Élodie"),
    ]
    # Erasure forgets who was interested in what (nothing in the state links Samir to a listing any more).
    assert not services.store.query("SELECT 1 FROM listing_interests WHERE member_id = ?", (samir.id,))


def test_seen_interests_are_journaled_and_only_new_ones_stay_new(
    services: Services,
    config: Config,
    tmp_path: Path,
    clock: FixedClock,
    karim: Member,
    elodie: Member,
) -> None:
    josiane = services.members.register("Josiane", "Bel-Air")
    offer = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    first = services.listings.express_interest(offer.id, elodie.id)
    assert services.listings.mark_interests_seen(elodie.id) == 0  # nothing for her: no event
    assert events_of(services, "listing.interests_seen") == []
    assert services.listings.mark_interests_seen(karim.id) == 1
    assert events_of(services, "listing.interests_seen") == [
        {"member_id": karim.id, "interest_ids": [first.id]}
    ]
    assert services.listings.mark_interests_seen(karim.id) == 0
    assert len(events_of(services, "listing.interests_seen")) == 1
    clock.advance(minutes=1)
    second = services.listings.express_interest(offer.id, josiane.id)
    assert [(n.pseudonym, n.seen) for n in services.listings.interests_for(karim.id)] == [
        ("Josiane", False),
        ("Élodie", True),
    ]
    assert services.listings.express_interest(offer.id, elodie.id).seen  # saying it again: no new notice
    # The screen marks what it showed: an interest that arrived meanwhile stays new.
    assert services.listings.mark_interests_seen(karim.id, [first.id, "pas-un-id"]) == 0
    assert services.listings.mark_interests_seen(karim.id, [second.id]) == 1
    assert all(n.seen for n in services.listings.interests_for(karim.id))
    check_all(services.store, config, tmp_path / "replay")  # replaying the journal gives the same state


def test_the_new_events_carry_what_the_hub_requires(
    services: Services, karim: Member, elodie: Member
) -> None:
    offer = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    services.listings.express_interest(offer.id, elodie.id)
    services.listings.mark_interests_seen(karim.id)
    events = [e for e in journal.read_all(services.store.conn) if e.type.startswith("listing.interest")]
    assert [e.type for e in events] == ["listing.interest_expressed", "listing.interests_seen"]
    for event in events:
        Envelope.model_validate(event.envelope())
        assert set(REQUIRED_KEYS[event.type]) <= event.payload.keys(), event.type


# Two kiosks of one collective, events carried between them as the sync client applies them ----------


@pytest.fixture
def two_kiosks(config: Config, tmp_path: Path) -> Iterator[tuple[Services, Services, FixedClock, FixedClock]]:
    clock_a = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=PARIS))
    clock_b = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=PARIS))  # an hour behind, offline
    a = open_services(config, clock_a)
    b = open_services(with_data_dir(config, tmp_path / "b"), clock_b)
    yield a, b, clock_a, clock_b
    a.close()
    b.close()


def carry(source: Services, target: Services) -> int:
    """Apply `source`'s own events that `target` lacks, in order (what push and pull do through the hub)."""
    applied = 0
    with target.store.transaction() as conn:
        for event in journal.read_all(source.store.conn):
            if event.kiosk_id == source.kiosk_id:
                outcome = apply_remote(conn, Envelope.model_validate(event.envelope()), "2026-11-25")
                assert outcome in ("applied", "known"), outcome
                applied += outcome == "applied"
    return applied


def test_an_interest_seen_at_one_kiosk_is_not_new_at_another(
    two_kiosks: tuple[Services, Services, FixedClock, FixedClock],
) -> None:
    a, b, _, _ = two_kiosks
    karim = a.members.register("Karim", "Pleyel")
    elodie = a.members.register("Élodie", "Floréal")
    offer = a.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    carry(a, b)
    b.listings.express_interest(offer.id, elodie.id)
    carry(b, a)
    assert [n.seen for n in a.listings.interests_for(karim.id)] == [False]
    a.listings.mark_interests_seen(karim.id)
    assert carry(a, b) == 1
    assert [n.seen for n in b.listings.interests_for(karim.id)] == [True]


def test_the_same_interest_recorded_offline_at_two_kiosks_is_one(
    two_kiosks: tuple[Services, Services, FixedClock, FixedClock],
) -> None:
    a, b, _, _ = two_kiosks
    karim = a.members.register("Karim", "Pleyel")
    elodie = a.members.register("Élodie", "Floréal")
    offer = a.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    carry(a, b)
    at_a = a.listings.express_interest(offer.id, elodie.id)
    at_b = b.listings.express_interest(offer.id, elodie.id)  # earlier by B's clock
    assert at_a.id == at_b.id
    carry(a, b)
    carry(b, a)
    rows_a = a.store.query("SELECT * FROM listing_interests")
    rows_b = b.store.query("SELECT * FROM listing_interests")
    assert [tuple(r) for r in rows_a] == [tuple(r) for r in rows_b]
    assert [r["expressed_at"] for r in rows_a] == ["2026-11-25T08:00:00.000Z"]  # the earliest is kept
    assert len(a.listings.interests_for(karim.id)) == 1


# Matches for a member's own requests --------------------------------------------------------------


def test_matches_for_member_pairs_each_request_with_offers(
    services: Services, clock: FixedClock, karim: Member, elodie: Member
) -> None:
    josiane = services.members.register("Josiane", "Bel-Air")
    bike = services.listings.publish(elodie.id, ListingKind.REQUEST, "reparation.velo", "Réparer mon vélo")
    clock.advance(minutes=1)
    knitting = services.listings.publish(elodie.id, ListingKind.REQUEST, "couture.tricot", "Un bonnet")
    gone = services.listings.publish(elodie.id, ListingKind.REQUEST, "cuisine", "Faire du pain")
    services.listings.withdraw(gone.id, elodie.id)
    services.listings.publish(elodie.id, ListingKind.OFFER, "reparation.velo", "Vélo : mes outils")  # own
    brakes = services.listings.publish(karim.id, ListingKind.OFFER, "reparation.velo", "Freins et dérailleur")
    rides = services.listings.publish(josiane.id, ListingKind.OFFER, "sport.marche", "Balades à vélo")
    services.listings.publish(josiane.id, ListingKind.OFFER, "cuisine", "Pain au levain")
    found = services.listings.matches_for_member(elodie.id)
    assert [(request.id, [offer.id for offer in offers]) for request, offers in found] == [
        (knitting.id, []),
        (bike.id, [brakes.id, rides.id]),
    ]
    assert services.listings.matches_for_member(karim.id) == []  # offers only: no request to match


def test_matching_ignores_short_and_empty_words() -> None:
    """« à » as a prefix matched « au » in every title: matching keeps only words that carry meaning."""
    from kiosk.services.listings import fts_query

    assert fts_query("Apprendre à faire du pain", any_word=True) == '"apprendre"* OR "faire"* OR "pain"*'
    assert fts_query("à la", any_word=True) == ""
    assert fts_query("à", any_word=False) == '"a"*'  # a search keeps the first letter typed
