"""The local store: one SQLite file in WAL mode, `synchronous=FULL`, versioned migrations.

Opening is careful: a file that is not ours, is damaged, or comes from a newer version is refused before
anything is written to it (not even a WAL file), so a person can still take it to someone who can help.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.errors import KioskError, codes
from kiosk.store.schema import APPLICATION_ID, LATEST_VERSION, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


def _read_header(path: Path) -> tuple[int, int] | None:
    """(user_version, application_id) from the file header, or None for an empty/absent file."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KioskError(codes.CORRUPT_DATABASE, path=str(path), detail=str(error)) from None
    if not header:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise KioskError(codes.CORRUPT_DATABASE, path=str(path), detail="en-tête SQLite absent ou tronqué")
    user_version, application_id = (
        struct.unpack(">i", header[60:64])[0],
        struct.unpack(">i", header[68:72])[0],
    )
    return user_version, application_id


def _check_known(path: Path, user_version: int, application_id: int) -> None:
    if user_version > LATEST_VERSION:
        raise KioskError(codes.NEWER_SCHEMA, path=str(path), found=user_version, known=LATEST_VERSION)
    if user_version > 0 and application_id not in (0, APPLICATION_ID):
        raise KioskError(codes.NOT_A_KIOSK_DATABASE, path=str(path))


def storage_error(error: sqlite3.Error) -> KioskError:
    """Translate a SQLite write failure into what the person is told."""
    code = getattr(error, "sqlite_errorcode", None)
    text = str(error).lower()
    if code == sqlite3.SQLITE_FULL or "full" in text:
        return KioskError(codes.DISK_FULL)
    if isinstance(error, sqlite3.OperationalError) and "disk i/o" in text:
        return KioskError(codes.STORE_IO, detail=str(error))
    return KioskError(codes.STORE_IO, detail=str(error))


class Store:
    """One connection to the kiosk database. Each thread opens its own `Store` on the same file."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._depth = 0

    @classmethod
    def open(cls, path: Path | str) -> Store:
        path = Path(path)
        header = _read_header(path)
        if header is not None:
            _check_known(path, *header)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise KioskError(codes.CORRUPT_DATABASE, path=str(path), detail=str(error)) from None
        try:
            # Checked again inside SQLite: a committed migration may still sit in the WAL.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            _check_known(path, version, application_id)
            for pragma in PRAGMAS:
                conn.execute(pragma)
            store = cls(path, conn)
            store._migrate(version)
        except sqlite3.DatabaseError as error:
            conn.close()
            if isinstance(error, sqlite3.OperationalError) and _is_full(error):
                raise KioskError(codes.DISK_FULL) from None
            raise KioskError(codes.CORRUPT_DATABASE, path=str(path), detail=str(error)) from None
        except BaseException:
            conn.close()
            raise
        return store

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, version: int) -> None:
        for target in range(version + 1, LATEST_VERSION + 1):
            with self.transaction():
                MIGRATIONS[target - 1](self.conn)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE). Nested uses join the outer one.

        On any failure everything is rolled back; storage failures become a `KioskError`
        that says nothing was saved.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise storage_error(error) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            if isinstance(error, sqlite3.IntegrityError):
                raise
            raise storage_error(error) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (SQLITE_FULL)
                self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = sqlite3.Row
        return list(cursor.fetchall())

    def query_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = sqlite3.Row
        row: sqlite3.Row | None = cursor.fetchone()
        return row

    def integrity_check(self) -> list[str]:
        return [row[0] for row in self.conn.execute("PRAGMA integrity_check").fetchall()]

    def close(self) -> None:
        self.conn.close()


def _is_full(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
        getattr(error, "sqlite_errno", None) == errno.ENOSPC
    )
