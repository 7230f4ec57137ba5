"""The pull answer written straight from the stored rows is the `PullResponse` the models would write."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bench.hub_bench import envelopes
from hub import schema as t
from hub.ingest import KioskAuth, push
from hub.recent_changes import StoredChange
from hub.sync import _kiosk_page, pull, pull_json
from kiosk.clock import HlcState, format_hlc
from sync_client.protocol import HUB_ONLY_SCHEMAS, Envelope, PullResponse
from tests.hub.kiosks import HubHandle


def test_pull_json_is_the_models_answer(hub: HubHandle) -> None:
    collective = hub.collective("Pull JSON « été »")
    with hub.db.read() as conn:
        network = conn.execute(
            select(t.collectives.c.network_id).where(t.collectives.c.id == collective)
        ).scalar_one()
    writer = KioskAuth(str(uuid.uuid4()), "écrivain", collective, network)
    reader = KioskAuth(str(uuid.uuid4()), "lecteur", collective, network)
    wire = envelopes(writer.kiosk_id, 40, collective=collective)
    assert [e["type"] for e in wire[5:8]] == ["member.registered", "card.enrolled", "exchange.recorded"]
    wire[5]["payload"]["pseudonym"] = 'Zoë "l\'ancienne" \\ ☕ \u2028 \x01'
    member, uid_hash = wire[5]["payload"]["member_id"], wire[6]["payload"]["uid_hash"]
    seq = len(wire)
    for event_type, payload in (
        ("card.revoked", {"uid_hash": uid_hash, "by": None}),  # later acts of the member are flagged
        ("exchange.recorded", {**wire[7]["payload"], "exchange_id": str(uuid.uuid4())}),
        ("member.erased", {"member_id": member}),  # earlier events redacted
    ):
        seq += 1
        hlc = format_hlc(HlcState(1_795_000_000_000 + seq, 0), writer.kiosk_id)
        wire.append(
            {
                **wire[-1],
                "id": str(uuid.uuid4()),
                "type": event_type,
                "seq": seq,
                "hlc": hlc,
                "payload": payload,
            }
        )
    events = [Envelope.model_validate(e) for e in wire]
    push(hub.db, writer, events, skew_ms=1234)
    # hub/sync._pull_answer joins the changes with the answer's head and tail: none, one, several
    for cursor, limit in ((0, 1000), (0, 7), (5, 3), (0, 1), (10_000, 5)):
        expected = pull(hub.db, reader, cursor, limit)
        got = PullResponse.model_validate_json(pull_json(hub.db, reader, cursor, limit))
        assert got.model_dump(exclude={"hub_time"}) == expected.model_dump(exclude={"hub_time"})
    everything = pull(hub.db, reader, 0, 1000)
    assert len(everything.changes) == len(wire)
    assert any(c.flags for c in everything.changes)
    assert pull(hub.db, writer, 0, 1000).changes == []
    assert PullResponse.model_validate_json(pull_json(hub.db, writer, 0, 1000)).changes == []


def test_a_later_erasure_rewrites_the_stored_change_text(hub: HubHandle) -> None:
    """Change texts are written at ingest; an erasure arriving in a later push redacts stored rows, and
    the next pull must show the redacted payload (and keep the rebuilt text for the pulls after it)."""
    collective = hub.collective("Pull JSON effacement")
    with hub.db.read() as conn:
        network = conn.execute(
            select(t.collectives.c.network_id).where(t.collectives.c.id == collective)
        ).scalar_one()
    writer = KioskAuth(str(uuid.uuid4()), "écrivain", collective, network)
    reader = KioskAuth(str(uuid.uuid4()), "lecteur", collective, network)
    first = envelopes(writer.kiosk_id, 3, collective=collective)
    member = first[0]["payload"]["member_id"]
    push(hub.db, writer, [Envelope.model_validate(e) for e in first], skew_ms=0)
    before = PullResponse.model_validate_json(pull_json(hub.db, reader, 0, 100))
    assert before.changes[0].event.payload["pseudonym"] == first[0]["payload"]["pseudonym"]

    erasure = {
        **first[-1],
        "id": str(uuid.uuid4()),
        "type": "member.erased",
        "seq": 4,
        "hlc": format_hlc(HlcState(1_795_000_000_100, 0), writer.kiosk_id),
        "payload": {"member_id": member},
    }
    push(hub.db, writer, [Envelope.model_validate(erasure)], skew_ms=0)
    with hub.db.read() as conn:
        cleared = conn.execute(
            select(t.events.c.change_json).where(t.events.c.id == first[0]["id"])
        ).scalar_one()
    assert cleared is None, "a redacted row must not keep its old change text"
    after = PullResponse.model_validate_json(pull_json(hub.db, reader, 0, 100))
    expected = pull(hub.db, reader, 0, 100)
    assert after.model_dump(exclude={"hub_time"}) == expected.model_dump(exclude={"hub_time"})
    assert first[0]["payload"]["pseudonym"] not in pull_json(hub.db, reader, 0, 100)
    with hub.db.read() as conn:
        kept = conn.execute(
            select(t.events.c.change_json).where(t.events.c.id == first[0]["id"])
        ).scalar_one()
    assert kept is not None and first[0]["payload"]["pseudonym"] not in kept


def test_a_cached_page_leaves_out_the_kiosks_own_and_hub_only_changes_up_to_the_limit() -> None:
    hidden = next(iter(HUB_ONLY_SCHEMAS))
    changes = [
        StoredChange(seq, seq, "a" if seq % 2 else "b", hidden if seq == 4 else "t", b"{}")
        for seq in range(1, 11)
    ]
    kiosk = KioskAuth("a", "borne a", "c", "n")
    rows, cursor, more = _kiosk_page(changes, kiosk, 10, 10)
    assert ([row[1] for row in rows], cursor, more) == ([2, 6, 8, 10], 10, False)
    rows, cursor, more = _kiosk_page(changes, kiosk, 2, 10)
    assert ([row[1] for row in rows], cursor, more) == ([2, 6], 6, True)  # the next page starts after 6
