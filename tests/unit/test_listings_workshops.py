"""The board (search folds accents and case; matching) and workshops (waiting list, check-in)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.clock import FixedClock
from kiosk.domain import ListingFormat, ListingKind, ListingStatus, Role
from kiosk.errors import KioskError
from kiosk.services import Services


def test_search_folds_accents_and_case(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    services.listings.publish(karim.id, ListingKind.OFFER, "reparation.velo", "Réparer son VÉLO")
    services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Crêpes bretonnes")
    assert [x.title for x in services.listings.search("velo")] == ["Réparer son VÉLO"]
    assert [x.title for x in services.listings.search("Vélo")] == ["Réparer son VÉLO"]
    assert [x.title for x in services.listings.search("crepe")] == ["Crêpes bretonnes"]
    # The theme label is searchable too, and a theme filter includes sub-themes.
    assert [x.title for x in services.listings.search("bricolage")] == ["Réparer son VÉLO"]
    assert [x.title for x in services.listings.search(theme_id="reparation")] == ["Réparer son VÉLO"]
    assert services.listings.search("velo", kind=ListingKind.REQUEST) == []


@pytest.mark.parametrize("typed", ['"', "AND", "NEAR(", "*", "'; DROP TABLE listings; --", "ü" * 300])
def test_search_accepts_anything_typed(services: Services, typed: str) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Crêpes")
    assert isinstance(services.listings.search(typed), list)


def test_withdraw_and_moderate(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    ines = services.members.register("Inès", "Centre")
    librarian = services.members.register("Mme Diallo", "Centre", roles=(Role.LIBRARIAN,))
    own = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    other = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Tajine")
    assert services.listings.withdraw(own.id, karim.id).status is ListingStatus.WITHDRAWN
    with pytest.raises(KioskError) as refused:
        services.listings.withdraw(other.id, ines.id)
    assert refused.value.code == "auth.not_allowed"
    assert services.listings.withdraw(other.id, librarian.id, "hors sujet").status is ListingStatus.HIDDEN
    assert services.listings.search("couscous") == [] and services.listings.search("tajine") == []
    with pytest.raises(KioskError):
        services.listings.withdraw(other.id, librarian.id)


def test_matches_requests_with_offers(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    elodie = services.members.register("Élodie", "Centre")
    josiane = services.members.register("Josiane", "Centre")
    request = services.listings.publish(
        elodie.id, ListingKind.REQUEST, "reparation.velo", "Apprendre à réparer un vélo"
    )
    exact = services.listings.publish(karim.id, ListingKind.OFFER, "reparation.velo", "Freins et dérailleur")
    words = services.listings.publish(josiane.id, ListingKind.OFFER, "sport.marche", "Balades à vélo")
    family = services.listings.publish(karim.id, ListingKind.OFFER, "reparation.bois", "Menuiserie")
    services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Couscous")
    services.listings.publish(elodie.id, ListingKind.OFFER, "reparation.velo", "Mon offre")  # own
    found = [x.id for x in services.listings.matches(request.id)]
    assert found[0] == exact.id
    assert set(found) == {exact.id, words.id, family.id}


def test_workshop_waiting_list_and_check_in(services: Services, clock: FixedClock) -> None:
    animator = services.members.register("Nguyen", "Centre", roles=(Role.ANIMATOR,))
    plain = services.members.register("Lucas", "Centre")
    with pytest.raises(KioskError):
        services.workshops.schedule(
            plain.id, "Atelier", "cuisine", clock.now() + timedelta(days=3), 90, 2, [plain.id]
        )
    workshop = services.workshops.schedule(
        animator.id,
        "Réparer son vélo",
        "reparation.velo",
        clock.now() + timedelta(days=3),
        120,
        2,
        [animator.id],
        place="Cour de la MJC",
    )
    assert services.workshops.upcoming()[0].id == workshop.id
    people = [services.members.register(f"Voisin {n}", "Centre") for n in range(3)]
    results = []
    for person in people:
        results.append(services.workshops.register(workshop.id, person.id))
        clock.advance(seconds=1)
    assert [r.waiting_list for r in results] == [False, False, True]
    with pytest.raises(KioskError) as twice:
        services.workshops.register(workshop.id, people[0].id)
    assert twice.value.code == "workshop.already_registered"
    services.workshops.unregister(workshop.id, people[0].id)
    promoted = services.workshops.registration(workshop.id, people[2].id)
    assert not promoted.waiting_list
    assert services.workshops.get(workshop.id).registered == 2

    assert services.workshops.check_in(workshop.id, people[1].id) == 1
    assert services.workshops.check_in(workshop.id, people[1].id) == 1  # a second tap counts once
    assert services.workshops.check_in(workshop.id) == 2  # a guest
    assert services.workshops.attendees(workshop.id) == [people[1].id]


def test_listing_format_and_validation(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    listing = services.listings.publish(
        karim.id, ListingKind.OFFER, "arts.musique", "Guitare en groupe", format=ListingFormat.WORKSHOP
    )
    assert listing.format is ListingFormat.WORKSHOP
    with pytest.raises(KioskError) as title:
        services.listings.publish(karim.id, ListingKind.OFFER, "arts", "x")
    assert title.value.code == "listing.invalid_title"
    with pytest.raises(KioskError) as description:
        services.listings.publish(karim.id, ListingKind.OFFER, "arts", "Peinture", "d" * 1001)
    assert description.value.code == "listing.invalid_description"
