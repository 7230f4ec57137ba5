"""Members and cards through the services: sign-up rules, identification outcomes, erasure."""

from __future__ import annotations

import json

import pytest

from kiosk.cardid import CardRead, is_random_uid, uid_hash
from kiosk.domain import Consent, Identified, ListingKind, Role
from kiosk.errors import KioskError
from kiosk.services import Services

KARIM_UID = bytes.fromhex("04A1B2C3D4E5F6")


def test_register_keeps_pseudonym_and_quartier_only_by_default(services: Services) -> None:
    member = services.members.register("  Karim   B. ", "Les Hauts")
    assert member.pseudonym == "Karim B."
    assert member.quartier == "Les Hauts"
    assert member.contact is None and member.consent_at is None
    assert member.roles == (Role.MEMBER,)


def test_contact_needs_recorded_consent(services: Services) -> None:
    with pytest.raises(KioskError) as refused:
        services.members.register("Josiane", "Centre", contact="06 12 34 56 78")
    assert refused.value.code == "member.consent_required"
    consent = Consent(text_version="2026-1", given_at="2026-11-25T10:00+01:00")
    member = services.members.register("Josiane", "Centre", contact="06 12 34 56 78", consent=consent)
    assert member.contact == "06 12 34 56 78"
    assert member.consent_at == consent.given_at


def test_pseudonyms_are_unique_without_accents_or_case(services: Services) -> None:
    services.members.register("Élodie", "Centre")
    with pytest.raises(KioskError) as taken:
        services.members.register("elodie", "Les Hauts")
    assert taken.value.code == "member.pseudonym_taken"
    assert "elodie" in taken.value.text()


@pytest.mark.parametrize("pseudonym", ["", "x", "   ", "a" * 41, "!!"])
def test_bad_pseudonyms_are_refused(services: Services, pseudonym: str) -> None:
    with pytest.raises(KioskError) as refused:
        services.members.register(pseudonym, "Centre")
    assert refused.value.code == "member.invalid_pseudonym"


