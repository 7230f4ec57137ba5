"""Two kiosks of one collective converge through a real hub (uvicorn over HTTP)."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.domain import Identified, ListingKind
from sync_client.worker import SyncState, SyncStatus, SyncWorker
from tests.hub.kiosks import HubHandle, Kiosk, record_exchange, state


def test_member_and_card_from_a_are_known_at_b_and_a_revocation_at_b_reaches_a(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de Belleville")
    a, b = Kiosk(tmp_path / "a", collective, name="MJC"), Kiosk(tmp_path / "b", collective, name="Marché")
    a.pair(hub, collective)
    b.pair(hub, collective)
    amina = a.member("Amina")
    uid = a.card(amina)
    assert a.sync().pushed == 2
    report = b.sync()
    assert report.pulled == 2
    seen = b.services.cards.identify(b.services.cards.read(uid))
    assert seen.outcome is Identified.MEMBER and seen.member is not None and seen.member.pseudonym == "Amina"

    b.services.cards.revoke(b.services.cards.read(uid).uid_hash, "perdue")
    b.sync()
    a.sync()
    assert a.services.cards.identify(a.services.cards.read(uid)).outcome is Identified.REVOKED
    assert a.pending() == b.pending() == 0
    a.close()
    b.close()


def test_two_kiosks_with_their_workers_converge_to_the_same_state(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Savoirs du Bas-Belleville")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    statuses: queue.Queue[object] = queue.Queue()
    workers = [
        SyncWorker(k.config.database_path, statuses, k.clock, debounce=0.1, poll_interval=0.3) for k in (a, b)
    ]
    for worker in workers:
        worker.start()
    try:
        amina, bruno = a.member("Amina"), a.member("Bruno")
        a.card(amina)
        a.services.listings.publish(amina, ListingKind.OFFER, "cuisine.quotidien", "Crêpes bretonnes")
        workers[0].wake()
        _wait(lambda: b.store.query_one("SELECT 1 FROM members WHERE id = ?", (bruno,)) is not None)
        chloe = b.member("Chloé")
        record_exchange(b, amina, chloe)
        record_exchange(a, bruno, amina, present=False)
        for worker in workers:
            worker.wake()
        _wait(lambda: a.pending() == b.pending() == 0 and state(a) == state(b))
    finally:
        for worker in workers:
            worker.stop()
    assert not any(w.is_alive() for w in workers)
    seen = []
    while not statuses.empty():
        seen.append(statuses.get_nowait())
    assert any(isinstance(s, SyncStatus) and s.state is SyncState.OK and s.pending == 0 for s in seen)
    a.close()
    b.close()


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the kiosks did not converge in time"
        time.sleep(0.05)


def test_an_exchange_recorded_offline_with_a_card_revoked_meanwhile_is_kept_and_flagged(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de la Villette")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    dina, eli = a.member("Dina"), a.member("Eli")
    uid = a.card(dina)
    a.sync()
    b.sync()
    b.services.cards.revoke(b.services.cards.read(uid).uid_hash, "volée")
    b.sync()
    time.sleep(0.01)
    exchange_id = record_exchange(a, dina, eli)  # A is offline: it still takes Dina's card
    assert a.sync().rejected == ()
    assert _exchanges_pulled(b) == [(exchange_id, [f"card_revoked:{dina}"])]
    b.sync()
    assert b.services.exchanges.get(exchange_id).status.value == "confirmed"  # a fact, kept as it happened


def test_the_same_pseudonym_taken_offline_at_two_kiosks_still_converges(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Homonymes")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    a.member("Marie")
    b.member("Marie")
    a.sync()
    report = b.sync()
    a.sync()
    assert report.apply_errors == 0
    assert state(a)["members"] == state(b)["members"]


def test_a_card_revoked_earlier_in_the_same_push_flags_a_later_exchange_of_that_push(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs du canal")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    fanny, gael = a.member("Fanny"), a.member("Gaël")
    uid = a.card(fanny)
    a.sync()  # the hub knows the card, not revoked: nothing to flag yet
    # At the same kiosk, offline: the card is declared stolen, then (a mistake) an exchange is recorded
    # with it. Both reach the hub in one push, in that order.
    a.services.cards.revoke(a.services.cards.read(uid).uid_hash, "volée")
    time.sleep(0.01)
    exchange_id = record_exchange(a, fanny, gael)
    report = a.sync()
    assert report.pushed == 2 and report.rejected == ()
    assert _exchanges_pulled(b) == [(exchange_id, [f"card_revoked:{fanny}"])]


def _exchanges_pulled(kiosk: Kiosk) -> list[tuple[str, list[str]]]:
    """The exchanges the hub relays to `kiosk` (pulled from the start, not applied), with their flags."""
    client = kiosk.client()
    try:
        changes = client.pull(0, 100).changes
    finally:
        client.close()
    return [(c.event.payload["exchange_id"], c.flags) for c in changes if c.event.type == "exchange.recorded"]
