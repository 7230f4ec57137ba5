"""The pulls' cache of each collective's recent changes (hub/recent_changes.py): what it reads from the
database, and that an erasure is never answered stale — through the real hub, two worker processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from bench.hub_bench import envelopes, pair_raw
from hub import admin
from hub.recent_changes import RecentChanges, StoredChange
from tests.hub.conftest import hub_of_processes
from tests.hub.kiosks import wire_event
from tests.hub.servers import PostgresCluster

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"


class _Journal:
    """A collective's changes 1..n (kiosk "a" for odd sequences, "b" for even), and the reads made of it."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reads: list[tuple[int, int]] = []

    def fetch(self, low: int, high: int) -> list[StoredChange]:
        self.reads.append((low, high))
        return [
            StoredChange(seq, seq, "a" if seq % 2 else "b", "t", b"{}")
            for seq in range(low + 1, min(high, self.count) + 1)
        ]


def _seqs(changes: list[StoredChange] | None) -> list[int]:
    assert changes is not None
    return [change.seq for change in changes]


def test_reads_only_what_it_does_not_keep() -> None:
    cache, journal = RecentChanges(), _Journal(20)
    assert _seqs(cache.between("c", 0, 0, 10, journal.fetch)) == list(range(1, 11))
    assert _seqs(cache.between("c", 0, 0, 10, journal.fetch)) == list(range(1, 11))
    assert _seqs(cache.between("c", 0, 4, 15, journal.fetch)) == list(range(5, 16))
    assert _seqs(cache.between("c", 0, 12, 15, journal.fetch)) == [13, 14, 15]
    assert journal.reads == [(0, 10), (10, 15)]  # the second and fourth pulls read nothing


def test_another_erasure_count_or_an_older_cursor_reads_again() -> None:
    cache, journal = RecentChanges(), _Journal(20)
    cache.between("c", 0, 5, 10, journal.fetch)
    assert _seqs(cache.between("c", 0, 2, 10, journal.fetch)) == list(range(3, 11))  # before what it keeps
    assert _seqs(cache.between("c", 1, 2, 10, journal.fetch)) == list(range(3, 11))  # an erasure since
    assert journal.reads == [(5, 10), (2, 10), (2, 10)]


def test_keeps_at_most_keep_changes_per_collective_and_so_many_collectives() -> None:
    cache, journal = RecentChanges(), _Journal(5_000)
    cache.KEEP, cache.COLLECTIVES = 100, 3
    assert cache.between("c", 0, 0, 101, journal.fetch) is None  # too many: the caller reads as before
    cache.between("c", 0, 0, 100, journal.fetch)
    assert _seqs(cache.between("c", 0, 0, 150, journal.fetch)) == list(range(1, 151))
    journal.reads.clear()
    assert _seqs(cache.between("c", 0, 60, 150, journal.fetch)) == list(range(61, 151))
    assert journal.reads == []  # the latest 100 are kept
    assert cache.between("c", 0, 40, 150, journal.fetch) is None  # the oldest 50 were let go…
    assert journal.reads == []  # …and 110 are too many to read into it
    for other in ("d", "e", "f"):
        cache.between(other, 0, 0, 5, journal.fetch)
    journal.reads.clear()
    cache.between("c", 0, 60, 150, journal.fetch)
    assert journal.reads == [(60, 150)]  # "c", the least recently pulled, was forgotten


def test_an_erasure_is_never_pulled_stale(
    backend: str, postgres: PostgresCluster | None, tmp_path: Path
) -> None:
    with hub_of_processes(backend, postgres, tmp_path) as (server, db):
        collective = admin.add_collective(db, "Effacements", "Belleville").id
        (writer, writer_token), (_reader, reader_token) = (
            pair_raw(server.url, db, collective, name) for name in ("a", "b")
        )
        events = envelopes(writer, 20, collective=collective)
        nadia = next(e["payload"]["member_id"] for e in events if e["type"] == "member.registered")

        def push(batch: list[dict[str, Any]]) -> None:
            answer = requests.post(
                server.url + PUSH, json={"events": batch}, headers={"Authorization": f"Bearer {writer_token}"}
            )
            assert answer.status_code == 200 and "rejected" not in answer.text, answer.text

        def pulled() -> tuple[list[str], str]:
            """The types of the changes pulled from the start, and Nadia's pseudonym in them."""
            answer = requests.get(
                server.url + PULL,
                params={"cursor": 0, "limit": 1000},
                headers={"Authorization": f"Bearer {reader_token}", "Connection": "close"},
            )
            assert answer.status_code == 200, answer.text
            changes = [change["event"] for change in json.loads(answer.text)["changes"]]
            registered = [
                e for e in changes if e["type"] == "member.registered" and e["payload"]["member_id"] == nadia
            ]
            return [e["type"] for e in changes], registered[0]["payload"]["pseudonym"]

        push(events)
        for _ in range(8):  # new connections: both worker processes keep the collective's changes
            types, pseudonym = pulled()
            assert len(types) == 20 and pseudonym.startswith("Membre ")
        push([wire_event(writer, 21, "member.erased", {"member_id": nadia, "by": None})])
        for _ in range(8):
            types, pseudonym = pulled()
            assert len(types) == 21 and types[-1] == "member.erased"
            assert pseudonym == ""  # redacted, in whichever process answered
