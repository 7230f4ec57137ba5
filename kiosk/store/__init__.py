"""The local store: one SQLite file in WAL mode, `synchronous=FULL`, versioned migrations.

Opening is careful: a file that is not ours, is damaged, or comes from a newer version is refused before
anything is written to it (not even a WAL file), so a person can still take it to someone who can help.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import shutil
import sqlite3
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError, codes
from kiosk.store.schema import APPLICATION_ID, LATEST_VERSION, MIGRATIONS


@contextmanager
def _hidden(*names: str) -> Iterator[None]:
    """While the block runs, `import name` raises ImportError for these modules (if not imported yet)."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # how Python marks a module as not importable
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


# sqlite-utils imports numpy and pandas when they are installed, only to map their scalar types to column
# types; this store never writes them. numpy alone costs the kiosk ~15 MB of memory and ~40 ms at start
# (issue 5). Hidden during this one import only: SciPy's users (kiosk.governance.quotas) still get numpy.
with _hidden("numpy", "pandas"):
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


LOW_SPACE_BYTES = 1024 * 1024  # below this, a failing write is put down to a full disk
WAL_MODE = 2  # header bytes 18-19 of a database in WAL mode
_PAYLOAD_FRACTIONS = b"\x40\x20\x20"  # header bytes 21-23, fixed by the file format


def _wal_beside(path: Path) -> bool:
    """Whether a non-empty `-wal` sits beside the file: committed pages may live there, not in the file."""
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def _corrupt(path: Path, detail: str) -> KioskError:
    return KioskError(codes.CORRUPT_DATABASE, path=str(path), detail=detail)


