"""Recording an exchange through the service vs inserting the same rows with bare sqlite3.

Each exchange goes through `Services.exchanges.record` (validation, journal event, projection, durable
commit, reading it back), then its rows (journal, exchange, participants) are inserted as they are, one
transaction each, into two bare databases in the same folder with the same pragmas (`kiosk.store.PRAGMAS`:
WAL, synchronous=FULL, foreign keys): a copy of the whole store, and an empty copy of the schema.
All three run interleaved, one exchange at a time, so they share the disk's moods.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.build import StoreInfo, random_members
from bench.stats import Figure
from kiosk.demo_content import LISTINGS
from kiosk.domain import ExchangeKind, ParticipantRole, Partner
from kiosk.services import Services
from kiosk.store import PRAGMAS
from kiosk.store.schema import MIGRATIONS

GOAL_RATIO = 3.0


class _Bare:
    """One bare database: the rows go in as they are, one durable transaction per exchange."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            self.conn.execute(pragma)
        self.samples: list[int] = []

    def insert(self, journal: Sequence[Any], exchange: Sequence[Any], parts: list[Sequence[Any]]) -> int:
        conn = self.conn
        started = time.perf_counter_ns()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO journal (id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced,"
            " payload, origin, pushed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            journal,
        )
        conn.execute(f"INSERT INTO exchanges VALUES ({','.join('?' * len(exchange))})", exchange)
        conn.executemany(f"INSERT INTO exchange_participants VALUES ({','.join('?' * len(parts[0]))})", parts)
        conn.execute("COMMIT")
        return time.perf_counter_ns() - started


def _empty_schema(path: Path, services: Services, member_ids: list[str]) -> _Bare:
    """Every migration on an empty file; the members taking part are copied so foreign keys hold."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    bare = _Bare(path)
    bare.conn.execute("BEGIN")
    for migrate in MIGRATIONS:
        migrate(bare.conn)
    rows = services.store.conn.execute(
        f"SELECT * FROM members WHERE id IN ({','.join('?' * len(member_ids))})", member_ids
    ).fetchall()
    bare.conn.executemany(f"INSERT INTO members VALUES ({','.join('?' * len(rows[0]))})", rows)
    bare.conn.execute("COMMIT")
    return bare


def bench_record(
    services: Services,
    info: StoreInfo,
    work: Path,
    samples: tuple[int, int],
    rng: random.Random,
    out: Callable[[str], None],
) -> list[Figure]:
    count, warmup = samples
    conn = services.store.conn
    people = sorted(set(random_members(conn, info.size, (count + warmup) * 4, rng)))
    started = time.perf_counter()
    shutil.copyfile(info.database, work / "bare-full.sqlite3")
    out(f"  bare copy of the store: {time.perf_counter() - started:.1f} s")
    full = _Bare(work / "bare-full.sqlite3")
    empty = _empty_schema(work / "bare-empty.sqlite3", services, people)
    themes = sorted({entry.theme_id for entry in LISTINGS})
    service_ns: list[int] = []
    try:
        for n in range(count + warmup):
            # Mostly one-to-one, sometimes a small workshop; some partners confirm at their next tap.
            giver, *takers = rng.sample(people, 7 if rng.random() < 0.1 else 2)
            partners = [Partner(ParticipantRole.TRANSMITTER, giver, present=True)]
            partners += [Partner(ParticipantRole.LEARNER, t, present=rng.random() < 0.7) for t in takers]
            theme = rng.choice(themes)
            title = next(entry.title for entry in LISTINGS if entry.theme_id == theme)
            started_ns = time.perf_counter_ns()
            exchange = services.exchanges.record(giver, ExchangeKind.KNOWLEDGE, theme, title, 60, partners)
            elapsed = time.perf_counter_ns() - started_ns
            journal = conn.execute("SELECT * FROM journal ORDER BY pos DESC LIMIT 1").fetchone()[1:]
            row = conn.execute("SELECT * FROM exchanges WHERE id = ?", (exchange.id,)).fetchone()
            parts = conn.execute("SELECT * FROM exchange_participants WHERE exchange_id = ?", (exchange.id,))
            parts_rows = parts.fetchall()
            in_full, in_empty = full.insert(journal, row, parts_rows), empty.insert(journal, row, parts_rows)
            if n >= warmup:
                service_ns.append(elapsed)
                full.samples.append(in_full)
                empty.samples.append(in_empty)
    finally:
        full.conn.close()
        empty.conn.close()
    figures = [
        Figure("record exchange (service, durable, journal)", service_ns),
        Figure("  same rows, bare sqlite3, copy of the store", full.samples),
        Figure("  same rows, bare sqlite3, empty schema", empty.samples),
    ]
    for figure in figures:
        out(figure.line())
    for baseline in figures[1:]:
        for q in (50, 99):
            ratio = figures[0].p(q) / baseline.p(q)
            verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
            label = f"ratio p{q}, service ÷ {baseline.name.split(', ')[-1]}"
            out(f"  {label:<50} {ratio:5.2f}×  goal ≤ {GOAL_RATIO:g}×: {verdict}")
    return figures
