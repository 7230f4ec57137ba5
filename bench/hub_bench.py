"""Hub benchmark (issue 4): figures and ratios measured side by side in one run, on SQLite and PostgreSQL.

1. push 10,000 events over loopback (batches of 500) vs a raw batched insert of the same rows into the same
   hub database (same batches, one transaction each): events/s and the ratio (goal ≥ 0.25 on SQLite);
2. initial pull of 100,000 members + 150,000 cards into a fresh kiosk (goal ≤ 60 s);
3. 200 concurrent simulated kiosks, each pushing 50 events then pulling: errors (goal 0) and p99 (goal ≤ 1 s),
   all starting at one instant (three bursts: see BARRIER_BURSTS), then arriving over 5 s.

Real parts only: the hub is `kiosk-hub serve` (uvicorn) in a subprocess, PostgreSQL a cluster of our own.
`python -m bench.hub_bench [--quick]`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from bench.hub_load import SimulatedKiosk, burst
from bench.stats import process_tree_cpu
from hub import admin
from hub import schema as t
from hub.db import Database
from hub.wire import change_json
from kiosk.clock import FixedClock, HlcState, format_hlc
from kiosk.config import load_config, with_data_dir
from kiosk.ids import new_id
from kiosk.services import open_services
from sync_client.client import HubClient
from sync_client.engine import SyncEngine
from sync_client.pairing import pair_kiosk
from sync_client.protocol import PairRequest, canonical
from tests.hub.servers import HubServer, PostgresCluster, postgres_bin

NOW = "2026-11-25T10:00:00.000+01:00"


def envelopes(kiosk_id: str, count: int, start_seq: int = 1, collective: str = "c") -> list[dict[str, Any]]:
    """A realistic mix: members, their cards, and exchanges between them. Ids are made as a kiosk makes
    them (`new_id`: UUIDv7, time-ordered); card hashes are random, as keyed hashes are. With random ids
    (uuid4) instead, each new event, member and exchange landed on a page of its own in the hub's indexes:
    the SQLite writer's time per push doubled (3.0–3.4 against 1.5–1.8 ms, 250,000 events stored before)."""
    events: list[dict[str, Any]] = []
    members: list[str] = []
    for n in range(count):
        seq = start_seq + n
        kind = n % 5
        if kind == 0 or len(members) < 2:
            member_id = new_id()
            members.append(member_id)
            payload: dict[str, Any] = {
                "member_id": member_id,
                "collective_id": collective,
                "pseudonym": f"Membre {kiosk_id[:6]} {seq}",
                "quartier": "Belleville",
                "roles": ["member"],
                "languages": ["fr"],
                "contact": None,
                "consent": None,
            }
            event_type = "member.registered"
        elif kind == 1:
            payload = {"uid_hash": secrets.token_hex(32), "member_id": members[-1], "by": None}
            event_type = "card.enrolled"
        else:
            payload = {
                "exchange_id": new_id(),
                "kind": "knowledge",
                "theme_id": "cuisine.quotidien",
                "title": "Pâte à crêpes",
                "duration_min": 60,
                "site_id": "site-local",
                "occurred_at": NOW[:16] + "+01:00",
                "recorded_by": members[-1],
                "listing_id": None,
                "participants": [
                    {"member_id": members[-1], "role": "transmitter", "confirmed": True},
                    {"member_id": members[-2], "role": "learner", "confirmed": True},
                ],
            }
            event_type = "exchange.recorded"
        events.append(
            {
                "id": new_id(),
                "type": event_type,
                "schema": 1,
                "kiosk_id": kiosk_id,
                "seq": seq,
                "occurred_at": NOW,
                "hlc": format_hlc(HlcState(1_795_000_000_000 + seq, 0), kiosk_id),
                "clock_synced": True,
                "payload": payload,
            }
        )
    return events


