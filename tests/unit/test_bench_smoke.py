"""The store benchmarks run end to end on a tiny store (`make bench` prints figures; none is asserted)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bench.build import TINY, ensure_store
from bench.store_bench import SMOKE, run
from kiosk import replay
from kiosk.journal import read_all
from kiosk.store import Store
from kiosk.store.schema import LATEST_VERSION


def test_every_store_benchmark_runs_on_a_tiny_store(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = run(TINY, tmp_path, samples=SMOKE, out=lines.append)
    names = " | ".join(figure.name for figure in figures)
    for expected in (
        "identify by card",
        "record exchange",
        "bare sqlite3",
        "search",
        "summary",
        "open store",
    ):
        assert expected in names
    assert all(figure.samples_ns for figure in figures)
    assert any("ratio p99" in line for line in lines)
    # The second run reuses the cached store (named after the schema version) instead of rebuilding it.
    again = ensure_store(tmp_path, TINY, log=lines.append)
    assert not again.built_now and f"schema{LATEST_VERSION}" in again.folder.name


def test_the_generated_store_is_what_replaying_its_journal_gives(tmp_path: Path) -> None:
    """The build applies events the kiosk's way: its state is a true projection of its journal."""
    info = ensure_store(tmp_path, TINY, log=lambda _: None)
    built = Store.open(info.database)
    counts = dict(
        built.conn.execute(
            "SELECT 'members', count(*) FROM members UNION ALL SELECT 'cards', count(*) FROM cards"
            " UNION ALL SELECT 'exchanges', count(*) FROM exchanges"
            " UNION ALL SELECT 'listings', count(*) FROM listings"
        ).fetchall()
    )
    assert counts == {"members": 200, "cards": 300, "exchanges": 2_000, "listings": 100}
    empty = tmp_path / "replayed.sqlite3"
    replayed = Store.open(empty)
    try:
        # Reference rows (collective, site, themes) as the bootstrap wrote them, then every event.
        with replayed.transaction() as conn:
            for table in ("collectives", "sites", "themes"):
                rows = built.conn.execute(f"SELECT * FROM {table}").fetchall()
                conn.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
        replay.replay(read_all(built.conn), replayed)
        assert replay.snapshot(replayed) == replay.snapshot(built)
        seqs = [row[0] for row in built.conn.execute("SELECT seq FROM journal ORDER BY pos")]
        assert seqs == list(range(1, len(seqs) + 1))
        assert built.integrity_check() == ["ok"]
    finally:
        built.close()
        replayed.close()
    with closing(sqlite3.connect(info.database)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
