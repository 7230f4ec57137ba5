"""Upgrading from every earlier schema version keeps every row, and makes old listings searchable.

A database at version k is built by hand the way a kiosk of that version left it: MIGRATIONS[:k] run one
by one, each followed by the rows its new tables held (`ROWS_INTRODUCED_AT`), in WAL mode. `Store.open`
must bring it to LATEST_VERSION with every row still there, the listings found by a search typed without
accents, and a second opening must change nothing.

A new migration is covered by adding, under its version number, representative rows for what it creates
(a test below fails until that is done); its upgrade from every earlier version is then tested.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kiosk import store as store_module
from kiosk.config import load_config, with_data_dir
from kiosk.domain import ListingKind
from kiosk.errors import KioskError
from kiosk.services import open_services
from kiosk.store import Store
from kiosk.store.schema import APPLICATION_ID, LATEST_VERSION, MIGRATIONS
from tests.checks import open_concurrently

KIOSK = "01a20000-0000-7000-8000-00000000000a"
KARIM = "01a20000-0000-7000-8000-000000000001"
INES = "01a20000-0000-7000-8000-000000000002"
ERASED = "01a20000-0000-7000-8000-000000000003"
LISTING = "01a20000-0000-7000-8000-000000000011"
REQUEST = "01a20000-0000-7000-8000-000000000012"
EXCHANGE = "01a20000-0000-7000-8000-000000000021"
CONFIRMED = "01a20000-0000-7000-8000-000000000022"
WORKSHOP = "01a20000-0000-7000-8000-000000000031"
DRAW = "01a20000-0000-7000-8000-000000000041"
ELECTION = "01a20000-0000-7000-8000-000000000051"
AT = "2026-03-14T10:30:00.000+01:00"


def member(member_id: str, pseudonym: str, key: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": member_id, "collective_id": "collectif-local", "pseudonym": pseudonym, "pseudonym_key": key,
        "quartier": "Belleville", "roles": '["member"]', "languages": '["fr"]', "registered_at": AT,
    }  # fmt: skip
    return row | extra


# Rows each migration's new tables held in a kiosk of that version: version → table → rows.
ROWS_INTRODUCED_AT: dict[int, dict[str, list[dict[str, Any]]]] = {
    1: {
        "kiosk_state": [
            {"id": 1, "kiosk_id": KIOSK, "next_seq": 3, "hlc_ms": 1773480600000, "hlc_counter": 1,
             "card_key": "ab" * 32, "created_at": AT, "themes_version": 0},
        ],
        "journal": [
            {"pos": 1, "id": "01a20000-0000-7000-8000-0000000000e1", "type": "member.registered", "schema": 1,
             "kiosk_id": KIOSK, "seq": 1, "occurred_at": AT, "hlc": f"1773480600000-00000-{KIOSK}",
             "clock_synced": 1, "payload": '{"member_id":"' + KARIM + '"}', "pushed": 1},
            {"pos": 2, "id": "01a20000-0000-7000-8000-0000000000e2", "type": "listing.published", "schema": 1,
             "kiosk_id": KIOSK, "seq": 2, "occurred_at": AT, "hlc": f"1773480600000-00001-{KIOSK}",
             "clock_synced": 0, "payload": '{"listing_id":"' + LISTING + '"}'},
        ],
        "collectives": [{"id": "collectif-local", "name": "Collectif de quartier"}],
        "sites": [
            {"id": "site-local", "collective_id": "collectif-local", "name": "MJC", "quartier": "Belleville"},
        ],
        "themes": [
            {"id": "reparation", "parent_id": None, "label_fr": "Réparation et bricolage",
             "label_en": "Repair and DIY"},
            {"id": "reparation.velo", "parent_id": "reparation", "label_fr": "Vélo", "label_en": "Bicycle"},
            {"id": "cuisine", "parent_id": None, "label_fr": "Cuisine", "label_en": "Cooking"},
        ],
        "members": [
            member(KARIM, "Karim", "karim", contact="06 12 34 56 78", consent_at=AT,
                   consent_version="2026-01"),
            member(INES, "Inès", "ines", roles='["librarian","member"]', languages='["ar","fr"]'),
            member(ERASED, "Membre effacé", "erased:" + ERASED, languages="[]", erased_at=AT),
        ],
        "cards": [
            {"uid_hash": "0f" * 32, "member_id": KARIM, "status": "active", "enrolled_at": AT},
            {"uid_hash": "1e" * 32, "member_id": ERASED, "status": "revoked", "enrolled_at": AT,
             "revoked_at": AT, "revoke_reason": "erased"},
        ],
        "listings": [
            {"id": LISTING, "member_id": KARIM, "kind": "offer", "theme_id": "reparation.velo",
             "title": "Réparation de VÉLO", "description": "Freins, dérailleur, chambre à air",
             "format": "individual", "status": "active", "published_at": AT},
            {"id": REQUEST, "member_id": INES, "kind": "request", "theme_id": "cuisine",
             "title": "Crème brûlée", "description": "Apprendre à caraméliser", "format": "workshop",
             "status": "active", "network_visible": 1, "published_at": AT},
        ],
        "exchanges": [
            {"id": EXCHANGE, "kind": "knowledge", "theme_id": "reparation.velo", "title": "Freins",
             "duration_min": 90, "site_id": "site-local", "occurred_at": "2026-03-14T10:00+01:00",
             "recorded_by": KARIM, "recorded_at": AT, "status": "pending", "listing_id": LISTING},
            {"id": CONFIRMED, "kind": "service", "theme_id": "cuisine", "title": "Couscous",
             "duration_min": 45, "site_id": "site-local", "occurred_at": "2026-03-01T12:00+01:00",
             "recorded_by": INES, "recorded_at": AT, "status": "confirmed"},
        ],
        "exchange_participants": [
            {"exchange_id": EXCHANGE, "position": 0, "member_id": KARIM, "role": "transmitter",
             "confirmation": "confirmed", "answered_at": AT},
            {"exchange_id": EXCHANGE, "position": 1, "member_id": INES, "role": "learner",
             "confirmation": "pending"},
            {"exchange_id": EXCHANGE, "position": 2, "guest_name": "Lucie", "role": "learner",
             "confirmation": "confirmed", "answered_at": AT},
            {"exchange_id": CONFIRMED, "position": 0, "member_id": INES, "role": "transmitter",
             "confirmation": "confirmed", "answered_at": AT},
            {"exchange_id": CONFIRMED, "position": 1, "member_id": KARIM, "role": "learner",
             "confirmation": "confirmed", "answered_at": AT},
        ],
    },
    2: {
        "workshops": [
            {"id": WORKSHOP, "title": "Atelier vélo", "theme_id": "reparation.velo",
             "starts_at": "2026-04-04T14:00+02:00", "duration_min": 120, "site_id": "site-local",
             "place": "Cour de la MJC", "capacity": 8, "animator_ids": f'["{KARIM}"]',
             "status": "scheduled", "scheduled_by": INES},
        ],
        "workshop_registrations": [
            {"workshop_id": WORKSHOP, "member_id": INES, "registered_at": AT,
             "hlc": f"1773480600000-00002-{KIOSK}", "status": "registered"},
        ],
        "workshop_attendance": [
            {"workshop_id": WORKSHOP, "attendee": INES, "member_id": INES, "checked_in_at": AT},
            {"workshop_id": WORKSHOP, "attendee": "guest:01a2", "member_id": None, "checked_in_at": AT},
        ],
    },
    3: {
        "hub_link": [
            {"id": 1, "hub_url": "https://hub.example.org", "token": "jeton", "kiosk_name": "Borne MJC",
             "collective_id": "collectif-local", "network_id": "reseau-idf", "paired_at": AT,
             "pull_cursor": 42, "initial_pull_done": 1, "last_success_at": AT, "clock_skew_ms": -1200},
        ],
        "sync_rejections": [
            {"event_id": "01a20000-0000-7000-8000-0000000000e2", "reason": "invalid", "detail": "thème",
             "rejected_at": AT},
        ],
        "sync_apply_errors": [
            {"event_id": "01a20000-0000-7000-8000-0000000000e1", "error": "KeyError", "at": AT},
        ],
    },
    4: {
        "member_recognition": [
            {"member_id": KARIM, "role": "transmitter", "theme_id": "reparation.velo", "exchanges": 3,
             "minutes": 240},
        ],
    },
    5: {
        "pass_keys": [
            {"key_id": "0a1b2c3d", "public_key": "ab" * 32,
             "kiosk_id": "01a20000-0000-7000-8000-0000000000b2", "published_at": AT},
        ],
        "pass_revocations": [
            {"member_id": INES, "revoked_before": "2026-03-14T09:30:00.000Z"},
        ],
    },
    6: {
        "listing_interests": [
            {"id": "6f1c2a3b-0000-5000-8000-000000000001", "listing_id": LISTING, "member_id": INES,
             "expressed_at": "2026-03-14T09:30:00.000Z", "hlc": f"1773480600000-00003-{KIOSK}",
             "seen_at": None},
            {"id": "6f1c2a3b-0000-5000-8000-000000000002", "listing_id": REQUEST, "member_id": KARIM,
             "expressed_at": "2026-03-14T09:30:00.000Z", "hlc": f"1773480600000-00004-{KIOSK}",
             "seen_at": "2026-03-14T10:00:00.000Z"},
        ],
        "unknown_card_taps": [
            {"uid_hash": "2d" * 32, "first_tapped_at": "2026-03-14T09:30:00.000Z",
             "last_tapped_at": "2026-03-14T09:45:00.000Z", "taps": 3},
        ],
    },
    7: {
        "admin_pins": [
            {"member_id": INES, "salt": "00" * 16, "hash": "11" * 32, "params": "n=16384,r=8,p=1",
             "set_at": AT, "set_by": None},
        ],
        "admin_pin_failures": [
            {"id": 1, "failures": 2, "last_failure_at": AT, "locked_until": None},
        ],
    },
    8: {
        "draws": [
            {"id": DRAW, "theme_id": "reparation", "title": "Représentant·e Réparation", "seats": 1,
             "cutoff": "2026-04-01T18:00+02:00", "randomness_source": "deux dés lancés en réunion",
             "quotas": "[]", "attributes_asked": '["gender"]', "announced_by": INES, "announced_at": AT,
             "hlc": f"1773480600000-00005-{KIOSK}", "status": "frozen", "pool_hash": "ab" * 32,
             "pool_tickets": '["REP-7K3Q"]', "category_counts": '{"gender":{"femme":1}}',
             "frozen_by": INES, "frozen_at": AT},
        ],
        "draw_volunteers": [
            {"draw_id": DRAW, "ticket": "REP-7K3Q", "member_id": KARIM, "consent": 1,
             "attributes": '{"gender":"femme"}', "volunteered_at": AT, "status": "volunteered", "in_pool": 1},
            {"draw_id": DRAW, "ticket": "REP-0AB1", "member_id": None, "consent": 0, "attributes": "{}",
             "volunteered_at": AT, "status": "withdrawn", "in_pool": 0},
        ],
        "draw_records": [
            {"draw_id": DRAW, "record": '{"algorithm":"kiosque-tirage/1"}', "performed_at": AT,
             "performed_by": INES},
        ],
        "elections": [
            {"id": ELECTION, "title": "Médiation", "theme_id": None, "seats": 1, "mode": "kiosk",
             "kiosk_id": KIOSK, "candidacy_until": "2026-04-01T18:00+02:00",
             "opens_at": "2026-04-02T09:00+02:00", "closes_at": "2026-04-02T18:00+02:00",
             "announced_by": INES, "announced_at": AT, "hlc": f"1773480600000-00006-{KIOSK}",
             "status": "announced"},
        ],
        "election_candidates": [
            {"election_id": ELECTION, "member_id": KARIM, "statement": "Je connais le quartier.",
             "status": "standing"},
        ],
        "election_register": [{"election_id": ELECTION, "member_id": INES, "via": "kiosk"}],
        "ballot_box": [
            {"ballot_id": "5e" * 16, "election_id": ELECTION, "grades": f'{{"{KARIM}":5}}'},
        ],
    },
    9: {  # issue 9: the owner of a listing shared by another collective of the network
        "members": [
            {"id": "0b7a3c1e-5d2f-4e6a-9b8c-7d6e5f4a3b2c", "collective_id": "autre-collectif",
             "pseudonym": "Nour", "pseudonym_key": "nour", "quartier": "Goutte d’Or", "roles": "[]",
             "languages": "[]", "registered_at": AT, "home_collective": "Savoirs de la Goutte d’Or"},
        ],
    },
    10: {  # issue 9: a card re-keyed during a card key rotation (its hash under the next key)
        "cards": [
            {"uid_hash": "3c" * 32, "member_id": KARIM, "status": "active", "enrolled_at": AT,
             "next_uid_hash": "4d" * 32},
        ],
    },
    11: {  # issue 4: a theme of the collective's own, pulled from the hub (`theme.added`)
        "themes": [
            {"id": "jardinage.lombricompost", "parent_id": "jardinage", "label_fr": "Lombricompost",
             "label_en": "Worm composting", "collective_id": "collectif-local"},
        ],
    },
}  # fmt: skip

# What a migration derives from earlier rows: version → (version of the rows it derives from, table, row).
# Such a row must exist after upgrading through that migration from a store that held the source rows.
DERIVED_AT: dict[int, list[tuple[int, str, dict[str, Any]]]] = {
    4: [  # recognition totals from confirmed exchanges; each participant carries the exchange's date
        (1, "member_recognition", {"member_id": INES, "role": "transmitter", "theme_id": "cuisine",
                                   "exchanges": 1, "minutes": 45}),
        (1, "member_recognition", {"member_id": KARIM, "role": "learner", "theme_id": "cuisine",
                                   "exchanges": 1, "minutes": 45}),
        (1, "exchange_participants", {"exchange_id": EXCHANGE, "position": 1,
                                      "occurred_at": "2026-03-14T10:00+01:00"}),
    ],
    5: [  # members erased before passes existed: any pass of theirs is refused
        (1, "pass_revocations", {"member_id": ERASED, "revoked_before": "2026-03-14T09:30:00.000Z"}),
    ],
}  # fmt: skip


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def build_at_version(path: Path, version: int) -> None:
    """A database as a kiosk of `version` left it: migrated step by step, each step's rows in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")  # writes the header: a version-0 file is not empty
    for target in range(1, version + 1):
        conn.execute("BEGIN IMMEDIATE")
        MIGRATIONS[target - 1](conn)
        for table, rows in ROWS_INTRODUCED_AT[target].items():
            for row in rows:
                insert(conn, table, row)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    conn.close()


