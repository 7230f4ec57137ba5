"""Members' recognition kept by the projections (schema V4) equals counting their history afresh."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import ExchangeKind, ParticipantRole, Partner, Role
from kiosk.services import Services, open_services
from kiosk.store import Store
from kiosk.store.schema import LATEST_VERSION

T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER
# What migration V4 computes from the exchanges themselves.
AFRESH = (
    "SELECT p.member_id, p.role, e.theme_id, count(*), sum(e.duration_min)"
    " FROM exchange_participants p JOIN exchanges e ON e.id = p.exchange_id"
    " WHERE p.member_id IS NOT NULL AND p.confirmation = 'confirmed' AND e.status = 'confirmed'"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
KEPT = "SELECT member_id, role, theme_id, exchanges, minutes FROM member_recognition ORDER BY 1, 2, 3"


def rows(services: Services, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in services.store.conn.execute(sql)]


def a_busy_history(services: Services, clock: FixedClock) -> dict[str, str]:
    ids = {
        name: services.members.register(name, "Les Hauts", roles=roles).id
        for name, roles in (
            ("Sandrine", (Role.LIBRARIAN,)),
            ("Karim", ()),
            ("Yvette", ()),
            ("Inès", ()),
            ("Lucas", ()),
        )
    }

    def record(giver: str, takers: list[str], present: bool, theme: str, minutes: int) -> str:
        partners = [Partner(T, ids[giver], present=True)]
        partners += [Partner(L, ids[taker], present=present) for taker in takers]
        exchange = services.exchanges.record(
            ids[giver], ExchangeKind.KNOWLEDGE, theme, "Réglage des freins", minutes, partners
        )
        clock.advance(minutes=1)
        return exchange.id

    record("Karim", ["Yvette"], True, "reparation.velo", 60)  # confirmed at once
    later = record("Karim", ["Inès"], False, "reparation.velo", 45)  # confirmed at Inès' next tap
    services.exchanges.confirm(later, ids["Inès"])
    refused = record("Inès", ["Lucas"], False, "langues.anglais", 30)  # declined: cancelled
    services.exchanges.decline(refused, ids["Lucas"])
    workshop = record("Lucas", ["Karim", "Yvette", "Inès"], False, "numerique.programmation", 120)
    services.exchanges.decline(workshop, ids["Yvette"])  # one learner says no: still an exchange
    services.exchanges.confirm(workshop, ids["Karim"])
    services.exchanges.confirm(workshop, ids["Inès"])
    mistake = record("Yvette", ["Karim"], True, "couture.tricot", 90)  # confirmed, then taken back
    services.exchanges.cancel(mistake, ids["Sandrine"], "Doublon")
    record("Yvette", ["Lucas"], False, "couture.tricot", 60)  # still pending
    return ids


def test_kept_recognition_equals_counting_afresh(services: Services, clock: FixedClock) -> None:
    ids = a_busy_history(services, clock)
    assert rows(services, KEPT) == rows(services, AFRESH)
    karim = services.exchanges.summary(ids["Karim"])
    assert (karim.exchanges_given, karim.minutes_given) == (2, 105)
    assert (karim.exchanges_received, karim.minutes_received) == (1, 120)  # the cancelled tricot: no
    assert karim.themes == ("reparation.velo", "numerique.programmation")
    yvette = services.exchanges.summary(ids["Yvette"])
    assert (yvette.exchanges_received, yvette.exchanges_given) == (1, 0)
    assert [exchange.title for exchange in yvette.recent] == ["Réglage des freins"] * 2  # pending + first
    assert all(row[3] != 0 for row in rows(services, KEPT))  # taken-back rows leave no zero behind


def test_recent_is_newest_first_by_when_it_happened(services: Services, clock: FixedClock) -> None:
    karim = services.members.register("Karim", "Les Hauts").id
    yvette = services.members.register("Yvette", "Les Hauts").id
    for days_ago in (3, 10, 1, 30):  # typed in late, out of order
        services.exchanges.record(
            karim,
            ExchangeKind.SERVICE,
            "entraide.courses",
            f"Courses (J-{days_ago})",
            30,
            [Partner(T, karim), Partner(L, yvette, present=True)],
            occurred_at=clock.now() - timedelta(days=days_ago),
        )
    recent = services.exchanges.summary(yvette, recent=3).recent
    assert [exchange.title for exchange in recent] == ["Courses (J-1)", "Courses (J-3)", "Courses (J-10)"]


def test_migration_v4_counts_an_existing_history(
    config: Config, services: Services, clock: FixedClock
) -> None:
    a_busy_history(services, clock)
    expected_kept = rows(services, KEPT)
    expected_dates = rows(
        services, "SELECT exchange_id, position, occurred_at FROM exchange_participants ORDER BY 1, 2"
    )
    # Back to what a V3 kiosk had: none of what V4 (and V5, member passes; V6, interests; V7, PINs; V8,
    # draws and elections; V9, visitors from other collectives; V10, card key rotation; V11, a collective's
    # own themes) add.
    with services.store.transaction() as conn:
        conn.execute("ALTER TABLE themes DROP COLUMN collective_id")
        conn.execute("DROP INDEX cards_next")
        conn.execute("ALTER TABLE cards DROP COLUMN next_uid_hash")
        conn.execute("ALTER TABLE kiosk_state DROP COLUMN next_card_key")
        conn.execute("ALTER TABLE members DROP COLUMN home_collective")
        for table in (
            "ballot_box",
            "election_register",
            "election_candidates",
            "elections",
            "draw_records",
            "draw_volunteers",
            "draws",
        ):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP TABLE admin_pins")
        conn.execute("DROP TABLE admin_pin_failures")
        conn.execute("ALTER TABLE listings DROP COLUMN hidden_reason")
        conn.execute("ALTER TABLE workshop_attendance DROP COLUMN hlc")
        conn.execute("DROP TABLE listing_interests")
        conn.execute("DROP TABLE unknown_card_taps")
        conn.execute("DROP INDEX listings_status_kind")
        conn.execute("DROP TABLE pass_keys")
        conn.execute("DROP TABLE pass_revocations")
        conn.execute("ALTER TABLE kiosk_state DROP COLUMN pass_signing_key")
        conn.execute("DROP TABLE member_recognition")
        conn.execute("DROP INDEX participants_member_recent")
        conn.execute("DROP INDEX listings_status_published")
        conn.execute("ALTER TABLE exchange_participants DROP COLUMN occurred_at")
        conn.execute("PRAGMA user_version = 3")
    services.close()
    store = Store.open(Path(config.database_path))
    assert store.schema_version == LATEST_VERSION
    reopened = open_services(config, clock, store=store)
    try:
        assert rows(reopened, KEPT) == expected_kept
        dates = "SELECT exchange_id, position, occurred_at FROM exchange_participants ORDER BY 1, 2"
        assert rows(reopened, dates) == expected_dates
    finally:
        reopened.close()
