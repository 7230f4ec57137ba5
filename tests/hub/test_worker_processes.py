"""Several hub worker processes are safe (issue 4), on SQLite and on PostgreSQL.

Twelve kiosks of one collective push at the same time, from threads, to a hub run with two uvicorn worker
processes; some batches are sent twice, as a kiosk does when an answer is lost. Then: every event was
accepted exactly once (a duplicate on its resend), the hub stored each exactly once, the collective's
sequence is 1..N with no gap and no repeat, each kiosk's own sequence is what it sent, and another kiosk
pulls all N changes in order. Each request is traced, through /proc, to the worker process that holds its
connection: both processes must have served pushes, or the test would prove nothing about several of them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from bench.hub_bench import envelopes, pair_raw
from hub import admin
from hub import schema as t
from sync_client.client import HubClient
from sync_client.protocol import EventResult
from tests.hub.conftest import hub_of_processes
from tests.hub.servers import HubServer, PostgresCluster

KIOSKS, BATCHES, PER_BATCH = 12, 5, 40
RESENT_AT_ONCE = 1  # every kiosk sends this batch again straight away: its first answer was lost
RESENT_LATE = 0  # half the kiosks send their first batch again at the end: a retry after a long outage
ESTABLISHED = "01"  # the TCP state in /proc/net/tcp


def _worker_pids(server: HubServer) -> list[int]:
    """uvicorn's worker processes: the children of `python -m hub serve` started by multiprocessing's
    spawn (its resource tracker, another child, serves no request)."""
    assert server.process is not None
    workers = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == server.process.pid and b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.append(int(pid))
    return workers


def _serving_worker(server_port: int, client_port: int, workers: list[int]) -> int | None:
    """The worker process holding the hub's end of the connection from `client_port`: the inode of that
    socket in /proc/net/tcp, then the process among `workers` with a descriptor on it. None when the hub
    already closed it (after an error answer): the answer's own assertions then say what went wrong."""
    inode = ""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if (
            state == ESTABLISHED
            and int(local.split(":")[1], 16) == server_port
            and int(remote.split(":")[1], 16) == client_port
        ):
            inode = fields[9]
    if not inode:
        return None
    for pid in workers:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):  # a descriptor closed meanwhile
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
    return None


