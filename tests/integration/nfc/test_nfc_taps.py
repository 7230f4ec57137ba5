"""Taps through the real PC/SC stack: pcscd + vpcd + our card emulator, watched by PcscNfcReader."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hardware.atr import (
    ATR_DESFIRE,
    ATR_MIFARE_CLASSIC_1K,
    ATR_MIFARE_CLASSIC_4K,
    ATR_MIFARE_ULTRALIGHT,
    iso14443_atr,
)
from hardware.events import CardKind, CardReadError, CardRefused, CardRemoved, CardTapped, ReaderStatus
from hardware.nfc import PcscNfcReader
from hardware.ports import ReaderState
from kiosk.cardid import uid_hash
from tests.integration.nfc.harness import CARD_KEY, READER_A, READER_B, EventLog
from tests.integration.nfc.pcscd import Pcscd
from tests.integration.nfc.vpcd_card import VirtualCard, VpcdSlot

pytestmark = pytest.mark.pcsc

Slots = tuple[VpcdSlot, VpcdSlot]
HOLD = 2.0  # seconds a card stays on the reader: five vpcd presence polls


def card_events(events: EventLog, seconds: float) -> list[object]:
    quiet = events.during(seconds)
    return [event for event in quiet if not isinstance(event, ReaderStatus)]


def test_tap_gives_one_event_with_the_hash_the_kind_the_reader_and_the_raw_uid(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    uid = bytes.fromhex("04A1B2C3")
    slots[0].insert(VirtualCard(uid, ATR_MIFARE_CLASSIC_1K))
    tap = events.tap(READER_A)
    assert tap.uid_hash == uid_hash(CARD_KEY, uid)
    assert tap.atr_kind is CardKind.MIFARE_CLASSIC_1K
    assert tap.reader == READER_A
    assert tap.uid == uid
    assert uid.hex() not in repr(tap).lower(), "the raw UID must stay out of repr (and so out of logs)"
    assert slots[0].apdus[0] == bytes.fromhex("FFCA000000")


def test_a_card_left_on_the_reader_is_one_tap_and_its_removal_is_reported(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(VirtualCard(bytes.fromhex("04112233")))
    events.tap(READER_A)
    assert card_events(events, HOLD) == []
    slots[0].remove()
    events.removed(READER_A)


def test_the_same_card_presented_again_taps_again(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    card = VirtualCard(bytes.fromhex("04556677"))
    hashes = []
    for _ in range(3):
        slots[0].insert(card)
        hashes.append(events.tap(READER_A).uid_hash)
        slots[0].remove()
        events.removed(READER_A)
    assert len(set(hashes)) == 1
    assert card_events(events, 1.0) == []


def test_two_cards_in_a_row_are_two_members(monitor: PcscNfcReader, slots: Slots, events: EventLog) -> None:
    first, second = VirtualCard(bytes.fromhex("04010203")), VirtualCard(bytes.fromhex("04040506"))
    slots[0].insert(first)
    tap_first = events.tap(READER_A)
    slots[0].remove()
    events.removed(READER_A)
    slots[0].insert(second)
    tap_second = events.tap(READER_A)
    assert tap_first.uid_hash == uid_hash(CARD_KEY, first.uid)
    assert tap_second.uid_hash == uid_hash(CARD_KEY, second.uid)


@pytest.mark.parametrize(
    ("uid_hex", "atr", "kind"),
    [
        ("04A1B2C3", ATR_MIFARE_CLASSIC_1K, CardKind.MIFARE_CLASSIC_1K),
        ("11223344", ATR_MIFARE_CLASSIC_4K, CardKind.MIFARE_CLASSIC_4K),
        ("04A1B2C3D4E580", ATR_MIFARE_ULTRALIGHT, CardKind.MIFARE_ULTRALIGHT),
        ("04A1B2C3D4E581", ATR_DESFIRE, CardKind.DESFIRE),
        ("04A1B2C3D4E5F60718A9", ATR_MIFARE_CLASSIC_1K, CardKind.MIFARE_CLASSIC_1K),
        ("04A1B2C3D4E5F6", iso14443_atr(bytes.fromhex("4A434F50")), CardKind.OTHER),
    ],
    ids=["4-byte-1k", "4-byte-4k", "7-byte-ultralight", "7-byte-desfire", "10-byte", "7-byte-other"],
)
def test_uid_lengths_and_card_kinds(
    monitor: PcscNfcReader, slots: Slots, events: EventLog, uid_hex: str, atr: bytes, kind: CardKind
) -> None:
    uid = bytes.fromhex(uid_hex)
    slots[0].insert(VirtualCard(uid, atr))
    tap = events.tap(READER_A)
    assert (tap.uid, tap.atr_kind, tap.uid_hash) == (uid, kind, uid_hash(CARD_KEY, uid))


def test_a_random_uid_is_refused_not_tapped(monitor: PcscNfcReader, slots: Slots, events: EventLog) -> None:
    slots[0].insert(VirtualCard(bytes.fromhex("08A1B2C3"), ATR_DESFIRE))
    refused = events.next(CardRefused)
    assert (refused.reader, refused.reason, refused.atr_kind) == (READER_A, "random_uid", CardKind.DESFIRE)
    slots[0].remove()
    events.removed(READER_A)
    assert not any(isinstance(event, CardTapped) for event in events.history)


def test_a_uid_of_an_impossible_length_is_a_read_error(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(VirtualCard(bytes.fromhex("0401020304")))
    error = events.next(CardReadError)
    assert (error.reader, error.code) == (READER_A, "bad_uid")


def test_two_readers_report_their_own_cards(monitor: PcscNfcReader, slots: Slots, events: EventLog) -> None:
    card_a, card_b = VirtualCard(bytes.fromhex("04AAAAAA")), VirtualCard(bytes.fromhex("04BBBBBB"))
    slots[0].insert(card_a)
    slots[1].insert(card_b)
    taps = [events.next(CardTapped) for _ in range(2)]
    assert {tap.reader: tap.uid_hash for tap in taps} == {
        READER_A: uid_hash(CARD_KEY, card_a.uid),
        READER_B: uid_hash(CARD_KEY, card_b.uid),
    }
    slots[1].remove()
    assert events.next(CardRemoved).reader == READER_B
    assert card_events(events, 1.0) == [], "reader A's card is still there: nothing else happens"


def test_stop_joins_the_thread_and_says_so(
    pcscd: Pcscd, slots: Slots, events: EventLog, start_monitor: Callable[..., PcscNfcReader]
) -> None:
    reader = start_monitor()
    events.status(READER_A, ReaderState.READY)
    reader.stop()
    assert not reader.running
    events.status("", ReaderState.STOPPED)
