"""What the hub does with facts: GDPR erasure of its copies, taps of cards enrolled elsewhere, duplicates."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub import schema as t
from kiosk.clock import HlcState, format_hlc
from kiosk.domain import ListingKind
from sync_client.protocol import Outcome, Reason
from tests.hub.kiosks import HubHandle, Kiosk, wire_event


def _journal_event(kiosk: Kiosk, event_type: str) -> dict[str, Any]:
    row = kiosk.store.query_one(
        "SELECT id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced, payload FROM journal"
        " WHERE type = ? ORDER BY pos LIMIT 1",
        (event_type,),
    )
    assert row is not None
    wire = dict(row)
    wire["clock_synced"] = bool(wire["clock_synced"])
    wire["payload"] = json.loads(wire["payload"])
    return wire


def test_erasure_redacts_the_hub_copies_and_a_later_repush_is_a_duplicate(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de Ménilmontant")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    fanny = a.member("Fanny")
    a.services.listings.publish(fanny, "offer", "cuisine.quotidien", "Tartes salées", "chez moi")  # type: ignore[arg-type]
    original = _journal_event(a, "member.registered")
    listing = _journal_event(a, "listing.published")
    a.sync()
    b.sync()
    b.services.members.erase(fanny, fanny)
    b.sync()
    with hub.db.read() as conn:
        rows = conn.execute(
            select(t.events.c.type, t.events.c.payload).where(t.events.c.member_id == fanny)
        ).all()
    payloads = {row.type: json.loads(row.payload) for row in rows}
    assert payloads["member.registered"]["pseudonym"] == "" and payloads["listing.published"]["title"] == ""
    a.sync()
    assert a.services.members.get(fanny).is_erased
    # A kiosk whose acknowledgement was lost sends it again, as it was before the erasure: not a conflict.
    client = a.client()
    try:
        answer = client.push([original, listing])
        assert [r.status for r in answer.results] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
        changed = {**original, "payload": {**original["payload"], "quartier": "Ailleurs"}}
        answer = client.push([changed])
        assert answer.results[0].status is Outcome.REJECTED and answer.results[0].reason is Reason.CONFLICT
    finally:
        client.close()


def test_a_tap_of_a_card_enrolled_elsewhere_is_resolved_when_the_enrolment_arrives(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de Charonne")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    uid = b"\x04\x11\x22\x33\x44\x55\x66"
    uid_hash = a.services.cards.read(uid).uid_hash
    # Kiosk A does not know the card yet; the tap is a fact it reports (a hub-only event type).
    tap = {
        "id": "01900000-0000-7000-8000-000000000001",
        "type": "card.unknown_tapped",
        "schema": 1,
        "kiosk_id": a.kiosk_id,
        "seq": 1,
        "occurred_at": a.clock.now().isoformat(timespec="milliseconds"),
        "hlc": format_hlc(HlcState(1, 0), a.kiosk_id),
        "clock_synced": False,
        "payload": {"uid_hash": uid_hash, "site_id": "site-local"},
    }
    client = a.client()
    try:
        assert client.push([tap]).results[0].status is Outcome.ACCEPTED
    finally:
        client.close()
    gael = b.member("Gaël")
    b.services.cards.enrol(b.services.cards.read(uid), gael)
    b.sync()
    with hub.db.read() as conn:
        row = conn.execute(select(t.unknown_taps).where(t.unknown_taps.c.uid_hash == uid_hash)).one()
    assert row.resolved_member_id == gael
    assert b.sync().pulled == 0  # hub-only facts are not relayed to kiosks that could not apply them


def test_one_event_the_hub_cannot_parse_is_refused_alone_and_the_rest_goes_through(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Évènement abîmé")
    a = Kiosk(tmp_path / "a", collective)
    a.pair(hub, collective)
    for name in ("Inès", "Jules", "Karim", "Léa"):
        a.member(name)
    # A damaged journal row (say, written by a buggy version): its hlc does not parse.
    a.store.conn.execute("UPDATE journal SET hlc = 'not-an-hlc' WHERE seq = 2")
    report = a.sync()
    assert report.pushed == 3 and [r.reason for r in report.rejected] == ["invalid"]
    assert a.pending() == 0 and a.sync().rejected == ()


def test_a_member_id_too_long_to_keep_is_refused_as_invalid_not_a_server_error(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Identifiant trop long")
    a = Kiosk(tmp_path / "a", collective)
    a.pair(hub, collective)
    for name in ("Nadia", "Omar", "Paul"):
        a.member(name)
    # A journal row whose member id is longer than any the hub keeps (36): PostgreSQL refused to store it.
    long_id = "m" * 37
    a.store.conn.execute(
        "UPDATE journal SET payload = json_set(payload, '$.member_id', ?) WHERE seq = 2", (long_id,)
    )
    report = a.sync()
    assert report.pushed == 2 and [(r.reason, r.detail) for r in report.rejected] == [
        ("invalid", "not an id: member_id")
    ]
    assert a.pending() == 0


def test_interests_reach_the_owner_at_another_kiosk_and_unknown_taps_stay_at_the_hub(
    hub: HubHandle, tmp_path: Path
) -> None:
    collective = hub.collective("Savoirs de Pleyel")
    a, b = Kiosk(tmp_path / "a", collective), Kiosk(tmp_path / "b", collective)
    a.pair(hub, collective)
    b.pair(hub, collective)
    hawa, yanis = a.member("Hawa"), a.member("Yanis")
    offer = a.services.listings.publish(hawa, ListingKind.OFFER, "cuisine.quotidien", "Mafé", "")
    a.sync()
    b.sync()
    # At kiosk B, Yanis says « ça m'intéresse »; a card nobody enrolled yet is tapped there too.
    b.services.listings.express_interest(offer.id, yanis)
    uid = b"\x04\x21\x32\x43\x54\x65\x76"
    uid_hash = b.services.cards.read(uid).uid_hash
    assert b.services.cards.record_unknown_tap(uid_hash)
    pushed = b.sync()
    assert pushed.pushed == 2 and pushed.rejected == ()
    pulled = a.sync()
    assert pulled.pulled == 1 and pulled.apply_errors == 0  # the interest; the tap stays at the hub
    assert [(n.pseudonym, n.seen) for n in a.services.listings.interests_for(hawa)] == [("Yanis", False)]
    # Hawa sees it at kiosk A: kiosk B does not show it as new any more.
    assert a.services.listings.mark_interests_seen(hawa) == 1
    a.sync()
    assert b.sync().pulled == 1
    assert [n.seen for n in b.services.listings.interests_for(hawa)] == [True]
    with hub.db.read() as conn:
        tap = conn.execute(select(t.unknown_taps).where(t.unknown_taps.c.uid_hash == uid_hash)).one()
    assert tap.resolved_member_id is None
    # The card is given to Yanis at kiosk A: the hub now knows whose tap it was.
    a.services.cards.enrol(a.services.cards.read(uid), yanis)
    a.sync()
    with hub.db.read() as conn:
        tap = conn.execute(select(t.unknown_taps).where(t.unknown_taps.c.uid_hash == uid_hash)).one()
    assert tap.resolved_member_id == yanis


def test_a_member_erased_earlier_in_the_same_push_flags_a_later_act_of_that_push(
    hub: HubHandle, tmp_path: Path
) -> None:
    """Events are facts: an act recorded after the erasure (a kiosk that had not heard of it) is kept and
    flagged — also when both arrive in one push (made here by hand: a kiosk refuses to record it)."""
    collective = hub.collective("Effacement puis échange")
    a = Kiosk(tmp_path / "a", collective)
    a.pair(hub, collective)
    hugo, ines = a.member("Hugo"), a.member("Inès")
    a.sync()
    first = _next_seq(a)
    events = [  # the erasure, then (a minute later) the exchange
        wire_event(
            a.kiosk_id, first, "member.erased", {"member_id": hugo, "by": None}, "2026-11-26T10:00:00+00:00"
        ),
        wire_event(
            a.kiosk_id,
            first + 1,
            "exchange.recorded",
            _exchange_payload(hugo, ines),
            "2026-11-26T10:01:00+00:00",
        ),
    ]
    client = a.client()
    try:
        answer = client.push(events)
    finally:
        client.close()
    assert [r.status for r in answer.results] == [Outcome.ACCEPTED, Outcome.ACCEPTED]
    with hub.db.read() as conn:
        flags = conn.execute(select(t.events.c.flags).where(t.events.c.id == events[1]["id"])).scalar_one()
    assert json.loads(flags) == [f"member_erased:{hugo}"]


def _next_seq(kiosk: Kiosk) -> int:
    row = kiosk.store.query_one("SELECT max(seq) AS last FROM journal WHERE kiosk_id = ?", (kiosk.kiosk_id,))
    assert row is not None
    return int(row["last"]) + 1


def _exchange_payload(transmitter: str, learner: str) -> dict[str, Any]:
    return {
        "exchange_id": str(uuid.uuid4()),
        "kind": "knowledge",
        "theme_id": "cuisine.quotidien",
        "title": "Pâte à crêpes",
        "duration_min": 60,
        "site_id": "site-local",
        "occurred_at": "2026-11-26T11:00:00+01:00",
        "recorded_by": transmitter,
        "listing_id": None,
        "participants": [
            {"member_id": transmitter, "role": "transmitter", "confirmed": True},
            {"member_id": learner, "role": "learner", "confirmed": True},
        ],
    }
