"""`kiosk backup` and `kiosk restore`: SQLite's online backup API, never a file copy of a live database.

A backup is taken in one step inside one read transaction of its own connection: with the kiosk writing
meanwhile (WAL), it holds exactly the database as committed at one instant — every event up to a point,
none half-written. It lands as `<dest>/kiosk-<id8>-<UTC stamp>.sqlite3` (a self-contained file, no WAL)
with a JSON sidecar beside it (kiosk_id, schema version, created_at, sha256), the newest N kept.

A restore refuses a backup whose kiosk_id is not this kiosk's, and refuses while the kiosk runs
(kiosk/runlock.py), unless forced; the database it replaces is kept as `<db>.before-restore-<stamp>`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk import __version__
from kiosk.runlock import running_pid
from kiosk.store import Store
from kiosk.store.schema import APPLICATION_ID, LATEST_VERSION

BACKUP_FOLDER = "backups"
DEFAULT_KEEP = 14
PREFIX = "kiosk-"
SUFFIX = ".sqlite3"


class BackupError(Exception):
    """A refusal or failure, with the French sentence to print."""


@dataclass(frozen=True)
class BackupInfo:
    kiosk_id: str
    schema_version: int
    created_at: str
    sha256: str
    size: int
    last_seq: int  # the journal's last local event in the backup
    app_version: str = __version__


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    kept_as: Path | None  # the replaced database, or None when there was none


def short_id(kiosk_id: str) -> str:
    """Eight characters naming the kiosk in file names (the random end of its UUIDv7, not its clock)."""
    return kiosk_id.replace("-", "")[-8:]


def sidecar_of(path: Path) -> Path:
    return path.with_suffix(".json")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _describe(conn: sqlite3.Connection) -> tuple[str, int, int]:
    """(kiosk_id, schema version, last local seq) read from a kiosk database."""
    row = conn.execute("SELECT kiosk_id FROM kiosk_state WHERE id = 1").fetchone()
    if row is None:
        raise BackupError("La base ne contient pas l’identité d’une borne.")
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    last = conn.execute("SELECT coalesce(max(seq), 0) FROM journal WHERE origin = 'local'").fetchone()[0]
    return str(row[0]), version, int(last)


def _copy(source: sqlite3.Connection, partial: Path) -> tuple[int, int]:
    """The whole database in one backup step (one read snapshot); (schema version, last seq) of the copy."""
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(target)  # pages=-1: all in one step
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no WAL beside it
        problems = [row[0] for row in target.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            raise BackupError(f"La copie est incohérente ({problems[0]}) : la base doit être vérifiée.")
        _, version, last_seq = _describe(target)
    finally:
        target.close()
    return version, last_seq


def make_backup(
    db_path: Path, dest: Path, *, now: Callable[[], datetime] = _utc_now
) -> tuple[Path, BackupInfo]:
    """One consistent copy of the live database in `dest`; returns its path and what the sidecar says."""
    if not db_path.is_file():
        raise BackupError(f"Aucune base à sauvegarder : {db_path} n’existe pas encore.")
    dest.mkdir(parents=True, exist_ok=True)
    source = Store.open(db_path)
    try:
        kiosk_id = _describe(source.conn)[0]
        moment = now()
        final = dest / f"{PREFIX}{short_id(kiosk_id)}-{moment:%Y%m%dT%H%M%SZ}{SUFFIX}"
        partial = final.with_name(f".{final.name}.part")
        try:
            version, last_seq = _copy(source.conn, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    finally:
        source.close()
    _fsync(partial)
    os.replace(partial, final)
    _fsync(dest)
    info = BackupInfo(
        kiosk_id=kiosk_id,
        schema_version=version,
        created_at=moment.isoformat(timespec="seconds"),
        sha256=_sha256(final),
        size=final.stat().st_size,
        last_seq=last_seq,
    )
    sidecar_of(final).write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    return final, info


def backups_in(dest: Path, kiosk_id: str | None = None) -> list[Path]:
    """Backups in `dest`, oldest first (the UTC stamp in the name sorts), of one kiosk when given."""
    pattern = f"{PREFIX}{short_id(kiosk_id) if kiosk_id else '*'}-*{SUFFIX}"
    return sorted(dest.glob(pattern), key=lambda path: path.name.rsplit("-", 1)[-1]) if dest.is_dir() else []


def prune_backups(dest: Path, kiosk_id: str, keep: int) -> list[Path]:
    """Keep the newest `keep` backups of this kiosk (others' backups in the same folder are left alone)."""
    found = backups_in(dest, kiosk_id)
    doomed = found[: max(0, len(found) - max(keep, 1))]
    for path in doomed:
        path.unlink(missing_ok=True)
        sidecar_of(path).unlink(missing_ok=True)
    return doomed


def latest_backup(dest: Path) -> tuple[Path, datetime] | None:
    """The newest backup in `dest` and when it was made (for `kiosk doctor`)."""
    found = backups_in(dest)
    if not found:
        return None
    newest = found[-1]
    try:
        stamp = datetime.strptime(newest.name.rsplit("-", 1)[-1], f"%Y%m%dT%H%M%SZ{SUFFIX}")
        return newest, stamp.replace(tzinfo=UTC)
    except ValueError:
        return newest, datetime.fromtimestamp(newest.stat().st_mtime, UTC)


def verify_backup(path: Path) -> BackupInfo:
    """What a backup file holds, after checking it whole: sidecar checksum, integrity, ours, kiosk id."""
    if not path.is_file():
        raise BackupError(f"{path} introuvable.")
    sidecar: dict[str, object] = {}
    with contextlib.suppress(FileNotFoundError):
        try:
            sidecar = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
        except ValueError:
            raise BackupError(f"{sidecar_of(path)} est illisible : la sauvegarde n’est pas sûre.") from None
    digest = _sha256(path)
    if sidecar and sidecar.get("sha256") != digest:
        raise BackupError(f"{path} ne correspond plus à son empreinte : fichier abîmé, prenez-en un autre.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} ne s’ouvre pas ({error}).") from None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise BackupError(f"{path} n’est pas une sauvegarde de borne.")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            raise BackupError(f"{path} est endommagée ({problems[0]}) : prenez une autre sauvegarde.")
        kiosk_id, version, last_seq = _describe(conn)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} n’est pas une base lisible ({error}).") from None
    finally:
        conn.close()
    if version > LATEST_VERSION:
        raise BackupError(f"{path} vient d’une version plus récente de la borne : mettez-la d’abord à jour.")
    if sidecar and sidecar.get("kiosk_id") != kiosk_id:
        raise BackupError(
            f"{sidecar_of(path)} décrit une autre base que {path.name} : rien n’a été restauré."
        )
    created = str(sidecar.get("created_at") or "")
    return BackupInfo(kiosk_id, version, created, digest, path.stat().st_size, last_seq)