def pair_raw(url: str, db: Database, collective: str, name: str) -> tuple[str, str]:
    code, _ = admin.create_pairing_code(db, collective)
    client = HubClient(url)
    try:
        answer = client.pair(PairRequest(code=code, kiosk_name=name, kiosk_id=new_id()))
    finally:
        client.close()
    return answer.kiosk_id, answer.token


def raw_rows(events: list[dict[str, Any]], collective: str, first_seq: int) -> list[dict[str, Any]]:
    """The rows the hub stores for `events`, change text included (hub/wire.py), as its ingest writes them."""
    received = datetime.now(UTC).isoformat(timespec="milliseconds")
    rows = [
        {
            "collective_id": collective,
            "seq": first_seq + i,
            "id": e["id"],
            "type": e["type"],
            "schema": 1,
            "kiosk_id": e["kiosk_id"],
            "kiosk_seq": e["seq"],
            "occurred_at": e["occurred_at"],
            "hlc": e["hlc"],
            "clock_synced": True,
            "payload": canonical(e["payload"]),
            "received_at": received,
            "skew_ms": 0,
            "corrected_at": received,
            "flags": "[]",
            "member_id": None,
            "redacted": False,
        }
        for i, e in enumerate(events)
    ]
    for row in rows:
        row["change_json"] = change_json(row)
    return rows


def bench_push(url: str, db: Database, total: int) -> dict[str, float]:
    collective = admin.add_collective(db, "Bench push", "Belleville").id
    kiosk_id, token = pair_raw(url, db, collective, "bench")
    events = envelopes(kiosk_id, total, collective=collective)
    client = HubClient(url, token)
    started = time.perf_counter()
    for i in range(0, total, 500):
        answer = client.push(events[i : i + 500])
        assert all(r.status == "accepted" for r in answer.results)
    pushed = time.perf_counter() - started
    client.close()
    # The same rows (fresh ids), the same batches, one transaction each, straight into the same database.
    raw_collective = admin.add_collective(db, "Bench raw", "Belleville").id
    again = envelopes(new_id(), total, collective=raw_collective)
    started = time.perf_counter()
    for i in range(0, total, 500):
        with db.write() as conn:
            conn.execute(insert(t.events), raw_rows(again[i : i + 500], raw_collective, i + 1))
    raw = time.perf_counter() - started
    return {"push_eps": total / pushed, "raw_eps": total / raw, "ratio": raw / pushed}


def bench_initial_pull(url: str, db: Database, members: int, cards: int, folder: Path) -> dict[str, float]:
    collective = admin.add_collective(db, "Bench pull", "Belleville").id
    source = new_id()
    events: list[dict[str, Any]] = []
    member_ids = []
    for n in range(members):
        member_id = new_id()
        member_ids.append(member_id)
        events.append(
            {
                "type": "member.registered",
                "payload": {
                    "member_id": member_id,
                    "collective_id": collective,
                    "pseudonym": f"Membre {n:06d}",
                    "quartier": "Q",
                    "roles": ["member"],
                    "languages": ["fr"],
                    "contact": None,
                    "consent": None,
                },
            }
        )
    for n in range(cards):
        events.append(
            {
                "type": "card.enrolled",
                "payload": {
                    "uid_hash": secrets.token_hex(32),
                    "member_id": member_ids[n % members],
                    "by": None,
                },
            }
        )
    for seq, event in enumerate(events, 1):
        event.update(
            id=new_id(),
            kiosk_id=source,
            seq=seq,
            occurred_at=NOW,
            hlc=format_hlc(HlcState(1_795_000_000_000, seq % 99999), source),
        )
    for i in range(0, len(events), 5000):  # set-up, not measured
        with db.write() as conn:
            conn.execute(insert(t.events), raw_rows(events[i : i + 5000], collective, i + 1))
    with db.write() as conn:
        conn.execute(
            update(t.collectives).where(t.collectives.c.id == collective).values(last_seq=len(events))
        )
    base = with_data_dir(load_config(None), folder / "fresh-kiosk")
    config = base.__class__(**{**base.__dict__, "collective": base.collective.__class__(collective, "Bench")})
    clock = FixedClock(datetime.now(UTC))
    services = open_services(config, clock)
    client = HubClient(url)
    pair_kiosk(services.store, client, admin.create_pairing_code(db, collective)[0], "fresh")
    started = time.perf_counter()
    report = SyncEngine(services.store, client, clock, pull_limit=2000).sync_once()
    elapsed = time.perf_counter() - started
    client.close()
    count = services.store.conn.execute("SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM cards)")
    got_members, got_cards = count.fetchone()
    services.close()
    assert (got_members, got_cards) == (members, cards), (got_members, got_cards, report)
    return {"seconds": elapsed, "events": len(events), "eps": len(events) / elapsed}


