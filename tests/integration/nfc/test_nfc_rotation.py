"""A card key rotation through the real PC/SC stack (pcscd + vpcd + our card emulator): the running reader
shares the kiosk's key ring, so the hub's events, applied to the store as a pull applies them, change how the
next tap is hashed — both keys during the rotation, the new one after the switch — without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hardware.atr import ATR_MIFARE_CLASSIC_1K
from hardware.events import CardTapped
from hardware.nfc import NfcSettings, PcscNfcReader
from hardware.ports import ReaderState
from kiosk.cardid import CardRead, card_key_id, new_card_key, uid_hash
from kiosk.domain import Identified
from sync_client.engine import apply_remote
from sync_client.protocol import Envelope
from tests.hub.kiosks import Kiosk
from tests.integration.nfc.harness import READER_A, EventLog
from tests.integration.nfc.pcscd import Pcscd
from tests.integration.nfc.vpcd_card import VirtualCard, VpcdSlot

pytestmark = pytest.mark.pcsc
HUB_KIOSK = str(uuid.uuid4())  # the hub's own kiosk id for the collective (hub/network_outbox.py)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    made = Kiosk(tmp_path / "kiosk", "collectif-test")
    yield made
    made.close()


@pytest.fixture
def reader(pcscd: Pcscd, slots: tuple[VpcdSlot, VpcdSlot], events: EventLog, kiosk: Kiosk) -> Iterator[Any]:
    started = PcscNfcReader(events.queue, kiosk.services.ctx.keys, NfcSettings())
    started.start()
    events.status(READER_A, ReaderState.READY)
    yield started
    started.stop()
    assert not started.running


def hub_event(kiosk: Kiosk, seq: int, event_type: str, payload: dict[str, Any]) -> None:
    """A hub-made event, applied as the sync engine applies a pulled one."""
    now = datetime.now(UTC)
    envelope = Envelope.model_validate(
        {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "schema": 1,
            "kiosk_id": HUB_KIOSK,
            "seq": seq,
            "occurred_at": now.isoformat(timespec="milliseconds"),
            "hlc": f"{int(now.timestamp() * 1000):013d}-00000-{HUB_KIOSK}",
            "clock_synced": True,
            "payload": payload,
        }
    )
    with kiosk.store.transaction() as conn:
        assert apply_remote(conn, envelope, now.isoformat()) == "applied"


def presented(slot: VpcdSlot, events: EventLog, card: VirtualCard) -> CardTapped:
    slot.insert(card)
    tapped: CardTapped = events.tap(READER_A)
    slot.remove()
    events.removed(READER_A)
    return tapped


def identify(kiosk: Kiosk, tapped: CardTapped) -> Any:
    """What the app's event pump does with a tap (kiosk/app.py)."""
    card = CardRead(uid_hash=tapped.uid_hash, next_uid_hash=tapped.next_uid_hash)
    return kiosk.services.cards.identify(card)


def test_the_running_reader_follows_a_rotation_without_a_restart(
    kiosk: Kiosk, reader: Any, slots: tuple[VpcdSlot, VpcdSlot], events: EventLog
) -> None:
    uid = bytes.fromhex("04C0FFEE")
    card = VirtualCard(uid, ATR_MIFARE_CLASSIC_1K)
    current = kiosk.services.ctx.card_key
    karim = kiosk.member("Karim")
    first = presented(slots[0], events, card)
    assert (first.uid_hash, first.next_uid_hash) == (uid_hash(current, uid), None)
    kiosk.services.cards.enrol(CardRead(first.uid_hash), karim)

    following = new_card_key()
    hub_event(
        kiosk,
        1,
        "network.card_key_next",
        {"network_id": "reseau", "replaces": card_key_id(current), "next_card_key": following.hex()},
    )
    # The app reloads the ring after each sync (kiosk/app.py, SyncStatus) and at each tap
    kiosk.services.ctx.keys.load(kiosk.store.conn)
    during = presented(slots[0], events, card)
    assert (during.uid_hash, during.next_uid_hash) == (uid_hash(current, uid), uid_hash(following, uid))
    assert identify(kiosk, during).member.id == karim
    rekeyed = kiosk.store.conn.execute("SELECT next_uid_hash FROM cards WHERE member_id = ?", (karim,))
    assert rekeyed.fetchone()[0] == uid_hash(following, uid)

    hub_event(
        kiosk, 2, "network.card_key_switched", {"network_id": "reseau", "card_key_id": card_key_id(following)}
    )
    kiosk.services.ctx.keys.load(kiosk.store.conn)
    after = presented(slots[0], events, card)
    assert (after.uid_hash, after.next_uid_hash) == (uid_hash(following, uid), None)
    assert identify(kiosk, after).member.id == karim
    stranger = presented(slots[0], events, VirtualCard(bytes.fromhex("04BADBAD"), ATR_MIFARE_CLASSIC_1K))
    assert identify(kiosk, stranger).outcome is Identified.UNKNOWN