def current_kiosk_id(db_path: Path) -> str | None:
    if not db_path.is_file():
        return None
    store = Store.open(db_path)
    try:
        return _describe(store.conn)[0]
    except BackupError:
        return None
    finally:
        store.close()


def restore(
    backup: Path, db_path: Path, data_dir: Path, *, force: bool, now: Callable[[], datetime] = _utc_now
) -> Restored:
    """Put `backup` in place of the database; the replaced one is kept beside it."""
    info = verify_backup(backup)
    pid = running_pid(data_dir)
    if pid is not None and not force:
        shown = f" (processus {pid})" if pid else ""
        raise BackupError(
            f"La borne est en marche{shown} : arrêtez-la d’abord (« sudo systemctl stop kiosk »), "
            "puis recommencez."
        )
    mine = current_kiosk_id(db_path)
    if mine is not None and mine != info.kiosk_id and not force:
        raise BackupError(
            f"Cette sauvegarde vient d’une autre borne ({info.kiosk_id}, celle-ci est {mine}) : "
            "rien n’a été restauré. Ajoutez --force seulement pour remplacer cette borne par l’autre."
        )
    stamp = f"{now():%Y%m%dT%H%M%SZ}"
    incoming = db_path.with_name(f"{db_path.name}.restoring-{os.getpid()}")
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(incoming, isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.close()
    _fsync(incoming)
    kept: Path | None = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        old = Store.open(db_path)
        keeper = sqlite3.connect(kept, isolation_level=None)
        try:
            old.conn.backup(keeper)
            keeper.execute("PRAGMA journal_mode = DELETE")
            # emptied WAL: a stale one beside the new file would be replayed onto it
            old.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            keeper.close()
            old.close()
    for leftover in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{db_path}-journal")):
        leftover.unlink(missing_ok=True)
    os.replace(incoming, db_path)
    _fsync(db_path.parent)
    Store.open(db_path).close()  # opens as the app will (and upgrades an older schema now)
    return Restored(info, kept)
