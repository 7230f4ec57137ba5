"""Faults with the real PC/SC stack: cards pulled away mid-read, pcscd down, killed, restarted, readers gone.

Every fault here is produced for real (the emulator drops its connection in the middle of an APDU, pcscd
gets SIGTERM or SIGKILL, a reader disappears from pcscd's configuration): nothing is mocked.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest

from hardware.events import CardReadError, CardRemoved, CardTapped, ReaderState
from hardware.nfc import PcscNfcReader
from kiosk.cardid import uid_hash
from tests.integration.nfc.harness import CARD_KEY, READER_A, READER_B, EventLog
from tests.integration.nfc.pcscd import Pcscd
from tests.integration.nfc.vpcd_card import Fault, VirtualCard, VpcdSlot

pytestmark = pytest.mark.pcsc

Slots = tuple[VpcdSlot, VpcdSlot]
StartMonitor = Callable[..., PcscNfcReader]
MEMBER = VirtualCard(bytes.fromhex("04C0FFEE"))


def tap_works(slot: VpcdSlot, events: EventLog, reader: str = READER_A) -> None:
    slot.insert(MEMBER)
    assert events.tap(reader).uid_hash == uid_hash(CARD_KEY, MEMBER.uid)
    slot.remove()
    events.removed(reader)


def test_a_card_pulled_away_mid_read_is_a_read_error_and_the_reader_keeps_working(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(VirtualCard(bytes.fromhex("04DEAD00"), fault=Fault.DROP_ON_READ))
    error = events.next(CardReadError)
    assert error.reader == READER_A
    assert error.code in ("card_removed", "transmit_failed")
    events.removed(READER_A)
    assert not any(isinstance(event, CardTapped) for event in events.history)
    assert monitor.running
    tap_works(slots[0], events)


def test_a_status_word_other_than_9000_is_a_read_error(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(VirtualCard(bytes.fromhex("04BAD000"), fault=Fault.SW_6A81))
    error = events.next(CardReadError)
    assert (error.reader, error.code) == (READER_A, "bad_status")
    assert "6A81" in error.message
    slots[0].remove()
    events.removed(READER_A)
    tap_works(slots[0], events)


def test_monitor_started_while_pcscd_is_down_waits_for_it(
    owned_pcscd: Pcscd, slots: Slots, events: EventLog, start_monitor: StartMonitor
) -> None:
    owned_pcscd.stop()
    start_monitor()
    events.status("", ReaderState.SERVICE_DOWN)
    owned_pcscd.start()
    events.status(READER_A, ReaderState.READY)
    events.status(READER_B, ReaderState.READY)
    tap_works(slots[0], events)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_pcscd_restarted_while_the_monitor_runs(
    owned_pcscd: Pcscd,
    monitor: PcscNfcReader,
    slots: Slots,
    events: EventLog,
    sig: signal.Signals,
) -> None:
    tap_works(slots[0], events)
    owned_pcscd.stop(sig)
    events.status("", ReaderState.SERVICE_DOWN)
    owned_pcscd.start()
    events.status(READER_A, ReaderState.READY)
    events.status(READER_B, ReaderState.READY)
    assert monitor.running
    tap_works(slots[0], events)
    tap_works(slots[1], events, READER_B)


def test_a_card_held_through_a_pcscd_restart_is_not_a_second_tap(
    owned_pcscd: Pcscd, monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(MEMBER)
    events.tap(READER_A)
    owned_pcscd.restart(sig=signal.SIGKILL)
    events.status(READER_A, ReaderState.READY)
    quiet = events.during(2.0)
    assert not [event for event in quiet if isinstance(event, CardTapped | CardRemoved)], quiet
    assert slots[0].connections >= 2, "the emulator did come back to the new pcscd"
    slots[0].remove()
    events.removed(READER_A)
    tap_works(slots[0], events)


def test_a_card_taken_away_during_a_pcscd_restart_is_removed_once_the_service_is_back(
    owned_pcscd: Pcscd, monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    slots[0].insert(MEMBER)
    events.tap(READER_A)
    owned_pcscd.stop()
    slots[0].remove()
    owned_pcscd.start()
    events.status(READER_A, ReaderState.READY)
    events.removed(READER_A)  # after the grace period in which the new pcscd could still find the card
    other = VirtualCard(bytes.fromhex("04ABCDEF"))
    slots[0].insert(other)
    assert events.tap(READER_A).uid_hash == uid_hash(CARD_KEY, other.uid)


def test_a_card_removed_and_presented_again_while_the_monitor_is_busy_is_two_taps(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    """Reader B's card answers slowly, so the monitor is busy while card A leaves and comes back: pcscd's
    event counter says two things happened on reader A, and both are reported in order."""
    slots[0].insert(MEMBER)
    events.tap(READER_A)
    slots[1].insert(VirtualCard(bytes.fromhex("04510000"), fault=Fault.SLOW))
    while not slots[1].apdus:  # the monitor is now waiting for B's answer
        time.sleep(0.01)
    slots[0].remove()
    time.sleep(0.9)  # two vpcd presence polls: pcscd sees A leave
    slots[0].insert(MEMBER)
    events.tap(READER_B)
    removed = events.removed(READER_A)
    tapped = events.tap(READER_A)
    assert removed.at <= tapped.at


def test_the_emulator_going_away_is_a_removed_card_not_a_lost_reader(
    monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    """With vpcd the reader itself stays in pcscd's list: the emulator leaving is a card taken away."""
    slots[0].insert(MEMBER)
    events.tap(READER_A)
    slots[0].close()
    events.removed(READER_A)
    quiet = events.during(1.5)
    assert not [event for event in quiet if getattr(event, "state", None) is ReaderState.DISCONNECTED]
    tap_works(slots[0], events)


def test_readers_unplugged_then_plugged_back(
    owned_pcscd: Pcscd, monitor: PcscNfcReader, slots: Slots, events: EventLog
) -> None:
    """vpcd readers cannot be unplugged from a running pcscd (its driver keeps one context per slot index,
    so a second vpcd entry in reader.conf would steal the first one's slots): pcscd is restarted without,
    then with, the vpcd readers, which changes the reader list the monitor sees as a USB unplug would."""
    tap_works(slots[0], events)
    owned_pcscd.virtual_reader = False
    owned_pcscd.restart()
    events.status(READER_A, ReaderState.DISCONNECTED)
    events.status(READER_B, ReaderState.DISCONNECTED)
    events.status("", ReaderState.NO_READER)
    assert not monitor.readers

    owned_pcscd.virtual_reader = True
    owned_pcscd.restart()
    events.status(READER_A, ReaderState.READY)
    events.status(READER_B, ReaderState.READY)
    assert monitor.readers == (READER_A, READER_B)
    tap_works(slots[1], events, READER_B)
