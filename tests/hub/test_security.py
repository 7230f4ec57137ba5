"""The security matrix, over real HTTP: 401 / 403 / refused codes / 429 / 413 / 422."""

from __future__ import annotations

import json
import queue
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from hub import admin
from kiosk.clock import HlcState, format_hlc
from sync_client.client import HubUnauthorized
from sync_client.worker import SyncState, SyncStatus, SyncWorker
from tests.hub.kiosks import HubHandle, Kiosk


def _event(
    kiosk_id: str, seq: int, payload: dict[str, Any] | None = None, kind: str = "card.revoked"
) -> dict[str, Any]:
    return {
        "id": f"01900000-0000-7000-8000-{seq:012d}",
        "type": kind,
        "schema": 1,
        "kiosk_id": kiosk_id,
        "seq": seq,
        "occurred_at": "2026-11-25T10:00:00.000+01:00",
        "hlc": format_hlc(HlcState(1, seq), kiosk_id),
        "clock_synced": True,
        "payload": payload or {"uid_hash": "ab" * 32, "reason": "test"},
    }


def _auth(kiosk: Kiosk) -> dict[str, str]:
    link = kiosk.store.query_one("SELECT token FROM hub_link")
    assert link is not None
    return {"Authorization": f"Bearer {link['token']}"}


@pytest.fixture
def two_collectives(hub: HubHandle, tmp_path: Path) -> tuple[Kiosk, Kiosk]:
    ca, cb = hub.collective("Collectif A"), hub.collective("Collectif B")
    a, b = Kiosk(tmp_path / "a", ca), Kiosk(tmp_path / "b", cb)
    a.pair(hub, ca)
    b.pair(hub, cb)
    return a, b


def test_no_token_wrong_token_and_revoked_kiosk_get_401(
    hub: HubHandle, two_collectives: tuple[Kiosk, Kiosk]
) -> None:
    a, _ = two_collectives
    pull = hub.url + "/api/v1/sync/pull"
    assert requests.get(pull, timeout=5).status_code == 401
    wrong = requests.get(pull, headers={"Authorization": "Bearer " + "x" * 43}, timeout=5)
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    assert requests.get(pull, headers=_auth(a), timeout=5).status_code == 200
    assert admin.revoke_kiosk(hub.db, a.kiosk_id)
    revoked = requests.post(hub.url + "/api/v1/sync/push", json={"events": []}, headers=_auth(a), timeout=5)
    assert revoked.status_code == 401 and revoked.json()["code"] == "kiosk_revoked"
    with pytest.raises(HubUnauthorized) as raised:
        a.sync()
    assert raised.value.code == "kiosk_revoked"


def test_a_kiosk_reads_and_writes_only_its_own_collective(
    hub: HubHandle, two_collectives: tuple[Kiosk, Kiosk]
) -> None:
    a, b = two_collectives
    b.member("Secrète")
    b.sync()
    url = hub.url + "/api/v1/sync"
    other = b.config.collective.id
    assert (
        requests.get(f"{url}/pull", params={"collective": other}, headers=_auth(a), timeout=5).status_code
        == 403
    )
    assert requests.get(f"{url}/pull", headers=_auth(a), timeout=5).json()["changes"] == []
    forged = _event(
        a.kiosk_id,
        1,
        {
            "member_id": "m-1",
            "collective_id": other,
            "pseudonym": "Intrus",
            "quartier": "Q",
            "roles": ["member"],
            "languages": [],
        },
        "member.registered",
    )
    for body in (
        {"events": [], "collective_id": other},
        {"events": [forged]},
        {"events": [_event(b.kiosk_id, 1)]},
    ):
        answer = requests.post(f"{url}/push", json=body, headers=_auth(a), timeout=5)
        assert answer.status_code == 403, body
        assert answer.json()["code"] == "forbidden"


