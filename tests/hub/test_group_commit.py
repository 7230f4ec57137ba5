"""SQLite group commit: works queued together share one transaction, and one failing work spoils none of
the others (each runs in its own savepoint)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, select

from hub import admin
from hub import schema as t
from hub.db import Database


def test_concurrent_works_commit_together_and_a_failure_stays_alone(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    admin.init(db)
    network = admin.add_collective(db, "Groupe", "Q").network_id
    results: dict[int, object] = {}
    start = threading.Barrier(20)

    def work_for(n: int) -> object:
        def work(conn: Connection) -> int:
            if n == 7:
                raise ValueError("this one fails")
            conn.execute(
                insert(t.cards).values(
                    network_id=network,
                    uid_hash=f"{n:064x}",
                    member_id=f"m{n}",
                    collective_id="c",
                    enrolled_at="2026-11-25T10:00:00Z",
                )
            )
            return n

        start.wait()
        try:
            return db.write_retrying(work)
        except ValueError as error:
            return error

    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, work_for(n))) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(results[7], ValueError)
    assert {n: r for n, r in results.items() if n != 7} == {n: n for n in range(20) if n != 7}
    with db.read() as conn:
        stored = {row.member_id for row in conn.execute(select(t.cards.c.member_id))}
    assert stored == {f"m{n}" for n in range(20) if n != 7}
    db.dispose()


def test_a_work_that_fails_does_not_block_the_next(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    admin.init(db)

    def boom(conn: Connection) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write_retrying(boom)
    assert db.write_retrying(lambda conn: conn.execute(select(t.networks.c.id)).all()) is not None
    db.dispose()
