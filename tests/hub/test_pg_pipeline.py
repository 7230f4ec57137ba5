"""A push's write transaction (`Database.write(pipelined=True)`; on PostgreSQL hub/pg_pipeline.py): statements
whose result no one reads wait and travel with the next one — yet the transaction reads what it wrote, keeps
nothing when any statement fails, and commits all of it at once. Run on both databases (on SQLite the same
calls run one by one)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from hub import schema as t
from hub.sql import Sql
from tests.hub.kiosks import HubHandle


def _members(hub: HubHandle, collective: str) -> list[str]:
    with hub.db.read() as conn:
        rows = conn.execute(select(t.members.c.id).where(t.members.c.collective_id == collective))
        return sorted(row.id for row in rows)


def test_queued_writes_are_read_back_and_committed_together(hub: HubHandle) -> None:
    collective = f"pipeline-{uuid.uuid4().hex[:8]}"
    ids = [f"{collective}-{n}" for n in range(3)]
    with hub.db.write(pipelined=True) as conn:
        sql = Sql(conn)
        sql.insert("members", ("id", "collective_id", "erased_at"), [(ids[0], collective, None)])
        sql.send(
            "INSERT INTO members (id, collective_id, erased_at) VALUES (?, ?, ?)", (ids[1], collective, None)
        )
        assert _count(sql, collective) == 2  # the queued inserts ran before this read
        sql.send("UPDATE members SET erased_at = ? WHERE id = ?", ("2026-11-26T10:00:00.000+00:00", ids[0]))
        # A statement SQLAlchemy runs itself comes after what was queued, in the same transaction.
        erased = conn.execute(
            select(func.count())
            .select_from(t.members)
            .where(t.members.c.erased_at.is_not(None))
            .where(t.members.c.collective_id == collective)
        ).scalar_one()
        assert erased == 1
        conn.execute(t.members.insert().values(id=ids[2], collective_id=collective, erased_at=None))
        sql.send_many("UPDATE members SET erased_at = ? WHERE id = ?", [(None, ids[0])])
    assert _members(hub, collective) == ids
    with hub.db.read() as conn:
        still = conn.execute(select(t.members.c.erased_at).where(t.members.c.id == ids[0])).scalar_one()
    assert still is None  # the last queued statement was committed with the rest


def test_a_failing_queued_statement_keeps_nothing_of_the_transaction(hub: HubHandle) -> None:
    collective = f"pipeline-{uuid.uuid4().hex[:8]}"
    first = f"{collective}-first"
    with hub.db.write() as conn:
        Sql(conn).insert("members", ("id", "collective_id", "erased_at"), [(first, collective, None)])
    with pytest.raises(IntegrityError), hub.db.write(pipelined=True) as conn:
        sql = Sql(conn)
        sql.insert("members", ("id", "collective_id", "erased_at"), [(f"{collective}-new", collective, None)])
        sql.send("UPDATE members SET erased_at = ? WHERE id = ?", ("2026-11-26T10:00:00.000+00:00", first))
        # The same id again: refused — when it runs, at the COMMIT on PostgreSQL.
        sql.send(
            "INSERT INTO members (id, collective_id, erased_at) VALUES (?, ?, ?)", (first, collective, None)
        )
    assert _members(hub, collective) == [first]
    with hub.db.read() as conn:
        erased = conn.execute(select(t.members.c.erased_at).where(t.members.c.id == first)).scalar_one()
    assert erased is None
    # The connection went back to the pool in a clean state: the next transaction works.
    with hub.db.write(pipelined=True) as conn:
        Sql(conn).send(
            "UPDATE members SET erased_at = ? WHERE id = ?", ("2026-11-26T11:00:00.000+00:00", first)
        )
    with hub.db.read() as conn:
        erased = conn.execute(select(t.members.c.erased_at).where(t.members.c.id == first)).scalar_one()
    assert erased == "2026-11-26T11:00:00.000+00:00"


def test_an_exception_in_the_work_discards_what_was_queued(hub: HubHandle) -> None:
    collective = f"pipeline-{uuid.uuid4().hex[:8]}"
    with pytest.raises(RuntimeError), hub.db.write(pipelined=True) as conn:
        sql = Sql(conn)
        sql.insert("members", ("id", "collective_id", "erased_at"), [(f"{collective}-a", collective, None)])
        assert _count(sql, collective) == 1  # sent, inside the transaction
        sql.send(
            "INSERT INTO members (id, collective_id, erased_at) VALUES (?, ?, ?)",
            (f"{collective}-b", collective, None),
        )
        raise RuntimeError("the push's own code failed")
    assert _members(hub, collective) == []


def _count(sql: Sql, collective: str) -> int:
    row = sql.first("SELECT count(*) FROM members WHERE collective_id = ?", (collective,))
    assert row is not None
    return int(row[0])


def test_events_check_their_collective_on_sqlite_only(hub: HubHandle) -> None:
    """Migration 0010: PostgreSQL's events no longer check their collective at each insert (a push holds
    the collective's row lock anyway, and collectives are never deleted)."""
    with hub.db.engine.connect() as conn:
        foreign = [key["referred_table"] for key in inspect(conn).get_foreign_keys("events")]
    assert foreign == ([] if hub.db.kind == "postgresql" else ["collectives"])