def test_pairing_codes_are_one_time_and_expire(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Codes")
    code = hub.code(collective)
    url = hub.url + "/api/v1/pair"
    first = requests.post(url, json={"code": code, "kiosk_name": "Une"}, timeout=5)
    assert first.status_code == 200
    again = requests.post(url, json={"code": code.lower(), "kiosk_name": "Deux"}, timeout=5)
    assert again.status_code == 403 and again.json()["code"] == "pairing_code_used"
    expired, _ = admin.create_pairing_code(hub.db, collective, ttl=timedelta(seconds=-1))
    late = requests.post(url, json={"code": expired, "kiosk_name": "Trois"}, timeout=5)
    assert late.status_code == 403 and late.json()["code"] == "pairing_code_expired"
    taken = requests.post(
        url,
        json={"code": hub.code(collective), "kiosk_name": "Quatre", "kiosk_id": first.json()["kiosk_id"]},
        timeout=5,
    )
    assert taken.status_code == 409 and taken.json()["code"] == "kiosk_exists"


def test_pairing_brute_force_is_slowed_down_with_429(fresh_hub: HubHandle) -> None:
    collective = fresh_hub.collective("Force brute")
    url = fresh_hub.url + "/api/v1/pair"
    answers = [
        requests.post(url, json={"code": f"ABCDE{n:05d}", "kiosk_name": "Pirate"}, timeout=5).status_code
        for n in range(12)
    ]
    assert answers[:10] == [403] * 10 and answers[10:] == [429, 429]
    # Even the right code waits now: a guess that happens to be right must not get through.
    blocked = requests.post(url, json={"code": fresh_hub.code(collective), "kiosk_name": "Vraie"}, timeout=5)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_oversized_batches_get_413_and_malformed_requests_422(
    hub: HubHandle, two_collectives: tuple[Kiosk, Kiosk]
) -> None:
    a, _ = two_collectives
    push = hub.url + "/api/v1/sync/push"
    events = [_event(a.kiosk_id, n) for n in range(1, 502)]
    assert requests.post(push, json={"events": events}, headers=_auth(a), timeout=10).status_code == 413
    big = {"events": [_event(a.kiosk_id, 1, {"uid_hash": "ab" * 32, "reason": "x" * (1024 * 1024)})]}
    assert requests.post(push, json=big, headers=_auth(a), timeout=10).status_code == 413
    chunks = iter([json.dumps(big).encode()[i : i + 65536] for i in range(0, 1100 * 1024, 65536)])
    chunked = requests.post(
        push, data=chunks, headers={**_auth(a), "Content-Type": "application/json"}, timeout=10
    )
    assert chunked.status_code == 413
    headers = {**_auth(a), "Content-Type": "application/json"}
    assert requests.post(push, data=b"{not json", headers=headers, timeout=5).status_code == 422
    wrong = {"events": [{**_event(a.kiosk_id, 1), "seq": "one"}]}
    answer = requests.post(push, json=wrong, headers=_auth(a), timeout=5)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_request"
    pull = hub.url + "/api/v1/sync/pull"
    for params in ({"cursor": -1}, {"limit": 0}, {"limit": 100_000}, {"cursor": "x"}):
        assert requests.get(pull, params=params, headers=_auth(a), timeout=5).status_code == 422, params
    assert requests.post(hub.url + "/api/v1/pair", json={"code": 1}, timeout=5).status_code == 422


def test_a_revoked_kiosk_worker_says_so_and_stops_retrying(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Révocation")
    kiosk = Kiosk(tmp_path / "k", collective)
    kiosk.pair(hub, collective)
    assert admin.revoke_kiosk(hub.db, kiosk.kiosk_id)
    statuses: queue.Queue[object] = queue.Queue()
    worker = SyncWorker(kiosk.config.database_path, statuses, kiosk.clock, debounce=0.01, backoff_base=0.01)
    worker.start()
    try:
        status = statuses.get(timeout=10)
        while isinstance(status, SyncStatus) and status.state is SyncState.SYNCING:
            status = statuses.get(timeout=10)
        assert isinstance(status, SyncStatus) and status.state is SyncState.REVOKED
        kiosk.member("Encore")
        worker.wake()  # a local write does not make a revoked kiosk hammer the hub
        time.sleep(0.3)
        assert worker.cycles == 1 and status.pending == 0
    finally:
        worker.stop()
    kiosk.close()
