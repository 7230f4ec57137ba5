"""The benchmark store: members, cards, listings and exchanges as journal events, cached under build/bench/.

Honest but fast: every event goes through `kiosk.projections.apply` (the code that builds the state at
the kiosk), and its journal row is written with the same envelope as `kiosk.journal.append`, batched
with `executemany`, in transactions of `BATCH` events. Only the build runs with `synchronous=OFF` and
no rollback journal (a crash just means a rebuild); the finished file is switched back to WAL.
The cache folder is named after the schema version, so a new migration means a new store.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import projections
from kiosk.cardid import uid_hash
from kiosk.clock import FixedClock, HlcState, format_hlc, hlc_tick, to_ms
from kiosk.config import Config, load_config, with_data_dir
from kiosk.demo_content import LISTINGS, PROFILES, SERVICES
from kiosk.ids import new_id
from kiosk.journal import EVENT_SCHEMAS, INSERT_SQL, Event, journal_row
from kiosk.services import open_services
from kiosk.store.schema import LATEST_VERSION, MIGRATIONS
from kiosk.themes import load_catalogue

DATA_FORMAT = 1  # bump when the generated data changes: the cached stores are rebuilt
BATCH = 50_000
PARIS = ZoneInfo("Europe/Paris")
METHOD = (
    f"every event applied by kiosk.projections.apply, journal rows by executemany, {BATCH:,} events a"
    " transaction (build only: synchronous=OFF, no rollback journal)"
)
QUARTIERS = (
    "Les Hauts",
    "Centre-Gare",
    "Bords de Marne",
    "Le Bas-Montreuil",
    "La Noue",
    "Les Beaudottes",
    "Le Val-Fourré",
    "Les Tarterêts",
    "La Grande Borne",
    "Le Luth",
    "Les Courtillières",
    "Bel-Air",
)
LANGUAGES = ("ar", "bm", "en", "es", "kab", "pt", "ro", "snk", "ta", "vi", "wo", "zh")


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    cards: int
    exchanges: int
    listings: int

    @property
    def animators(self) -> int:
        return max(5, self.members // 50)

    def describe(self) -> str:
        return (
            f"{self.members:,} members, {self.cards:,} cards, {self.exchanges:,} exchanges, "
            f"{self.listings:,} listings"
        )


FULL = Size("full", 100_000, 150_000, 1_000_000, 20_000)
QUICK = Size("quick", 10_000, 15_000, 100_000, 2_000)
TINY = Size("tiny", 200, 300, 2_000, 100)


def card_uid(n: int) -> bytes:
    """The n-th card's 7-byte UID; numbers past the enrolled ones give unknown cards."""
    return b"\x04" + n.to_bytes(6, "big")


def random_members(conn: sqlite3.Connection, size: Size, count: int, rng: random.Random) -> list[str]:
    """Ids of `count` members drawn at random (with repeats), by rowid: members are never deleted."""
    query = "SELECT id FROM members WHERE rowid = ?"
    return [str(conn.execute(query, (rng.randint(1, size.members),)).fetchone()[0]) for _ in range(count)]


def config_for(folder: Path) -> Config:
    return with_data_dir(load_config(None), folder)


@dataclass(frozen=True)
class StoreInfo:
    folder: Path
    size: Size
    build_seconds: float
    built_now: bool
    busiest_member: str

    @property
    def database(self) -> Path:
        return self.folder / "kiosk.sqlite3"


def schema_fingerprint() -> str:
    """A short hash of the schema the migrations create: any schema change, even unreleased, rebuilds."""
    with closing(sqlite3.connect(":memory:")) as conn:
        for migrate in MIGRATIONS:
            migrate(conn)
        ddl = "\n".join(str(row[0]) for row in conn.execute("SELECT sql FROM sqlite_master ORDER BY name"))
    return hashlib.sha256(ddl.encode()).hexdigest()[:8]


def ensure_store(
    root: Path, size: Size, *, rebuild: bool = False, log: Callable[[str], None] = print
) -> StoreInfo:
    """The cached store for `size`, built first when missing, stale (older schema) or `rebuild`."""
    folder = root / f"{size.name}-schema{LATEST_VERSION}-{schema_fingerprint()}-data{DATA_FORMAT}"
    meta_path = folder / "bench.json"
    if meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        return StoreInfo(folder, size, meta["build_seconds"], False, meta["busiest_member"])
    for stale in root.glob(f"{size.name}-schema*"):
        shutil.rmtree(stale)
    building = root / f"{folder.name}.building"
    log(f"Building the benchmark store ({size.describe()}) in {folder}…")
    started = time.perf_counter()
    busiest = build_store(building, size)
    seconds = time.perf_counter() - started
    (building / "bench.json").write_text(json.dumps({"build_seconds": seconds, "busiest_member": busiest}))
    building.rename(folder)
    return StoreInfo(folder, size, seconds, True, busiest)


