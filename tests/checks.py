"""Invariants of a kiosk store, shared by the property, crash and disk-full tests.

Each check reads a real store and fails with a sentence saying what is wrong.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import journal
from kiosk.clock import FixedClock, parse_hlc
from kiosk.config import Config, with_data_dir
from kiosk.domain import MAX_DURATION_MIN, MIN_DURATION_MIN
from kiosk.replay import Snapshot, replay, snapshot
from kiosk.services import open_services
from kiosk.store import Store


def journal_rows(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in store.conn.execute("SELECT * FROM journal ORDER BY pos")]


def check_journal(store: Store) -> int:
    """Local seq is 1..n in journal order (no gap), HLC strictly increases with seq. Returns n."""
    rows = store.conn.execute(
        "SELECT seq, hlc, kiosk_id FROM journal WHERE origin = 'local' ORDER BY seq"
    ).fetchall()
    seqs = [seq for seq, _, _ in rows]
    assert seqs == list(range(1, len(rows) + 1)), f"seq has gaps: {seqs[:5]}…{seqs[-5:]}"
    positions = [seq for (seq,) in store.conn.execute("SELECT seq FROM journal ORDER BY pos")]
    assert positions == seqs, "journal order differs from seq order"
    clocks = [parse_hlc(hlc)[0] for _, hlc, _ in rows]
    for previous, current in itertools.pairwise(clocks):
        assert (current.ms, current.counter) > (previous.ms, previous.counter), (previous, current)
    (next_seq,) = store.conn.execute("SELECT next_seq FROM kiosk_state").fetchone()
    assert next_seq == len(rows) + 1, f"next_seq {next_seq} after {len(rows)} events"
    return len(rows)


def check_exchanges(store: Store) -> None:
    """Both sides present (unless cancelled), durations in range, no participant without its exchange."""
    lonely = store.conn.execute(
        "SELECT e.id FROM exchanges e WHERE e.status != 'cancelled' AND ("
        " NOT EXISTS (SELECT 1 FROM exchange_participants p WHERE p.exchange_id = e.id"
        "  AND p.role = 'transmitter' AND p.confirmation != 'declined')"
        " OR NOT EXISTS (SELECT 1 FROM exchange_participants p WHERE p.exchange_id = e.id"
        "  AND p.role = 'learner' AND p.confirmation != 'declined'))"
    ).fetchall()
    assert not lonely, f"exchanges without a transmitter or a learner: {lonely}"
    durations = store.conn.execute(
        "SELECT id, duration_min FROM exchanges WHERE duration_min NOT BETWEEN ? AND ?",
        (MIN_DURATION_MIN, MAX_DURATION_MIN),
    ).fetchall()
    assert not durations, durations
    orphans = store.conn.execute(
        "SELECT exchange_id FROM exchange_participants WHERE exchange_id NOT IN (SELECT id FROM exchanges)"
    ).fetchall()
    assert not orphans, f"participants without an exchange: {orphans}"
    confirmed = store.conn.execute(
        "SELECT e.id FROM exchanges e WHERE e.status = 'confirmed' AND EXISTS (SELECT 1 FROM"
        " exchange_participants p WHERE p.exchange_id = e.id AND p.confirmation = 'pending')"
    ).fetchall()
    assert not confirmed, f"confirmed exchanges still waiting for someone: {confirmed}"


def check_recognition(store: Store) -> None:
    """Where recognition totals are kept (schema v4+), they equal counting the confirmed exchanges afresh."""
    if not store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'member_recognition'").fetchone():
        return
    kept = store.conn.execute("SELECT * FROM member_recognition ORDER BY 1, 2, 3").fetchall()
    counted = store.conn.execute(
        "SELECT p.member_id, p.role, e.theme_id, count(*), sum(e.duration_min)"
        " FROM exchange_participants p JOIN exchanges e ON e.id = p.exchange_id"
        " WHERE p.member_id IS NOT NULL AND p.confirmation = 'confirmed' AND e.status = 'confirmed'"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    ).fetchall()
    assert kept == counted, "member_recognition differs from the confirmed exchanges"


def check_integrity(store: Store) -> None:
    assert store.integrity_check() == ["ok"]
    assert not store.conn.execute("PRAGMA foreign_key_check").fetchall()


def replayed_snapshot(store: Store, config: Config, folder: Path) -> Snapshot:
    """The snapshot of an empty store (same config and catalogue) after replaying `store`'s journal.

    The replay store's clock only dates its own bootstrap (kiosk_state, which is not state).
    """
    fresh = open_services(with_data_dir(config, folder), FixedClock(datetime(2020, 1, 1, tzinfo=UTC)))
    try:
        replay(journal.read_all(store.conn), fresh.store)
        return snapshot(fresh.store)
    finally:
        fresh.close()


def differences(expected: Snapshot, found: Snapshot) -> str:
    """Which tables differ, with a first differing row: what a failing assertion should say."""
    lines = []
    for table in sorted(expected.keys() | found.keys()):
        left, right = expected.get(table, []), found.get(table, [])
        if left != right:
            extra = sorted(set(right) - set(left), key=repr)[:1]
            missing = sorted(set(left) - set(right), key=repr)[:1]
            lines.append(f"{table}: {len(left)} vs {len(right)} rows; missing {missing}, extra {extra}")
    return "; ".join(lines)


def check_all(store: Store, config: Config, folder: Path) -> int:
    """Every invariant, replay included. Returns the number of journal events."""
    check_integrity(store)
    count = check_journal(store)
    check_exchanges(store)
    check_recognition(store)
    state, replayed = snapshot(store), replayed_snapshot(store, config, folder)
    assert replayed == state, "replaying the journal differs: " + differences(state, replayed)
    return count


def open_concurrently(path: Path, openers: int) -> list[Store]:
    """Open the store at `path` from `openers` threads released together (the app and its sync worker
    starting at once); fails with what went wrong if any opening did. The caller closes the stores."""
    barrier = threading.Barrier(openers)
    opened: list[Store] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            opened.append(Store.open(path))
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        for store in opened:
            store.close()
        raise AssertionError(f"concurrent openings failed: {failures}")
    return opened
