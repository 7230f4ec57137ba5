"""hub/warm.py: a PostgreSQL hub worker opens its connections and runs a push's and a pull's statements on
each before its first request — writing nothing."""

from __future__ import annotations

from hub.db import PG_THREADS, Database
from hub.sql import Sql
from hub.warm import warm_pool
from tests.hub.kiosks import HubHandle

TABLES = ("events", "members", "cards", "kiosks", "collectives", "unknown_taps")


def _counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        sql = Sql(conn)
        return {table: int(sql.rows(f"SELECT count(*) FROM {table}")[0][0]) for table in TABLES}


def test_warm_pool_opens_the_connections_and_writes_nothing(hub: HubHandle) -> None:
    db = Database(hub.server.db_url)
    try:
        before = _counts(hub.db)
        warm_pool(db)
        assert _counts(hub.db) == before
        opened = db.engine.pool.checkedin()  # type: ignore[attr-defined]
        if db.is_sqlite:
            assert opened == 0  # nothing to warm: SQLite opens a file
        else:
            assert opened == PG_THREADS
            with db.read() as conn:  # a warmed connection, its hot statements prepared
                prepared = Sql(conn).rows("SELECT count(*) FROM pg_prepared_statements")[0][0]
            assert prepared >= 5
    finally:
        db.dispose()


def test_a_database_away_does_not_stop_the_start() -> None:
    db = Database("postgresql://nobody@127.0.0.1:1/none")  # no server listens on port 1
    try:
        warm_pool(db)  # logs a warning and returns
    finally:
        db.dispose()
