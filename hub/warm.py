"""PostgreSQL: a hub worker opens the connections of its syncs before its first request, and runs on each
the statements of a push and a pull once, matching nothing.

A hub just restarted is when every kiosk comes back at once. On a new connection, PostgreSQL's server
process loads what it knows of each table and index the first time a statement touches it, and the hot
statements are prepared at their first run (hub/sql.py): the first burst of 200 kiosks after a start
paid that in the middle of their syncs, on 16 new server processes (bench: p99 1.03–1.20 s for the first
burst, 0.81–0.94 s for the next two). Nothing is written: every look-up and update is of an empty key, the
inserts copy no row.
"""

from __future__ import annotations

import contextlib
import logging
from types import SimpleNamespace

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from hub import effects, ingest, sync
from hub.auth import KioskAuth, kiosk_state
from hub.db import PG_THREADS, Database
from hub.errors import HubError
from hub.sql import Sql
from hub.wire import EVENT_COLUMNS

log = logging.getLogger("kiosk_hub")

_NOBODY = KioskAuth("", "", "", "")
_COPIES = {
    "events": EVENT_COLUMNS,
    "members": ("id", "collective_id", "erased_at"),
    "cards": ("network_id", "uid_hash", "member_id", "collective_id", "enrolled_at", "revoked_at"),
}


def warm_pool(db: Database) -> None:
    """Open PG_THREADS connections at once (the most a worker uses together) and warm each."""
    if db.is_sqlite:
        return
    held: list[Connection] = []
    try:
        for _n in range(PG_THREADS):
            conn = db.engine.connect()
            held.append(conn)
            with conn.begin():  # committed, not rolled back: psycopg forgets what it prepared at a rollback
                _warm(conn)
    except DBAPIError as error:  # a database away is no reason not to start: requests will say so (503)
        log.warning("connexions à PostgreSQL non préparées : %s", error)
    finally:
        for conn in held:
            conn.close()


def _warm(conn: Connection) -> None:
    sql = Sql(conn)
    with contextlib.suppress(HubError):  # no such kiosk, as expected
        kiosk_state(conn, "")  # a push's and a pull's token look-up
    ingest.stored_events(sql, _NOBODY, [], [])
    enrolment = SimpleNamespace(
        payload={"member_id": "", "uid_hash": ""}, event=SimpleNamespace(type="card.enrolled")
    )
    effects.load_knowledge(sql, "", [enrolment])
    sync.collective_changes(conn, _NOBODY, 0, 0)
    sync.wire_rows(conn, _NOBODY, 0, 1, 0)
    for table, columns in _COPIES.items():
        with sql.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN"):
            pass  # no row: the table and its indexes opened
    ingest.note_sync(sql, _NOBODY, 0, ingest.Seen("", None, None))