def _read_header(path: Path) -> tuple[int, int] | None:
    """(user_version, application_id) from the file header, or None when there is no file yet.

    Only reads. A file that cannot be ours (no SQLite header, impossible header fields, shorter than
    its header says, empty) is refused here, before SQLite gets a chance to write anything beside it.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
            size = handle.seek(0, 2)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _corrupt(path, str(error)) from None
    wal = _wal_beside(path)
    if not header:
        if wal:  # created by an older version and killed before its first checkpoint: all in the WAL
            return 0, 0
        # The kiosk never leaves an empty file behind (see `_create`): the data was lost elsewhere.
        raise _corrupt(path, "fichier vide")
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise _corrupt(path, "en-tête SQLite absent ou tronqué")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if (
        page_size < 512
        or page_size & (page_size - 1)
        or header[18] not in (1, WAL_MODE)
        or header[19] not in (1, WAL_MODE)
        or header[21:24] != _PAYLOAD_FRACTIONS
    ):
        raise _corrupt(path, "en-tête SQLite incohérent")
    change_counter, pages = struct.unpack(">II", header[24:32])
    size_is_valid = change_counter == struct.unpack(">I", header[92:96])[0]
    if size_is_valid and size < pages * page_size and not wal:
        raise _corrupt(path, f"fichier tronqué : {size} octets au lieu de {pages * page_size}")
    user_version, application_id = (
        struct.unpack(">i", header[60:64])[0],
        struct.unpack(">i", header[68:72])[0],
    )
    return user_version, application_id


def _check_known(path: Path, user_version: int, application_id: int) -> None:
    # Ours always carries its application id with its version (both set by each migration step):
    # another application's database is refused whatever its version says.
    if application_id not in (0, APPLICATION_ID) or (user_version != 0 and application_id == 0):
        raise KioskError(codes.NOT_A_KIOSK_DATABASE, path=str(path))
    if user_version > LATEST_VERSION:
        raise KioskError(codes.NEWER_SCHEMA, path=str(path), found=user_version, known=LATEST_VERSION)


def _check_contents(path: Path, conn: sqlite3.Connection, user_version: int) -> None:
    """Read the schema and the root page of every table: damage there shows without a full scan."""
    tables = [
        str(row[0])
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    ]
    if user_version == 0 and tables:  # we never leave tables without a version: not ours
        raise KioskError(codes.NOT_A_KIOSK_DATABASE, path=str(path))
    for table in tables:
        conn.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchall()


def _fingerprint(path: Path) -> tuple[int, ...]:
    """What changes when someone writes the database: the file and its WAL (size and time)."""
    stamps: list[int] = []
    for candidate in (path, Path(f"{path}-wal")):
        try:
            info = candidate.stat()
            stamps += [info.st_size, info.st_mtime_ns]
        except OSError:
            stamps += [-1, -1]
    return tuple(stamps)


PROBE_ATTEMPTS = 20
OPEN_ATTEMPTS = 100  # × PROBE_RETRY_SECONDS: five seconds at most
PROBE_RETRY_SECONDS = 0.05


def _probe(path: Path) -> None:
    """`_probe_once`, again while the file changes under it or is locked: another opener (the sync
    worker starting with the app) may be creating or upgrading it at this very moment. A damaged file
    does not change between two looks, so it is still refused at once."""
    for attempt in range(PROBE_ATTEMPTS):
        before = _fingerprint(path)
        try:
            _probe_once(path)
            return
        except KioskError as error:
            busy = "locked" in str(error.params.get("detail", "")) or "busy" in str(
                error.params.get("detail", "")
            )
            if attempt == PROBE_ATTEMPTS - 1 or (_fingerprint(path) == before and not busy):
                raise
        time.sleep(PROBE_RETRY_SECONDS)


def read_only_uri(path: Path) -> str:
    """A URI that reads the database without creating `-wal`/`-shm` files or changing a byte: immutable
    when no WAL (or rollback journal) lies beside it — nobody has it open in WAL mode —, else plain
    read-only, since committed pages may then be only in the WAL."""
    in_use = Path(f"{path}-wal").exists() or Path(f"{path}-journal").exists()
    return path.resolve().as_uri() + ("?mode=ro" if in_use else "?mode=ro&immutable=1")


def _probe_once(path: Path) -> None:
    """Open read-only and look, without creating `-wal`/`-shm` files or changing a byte.

    Without a WAL (or rollback journal) beside it, nobody has the file open in WAL mode, so it is read
    as immutable (which creates nothing); with one, committed pages may only be in the WAL, so it is
    read normally.
    """
    uri = read_only_uri(path)
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise _corrupt(path, str(error)) from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _check_known(path, version, conn.execute("PRAGMA application_id").fetchone()[0])
        _check_contents(path, conn, version)
    except sqlite3.DatabaseError as error:
        raise _corrupt(path, str(error)) from None
    finally:
        conn.close()


def _create(path: Path) -> None:
    """A new, empty database appears at `path` whole or not at all.

    It is built beside under another name and linked into place, so a crash while creating it never
    leaves an empty file that a later start would have to guess about.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(path)
    building = path.with_name(f"{path.name}.new-{os.getpid()}-{threading.get_ident()}")
    try:
        conn = sqlite3.connect(building, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # writes the first page
        finally:
            conn.close()
        _put_in_place(building, path)
        _fsync_dir(path.parent)
    except sqlite3.Error as error:
        raise storage_error(error, path.parent) from None
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise KioskError(codes.DISK_FULL) from None
        raise KioskError(codes.STORE_IO, detail=str(error)) from None
    finally:
        building.unlink(missing_ok=True)
        Path(f"{building}-journal").unlink(missing_ok=True)


def _remove_abandoned_builds(path: Path) -> None:
    """Scratch files of creations whose process died (killed while creating): ours by name."""
    for leftover in path.parent.glob(f"{glob.escape(path.name)}.new-*"):
        pid = leftover.name.removeprefix(path.name + ".new-").split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass  # alive (or not ours to signal): leave it


def _put_in_place(building: Path, path: Path) -> None:
    try:
        os.link(building, path)  # never replaces: if another process created it meanwhile, use theirs
    except FileExistsError:
        pass
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        if not path.exists():  # a file system without hard links (FAT on a USB stick)
            os.replace(building, path)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def storage_error(error: sqlite3.Error, folder: Path | None = None) -> KioskError:
    """Translate a SQLite write failure into what the person is told.

    A full disk does not always say so: SQLite reports failing to grow its shared-memory file as an
    I/O error. An I/O error while the folder has (almost) no free space left is a full disk.
    """
    code = getattr(error, "sqlite_errorcode", None)
    text = str(error).lower()
    if code == sqlite3.SQLITE_FULL or "full" in text:
        return KioskError(codes.DISK_FULL)
    if isinstance(error, sqlite3.OperationalError) and _out_of_space(folder):
        return KioskError(codes.DISK_FULL)
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
        """Open (creating or upgrading) the kiosk database at `path`.

        A file that is not ours, is damaged, or comes from a newer version is refused with a
        `KioskError` naming it, and is left exactly as it was (no byte, no `-wal`/`-shm` beside it).
        """
        path = Path(path)
        header = _read_header(path)
        if header is None:
            _create(path)
        else:
            _check_known(path, *header)
            _probe(path)
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return cls._connect(path)
            except sqlite3.OperationalError as error:
                # Switching to WAL or recovering it can answer "busy" at once, without waiting, while
                # another opener (the app and its sync worker start together) is at the same step.
                if not _is_busy(error) or attempt == OPEN_ATTEMPTS - 1:
                    raise KioskError(codes.STORE_IO, detail=str(error)) from None
                time.sleep(PROBE_RETRY_SECONDS)
        raise AssertionError("unreachable")

    @classmethod
    def _connect(cls, path: Path) -> Store:
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise _corrupt(path, str(error)) from None
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
            if isinstance(error, sqlite3.OperationalError) and _is_busy(error):
                raise
            if isinstance(error, sqlite3.OperationalError) and (_is_io(error) or _is_full(error)):
                raise storage_error(error, path.parent) from None
            raise _corrupt(path, str(error)) from None
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
                if self.schema_version >= target:  # another connection took this step meanwhile
                    continue
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
            raise storage_error(error, self.path.parent) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            if isinstance(error, sqlite3.IntegrityError):
                raise
            raise storage_error(error, self.path.parent) from None
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


def _is_busy(error: sqlite3.Error) -> bool:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _is_full(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
        getattr(error, "sqlite_errno", None) == errno.ENOSPC
    )


def _out_of_space(folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def _is_io(error: sqlite3.Error) -> bool:
    """A failure to read or write the medium (as opposed to a damaged file)."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)
