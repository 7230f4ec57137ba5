"""Moderation by a librarian: hide a listing with a reason, restore it; the librarian's lists of listings and
exchanges; a lost card replaced in one go; what an erasure will remove. Real stores, replayed journals."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import (
    CardStatus,
    ExchangeKind,
    Identified,
    ListingKind,
    ListingStatus,
    Member,
    ParticipantRole,
    Partner,
    Role,
)
from kiosk.errors import KioskError
from kiosk.replay import Snapshot, snapshot
from kiosk.services import Services, open_services
from kiosk.store import Store
from kiosk.store.schema import APPLICATION_ID, MIGRATIONS
from tests.checks import differences, replayed_snapshot

# Tables that no event produces and a replay therefore leaves empty: the kiosk's admin PINs (local only).
LOCAL_ONLY = ("admin_pins", "admin_pin_failures")


def state(snap: Snapshot) -> Snapshot:
    return {table: rows for table, rows in snap.items() if table not in LOCAL_ONLY}


@pytest.fixture
def people(services: Services) -> dict[str, Member]:
    register = services.members.register
    return {
        "lib": register("Sandrine", "Belleville", roles=(Role.LIBRARIAN,)),
        "ani": register("Élodie", "Belleville", roles=(Role.ANIMATOR,)),
        "karim": register("Karim", "Belleville"),
        "ines": register("Inès", "Ménilmontant"),
    }


def test_a_hidden_listing_leaves_board_search_matches_and_notices(
    services: Services, people: dict[str, Member]
) -> None:
    listings = services.listings
    offer = listings.publish(people["karim"].id, ListingKind.OFFER, "reparation.velo", "Réparer son vélo")
    request = listings.publish(people["ines"].id, ListingKind.REQUEST, "reparation.velo", "Apprendre le vélo")
    listings.express_interest(offer.id, people["ines"].id)
    assert [x.id for x in listings.search("velo", kind=ListingKind.OFFER)] == [offer.id]
    assert services.stats.overview().active_offers == 1

    hidden = listings.hide(offer.id, people["lib"].id, "  Annonce  commerciale ")
    assert hidden.status is ListingStatus.HIDDEN
    assert hidden.hidden_reason == "Annonce commerciale"
    assert listings.search("velo", kind=ListingKind.OFFER) == []
    assert listings.search() == [listings.get(request.id)]
    assert offer.id not in [x.id for x in listings.matches(request.id)]
    assert listings.interests_for(people["karim"].id) == []
    assert services.stats.overview().active_offers == 0
    journaled = services.store.query("SELECT type, payload FROM journal WHERE type = 'listing.hidden'")
    assert len(journaled) == 1 and "Annonce commerciale" in journaled[0]["payload"]

    restored = listings.restore(offer.id, people["lib"].id)
    assert restored.status is ListingStatus.ACTIVE
    assert restored.hidden_reason is None
    assert [x.id for x in listings.search("velo", kind=ListingKind.OFFER)] == [offer.id]
    assert [x.id for x in listings.matches(request.id)] == [offer.id]
    assert len(listings.interests_for(people["karim"].id)) == 1


def test_moderation_is_for_librarians_and_says_why(services: Services, people: dict[str, Member]) -> None:
    offer = services.listings.publish(people["karim"].id, ListingKind.OFFER, "cuisine", "Couscous maison")
    for actor in ("ani", "karim"):
        with pytest.raises(KioskError) as refused:
            services.listings.hide(offer.id, people[actor].id, "raison")
        assert refused.value.code == "auth.librarians_only"
    with pytest.raises(KioskError) as no_reason:
        services.listings.hide(offer.id, people["lib"].id, "   ")
    assert no_reason.value.code == "listing.hide_reason_required"
    assert "masquée" in no_reason.value.text("fr") and "hidden" in no_reason.value.text("en")
    with pytest.raises(KioskError) as not_hidden:
        services.listings.restore(offer.id, people["lib"].id)
    assert not_hidden.value.code == "listing.not_hidden"
    services.listings.hide(offer.id, people["lib"].id, "Doublon")
    with pytest.raises(KioskError) as twice:
        services.listings.hide(offer.id, people["lib"].id, "Doublon")
    assert twice.value.code == "listing.not_active"
    with pytest.raises(KioskError) as animator_restores:
        services.listings.restore(offer.id, people["ani"].id)
    assert animator_restores.value.code == "auth.librarians_only"
    assert services.listings.get(offer.id).status is ListingStatus.HIDDEN


def test_for_moderation_lists_active_and_hidden_newest_first(
    services: Services, clock: FixedClock, people: dict[str, Member]
) -> None:
    publish = services.listings.publish
    old = publish(people["karim"].id, ListingKind.OFFER, "reparation.velo", "Crevaison réparée")
    clock.advance(minutes=5)
    gone = publish(people["karim"].id, ListingKind.OFFER, "cuisine", "Pâtisserie orientale")
    services.listings.withdraw(gone.id, people["karim"].id)
    clock.advance(minutes=5)
    hidden = publish(people["ines"].id, ListingKind.REQUEST, "cuisine", "Crème brûlée")
    services.listings.hide(hidden.id, people["lib"].id, "Hors sujet")
    listed = services.listings.for_moderation()
    assert [x.id for x in listed] == [hidden.id, old.id]  # the withdrawn one is not the librarian's business
    assert listed[0].hidden_reason == "Hors sujet" and listed[1].hidden_reason is None
    assert [x.id for x in services.listings.for_moderation("creme")] == [hidden.id]  # accents ignored
    assert [x.id for x in services.listings.for_moderation("KARIM")] == [old.id]  # the owner's pseudonym
    assert [x.id for x in services.listings.for_moderation("ines")] == [hidden.id]
    assert services.listings.for_moderation("100%_") == []  # LIKE wildcards are plain text
    assert len(services.listings.for_moderation(limit=1)) == 1


def test_hidden_and_restored_survive_a_rebuild_from_the_journal(
    services: Services, config: Config, tmp_path: Path, people: dict[str, Member]
) -> None:
    listings = services.listings
    one = listings.publish(people["karim"].id, ListingKind.OFFER, "reparation.velo", "Vélo")
    two = listings.publish(people["ines"].id, ListingKind.REQUEST, "cuisine", "Gâteaux")
    three = listings.publish(people["ines"].id, ListingKind.OFFER, "cuisine", "Tajine")
    listings.hide(one.id, people["lib"].id, "Publicité")
    listings.hide(two.id, people["lib"].id, "Erreur")
    listings.restore(two.id, people["lib"].id)
    listings.withdraw(three.id, people["ani"].id, "Ancienne modération")  # the older way to hide
    services.admin.set_pin(people["lib"].id, "2468")
    replayed = replayed_snapshot(services.store, config, tmp_path / "replay")
    own = state(snapshot(services.store))
    assert state(replayed) == own, differences(own, state(replayed))
    rows = {row[0]: row for row in own["listings"]}
    assert listings.get(one.id).hidden_reason == "Publicité"
    assert listings.get(two.id).status is ListingStatus.ACTIVE
    assert listings.get(three.id).hidden_reason == "Ancienne modération"
    assert len(rows) == 3
    assert replayed.get("admin_pins", []) == []  # a PIN never comes from the journal


def test_erasure_blanks_a_hidden_listing_and_its_reason(
    services: Services, people: dict[str, Member]
) -> None:
    offer = services.listings.publish(people["karim"].id, ListingKind.OFFER, "cuisine", "Tajine")
    services.listings.hide(offer.id, people["lib"].id, "Karim l’a demandé")
    services.members.erase(people["karim"].id, people["lib"].id)
    erased = services.listings.get(offer.id)
    assert (erased.status, erased.title, erased.hidden_reason) == (ListingStatus.WITHDRAWN, "", None)
    with pytest.raises(KioskError) as refused:
        services.listings.restore(offer.id, people["lib"].id)
    assert refused.value.code == "listing.not_hidden"


def test_a_v6_store_upgrades_with_its_hidden_listings_and_check_ins(tmp_path: Path) -> None:
    """A kiosk of the previous version, with a listing hidden by the old withdrawal: its reason is kept."""
    path = tmp_path / "kiosk.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for target in range(1, 7):
        conn.execute("BEGIN IMMEDIATE")
        MIGRATIONS[target - 1](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    at = "2026-03-14T10:30:00.000+01:00"
    conn.execute(
        "INSERT INTO members (id, collective_id, pseudonym, pseudonym_key, quartier, roles, languages,"
        " registered_at) VALUES ('m1', 'c', 'Karim', 'karim', 'Belleville', '[\"member\"]', '[]', ?)",
        (at,),
    )
    for listing_id, status, reason in (
        ("l1", "hidden", "Publicité"),
        ("l2", "withdrawn", "Fait"),
        ("l3", "active", None),
    ):
        conn.execute(
            "INSERT INTO listings (id, member_id, kind, theme_id, title, format, status, published_at,"
            " closed_reason) VALUES (?, 'm1', 'offer', 'cuisine', 'Titre', 'individual', ?, ?, ?)",
            (listing_id, status, at, reason),
        )
    conn.execute(
        "INSERT INTO workshops (id, title, theme_id, starts_at, duration_min, site_id, capacity,"
        " animator_ids, status) VALUES ('w1', 'Atelier', 'cuisine', ?, 60, 's', 5, '[\"m1\"]', 'scheduled')",
        (at,),
    )
    conn.execute(
        "INSERT INTO workshop_attendance (workshop_id, attendee, member_id, checked_in_at)"
        " VALUES ('w1', 'm1', 'm1', ?)",
        (at,),
    )
    conn.close()
    store = Store.open(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        reasons = dict(store.conn.execute("SELECT id, hidden_reason FROM listings").fetchall())
        assert reasons == {"l1": "Publicité", "l2": None, "l3": None}
        assert store.conn.execute("SELECT hlc FROM workshop_attendance").fetchall() == [("",)]
        assert store.conn.execute("SELECT count(*) FROM admin_pins").fetchone()[0] == 0
        assert store.integrity_check() == ["ok"]
    finally:
        store.close()


# The librarian's other lists ------------------------------------------------------------------------


def record(services: Services, by: Member, to: Member, title: str, minutes: int = 60) -> str:
    partners = [
        Partner(ParticipantRole.TRANSMITTER, by.id),
        Partner(ParticipantRole.LEARNER, to.id, present=True),
    ]
    return services.exchanges.record(by.id, ExchangeKind.KNOWLEDGE, "cuisine", title, minutes, partners).id


def test_recent_exchanges_newest_first_with_an_accent_blind_search(
    services: Services, clock: FixedClock, people: dict[str, Member]
) -> None:
    first = record(services, people["karim"], people["ines"], "Crème brûlée")
    clock.advance(hours=1)
    guest = [
        Partner(ParticipantRole.TRANSMITTER, people["ines"].id),
        Partner(ParticipantRole.LEARNER, guest_name="Zoé"),
    ]
    second = services.exchanges.record(
        people["ines"].id, ExchangeKind.SERVICE, "cuisine", "Courses", 30, guest
    ).id
    clock.advance(hours=1)
    third = record(services, people["ani"], people["karim"], "Tajine")
    services.exchanges.cancel(third, people["lib"].id, "Doublon")
    recent = services.exchanges.recent
    assert [e.id for e in recent()] == [third, second, first]
    assert [e.id for e in recent(limit=2)] == [third, second]
    assert [e.id for e in recent(query="CREME brulee")] == [first]
    assert [e.id for e in recent(query="ines")] == [second, first]  # Inès took part in both
    assert [e.id for e in recent(query="zoe")] == [second]  # a guest's first name
    assert [e.id for e in recent(query="elodie")] == [third]
    assert recent(query="%") == []
    services.members.erase(people["karim"].id, people["lib"].id)
    assert [e.id for e in recent(query="karim")] == []  # erased: no longer found by name
    assert [e.id for e in recent(query="tajine")] == [third]


def test_erasure_preview_says_what_goes_and_what_stays(services: Services, people: dict[str, Member]) -> None:
    karim = people["karim"]
    record(services, karim, people["ines"], "Vélo", 90)
    record(services, people["ines"], karim, "Anglais", 45)
    cancelled = record(services, people["ani"], people["karim"], "Couture")
    services.exchanges.cancel(cancelled, people["lib"].id, "Erreur")
    services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Tajine")
    hidden = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Pub")
    services.listings.hide(hidden.id, people["lib"].id, "Publicité")
    gone = services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Ancien")
    services.listings.withdraw(gone.id, karim.id)
    services.cards.enrol(services.cards.read(b"\x04\x01\x02\x03\x04\x05\x06"), karim.id, people["lib"].id)
    preview = services.members.erasure_preview(karim.id)
    assert (preview.pseudonym, preview.exchanges, preview.hours, preview.listings, preview.cards) == (
        "Karim",
        2,
        2.25,
        2,
        1,
    )
    services.members.erase(karim.id, people["lib"].id)
    with pytest.raises(KioskError) as erased:
        services.members.erasure_preview(karim.id)
    assert erased.value.code == "member.erased"


# Cards ------------------------------------------------------------------------------------------


def test_a_lost_card_is_revoked_and_replaced_in_one_go(services: Services, people: dict[str, Member]) -> None:
    cards, lib = services.cards, people["lib"]
    old = cards.read(b"\x04\xaa\x02\x03\x04\x05\x06")
    new = cards.read(b"\x04\xbb\x02\x03\x04\x05\x06")
    cards.enrol(old, people["karim"].id, lib.id)
    replacement = cards.replace(old.uid_hash, new, lib.id)
    assert (replacement.member_id, replacement.status) == (people["karim"].id, CardStatus.ACTIVE)
    assert cards.identify(old).outcome is Identified.REVOKED
    assert cards.identify(new).member == services.members.get(people["karim"].id)
    revoked = services.store.query_one("SELECT revoke_reason FROM cards WHERE uid_hash = ?", (old.uid_hash,))
    assert revoked is not None and revoked["revoke_reason"] == "Carte perdue"


def test_a_replacement_already_someone_elses_changes_nothing(
    services: Services, people: dict[str, Member]
) -> None:
    cards, lib = services.cards, people["lib"]
    old = cards.read(b"\x04\xaa\x02\x03\x04\x05\x06")
    ines_card = cards.read(b"\x04\xcc\x02\x03\x04\x05\x06")
    cards.enrol(old, people["karim"].id, lib.id)
    cards.enrol(ines_card, people["ines"].id, lib.id)
    events = services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    with pytest.raises(KioskError) as refused:
        cards.replace(old.uid_hash, ines_card, lib.id)
    assert refused.value.code == "card.already_enrolled"
    assert refused.value.params["pseudonym"] == "Inès"  # for the librarian's eyes
    assert "Inès" in refused.value.text("fr")
    assert cards.get(old.uid_hash).status is CardStatus.ACTIVE  # the revocation was rolled back with it
    assert services.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == events
    with pytest.raises(KioskError) as plain_member:
        cards.replace(old.uid_hash, cards.read(b"\x04\xdd\x02\x03\x04\x05\x06"), people["ines"].id)
    assert plain_member.value.code == "auth.not_allowed"


def test_reopened_services_keep_moderation(
    config: Config, clock: FixedClock, people: dict[str, Member], services: Services
) -> None:
    offer = services.listings.publish(people["karim"].id, ListingKind.OFFER, "cuisine", "Tajine")
    services.listings.hide(offer.id, people["lib"].id, "Doublon")
    again = open_services(config, FixedClock(clock.current + timedelta(days=1)))
    try:
        assert again.listings.get(offer.id).hidden_reason == "Doublon"
        assert again.listings.search("tajine") == []
    finally:
        again.close()
