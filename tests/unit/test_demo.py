"""The demo collective: big enough to feel real, the same for a seed, and the demo cards work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config, load_config, with_data_dir
from kiosk.demo import (
    DEMO_CARD_KEY,
    DEMO_CARDS,
    DEMO_PHONE_UID,
    DEMO_REVOKED_CARD,
    DEMO_UNKNOWN_UID,
    DemoSummary,
    generate_demo,
)
from kiosk.domain import Identified, Role
from kiosk.services import Services, open_services
from tests.conftest import PARIS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


def demo_config(data_dir: Path) -> Config:
    config = with_data_dir(load_config(None), data_dir)
    return replace(config, security=replace(config.security, card_key=DEMO_CARD_KEY.hex()))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, DemoSummary]]:
    services = open_services(demo_config(tmp_path_factory.mktemp("demo")), FixedClock(NOW))
    summary = generate_demo(services)
    yield services, summary
    services.close()


def count(services: Services, sql: str) -> int:
    return int(services.store.conn.execute(sql).fetchone()[0])


def test_counts_meet_the_minimums(demo: tuple[Services, DemoSummary]) -> None:
    services, summary = demo
    assert count(services, "SELECT count(*) FROM members") == summary.members >= 40
    assert count(services, "SELECT count(DISTINCT quartier) FROM members") == summary.quartiers == 3
    assert count(services, "SELECT count(*) FROM listings") == summary.listings >= 60
    assert count(services, "SELECT count(DISTINCT kind) FROM listings") == 2
    assert count(services, "SELECT count(*) FROM exchanges") == summary.exchanges >= 200
    assert summary.workshop_exchanges >= 5
    assert count(services, "SELECT count(*) FROM exchanges WHERE kind = 'service'") >= 20
    assert count(services, "SELECT count(*) FROM exchanges WHERE status = 'cancelled'") >= 2
    assert count(services, "SELECT count(*) FROM exchange_participants WHERE confirmation = 'declined'") >= 2
    assert summary.pending >= 3
    assert summary.upcoming_workshops >= 5 and summary.waiting >= 1
    assert "membres" in summary.describe() and "2468" in summary.describe()


def test_people_are_diverse_with_roles_languages_and_consented_contacts(
    demo: tuple[Services, DemoSummary],
) -> None:
    services, _ = demo
    rows = services.store.query("SELECT pseudonym, roles, languages, contact, consent_at FROM members")
    pseudonyms = {row["pseudonym"] for row in rows}
    assert {"Élodie", "Inès", "Yvette", "Mamadou", "Nguyen"} <= pseudonyms
    roles = [role for row in rows for role in json.loads(row["roles"])]
    assert roles.count(Role.LIBRARIAN) >= 2 and roles.count(Role.MEDIATOR) >= 1
    assert roles.count(Role.ANIMATOR) >= 3
    assert len({lang for row in rows for lang in json.loads(row["languages"])}) >= 8
    with_contact = [row for row in rows if row["contact"]]
    assert 0 < len(with_contact) < len(rows) // 4
    assert all(row["consent_at"] for row in with_contact)


def test_every_row_came_through_the_journal_in_the_past(demo: tuple[Services, DemoSummary]) -> None:
    services, summary = demo
    journal = dict(services.store.conn.execute("SELECT type, count(*) FROM journal GROUP BY type").fetchall())
    assert journal["member.registered"] == summary.members
    assert journal["exchange.recorded"] == summary.exchanges
    assert journal["listing.published"] == summary.listings
    journal_times = services.store.conn.execute("SELECT occurred_at FROM journal")
    moments = [datetime.fromisoformat(row[0]) for row in journal_times]
    assert min(moments) < datetime(2026, 6, 1, tzinfo=PARIS)
    assert max(moments) <= NOW  # the history never runs ahead of the live clock
    seqs = [row[0] for row in services.store.conn.execute("SELECT seq FROM journal ORDER BY pos")]
    assert seqs == list(range(1, len(seqs) + 1))
    hlcs = [row[0] for row in services.store.conn.execute("SELECT hlc FROM journal ORDER BY pos")]
    assert hlcs == sorted(hlcs)
    # Exchanges spread over six months, not piled on one day.
    months = count(services, "SELECT count(DISTINCT substr(occurred_at, 1, 7)) FROM exchanges")
    assert months >= 6
    assert services.store.integrity_check() == ["ok"]


def test_demo_cards_identify_their_members(demo: tuple[Services, DemoSummary]) -> None:
    services, _ = demo
    assert len({len(card.uid) for card in DEMO_CARDS}) == 2  # 4- and 7-byte UIDs
    admins = 0
    for card in DEMO_CARDS:
        found = services.cards.identify(services.cards.read(card.uid))
        assert found.outcome is Identified.MEMBER, card.label
        assert found.member is not None and found.member.pseudonym == card.pseudonym
        admins += found.member.has_role(Role.LIBRARIAN)
    assert admins >= 1
    assert services.cards.identify(services.cards.read(DEMO_REVOKED_CARD.uid)).outcome is Identified.REVOKED
    assert services.cards.identify(services.cards.read(DEMO_UNKNOWN_UID)).outcome is Identified.UNKNOWN
    assert services.cards.identify(services.cards.read(DEMO_PHONE_UID)).outcome is Identified.RANDOM_UID


def test_demo_members_have_confirmations_waiting(demo: tuple[Services, DemoSummary]) -> None:
    services, _ = demo
    waiting = {}
    for card in DEMO_CARDS:
        identified = services.cards.identify(services.cards.read(card.uid))
        assert identified.member is not None
        waiting[card.pseudonym] = services.exchanges.summary(identified.member.id).pending_confirmations
    assert sum(1 for pending in waiting.values() if pending) >= 3
    assert any(exchange.title == "Réglage des freins de vélo" for exchange in waiting["Inès"])


def test_upcoming_workshops_are_in_the_future_with_a_waiting_list(demo: tuple[Services, DemoSummary]) -> None:
    services, _ = demo
    upcoming = services.workshops.upcoming()
    assert len(upcoming) >= 5
    assert all(datetime.fromisoformat(workshop.starts_at) > NOW for workshop in upcoming)
    assert all(workshop.registered > 0 for workshop in upcoming)
    assert any(workshop.waiting > 0 for workshop in upcoming)


def test_same_seed_same_collective(tmp_path: Path, demo: tuple[Services, DemoSummary]) -> None:
    first, first_summary = demo

    def snapshot(services: Services) -> tuple[list[str], list[str], list[str]]:
        def column(sql: str) -> list[str]:
            return [row[0] for row in services.store.conn.execute(sql)]

        return (
            column("SELECT pseudonym FROM members ORDER BY rowid"),
            column("SELECT title FROM listings ORDER BY rowid"),
            column("SELECT title || ' @ ' || occurred_at FROM exchanges ORDER BY rowid"),
        )

    again = open_services(demo_config(tmp_path / "again"), FixedClock(NOW))
    other = open_services(demo_config(tmp_path / "other"), FixedClock(NOW))
    try:
        assert generate_demo(again) == first_summary
        assert snapshot(again) == snapshot(first)
        generate_demo(other, seed=7)
        assert snapshot(other) != snapshot(first)
    finally:
        again.close()
        other.close()


def test_live_services_work_after_generation_and_force_adds_without_clashing(tmp_path: Path) -> None:
    services = open_services(demo_config(tmp_path), FixedClock(NOW))
    try:
        generate_demo(services)
        newcomer = services.members.register("Nouvelle voisine", "Centre-Gare")
        assert newcomer.registered_at.startswith("2026-11-25T10:00")  # the live clock, not the history's
        assert services.listings.search("velo")  # accents folded: « Réglage des freins de vélo »
        # `demo-data --force`: a second collective of namesakes, the cards stay with their first owners.
        second = generate_demo(services)
        assert second.members == count(services, "SELECT count(*) FROM members") // 2
        assert services.members.find("Karim B.")
        assert second.cards == 0
        assert services.store.integrity_check() == ["ok"]
    finally:
        services.close()