class TracedKiosk:
    """A kiosk pushing its journal batch after batch, each over a new connection (the hub closes a kiosk's
    idle connection after 5 s, so a real kiosk reconnects at each sync; new connections also let the kernel
    hand them to either process). Each answer is traced to the worker process that served it."""

    def __init__(
        self, server: HubServer, workers: list[int], kiosk_id: str, token: str, collective: str
    ) -> None:
        self.server, self.workers, self.kiosk_id, self.token = server, workers, kiosk_id, token
        events = envelopes(kiosk_id, BATCHES * PER_BATCH, collective=collective)
        self.batches = [events[i : i + PER_BATCH] for i in range(0, len(events), PER_BATCH)]
        self.answers: list[list[EventResult]] = []  # first sendings, in batch order
        self.resent: dict[int, list[EventResult]] = {}  # batch index -> answers to its second sending
        self.served_by: list[int | None] = []  # the worker pid of every request

    def _trace(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Called before the body is read: the connection is still the response's, open on both ends.
        connection = response.raw.connection
        assert connection is not None and connection.sock is not None
        client_port = connection.sock.getsockname()[1]
        self.served_by.append(_serving_worker(self.server.port, client_port, self.workers))

    def _push(self, batch: list[dict[str, Any]]) -> list[EventResult]:
        client = HubClient(self.server.url, self.token)
        client.session.hooks["response"].append(self._trace)
        try:
            return client.push(batch).results
        finally:
            client.close()

    def run(self, start: threading.Barrier, index: int) -> None:
        start.wait()
        for n, batch in enumerate(self.batches):
            self.answers.append(self._push(batch))
            if n == RESENT_AT_ONCE:
                self.resent[n] = self._push(batch)
        if index % 2 == 0:
            self.resent[RESENT_LATE] = self._push(self.batches[RESENT_LATE])


def test_concurrent_pushes_to_two_worker_processes_lose_and_repeat_nothing(
    backend: str, postgres: PostgresCluster | None, tmp_path: Path
) -> None:
    with hub_of_processes(backend, postgres, tmp_path) as (server, db):
        workers, deadline = _worker_pids(server), time.monotonic() + 10
        while len(workers) < 2 and time.monotonic() < deadline:  # one may answer before the other started
            time.sleep(0.1)
            workers = _worker_pids(server)
        assert len(workers) == 2, workers
        collective = admin.add_collective(db, "Plusieurs processus", "Belleville").id
        kiosks = [
            TracedKiosk(server, workers, *pair_raw(server.url, db, collective, f"Borne {n}"), collective)
            for n in range(KIOSKS)
        ]
        _reader, reader_token = pair_raw(server.url, db, collective, "Lectrice")
        start = threading.Barrier(KIOSKS)
        with ThreadPoolExecutor(KIOSKS) as pool:
            for future in [pool.submit(kiosk.run, start, n) for n, kiosk in enumerate(kiosks)]:
                future.result()  # a push refused or failed (HubError) fails the test here

        total = KIOSKS * BATCHES * PER_BATCH
        hub_seq_of: dict[str, int] = {}  # event id -> the hub sequence its acceptance gave
        for kiosk in kiosks:
            for batch, answers in zip(kiosk.batches, kiosk.answers, strict=True):
                assert [a.id for a in answers] == [e["id"] for e in batch]
                assert {a.status for a in answers} == {"accepted"}, answers
                for answer in answers:
                    assert answer.id not in hub_seq_of and answer.hub_seq is not None
                    hub_seq_of[answer.id] = answer.hub_seq
            for n, answers in kiosk.resent.items():
                # A resend changes nothing: each event is a duplicate, with the sequence it was given.
                assert [(a.id, a.status) for a in answers] == [
                    (e["id"], "duplicate") for e in kiosk.batches[n]
                ]
                assert [a.hub_seq for a in answers] == [hub_seq_of[a.id] for a in answers]
            # A kiosk's events pushed after its earlier ones were answered come later in the collective.
            kiosk_hub_seqs = [hub_seq_of[e["id"]] for batch in kiosk.batches for e in batch]
            assert kiosk_hub_seqs == sorted(kiosk_hub_seqs)
        assert len(hub_seq_of) == total
        assert sorted(hub_seq_of.values()) == list(range(1, total + 1))  # no seq given twice, none skipped

        with db.read() as conn:
            rows = conn.execute(
                select(t.events.c.id, t.events.c.seq, t.events.c.kiosk_id, t.events.c.kiosk_seq).where(
                    t.events.c.collective_id == collective
                )
            ).all()
            last_seq = conn.execute(
                select(t.collectives.c.last_seq).where(t.collectives.c.id == collective)
            ).scalar_one()
        assert len(rows) == total  # nothing stored twice…
        assert {row.id: row.seq for row in rows} == hub_seq_of  # …nothing lost, each at its answered seq
        assert sorted(row.seq for row in rows) == list(range(1, total + 1))
        assert last_seq == total
        for kiosk in kiosks:
            assert sorted(row.kiosk_seq for row in rows if row.kiosk_id == kiosk.kiosk_id) == list(
                range(1, BATCHES * PER_BATCH + 1)
            )

        reader = HubClient(server.url, reader_token)
        try:
            pulled, cursor, has_more = [], 0, True
            while has_more:
                page = reader.pull(cursor, 500)
                pulled += page.changes
                cursor, has_more = page.cursor, page.has_more
        finally:
            reader.close()
        assert [change.hub_seq for change in pulled] == list(range(1, total + 1))
        assert {change.event.id: change.hub_seq for change in pulled} == hub_seq_of

        # Both processes served pushes, and every request was traced to one of them.
        served = [pid for kiosk in kiosks for pid in kiosk.served_by]
        assert len(served) == sum(len(k.answers) + len(k.resent) for k in kiosks)
        assert set(served) == set(workers), {pid: served.count(pid) for pid in set(served)}