def rows_up_to(version: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (table, row)
        for introduced in range(1, version + 1)
        for table, rows in ROWS_INTRODUCED_AT[introduced].items()
        for row in rows
    ]


def expected_after_upgrade(version: int) -> list[tuple[str, dict[str, Any]]]:
    """The rows a store built at `version` must hold at LATEST_VERSION: its own, and derived ones."""
    derived = [
        (table, row)
        for introduced, rows in DERIVED_AT.items()
        for source, table, row in rows
        if source <= version < introduced <= LATEST_VERSION
    ]
    return rows_up_to(version) + derived


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_migration_has_representative_rows() -> None:
    assert sorted(ROWS_INTRODUCED_AT) == list(range(1, LATEST_VERSION + 1)), (
        "add the rows a kiosk of the new version holds to ROWS_INTRODUCED_AT"
    )


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_upgrade_keeps_every_row(tmp_path: Path, version: int) -> None:
    path = tmp_path / "kiosk.sqlite3"
    build_at_version(path, version)
    store = Store.open(path)
    try:
        assert store.schema_version == LATEST_VERSION
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        for table, row in expected_after_upgrade(version):
            condition = " AND ".join(f"{column} IS ?" for column in row)
            found = store.conn.execute(
                f"SELECT count(*) FROM {table} WHERE {condition}", list(row.values())
            ).fetchone()[0]
            assert found == 1, f"v{version} → v{LATEST_VERSION}: lost {table} row {row}"
        assert store.integrity_check() == ["ok"]
        assert not store.conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        store.close()