class _Writer:
    """Applies events in order, the way the kiosk does, keeping seq and the hybrid clock gap-free."""

    def __init__(self, conn: sqlite3.Connection, kiosk_id: str) -> None:
        self.conn, self.kiosk_id = conn, kiosk_id
        self.seq, self.hlc = 1, HlcState(0, 0)
        self.rows: list[tuple[Any, ...]] = []
        conn.execute("BEGIN")

    def add(self, event_type: str, payload: dict[str, Any], at: datetime) -> None:
        self.hlc = hlc_tick(self.hlc, to_ms(at))
        event = Event(
            new_id(),
            event_type,
            EVENT_SCHEMAS[event_type],
            self.kiosk_id,
            self.seq,
            at.isoformat(timespec="milliseconds"),
            format_hlc(self.hlc, self.kiosk_id),
            True,
            payload,
        )
        projections.apply(self.conn, event)
        # Already synced to the hub, as on a kiosk that has been online: only recent events wait to be pushed.
        self.rows.append(journal_row(event, pushed=True))
        self.seq += 1
        if len(self.rows) >= BATCH:
            self.flush()
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")

    def flush(self) -> None:
        self.conn.executemany(INSERT_SQL, self.rows)
        self.rows.clear()

    def finish(self) -> None:
        self.flush()
        self.conn.execute("UPDATE journal SET pushed = 0 WHERE seq > ?", (self.seq - 200,))
        self.conn.execute(
            "UPDATE kiosk_state SET next_seq = ?, hlc_ms = ?, hlc_counter = ? WHERE id = 1",
            (self.seq, self.hlc.ms, self.hlc.counter),
        )
        self.conn.execute("COMMIT")