def test_identify_member_unknown_revoked_and_random(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    card = services.cards.read(KARIM_UID)
    assert services.cards.identify(card).outcome is Identified.UNKNOWN
    services.cards.enrol(card, karim.id)
    found = services.cards.identify(card)
    assert found.outcome is Identified.MEMBER and found.member is not None
    assert found.member.pseudonym == "Karim"
    services.cards.revoke(card.uid_hash, "carte perdue")
    assert services.cards.identify(card).outcome is Identified.REVOKED
    phone = services.cards.read(bytes.fromhex("08AABBCC"))
    assert phone.random_uid
    assert services.cards.identify(phone).outcome is Identified.RANDOM_UID


def test_uid_is_never_stored_raw(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    services.cards.enrol(services.cards.read(KARIM_UID), karim.id)
    raw = KARIM_UID.hex()
    dump = "\n".join(services.store.conn.iterdump()).lower()
    assert raw.lower() not in dump
    assert uid_hash(services.ctx.card_key, KARIM_UID) in dump


def test_card_enrolled_to_someone_else_names_them(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    ines = services.members.register("Inès", "Centre")
    card = services.cards.read(KARIM_UID)
    services.cards.enrol(card, karim.id)
    with pytest.raises(KioskError) as refused:
        services.cards.enrol(card, ines.id)
    assert refused.value.code == "card.already_enrolled"
    assert "Karim" in refused.value.text()


def test_revoked_card_cannot_be_enrolled_again(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    card = services.cards.read(KARIM_UID)
    services.cards.enrol(card, karim.id)
    services.cards.revoke(card.uid_hash, "perdue")
    with pytest.raises(KioskError) as refused:
        services.cards.enrol(card, karim.id)
    assert refused.value.code == "card.revoked"


def test_random_uid_cannot_be_enrolled(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    with pytest.raises(KioskError) as refused:
        services.cards.enrol(CardRead("ab" * 32, random_uid=True), karim.id)
    assert refused.value.code == "card.random_uid"


def test_random_uid_rule() -> None:
    assert is_random_uid(bytes.fromhex("08010203"))
    assert not is_random_uid(bytes.fromhex("04010203"))
    assert not is_random_uid(bytes.fromhex("08010203040506"))  # 7-byte UIDs are fixed


def test_only_staff_enrol_for_others(services: Services) -> None:
    karim = services.members.register("Karim", "Les Hauts")
    ines = services.members.register("Inès", "Centre")
    with pytest.raises(KioskError) as refused:
        services.cards.enrol(services.cards.read(KARIM_UID), karim.id, actor_id=ines.id)
    assert refused.value.code == "auth.not_allowed"
    librarian = services.members.register("Mme Diallo", "Centre", roles=(Role.LIBRARIAN,))
    card = services.cards.enrol(services.cards.read(KARIM_UID), karim.id, actor_id=librarian.id)
    assert card.member_id == karim.id


def test_erasure_removes_personal_data_and_keeps_counts(services: Services) -> None:
    consent = Consent("2026-1", "2026-11-25T10:00+01:00")
    yvette = services.members.register(
        "Yvette", "Centre", contact="yvette@example.org", consent=consent, languages=("fr", "pt")
    )
    karim = services.members.register("Karim", "Les Hauts")
    services.cards.enrol(services.cards.read(KARIM_UID), yvette.id)
    services.listings.publish(yvette.id, ListingKind.OFFER, "cuisine.monde", "Cuisine portugaise de Yvette")
    from kiosk.domain import ExchangeKind, ParticipantRole, Partner

    services.exchanges.record(
        karim.id,
        ExchangeKind.SERVICE,
        "entraide.courses",
        "Courses du samedi",
        60,
        [
            Partner(ParticipantRole.TRANSMITTER, karim.id),
            Partner(ParticipantRole.LEARNER, yvette.id, present=True),
        ],
    )
    services.members.erase(yvette.id, actor_id=yvette.id)

    erased = services.members.get(yvette.id)
    assert erased.is_erased and erased.contact is None and erased.languages == ()
    assert "Yvette" not in erased.pseudonym
    assert services.cards.identify(services.cards.read(KARIM_UID)).outcome is Identified.REVOKED
    assert services.listings.search("portugaise") == []
    summary = services.exchanges.summary(yvette.id)
    assert summary.exchanges_received == 1 and summary.minutes_received == 60
    journal_text = " ".join(row[0] for row in services.store.conn.execute("SELECT payload FROM journal"))
    assert "yvette@example.org" not in journal_text
    assert "Yvette" not in journal_text
    registered = services.store.conn.execute(
        "SELECT payload FROM journal WHERE type = 'member.registered'"
        " AND json_extract(payload, '$.member_id') = ?",
        (yvette.id,),
    ).fetchone()
    assert json.loads(registered[0])["pseudonym"] == ""


def test_erasure_by_someone_else_needs_a_librarian(services: Services) -> None:
    yvette = services.members.register("Yvette", "Centre")
    karim = services.members.register("Karim", "Les Hauts")
    with pytest.raises(KioskError) as refused:
        services.members.erase(yvette.id, actor_id=karim.id)
    assert refused.value.code == "auth.librarians_only"
    librarian = services.members.register("Mme Diallo", "Centre", roles=(Role.LIBRARIAN,))
    services.members.erase(yvette.id, actor_id=librarian.id)
    assert services.members.get(yvette.id).is_erased
    # The pseudonym is free again once its holder is erased.
    assert services.members.register("Yvette", "Centre").pseudonym == "Yvette"


def test_find_members_by_pseudonym_ignoring_accents(services: Services) -> None:
    services.members.register("Élodie", "Centre")
    services.members.register("Mélodie", "Centre")
    services.members.register("Karim", "Les Hauts")
    found = [member.pseudonym for member in services.members.find("elo")]
    assert found == ["Élodie", "Mélodie"]