@pytest.mark.parametrize("version", range(1, LATEST_VERSION))
def test_upgraded_listings_are_searchable(tmp_path: Path, version: int) -> None:
    """Listings from before full-text search are found, accents and case ignored."""
    path = tmp_path / "data" / "kiosk.sqlite3"
    path.parent.mkdir()
    build_at_version(path, version)
    services = open_services(with_data_dir(load_config(None), path.parent))
    try:
        search = services.listings.search
        assert [listing.id for listing in search("velo")] == [LISTING]
        assert [listing.id for listing in search("REPARATION derailleur")] == [LISTING]
        assert [listing.id for listing in search("creme brulee")] == [REQUEST]
        assert [listing.id for listing in search("caramel")] == [REQUEST]  # a word's beginning
        assert search("dérailleur vélo")[0].id == LISTING
        # The kiosk goes on from where the old version stopped.
        karim = services.members.get(KARIM)
        services.listings.publish(karim.id, ListingKind.OFFER, "cuisine", "Pâte à crêpes")
        seqs = [row[0] for row in services.store.conn.execute("SELECT seq FROM journal ORDER BY pos")]
        assert seqs == [1, 2, 3]
        assert [listing.title for listing in search("crepe")] == ["Pâte à crêpes"]
    finally:
        services.close()