def build_store(folder: Path, size: Size, seed: int = 1) -> str:
    """Build the store in `folder`; returns the busiest member's id (the slowest summary)."""
    end = datetime.now(PARIS).replace(microsecond=0) - timedelta(days=1)
    start = end - timedelta(days=3 * 365)
    services = open_services(config_for(folder), FixedClock(start))  # schema, identity, themes
    key, kiosk_id, site_id = services.ctx.card_key, services.kiosk_id, services.ctx.site_id
    collective_id = services.ctx.collective_id
    services.close()
    conn = sqlite3.connect(folder / "kiosk.sqlite3", isolation_level=None)
    try:
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "cache_size = -1000000",
            "foreign_keys = ON",
        ):
            conn.execute(f"PRAGMA {pragma}")
        writer = _Writer(conn, kiosk_id)
        events = _Events(random.Random(seed), size, key, collective_id, site_id, start, end)
        for event_type, payload, at in events:
            writer.add(event_type, payload, at)
        writer.finish()
        conn.execute("PRAGMA journal_mode = WAL")
        (busiest,) = conn.execute(
            "SELECT member_id FROM exchange_participants WHERE member_id IS NOT NULL"
            " GROUP BY member_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(busiest)


class _Events:
    """The collective's history, oldest first: everyone signs up, then three years of activity."""

    def __init__(
        self,
        rng: random.Random,
        size: Size,
        key: bytes,
        collective_id: str,
        site_id: str,
        start: datetime,
        end: datetime,
    ) -> None:
        self.rng, self.size, self.key = rng, size, key
        self.collective_id, self.site_id = collective_id, site_id
        self.at = start
        total = size.members + size.cards + size.listings + size.exchanges
        self.step = (end - start) / (total * 1.1)
        self.member_ids = [new_id() for _ in range(size.members)]
        themes = [theme.id for theme in load_catalogue().themes if theme.parent_id]
        self.titles = {theme: [e.title for e in LISTINGS if e.theme_id == theme] for theme in themes}
        for theme, titles in SERVICES.items():
            self.titles[theme] = list(titles)
        self.themes = [theme for theme in themes if self.titles[theme]]
        self.first_names = sorted({profile.pseudonym for profile in PROFILES})

    def tick(self) -> datetime:
        self.at += self.step * (0.2 + 1.6 * self.rng.random())
        return self.at

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any], datetime]]:
        for m in range(self.size.members):
            yield "member.registered", self.member(m), self.tick()
            yield "card.enrolled", self.card(m, m), self.tick()
        kinds = (
            [0] * self.size.listings + [1] * (self.size.cards - self.size.members) + [2] * self.size.exchanges
        )
        self.rng.shuffle(kinds)
        extra_cards = 0
        for kind in kinds:
            if kind == 0:
                yield from self.listing()
            elif kind == 1:
                owner, extra_cards = extra_cards % self.size.members, extra_cards + 1
                if self.rng.random() < 0.6:  # a lost card is revoked before the new one is enrolled
                    payload = {
                        "uid_hash": uid_hash(self.key, card_uid(owner)),
                        "reason": "Carte perdue",
                        "by": None,
                    }
                    yield "card.revoked", payload, self.tick()
                yield "card.enrolled", self.card(self.size.members + extra_cards - 1, owner), self.tick()
            else:
                yield from self.exchange()

    def member(self, m: int) -> dict[str, Any]:
        roles = (
            ["member"] + (["animator"] if m < self.size.animators else []) + (["librarian"] if m == 0 else [])
        )
        languages = ["fr"] + ([self.rng.choice(LANGUAGES)] if self.rng.random() < 0.4 else [])
        return {
            "member_id": self.member_ids[m],
            "collective_id": self.collective_id,
            "pseudonym": f"{self.rng.choice(self.first_names)} {m}",
            "quartier": self.rng.choice(QUARTIERS),
            "roles": sorted(roles),
            "languages": sorted(languages),
            "contact": None,
            "consent": None,
        }

    def card(self, n: int, m: int) -> dict[str, Any]:
        return {"uid_hash": uid_hash(self.key, card_uid(n)), "member_id": self.member_ids[m], "by": None}

    def listing(self) -> Iterator[tuple[str, dict[str, Any], datetime]]:
        theme = self.rng.choice(self.themes)
        listing_id, member_id = new_id(), self.rng.choice(self.member_ids)
        yield (
            "listing.published",
            {
                "listing_id": listing_id,
                "member_id": member_id,
                "kind": self.rng.choice(("offer", "request")),
                "theme_id": theme,
                "title": self.rng.choice(self.titles[theme]),
                "description": "Au marché le samedi ou à la MJC en semaine.",
                "format": "individual",
                "network_visible": self.rng.random() < 0.2,
            },
            self.tick(),
        )
        if self.rng.random() < 0.25:
            payload = {"listing_id": listing_id, "by": member_id, "reason": "", "moderated": False}
            yield "listing.withdrawn", payload, self.tick()

    def exchange(self) -> Iterator[tuple[str, dict[str, Any], datetime]]:
        rng, at = self.rng, self.tick()
        theme = rng.choice(self.themes)
        if rng.random() < 0.1:  # a workshop: one animator (the busiest one leads 3%), 3 to 10 learners
            giver = 0 if rng.random() < 0.03 else rng.randrange(self.size.animators)
            takers = rng.sample(range(self.size.members), rng.randint(3, 10))
            duration = rng.choice((90, 120, 180))
        else:
            giver, taker = rng.sample(range(self.size.members), 2)
            takers, duration = [taker], rng.choice((30, 45, 60, 90))
        takers = [t for t in takers if t != giver] or [(giver + 1) % self.size.members]
        absent = rng.random() < 0.03  # a learner who has not confirmed yet
        parts = [{"member_id": self.member_ids[giver], "role": "transmitter", "confirmed": True}]
        parts += [
            {"member_id": self.member_ids[t], "role": "learner", "confirmed": not (absent and i == 0)}
            for i, t in enumerate(takers)
        ]
        exchange_id = new_id()
        yield (
            "exchange.recorded",
            {
                "exchange_id": exchange_id,
                "kind": "service" if theme.startswith("entraide.") else "knowledge",
                "theme_id": theme,
                "title": rng.choice(self.titles[theme]),
                "duration_min": duration,
                "site_id": self.site_id,
                "occurred_at": (at - timedelta(minutes=duration)).isoformat(timespec="minutes"),
                "recorded_by": self.member_ids[giver],
                "listing_id": None,
                "participants": parts,
            },
            at,
        )
        if rng.random() < 0.01:
            payload = {
                "exchange_id": exchange_id,
                "by_member_id": self.member_ids[giver],
                "reason": "Erreur de saisie",
            }
            yield "exchange.cancelled", payload, self.tick()
