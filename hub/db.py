"""The hub database: one engine, write transactions that serialise per collective, Alembic migrations.

SQLite (default) runs in WAL mode with `synchronous=FULL`: the hub acknowledges events that kiosks then stop
resending, so an acknowledged event must survive a power cut. Writes start with `BEGIN IMMEDIATE` so that
two worker processes wait for each other instead of failing on a lock upgrade. They wait in line on a lock
file (`<db>.write-lock`, flock) and, inside a process, on a mutex: SQLite's own busy handler polls with sleeps
of up to 100 ms, so with dozens of concurrent pushes a writer could sleep long after the database was free
(the 200-kiosk p99 was seconds). The busy timeout stays as a backstop for other programs opening the file.
Push and pull reach the database from the event loop (`write_async`, `read_async`): on SQLite without a
worker thread of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from anyio import CapacityLimiter, to_thread
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, OperationalError

from hub.group_commit import GroupCommit
from hub.pg_pipeline import PipelinedTransaction
from hub.recent_changes import RecentChanges
from hub.sql import PIPELINED, Sql

DB_ENV = "KIOSK_HUB_DB"
ATTEMPTS = 5  # of a write that a concurrent writer made fail
PG_THREADS = 8  # worker threads per hub process that may wait on PostgreSQL at once (`_pg_threads`)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
T = TypeVar("T")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kiosque-des-savoirs-hub"


def resolve_url(url: str | None) -> str:
    """`--db`, else $KIOSK_HUB_DB, else a SQLite file in the data folder. `postgresql://` means psycopg 3."""
    url = url or os.environ.get(DB_ENV) or ""
    if not url:
        folder = default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'hub.sqlite3'}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    def __init__(self, url: str | None = None, *, pool_size: int = 30) -> None:
        self.url = resolve_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._limiter: CapacityLimiter | None = None
        self.recent_changes = RecentChanges()  # pulls' cache of each collective's latest changes
        if self.is_sqlite:
            # As many pooled connections as request threads (anyio's 40) and the event loop: a burst of
            # requests then never waits for a connection, nor opens and closes extra ones.
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": 30}, pool_size=48, max_overflow=16
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
            path = self.engine.url.database
            self._lock_path = f"{path}.write-lock" if path and path != ":memory:" else None
            self._mutex = threading.Lock()
            self._group: GroupCommit | None = GroupCommit(self)
        else:
            self._group = None  # see hub/group_commit.py
            # Connections kept open up to the pool size, with no overflow: the same limit per process as
            # before (10 + 20 overflow), but a burst of syncs no longer opens and closes a PostgreSQL
            # connection (a server process) per request: 200 kiosks syncing at once cost the server
            # 1.5–2.0 s of CPU with it, 0.8–1.3 s without.
            self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=0)
            ping_after = float(os.environ.get(PING_ENV) or PING_AFTER_IDLE_S)
            event.listen(self.engine, "before_cursor_execute", _send_waiting)
            event.listen(self.engine, "checkin", _stamp_return)
            event.listen(self.engine, "checkout", functools.partial(_ping_if_idle, ping_after))

    @property
    def kind(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads. PostgreSQL's reads run in autocommit: at READ COMMITTED each statement
        sees its own snapshot anyway, so a BEGIN and a COMMIT around them were two round trips (of five
        for a pull) that changed nothing. SQLite's read in one transaction: one snapshot (WAL)."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                with conn.begin():
                    yield conn
            else:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn

    @contextmanager
    def write(self, *, pipelined: bool = False) -> Iterator[Connection]:
        """A write transaction. `pipelined` (a push, on PostgreSQL): its statements share round trips
        (hub/pg_pipeline.py); BEGIN and COMMIT are sent by `Sql` with them."""
        if pipelined and not self.is_sqlite:
            with self._pipelined() as conn:
                yield conn
            return
        with self._serialised(), self.engine.connect() as conn:
            conn.execution_options(hub_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _pipelined(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            tx = PipelinedTransaction()
            conn.execution_options(isolation_level="AUTOCOMMIT", hub_write=True, **{PIPELINED: tx})
            dbapi_conn = conn.connection.dbapi_connection
            try:
                yield conn
                Sql(conn).commit()  # where an error of a queued statement is raised, if any
            except BaseException:
                with contextlib.suppress(Exception):  # a lost connection: the pool drops it anyway
                    tx.rollback(dbapi_conn)
                raise

    @contextmanager
    def _serialised(self) -> Iterator[None]:
        """SQLite: one writer at a time, waiting in line (woken at once) rather than in the busy handler."""
        if not self.is_sqlite:
            yield
            return
        with self._mutex:
            if self._lock_path is None:
                yield
                return
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def write_retrying(
        self, work: Callable[[Connection], T], attempts: int = ATTEMPTS, *, pipelined: bool = False
    ) -> T:
        """Run `work` in a write transaction, again when a concurrent writer made it fail.

        PostgreSQL may refuse one of two concurrent inserts of the same key (a kiosk retrying a push whose
        first attempt is still running) or detect a deadlock; the work is idempotent, so it is redone.
        On SQLite the work joins the process's group commit (one writer at a time anyway).
        """
        for attempt in range(attempts):
            try:
                if self._group is not None:
                    return self._group.submit(work).result()
                with self.write(pipelined=pipelined) as conn:
                    return work(conn)
            except DBAPIError as error:
                if attempt == attempts - 1 or not _is_transient(error):
                    raise
                time.sleep(_pause(attempt))
        raise AssertionError("unreachable")

    async def write_async(self, work: Callable[[Connection], T], attempts: int = ATTEMPTS) -> T:
        """`write_retrying` from the event loop: on SQLite the work joins the group commit
        (hub/group_commit.py) and the loop awaits its answer (no thread of its own); PostgreSQL's runs in a
        worker thread."""
        if self._group is None:
            return await to_thread.run_sync(
                functools.partial(self.write_retrying, work, attempts, pipelined=True),
                limiter=self._pg_threads(),
            )
        for attempt in range(attempts):
            try:
                return await asyncio.wrap_future(self._group.submit(work))
            except (IntegrityError, OperationalError) as error:
                if attempt == attempts - 1 or not _is_transient(error):
                    raise
                await asyncio.sleep(_pause(attempt))
        raise AssertionError("unreachable")

    async def read_async(self, read: Callable[[Connection], T]) -> T:
        """`read` in a read transaction, from the event loop. SQLite's run right here: a local read of a
        millisecond or less that never waits for the writer (WAL), where a worker thread cost more than
        the read itself when 200 kiosks synced at once. PostgreSQL's (a server away) in a worker thread."""
        if self.is_sqlite:
            with self.read() as conn:
                return read(conn)
        return await to_thread.run_sync(self._read_with, read, limiter=self._pg_threads())

    def _pg_threads(self) -> CapacityLimiter:
        """At most PG_THREADS pushes and pulls of this process talk to PostgreSQL at once; the others
        wait their turn on the event loop. With anyio's 40 threads, 200 kiosks syncing at once kept 40
        threads fighting for the GIL and 80 server processes for two cores: measured side by side on one
        cluster, 8 threads cut the hub's CPU for that burst by 15 % and its p99 from 1.6 to 1.2–1.3 s (4:
        the same; 16: in between)."""
        if self._limiter is None:  # made on first use: inside the event loop that will await it
            self._limiter = CapacityLimiter(PG_THREADS)
        return self._limiter

    def _read_with(self, read: Callable[[Connection], T]) -> T:
        try:
            with self.read() as conn:
                return read(conn)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self.read() as conn:  # once more, on a new connection (see _ping_if_idle)
            return read(conn)

    def migrate(self) -> None:
        with self.write() as conn:
            config = AlembicConfig()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._group is not None:
            self._group.stop()
        self.engine.dispose()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_conn.cursor()
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 30000",
        # A push's savepoint journal (group commit) grew past SQLite's 64 KiB in-memory spill and went to
        # a temporary file, created and deleted at every push.
        "PRAGMA temp_store = MEMORY",
        # Pages read straight from the file's mapping rather than copied in by a read() call each: every
        # connection's page cache is emptied whenever another one has written (WAL), i.e. at every push.
        "PRAGMA mmap_size = 268435456",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("hub_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# A pooled PostgreSQL connection is pinged (one round trip) before use only when it has been idle for this
# long: `pool_pre_ping` pinged at every checkout, a round trip per push and per pull that 200 kiosks syncing
# at once paid 400 times. A connection lost within that time (the server restarted meanwhile) fails its
# statement; the pool then drops every connection older than the failure, and the push or pull runs again
# on a new one (`write_retrying`, `_read_with`).
PING_AFTER_IDLE_S = 2.0
PING_ENV = "KIOSK_HUB_PING_AFTER_IDLE_S"  # tests set it to never (or always) ping


def _send_waiting(conn: Connection, *_statement: Any) -> None:
    """Before a statement SQLAlchemy runs itself inside a pipelined transaction: BEGIN and what is queued."""
    tx = conn.get_execution_options().get(PIPELINED)
    if tx is not None and tx.waiting:
        tx.flush(conn.connection.dbapi_connection)


def _stamp_return(_dbapi_conn: Any, record: Any) -> None:
    record.info["hub_returned_at"] = time.monotonic()


def _ping_if_idle(ping_after: float, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get("hub_returned_at", 0.0) < ping_after:
        return
    autocommit = dbapi_conn.autocommit
    try:  # as SQLAlchemy's pre-ping: an empty query, in autocommit (no BEGIN)
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cursor:
            cursor.execute(";")
        dbapi_conn.autocommit = autocommit
    except Exception as error:  # the pool replaces this connection and checks out another
        raise DisconnectionError(str(error)) from error


def _pause(attempt: int) -> float:
    return 0.01 * (attempt + 1)


def _is_transient(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True  # a connection lost meanwhile: again on a new one
    if isinstance(error, IntegrityError):
        return True  # a concurrent insert of the same id: the retry sees it and answers `duplicate`
    code = getattr(error.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "locked" in str(error.orig).lower()