def bench_concurrent(
    url: str,
    db: Database,
    kiosks: int,
    per_kiosk: int,
    spread_s: float = 0.0,
    server_pid: int = 0,
    db_cpu: Callable[[], float] | None = None,
) -> dict[str, float]:
    """`kiosks` kiosks of 10-kiosk collectives each push `per_kiosk` events then pull from cursor 0.

    spread_s = 0: all start at one barrier (400 requests at the same instant: the worst case). Otherwise
    each starts at a random moment within `spread_s` seconds, as the workers' jittered back-off spreads
    kiosks that all come back after a hub restart.
    """
    collectives = [
        admin.add_collective(db, f"Bench concurrent {uuid.uuid4().hex[:6]} {n}", "Q").id
        for n in range(max(1, kiosks // 10))
    ]
    paired = [pair_raw(url, db, collectives[n % len(collectives)], f"k{n}") for n in range(kiosks)]
    simulated = [
        SimulatedKiosk(
            url, token, envelopes(kiosk_id, per_kiosk, collective=collectives[n % len(collectives)])
        )
        for n, (kiosk_id, token) in enumerate(paired)
    ]
    offsets = [random.Random(n).uniform(0, spread_s) for n in range(kiosks)]
    started, cpu_before = time.perf_counter(), process_tree_cpu(server_pid) if server_pid else 0.0
    db_cpu_before, client_before = db_cpu() if db_cpu else 0.0, time.process_time()
    result = burst(simulated, offsets)
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    hub_cpu = process_tree_cpu(server_pid) - cpu_before if server_pid else float("nan")
    db_used = db_cpu() - db_cpu_before if db_cpu else float("nan")
    with db.read() as conn:
        stored = conn.execute(select(t.events.c.id).where(t.events.c.collective_id.in_(collectives))).all()
    ordered = sorted(result.latencies) or [float("nan")]
    return {
        "errors": len(result.errors) + (kiosks * per_kiosk - len(stored)),
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "wall": wall,
        "spread": spread_s,
        "events": kiosks * per_kiosk,
        "hub_cpu": hub_cpu,
        "db_cpu": db_used,  # PostgreSQL's own processes, on the same cores
        "client_cpu": client_cpu,  # the simulated kiosks (bench/hub_load.py), on the same cores
    }


# The barrier's p99 is the 4th slowest of 400 answers: from one burst to the next, on this machine, it moves
# by ±15 %. Five bursts, each with its own 200 new kiosks; every p99 is printed, and the figures of the
# median burst. On PostgreSQL the first burst, right after the 250,000-event set-up, is the slowest as a
# rule (0.2 s more, for the same CPU: the set-up's pages and WAL still being written out).
BARRIER_BURSTS = 5


def run(
    kind: str, db_url: str, folder: Path, quick: bool, db_cpu: Callable[[], float] | None = None
) -> dict[str, Any]:
    db = Database(db_url)
    admin.init(db)
    server = HubServer(db_url, workers=2, log=folder / f"hub-{kind}.log")
    server.start()
    try:
        figures: dict[str, Any] = {"push": bench_push(server.url, db, 2000 if quick else 10_000)}
        members, cards = (10_000, 15_000) if quick else (100_000, 150_000)
        figures["pull"] = bench_initial_pull(server.url, db, members, cards, folder / kind)
        kiosks = 50 if quick else 200
        pid = server.process.pid if server.process else 0
        bursts = [
            bench_concurrent(server.url, db, kiosks, 50, server_pid=pid, db_cpu=db_cpu)
            for _n in range(BARRIER_BURSTS)
        ]
        figures["concurrent"] = sorted(bursts, key=lambda burst: burst["p99"])[len(bursts) // 2]
        figures["concurrent"]["p99_bursts"] = [burst["p99"] for burst in bursts]
        figures["concurrent"]["errors"] = sum(burst["errors"] for burst in bursts)  # of every burst
        # Beside the barrier's p99, what bounds it: the raw batched insert of those rows (measured above,
        # same run) and the CPU time of the hub (and of PostgreSQL) for the whole burst, shared by this
        # machine's cores with the simulated kiosks.
        figures["concurrent"]["raw_floor"] = kiosks * 50 / figures["push"]["raw_eps"]
        figures["concurrent_spread"] = bench_concurrent(
            server.url, db, kiosks, 50, spread_s=5.0, server_pid=pid, db_cpu=db_cpu
        )
    finally:
        server.stop()
        db.dispose()
    return figures


def len_kiosks(figures: dict[str, float]) -> int:
    return int(figures["events"]) // 50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hub_bench")
    parser.add_argument("--quick", action="store_true", help="smaller figures (smoke run)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        folder = Path(tmp)
        results["sqlite"] = run("sqlite", f"sqlite:///{folder / 'hub.sqlite3'}", folder, args.quick)
        if postgres_bin() is None:
            print("PostgreSQL absent (Debian `postgresql`): PostgreSQL figures skipped.", file=sys.stderr)
        else:
            cluster = PostgresCluster(durable=True)
            try:
                url = cluster.create_database("bench")
                results["postgresql"] = run("postgresql", url, folder, args.quick, cluster.cpu_seconds)
            finally:
                cluster.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for kind, figures in results.items():
        push, pull = figures["push"], figures["pull"]
        print(f"[{kind}]")
        print(
            f"  push over loopback : {push['push_eps']:,.0f} évènements/s ;"
            f" insertion brute {push['raw_eps']:,.0f}/s ;"
            f" rapport {push['ratio']:.2f} (objectif ≥ 0.25 sur SQLite)"
        )
        print(
            f"  premier pull       : {pull['events']:,} évènements en {pull['seconds']:.1f} s"
            f" ({pull['eps']:,.0f}/s ; objectif ≤ 60 s)"
        )
        for label, key in (("même instant", "concurrent"), ("arrivées sur 5 s", "concurrent_spread")):
            conc = figures[key]
            print(
                f"  {len_kiosks(conc)} bornes, {label:16}: erreurs {conc['errors']} ;"
                f" p50 {conc['p50'] * 1000:.0f} ms ;"
                f" p99 {conc['p99'] * 1000:.0f} ms (objectif ≤ 1 s) ; durée {conc['wall']:.1f} s"
            )
            if "p99_bursts" in conc:
                each = " / ".join(f"{p99 * 1000:.0f}" for p99 in conc["p99_bursts"])
                count = len(conc["p99_bursts"])
                print(f"  {'':16}   p99 de chacune des {count} rafales : {each} ms (médiane ci-dessus)")
            if "raw_floor" in conc:
                db_cpu = "" if math.isnan(conc["db_cpu"]) else f" ; CPU de PostgreSQL {conc['db_cpu']:.2f} s"
                print(
                    f"  {'':16}   insertion brute des mêmes {conc['events']:,} évènements :"
                    f" {conc['raw_floor']:.2f} s ; CPU du hub pour ces {2 * len_kiosks(conc)} requêtes :"
                    f" {conc['hub_cpu']:.2f} s sur {os.cpu_count()} cœurs{db_cpu} ;"
                    f" CPU des bornes simulées {conc['client_cpu']:.2f} s"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
