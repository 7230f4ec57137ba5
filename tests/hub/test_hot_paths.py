"""The hub's short ways for push and pull (hub/fastpath.py, hub/sql.py, hub/wire.py) answer exactly as
FastAPI's declared routes and the protocol models do, refusals included."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bench.hub_bench import envelopes, pair_raw
from hub import schema as t
from hub.ingest import KioskAuth, PushBatch
from hub.sql import Sql
from hub.util import iso, utcnow
from hub.wire import push_json
from kiosk.clock import HlcState, format_hlc
from sync_client.protocol import Envelope, Outcome, PushResponse, Reason
from tests.hub.kiosks import HubHandle

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"
# FastAPI reads `+json` bodies too; the fast path takes only `application/json` and leaves this to it.
DECLARED_ROUTE = "application/merge-patch+json"


def _auth_of(hub: HubHandle, collective: str) -> KioskAuth:
    with hub.db.read() as conn:
        network = conn.execute(
            select(t.collectives.c.network_id).where(t.collectives.c.id == collective)
        ).scalar_one()
    return KioskAuth(str(uuid.uuid4()), "borne", collective, network)


def _again(event: dict[str, Any], seq: int, **changes: Any) -> dict[str, Any]:
    hlc = format_hlc(HlcState(1_795_000_000_000 + seq, 0), event["kiosk_id"])
    return {**event, "id": str(uuid.uuid4()), "seq": seq, "hlc": hlc, **changes}


def test_push_json_is_the_models_answer_for_every_outcome(hub: HubHandle) -> None:
    collective = hub.collective("Réponses de push")
    kiosk = _auth_of(hub, collective)
    first = envelopes(kiosk.kiosk_id, 6, collective=collective)
    batch = PushBatch([Envelope.model_validate(e) for e in first], skew_ms=None)
    hub.db.write_retrying(lambda conn: batch.store(conn, kiosk))

    changed = {**first[1], "payload": {**first[1]["payload"], "by": "quelqu’un d’autre"}}
    fresh = _again(first[2], 7)
    second = [
        first[0],  # duplicate of a stored event
        changed,  # conflict: same id, another payload
        _again(first[3], 3),  # seq already taken by another event of this kiosk
        _again(first[0], 8, payload={"member_id": str(uuid.uuid4())}),  # invalid: keys missing
        _again(first[0], 9, type="member.teleported"),  # unsupported
        fresh,  # accepted
        fresh,  # the same new event twice in one batch: duplicate
    ]
    batch = PushBatch([Envelope.model_validate(e) for e in second], skew_ms=-1234)
    results = hub.db.write_retrying(lambda conn: batch.store(conn, kiosk))
    duplicate, rejected, accepted = Outcome.DUPLICATE, Outcome.REJECTED, Outcome.ACCEPTED
    assert [r[1] for r in results] == [duplicate, *[rejected] * 4, accepted, duplicate]
    assert [r[2] for r in results[1:5]] == [
        Reason.CONFLICT,
        Reason.SEQ_REUSED,
        Reason.INVALID,
        Reason.UNSUPPORTED,
    ]
    hub_time = iso(utcnow())
    model = batch.response(results).model_copy(update={"hub_time": hub_time})
    assert push_json(results, hub_time, -1234) == model.model_dump_json(by_alias=True)
    assert push_json([], hub_time, None) == PushResponse(results=[], hub_time=hub_time).model_dump_json()


def _post(url: str, token: str, body: dict[str, Any], content_type: str = "application/json") -> Any:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    return requests.post(url + PUSH, data=json.dumps(body).encode(), headers=headers, timeout=10)


def test_the_fast_path_answers_as_the_declared_route(hub: HubHandle) -> None:
    collective, other = hub.collective("Chemin court"), hub.collective("Chemin court, voisin")
    kiosk_id, token = pair_raw(hub.url, hub.db, collective, "courte")
    _, token_b = pair_raw(hub.url, hub.db, other, "voisine")
    events = envelopes(kiosk_id, 10, collective=collective)
    fast = _post(hub.url, token, {"events": events[:5]})
    declared = _post(hub.url, token, {"events": events[5:]}, DECLARED_ROUTE)
    assert fast.status_code == declared.status_code == 200
    fast_body, declared_body = fast.json(), declared.json()
    assert [list(r) for r in fast_body["results"]] == [list(r) for r in declared_body["results"]]
    assert [r["status"] for r in fast_body["results"] + declared_body["results"]] == ["accepted"] * 10
    assert [r["hub_seq"] for r in fast_body["results"] + declared_body["results"]] == list(range(1, 11))
    # Same events again: duplicates, by either way.
    again_fast = _post(hub.url, token, {"events": events[5:]})
    again_declared = _post(hub.url, token, {"events": events[:5]}, DECLARED_ROUTE)
    assert {r["status"] for r in again_fast.json()["results"] + again_declared.json()["results"]} == {
        "duplicate"
    }

    refusals: list[tuple[str, dict[str, Any]]] = [
        ("jeton-inconnu", {"events": events[:1]}),  # 401
        (token, {"events": events[:1], "collective_id": other}),  # 403: another collective
        (token_b, {"events": events[:1]}),  # 403: another kiosk's events
        (token, {"events": [{**events[0], "seq": "un"}]}),  # 422 (the fast path leaves it to FastAPI)
    ]
    for who, body in refusals:
        by_fast, by_declared = _post(hub.url, who, body), _post(hub.url, who, body, DECLARED_ROUTE)
        assert by_fast.status_code == by_declared.status_code != 200, body
        assert by_fast.json() == by_declared.json()
        assert by_fast.headers.get("WWW-Authenticate") == by_declared.headers.get("WWW-Authenticate")

    _reader_id, reader = pair_raw(hub.url, hub.db, collective, "lectrice")
    auth = {"Authorization": f"Bearer {reader}"}
    for fast_query, declared_query in (("cursor=0&limit=4", "cursor=00&limit=04"), ("cursor=4", "cursor=+4")):
        by_fast = requests.get(f"{hub.url}{PULL}?{fast_query}", headers=auth, timeout=10).json()
        by_declared = requests.get(f"{hub.url}{PULL}?{declared_query}", headers=auth, timeout=10).json()
        assert by_fast["changes"] and by_fast["cursor"] > 0
        assert {**by_fast, "hub_time": None} == {**by_declared, "hub_time": None}
    for query in (f"collective={other}", "cursor=-1"):
        by_fast = requests.get(f"{hub.url}{PULL}?{query}", headers=auth, timeout=10)
        assert by_fast.status_code in (403, 422), query
    assert requests.get(f"{hub.url}{PULL}", timeout=10).json()["code"] == "unauthorized"


def test_driver_errors_reach_the_hub_as_sqlalchemy_errors(hub: HubHandle) -> None:
    """`Database.write_retrying` retries on IntegrityError and the app answers 503 on OperationalError:
    hub/sql.py runs statements on the driver's cursor, and must raise what `Connection.execute` raises."""
    collective = hub.collective("Erreurs du pilote")
    with pytest.raises(IntegrityError) as caught, hub.db.write() as conn:
        Sql(conn).insert(
            "collectives",
            ("id", "network_id", "name", "quartier", "created_at"),
            [(collective, "reseau", "Doublon", "Q", iso(utcnow()))],
        )
    assert caught.value.orig is not None and not isinstance(caught.value.orig, IntegrityError)
