"""The hub database: one engine, write transactions that serialise per collective, Alembic migrations.

SQLite (default) runs in WAL mode with `synchronous=FULL`: the hub acknowledges events that kiosks then stop
resending, so an acknowledged event must survive a power cut. Writes start with `BEGIN IMMEDIATE` so that
two worker processes wait for each other instead of failing on a lock upgrade. They wait in line on a lock
file (`<db>.write-lock`, flock) and, inside a process, on a mutex: SQLite's own busy handler polls with sleeps
of up to 100 ms, so with dozens of concurrent pushes a writer could sleep long after the database was free
(the 200-kiosk p99 was seconds). The busy timeout stays as a backstop for other programs opening the file.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

DB_ENV = "KIOSK_HUB_DB"
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
    def __init__(self, url: str | None = None, *, pool_size: int = 10) -> None:
        self.url = resolve_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: Engine = create_engine(self.url, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
            path = self.engine.url.database
            self._lock_path = f"{path}.write-lock" if path and path != ":memory:" else None
            self._mutex = threading.Lock()
        else:
            self.engine = create_engine(
                self.url, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True
            )

    @property
    def kind(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._serialised(), self.engine.connect() as conn:
            conn.execution_options(hub_write=True)
            with conn.begin():
                yield conn

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

    def write_retrying(self, work: Callable[[Connection], T], attempts: int = 5) -> T:
        """Run `work` in a write transaction, again when a concurrent writer made it fail.

        PostgreSQL may refuse one of two concurrent inserts of the same key (a kiosk retrying a push whose
        first attempt is still running) or detect a deadlock; the work is idempotent, so it is redone.
        """
        for attempt in range(attempts):
            try:
                with self.write() as conn:
                    return work(conn)
            except (IntegrityError, OperationalError) as error:
                if attempt == attempts - 1 or not _is_transient(error):
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

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
        self.engine.dispose()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_conn.cursor()
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 30000",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("hub_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_transient(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        return True  # a concurrent insert of the same id: the retry sees it and answers `duplicate`
    code = getattr(error.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "locked" in str(error.orig).lower()