@pytest.mark.parametrize("version", range(LATEST_VERSION + 1))
def test_reopening_is_a_no_op(tmp_path: Path, version: int) -> None:
    path = tmp_path / "kiosk.sqlite3"
    build_at_version(path, version)
    Store.open(path).close()
    upgraded = digest(path)
    store = Store.open(path)
    schema = store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert store.schema_version == LATEST_VERSION
    store.close()
    assert digest(path) == upgraded, "opening an up-to-date store changed its file"
    again = Store.open(path)
    try:
        assert (
            again.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == schema
        )
    finally:
        again.close()


def test_an_interrupted_upgrade_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step commits with its version bump: a step that fails leaves the version before it, intact.

    The failure is injected (the last step raises after doing its work): no real part fails on cue
    in the middle of a migration.
    """
    path = tmp_path / "kiosk.sqlite3"
    build_at_version(path, LATEST_VERSION - 1)
    before = digest(path)

    def failing(conn: sqlite3.Connection) -> None:
        MIGRATIONS[-1](conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "MIGRATIONS", (*MIGRATIONS[:-1], failing))
    with pytest.raises(KioskError) as failed:
        Store.open(path)
    assert failed.value.code == "store.io_error"
    assert digest(path) == before
    monkeypatch.undo()
    reopened = Store.open(path)
    try:
        assert reopened.schema_version == LATEST_VERSION
        assert reopened.integrity_check() == ["ok"]
    finally:
        reopened.close()


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_concurrent_openings_upgrade_once(tmp_path: Path, version: int) -> None:
    """The app and its sync worker open the store together after an update: each step runs once."""
    path = tmp_path / "kiosk.sqlite3"
    build_at_version(path, version)
    opened = open_concurrently(path, 4)
    try:
        assert {store.schema_version for store in opened} == {LATEST_VERSION}
        assert opened[0].integrity_check() == ["ok"]
    finally:
        for store in opened:
            store.close()
