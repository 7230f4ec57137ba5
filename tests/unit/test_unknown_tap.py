"""Taps of cards the kiosk does not know: journaled for the hub (which tells whose card it was once its
enrolment arrives), once per card within 10 seconds, as a normal kiosk event the hub keeps to itself."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk import journal
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.domain import Identified
from kiosk.journal import EVENT_SCHEMAS
from kiosk.services import Services
from sync_client.protocol import HUB_ONLY_SCHEMAS, REQUIRED_KEYS, Envelope
from tests.checks import check_all

UID = b"\x04\x51\x62\x73\x84\x95\xa6"
OTHER_UID = b"\x04\x11\x11\x11\x11\x11\x11"


def taps(services: Services) -> list[dict[str, object]]:
    rows = services.store.conn.execute(
        "SELECT payload FROM journal WHERE type = 'card.unknown_tapped' ORDER BY pos"
    ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_an_unknown_card_is_journaled_for_the_hub(services: Services) -> None:
    card = services.cards.read(UID)
    assert services.cards.identify(card).outcome is Identified.UNKNOWN
    assert services.cards.record_unknown_tap(card.uid_hash) is True
    assert taps(services) == [{"uid_hash": card.uid_hash, "site_id": "site-local"}]
    [event] = [e for e in journal.read_all(services.store.conn) if e.type == "card.unknown_tapped"]
    envelope = Envelope.model_validate(event.envelope())  # what the sync client pushes
    assert set(REQUIRED_KEYS["card.unknown_tapped"]) <= envelope.payload.keys()
    assert UID.hex() not in json.dumps(event.envelope())  # only the keyed hash leaves the reader
    row = services.store.query_one("SELECT * FROM unknown_card_taps WHERE uid_hash = ?", (card.uid_hash,))
    assert row is not None
    assert (row["first_tapped_at"], row["last_tapped_at"], row["taps"]) == (
        "2026-11-25T09:00:00.000Z",
        "2026-11-25T09:00:00.000Z",
        1,
    )


def test_the_same_card_within_ten_seconds_is_journaled_once(services: Services, clock: FixedClock) -> None:
    uid_hash = services.cards.read(UID).uid_hash
    other = services.cards.read(OTHER_UID).uid_hash
    assert services.cards.record_unknown_tap(uid_hash)
    clock.advance(seconds=4)
    assert not services.cards.record_unknown_tap(uid_hash)  # the card still lies on the reader
    assert services.cards.record_unknown_tap(other)  # another card is another tap
    clock.advance(seconds=5.9)
    assert not services.cards.record_unknown_tap(uid_hash)
    clock.advance(seconds=0.1)  # 10 s after the reported tap
    assert services.cards.record_unknown_tap(uid_hash)
    assert [tap["uid_hash"] for tap in taps(services)] == [uid_hash, other, uid_hash]
    row = services.store.query_one("SELECT * FROM unknown_card_taps WHERE uid_hash = ?", (uid_hash,))
    assert row is not None and row["taps"] == 2
    assert row["last_tapped_at"] == "2026-11-25T09:00:10.000Z"


def test_a_clock_that_went_back_does_not_silence_a_card(services: Services, clock: FixedClock) -> None:
    """A Pi has no RTC: when NTP comes back the time can jump back; the tap is still reported."""
    uid_hash = services.cards.read(UID).uid_hash
    assert services.cards.record_unknown_tap(uid_hash)
    clock.advance(hours=-2)
    assert services.cards.record_unknown_tap(uid_hash)
    clock.advance(seconds=3)  # compared with the tap just reported, not with the latest time seen
    assert not services.cards.record_unknown_tap(uid_hash)
    assert len(taps(services)) == 2


def test_replaying_the_journal_gives_the_same_taps(
    services: Services, clock: FixedClock, config: Config, tmp_path: Path
) -> None:
    for uid in (UID, OTHER_UID, UID):
        services.cards.record_unknown_tap(services.cards.read(uid).uid_hash)
        clock.advance(seconds=30)
    check_all(services.store, config, tmp_path / "replay")


def test_it_is_a_kiosk_event_that_the_hub_keeps_without_relaying() -> None:
    """Compatible with hubs that knew it as their own type: same name, same schema version, same keys."""
    assert EVENT_SCHEMAS["card.unknown_tapped"] == 1
    assert HUB_ONLY_SCHEMAS == {"card.unknown_tapped": 1}  # pulls leave it out (older kiosks lack it)
    assert REQUIRED_KEYS["card.unknown_tapped"] == ("uid_hash",)
